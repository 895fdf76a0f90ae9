"""Findings of the label-issue gallery: how many candidates each split has, and what setting
the test split's aside does to each model's test accuracy."""

from collections.abc import Sequence

import polars as pl

from tidymnist.findings.table import Finding
from tidymnist.findings.words import count, model


def _points(change: float) -> str:
    """A change of accuracy in percentage points: '+0.12'."""
    return f"{change * 100:+.2f}"


def label_issues_gallery(
    label_issues: pl.DataFrame, label_sensitivity: pl.DataFrame, class_names: Sequence[str]
) -> list[Finding]:
    """The candidates per split, how many of the test split's were set aside, and the smallest
    and largest change of a model's test accuracy without them (and which models)."""
    flagged = dict(label_issues.group_by("split").len().iter_rows())
    train, test = flagged.get("train", 0), flagged.get("test", 0)
    aside = int(label_sensitivity["set_aside"].max() or 0)
    ranked = label_sensitivity.sort(["change", "model"], descending=[True, False])
    top, low = ranked.row(0, named=True), ranked.row(-1, named=True)
    changes = (
        f"{_points(low['change'])} ({model(low['model'])}) to {_points(top['change'])} "
        f"({model(top['model'])}) points"
        if _points(low["change"]) != _points(top["change"])
        else f"{_points(top['change'])} points for every model"
    )
    judge = model(label_issues["model"][0]) if label_issues.height else "the model"
    return [
        Finding("detector", judge),
        Finding("train_candidates", f"{train:,}", train),
        Finding("test_candidates", f"{test:,}", test),
        Finding("candidates", count(train + test, "label")),
        Finding("set_aside", count(aside, "test image"), aside),
        Finding("largest_change", _points(top["change"]), top["change"] * 100),
        Finding("largest_change_model", model(top["model"])),
        Finding("smallest_change", _points(low["change"]), low["change"] * 100),
        Finding("accuracy_changes", changes if aside else "nothing: no test image was flagged"),
    ]
