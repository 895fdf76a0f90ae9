"""The model figures: what each maps and carries, and that each draws without a warning.

The tables are made by the real evaluation functions from a small synthetic prediction set, so
the figures are tested on exactly the shapes the workflow gives them.
"""

import math
import re
from itertools import combinations

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
import pytest
from plotnine import (
    facet_grid,
    facet_wrap,
    geom_label,
    geom_text,
    scale_x_log10,
    scale_y_log10,
)

from tidymnist.core.digits import DIGIT_NAMES, FASHION_NAMES, LABELS, N_CLASSES, SIDE
from tidymnist.core.naming import ALL_VARIANTS, display_name
from tidymnist.evaluate import tables as evaluate
from tidymnist.figures.models import (
    coefficient_maps,
    confusion_best,
    confusion_matrices,
    errors_by_typicality,
    misclassifications_by_label,
    mistakes_gallery,
    model_comparison,
    pair_confusions_plot,
    per_class_f1,
)
from tidymnist.figures.panels import figure_size
from tidymnist.findings import figure_findings
from tidymnist.tables.distances import SCHEMA as DISTANCES_SCHEMA
from tidymnist.tables.pairwise import SEPARABILITY_SCHEMA
from tidymnist.tables.pixels import pixel_table

N_TEST = 400
# Each model's chance of a wrong answer; the last has no probabilities (as an SVM without them).
ERROR_RATES = {"nearest_centroid": 0.3, "knn": 0.1, "logistic_regression": 0.15, "svm": 0.05}
FIT_SECONDS = {"nearest_centroid": 0.2, "knn": 1.5, "logistic_regression": 40.0, "svm": 300.0}


def draws(plot) -> None:
    """Draw the whole figure (warnings are errors under pytest's configuration)."""
    figure = plot.draw()
    plt.close(figure)


def text_data(plot) -> pl.DataFrame:
    """The data of all the plot's text layers (the label placement splits them by alignment)."""
    return pl.concat(
        [layer.geom.data for layer in plot.layers if isinstance(layer.geom, geom_text)]
    )


def found(figure: str, class_names=DIGIT_NAMES, **tables) -> pl.DataFrame:
    """The findings of ``figure`` from ``tables``, as the workflow computes them."""
    return figure_findings(figure, tables, class_names)


def layer(plot, geom):
    (found,) = [layer for layer in plot.layers if isinstance(layer.geom, geom)]
    return found


@pytest.fixture(scope="module")
def labels() -> np.ndarray:
    return np.resize(np.arange(N_CLASSES, dtype=np.uint8), N_TEST)


@pytest.fixture(scope="module")
def predictions(labels) -> pl.DataFrame:
    """Every model's answers: mostly right, wrong ones mostly the 'look-alike' label + 1 or 4."""
    rng = np.random.default_rng(0)
    frames = []
    for model, rate in ERROR_RATES.items():
        wrong = rng.random(N_TEST) < rate
        shift = rng.choice([1, 4, 5], size=N_TEST, p=[0.6, 0.3, 0.1])
        predicted = np.where(wrong, (labels + shift) % N_CLASSES, labels).astype(np.uint8)
        probabilities = None
        if model != "svm":
            probabilities = rng.random((N_TEST, N_CLASSES))
            probabilities[np.arange(N_TEST), predicted] += rng.uniform(0, 20, N_TEST)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
        frames.append(
            evaluate.predictions_table(model, np.arange(N_TEST), labels, predicted, probabilities)
        )
    return pl.concat(frames)


@pytest.fixture(scope="module")
def confusion(predictions) -> pl.DataFrame:
    return evaluate.confusion_table(predictions)


@pytest.fixture(scope="module")
def metrics(predictions) -> pl.DataFrame:
    costs = pl.DataFrame(
        {
            "model": list(FIT_SECONDS),
            "fit_seconds": list(FIT_SECONDS.values()),
            "predict_seconds": [0.1] * len(FIT_SECONDS),
            "n_parameters": [7_850] * len(FIT_SECONDS),
        },
        schema=evaluate.COSTS_SCHEMA,
    )
    return evaluate.metrics_table(predictions, costs)


