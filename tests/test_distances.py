"""Distances to the centroid: by hand, and against the original tidyverse analysis."""

import math

import polars as pl
import pytest

from tidymnist.tables.centroids import centroids
from tidymnist.tables.distances import SCHEMA, distances, least_typical
from tidymnist.tables.label_summary import label_summary


def test_tiny_distances_known_by_hand(tiny):
    table = distances(tiny, centroids(tiny))
    assert table.schema == SCHEMA
    rows = {(s, i): (d, r) for s, i, _, d, r in table.iter_rows()}
    # label 0: each image is 50 away from 150 in one pixel of 784 -> sqrt(50^2 / 784) = 50 / 28
    assert rows[("train", 0)][0] == pytest.approx(50 / 28)
    assert rows[("train", 1)][0] == pytest.approx(50 / 28)
    assert rows[("train", 2)] == (0.0, 1)
    # the blank test image of label 1 is 255 away in one pixel
    assert rows[("test", 0)] == (pytest.approx(255 / 28), 1)
    assert sorted([rows[("train", 0)][1], rows[("train", 1)][1]]) == [1, 2]


def test_least_typical_is_a_filter_on_rank(tiny):
    table = distances(tiny, centroids(tiny))
    worst = least_typical(table, k=1)
    assert worst["label"].to_list() == [0, 1]
    assert worst["rank"].to_list() == [1, 1]


def test_tiny_label_summary(tiny):
    table = label_summary(
        tiny, distances(tiny, centroids(tiny)), near_white_max=25, near_black_min=230
    )
    zero, one = table.rows(named=True)
    assert zero["n"] == 2
    assert zero["mean_distance"] == pytest.approx(50 / 28)
    assert zero["share_near_white"] == pytest.approx(1 - 2 / (2 * 784))  # 100 and 200 are not
    assert zero["share_near_black"] == 0
    assert one["share_near_black"] == pytest.approx(1 / 784)


@pytest.fixture(scope="module")
def mnist_distances(mnist_train_pixels):
    return distances(mnist_train_pixels, centroids(mnist_train_pixels))


def test_real_distance_summary_reproduces_the_tidyverse_reference(
    mnist_train_pixels, mnist_distances, reference_dir
):
    reference = pl.read_csv(reference_dir / "distance_summary.csv").sort("label")
    ours = label_summary(mnist_train_pixels, mnist_distances, 25, 230)
    assert ours["n"].to_list() == reference["n"].to_list()
    for mine, theirs in [
        ("mean_distance", "mean_dist"),
        ("sd_distance", "sd_dist"),
        ("median_distance", "median_dist"),
        ("min_distance", "min_dist"),
        ("max_distance", "max_dist"),
    ]:
        assert ours[mine].to_list() == pytest.approx(reference[theirs].to_list(), abs=1e-9)


def test_real_least_typical_reproduce_the_tidyverse_reference(mnist_distances, reference_dir):
    reference = pl.read_csv(reference_dir / "worst_instances.csv").sort("label", "number")
    ours = least_typical(mnist_distances, k=6)
    # R counts rows from 1; tidymnist's instance is the 0-based position in the file
    assert ours["instance"].to_list() == [i - 1 for i in reference["instance"].to_list()]
    assert ours["rank"].to_list() == reference["number"].to_list()
    assert ours["distance"].to_list() == pytest.approx(
        reference["euclidean_distance"].to_list(), abs=1e-9
    )
    assert not any(math.isnan(d) for d in ours["distance"])
