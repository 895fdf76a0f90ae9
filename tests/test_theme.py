"""The project's look for models: a model has its family's colour in every figure and on the
draw page, and a variant its own shape and line type, whichever models share the figure."""

import copy

import numpy as np
import polars as pl
import pytest

from tidymnist.core.digits import DIGIT_NAMES
from tidymnist.core.naming import FAMILY_COLOURS, Variant, variant_of
from tidymnist.evaluate import tables as evaluate
from tidymnist.figures.deskew import deskew_gain
from tidymnist.figures.models import (
    errors_by_typicality,
    model_comparison,
    per_class_f1,
)
from tidymnist.figures.panels import CONTEXT
from tidymnist.figures.theme import model_columns
from tidymnist.findings import figure_findings
from tidymnist.web.draw import model_colours

N = 400
# knn in both variants beside an svm: under the old scheme, the third model alphabetically
# (svm) took the colour knn_deskewed takes here, and colours moved with the models present
MODELS = ("knn", "knn_deskewed", "svm")


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 10, N).astype(np.uint8)
    predictions = []
    for i, model in enumerate(MODELS):
        wrong = rng.random(N) < 0.1 + 0.05 * i
        predicted = np.where(wrong, (labels + 1 + i) % 10, labels).astype(np.uint8)
        predictions.append(
            evaluate.predictions_table(
                model, np.arange(N, dtype=np.uint32), labels, predicted, None
            )
        )
    predictions = pl.concat(predictions)
    costs = pl.DataFrame(
        [[model, 1.0 + i, 0.1, 10] for i, model in enumerate(MODELS)],
        schema=evaluate.COSTS_SCHEMA,
        orient="row",
    )
    distances = pl.DataFrame(
        {"split": "test", "instance": np.arange(N), "label": labels, "distance": rng.random(N)},
        schema_overrides={"instance": pl.UInt32, "label": pl.UInt8},
    )
    return {
        "metrics": evaluate.metrics_table(predictions, costs),
        "per_class": evaluate.per_class_table(predictions),
        "confusion": evaluate.confusion_table(predictions),
        "errors_by_typicality": evaluate.errors_by_typicality(predictions, distances),
    }


def found(figure, **tables):
    return figure_findings(figure, tables, DIGIT_NAMES)


def drawn(plot) -> list:
    """Each layer's data as plotnine maps it (aesthetics resolved to colours, shapes ...)."""
    plot = copy.deepcopy(plot)
    plot._build()
    return [layer.data for layer in plot.layers]


def expected(aesthetic: str) -> set[tuple[str, str]]:
    """(colour, the variant's value of ``aesthetic``) for each model of the figures."""
    return {
        (FAMILY_COLOURS[variant_of(m).base], getattr(variant_of(m).variant, aesthetic))
        for m in MODELS
    }


def pairs(data, colour: str, other: str) -> set[tuple[str, str]]:
    return {(c.upper(), o) for c, o in zip(data[colour], data[other], strict=True)}


def test_the_lines_of_a_figure_go_by_family_colour_and_variant_line_type(tables):
    for plot in [
        per_class_f1(
            tables["per_class"], found("per_class_f1", per_class=tables["per_class"]), DIGIT_NAMES
        ),
        errors_by_typicality(
            tables["errors_by_typicality"],
            found("errors_by_typicality", errors_by_typicality=tables["errors_by_typicality"]),
        ),
    ]:
        context, line, points = drawn(plot)  # every model in grey behind each family's panel
        assert {c.lower() for c in context["color"]} == {CONTEXT}
        assert pairs(line, "color", "linetype") == {(c.upper(), t) for c, t in expected("linetype")}
        assert pairs(points, "color", "shape") == {(c.upper(), s) for c, s in expected("shape")}


def test_points_go_by_family_colour_and_variant_shape(tables):
    metrics = tables["metrics"]
    points = drawn(model_comparison(metrics, found("model_comparison", metrics=metrics)))[0]
    assert pairs(points, "color", "shape") == {(c.upper(), s) for c, s in expected("shape")}


def test_deskew_gain_marks_each_variant_by_its_shape_in_its_family_colour(tables):
    metrics = tables["metrics"]
    _, points, _ = drawn(deskew_gain(metrics, found("deskew_gain", metrics=metrics)))
    knn = FAMILY_COLOURS["knn"].upper()
    assert pairs(points, "color", "shape") == {
        (knn, Variant.AS_IS.shape),
        (knn, Variant.DESKEWED.shape),
    }


def test_the_draw_page_colours_a_model_as_the_figures_do():
    assert model_colours(["svm", "knn_deskewed"]) == {
        "svm": FAMILY_COLOURS["svm"],
        "knn_deskewed": FAMILY_COLOURS["knn"],
    }


def test_model_columns_list_only_the_models_present_in_the_study_order():
    frame = pl.DataFrame({"model": ["svm", "knn_deskewed", "knn"]})
    shown = model_columns(frame)
    assert shown["model"].dtype == pl.Enum(["k-NN", "k-NN (deskewed)", "SVM"])
    assert shown["family"].dtype == pl.Enum(["k-NN", "SVM"])  # a legend lists only these
    assert shown["variant"].to_list() == ["as is", "deskewed", "as is"]
