"""Pairs of labels compared through their centroids: where they differ, and by how much.

A pair whose centroids differ little is hard to tell apart from the average shapes alone;
the tidy analyses single out 4/9 and 7/9.
"""

import polars as pl

DIFFERENCES_SCHEMA = pl.Schema(
    {
        "label_a": pl.UInt8,
        "label_b": pl.UInt8,
        "pixel": pl.UInt16,
        "x": pl.UInt8,
        "y": pl.UInt8,
        "difference": pl.Float64,
    }
)
SEPARABILITY_SCHEMA = pl.Schema(
    {
        "label_a": pl.UInt8,
        "label_b": pl.UInt8,
        "rms_difference": pl.Float64,
        "max_abs_difference": pl.Float64,
        "correlation": pl.Float64,
        "rank": pl.UInt32,
    }
)


def centroid_differences(centroids: pl.DataFrame) -> pl.DataFrame:
    """For every ordered pair of distinct labels (a, b), centroid a minus centroid b, per pixel."""
    a = centroids.select("label", "pixel", "x", "y", "mean_value")
    b = centroids.select("label", "pixel", "mean_value")
    return (
        a.join(b, on="pixel", suffix="_b")
        .filter(pl.col("label") != pl.col("label_b"))
        .select(
            label_a="label",
            label_b="label_b",
            pixel="pixel",
            x="x",
            y="y",
            difference=pl.col("mean_value") - pl.col("mean_value_b"),
        )
        .sort("label_a", "label_b", "pixel")
    )


def pair_separability(differences: pl.DataFrame, centroids: pl.DataFrame) -> pl.DataFrame:
    """One row per unordered pair (a < b): how far apart the two centroids are.

    ``rms_difference`` is the root-mean-square of the per-pixel difference (the same scale as an
    image's distance to its centroid); ``correlation`` is the Pearson correlation of the two
    centroids. ``rank`` 1 is the pair with the most similar centroids, the least separable.
    """
    pairs = (
        differences.filter(pl.col("label_a") < pl.col("label_b"))
        .group_by("label_a", "label_b")
        .agg(
            rms_difference=pl.col("difference").pow(2).mean().sqrt(),
            max_abs_difference=pl.col("difference").abs().max(),
        )
    )
    wide = centroids.select("label", "pixel", "mean_value")
    correlation = (
        wide.join(wide, on="pixel", suffix="_b")
        .filter(pl.col("label") < pl.col("label_b"))
        .group_by(label_a="label", label_b="label_b")
        .agg(correlation=pl.corr("mean_value", "mean_value_b"))
    )
    return (
        pairs.join(correlation, on=["label_a", "label_b"])
        .with_columns(rank=pl.col("rms_difference").rank(method="ordinal").cast(pl.UInt32))
        .select(SEPARABILITY_SCHEMA.names())
        .sort("rank")
    )
