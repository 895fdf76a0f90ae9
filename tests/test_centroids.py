"""Centroids on a hand-checked fixture and on the real MNIST."""

import numpy as np
import polars as pl
import pytest

from tidymnist.tables.centroids import SCHEMA, centroids


def test_tiny_centroids_known_by_hand(tiny):
    table = centroids(tiny)
    assert table.schema == SCHEMA
    assert table.height == 2 * 784  # labels 0 and 1 only, training split only
    by_label = table.group_by("label").agg(pl.col("mean_value").sum()).sort("label")
    assert by_label["mean_value"].to_list() == [150.0, 255.0]
    assert table.filter(pl.col("label") == 0, pl.col("pixel") == 0)["mean_value"].item() == 150.0


def test_real_centroids_equal_numpy_on_the_image_array(mnist_train, mnist_train_pixels):
    table = centroids(mnist_train_pixels)
    images = mnist_train.images.reshape(-1, 784).astype(np.float64)
    expected = np.stack([images[mnist_train.labels == k].mean(axis=0) for k in range(10)])
    got = table.sort("label", "pixel")["mean_value"].to_numpy().reshape(10, 784)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_real_centroids_reproduce_the_tidyverse_reference(mnist_train_pixels, reference_dir):
    reference = pl.read_csv(reference_dir / "centroid_summary.csv").sort("label")
    ours = (
        centroids(mnist_train_pixels)
        .group_by("label")
        .agg(
            sum_mean_value=pl.col("mean_value").sum(),
            max_mean_value=pl.col("mean_value").max(),
            n_pixels=pl.len(),
        )
        .sort("label")
    )
    for column in ("sum_mean_value", "max_mean_value"):
        assert ours[column].to_list() == pytest.approx(reference[column].to_list(), abs=1e-8)
    assert ours["n_pixels"].to_list() == reference["n_pixels"].to_list()
