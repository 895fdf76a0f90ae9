"""Label issues: out-of-fold probabilities, cleanlab's candidates, and what setting them aside
does to an accuracy; and the settings the workflow checks before any job."""

import numpy as np
import polars as pl
import pytest

from tidymnist.core.config import ConfigError
from tidymnist.core.digits import N_CLASSES, SIDE
from tidymnist.evaluate.label_issues import (
    PIXELS_SCHEMA,
    PROBABILITIES_SCHEMA,
    SCHEMA,
    SENSITIVITY_SCHEMA,
    gallery_pixels,
    label_issues,
    out_of_fold_probabilities,
    probabilities_from_table,
    probabilities_table,
    sensitivity_table,
)
from tidymnist.evaluate.settings import check_models, detector, fold_spec
from tidymnist.tables.pixels import pixel_table

KNN = {"n_neighbors": 10, "weights": "distance", "pca_components": 40}


def confident(labels: np.ndarray, believed: np.ndarray, sure: float = 0.95) -> np.ndarray:
    """Probabilities that put ``sure`` on ``believed`` and spread the rest evenly."""
    out = np.full((len(labels), N_CLASSES), (1 - sure) / (N_CLASSES - 1))
    out[np.arange(len(labels)), believed] = sure
    return out


def test_a_label_the_probabilities_dispute_is_flagged_first_with_its_suggestion():
    labels = np.repeat(np.arange(N_CLASSES), 30)
    believed = labels.copy()
    believed[[7, 100]] = [3, 9]  # two images the model reads as another digit, surely
    probs = confident(labels, believed)
    probs[7] = confident(labels[[7]], np.array([3]), sure=0.999)[0]  # the first the surer
    probs[100] = confident(labels[[100]], np.array([9]), sure=0.99)[0]
    table = label_issues("knn", "train", np.arange(300) + 1000, labels, probs)
    assert table.schema == SCHEMA
    assert table.select("instance", "label", "suggested", "rank").rows() == [
        (1007, 0, 3, 1),
        (1100, 3, 9, 2),
    ]
    assert table["score"].to_list() == pytest.approx([0.001 / 9, 0.01 / 9])
    assert table["model"].unique().to_list() == ["knn"]
    with pytest.raises(ValueError, match=r"expected \(300, 10\) probabilities"):
        label_issues("knn", "train", np.arange(300), labels, probs[:, :9])


def test_probabilities_travel_as_a_long_table_and_back():
    probs = np.random.default_rng(0).dirichlet(np.ones(N_CLASSES), 5)
    table = probabilities_table("train", np.array([4, 0, 1, 2, 3]), np.arange(5), probs)
    assert table.schema == PROBABILITIES_SCHEMA and table.height == 50
    instances, labels, back = probabilities_from_table(table)
    assert instances.tolist() == [0, 1, 2, 3, 4]
    assert labels.tolist() == [1, 2, 3, 4, 0]
    assert np.array_equal(back, probs[[1, 2, 3, 4, 0]])


def test_setting_candidates_aside_changes_each_accuracy_beside_the_plain_one():
    predictions = pl.DataFrame(
        {
            "model": ["knn"] * 4 + ["svm"] * 4,
            "instance": [0, 1, 2, 3] * 2,
            "label": [1, 1, 1, 1] * 2,
            "predicted": [1, 1, 2, 2, 1, 1, 1, 2],
        }
    )
    issues = pl.DataFrame(
        {"split": ["train", "test", "test"], "instance": [2, 3, 2], "rank": [1, 1, 2]}
    )
    table = sensitivity_table(predictions, issues)
    assert table.schema == SENSITIVITY_SCHEMA
    assert table.select("model", "accuracy", "set_aside", "accuracy_without").rows() == [
        ("svm", 0.75, 2, 1.0),
        ("knn", 0.5, 2, 1.0),
    ]
    top = sensitivity_table(predictions, issues, set_aside=1)  # only test image 3
    assert top.filter(pl.col("model") == "knn")["accuracy_without"].item() == pytest.approx(2 / 3)


