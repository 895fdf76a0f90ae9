"""Figures that grow with what they hold: a grid of panels, the size it needs, and a panel per
model family with every other model in grey behind it (lines a reader can follow at any number
of models)."""

import math
from collections.abc import Sequence

import polars as pl
from plotnine import facet_wrap, geom_line, guides, theme

from tidymnist.figures.theme import model_scales, theme_tidymnist

MATRIX_COLUMNS = 4  # small confusion matrices per row
FAMILY_COLUMNS = 3  # family panels per row
CONTEXT = "#d4d4d4"  # the other models, behind a panel's own
# never narrower than the figures of fixed size: titles and subtitles are written for 8 inches
MIN_WIDTH = 8.0


def panel_grid(n: int, columns: int) -> tuple[int, int]:
    """The columns and rows of a grid of ``n`` panels at most ``columns`` wide."""
    used = max(1, min(n, columns))
    return used, max(1, math.ceil(n / used))


def figure_size(
    columns: int, rows: int, *, panel: tuple[float, float], extra: tuple[float, float]
) -> tuple[float, float]:
    """Width and height in inches of ``columns`` x ``rows`` panels of ``panel`` inches each,
    plus ``extra`` inches for the titles, axes, strips and legend (at least :data:`MIN_WIDTH`
    wide, so that a subtitle fits above a single panel)."""
    width = max(MIN_WIDTH, extra[0] + columns * panel[0])
    return round(width, 2), round(extra[1] + rows * panel[1], 2)


def family_panels(data: pl.DataFrame, layers: Sequence, *, panel=(3.1, 2.2)) -> list:
    """A panel per model family (``data`` from :func:`~tidymnist.figures.theme.model_columns`)
    holding ``layers`` in the family's colour, its variants told apart by the variant scales,
    and every model's line in grey behind; the figure sized from the number of families. The
    plot maps x, y, ``group="model"`` and ``color="family"``."""
    columns, rows = panel_grid(data["family"].n_unique(), FAMILY_COLUMNS)
    width, height = figure_size(columns, rows, panel=panel, extra=(1.6, 1.9))
    return [
        geom_line(data=data.drop("family"), color=CONTEXT, size=0.5),
        *layers,
        facet_wrap("family", ncol=columns),
        *model_scales(data, "color", "linetype", "shape"),
        guides(color="none"),  # the panels' titles name the families
        theme_tidymnist(),
        theme(figure_size=(width, height)),
    ]
