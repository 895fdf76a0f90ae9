"""Every figure of one report section in one job: its findings computed, each figure drawn and
saved, so that Python and plotnine start once per section rather than once per figure.

A section's job reads the tables its figures (and their findings) need, by table name, and
writes one PNG per figure and one findings table for the section.
"""

import logging
from collections.abc import Mapping, Sequence

import polars as pl

from tidymnist.figures.registry import FIGURES, draw
from tidymnist.findings import figure_findings, gather
from tidymnist.io.figures import save_figure

log = logging.getLogger(__name__)


def draw_section(
    tables: Mapping[str, pl.DataFrame],
    paths: Mapping[str, str],
    *,
    figures: Sequence[str],
    class_names: Sequence[str],
    sizes: Mapping[str, Sequence[float] | None],
    dpi: int,
) -> pl.DataFrame:
    """Compute the findings of ``figures`` and save each figure to ``paths[name]`` at
    ``sizes[name]`` (inches; None: the size the plot sets from its panels) and ``dpi``, from
    ``tables`` by table name; returns the section's findings
    (:data:`tidymnist.findings.SCHEMA`)."""
    found = []
    for name in figures:
        record = FIGURES[name]
        findings = figure_findings(
            name, {table: tables[table] for table in record.finding_tables}, class_names
        )
        plot = draw(
            name,
            {argument: tables[table] for argument, table in record.tables.items()},
            class_names,
            findings,
        )
        width, height = sizes[name] or plot.theme.getp("figure_size")
        save_figure(plot, paths[name], width, height, dpi)
        log.info("saved %s (%s x %s in at %s dpi)", paths[name], width, height, dpi)
        found.append(findings)
    return gather(found)
