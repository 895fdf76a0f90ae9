"""One function per figure: tidy tables in, a ``ggplot`` out; saving is the caller's job.

:mod:`tidymnist.figures.registry` holds one record per figure (which function draws it from which
tables) and :func:`~tidymnist.figures.registry.draw`s it by name; :mod:`tidymnist.figures.sections`
draws every figure of a report section in one go. This package imports no plotting library
itself, so that reading the records (as the Snakefile does) stays quick.
"""
