"""The convolutional network: it learns, it is reproducible, and its weights reload safely."""

import json
import struct
from importlib.metadata import version

import numpy as np
import polars as pl
import pytest

torch = pytest.importorskip(
    "torch", reason="the CNN needs PyTorch, the optional extra 'cnn' (uv sync --extra cnn)"
)
pytest.importorskip("safetensors", reason="saving the CNN needs safetensors (extra 'cnn')")

from tidymnist.core.grid import X, Y  # noqa: E402
from tidymnist.io.dataset import load_split  # noqa: E402
from tidymnist.io.models import ModelFileError  # noqa: E402
from tidymnist.models.cnn import (  # noqa: E402
    ACTIVATION_SCHEMA,
    DIGITS_SCHEMA,
    CNNClassifier,
    activations,
    feature_maps,
    map_geometry,
)
from tidymnist.models.cnn_file import load_cnn, save_cnn  # noqa: E402
from tidymnist.models.pipelines import fit_model, stored_values  # noqa: E402
from tidymnist.tables.pixels import pixel_table  # noqa: E402

# Small and quick: one epoch over the 600 synthetic training digits of .test/data.
SPEC = {
    "channels": [8, 16],
    "hidden": 32,
    "epochs": 1,
    "batch_size": 16,
    "learning_rate": 0.01,
    "threads": 1,
}


@pytest.fixture(scope="module")
def data(test_data_dir):
    return load_split(test_data_dir, "train"), load_split(test_data_dir, "test")


@pytest.fixture(scope="module")
def fitted(data):
    train, _ = data
    model, _ = fit_model("cnn", SPEC, 7, train.images, train.labels)
    return model


def test_one_short_epoch_beats_chance_by_far(fitted, data, caplog):
    _, test = data
    accuracy = (fitted.predict(test.images) == test.labels).mean()
    assert accuracy > 0.5  # chance: 0.1
    proba = fitted.predict_proba(test.images)
    assert proba.shape == (200, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert [name for name, _ in fitted.steps] == ["scale", "classifier"]
    assert stored_values(fitted) == fitted[-1].n_parameters() + 10  # weights and classes_


def test_training_logs_each_epoch(data, caplog):
    train, _ = data
    with caplog.at_level("INFO", logger="tidymnist"):
        fit_model("cnn", {**SPEC, "epochs": 2}, 7, train.images[:64], train.labels[:64])
    epochs = [r.getMessage() for r in caplog.records if r.getMessage().startswith("epoch ")]
    assert [m.split(":")[0] for m in epochs] == ["epoch 1/2", "epoch 2/2"]
    assert "train accuracy" in epochs[0] and epochs[0].endswith(" s")


def test_the_same_seed_gives_identical_predictions(fitted, data):
    train, test = data
    again, _ = fit_model("cnn", SPEC, 7, train.images, train.labels)
    assert np.array_equal(again.predict_proba(test.images), fitted.predict_proba(test.images))
    other, _ = fit_model("cnn", SPEC, 8, train.images, train.labels)
    assert not np.array_equal(other.predict_proba(test.images), fitted.predict_proba(test.images))


def test_fit_leaves_torch_settings_as_they_were(data):
    train, _ = data
    threads = torch.get_num_threads()
    CNNClassifier(**SPEC).fit(train.images[:32] / 255, train.labels[:32])
    assert torch.get_num_threads() == threads
    assert not torch.are_deterministic_algorithms_enabled()


@pytest.fixture
def saved(tmp_path, fitted):
    path = tmp_path / "cnn.safetensors"
    save_cnn(fitted, path, {"model": "cnn", "seed": 7})
    return path


def test_saved_weights_reload_to_identical_predictions(saved, fitted, data):
    _, test = data
    loaded = load_cnn(saved)
    assert [name for name, _ in loaded.steps] == ["scale", "classifier"]
    np.testing.assert_array_equal(
        loaded.predict_proba(test.images), fitted.predict_proba(test.images)
    )
    assert np.array_equal(loaded.predict(test.images), fitted.predict(test.images))
    card = json.loads(saved.with_suffix(".json").read_text())
    assert card["model"] == "cnn" and card["seed"] == 7
    assert card["architecture"] == {
        "channels": [8, 16],
        "hidden": 32,
        "dropout": 0.05,
        "n_classes": 10,
    }
    assert card["classes"] == list(range(10))
    assert card["versions"] == {n: version(n) for n in ("torch", "safetensors", "numpy")}
    assert saved.read_bytes()[8:9] == b"{"  # a safetensors JSON header, not a pickle


def test_a_tampered_weights_file_is_refused(saved):
    content = bytearray(saved.read_bytes())
    content[-5] ^= 0xFF
    saved.write_bytes(bytes(content))
    with pytest.raises(ModelFileError, match="the file was changed"):
        load_cnn(saved)


def test_weights_from_other_versions_are_refused(saved):
    card_path = saved.with_suffix(".json")
    card = json.loads(card_path.read_text())
    card["versions"]["torch"] = "1.13.1"
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match=r"torch 1\.13\.1"):
        load_cnn(saved)


