"""The findings table: one row per number or phrase a figure's subtitle or a report caption states.

Each finding is computed once, here, from the analysis tables; the figure that states it and the
report caption both read it, so they cannot disagree. A row is a finding of one figure (``figure``),
keyed by ``finding`` and, where one finding has a row per model or per panel, by ``subject``; it
keeps the number (``value``, null for a phrase or a name) and the words a reader sees (``text``).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

SCHEMA = pl.Schema(
    {
        "figure": pl.String,  # the figure whose subtitle or caption states it
        "finding": pl.String,  # its key, e.g. most_alike_label
        "subject": pl.String,  # what the row is about when a finding has several, else null
        "value": pl.Float64,  # the number, unrounded (null for a name or a phrase)
        "text": pl.String,  # as the reader sees it: "41.2", "98.34%", "4/9", "k-NN"
    }
)


@dataclass(frozen=True)
class Finding:
    """One row of the findings table, before it knows its figure."""

    finding: str
    text: str
    value: float | None = None
    subject: str | None = None


def findings_table(figure: str, rows: Iterable[Finding]) -> pl.DataFrame:
    """The findings of ``figure`` as a table with :data:`SCHEMA`."""
    return pl.DataFrame(
        [
            {
                "figure": figure,
                "finding": row.finding,
                "subject": row.subject,
                "value": None if row.value is None else float(row.value),
                "text": row.text,
            }
            for row in rows
        ],
        schema=SCHEMA,
    )


def gather(tables: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Every figure's findings in one table, sorted by figure and in the order computed."""
    if not tables:
        return pl.DataFrame(schema=SCHEMA)
    return pl.concat([table.cast(SCHEMA) for table in tables]).sort("figure", maintain_order=True)


def texts(findings: pl.DataFrame, figure: str | None = None) -> dict[str, str]:
    """The text of each finding without a subject (of ``figure``, when given), by key."""
    rows = findings.filter(pl.col("subject").is_null())
    if figure is not None:
        rows = rows.filter(pl.col("figure") == figure)
    return dict(rows.select("finding", "text").iter_rows())


def values(findings: pl.DataFrame, figure: str | None = None) -> dict[str, float | None]:
    """The value of each finding without a subject (of ``figure``, when given), by key."""
    rows = findings.filter(pl.col("subject").is_null())
    if figure is not None:
        rows = rows.filter(pl.col("figure") == figure)
    return dict(rows.select("finding", "value").iter_rows())


def by_subject(findings: pl.DataFrame, finding: str) -> dict[str, str]:
    """The text of ``finding`` for each of its subjects, in the order computed."""
    rows = findings.filter(pl.col("finding") == finding, pl.col("subject").is_not_null())
    return dict(rows.select("subject", "text").iter_rows())


class MissingFindingError(KeyError):
    """A caption names a finding the table does not hold."""


def fill(template: str, said: Mapping[str, str]) -> str:
    """``template`` with each ``{finding}`` replaced by its text."""
    try:
        return template.format_map(said)
    except KeyError as error:
        raise MissingFindingError(f"no finding {error.args[0]!r} for {template!r}") from None
