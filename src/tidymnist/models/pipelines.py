"""The classifiers, as named scikit-learn pipelines built from the configuration.

Every pipeline starts from raw pixels: its first step flattens (n, 28, 28) or (n, 784) arrays of
0-255 values and scales them to 0-1, so a saved model applied to a raw image gives the same
answer as in the evaluation.
"""

import contextlib
import io
import logging
import time
import warnings
from typing import Any

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, NearestCentroid
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from tidymnist.core.digits import N_CLASSES, N_PIXELS
from tidymnist.core.grid import scale_pixels, xy
from tidymnist.core.naming import BASE_MODELS
from tidymnist.models.augment import shifted_copies
from tidymnist.models.cnn import CNNClassifier
from tidymnist.models.deskew import Deskew

log = logging.getLogger(__name__)

# The keys of a "cnn" spec handed to tidymnist.models.cnn.CNNClassifier (the rest are pipeline
# options).
CNN_PARAMS = (
    "channels",
    "hidden",
    "dropout",
    "epochs",
    "batch_size",
    "learning_rate",
    "weight_decay",
    "augment",
    "max_shift",
    "max_rotation",
    "threads",
)


def _classifier(name: str, spec: dict[str, Any], seed: int) -> BaseEstimator:
    if name == "nearest_centroid":
        return NearestCentroid()
    if name == "knn":
        return KNeighborsClassifier(n_neighbors=spec["n_neighbors"], weights=spec["weights"])
    if name == "logistic_regression":
        return LogisticRegression(C=spec["C"], max_iter=spec["max_iter"], random_state=seed)
    if name == "neural_network":
        return MLPClassifier(
            hidden_layer_sizes=tuple(spec["hidden_layer_sizes"]),
            alpha=spec["alpha"],
            batch_size=spec["batch_size"],
            learning_rate_init=spec["learning_rate"],
            max_iter=spec["max_epochs"],
            early_stopping=spec["early_stopping"],
            n_iter_no_change=spec["patience"],
            random_state=seed,
        )
    if name == "svm":
        svm = SVC(C=spec["C"], gamma=spec["gamma"], random_state=seed)
        # Platt scaling fitted on 3-fold cross-validated decision values; one SVM on all data.
        calibrated = CalibratedClassifierCV(svm, method="sigmoid", cv=3, ensemble=False)
        return calibrated if spec["probability"] else svm
    if name == "cnn":
        return CNNClassifier(**{k: spec[k] for k in CNN_PARAMS if k in spec}, seed=seed)
    raise ValueError(f"unknown model {name!r}: expected one of {', '.join(BASE_MODELS)}")


def build_model(name: str, spec: dict[str, Any], seed: int, deskew: bool = False) -> Pipeline:
    """The pipeline for model ``name``: deskew (if asked), scale pixels, an optional PCA, the
    classifier."""
    steps = [("deskew", Deskew())] if deskew else []
    steps.append(("scale", FunctionTransformer(scale_pixels)))
    if spec.get("pca_components"):
        steps.append(("pca", PCA(n_components=spec["pca_components"], random_state=seed)))
    steps.append(("classifier", _classifier(name, spec, seed)))
    return Pipeline(steps)


def stored_values(model: Pipeline) -> int:
    """How many numbers the fitted model keeps (weights, centroids, support vectors, the
    training set of a k-NN ...): a measure of its size comparable across kinds of model."""
    total = 0
    for _, step in model.steps:
        for attribute, value in vars(step).items():
            if not attribute.endswith("_") or attribute.startswith("_"):
                continue
            values = value if isinstance(value, list) else [value]
            total += sum(
                int(v.size) for v in values if isinstance(v, np.ndarray) and v.dtype.kind in "fiu"
            )
        if isinstance(step, KNeighborsClassifier):
            total += int(step._fit_X.size)  # the stored training set
        if hasattr(step, "network_"):  # the CNN: its weights and batch-norm statistics
            total += step.n_parameters()
    return total


