"""One function per figure: tidy tables in, a ``ggplot`` out; saving is the caller's job.

:mod:`tidymnist.figures.registry` holds one record per figure and :func:`draw`s it by name; the
plot functions are re-exported here as the records name them.
"""

from tidymnist.figures.registry import FIGURES, Figure, draw, figures_for

globals().update({record.plot.__name__: record.plot for record in FIGURES.values()})

__all__ = [  # noqa: PLE0604 (the plot functions are added just above)
    "FIGURES",
    "Figure",
    "draw",
    "figures_for",
    *sorted(record.plot.__name__ for record in FIGURES.values()),
]