@pytest.fixture(scope="module")
def errors(predictions, labels) -> pl.DataFrame:
    """Error rates by decile of distance; the wrong answers are given the larger distances."""
    wrong = (
        predictions.group_by("instance")
        .agg(wrong=(pl.col("label") != pl.col("predicted")).sum())
        .sort("instance")["wrong"]
        .to_numpy()
    )
    distance = 40 + 10 * wrong + np.random.default_rng(1).random(N_TEST) * 15
    distances = pl.DataFrame(
        {
            "split": ["test"] * N_TEST,
            "instance": np.arange(N_TEST),
            "label": labels,
            "distance": distance,
            "rank": np.ones(N_TEST),
        },
        schema=DISTANCES_SCHEMA,
    )
    return evaluate.errors_by_typicality(predictions, distances)


@pytest.fixture(scope="module")
def separability() -> pl.DataFrame:
    pairs = list(combinations(LABELS, 2))
    # The look-alike pairs (labels 1 or 4 apart, as the predictions above confuse them) are
    # given the closest centroids.
    rms = [20 + 5 * min((b - a) % 5, 4) + a * 0.1 for a, b in pairs]
    order = np.argsort(np.argsort(rms, kind="stable")) + 1
    return pl.DataFrame(
        {
            "label_a": [a for a, _ in pairs],
            "label_b": [b for _, b in pairs],
            "rms_difference": rms,
            "max_abs_difference": [100.0] * len(pairs),
            "correlation": [0.5] * len(pairs),
            "rank": order,
        },
        schema=SEPARABILITY_SCHEMA,
    ).sort("rank")


@pytest.fixture(scope="module")
def pairs(confusion, separability) -> pl.DataFrame:
    return evaluate.pair_confusions(confusion, separability)


@pytest.fixture(scope="module")
def mistake_pixels(predictions, labels) -> pl.DataFrame:
    """The pixel rows of each model's 5 surest mistakes, as the workflow joins them."""
    images = np.random.default_rng(2).integers(0, 256, (N_TEST, SIDE, SIDE), dtype=np.uint8)
    mistakes = evaluate.most_confident_mistakes(predictions, 5)
    return pixel_table(images, labels, "test").join(
        mistakes.select("model", "instance", "rank", "predicted", "probability"), on="instance"
    )


def test_model_comparison_puts_each_model_once_at_its_accuracy_and_fit_time(metrics):
    plot = model_comparison(metrics, found("model_comparison", metrics=metrics))
    assert plot.mapping["x"] == "fit_seconds"
    assert plot.mapping["y"] == "percent"
    assert isinstance(plot.scales.get_scales("x"), scale_x_log10)
    points = plot.data.sort("accuracy")
    assert points.height == len(ERROR_RATES)
    assert points["percent"].to_list() == pytest.approx(
        metrics.sort("accuracy")["accuracy"].to_numpy() * 100
    )
    names = text_data(plot)["text"]
    assert sorted(text.rsplit(" ", 1)[0] for text in names) == sorted(
        ["k-NN", "Logistic regression", "Nearest centroid", "SVM"]
    )
    best = metrics.sort("accuracy", descending=True).row(0, named=True)
    assert f"{display_name(best['model'])} is the most accurate" in plot.labels.subtitle
    assert f"({best['accuracy']:.2%})" in plot.labels.subtitle
    assert "Nearest centroid is the fastest to fit (0.2 s)" in plot.labels.subtitle
    draws(plot)


def test_model_comparison_keeps_labels_of_crowded_points_apart():
    """Three models at almost the same place: their label boxes must not overlap."""
    crowded = pl.DataFrame(
        {
            "model": ["nearest_centroid", "knn", "logistic_regression", "svm"],
            "base_model": ["nearest_centroid", "knn", "logistic_regression", "svm"],
            "variant": "as_is",
            "accuracy": [0.95, 0.951, 0.949, 0.80],
            "macro_f1": [0.9] * 4,
            "log_loss": [0.2] * 4,
            "fit_seconds": [10.0, 10.5, 11.0, 0.5],
            "predict_seconds": [1.0] * 4,
            "n_parameters": [100] * 4,
        },
        schema=evaluate.METRICS_SCHEMA,
    )
    plot = model_comparison(crowded, found("model_comparison", metrics=crowded))
    boxes = text_data(plot).select(pl.col("left", "right").log10(), "bottom", "top")
    assert boxes.height == 4
    for (l1, r1, b1, t1), (l2, r2, b2, t2) in combinations(boxes.iter_rows(), 2):
        assert r1 <= l2 or r2 <= l1 or t1 <= b2 or t2 <= b1
    draws(plot)


def test_model_comparison_of_one_model_draws(metrics):
    one = metrics.head(1)
    plot = model_comparison(one, found("model_comparison", metrics=one))
    assert "is both the most accurate" in plot.labels.subtitle
    draws(plot)