def test_the_gallery_holds_the_top_candidates_of_each_split():
    images = np.zeros((4, SIDE, SIDE), np.uint8)
    pixels = pl.concat(
        [
            pixel_table(images[:2], np.array([1, 2], np.uint8), "train"),
            pixel_table(images[2:], np.array([3, 4], np.uint8), "test"),
        ]
    )
    issues = pl.DataFrame(
        {
            "split": ["train", "train", "test"],
            "instance": [1, 0, 1],
            "label": [2, 1, 4],
            "suggested": [7, 8, 9],
            "score": [0.01, 0.02, 0.03],
            "rank": [1, 2, 1],
        }
    ).cast({"split": SCHEMA["split"], "instance": pl.UInt32, "rank": pl.UInt32})
    shown = gallery_pixels(pixels, issues.cast({"label": pl.UInt8, "suggested": pl.UInt8}), 1)
    assert shown.schema == PIXELS_SCHEMA
    keys = shown.select("split", "instance", "label", "suggested").unique().sort("split")
    assert keys.rows() == [("train", 1, 2, 7), ("test", 1, 4, 9)]


def test_on_real_digits_most_flipped_labels_are_among_the_top_candidates(mnist_train):
    """On 3,000 real training digits with 20 labels flipped on purpose, the k-NN's
    out-of-fold probabilities put most of the flipped ones among cleanlab's top candidates."""
    images, labels = mnist_train.images[:3000], mnist_train.labels[:3000].copy()
    rng = np.random.default_rng(17)
    flipped = rng.choice(len(labels), 20, replace=False)
    labels[flipped] = (labels[flipped] + rng.integers(1, N_CLASSES, 20)) % N_CLASSES
    probs = out_of_fold_probabilities("knn", KNN, 0, images, labels, folds=3)
    assert (probs.argmax(axis=1) == mnist_train.labels[:3000]).mean() > 0.9
    table = label_issues("knn", "train", np.arange(3000), labels, probs)
    top = set(table.filter(pl.col("rank") <= 40)["instance"].to_list())
    assert len(top & set(flipped.tolist())) >= 14  # 16 when this was written
    assert table["label"].to_list() == labels[table["instance"].to_numpy()].tolist()


def test_out_of_fold_needs_two_folds_and_a_model_with_probabilities():
    images = np.zeros((20, SIDE, SIDE), np.uint8)
    with pytest.raises(ValueError, match="at least 2 folds"):
        out_of_fold_probabilities("knn", KNN, 0, images, np.arange(20) % 2, folds=1)


def test_the_judge_is_the_first_listed_model_the_run_trains():
    assert detector(["cnn", "knn_deskewed", "knn"], ["knn", "knn_deskewed", "svm"]) == (
        "knn_deskewed"
    )
    assert detector(["cnn"], ["knn"]) is None


def test_fold_settings_replace_the_models_own_and_bad_names_are_refused():
    models = {"cnn": {"epochs": 7, "threads": 2}, "knn": {"n_neighbors": 4}}
    assert fold_spec("cnn", models["cnn"], {"cnn": {"epochs": 1}}) == {"epochs": 1, "threads": 2}
    assert fold_spec("knn", models["knn"], {"cnn": {"epochs": 1}}) == {"n_neighbors": 4}
    check_models(["cnn", "knn_deskewed"], {"cnn": {"epochs": 1}}, models)
    with pytest.raises(ConfigError, match=r"label_issues\.models: knn_2: no such model"):
        check_models(["knn_2"], {}, models)
    with pytest.raises(ConfigError, match=r"label_issues\.fold_settings\.cnn\.epoch: no such"):
        check_models(["cnn"], {"cnn": {"epoch": 1}}, models)
    with pytest.raises(ConfigError, match=r"label_issues\.fold_settings\.rnn: no such model"):
        check_models(["cnn"], {"rnn": {}}, models)
