"""Every model as plain arrays, so a web page can run it without Python.

Nearest centroid, logistic regression and the neural network are a few matrix products on the
784 pixels; the PCA plane is one more. The SVM is its support vectors, their coefficients and
one sigmoid per class (Platt's calibration); the k-NN is its training digits' PCA coordinates;
the CNN is its convolutions, batch normalisation and dense layers. Deskewed variants start with
deskewing, a stateless transform of the image (its second moments, then a shear), which the page
does too. :func:`export_models` takes the fitted pipelines apart into named arrays, kept in the
precision the model holds them, so nothing is rounded, with one exception: the k-NN's 60,000 x k
coordinates are stored as whole multiples of :data:`KNN_STEP` (16 bits each instead of 32),
which moves a distance by less than a ten-thousandth of its size. :func:`predict_exported` runs
the arrays exactly as the page's JavaScript does, so a test can hold the page to each model's
own answers."""

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, NearestCentroid
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC

from tidymnist.core.digits import N_CLASSES, N_PIXELS, SIDE
from tidymnist.core.errors import TidyMnistError
from tidymnist.core.grid import scale_pixels
from tidymnist.embed.maps import loadings_matrix, mean_vector, pc_names, project
from tidymnist.models.cnn import CNNClassifier
from tidymnist.models.deskew import Deskew, deskew

EXPORT_VERSION = 4  # 2: models carry "deskew"; 3: the eigen-digits; 4: k-NN, SVM, CNN
# The k-NN's coordinates are stored as integer multiples of this (or of the largest coordinate
# over 32,767 where that is coarser): half a step at most, where its neighbours lie 2 to 6 apart.
KNN_STEP = 1e-3
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


MAP_NEIGHBOURS = 10  # a drawing goes to the median place of its nearest training digits
MAP_STEP = 1e-2  # the maps' digits' PCA coordinates, stored as whole multiples of this
MAP_TITLES = {"tsne": "t-SNE map", "umap": "UMAP map"}


def _map_columns(table: pl.DataFrame) -> list[str]:
    return [c for c in table.columns if c not in ("instance", "label", "split")][:2]


def _maps(
    coordinates: pl.DataFrame, maps: Mapping[str, pl.DataFrame], dimensions: int
) -> dict[str, Any] | None:
    """The training digits of the t-SNE and UMAP maps (the same digits on both): their PCA
    coordinates, labels and places on each map. The page puts a drawing at the coordinate-wise
    median place of its :data:`MAP_NEIGHBOURS` nearest of them in PCA space: the start that
    openTSNE's and umap-learn's ``transform`` refine, which the page leaves out."""
    if not maps:
        return None
    first = next(iter(maps.values()))
    for name, table in maps.items():
        if not table["instance"].equals(first["instance"]):
            raise ExportError(f"{name}_map", "the maps must hold the same digits in the same order")
    train = coordinates.filter(pl.col("split") == "train")
    chosen = first.select("instance").join(train, on="instance", how="left", maintain_order="left")
    columns = pc_names(dimensions)
    missing = [c for c in columns if c not in coordinates.columns]
    if missing or chosen["pc1"].null_count():
        raise ExportError("pca_coordinates", "no PCA coordinates for some of the maps' digits")
    features = chosen.select(columns).to_numpy().astype(np.float64)
    return {
        "codes": np.round(features / MAP_STEP).astype(np.int16),
        "scale": np.array([MAP_STEP]),
        "labels": first["label"].to_numpy().astype(np.uint8),
        "neighbours": MAP_NEIGHBOURS,
        "maps": [
            {
                "name": name,
                "title": MAP_TITLES.get(name, name),
                "axes": _map_columns(table),
                "x": table[_map_columns(table)[0]].to_numpy().astype(np.float32),
                "y": table[_map_columns(table)[1]].to_numpy().astype(np.float32),
            }
            for name, table in maps.items()
        ],
    }


def _median_places(maps: dict[str, Any], features: np.ndarray) -> dict[str, np.ndarray]:
    """Per map, (n, 2): the coordinate-wise median place of each row of ``features`` (PCA
    coordinates)' nearest map digits."""
    points = np.asarray(maps["codes"], np.float64) * float(maps["scale"][0])
    distances = _squared_distances(features[:, : points.shape[1]], points)
    nearest = np.argsort(distances, axis=1, kind="stable")[:, : maps["neighbours"]]
    return {
        one["name"]: np.stack(
            [np.median(np.asarray(one[axis], np.float64)[nearest], axis=1) for axis in "xy"], 1
        )
        for one in maps["maps"]
    }


