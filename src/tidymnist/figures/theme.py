"""The project's one look: a theme, the ink and difference colour scales, the model scales
(one colour per model family, one shape and line type per variant) and digit axes."""

import polars as pl
from plotnine import (
    coord_fixed,
    element_blank,
    element_text,
    scale_alpha_manual,
    scale_color_manual,
    scale_fill_gradient,
    scale_fill_gradient2,
    scale_fill_manual,
    scale_linetype_manual,
    scale_shape_manual,
    scale_x_continuous,
    scale_y_reverse,
    theme,
    theme_minimal,
)

from tidymnist.core import naming
from tidymnist.core.digits import SIDE

INK_LOW = "#ffffff"  # blank paper
INK_HIGH = "#111111"  # full ink
NEGATIVE = "#2166ac"  # blue: the second label's ink
POSITIVE = "#b2182b"  # red: the first label's ink
LABEL_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

# Models are coloured by family (tidymnist.core.naming.FAMILY_COLOURS, Okabe-Ito): a model has
# the same colour in every figure and on the draw page, and its variants share it.
SHARE_LOW = "#ffffff"  # no images
SHARE_HIGH = "#08306b"  # all of the true label's images


class theme_tidymnist(theme_minimal):
    """theme_minimal with bold titles, a readable subtitle and caption, and legible facet strips."""

    def __init__(self, base_size: float = 11, base_family: str | None = None):
        super().__init__(base_size, base_family)
        self += theme(
            plot_title=element_text(weight="bold", size=base_size * 1.25, ha="left"),
            plot_subtitle=element_text(size=base_size, color="#444444", ha="left"),
            plot_caption=element_text(size=base_size * 0.8, color="#666666", ha="right"),
            strip_text=element_text(size=base_size, weight="bold"),
            panel_grid_minor=element_blank(),
            plot_title_position="plot",  # titles start at the figure's edge, not the panels'
            plot_caption_position="plot",
            legend_position="right",
        )


def ink_scale(name: str = "value"):
    """Pixel values as ink: 0 white, 255 near-black."""
    return scale_fill_gradient(low=INK_LOW, high=INK_HIGH, limits=(0, 255), name=name)


def difference_scale(name: str, limit: float):
    """Signed differences on a diverging scale symmetric around zero."""
    return scale_fill_gradient2(
        low=NEGATIVE, mid="#ffffff", high=POSITIVE, midpoint=0, limits=(-limit, limit), name=name
    )


def digit_axes() -> list:
    """Square pixels, y flipped so that row 0 is at the top (digits upright), no axes."""
    return [
        coord_fixed(expand=False),
        scale_x_continuous(limits=(-0.5, SIDE - 0.5)),
        scale_y_reverse(limits=(-0.5, SIDE - 0.5)),
        theme(
            axis_text=element_blank(),
            axis_title=element_blank(),
            panel_grid=element_blank(),
        ),
    ]


def model_columns(frame: pl.DataFrame, *, wrap: bool = False) -> pl.DataFrame:
    """``frame`` ready to draw by model: ``model`` as the reader sees it ("k-NN (deskewed)"; with
    ``wrap``, a word a line), ``family`` (the base model's display name, the colour key) and
    ``variant`` ("as is", "deskewed": the shape and line type key), each an Enum in the study's
    order, all looked up from ``model`` (:mod:`tidymnist.core.naming`)."""
    shown = frame.with_columns(
        naming.display_column("model", wrap=wrap),
        family=naming.family_display_column("model"),
        variant=naming.variant_display_column("model"),
    )
    return shown.with_columns(_present(shown[c]) for c in ("model", "family", "variant"))


def _present(column: pl.Series) -> pl.Series:
    """An Enum column narrowed to the categories it holds (a legend lists every category)."""
    held = set(column.unique().drop_nulls().cast(pl.String))
    kept = [category for category in column.dtype.categories if category in held]
    return column.cast(pl.String).cast(pl.Enum(kept))


def model_scales(data: pl.DataFrame, *aesthetics: str, legend: bool = True) -> list:
    """The manual scales of the ``aesthetics`` a figure drawn from :func:`model_columns` maps:
    "color" and "fill" take the family colours, "shape", "linetype" and "alpha" the variant's.
    The variant's legend shows only when the figure has both variants; none with ``legend``
    false."""
    both = legend and data["variant"].n_unique() > 1
    family = {"name": "model"} | ({} if legend else {"guide": None})
    variant = {"name": ""} | ({} if both else {"guide": None})
    scales = {
        "color": lambda: scale_color_manual(values=naming.FAMILY_DISPLAY_COLOURS, **family),
        "fill": lambda: scale_fill_manual(values=naming.FAMILY_DISPLAY_COLOURS, **family),
        "shape": lambda: scale_shape_manual(values=naming.VARIANT_DISPLAY_SHAPES, **variant),
        "linetype": lambda: scale_linetype_manual(
            values=naming.VARIANT_DISPLAY_LINETYPES, **variant
        ),
        "alpha": lambda: scale_alpha_manual(values=naming.VARIANT_DISPLAY_ALPHAS, **variant),
    }
    return [scales[aesthetic]() for aesthetic in aesthetics]
