"""How far each image lies from its label's centroid, and which images are least typical.

The distance is the root-mean-square difference over the 784 pixels, on the 0-255 scale:
``sqrt(mean((value - centroid)^2))``, as in the original tidyverse analysis.
"""

import numpy as np
import polars as pl

from tidymnist.core.digits import N_CLASSES, N_PIXELS
from tidymnist.tables.pixels import selected_schema

SCHEMA = pl.Schema(
    {
        "split": pl.Enum(["train", "test"]),
        "instance": pl.UInt32,
        "label": pl.UInt8,
        "distance": pl.Float64,
        "rank": pl.UInt32,
    }
)
# The pixel rows of the least typical images (tidymnist.tables.pixels.select_images).
LEAST_TYPICAL_PIXELS_SCHEMA = selected_schema(SCHEMA)


# Squared differences are summed in fixed point: 2^30 units per grey level squared. The largest
# image's sum, 784 x 255^2 x 2^30, stays far inside int64.
FIXED_POINT = 2.0**30


def distances(pixels: pl.LazyFrame | pl.DataFrame, centroids: pl.DataFrame) -> pl.DataFrame:
    """One row per image: its distance to its own label's centroid and its rank within its split
    and label (rank 1 is the farthest, the least typical).

    Streams: each pixel's centroid value is looked up by position (``label * 784 + pixel`` in a
    10 x 784 array) rather than joined, and only the per-image results are held in memory.
    """
    centroid = pl.lit(centroid_lookup(centroids)).gather(
        pl.col("label").cast(pl.UInt32) * N_PIXELS + pl.col("pixel")
    )
    return (
        pixels.lazy()
        .select("split", "instance", "label", squared=(pl.col("value") - centroid).pow(2))
        .group_by("split", "instance", "label")
        # Summed as integers (squares in units of 2^-30), so that the order in which the engine
        # adds a group's rows cannot change the last bit: floats summed in a thread-dependent
        # order made two runs differ by up to 6e-14. The rounding costs under 1e-11 in distance.
        .agg(
            total=(pl.col("squared") * FIXED_POINT).round().cast(pl.Int64).sum(),
            n=pl.len(),
        )
        .with_columns(
            distance=(pl.col("total").cast(pl.Float64) / FIXED_POINT / pl.col("n")).sqrt()
        )
        .filter(pl.col("label").is_in(centroids["label"].unique().to_list()))
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


def centroid_lookup(centroids: pl.DataFrame) -> pl.Series:
    """The centroids as one Float64 series indexed by ``label * 784 + pixel`` (NaN where there is
    no centroid: :func:`distances` leaves out images of such labels, as a join would)."""
    lookup = np.full(N_CLASSES * N_PIXELS, np.nan)
    index = centroids["label"].cast(pl.Int64) * N_PIXELS + centroids["pixel"].cast(pl.Int64)
    lookup[index.to_numpy()] = centroids["mean_value"].to_numpy()
    return pl.Series("centroid", lookup)


def least_typical(distances: pl.DataFrame, k: int, split: str = "train") -> pl.DataFrame:
    """The ``k`` images of each label farthest from their centroid, farthest first."""
    return distances.filter(pl.col("split") == split, pl.col("rank") <= k).sort("label", "rank")
