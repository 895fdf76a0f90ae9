"""Models applied to custom images as tidy tables, and loading what the workflow trained."""

import numpy as np
import polars as pl
import pytest

from tidymnist.evaluate.predict import (
    PREDICTIONS_SCHEMA,
    PROBABILITIES_SCHEMA,
    custom_predictions,
    predict_table,
    probabilities_table,
)
from tidymnist.handwriting.custom import images_table
from tidymnist.io.dataset import load_split
from tidymnist.io.models import save_model
from tidymnist.models.pipelines import fit_model
from tidymnist.models.trained import (
    CnnSkippedWarning,
    NoModelsError,
    UnknownModelWarning,
    load_trained_models,
)


@pytest.fixture(scope="module")
def synthetic(test_data_dir):
    return load_split(test_data_dir, "train"), load_split(test_data_dir, "test")


@pytest.fixture(scope="module")
def models(synthetic):
    train, _ = synthetic
    fitted = {}
    for name, spec in [
        ("logistic_regression", {"C": 0.1, "max_iter": 50}),
        ("svm", {"C": 10, "gamma": "scale", "probability": False}),  # no probabilities
        ("nearest_centroid", {}),
    ]:
        fitted[name], _ = fit_model(name, spec, 0, train.images, train.labels)
    return fitted


def test_one_row_per_image_per_model_in_file_then_model_order(models, synthetic):
    _, test = synthetic
    files = ["c.png", "a.png", "b.png"]
    table = predict_table(models, test.images[:3], files)
    assert table.schema == PREDICTIONS_SCHEMA
    assert table["file"].to_list() == [f for f in files for _ in range(3)]
    assert table["model"].to_list() == list(models) * 3
    for name, model in models.items():
        rows = table.filter(pl.col("model") == name)
        assert rows["prediction"].to_list() == model.predict(test.images[:3]).tolist()
    logistic = table.filter(pl.col("model") == "logistic_regression")
    proba = models["logistic_regression"].predict_proba(test.images[:3])
    np.testing.assert_allclose(logistic["probability"].to_numpy(), proba.max(axis=1))
    assert table.filter(pl.col("model") == "svm")["probability"].null_count() == 3


def test_the_models_are_right_on_the_synthetic_test_digits(models, synthetic):
    _, test = synthetic
    table = predict_table(models, test.images, [f"{i}.png" for i in range(len(test.images))])
    truth = pl.DataFrame({"file": [f"{i}.png" for i in range(len(test.images))]}).with_columns(
        label=pl.Series(test.labels)
    )
    accuracy = (
        table.join(truth, on="file")
        .group_by("model")
        .agg((pl.col("prediction") == pl.col("label")).mean().alias("accuracy"))
    )
    assert accuracy["accuracy"].min() > 0.8


def test_probabilities_table_is_long_and_sums_to_one(models, synthetic):
    _, test = synthetic
    table = probabilities_table(models, test.images[:4], ["w", "x", "y", "z"])
    assert table.schema == PROBABILITIES_SCHEMA
    assert set(table.select("model", "base_model", "variant").unique().rows()) == {
        ("logistic_regression", "logistic_regression", "as_is"),
        ("nearest_centroid", "nearest_centroid", "as_is"),
    }
    # the svm has no probabilities: no rows
    assert table["model"].unique(maintain_order=True).to_list() == [
        "logistic_regression",
        "nearest_centroid",
    ]
    assert table.height == 4 * 2 * 10
    assert table["label"].to_list()[:10] == list(range(10))
    sums = table.group_by("file", "model").agg(pl.col("probability").sum())["probability"]
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-6)  # float32 models: 1e-7 off


def test_no_images_give_empty_tables_with_the_schema(models):
    empty = np.zeros((0, 28, 28), np.uint8)
    assert predict_table(models, empty, []).schema == PREDICTIONS_SCHEMA
    assert probabilities_table(models, empty, []).height == 0
    with pytest.raises(ValueError, match="28 x 28"):
        predict_table(models, np.zeros((2, 20, 20), np.uint8), ["a", "b"])


