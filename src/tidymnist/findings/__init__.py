"""Every number a figure subtitle or a report caption states, computed once as a tidy table.

The findings of figure ``name`` are computed by the function of that name in one of the modules
below (:func:`finder`), from the tables its parameters name (as in ``results/tables/``).
"""

import inspect
from collections.abc import Callable, Mapping, Sequence

import polars as pl

from tidymnist.findings import custom, explore, labels, models, robustness, space
from tidymnist.findings.table import SCHEMA, Finding, fill, findings_table, gather, texts, values

MODULES = (explore, space, models, robustness, labels, custom)
FINDERS = {
    name: function
    for module in MODULES
    for name, function in inspect.getmembers(module, inspect.isfunction)
    if function.__module__ == module.__name__
    and not name.startswith("_")
    and "class_names" in inspect.signature(function).parameters
}


def finder(figure: str) -> Callable[..., list[Finding]] | None:
    """The function that computes ``figure``'s findings, or None if it states none."""
    return FINDERS.get(figure)


def tables_of(figure: str) -> tuple[str, ...]:
    """The tables ``figure``'s findings are computed from (none if it states none)."""
    function = finder(figure)
    if function is None:
        return ()
    return tuple(p for p in inspect.signature(function).parameters if p != "class_names")


def figure_findings(
    figure: str, tables: Mapping[str, pl.DataFrame], class_names: Sequence[str]
) -> pl.DataFrame:
    """``figure``'s findings (:data:`SCHEMA`) from ``tables`` (by table name)."""
    function = finder(figure)
    rows = [] if function is None else function(**tables, class_names=class_names)
    return findings_table(figure, rows)


__all__ = [
    "FINDERS",
    "SCHEMA",
    "Finding",
    "figure_findings",
    "fill",
    "finder",
    "gather",
    "tables_of",
    "texts",
    "values",
]
