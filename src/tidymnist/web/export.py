"""The light models as plain arrays, so a web page can run them without Python.

Nearest centroid, logistic regression and the neural network are a few matrix products on the
784 pixels; the PCA plane is one more. Their deskewed variants start with deskewing, a stateless
transform of the image (its second moments, then a shear), which the page does too.
:func:`export_models` takes their fitted pipelines apart into named arrays (kept in the
precision the model holds them, so nothing is rounded), and :func:`predict_exported` runs those
arrays exactly as the page's JavaScript does, so a test can hold the page to scikit-learn's own
answers. Models that need their training set or support vectors at prediction time (k-NN, SVM)
and the CNN are not exported yet: ``tidymnist serve`` runs them instead."""

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestCentroid
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from tidymnist.core.digits import N_CLASSES, N_PIXELS
from tidymnist.core.errors import TidyMnistError
from tidymnist.core.grid import scale_pixels
from tidymnist.embed.maps import loadings_matrix, mean_vector, project
from tidymnist.models.deskew import Deskew, deskew

EXPORT_VERSION = 3  # 2: models carry "deskew"; 3: the eigen-digits
ACTIVATIONS = ("identity", "relu", "tanh", "logistic")


class ExportError(TidyMnistError, ValueError):
    """A model or table cannot be exported for the page."""

    def __init__(self, name: str, problem: str):
        super().__init__(f"{name}: {problem}")


def _plane(loadings: pl.DataFrame, mean: pl.DataFrame | None) -> dict[str, np.ndarray]:
    if mean is None:
        raise ExportError("pca_mean", "the training mean is needed with the loadings")
    try:
        return {"mean": mean_vector(mean), "components": loadings_matrix(loadings, 2)}
    except ValueError as error:
        raise ExportError("pca_loadings and pca_mean", str(error)) from error


EIGEN_STEPS = (1, 2, 5, 10, 20, 50)  # the drawing rebuilt from its first k components


def _eigen(loadings: pl.DataFrame, mean: pl.DataFrame | None) -> dict[str, Any]:
    """Every principal component the loadings table holds (the eigen-digits), the training
    mean, and how many components each rebuilt view of the drawing uses."""
    if mean is None:
        raise ExportError("pca_mean", "the training mean is needed with the loadings")
    n = int(loadings["component"].max())
    try:
        components = loadings_matrix(loadings, n)
    except ValueError as error:
        raise ExportError("pca_loadings", str(error)) from error
    return {
        "mean": mean_vector(mean),
        "components": components,
        "steps": [k for k in EIGEN_STEPS if k <= n],
    }


def _sample(sample: pl.DataFrame) -> dict[str, np.ndarray]:
    missing = {"label", "pc1", "pc2"} - set(sample.columns)
    if missing:
        raise ExportError("pca_sample", f"missing columns {sorted(missing)}")
    return {
        "pc1": sample["pc1"].to_numpy().astype(np.float32),
        "pc2": sample["pc2"].to_numpy().astype(np.float32),
        "label": sample["label"].to_numpy().astype(np.uint8),
    }


def _projection(name: str, pca: PCA) -> dict[str, np.ndarray]:
    components = np.asarray(pca.components_)
    if pca.whiten:
        components = components / np.sqrt(pca.explained_variance_)[:, np.newaxis]
    if components.shape[1] != N_PIXELS:
        raise ExportError(name, f"its PCA expects {components.shape[1]} pixels, not {N_PIXELS}")
    return {"mean": np.asarray(pca.mean_), "components": components}


def _nearest_centroid(step: NearestCentroid) -> dict[str, Any] | None:
    if step.metric != "euclidean":
        return None
    scale = np.where(step.within_class_std_dev_ != 0, step.within_class_std_dev_, 1.0)
    uniform = bool(np.isclose(step.class_prior_, 1 / len(step.classes_)).all())
    return {
        "kind": "nearest_centroid",
        # scikit-learn predicts the plainly nearest centroid when the priors are uniform, but
        # its probabilities come from distances in units of the within-class spread.
        "decide": "distance" if uniform else "probability",
        "arrays": {
            "centroids": np.asarray(step.centroids_),
            "scale": np.asarray(scale),
            "log_prior": 2.0 * np.log(np.asarray(step.class_prior_, dtype=np.float64)),
        },
    }


