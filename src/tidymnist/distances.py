"""How far each image lies from its label's centroid, and which images are least typical.

The distance is the root-mean-square difference over the 784 pixels, on the 0-255 scale:
``sqrt(mean((value - centroid)^2))``, as in the original tidyverse analysis.
"""

import polars as pl

SCHEMA = pl.Schema(
    {
        "split": pl.Enum(["train", "test"]),
        "instance": pl.UInt32,
        "label": pl.UInt8,
        "distance": pl.Float64,
        "rank": pl.UInt32,
    }
)


def distances(pixels: pl.LazyFrame | pl.DataFrame, centroids: pl.DataFrame) -> pl.DataFrame:
    """One row per image: its distance to its own label's centroid and its rank within its split
    and label (rank 1 is the farthest, the least typical)."""
    return (
        pixels.lazy()
        .join(centroids.lazy().select("label", "pixel", "mean_value"), on=["label", "pixel"])
        .group_by("split", "instance", "label")
        .agg(distance=(pl.col("value") - pl.col("mean_value")).pow(2).mean().sqrt())
        .with_columns(
            rank=pl.col("distance")
            .rank(method="ordinal", descending=True)
            .over("split", "label")
            .cast(pl.UInt32)
        )
        .select(SCHEMA.names())
        .sort("split", "instance")
        .collect(engine="streaming")
    )


def least_typical(distances: pl.DataFrame, k: int, split: str = "train") -> pl.DataFrame:
    """The ``k`` images of each label farthest from their centroid, farthest first."""
    return distances.filter(pl.col("split") == split, pl.col("rank") <= k).sort("label", "rank")