def places_exported(export: dict[str, Any], images: np.ndarray) -> dict[str, np.ndarray]:
    """Where raw images fall on each exported map, (n, 2) per map: the page's arithmetic (the
    eigen-digit weights are the images' PCA coordinates)."""
    return _median_places(export["maps"], eigen_exported(export, images)["weights"])


def map_agreement(
    export: dict[str, Any], coordinates: pl.DataFrame, test_places: Mapping[str, pl.DataFrame]
) -> dict[str, dict[str, float]]:
    """Per map, how many test digits ``test_places`` holds (the workflow's tables of test digits
    placed by the fitted map's own ``transform``) and the median ``distance`` (in map units)
    between where the page's rule puts them and where the transform put them."""
    test = coordinates.filter(pl.col("split") == "test")
    n = export["maps"]["codes"].shape[1]
    out = {}
    for name, places in test_places.items():
        rows = places.select("instance").join(test, on="instance", maintain_order="left")
        if rows.height != places.height:
            raise ExportError(f"{name}_test_places", "test digits missing from pca_coordinates")
        features = rows.select(pc_names(n)).to_numpy().astype(np.float64)
        placed = _median_places(export["maps"], features)[name]
        expected = places.select(_map_columns(places)).to_numpy()
        distances = np.sqrt(((placed - expected) ** 2).sum(axis=1))
        out[name] = {"digits": len(distances), "distance": float(np.median(distances))}
    return out


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


def _knn(step: KNeighborsClassifier) -> dict[str, Any] | None:
    if step.effective_metric_ != "euclidean" or step.weights not in ("uniform", "distance"):
        return None
    coordinates = np.asarray(step._fit_X, dtype=np.float64)
    scale = max(KNN_STEP, float(np.abs(coordinates).max()) / np.iinfo(np.int16).max)
    return {
        "kind": "knn",
        "decide": "probability",
        "neighbours": int(step.n_neighbors),
        "weights": step.weights,
        "arrays": {
            "codes": np.round(coordinates / scale).astype(np.int16),
            "scale": np.array([scale]),
            "labels": np.asarray(step._y, dtype=np.uint8),  # index into classes
        },
    }


def _svm(step: CalibratedClassifierCV | SVC) -> dict[str, Any] | None:
    """A calibrated RBF SVM: one SVM on all the data (``ensemble=False``) whose one-vs-rest
    decision values go through one sigmoid per class. An uncalibrated SVM gives no probabilities,
    and its votes break ties differently: the server runs it."""
    if not isinstance(step, CalibratedClassifierCV) or len(step.calibrated_classifiers_) != 1:
        return None
    calibrated = step.calibrated_classifiers_[0]
    svc = calibrated.estimator
    if calibrated.method != "sigmoid" or not isinstance(svc, SVC) or svc.kernel != "rbf":
        return None
    if len(svc.classes_) < 3 or svc.decision_function_shape != "ovr":
        return None
    vectors = np.asarray(svc.support_vectors_)
    as_float = vectors.astype(np.float32)
    if np.array_equal(as_float, vectors):
        vectors = as_float  # float32 inputs, held as doubles: the same numbers in half the bytes
    return {
        "kind": "svm",
        "decide": "probability",
        "arrays": {
            "vectors": vectors,
            "per_class": np.asarray(svc.n_support_, dtype=np.int32),
            "dual_coef": np.asarray(svc.dual_coef_),
            "intercept": np.asarray(svc.intercept_),
            "gamma": np.array([svc._gamma]),
            "a": np.array([c.a_ for c in calibrated.calibrators]),
            "b": np.array([c.b_ for c in calibrated.calibrators]),
        },
    }