def test_weights_that_do_not_fit_the_card_are_refused(saved):
    card_path = saved.with_suffix(".json")
    card = json.loads(card_path.read_text())
    card["architecture"]["hidden"] = 64  # the file holds a 32-unit layer
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match=r"do not match the architecture.*\b16\.weight"):
        load_cnn(saved)
    card["architecture"]["hidden"] = 10**9
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="not one tidymnist writes"):
        load_cnn(saved)


def test_a_missing_card_or_a_foreign_file_is_refused(tmp_path):
    path = tmp_path / "cnn.safetensors"
    path.write_bytes(struct.pack("<Q", 2) + b"{}")
    with pytest.raises(ModelFileError, match="no model card"):
        load_cnn(path)


def test_activations_are_a_tidy_table_of_every_convolution(fitted, data):
    _, test = data
    table = activations(fitted, test.images[:2])
    assert table.schema == ACTIVATION_SCHEMA
    sizes = {"conv1": 26, "conv2": 24, "conv3": 10, "conv4": 8}
    widths = {"conv1": 8, "conv2": 8, "conv3": 16, "conv4": 16}
    counts = dict(table.group_by("layer").len().iter_rows())
    assert counts == {layer: 2 * widths[layer] * sizes[layer] ** 2 for layer in sizes}
    assert table["value"].min() >= 0  # after ReLU
    assert table.filter(layer="conv4")["x"].max() == 7
    # the same maps from the bare network given scaled pixels
    bare = activations(fitted[-1], test.images[:2])
    assert bare.equals(table)
    assert [map_geometry(layer) for layer in sizes] == [(1, 1), (1, 2), (2, 4.5), (2, 6.5)]


def test_feature_maps_of_the_chosen_test_digit_and_the_first_custom_one(fitted, data):
    _, test = data
    pixels = pixel_table(test.images[:5], test.labels[:5], "test")
    custom = (["mine.png", "other.png"], test.images[[4, 0]])
    maps, digits = feature_maps(fitted, pixels, 3, custom)
    assert maps.equals(activations(fitted, test.images[[3, 4]]))
    assert digits.schema == DIGITS_SCHEMA
    assert digits.group_by("image", maintain_order=True).agg(pl.col("name").first()).rows() == [
        (0, f"test digit #3, a {test.labels[3]}"),
        (1, "your digit mine.png"),
    ]
    first = digits.filter(pl.col("image") == 0)
    np.testing.assert_array_equal(first["x"].to_numpy(), X)  # the one pixel grid
    np.testing.assert_array_equal(first["y"].to_numpy(), Y)
    np.testing.assert_array_equal(first["value"].to_numpy(), test.images[3].reshape(-1))
    alone, only = feature_maps(fitted, pixels, 0)
    assert only["image"].unique().to_list() == [0] and alone["image"].unique().to_list() == [0]


def test_without_torch_the_error_says_how_to_install(monkeypatch):
    from tidymnist.models import cnn  # noqa: PLC0415

    monkeypatch.setitem(__import__("sys").modules, "torch", None)
    with pytest.raises(cnn.TorchMissingError, match=r"uv sync --extra cnn"):
        cnn.import_torch()
    assert issubclass(cnn.TorchMissingError, ImportError)