def _linear(step: LogisticRegression) -> dict[str, Any] | None:
    if len(step.classes_) == 2:
        return None  # one score column: not the digits' multinomial case
    return {
        "kind": "linear",
        "decide": "probability",
        "arrays": {"coef": np.asarray(step.coef_), "intercept": np.asarray(step.intercept_)},
    }


def _mlp(step: MLPClassifier) -> dict[str, Any] | None:
    if step.out_activation_ != "softmax" or step.activation not in ACTIVATIONS:
        return None
    arrays = {}
    for i, (weights, bias) in enumerate(zip(step.coefs_, step.intercepts_, strict=True)):
        arrays[f"w{i}"] = np.asarray(weights)
        arrays[f"b{i}"] = np.asarray(bias)
    return {
        "kind": "mlp",
        "decide": "probability",
        "activation": step.activation,
        "layers": len(step.coefs_),
        "arrays": arrays,
    }


EXPORTERS = {NearestCentroid: _nearest_centroid, LogisticRegression: _linear, MLPClassifier: _mlp}


def export_model(name: str, model: Pipeline) -> dict[str, Any] | None:
    """One fitted pipeline as arrays, or None when it is not a kind the page can run."""
    if not isinstance(model, Pipeline):
        return None  # a network from another library (the CNN): the server runs it
    deskewed = isinstance(model[0], Deskew)  # a stateless first step: the page deskews too
    scale, *middle, classifier = [step for _, step in model.steps][1 if deskewed else 0 :]
    if not (isinstance(scale, FunctionTransformer) and scale.func is scale_pixels):
        raise ExportError(name, "expected a pipeline starting with scale_pixels (raw 0-255 pixels)")
    if len(middle) > 1 or (middle and not isinstance(middle[0], PCA)):
        raise ExportError(name, f"expected at most a PCA between scaling and classifier: {model}")
    pca = middle[0] if middle else None
    exporter = EXPORTERS.get(type(classifier))
    exported = exporter(classifier) if exporter else None
    if exported is None:
        return None
    classes = np.asarray(classifier.classes_)
    if classes.min() < 0 or classes.max() >= N_CLASSES:
        raise ExportError(name, f"classes {classes.tolist()} are not labels 0-{N_CLASSES - 1}")
    return {
        "name": name,
        **exported,
        "classes": classes.astype(np.uint8),
        "projection": None if pca is None else _projection(name, pca),
        "deskew": deskewed,
    }


def export_models(
    models: Mapping[str, Any],
    loadings: pl.DataFrame | None,
    sample: pl.DataFrame | None,
    mean: pl.DataFrame | None,
) -> dict[str, Any]:
    """Everything the draw page runs: the exportable models (in the order given), the first two
    PCA components with the training mean (the plane), and the sample of training points drawn
    on it. ``loadings``, ``sample`` and ``mean`` are the pca_loadings, pca_sample and pca_mean
    tables; with all three None the page has no plane. Models that cannot run in a page are
    listed under ``server_only``."""
    exported, server_only = [], []
    for name, model in models.items():
        one = export_model(name, model)
        if one is None:
            server_only.append(name)
        else:
            exported.append(one)
    return {
        "version": EXPORT_VERSION,
        "models": exported,
        "server_only": server_only,
        "plane": None if loadings is None else _plane(loadings, mean),
        "eigen": None if loadings is None else _eigen(loadings, mean),
        "sample": None if sample is None else _sample(sample),
    }


