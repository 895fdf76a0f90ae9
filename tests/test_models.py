"""The classifiers: real accuracy on a real subset, safe saving, and one source of truth."""

import hashlib
import json

import numpy as np
import polars as pl
import pytest
import skops.io
from sklearn.preprocessing import FunctionTransformer

from tidymnist.io.dataset import load_split
from tidymnist.io.models import ModelFileError, library_versions, load_model, save_model
from tidymnist.models.card import model_card, train
from tidymnist.models.pipelines import (
    adopt_centroids,
    build_model,
    coefficients,
    fit_model,
    probabilities,
    stored_values,
)
from tidymnist.tables.centroids import centroids
from tidymnist.tables.pixels import pixel_table


@pytest.fixture(scope="module")
def mnist_subset(mnist_path):
    train = load_split(mnist_path, "train", limit=6000)
    test = load_split(mnist_path, "test", limit=2000)
    return train, test


@pytest.mark.parametrize(
    ("name", "spec", "floor"),
    [("nearest_centroid", {}, 0.75), ("logistic_regression", {"C": 0.1, "max_iter": 100}, 0.88)],
)
def test_real_accuracy_above_a_floor(mnist_subset, name, spec, floor):
    train, test = mnist_subset
    model, _ = fit_model(name, spec, 0, train.images, train.labels)
    accuracy = (model.predict(test.images) == test.labels).mean()
    assert accuracy > floor


def test_nearest_centroid_agrees_with_the_centroid_table(mnist_subset):
    train, _ = mnist_subset
    model, _ = fit_model("nearest_centroid", {}, 0, train.images, train.labels)
    table = centroids(pixel_table(train.images, train.labels, "train"))
    shifted = table.with_columns(mean_value=table["mean_value"] + 0.5)
    with pytest.raises(ValueError, match=r"differ by up to 0\.5"):
        adopt_centroids(model, shifted)
    model = adopt_centroids(model, table)
    expected = table.sort("label", "pixel")["mean_value"].to_numpy().reshape(10, 784)
    np.testing.assert_allclose(model[-1].centroids_ * 255, expected, atol=1e-4)  # float32
    # and it classifies by exactly those centroids
    images = train.images[:50].reshape(50, -1) / 255
    nearest = ((images[:, None, :] - expected[None] / 255) ** 2).sum(axis=2).argmin(axis=1)
    assert np.array_equal(model.predict(train.images[:50]), nearest)


def test_a_model_applies_to_raw_28x28_images(mnist_subset):
    train, test = mnist_subset
    model, _ = fit_model(
        "logistic_regression", {"C": 0.1, "max_iter": 30}, 0, train.images, train.labels
    )
    flat = test.images.reshape(len(test.images), -1)
    assert np.array_equal(model.predict(test.images), model.predict(flat))
    proba = probabilities(model, test.images)
    assert proba.shape == (len(test.images), 10)
    assert np.allclose(proba.sum(axis=1), 1)
    table = coefficients(model)
    assert table.height == 10 * 784
    assert table.columns == ["label", "pixel", "x", "y", "coefficient"]


SMALL = {
    "nearest_centroid": {},
    "knn": {"n_neighbors": 3, "weights": "distance", "pca_components": 20},
    "logistic_regression": {"C": 0.1, "max_iter": 20},
    "neural_network": {
        "hidden_layer_sizes": [16],
        "alpha": 1e-4,
        "batch_size": 32,
        "learning_rate": 1e-3,
        "max_epochs": 3,
        "early_stopping": False,
        "patience": 2,
    },
    "svm": {"C": 1.0, "gamma": "scale", "probability": True, "pca_components": 20},
}


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, (200, 28, 28), dtype=np.uint8)
    labels = np.arange(200, dtype=np.uint8) % 10
    return images, labels


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", list(SMALL))
def test_saved_model_reloads_and_predicts_identically(tmp_path, synthetic, name):
    images, labels = synthetic
    model = build_model(name, SMALL[name], seed=0).fit(images, labels)
    save_model(model, tmp_path / f"{name}.skops", {"model": name})
    loaded = load_model(tmp_path / f"{name}.skops")
    assert np.array_equal(loaded.predict(images), model.predict(images))
    card = json.loads((tmp_path / f"{name}.json").read_text())
    assert card["model"] == name
    assert set(card["versions"]) == {"scikit-learn", "numpy", "scipy", "skops"}


@pytest.fixture
def saved(tmp_path, synthetic):
    images, labels = synthetic
    model = build_model("nearest_centroid", {}, seed=0).fit(images, labels)
    save_model(model, tmp_path / "m.skops", {"model": "nearest_centroid"})
    return tmp_path / "m.skops"


def test_a_tampered_model_file_is_refused(saved):
    content = bytearray(saved.read_bytes())
    content[len(content) // 2] ^= 0xFF
    saved.write_bytes(bytes(content))
    with pytest.raises(ModelFileError, match="the file was changed"):
        load_model(saved)


def test_a_model_from_other_library_versions_is_refused(saved):
    card_path = saved.with_suffix(".json")
    card = json.loads(card_path.read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match=r"scikit-learn 0\.24\.2"):
        load_model(saved)


def test_a_foreign_file_with_untrusted_types_is_refused(tmp_path):
    evil = FunctionTransformer(func=eval)  # a type no tidymnist model holds
    path = tmp_path / "evil.skops"
    skops.io.dump(evil, path)
    card = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "versions": library_versions()}
    path.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="not trusted"):
        load_model(path)


def test_a_model_without_its_card_or_not_a_model_is_refused(tmp_path):
    (tmp_path / "x.skops").write_bytes(b"not a zip file")
    with pytest.raises(ModelFileError, match="no model card"):
        load_model(tmp_path / "x.skops")


def test_train_fits_on_the_training_split_and_writes_the_card(synthetic):
    images, labels = synthetic
    pixels = pl.concat(
        [
            pixel_table(images[:150], labels[:150], "train"),
            pixel_table(images[150:], labels[150:], "test"),
        ]
    )
    files = pl.DataFrame({"split": ["train"], "file": ["train-images"], "sha256": ["ab"]})
    table = centroids(pixels.filter(pl.col("split") == "train"))
    model, card = train(
        "nearest_centroid",
        base="nearest_centroid",
        spec={},
        seed=3,
        pixels=pixels,
        files=files,
        deskew=False,
        centroids=table,
    )
    expected = table.sort("label", "pixel")["mean_value"].to_numpy().reshape(10, 784)
    np.testing.assert_allclose(model[-1].centroids_ * 255, expected, atol=1e-4)  # adopted
    assert list(card) == [
        "model",
        "config",
        "deskew",
        "seed",
        "fit_seconds",
        "n_parameters",
        "training_images",
        "data",
    ]
    assert (card["model"], card["config"], card["deskew"], card["seed"]) == (
        "nearest_centroid",
        {},
        False,
        3,
    )
    assert card["training_images"] == 150  # the test split is never fitted on
    assert card["n_parameters"] == stored_values(model) > 10 * 784  # the centroids at least
    assert card["data"] == [{"split": "train", "file": "train-images", "sha256": "ab"}]
    assert card["fit_seconds"] > 0
    plain = model_card(
        "knn_deskewed",
        model,
        spec={"n_neighbors": 3},
        deskew=True,
        seed=1,
        fit_seconds=0.5,
        training_images=7,
        files=files,
    )
    assert plain["config"] == {"n_neighbors": 3} and plain["deskew"] is True