def test_trained_models_load_in_the_configured_order(models, tmp_path):
    for name in ["svm", "nearest_centroid", "logistic_regression"]:
        save_model(models[name], tmp_path / f"{name}.skops", {"model": name})
    loaded = load_trained_models(tmp_path)
    assert list(loaded) == ["nearest_centroid", "logistic_regression", "svm"]
    image = np.zeros((1, 28, 28), np.uint8)
    assert loaded["svm"].predict(image) == models["svm"].predict(image)


def test_a_file_named_for_no_model_is_skipped_with_a_warning(models, tmp_path):
    save_model(models["svm"], tmp_path / "svm_deskewed.skops", {"model": "svm_deskewed"})
    save_model(models["svm"], tmp_path / "svm_old.skops", {"model": "svm_old"})
    with pytest.warns(UnknownModelWarning, match=r"svm_old.skops: skipped, not named for a model"):
        loaded = load_trained_models(tmp_path)
    assert list(loaded) == ["svm_deskewed"]


def test_no_models_is_a_clear_error(tmp_path):
    for folder in [tmp_path / "missing", tmp_path]:
        with pytest.raises(NoModelsError, match=r"no trained models in .*run the workflow first"):
            load_trained_models(folder)


def test_a_cnn_that_cannot_be_loaded_is_skipped_with_a_warning(models, tmp_path, monkeypatch):
    save_model(models["nearest_centroid"], tmp_path / "nearest_centroid.skops", {})
    (tmp_path / "cnn.safetensors").write_bytes(b"not read")
    monkeypatch.setitem(__import__("sys").modules, "tidymnist.models.cnn_file", None)
    with pytest.warns(CnnSkippedWarning, match="cnn.safetensors: skipped"):
        loaded = load_trained_models(tmp_path)
    assert list(loaded) == ["nearest_centroid"]


def test_the_gallery_marks_right_and_wrong_answers(models, synthetic):
    from tidymnist.figures.preprocess import custom_gallery  # noqa: PLC0415
    from tidymnist.handwriting.preprocess import thumbnail_table  # noqa: PLC0415

    _, test = synthetic
    files = ["a.png", "b.png"]
    predictions = predict_table(models, test.images[:2], files)
    wrong_label = (int(predictions["prediction"][0]) + 1) % 10
    labels = pl.DataFrame({"file": files, "label": [wrong_label, int(test.labels[1])]})
    originals = [1 - image / 255 for image in test.images[:2]]
    plot = custom_gallery(thumbnail_table(files, originals, test.images[:2]), predictions, labels)
    text = plot.layers[1].geom.data
    assert text.filter(pl.col("file") == "a.png")["verdict"][0] == "wrong"
    assert set(text["verdict"]) <= {"right", "wrong"}
    plot.draw()


def test_custom_predictions_join_the_labels_and_count_each_models_right_answers(
    models, synthetic, caplog
):
    _, test = synthetic
    files = ["b.png", "a.png", "c.png"]
    labels = pl.DataFrame(
        {"file": ["a.png", "b.png"], "label": test.labels[[1, 0]]},
        schema={"file": pl.String, "label": pl.UInt8},
    )
    images = images_table(files, test.images[:3], labels)
    with caplog.at_level("INFO", logger="tidymnist"):
        predictions, accuracy = custom_predictions(models, images, labels)
    assert predictions.drop("label").equals(predict_table(models, test.images[:3], files))
    assert predictions.filter(pl.col("file") == "c.png")["label"].null_count() == len(models)
    for row in accuracy.iter_rows(named=True):
        answers = predictions.filter(pl.col("model") == row["model"], pl.col("label").is_not_null())
        assert row["n"] == 2
        assert row["correct"] == (answers["prediction"] == answers["label"]).sum()
        assert f"{row['model']}: {row['correct']} of 2 custom digits right" in caplog.text