def fit_model(
    name: str,
    spec: dict[str, Any],
    seed: int,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    deskew: bool = False,
) -> tuple[Pipeline, float]:
    """Build and fit model ``name`` on raw training images (plus ``spec["augment_shifts"]``
    shifted copies of them, if any), deskewed first if ``deskew``; return it and the seconds it
    took.

    Whatever the estimator prints while fitting (a network's loss per epoch) goes to the log.
    Linear algebra runs on one thread: multi-threaded BLAS sums in an order that depends on the
    number of threads, and a network trained for several epochs amplifies those last-bit
    differences into different weights, so the same config would give different models on
    machines with different core counts. The workflow runs several fits at once instead. The
    CNN sets its own number of threads (``spec["threads"]``) and is deterministic for a given
    number.
    """
    model = build_model(name, spec, seed, deskew=deskew)
    if spec.get("augment_shifts"):
        images, labels = shifted_copies(images, labels, spec["augment_shifts"])
    if name == "neural_network":
        model[-1].set_params(verbose=True)
    log.info("fitting %s on %d images: %s", name, len(labels), model)
    start = time.perf_counter()
    with (
        contextlib.redirect_stdout(_LogWriter()),
        warnings.catch_warnings(record=True) as caught,
        threadpool_limits(limits=1),  # see below
    ):
        warnings.simplefilter("always")
        model.fit(images, labels)
    seconds = time.perf_counter() - start
    for warning in caught:
        if "within_class_std_dev_" not in str(warning.message):  # blank corners: expected
            log.warning("%s: %s", warning.category.__name__, warning.message)
    if name == "neural_network":
        model[-1].set_params(verbose=False)
    log.info("fitted %s in %.1f s", name, seconds)
    return model, seconds


def adopt_centroids(model: Pipeline, centroids: pl.DataFrame) -> Pipeline:
    """Make a fitted nearest-centroid model use the exploration's centroid table, so that the
    table and the model are one source of truth. The model's own centroids, computed from the
    same training images in single precision, must agree with the table first (to 0.01 on the
    0-255 scale): anything more means the two were made from different data."""
    table = centroids.sort("label", "pixel")["mean_value"].to_numpy().reshape(N_CLASSES, N_PIXELS)
    classifier = model[-1]
    worst = float(np.abs(classifier.centroids_.astype(np.float64) * 255.0 - table).max())
    if worst > 0.01:
        raise ValueError(
            f"nearest-centroid model and centroid table differ by up to {worst:.3g}: "
            "were they computed from the same training images?"
        )
    classifier.centroids_ = (table / 255.0).astype(classifier.centroids_.dtype)
    return model


def probabilities(model: Pipeline, images: np.ndarray) -> np.ndarray | None:
    """Class probabilities (columns in label order 0-9), or None for a model without them."""
    if not hasattr(model, "predict_proba"):
        return None
    proba = model.predict_proba(images)
    full = np.zeros((len(images), N_CLASSES))
    full[:, model.classes_] = proba
    return full


COEFFICIENTS_SCHEMA = pl.Schema(
    {"label": pl.UInt8, "pixel": pl.UInt16, "x": pl.UInt8, "y": pl.UInt8, "coefficient": pl.Float32}
)


def coefficients(model: Pipeline) -> pl.DataFrame:
    """A logistic regression's weights as a tidy table: label, pixel, x, y, coefficient."""
    weights = model[-1].coef_
    if "pca" in model.named_steps:
        weights = weights @ model.named_steps["pca"].components_
    labels = np.repeat(model.classes_.astype(np.uint8), N_PIXELS)
    pixel = np.tile(np.arange(N_PIXELS, dtype=np.uint16), len(model.classes_))
    return (
        pl.DataFrame({"label": labels, "pixel": pixel, "coefficient": weights.reshape(-1)})
        .with_columns(xy(pl.col("pixel")))
        .select("label", "pixel", "x", "y", "coefficient")
    )


class _LogWriter(io.TextIOBase):
    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                log.info("%s", line.strip())
        return len(text)