def _cnn(step: CNNClassifier) -> dict[str, Any] | None:
    """The network's tensors by layer, in its own order: per convolution its weights (out, in,
    3, 3) and batch-norm statistics, the max-pools, then the dense layers."""
    network = getattr(step, "network_", None)
    if network is None:
        return None
    arrays, layers = {}, []
    for index, module in enumerate(network):
        kind = type(module).__name__
        tensors = {key: value.detach().numpy() for key, value in module.state_dict().items()}
        if kind == "Conv2d":
            layers.append(
                {
                    "kind": "conv",
                    "name": f"conv{sum(layer['kind'] == 'conv' for layer in layers) + 1}",
                }
            )
            arrays[f"{index}.weight"] = tensors["weight"]
        elif kind == "BatchNorm2d":
            layers.append({"kind": "norm", "eps": float(module.eps)})
            for key in ("weight", "bias", "running_mean", "running_var"):
                arrays[f"{index}.{key}"] = tensors[key]
        elif kind == "Linear":
            layers.append({"kind": "dense"})
            arrays[f"{index}.weight"], arrays[f"{index}.bias"] = tensors["weight"], tensors["bias"]
        elif kind == "ReLU":
            layers.append({"kind": "relu"})
        elif kind == "MaxPool2d":
            layers.append({"kind": "pool"})
        elif kind in ("Flatten", "Dropout"):
            layers.append({"kind": "flat" if kind == "Flatten" else "none"})
        else:
            return None  # a layer the page cannot run
        layers[-1]["index"] = index
    return {"kind": "cnn", "decide": "probability", "layers": layers, "arrays": arrays}


EXPORTERS = {
    NearestCentroid: _nearest_centroid,
    LogisticRegression: _linear,
    MLPClassifier: _mlp,
    KNeighborsClassifier: _knn,
    CalibratedClassifierCV: _svm,
    CNNClassifier: _cnn,
}


def export_model(name: str, model: Pipeline) -> dict[str, Any] | None:
    """One fitted pipeline as arrays, or None when it is not a kind the page can run."""
    if not isinstance(model, Pipeline):
        return None  # a bare classifier: the page cannot know what it expects
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
    *,
    coordinates: pl.DataFrame | None = None,
    maps: Mapping[str, pl.DataFrame] | None = None,
) -> dict[str, Any]:
    """Everything the draw page runs: the exportable models (in the order given), the first two
    PCA components with the training mean (the plane), the sample of training points drawn
    on it and, given the PCA ``coordinates`` table and ``maps`` (name: the tsne_map or
    umap_map table), the maps' digits. ``loadings``, ``sample`` and ``mean`` are the
    pca_loadings, pca_sample and pca_mean tables; with all three None the page has no plane.
    Models that cannot run in a page are listed under ``server_only``."""
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
        "maps": None
        if coordinates is None or loadings is None
        else _maps(coordinates, maps or {}, int(loadings["component"].max())),
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


