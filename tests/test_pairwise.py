"""Pairwise centroid differences and the separability of each pair."""

import polars as pl
import pytest

from tidymnist.tables.centroids import centroids
from tidymnist.tables.pairwise import (
    DIFFERENCES_SCHEMA,
    SEPARABILITY_SCHEMA,
    centroid_differences,
    pair_separability,
)


def test_tiny_differences_known_by_hand(tiny):
    differences = centroid_differences(centroids(tiny))
    assert differences.schema == DIFFERENCES_SCHEMA
    assert differences.height == 2 * 784  # (0, 1) and (1, 0)
    nonzero = differences.filter(pl.col("difference") != 0).sort("label_a", "pixel")
    assert nonzero.select("label_a", "label_b", "pixel", "difference").rows() == [
        (0, 1, 0, 150.0),
        (0, 1, 783, -255.0),
        (1, 0, 0, -150.0),
        (1, 0, 783, 255.0),
    ]
    separability = pair_separability(differences, centroids(tiny))
    assert separability.schema == SEPARABILITY_SCHEMA
    assert separability.row(0, named=True)["rms_difference"] == pytest.approx(
        ((150**2 + 255**2) / 784) ** 0.5
    )


def test_real_pairs_match_the_reference_size_and_the_blog_intuition(mnist_train_pixels):
    table = centroids(mnist_train_pixels)
    differences = centroid_differences(table)
    assert differences.height == 70_560  # row_counts.csv: digit_differences
    antisymmetric = differences.join(
        differences,
        left_on=["label_a", "label_b", "pixel"],
        right_on=["label_b", "label_a", "pixel"],
    )
    assert (antisymmetric["difference"] + antisymmetric["difference_right"]).abs().max() == 0
    separability = pair_separability(differences, table)
    assert separability.height == 45
    hardest = separability.sort("rank").head(2).select("label_a", "label_b").rows()
    assert hardest == [(4, 9), (7, 9)]
    assert separability["rank"].to_list() == list(range(1, 46))