def test_per_class_f1_maps_class_and_f1_per_model_and_names_the_hardest_label(predictions):
    table = evaluate.per_class_table(predictions)
    plot = per_class_f1(table, found("per_class_f1", FASHION_NAMES, per_class=table), FASHION_NAMES)
    assert (plot.mapping["x"], plot.mapping["y"], plot.mapping["color"]) == (
        "class",
        "f1",
        "family",
    )
    assert plot.mapping["group"] == "model"  # a line per model, coloured by its family
    assert plot.data.height == len(ERROR_RATES) * N_CLASSES
    assert plot.data["class"].dtype == pl.Enum(list(FASHION_NAMES))
    hardest = table.group_by("label").agg(pl.col("f1").mean()).sort("f1")["label"][0]
    assert f"the hardest label is {FASHION_NAMES[hardest]} " in plot.labels.subtitle
    draws(plot)


def test_confusion_matrices_fill_is_the_share_of_each_true_label(confusion):
    plot = confusion_matrices(confusion, DIGIT_NAMES)
    assert isinstance(plot.facet, facet_wrap)
    assert plot.facet.vars == ["strip"]
    assert (plot.mapping["x"], plot.mapping["y"], plot.mapping["fill"]) == (
        "predicted_class",
        "class",
        "share",
    )
    rows = plot.data.group_by("model", "label").agg(pl.col("share").sum())
    assert rows.height == len(ERROR_RATES) * N_CLASSES
    assert rows["share"].to_list() == pytest.approx([1.0] * rows.height)
    # true label 0 at the top: the discrete y scale lists the labels bottom-up
    assert plot.scales.get_scales("y").limits == list(reversed(DIGIT_NAMES))
    # the strips say each model's accuracy, computed from the counts
    knn = confusion.filter(pl.col("model") == "knn")
    right = knn.filter(pl.col("label") == pl.col("predicted"))["n"].sum() / knn["n"].sum()
    assert f"k-NN\n{round(right * 100, 1)}% correct" in plot.data["strip"].cast(str).to_list()
    # small matrices without numbers, four to a row: one row for the four models
    assert not [layer for layer in plot.layers if isinstance(layer.geom, geom_text)]
    assert plot.facet._ncol == 4
    assert plot.theme.getp("figure_size") == figure_size(4, 1, panel=(2.1, 2.45), extra=(1.9, 1.5))
    # the colour scale is capped above every error, and the subtitle says where
    cap = float(re.search(r"capped at (\d+)%", plot.labels.subtitle).group(1)) / 100
    errors = plot.data.filter(pl.col("label") != pl.col("predicted"))
    assert errors["share"].max() <= cap < plot.data.filter(~pl.col("error"))["share"].min()
    assert plot.scales.get_scales("fill").limits[1] == pytest.approx(cap**0.5)
    draws(plot)


def test_confusion_best_shows_the_most_accurate_model_with_every_count(confusion):
    said = found("confusion_best", confusion=confusion)
    plot = confusion_best(confusion, said, DIGIT_NAMES)
    # the fixture's SVM makes the fewest mistakes
    assert set(plot.data["model"]) == {"svm"}
    assert plot.labels.title == "What the best model, SVM, answers for each label"
    counts = layer(plot, geom_text).geom.data
    svm = confusion.filter(pl.col("model") == "svm", pl.col("n") > 0)
    assert counts.height == svm.height
    assert counts["n"].sum() == N_TEST
    right = svm.filter(pl.col("label") == pl.col("predicted"))["n"].sum() / N_TEST
    assert said.filter(pl.col("finding") == "best_accuracy")["value"][0] == pytest.approx(right)
    worst = svm.filter(pl.col("label") != pl.col("predicted")).sort(
        ["n", "label", "predicted"], descending=[True, False, False]
    )
    mistake = said.filter(pl.col("finding") == "best_worst_mistake").row(0, named=True)
    assert mistake["value"] == worst["n"][0]
    assert mistake["text"].startswith(f"a {worst['label'][0]} read as {worst['predicted'][0]} (")
    draws(plot)