def _project(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    projection = model["projection"]
    if projection is None:
        return x
    mean = np.asarray(projection["mean"], np.float64)
    return (x - mean) @ np.asarray(projection["components"], np.float64).T


def _scores(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """The scores a softmax turns into probabilities (nearest centroid, linear, MLP)."""
    arrays = {key: np.asarray(value, dtype=np.float64) for key, value in model["arrays"].items()}
    x = _project(model, x)
    if model["kind"] == "nearest_centroid":
        scaled = x / arrays["scale"]
        centres = arrays["centroids"] / arrays["scale"]
        return -_squared_distances(scaled, centres) + arrays["log_prior"]
    if model["kind"] == "linear":
        return x @ arrays["coef"].T + arrays["intercept"]
    for layer in range(model["layers"]):
        x = x @ arrays[f"w{layer}"] + arrays[f"b{layer}"]
        if layer < model["layers"] - 1:
            x = _activate(x, model["activation"])
    return x


def _squared_distances(x: np.ndarray, points: np.ndarray) -> np.ndarray:
    return ((x[:, np.newaxis, :] - points[np.newaxis]) ** 2).sum(axis=2)


def _knn_probabilities(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """Each class's share of the k nearest training digits' votes: one each, or the inverse
    of the distance (an exact match takes all), as scikit-learn weighs them."""
    arrays = model["arrays"]
    points = np.asarray(arrays["codes"], np.float64) * float(arrays["scale"][0])
    labels, k = np.asarray(arrays["labels"], np.intp), model["neighbours"]
    out = np.zeros((len(x), len(model["classes"])))
    for row, one in enumerate(_project(model, x)):
        distances = np.sqrt(_squared_distances(one[np.newaxis], points)[0])
        nearest = np.argsort(distances, kind="stable")[:k]
        weights = np.ones(k)
        if model["weights"] == "distance":
            exact = distances[nearest] == 0
            weights = exact.astype(float) if exact.any() else 1 / distances[nearest]
        np.add.at(out[row], labels[nearest], weights)
    return out / out.sum(axis=1, keepdims=True)


def _svm_probabilities(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """libsvm's one-vs-one decision values, scikit-learn's one-vs-rest summary of them (votes
    plus a confidence below a third of a vote), one sigmoid per class, normalised."""
    arrays = {key: np.asarray(value, dtype=np.float64) for key, value in model["arrays"].items()}
    kernel = np.exp(-arrays["gamma"][0] * _squared_distances(_project(model, x), arrays["vectors"]))
    n_classes = len(model["classes"])
    starts = np.concatenate([[0], np.cumsum(arrays["per_class"])]).astype(np.intp)
    votes = np.zeros((len(x), n_classes))
    confidence = np.zeros((len(x), n_classes))
    pair = 0
    for i in range(n_classes):
        for j in range(i + 1, n_classes):
            own, other = slice(starts[i], starts[i + 1]), slice(starts[j], starts[j + 1])
            value = (
                kernel[:, own] @ arrays["dual_coef"][j - 1, own]
                + kernel[:, other] @ arrays["dual_coef"][i, other]
                + arrays["intercept"][pair]
            )
            votes[:, i] += value >= 0
            votes[:, j] += value < 0
            confidence[:, i] += value
            confidence[:, j] -= value
            pair += 1
    decision = votes + confidence / (3 * (np.abs(confidence) + 1))
    calibrated = 1 / (1 + np.exp(arrays["a"] * decision + arrays["b"]))
    total = calibrated.sum(axis=1, keepdims=True)
    return np.where(total > 0, calibrated / np.where(total > 0, total, 1), 1 / n_classes)


def cnn_layers(model: dict[str, Any], x: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The exported CNN run on scaled images (n, 784): its scores (n, classes) and each
    convolution's feature maps after its ReLU (n, channels, side, side), by name."""
    arrays = {key: np.asarray(value, dtype=np.float64) for key, value in model["arrays"].items()}
    out = x.reshape(len(x), 1, SIDE, SIDE)
    maps, last_conv = {}, None
    for layer in model["layers"]:
        at = f"{layer['index']}."
        if layer["kind"] == "conv":
            weights = arrays[at + "weight"]
            size, side = weights.shape[2], out.shape[2] - weights.shape[2] + 1
            windows = np.lib.stride_tricks.sliding_window_view(out, (size, size), axis=(2, 3))
            out = np.einsum("ncyxij,ocij->noyx", windows[:, :, :side, :side], weights)
            last_conv = layer["name"]
        elif layer["kind"] == "norm":
            shape = (1, -1, 1, 1)
            spread = np.sqrt(arrays[at + "running_var"] + layer["eps"]).reshape(shape)
            out = (out - arrays[at + "running_mean"].reshape(shape)) / spread
            out = out * arrays[at + "weight"].reshape(shape) + arrays[at + "bias"].reshape(shape)
        elif layer["kind"] == "relu":
            out = np.maximum(out, 0.0)
            if last_conv is not None:
                maps[last_conv], last_conv = out, None
        elif layer["kind"] == "pool":
            n, c, h, w = out.shape
            out = out[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2)
            out = out.max(axis=(3, 5))
        elif layer["kind"] == "flat":
            out = out.reshape(len(out), -1)
        elif layer["kind"] == "dense":
            out = out @ arrays[at + "weight"].T + arrays[at + "bias"]
    return out, maps


def _probabilities(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    if model["kind"] == "knn":
        return _knn_probabilities(model, x)
    if model["kind"] == "svm":
        return _svm_probabilities(model, x)
    if model["kind"] == "cnn":
        return _softmax(cnn_layers(model, x)[0])
    return _softmax(_scores(model, x))


def _full(model: dict[str, Any], columns: np.ndarray) -> np.ndarray:
    full = np.zeros((len(columns), N_CLASSES))
    full[:, np.asarray(model["classes"], dtype=np.intp)] = columns
    return full


def predict_exported(export: dict[str, Any], images: np.ndarray) -> dict[str, np.ndarray]:
    """Each exported model's class probabilities, (n, 10) in label order, for raw images (n, 28,
    28) or (n, 784) of 0-255 values: the page's arithmetic, in double precision."""
    return {
        model["name"]: _full(model, _probabilities(model, _inputs(images, model)))
        for model in export["models"]
    }


def labels_exported(export: dict[str, Any], images: np.ndarray) -> dict[str, np.ndarray]:
    """Each exported model's predicted label per image, as the page shows it."""
    labels = {}
    for model in export["models"]:
        x = _inputs(images, model)
        if model["decide"] == "distance":
            centres = np.asarray(model["arrays"]["centroids"], np.float64)
            chosen = _squared_distances(_project(model, x), centres).argmin(axis=1)
        elif model["kind"] in ("knn", "svm", "cnn"):
            chosen = _probabilities(model, x).argmax(axis=1)
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
