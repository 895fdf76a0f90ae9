"""Findings of the exploration figures, one function per figure (named after it)."""

from collections.abc import Sequence

import polars as pl

from tidymnist.findings.table import Finding
from tidymnist.findings.words import pair, percent

FULL_INK = 250  # pixel values from here to 255 count as full ink


def sample_digits(label_summary: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """How many training images there are."""
    n = int(label_summary["n"].sum())
    return [Finding("n_train", f"{n:,}", n)]


def pixel_histogram(value_counts: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The share of blank (0) and of full-ink (250-255) training pixels."""
    total = value_counts["n"].sum()
    blank = value_counts.filter(pl.col("value") == 0)["n"].sum() / total
    full = value_counts.filter(pl.col("value") >= FULL_INK)["n"].sum() / total
    return [
        Finding("blank_share", percent(blank), blank),
        Finding("full_ink_share", percent(full), full),
    ]


def distance_boxplots(label_summary: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The label written most alike and the one that varies most, by the median distance to
    the centroid: the line across each box the figure draws."""
    ranked = label_summary.sort("median_distance", "label")
    tight, loose = ranked.row(0, named=True), ranked.row(-1, named=True)
    return [
        Finding("most_alike_label", class_names[tight["label"]], tight["label"]),
        Finding("most_alike_median", f"{tight['median_distance']:.1f}", tight["median_distance"]),
        Finding("most_varied_label", class_names[loose["label"]], loose["label"]),
        Finding("most_varied_median", f"{loose['median_distance']:.1f}", loose["median_distance"]),
    ]


def least_typical(label_summary: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The label of the image farthest from its centroid, and that distance."""
    worst = label_summary.sort("max_distance", "label").row(-1, named=True)
    return [
        Finding("farthest_label", class_names[worst["label"]], worst["label"]),
        Finding("farthest_distance", f"{worst['max_distance']:.1f}", worst["max_distance"]),
    ]


def pairwise_differences(
    pair_separability: pl.DataFrame, class_names: Sequence[str]
) -> list[Finding]:
    """The two least separable pairs of labels and the most distinct, with their differences."""
    pairs = pair_separability.sort("rank")
    rows = []
    for key, row in (
        ("least_separable", pairs.row(0, named=True)),
        ("second_least_separable", pairs.row(1, named=True)),
        ("most_distinct", pairs.row(-1, named=True)),
    ):
        rows += [
            Finding(f"{key}_pair", pair(class_names, row["label_a"], row["label_b"])),
            Finding(f"{key}_rms", f"{row['rms_difference']:.1f}", row["rms_difference"]),
        ]
    return rows
