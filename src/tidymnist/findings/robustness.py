"""Findings of the robustness figures, one function per figure (named after it), and the table
of where each model breaks that the report shows beside them."""

from collections.abc import Sequence

import polars as pl

from tidymnist.core.naming import sort_models
from tidymnist.evaluate.settings import TRANSFORMS
from tidymnist.findings.table import Finding
from tidymnist.findings.words import and_, model, percent

# A model "breaks" under a change once it reads fewer than half of the digits right (chance is
# a tenth): the point where its answers stop being mostly right.
BREAK = 0.5
# Preprocessing "rescues" a change when, at the change's largest amount, it raises the models'
# median accuracy by at least this much; it "harms" when it lowers it by as much.
RESCUE = 0.2


def _or(texts: Sequence[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return ", ".join(texts[:-1]) + f" or {texts[-1]}" if len(texts) > 1 else "".join(texts)


def _as_given(robustness: pl.DataFrame) -> pl.DataFrame:
    return robustness.filter(~pl.col("preprocessed"))


def break_points(robustness: pl.DataFrame) -> pl.DataFrame:
    """Per model and transformation (in the study's and the table's order), the smallest
    amount at which the model, reading the digits as they are, falls below :data:`BREAK`
    (null where it never does within the amounts tried): model, transform, amount."""
    below = (
        _as_given(robustness)
        .filter(pl.col("accuracy") < BREAK)
        .group_by("model", "transform")
        .agg(pl.col("amount").min())
    )
    models = pl.DataFrame({"model": sort_models(robustness["model"])})
    transforms = robustness.select("transform").unique().sort("transform")
    return (
        models.join(transforms, how="cross")
        .join(below, on=["model", "transform"], how="left")
        .with_columns(order=pl.col("model").cast(pl.Enum(models["model"].to_list())))
        .sort("order", "transform")
        .drop("order")
    )


def _ranked(frame: pl.DataFrame) -> pl.DataFrame:
    """Models by mean accuracy over the changed digits, best first (ties by name)."""
    return (
        frame.filter(pl.col("amount") > 0)
        .group_by("model")
        .agg(pl.col("accuracy").mean())
        .sort(["accuracy", "model"], descending=[True, False])
    )


def robustness_curves(robustness: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The model that holds up best over every change (mean accuracy over the changed digits,
    read as they are) and the worst; the best for each change (subject: the transformation);
    and where the last model breaks under each change."""
    given = _as_given(robustness)
    overall = _ranked(given)
    best, worst = overall.row(0, named=True), overall.row(-1, named=True)
    sample = int(given["n"].max())
    rows = [
        Finding("sample", f"{sample:,}", sample),
        Finding("most_robust_model", model(best["model"])),
        Finding("most_robust_accuracy", percent(best["accuracy"]), best["accuracy"]),
        Finding("least_robust_model", model(worst["model"])),
        Finding("least_robust_accuracy", percent(worst["accuracy"]), worst["accuracy"]),
    ]
    said, last = [], []
    breaks = break_points(robustness)
    for name in given["transform"].unique().sort().to_list():
        record = TRANSFORMS[name]
        top = _ranked(given.filter(pl.col("transform") == name)).row(0, named=True)
        rows.append(Finding("best_model", model(top["model"]), top["accuracy"], subject=name))
        said.append(f"{record.title.lower()}: {model(top['model'])}")
        amounts = breaks.filter(pl.col("transform") == name)["amount"]
        if amounts.null_count() == 0:  # every model breaks: where the last one does
            worst_case = amounts.max()
            rows.append(Finding("all_break_at", record.said(worst_case), worst_case, name))
            last.append(record.done(worst_case))
    rows.append(Finding("best_per_transform", "; ".join(said)))
    rows.append(
        Finding(
            "all_break",
            f"every model reads fewer than half of them right once they are {_or(last)}"
            if last
            else "no change tried goes far enough to break every model",
        )
    )
    return rows


def robustness_rescue(robustness: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """At each change's largest amount, the models' median accuracy as the digits are and
    after MNIST-style preprocessing (subject: the transformation); the changes preprocessing
    rescues and those it does not; and what it costs the unchanged digits."""
    medians = robustness.group_by("transform", "amount", "preprocessed").agg(
        pl.col("accuracy").median()
    )
    rows, rescued, not_rescued, harmed = [], [], [], []
    for name in medians["transform"].unique().sort().to_list():
        record = TRANSFORMS[name]
        own = medians.filter(pl.col("transform") == name)
        largest = own["amount"].max()
        at = own.filter(pl.col("amount") == largest)
        before = at.filter(~pl.col("preprocessed"))["accuracy"][0]
        after = at.filter(pl.col("preprocessed"))["accuracy"][0]
        rows += [
            Finding("largest_amount", record.said(largest), largest, name),
            Finding("median_as_given", percent(before, 0), before, name),
            Finding("median_preprocessed", percent(after, 0), after, name),
        ]
        change = f"{record.done(largest)} ({percent(before, 0)} to {percent(after, 0)})"
        if after - before >= RESCUE:
            rescued.append(change)
        elif before - after >= RESCUE:
            harmed.append(change)
        else:
            not_rescued.append(record.done(largest))
    zero = medians.filter(pl.col("amount") == 0)
    clean = (
        zero.filter(pl.col("preprocessed"))["accuracy"][0]
        - zero.filter(~pl.col("preprocessed"))["accuracy"][0]
    )
    parts = [f"it rescues digits {and_(rescued)}" if rescued else "it rescues none of them"]
    parts += [f"it cannot undo digits {_or(not_rescued)}"] if not_rescued else []
    parts += [f"it makes digits {and_(harmed)} worse"] if harmed else []
    return [
        *rows,
        Finding("rescued", and_(rescued) if rescued else "none of the changes"),
        Finding("not_rescued", _or(not_rescued) if not_rescued else "none of them"),
        Finding("rescue_summary", "; ".join(parts)),
        Finding("clean_change", f"{clean * 100:+.1f}", clean * 100),
    ]
