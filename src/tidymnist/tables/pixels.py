"""The long pixel table: one row per pixel per image.

Columns, in order: ``split`` (train or test), ``instance`` (0-based position of the image in its
split's file), ``label``, ``pixel`` (0-783, row by row), ``x`` (column from the left), ``y`` (row
from the top) and ``value`` (0 = blank paper, 255 = full ink). Rows are sorted by split, instance
and pixel, so each image's 784 rows are contiguous and in pixel order.
"""

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import polars as pl

from tidymnist.core.digits import N_PIXELS, SIDE, SPLITS
from tidymnist.core.grid import PIXEL, X, Y

log = logging.getLogger(__name__)

SPLIT = pl.Enum(SPLITS)
SCHEMA = pl.Schema(
    {
        "split": SPLIT,
        "instance": pl.UInt32,
        "label": pl.UInt8,
        "pixel": pl.UInt16,
        "x": pl.UInt8,
        "y": pl.UInt8,
        "value": pl.UInt8,
    }
)


def pixel_table(
    images: np.ndarray, labels: np.ndarray, split: str, first_instance: int = 0
) -> pl.DataFrame:
    """The long table of ``images`` (n, 28, 28), numbered from ``first_instance``."""
    n = len(images)
    if images.shape[1:] != (SIDE, SIDE) or len(labels) != n:
        raise ValueError(
            f"expected n images of 28x28 and n labels, got {images.shape}, {labels.shape}"
        )
    instance = np.arange(first_instance, first_instance + n, dtype=np.uint32)
    return pl.DataFrame(
        {
            "instance": np.repeat(instance, N_PIXELS),
            "label": np.repeat(labels.astype(np.uint8), N_PIXELS),
            "pixel": np.tile(PIXEL, n),
            "x": np.tile(X, n),
            "y": np.tile(Y, n),
            "value": np.ascontiguousarray(images, dtype=np.uint8).reshape(-1),
        }
    ).select(pl.lit(split, dtype=SPLIT).alias("split"), pl.all())


def pixel_chunks(
    images: np.ndarray, labels: np.ndarray, split: str, chunk_images: int = 10_000
) -> Iterator[pl.DataFrame]:
    """The long table of one split in pieces of ``chunk_images`` images, logging progress."""
    n = len(images)
    for start in range(0, n, chunk_images):
        stop = min(start + chunk_images, n)
        yield pixel_table(images[start:stop], labels[start:stop], split, first_instance=start)
        log.info(
            "pixels: %s images %d-%d of %d (%.0f%%)", split, start, stop - 1, n, 100 * stop / n
        )


def dataset_chunks(splits: Sequence[Any]) -> Iterator[pl.DataFrame]:
    """The long table of every split in turn, in pieces (:func:`pixel_chunks`); ``splits`` are
    as :func:`tidymnist.io.dataset.load_files` reads them (name, images, labels)."""
    log.info("verified %s", ", ".join(f"{s.name}: {len(s.labels)} images" for s in splits))
    for split in splits:
        yield from pixel_chunks(split.images, split.labels, split.name)


def images_from_pixels(pixels: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Back from the long table of one split to images (n, 28, 28) and labels (n,)."""
    pixels = pixels.sort("instance", "pixel")
    n, remainder = divmod(pixels.height, N_PIXELS)
    if remainder or pixels["instance"].n_unique() != n:
        raise ValueError("the pixel table must hold all 784 pixels of every image")
    images = pixels["value"].to_numpy().reshape(n, SIDE, SIDE)
    labels = pixels["label"].gather_every(N_PIXELS).to_numpy()
    return images, labels


def selected_schema(keys: pl.Schema) -> pl.Schema:
    """The columns of :func:`select_images`: the pixel table's, then the other columns of keys
    with this schema (``split``, ``instance`` and ``label`` are the pixel table's own)."""
    extra = {name: dtype for name, dtype in keys.items() if name not in SCHEMA}
    return pl.Schema({**SCHEMA, **extra})


def select_images(pixels: pl.LazyFrame | pl.DataFrame, images: pl.DataFrame) -> pl.DataFrame:
    """The pixel rows of the images named in ``images`` (by split and instance), with the other
    columns of ``images`` (a rank, a distance ...) carried along."""
    keys = images.with_columns(pl.col("split").cast(SPLIT), pl.col("instance").cast(pl.UInt32))
    return (
        pixels.lazy()
        .join(keys.lazy(), on=["split", "instance"], how="semi")
        .collect(engine="streaming")
        .join(keys.drop("label", strict=False), on=["split", "instance"])
        .sort("split", "instance", "pixel")
    )


def first_images(pixels: pl.LazyFrame | pl.DataFrame, n: int, split: str = "train") -> pl.DataFrame:
    """The pixel rows of the first ``n`` images of ``split``."""
    return (
        pixels.lazy()
        .filter(pl.col("split") == split, pl.col("instance") < n)
        .collect(engine="streaming")
    )


def split_arrays(
    pixels: pl.LazyFrame | pl.DataFrame, split: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The wide view of one split for model fitting: instances (n,), images (n, 28, 28), labels."""
    table = pixels.lazy().filter(pl.col("split") == split).collect(engine="streaming")
    images, labels = images_from_pixels(table)
    instances = table["instance"].unique().sort().to_numpy()
    return instances, images, labels
