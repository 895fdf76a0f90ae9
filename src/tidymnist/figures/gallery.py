"""A gallery of digits: a row per group, a column per rank, each digit with a red caption of
the label it was given and the one it was read as (the surest mistakes, the labels that look
wrong)."""

from collections.abc import Sequence

import polars as pl
from plotnine import aes, element_text, facet_grid, geom_label, geom_raster, ggplot, theme

from tidymnist.figures.common import tiles
from tidymnist.figures.panels import figure_size
from tidymnist.figures.theme import POSITIVE, digit_axes, ink_scale, theme_tidymnist

RANKS = pl.Enum([f"#{r}" for r in range(1, 1000)])


def ranked(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its ``rank`` as the column strip reads it: "#1", "#2" ..."""
    return frame.with_columns(rank=pl.format("#{}", "rank").cast(RANKS))


def digit_gallery(
    data: pl.DataFrame,
    *,
    rows: str,
    given: str,
    read: str,
    note: pl.Expr,
    class_names: Sequence[str],
) -> ggplot:
    """The digits of ``data`` (pixel rows with ``rows``, ``rank`` from :func:`ranked`, and the
    class columns ``given`` and ``read``) in a ``rows`` x rank grid, each captioned in red
    "given→read note" under the digit, where MNIST leaves the bottom rows blank; with long
    class names, the given one above the digit and the rest below. Sized from the grid."""
    captions = data.select(rows, "rank", given, read, note=note).unique()
    if max(len(name) for name in class_names) <= 2:
        lines = {26.0: pl.format("{}→{} {}", given, read, "note")}
    else:
        lines = {1.5: pl.format("{} →", given), 26.0: pl.format("{} {}", read, "note")}
    texts = pl.concat(
        [captions.with_columns(text=text, text_y=pl.lit(y)) for y, text in lines.items()]
    )
    k, n_rows = captions["rank"].n_unique(), captions[rows].n_unique()
    return (
        ggplot(tiles(data), aes("x", "y", fill="value"))
        + geom_raster()
        + geom_label(
            aes(x=13.5, y="text_y", label="text"),
            data=texts,
            inherit_aes=False,
            size=6.5,
            color=POSITIVE,
            fill="#ffffff",
            alpha=0.85,
            label_size=0,
            label_padding=0.1,
        )
        + facet_grid(f"{rows} ~ rank")
        + ink_scale()
        + theme_tidymnist()
        + digit_axes()
        + theme(
            strip_text_y=element_text(angle=0, ha="left"),
            legend_position="none",
            figure_size=figure_size(k, n_rows, panel=(0.78, 0.8), extra=(1.25, 1.35)),
        )
    )
