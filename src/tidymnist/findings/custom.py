"""Findings of the figures of custom digits, one function per figure (named after it)."""

from collections.abc import Sequence

import polars as pl

from tidymnist.findings.table import Finding
from tidymnist.findings.words import model, percent


def custom_gallery(
    custom_predictions: pl.DataFrame, custom_accuracy: pl.DataFrame, class_names: Sequence[str]
) -> list[Finding]:
    """How many custom digits there are and, with labels, how the best and worst model read
    them."""
    n = custom_predictions["file"].n_unique()
    rows = [Finding("custom_digits", f"{n:,}", n)]
    if custom_accuracy.height == 0:
        return [*rows, Finding("custom_scores", "Give a labels file to score the models on them.")]
    ranked = custom_accuracy.with_row_index("order").sort(
        ["accuracy", "order"], descending=[True, False]
    )
    best, worst = ranked.row(0, named=True), ranked.row(-1, named=True)
    scores = (
        f"With labels, {model(best['model'])} reads {best['correct']} of {best['n']} right "
        f"({percent(best['accuracy'], 0)}), {model(worst['model'])} {worst['correct']} "
        f"({percent(worst['accuracy'], 0)})."
    )
    return [
        *rows,
        Finding("custom_best_model", model(best["model"])),
        Finding("custom_best_accuracy", percent(best["accuracy"], 0), best["accuracy"]),
        Finding("custom_scores", scores),
    ]
