"""The pixel grid, defined once: ``pixel`` numbers a ``SIDE`` x ``SIDE`` image row by row from the
top-left (the byte order of the IDX file), ``x`` is its column from the left and ``y`` its row from
the top, so ``pixel = y * SIDE + x`` (see :mod:`tidymnist.core.digits`).

Every table with ``pixel``, ``x`` and ``y`` columns takes them from here, as arrays
(:data:`PIXEL`, :data:`X`, :data:`Y`), as a table (:func:`grid_table`) or as polars expressions
(:func:`xy`); and every model input is scaled by :func:`scale_pixels`.
"""

import numpy as np
import polars as pl

from tidymnist.core.digits import N_PIXELS, SIDE

PIXEL = np.arange(N_PIXELS, dtype=np.uint16)
X = (PIXEL % SIDE).astype(np.uint8)
Y = (PIXEL // SIDE).astype(np.uint8)
GRID_SCHEMA = pl.Schema({"pixel": pl.UInt16, "x": pl.UInt8, "y": pl.UInt8})


def xy(pixel: pl.Expr) -> list[pl.Expr]:
    """The ``x`` and ``y`` columns for a ``pixel`` expression."""
    return [(pixel % SIDE).cast(pl.UInt8).alias("x"), (pixel // SIDE).cast(pl.UInt8).alias("y")]


def grid_table() -> pl.DataFrame:
    """One row per pixel of the grid: ``pixel``, ``x``, ``y``."""
    return pl.DataFrame({"pixel": PIXEL, "x": X, "y": Y}, schema=GRID_SCHEMA)


def scale_pixels(images: np.ndarray) -> np.ndarray:
    """Raw images, (n, 28, 28) or (n, 784) with values 0-255, as (n, 784) float32 in 0-1.

    Single precision halves the memory and time of the heavier models; the results agree with
    double precision to far below what changes a prediction.
    """
    images = np.asarray(images)
    return images.reshape(len(images), N_PIXELS).astype(np.float32) / np.float32(255)
