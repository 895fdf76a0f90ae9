"""One row per label: how many images, how spread around their centroid, how much ink."""

import polars as pl

SCHEMA = pl.Schema(
    {
        "label": pl.UInt8,
        "n": pl.UInt32,
        "mean_distance": pl.Float64,
        "sd_distance": pl.Float64,
        "median_distance": pl.Float64,
        "min_distance": pl.Float64,
        "max_distance": pl.Float64,
        "share_near_white": pl.Float64,
        "share_near_black": pl.Float64,
    }
)


def label_summary(
    pixels: pl.LazyFrame | pl.DataFrame,
    distances: pl.DataFrame,
    near_white_max: int,
    near_black_min: int,
    split: str = "train",
) -> pl.DataFrame:
    """Per label of ``split``: the count and spread of distances, and the share of pixels that
    are near-white (value <= ``near_white_max``: blank paper) or near-black (value >=
    ``near_black_min``: full ink)."""
    spread = (
        distances.filter(pl.col("split") == split)
        .group_by("label")
        .agg(
            n=pl.len().cast(pl.UInt32),
            mean_distance=pl.col("distance").mean(),
            sd_distance=pl.col("distance").std(),
            median_distance=pl.col("distance").median(),
            min_distance=pl.col("distance").min(),
            max_distance=pl.col("distance").max(),
        )
    )
    ink = (
        pixels.lazy()
        .filter(pl.col("split") == split)
        .group_by("label")
        .agg(
            share_near_white=(pl.col("value") <= near_white_max).mean(),
            share_near_black=(pl.col("value") >= near_black_min).mean(),
        )
        .collect(engine="streaming")
    )
    return spread.join(ink, on="label").select(SCHEMA.names()).sort("label")
