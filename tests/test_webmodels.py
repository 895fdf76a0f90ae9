"""The page's models: exported arrays must give each model's own answers, to 1e-5."""

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from tidymnist.core.digits import N_CLASSES, N_PIXELS
from tidymnist.core.extras import cnn_extra_installed
from tidymnist.core.grid import scale_pixels
from tidymnist.embed.maps import coordinates_table, fit_pca, loadings_table, mean_table
from tidymnist.io.dataset import load_split
from tidymnist.models.pipelines import fit_model, probabilities
from tidymnist.web.draw import decode_array, encode_array
from tidymnist.web.export import (
    KNN_STEP,
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
    "knn_distance": ("knn", {"n_neighbors": 4, "weights": "distance", "pca_components": 20}),
    "svm": ("svm", {"C": 10, "gamma": "scale", "probability": True, "pca_components": 20}),
    # without calibrated probabilities the SVM votes, which the page does not copy
    "svm_votes": ("svm", {"C": 10, "gamma": "scale", "probability": False}),
}
if cnn_extra_installed():
    SPECS["cnn"] = ("cnn", {"channels": [4, 8], "hidden": 16, "epochs": 1, "batch_size": 32})
IN_PAGE = [name for name in SPECS if name != "svm_votes"]


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


def test_every_model_a_page_can_run_is_exported(synthetic):
    *_, export = synthetic
    assert [model["name"] for model in export["models"]] == IN_PAGE
    assert export["server_only"] == ["svm_votes"]


@pytest.mark.parametrize("name", IN_PAGE)
def test_exported_probabilities_equal_the_models_own(synthetic, name):
    _, test, models, _, export = synthetic
    ours = predict_exported(export, test.images)[name]
    theirs = probabilities(models[name], test.images)
    assert ours.shape == (len(test.images), N_CLASSES)
    # the k-NN's coordinates travel to a thousandth: its distances, so its weights, move a little
    np.testing.assert_allclose(ours, theirs, atol=1e-4 if name == "knn_distance" else 1e-5, rtol=0)
    assert (labels_exported(export, test.images)[name] == models[name].predict(test.images)).all()


def test_nearest_centroid_decides_by_plain_distance_as_scikit_learn_does(synthetic):
    *_, export = synthetic
    exported = next(m for m in export["models"] if m["name"] == "nearest_centroid")
    assert exported["decide"] == "distance"  # uniform priors: predict() ignores the spread
    assert exported["arrays"]["centroids"].dtype == np.float64  # kept exactly, not rounded
    network = next(m for m in export["models"] if m["name"] == "neural_network")
    assert network["arrays"]["w0"].shape == (N_PIXELS, 24)
    assert network["arrays"]["w0"].dtype == np.float32  # as the network holds them


def test_the_knns_coordinates_are_kept_to_half_a_step(synthetic):
    *_, models, _, export = synthetic
    exported = next(m for m in export["models"] if m["name"] == "knn_distance")
    codes, scale = exported["arrays"]["codes"], exported["arrays"]["scale"][0]
    assert codes.dtype == np.int16 and scale == KNN_STEP
    stored = models["knn_distance"][-1]._fit_X
    assert np.abs(codes * scale - stored).max() <= scale / 2 + 1e-12
    assert exported["weights"] == "distance" and exported["neighbours"] == 4


def test_the_svm_keeps_its_support_vectors_exactly(synthetic):
    *_, models, _, export = synthetic
    exported = next(m for m in export["models"] if m["name"] == "svm")
    svc = models["svm"][-1].calibrated_classifiers_[0].estimator
    vectors = exported["arrays"]["vectors"]
    assert vectors.dtype == np.float32  # its inputs were float32: the same numbers, half the bytes
    assert np.array_equal(vectors.astype(np.float64), svc.support_vectors_)
    assert exported["arrays"]["a"].shape == (N_CLASSES,)  # one sigmoid per class


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
        np.array([[-3, 0, 32767]], dtype=np.int16),
        np.array([1, 2, 255], dtype=np.uint8),
        np.array([0.1, -2.5e300]),
        np.array([5, 7, 2**31 - 1], dtype=np.int32),
    ],
)
def test_arrays_travel_in_the_page_exactly(array):
    encoded = encode_array(array)
    assert encoded["dtype"] == str(array.dtype) and encoded["shape"] == list(array.shape)
    back = decode_array(encoded)
    assert back.dtype == array.dtype and np.array_equal(back, array)


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
        if name in ("nearest_centroid", "logistic_regression", "neural_network", "svm", "knn")
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


def test_maps_of_other_digits_or_without_coordinates_are_refused(synthetic):
    train, _, _, pca, _ = synthetic
    rows = (np.arange(len(train.images)), train.images, train.labels)
    coordinates = coordinates_table(pca, 5, "train", rows)
    tsne = coordinates.select("instance", "label", tsne1="pc1", tsne2="pc2").head(40)
    umap = coordinates.select("instance", "label", umap1="pc1", umap2="pc2").tail(40)
    loadings = loadings_table(pca, 5)
    mean = mean_table(train.images)
    with pytest.raises(ExportError, match="same digits"):
        export_models(
            {}, loadings, None, mean, coordinates=coordinates, maps={"tsne": tsne, "umap": umap}
        )
    others = tsne.with_columns(instance=tsne["instance"] + 10_000)
    with pytest.raises(ExportError, match="pca_coordinates"):
        export_models({}, loadings, None, mean, coordinates=coordinates, maps={"tsne": others})
    export = export_models({}, loadings, None, mean, coordinates=coordinates, maps={"tsne": tsne})
    assert export["maps"]["codes"].shape == (40, 5)
    assert export["maps"]["labels"].tolist() == train.labels[:40].tolist()