def test_mistakes_gallery_shows_each_mistake_with_its_caption(mistake_pixels):
    plot = mistakes_gallery(
        mistake_pixels, found("mistakes_gallery", mistake_pixels=mistake_pixels), DIGIT_NAMES
    )
    assert isinstance(plot.facet, facet_grid)
    assert (plot.facet.rows, plot.facet.cols) == (["model"], ["rank"])
    assert (plot.mapping["x"], plot.mapping["y"], plot.mapping["fill"]) == ("x", "y", "value")
    # the model without probabilities has no confident mistakes
    assert set(plot.data["model"].cast(str)) == {"k-NN", "logistic", "centroid"}
    captions = layer(plot, geom_label).geom.data
    assert captions.height == 3 * 5
    # sized from its 5 columns of mistakes and 3 rows of models
    size = figure_size(5, 3, panel=(0.78, 0.8), extra=(1.25, 1.35))
    assert plot.theme.getp("figure_size") == size
    first = mistake_pixels.filter(pl.col("model") == "knn", pl.col("rank") == 1).row(0, named=True)
    expected = f"{first['label']}→{first['predicted']} {round(first['probability'] * 100)}%"
    assert expected in captions["text"].to_list()
    draws(plot)


def test_mistakes_gallery_splits_long_class_names_over_two_lines(mistake_pixels):
    said = found("mistakes_gallery", FASHION_NAMES, mistake_pixels=mistake_pixels)
    plot = mistakes_gallery(mistake_pixels, said, FASHION_NAMES)
    captions = layer(plot, geom_label).geom.data
    assert captions.height == 2 * 3 * 5  # a line above and a line below each image
    first = mistake_pixels.filter(pl.col("model") == "knn", pl.col("rank") == 1).row(0, named=True)
    assert f"{FASHION_NAMES[first['label']]} →" in captions["text"].to_list()
    draws(plot)


def test_misclassifications_count_every_wrong_answer_and_name_the_most_missed(confusion):
    plot = misclassifications_by_label(
        confusion, found("misclassifications_by_label", confusion=confusion), DIGIT_NAMES
    )
    assert (plot.mapping["x"], plot.mapping["y"], plot.mapping["fill"]) == (
        "class",
        "model",
        "wrong",
    )
    # a row per model, the first at the top, each cell its count
    assert plot.scales.get_scales("y").limits == [
        display_name(m) for m in reversed(list(ERROR_RATES))
    ]
    assert layer(plot, geom_text).mapping["label"] == "wrong"
    wrong = confusion.filter(pl.col("label") != pl.col("predicted"))
    assert plot.data["wrong"].sum() == wrong["n"].sum()
    assert plot.data.height == len(ERROR_RATES) * N_CLASSES
    worst = wrong.group_by("label").agg(pl.col("n").sum()).sort("n", descending=True).row(0)
    assert f"{worst[0]} is missed most often ({worst[1]:,} times)" in plot.labels.subtitle
    draws(plot)


def test_coefficient_maps_are_tiles_per_label_on_a_symmetric_scale():
    rng = np.random.default_rng(3)
    pixel = np.tile(np.arange(SIDE * SIDE), N_CLASSES)
    coefficients = pl.DataFrame(
        {
            "label": np.repeat(np.arange(N_CLASSES), SIDE * SIDE),
            "pixel": pixel,
            "x": pixel % SIDE,
            "y": pixel // SIDE,
            "coefficient": rng.normal(0, 0.3, pixel.size),
        },
        schema={
            "label": pl.UInt8,
            "pixel": pl.UInt16,
            "x": pl.UInt8,
            "y": pl.UInt8,
            "coefficient": pl.Float64,
        },
    )
    plot = coefficient_maps(coefficients, DIGIT_NAMES)
    assert isinstance(plot.facet, facet_wrap)
    assert plot.facet.vars == ["class"]
    assert plot.facet._nrow == 2
    assert plot.mapping["fill"] == "coefficient"
    assert plot.data["y"].dtype == pl.Int16  # signed, so the reversed y axis cannot wrap
    low, high = plot.scales.get_scales("fill").limits
    assert -low == high == pytest.approx(coefficients["coefficient"].abs().max())
    draws(plot)


def test_errors_by_typicality_plots_each_models_rate_per_decile(errors):
    plot = errors_by_typicality(errors, found("errors_by_typicality", errors_by_typicality=errors))
    assert (plot.mapping["x"], plot.mapping["y"], plot.mapping["color"]) == (
        "decile",
        "percent",
        "family",
    )
    assert plot.data.height == len(ERROR_RATES) * 10
    assert plot.data["percent"].to_list() == pytest.approx(
        (plot.data["error_rate"] * 100).to_list()
    )
    mean = errors.group_by("decile").agg(pl.col("error_rate").mean()).sort("decile")
    first, last = mean["error_rate"][0], mean["error_rate"][-1]
    assert last > first  # the fixture gave the wrong answers the larger distances
    assert f"the least typical\ntenth is misclassified {last:.1%}" in plot.labels.subtitle
    assert f"{(last - first) * 100:.1f} percentage points more" in plot.labels.subtitle
    assert plot.labels.title.startswith("Untypical digits")
    draws(plot)


