"""The evaluation tables against scikit-learn's own metrics, and their invariants."""

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import classification_report, confusion_matrix, f1_score, log_loss

from tidymnist.evaluate.tables import (
    CONFUSION_SCHEMA,
    COSTS_SCHEMA,
    METRICS_SCHEMA,
    PER_CLASS_SCHEMA,
    PREDICTIONS_SCHEMA,
    confusion_table,
    errors_by_typicality,
    metrics_table,
    mistake_keys,
    most_confident_mistakes,
    pair_confusions,
    pair_correlation,
    per_class_table,
    predictions_table,
)

RNG = np.random.default_rng(3)
N = 500
LABELS = RNG.integers(0, 10, N).astype(np.uint8)
PROBA = RNG.dirichlet(np.ones(10) * 0.3, N)
PROBA[np.arange(N), LABELS] += 0.8  # mostly right, sometimes wrong
PROBA /= PROBA.sum(axis=1, keepdims=True)
PREDICTED = PROBA.argmax(axis=1).astype(np.uint8)
INSTANCES = np.arange(N, dtype=np.uint32)


@pytest.fixture
def predictions():
    return pl.concat(
        [
            predictions_table("knn", INSTANCES, LABELS, PREDICTED, PROBA),
            predictions_table("svm_deskewed", INSTANCES, LABELS, LABELS.copy(), None),
        ]
    )


def test_predictions_carry_probabilities_of_prediction_and_truth(predictions):
    assert predictions.schema == PREDICTIONS_SCHEMA
    a = predictions.filter(pl.col("model") == "knn")
    assert a["probability"].to_numpy() == pytest.approx(PROBA.max(axis=1))
    assert a["probability_true"].to_numpy() == pytest.approx(PROBA[np.arange(N), LABELS])
    b = predictions.filter(pl.col("model") == "svm_deskewed")
    assert b["probability"].null_count() == N


def test_every_table_carries_the_base_model_and_variant_of_its_model(predictions):
    costs = pl.DataFrame(
        [["knn", 1.0, 0.1, 10], ["svm_deskewed", 2.0, 0.2, 20]], schema=COSTS_SCHEMA, orient="row"
    )
    confusion = confusion_table(predictions)
    for table in [
        predictions,
        confusion,
        per_class_table(predictions),
        metrics_table(predictions, costs),
        pair_correlation(confusion.rename({"n": "confusions"}).with_columns(rms_difference=1.0)),
    ]:
        assert table.columns[:3] == ["model", "base_model", "variant"]
        keys = set(table.select("model", "base_model", "variant").unique().rows())
        assert keys == {("knn", "knn", "as_is"), ("svm_deskewed", "svm", "deskewed")}


def test_a_name_that_is_no_model_variant_is_refused():
    with pytest.raises(ValueError, match="unknown model 'knn_blurred': expected one of"):
        predictions_table("knn_blurred", INSTANCES, LABELS, PREDICTED, None)


def test_confusion_matches_sklearn_and_sums_to_the_test_size(predictions):
    table = confusion_table(predictions)
    assert table.schema == CONFUSION_SCHEMA
    assert table.height == 2 * 100
    a = table.filter(pl.col("model") == "knn").sort("label", "predicted")["n"].to_numpy()
    assert np.array_equal(a.reshape(10, 10), confusion_matrix(LABELS, PREDICTED, labels=range(10)))
    assert table.group_by("model").agg(pl.col("n").sum())["n"].to_list() == [N, N]


def test_per_class_matches_the_classification_report(predictions):
    table = per_class_table(predictions).filter(pl.col("model") == "knn")
    assert table.schema == PER_CLASS_SCHEMA
    report = classification_report(LABELS, PREDICTED, output_dict=True, zero_division=0)
    for row in table.iter_rows(named=True):
        expected = report[str(row["label"])]
        assert row["precision"] == pytest.approx(expected["precision"])
        assert row["recall"] == pytest.approx(expected["recall"])
        assert row["f1"] == pytest.approx(expected["f1-score"])
        assert row["support"] == expected["support"]
    assert table["support"].to_list() == np.bincount(LABELS, minlength=10).tolist()