def _inputs(images: np.ndarray, model: dict[str, Any] | None = None) -> np.ndarray:
    # The page computes Math.fround(v / 255): the float32 pixels scale_pixels gives, of the
    # deskewed images for a model that deskews first.
    if model is not None and model.get("deskew"):
        images = deskew(np.asarray(images).reshape(len(images), N_PIXELS))
    return scale_pixels(images).astype(np.float64)


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


def _activate(values: np.ndarray, activation: str) -> np.ndarray:
    if activation == "relu":
        return np.maximum(values, 0.0)
    if activation == "tanh":
        return np.tanh(values)
    if activation == "logistic":
        return 1.0 / (1.0 + np.exp(-values))
    return values


def _scores(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    arrays = {key: np.asarray(value, dtype=np.float64) for key, value in model["arrays"].items()}
    if model["projection"] is not None:
        projection = model["projection"]
        x = (x - np.asarray(projection["mean"], np.float64)) @ np.asarray(
            projection["components"], np.float64
        ).T
    if model["kind"] == "nearest_centroid":
        scaled = x / arrays["scale"]
        centres = arrays["centroids"] / arrays["scale"]
        distances = ((scaled[:, np.newaxis, :] - centres[np.newaxis]) ** 2).sum(axis=2)
        return -distances + arrays["log_prior"]
    if model["kind"] == "linear":
        return x @ arrays["coef"].T + arrays["intercept"]
    for layer in range(model["layers"]):
        x = x @ arrays[f"w{layer}"] + arrays[f"b{layer}"]
        if layer < model["layers"] - 1:
            x = _activate(x, model["activation"])
    return x


def _full(model: dict[str, Any], columns: np.ndarray) -> np.ndarray:
    full = np.zeros((len(columns), N_CLASSES))
    full[:, np.asarray(model["classes"], dtype=np.intp)] = columns
    return full


def predict_exported(export: dict[str, Any], images: np.ndarray) -> dict[str, np.ndarray]:
    """Each exported model's class probabilities, (n, 10) in label order, for raw images (n, 28,
    28) or (n, 784) of 0-255 values: the page's arithmetic, in double precision."""
    return {
        model["name"]: _full(model, _softmax(_scores(model, _inputs(images, model))))
        for model in export["models"]
    }


def labels_exported(export: dict[str, Any], images: np.ndarray) -> dict[str, np.ndarray]:
    """Each exported model's predicted label per image, as the page shows it."""
    labels = {}
    for model in export["models"]:
        x = _inputs(images, model)
        if model["decide"] == "distance":
            centres = np.asarray(model["arrays"]["centroids"], np.float64)
            inputs = x
            if model["projection"] is not None:
                projection = model["projection"]
                inputs = (x - projection["mean"]) @ np.asarray(projection["components"]).T
            distances = ((inputs[:, np.newaxis, :] - centres[np.newaxis]) ** 2).sum(axis=2)
            chosen = distances.argmin(axis=1)
        else:
            chosen = _scores(model, x).argmax(axis=1)
        labels[model["name"]] = np.asarray(model["classes"])[chosen].astype(np.uint8)
    return labels


def plane_exported(export: dict[str, Any], images: np.ndarray) -> np.ndarray:
    """Where raw images fall on the PCA plane, (n, 2): the page's marker positions."""
    plane = export["plane"]
    return project(images, plane["mean"], plane["components"])


def eigen_exported(export: dict[str, Any], images: np.ndarray) -> dict[str, Any]:
    """The eigen-digit view of raw images (n, 28, 28): each one's ``weights`` on every
    component (n, k) and the image ``rebuilt`` from its first k components for each k of the
    export's steps (n, 784; 0-1 scale): the page's arithmetic, in double precision."""
    eigen = export["eigen"]
    mean = np.asarray(eigen["mean"], np.float64)
    components = np.asarray(eigen["components"], np.float64)
    weights = (_inputs(images) - mean) @ components.T
    rebuilt = {k: mean + weights[:, :k] @ components[:k] for k in eigen["steps"]}
    return {"weights": weights, "rebuilt": rebuilt}
