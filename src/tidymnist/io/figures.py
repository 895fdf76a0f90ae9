"""Saving figures: PNGs at an explicit size, written atomically."""

import os

from plotnine import ggplot

from tidymnist.io.tables import atomic_path


def save_figure(
    plot: ggplot, path: str | os.PathLike, width: float, height: float, dpi: int
) -> None:
    """Save ``plot`` as a PNG of ``width`` x ``height`` inches at ``dpi``."""
    with atomic_path(path) as tmp:
        plot.save(tmp, format="png", width=width, height=height, dpi=dpi, verbose=False)
