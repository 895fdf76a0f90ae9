"""The page's models: exported arrays must give scikit-learn's own answers, to 1e-5."""

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from tidymnist.core.digits import N_CLASSES, N_PIXELS
from tidymnist.core.grid import scale_pixels
from tidymnist.embed.maps import coordinates_table, fit_pca, loadings_table, mean_table
from tidymnist.io.dataset import load_split
from tidymnist.models.pipelines import fit_model, probabilities
from tidymnist.web.export import (
    ExportError,
    export_model,
    export_models,
    labels_exported,
    plane_exported,
    predict_exported,
)

SPECS = {
    "nearest_centroid": ("nearest_centroid", {}),
    "logistic_regression": ("logistic_regression", {"C": 0.1, "max_iter": 60}),
    "neural_network": (
        "neural_network",
        {
            "hidden_layer_sizes": [24, 16],
            "alpha": 1e-3,
            "batch_size": 64,
            "learning_rate": 1e-3,
            "max_epochs": 8,
            "early_stopping": False,
            "patience": 5,
        },
    ),
    "logistic_on_pca": ("logistic_regression", {"C": 1.0, "max_iter": 60, "pca_components": 12}),
    "knn": ("knn", {"n_neighbors": 3, "weights": "uniform"}),
}


@pytest.fixture(scope="module")
def synthetic(test_data_dir):
    train = load_split(test_data_dir, "train")
    test = load_split(test_data_dir, "test")
    models = {
        name: fit_model(kind, spec, 0, train.images, train.labels)[0]
        for name, (kind, spec) in SPECS.items()
    }
    pca = fit_pca(train.images)
    sample = coordinates_table(
        pca, 2, "train", (np.arange(50), train.images[:50], train.labels[:50])
    )
    export = export_models(models, loadings_table(pca, 3), sample, mean_table(train.images))
    return train, test, models, pca, export


def test_only_models_a_page_can_run_are_exported(synthetic):
    *_, export = synthetic
    names = [model["name"] for model in export["models"]]
    assert names == ["nearest_centroid", "logistic_regression", "neural_network", "logistic_on_pca"]
    assert export["server_only"] == ["knn"]


@pytest.mark.parametrize(
    "name", ["nearest_centroid", "logistic_regression", "neural_network", "logistic_on_pca"]
)
def test_exported_probabilities_equal_scikit_learns(synthetic, name):
    _, test, models, _, export = synthetic
    ours = predict_exported(export, test.images)[name]
    theirs = probabilities(models[name], test.images)
    assert ours.shape == (len(test.images), N_CLASSES)
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=0)
    assert (labels_exported(export, test.images)[name] == models[name].predict(test.images)).all()


def test_nearest_centroid_decides_by_plain_distance_as_scikit_learn_does(synthetic):
    *_, export = synthetic
    exported = next(m for m in export["models"] if m["name"] == "nearest_centroid")
    assert exported["decide"] == "distance"  # uniform priors: predict() ignores the spread
    assert exported["arrays"]["centroids"].dtype == np.float64  # kept exactly, not rounded
    network = next(m for m in export["models"] if m["name"] == "neural_network")
    assert network["arrays"]["w0"].shape == (N_PIXELS, 24)
    assert network["arrays"]["w0"].dtype == np.float32  # as the network holds them


def test_the_mean_and_plane_are_the_pca_of_the_workflow(synthetic):
    train, test, _, pca, export = synthetic
    np.testing.assert_allclose(
        export["plane"]["mean"], scale_pixels(train.images).mean(axis=0), atol=1e-6
    )
    expected = coordinates_table(
        pca, 2, "test", (np.arange(len(test.images)), test.images, test.labels)
    )
    np.testing.assert_allclose(
        plane_exported(export, test.images), expected.select("pc1", "pc2").to_numpy(), atol=1e-4
    )
    assert export["sample"]["label"].tolist() == train.labels[:50].tolist()


def test_a_pipeline_not_on_raw_pixels_is_refused(synthetic):
    _, _, models, _, _ = synthetic
    foreign = Pipeline([("scale", FunctionTransformer(np.sqrt)), ("classifier", models["knn"][-1])])
    with pytest.raises(ExportError, match="scale_pixels"):
        export_model("odd", foreign)
    assert export_model("cnn", object()) is None


def test_a_mean_table_of_the_wrong_size_is_refused(synthetic):
    train, _, _, pca, _ = synthetic
    short = mean_table(train.images).head(100)
    with pytest.raises(ExportError, match="784 rows"):
        export_models({}, loadings_table(pca, 2), None, short)
    with pytest.raises(ExportError, match="pca_mean"):
        export_models({}, loadings_table(pca, 2), None, None)


def test_without_tables_the_export_has_no_plane(synthetic):
    _, _, models, _, _ = synthetic
    export = export_models({"logistic_regression": models["logistic_regression"]}, None, None, None)
    assert export["plane"] is None and export["sample"] is None
    assert [m["name"] for m in export["models"]] == ["logistic_regression"]


@pytest.mark.mnist
def test_real_digits_exact_to_scikit_learn(mnist_path):
    train = load_split(mnist_path, "train", limit=4000)
    test = load_split(mnist_path, "test", limit=1000)
    models = {
        name: fit_model(kind, spec, 0, train.images, train.labels)[0]
        for name, (kind, spec) in SPECS.items()
        if name != "knn"
    }
    export = export_models(models, None, None, None)
    ours = predict_exported(export, test.images)
    labels = labels_exported(export, test.images)
    for name, model in models.items():
        np.testing.assert_allclose(ours[name], probabilities(model, test.images), atol=1e-5, rtol=0)
        assert (labels[name] == model.predict(test.images)).all()
        assert (labels[name] == test.labels).mean() > 0.7  # real models, really right


def test_a_deskewed_model_is_exported_to_deskew_first_and_answers_as_its_pipeline(test_data_dir):
    train = load_split(test_data_dir, "train")
    test = load_split(test_data_dir, "test")
    spec = {"C": 0.1, "max_iter": 60}
    deskewed = fit_model("logistic_regression", spec, 0, train.images, train.labels, deskew=True)
    plain = fit_model("logistic_regression", spec, 0, train.images, train.labels)[0]
    export = export_models({"lr_deskewed": deskewed[0], "lr": plain}, None, None, None)
    assert [m["deskew"] for m in export["models"]] == [True, False]
    assert export["server_only"] == []
    ours = predict_exported(export, test.images)
    np.testing.assert_allclose(
        ours["lr_deskewed"], probabilities(deskewed[0], test.images), atol=1e-5, rtol=0
    )
    # the deskewing matters: the same arrays without it answer otherwise
    undeskewed = {**export, "models": [{**export["models"][0], "deskew": False}]}
    assert not np.allclose(
        predict_exported(undeskewed, test.images)["lr_deskewed"], ours["lr_deskewed"], atol=1e-3
    )
    assert (
        labels_exported(export, test.images)["lr_deskewed"] == deskewed[0].predict(test.images)
    ).all()
