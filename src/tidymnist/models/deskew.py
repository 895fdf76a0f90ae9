"""Deskewing: straighten slanted digits with their second moments (the classic MNIST trick).

Each image's ink has a centre of mass (cx, cy) and a covariance of ink positions. Writers slant
their digits: ``x`` drifts with ``y`` at the slope ``skew = cov(x, y) / var(y)``. Deskewing shears
every row sideways by ``skew * (y - cy)`` so that slope becomes zero (the covariance upright) and
moves the centre of mass to the image centre. Shapes then vary less within a label, which helps
every model that compares pixels.
"""

import numpy as np
import polars as pl
from scipy.ndimage import map_coordinates
from sklearn.base import BaseEstimator, TransformerMixin

from tidymnist.core.digits import N_PIXELS, SIDE

# Where the centre of mass goes, in pixel coordinates (the classic trick's shape / 2).
CENTRE = SIDE / 2
SKEW_SCHEMA = pl.Schema(
    {
        "split": pl.Enum(["train", "test"]),
        "instance": pl.UInt32,
        "label": pl.UInt8,
        "cx": pl.Float64,
        "cy": pl.Float64,
        "skew": pl.Float64,
    }
)


def moments(images: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each image's centre of mass ``cx``, ``cy`` and skew ``cov(x, y) / var(y)`` (n,) each.

    A blank image (no ink) gets its centre at :data:`CENTRE` and skew 0, so it is left alone.
    """
    flat = np.asarray(images, dtype=np.float64).reshape(len(images), N_PIXELS)
    ys, xs = np.divmod(np.arange(N_PIXELS, dtype=np.float64), SIDE)
    total = flat.sum(axis=1)
    blank = total == 0
    total[blank] = 1.0
    # raw moments by matrix products: no (n, 784) temporaries, 70,000 images in a blink
    raw = flat @ np.stack([xs, ys, ys * ys, xs * ys], axis=1) / total[:, None]
    cx, cy = raw[:, 0], raw[:, 1]
    var_y = raw[:, 2] - cy * cy
    cov_xy = raw[:, 3] - cx * cy
    skew = np.divide(cov_xy, var_y, out=np.zeros_like(cov_xy), where=var_y > 1e-9)
    cx[blank], cy[blank], skew[blank] = CENTRE, CENTRE, 0.0
    return cx, cy, skew


def deskew(images: np.ndarray, block: int = 4096) -> np.ndarray:
    """``images`` (n, 28, 28) or (n, 784), 0-255, sheared upright: same shape, uint8.

    The output pixel at (y, x) takes the input at ``(y + cy - c, x + cx - c + skew * (y - c))``
    with ``c`` the image centre, by bilinear interpolation (ink beyond the edge is blank): the
    affine transform of :func:`scipy.ndimage.affine_transform` (order 1), done for ``block``
    images at a time by one :func:`scipy.ndimage.map_coordinates` call on the stack, which is
    twice as fast as a loop over images and gives the same values.
    """
    images = np.asarray(images)
    if images.ndim not in (2, 3) or images.shape[1:] not in ((N_PIXELS,), (SIDE, SIDE)):
        raise ValueError(f"expected images of shape (n, 28, 28) or (n, 784), got {images.shape}")
    square = images.reshape(len(images), SIDE, SIDE)
    cx, cy, skew = moments(square)
    rows, cols = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    out = np.empty(square.shape, dtype=np.uint8)
    for start in range(0, len(square), block):
        stop = min(start + block, len(square))
        part = slice(start, stop)
        source_rows = rows[None] + (cy[part] - CENTRE)[:, None, None]
        source_cols = (
            cols[None]
            + skew[part, None, None] * (rows[None] - CENTRE)
            + (cx[part] - CENTRE)[:, None, None]
        )
        index = np.broadcast_to(
            np.arange(stop - start, dtype=np.float64)[:, None, None], source_rows.shape
        )
        moved = map_coordinates(
            square[part].astype(np.float64),
            np.stack([index, source_rows, source_cols]),
            order=1,
            mode="constant",
        )
        out[part] = np.clip(np.rint(moved), 0, 255)
    return out.reshape(images.shape)


def skew_table(pixels: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """One row per image of the long pixel table: split, instance, label, centre of mass
    ``cx``, ``cy`` and ``skew``, the slope deskewing removes (blank images: centre, skew 0)."""
    ink = pl.col("value").cast(pl.Float64)
    x, y = pl.col("x").cast(pl.Float64), pl.col("y").cast(pl.Float64)
    total = ink.sum()
    centred = (
        pixels.lazy()
        .with_columns(
            (ink * x).sum().over("split", "instance").alias("_sx"),
            (ink * y).sum().over("split", "instance").alias("_sy"),
            total.over("split", "instance").alias("_total"),
        )
        .with_columns(
            (pl.col("_sx") / pl.col("_total")).alias("cx"),
            (pl.col("_sy") / pl.col("_total")).alias("cy"),
        )
    )
    dx, dy = x - pl.col("cx"), y - pl.col("cy")
    table = (
        centred.group_by("split", "instance", "label")
        .agg(
            pl.col("cx").first(),
            pl.col("cy").first(),
            pl.col("_total").first(),
            (ink * dy * dy).sum().alias("_var_y"),
            (ink * dx * dy).sum().alias("_cov_xy"),
        )
        .with_columns(
            pl.when(pl.col("_total") > 0).then(pl.col("cx")).otherwise(CENTRE).alias("cx"),
            pl.when(pl.col("_total") > 0).then(pl.col("cy")).otherwise(CENTRE).alias("cy"),
            pl.when(pl.col("_var_y") > 0)
            .then(pl.col("_cov_xy") / pl.col("_var_y"))
            .otherwise(0.0)
            .alias("skew"),
        )
        .select(
            pl.col("split").cast(SKEW_SCHEMA["split"]),
            pl.col("instance").cast(pl.UInt32),
            pl.col("label").cast(pl.UInt8),
            "cx",
            "cy",
            "skew",
        )
        .sort("split", "instance")
    )
    return table.collect(engine="streaming")


class Deskew(TransformerMixin, BaseEstimator):
    """:func:`deskew` as a stateless scikit-learn step, so a pipeline can start with it: raw
    0-255 images in, deskewed 0-255 images (uint8, same shape) out."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return deskew(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags
