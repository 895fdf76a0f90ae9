"""The project's one look: a theme, the ink and difference colour scales, and digit axes."""

from plotnine import (
    coord_fixed,
    element_blank,
    element_text,
    scale_fill_gradient,
    scale_fill_gradient2,
    scale_x_continuous,
    scale_y_reverse,
    theme,
    theme_minimal,
)

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

# Okabe-Ito: distinct for colour-blind readers; models take them in alphabetical order of their
# configured names, so a model keeps its colour in every figure.
MODEL_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
)
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
