"""Findings of the model figures, one function per figure (named after it)."""

from collections.abc import Sequence

import polars as pl

from tidymnist.core.naming import Variant, variant_of
from tidymnist.findings.table import Finding
from tidymnist.findings.words import model, pair, percent, rate

SURE = 0.99  # a mistake given with at least this probability is one the model was sure of
# Spearman's rho at or below this is a clear (negative) correlation of look-alike and confusion.
CLEAR = -0.4


def model_comparison(metrics: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The most and least accurate models and the fastest to fit."""
    ranked = metrics.sort(["accuracy", "model"], descending=[True, False])
    best, worst = ranked.row(0, named=True), ranked.row(-1, named=True)
    fastest = metrics.sort("fit_seconds", "model").row(0, named=True)
    return [
        Finding("most_accurate_model", model(best["model"])),
        Finding("most_accurate_accuracy", percent(best["accuracy"], 2), best["accuracy"]),
        Finding("least_accurate_model", model(worst["model"])),
        Finding("least_accurate_accuracy", percent(worst["accuracy"], 2), worst["accuracy"]),
        Finding("fastest_model", model(fastest["model"])),
        Finding("fastest_fit_seconds", f"{fastest['fit_seconds']:.2g} s", fastest["fit_seconds"]),
    ]


def per_class_f1(per_class: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The hardest and easiest labels by F1 averaged over the models."""
    means = per_class.group_by("label").agg(pl.col("f1").mean()).sort("f1", "label")
    hardest, easiest = means.row(0, named=True), means.row(-1, named=True)
    return [
        Finding("hardest_label", class_names[hardest["label"]], hardest["label"]),
        Finding("hardest_f1", f"{hardest['f1']:.3f}", hardest["f1"]),
        Finding("easiest_label", class_names[easiest["label"]], easiest["label"]),
        Finding("easiest_f1", f"{easiest['f1']:.3f}", easiest["f1"]),
    ]


def best_model(confusion: pl.DataFrame) -> str:
    """The model with the most test images right (ties: the first by name), as
    :func:`model_comparison` ranks the metrics: the one the large confusion matrix shows."""
    right = confusion.group_by("model").agg(
        right=pl.col("n").filter(pl.col("label") == pl.col("predicted")).sum()
    )
    return right.sort(["right", "model"], descending=[True, False])["model"][0]


def confusion_best(confusion: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The best model, its share right and the mistake it makes most often."""
    best = best_model(confusion)
    own = confusion.filter(pl.col("model") == best)
    share = own.filter(pl.col("label") == pl.col("predicted"))["n"].sum() / own["n"].sum()
    mistakes = own.filter(pl.col("label") != pl.col("predicted"), pl.col("n") > 0).sort(
        ["n", "label", "predicted"], descending=[True, False, False]
    )
    found = [Finding("best_model", model(best)), Finding("best_accuracy", percent(share, 2), share)]
    if mistakes.height == 0:
        return [*found, Finding("best_worst_mistake", "none: it made no mistake")]
    worst = mistakes.row(0, named=True)
    said = (
        f"a {class_names[worst['label']]} read as {class_names[worst['predicted']]} "
        f"({worst['n']:,} {'time' if worst['n'] == 1 else 'times'})"
    )
    return [*found, Finding("best_worst_mistake", said, worst["n"])]


def confusion_matrices(pair_confusions: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The pair of labels confused most often, both ways and summed over the models."""
    pairs = pair_confusions.group_by("label_a", "label_b").agg(pl.col("confusions").sum())
    top = pairs.sort(["confusions", "label_a", "label_b"], descending=[True, False, False]).row(
        0, named=True
    )
    return [
        Finding("most_confused_pair", pair(class_names, top["label_a"], top["label_b"])),
        Finding("most_confused_count", f"{top['confusions']:,}", top["confusions"]),
    ]


def mistakes_gallery(mistake_pixels: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """How many of the mistakes shown the models gave with at least 99% probability."""
    shown = mistake_pixels.select("model", "rank", "probability").unique(["model", "rank"])
    sure = shown.filter(pl.col("probability") >= SURE).height
    return [
        Finding("mistakes_shown", f"{shown.height:,}", shown.height),
        Finding("mistakes_sure", f"{sure:,}", sure),
    ]


def misclassifications_by_label(
    confusion: pl.DataFrame, class_names: Sequence[str]
) -> list[Finding]:
    """The label missed most often over all the models, and what it is taken for most."""
    errors = confusion.filter(pl.col("label") != pl.col("predicted"))
    missed = (
        errors.group_by("label")
        .agg(pl.col("n").sum())
        .sort(["n", "label"], descending=[True, False])
        .row(0, named=True)
    )
    taken = (
        errors.filter(pl.col("label") == missed["label"])
        .group_by("predicted")
        .agg(pl.col("n").sum())
        .sort(["n", "predicted"], descending=[True, False])
        .row(0, named=True)
    )
    return [
        Finding("most_missed_label", class_names[missed["label"]], missed["label"]),
        Finding("most_missed_count", f"{missed['n']:,}", missed["n"]),
        Finding("taken_for_label", class_names[taken["predicted"]], taken["predicted"]),
        Finding("taken_for_count", f"{taken['n']:,}", taken["n"]),
    ]


def errors_by_typicality(
    errors_by_typicality: pl.DataFrame, class_names: Sequence[str]
) -> list[Finding]:
    """The error rate of the most and of the least typical bin, averaged over the models."""
    bins = errors_by_typicality.group_by("decile").agg(pl.col("error_rate").mean()).sort("decile")
    first, last = bins["error_rate"][0], bins["error_rate"][-1]
    rows = [
        Finding("typical_error_rate", rate(first), first),
        Finding("untypical_error_rate", rate(last), last),
        Finding("error_rate_gap", f"{(last - first) * 100:.1f}", (last - first) * 100),
    ]
    if first >= 0.005:  # a ratio to a rate near zero says nothing
        rows.append(Finding("error_rate_ratio", f"{last / first:.0f}", last / first))
    return rows


def pair_confusions(pair_correlation: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """Spearman's rho between a pair's confusions and its centroids' distance: the lowest and
    highest over the models, and what they say."""
    # a model without one (null) or with no spread to rank (NaN) says nothing
    rhos = (
        pair_correlation.drop_nulls("spearman_rho")
        .filter(pl.col("spearman_rho").is_not_nan())
        .sort("spearman_rho", "model")
    )
    if rhos.height == 0:
        return [
            Finding("rho_spread", "not measured"),
            Finding("rho_verdict", "no model made enough mistakes to measure a correlation"),
        ]
    low, high = rhos.row(0, named=True), rhos.row(-1, named=True)
    said = [
        f"{row['spearman_rho']:.2f} ({model(row['model'])})"
        for row in ((low,) if rhos.height == 1 else (low, high))
    ]
    weakest = high["spearman_rho"]
    verdict = (
        "clearly negative: the pairs whose average images look alike are confused most"
        if weakest <= CLEAR
        else "negative but weak: pairs that look alike are confused a little more"
        if weakest < 0
        else "not negative for every model: looking alike does not explain the confusions"
    )
    return [
        Finding("rho_lowest", f"{low['spearman_rho']:.2f}", low["spearman_rho"]),
        Finding("rho_highest", f"{high['spearman_rho']:.2f}", weakest),
        Finding("rho_spread", " to ".join(said)),
        Finding("rho_verdict", verdict),
    ]


def deskew_gain(metrics: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """What deskewing changes in each model's test accuracy: the largest and smallest change."""
    accuracy = dict(metrics.select("model", "accuracy").iter_rows())
    gains = []
    for name, deskewed in accuracy.items():
        variant = variant_of(name)
        if variant.variant is Variant.DESKEWED and variant.base in accuracy:
            gains.append((deskewed - accuracy[variant.base], variant.base, name))
    if not gains:
        return []
    gains.sort(key=lambda gain: (-gain[0], gain[1]))
    (top, top_base, top_name), (low, low_base, _) = gains[0], gains[-1]
    return [
        Finding("deskew_top_model", model(top_base)),
        Finding("deskew_top_gain", f"{top * 100:+.2f}", top * 100),
        Finding("deskew_top_as_is", percent(accuracy[top_base], 2), accuracy[top_base]),
        Finding("deskew_top_deskewed", percent(accuracy[top_name], 2), accuracy[top_name]),
        Finding("deskew_low_model", model(low_base)),
        Finding("deskew_low_gain", f"{low * 100:+.2f}", low * 100),
    ]


def sweep_accuracy(sweep: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """Per model and setting swept (the subject, as the figure's panel names it): the best value
    and its validation accuracy, and the configured value's; and all of it in one sentence."""
    rows, said = [], []
    ranked = sweep.sort(["accuracy", "position"], descending=[True, False])
    best = ranked.group_by("model", "parameter", maintain_order=True).first()
    configured = sweep.filter(pl.col("configured")).select(
        "model", "parameter", configured_value="value", configured_accuracy="accuracy"
    )
    panels = best.join(configured, on=["model", "parameter"], how="left").sort("model", "parameter")
    for row in panels.iter_rows(named=True):
        panel = f"{model(row['model'])}: {row['parameter']}"
        rows += [
            Finding("sweep_best_value", row["value"], subject=panel),
            Finding("sweep_best_accuracy", percent(row["accuracy"], 2), row["accuracy"], panel),
        ]
        if row["configured_value"] is not None:
            rows += [
                Finding("sweep_configured_value", row["configured_value"], subject=panel),
                Finding(
                    "sweep_configured_accuracy",
                    percent(row["configured_accuracy"], 2),
                    row["configured_accuracy"],
                    panel,
                ),
            ]
        said.append(
            f"{model(row['model'])} {row['parameter']} = {row['value']} "
            f"({percent(row['accuracy'], 2)})"
        )
    return [*rows, Finding("sweep_best", "; ".join(said))]