def test_pair_confusions_sum_over_models_and_quote_the_correlations(confusion, pairs):
    correlation = evaluate.pair_correlation(pairs)
    said = found("pair_confusions", pair_correlation=correlation)
    plot = pair_confusions_plot(pairs, said, DIGIT_NAMES)
    assert (plot.mapping["x"], plot.mapping["y"]) == ("rms_difference", "plotted")
    assert isinstance(plot.scales.get_scales("y"), scale_y_log10)
    assert plot.data.height == 45
    wrong = confusion.filter(pl.col("label") != pl.col("predicted"))["n"].sum()
    assert plot.data["confusions"].sum() == wrong
    assert (plot.data["plotted"] == plot.data["confusions"] + 1).all()
    assert "4/9" in plot.data["text"].to_list()
    shown = text_data(plot)["text"]
    assert shown.n_unique() == shown.len() > 20  # most pairs named, none twice
    low = correlation.sort("spearman_rho").row(0, named=True)
    assert f"{low['spearman_rho']:.2f} ({display_name(low['model'])})" in plot.labels.subtitle
    assert correlation["spearman_rho"].max() < 0  # look-alike pairs were made the confused ones
    assert "negative" in plot.labels.subtitle
    draws(plot)


def test_pair_confusions_with_long_names_leave_out_labels_that_would_overlap(pairs):
    said = found(
        "pair_confusions", FASHION_NAMES, pair_correlation=evaluate.pair_correlation(pairs)
    )
    plot = pair_confusions_plot(pairs, said, FASHION_NAMES)
    assert "T-shirt/top / Trouser" in plot.data["text"].to_list()
    labels = text_data(plot)
    boxes = labels.select("left", "right", pl.col("bottom", "top").log10())
    # boxes are in the scale's units; with ~7 x 5 inch panels any overlap would be visible
    for (l1, r1, b1, t1), (l2, r2, b2, t2) in combinations(boxes.iter_rows(), 2):
        assert r1 <= l2 or r2 <= l1 or t1 <= b2 or t2 <= b1
    assert 20 < labels.height < 45  # long names do not all fit, but most do
    assert plot.labels.caption.startswith(f"{45 - labels.height} of the 45 pairs are not named")
    draws(plot)


def _every_model_predictions(names) -> pl.DataFrame:
    rng = np.random.default_rng(1)
    labels = np.resize(np.arange(N_CLASSES, dtype=np.uint8), N_TEST)
    frames = []
    for i, model in enumerate(names):
        wrong = rng.random(N_TEST) < 0.02 + 0.02 * i
        predicted = np.where(wrong, (labels + 1) % N_CLASSES, labels).astype(np.uint8)
        frames.append(evaluate.predictions_table(model, np.arange(N_TEST), labels, predicted, None))
    return pl.concat(frames)


@pytest.mark.parametrize("n_models", [1, 12])
def test_model_figures_size_themselves_from_the_number_of_models(n_models):
    """With one model or all twelve variants, the figures take the panels and rows they need,
    and draw without a warning."""
    names = [variant.name for variant in ALL_VARIANTS][:n_models]
    predictions = _every_model_predictions(names)
    per_class = evaluate.per_class_table(predictions)
    confusion = evaluate.confusion_table(predictions)
    f1 = per_class_f1(per_class, found("per_class_f1", per_class=per_class), DIGIT_NAMES)
    matrices = confusion_matrices(confusion, DIGIT_NAMES)
    wrong = misclassifications_by_label(
        confusion, found("misclassifications_by_label", confusion=confusion), DIGIT_NAMES
    )
    families = len({variant.base for variant in ALL_VARIANTS[:n_models]})
    columns, rows = (1, 1) if n_models == 1 else (3, math.ceil(families / 3))
    assert f1.facet._ncol == columns
    assert f1.theme.getp("figure_size") == figure_size(
        columns, rows, panel=(3.1, 2.2), extra=(1.6, 1.9)
    )
    columns, rows = (1, 1) if n_models == 1 else (4, 3)
    assert matrices.theme.getp("figure_size") == figure_size(
        columns, rows, panel=(2.1, 2.45), extra=(1.9, 1.5)
    )
    _, height = wrong.theme.getp("figure_size")
    assert height == pytest.approx(1.45 + 0.34 * n_models)
    for plot in (f1, matrices, wrong):
        draws(plot)
