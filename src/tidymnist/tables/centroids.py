"""Per-label centroids: the mean value of each pixel over every image of a label."""

import polars as pl

from tidymnist.core.grid import xy

SCHEMA = pl.Schema(
    {"label": pl.UInt8, "pixel": pl.UInt16, "x": pl.UInt8, "y": pl.UInt8, "mean_value": pl.Float64}
)


def centroids(pixels: pl.LazyFrame | pl.DataFrame, split: str = "train") -> pl.DataFrame:
    """One row per label per pixel: the pixel's mean value over ``split``'s images of that label."""
    return (
        pixels.lazy()
        .filter(pl.col("split") == split)
        .group_by("label", "pixel")
        .agg(mean_value=pl.col("value").mean())
        .with_columns(xy(pl.col("pixel")))
        .select(SCHEMA.names())
        .sort("label", "pixel")
        .collect(engine="streaming")
    )
