"""Helpers every figure module shares."""

from collections.abc import Sequence

import polars as pl

from tidymnist.core.digits import LABELS


def with_class(
    frame: pl.DataFrame, class_names: Sequence[str], label: str = "label", name: str = "class"
) -> pl.DataFrame:
    """Add the reader's name for ``label`` as an ordered column ``name``."""
    names = pl.Enum(list(class_names))
    mapping = dict(zip(LABELS, class_names, strict=True))
    return frame.with_columns(pl.col(label).replace_strict(mapping, return_dtype=names).alias(name))


def tiles(frame: pl.DataFrame) -> pl.DataFrame:
    """Pixel coordinates as signed integers, so that flipping the y axis cannot wrap around."""
    return frame.with_columns(pl.col("x", "y").cast(pl.Int16))