def test_metrics_match_sklearn_and_accuracy_is_the_diagonal_share(predictions):
    costs = pl.DataFrame(
        [["knn", 1.0, 0.1, 10], ["svm_deskewed", 2.0, 0.2, 20]], schema=COSTS_SCHEMA, orient="row"
    )
    metrics = metrics_table(predictions, costs)
    assert metrics.schema == METRICS_SCHEMA
    a = metrics.filter(pl.col("model") == "knn").row(0, named=True)
    assert a["accuracy"] == pytest.approx((LABELS == PREDICTED).mean())
    assert a["macro_f1"] == pytest.approx(f1_score(LABELS, PREDICTED, average="macro"))
    assert a["log_loss"] == pytest.approx(log_loss(LABELS, PROBA, labels=range(10)))
    b = metrics.filter(pl.col("model") == "svm_deskewed").row(0, named=True)
    assert (b["accuracy"], b["log_loss"], b["fit_seconds"]) == (1.0, None, 2.0)
    diagonal = confusion_table(predictions).filter(pl.col("label") == pl.col("predicted"))
    assert a["accuracy"] == diagonal.filter(pl.col("model") == "knn")["n"].sum() / N


def test_errors_by_typicality_bins_each_label_by_its_own_distances():
    # two labels of 100 images: label 1 lies ten times farther out than label 0
    labels = np.repeat([0, 1], 100).astype(np.uint8)
    distance = np.concatenate([np.arange(100.0), 10 * np.arange(100.0)])
    distances = pl.DataFrame(
        {
            "split": "test",
            "instance": np.arange(200, dtype=np.uint32),
            "label": labels,
            "distance": distance,
            "rank": np.ones(200, np.uint32),
        }
    )
    wrong = labels.copy()
    wrong[[90, 95, 190]] = 7  # misses among each label's least typical tenth
    table = errors_by_typicality(
        predictions_table("knn", np.arange(200, dtype=np.uint32), labels, wrong, None), distances
    )
    assert table["decile"].to_list() == list(range(1, 11))
    assert table["n"].to_list() == [20] * 10  # 10 of each label in every decile
    assert table["errors"].to_list() == [0] * 9 + [3]
    assert table["min_distance"][0] == 0 and table["max_distance"][-1] == 990


def test_pair_confusions_and_their_rank_correlation():
    confusion = pl.DataFrame(
        {
            "model": "knn",
            "base_model": "knn",
            "variant": "as_is",
            "label": [4, 9, 1, 7, 0],
            "predicted": [9, 4, 7, 1, 0],
            "n": [30, 10, 3, 1, 99],
        },
        schema=CONFUSION_SCHEMA,
    )
    separability = pl.DataFrame(
        {
            "label_a": [4, 1, 0],
            "label_b": [9, 7, 1],
            "rms_difference": [20.0, 40.0, 60.0],
            "max_abs_difference": 0.0,
            "correlation": 0.0,
            "rank": [1, 2, 3],
        },
    ).with_columns(pl.col("label_a", "label_b").cast(pl.UInt8), pl.col("rank").cast(pl.UInt32))
    pairs = pair_confusions(confusion, separability)
    assert pairs.select("label_a", "label_b", "confusions").rows() == [(4, 9, 40), (1, 7, 4)]
    rho = pair_correlation(pairs)["spearman_rho"].item()
    assert rho == pytest.approx(-1.0)


def test_most_confident_mistakes_are_wrong_and_ranked(predictions):
    mistakes = most_confident_mistakes(predictions, k=3)
    assert mistakes["model"].to_list() == ["knn"] * 3  # svm_deskewed: none, and no probability
    assert (mistakes["label"] != mistakes["predicted"]).all()
    assert mistakes["probability"].is_sorted(descending=True)
    assert mistakes["rank"].to_list() == [1, 2, 3]


def test_mistake_keys_name_each_test_image_with_its_model_and_rank(predictions):
    keys = mistake_keys(predictions, k=2)
    assert keys.columns == [
        "split",
        "instance",
        "model",
        "base_model",
        "variant",
        "rank",
        "predicted",
        "probability",
    ]
    assert keys.select("split", "model", "rank").rows() == [("test", "knn", 1), ("test", "knn", 2)]


def test_ties_among_sure_mistakes_go_to_the_least_likely_truth():
    sure = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    proba = np.zeros((3, 10))
    proba[:, :3] = sure
    proba[1, 0], proba[1, 1] = 1e-9, 1 - 1e-9  # wrong with the same rounding-level certainty
    table = predictions_table(
        "knn",
        np.arange(3, dtype=np.uint32),
        np.array([0, 0, 2], np.uint8),
        np.array([1, 1, 1], np.uint8),
        proba,
    )
    mistakes = most_confident_mistakes(table, k=3)
    assert mistakes["instance"].to_list() == [0, 2, 1]
