"""How often each pixel value occurs."""

import polars as pl

SCHEMA = pl.Schema({"value": pl.UInt8, "n": pl.UInt64})


def value_counts(pixels: pl.LazyFrame | pl.DataFrame, split: str = "train") -> pl.DataFrame:
    """One row per pixel value 0-255 (zeros included): how many pixels of ``split`` hold it."""
    counts = (
        pixels.lazy()
        .filter(pl.col("split") == split)
        .group_by("value")
        .agg(n=pl.len().cast(pl.UInt64))
        .collect(engine="streaming")
    )
    every_value = pl.DataFrame({"value": pl.arange(0, 256, eager=True).cast(pl.UInt8)})
    return every_value.join(counts, on="value", how="left").fill_null(0).select(SCHEMA.names())
