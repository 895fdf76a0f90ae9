"""Which labels of MNIST look wrong: confident learning (cleanlab) over out-of-sample
probabilities, for both splits.

Every image needs class probabilities from a model that did not learn from it. A training image
gets its from cross-validation (:func:`out_of_fold_probabilities`: the model fitted on the other
folds of the training split, seeded); a test image from the model the study trained on the whole
training split. :func:`label_issues` passes each split's labels and probabilities to
:func:`cleanlab.filter.find_label_issues`, which flags the images whose given label the
probabilities confidently dispute, and ranks them by cleanlab's self-confidence score (the
probability of the given label): rank 1 is the most likely wrong.

:func:`sensitivity_table` then says how each model's test accuracy changes when the test
split's top candidates are set aside: a sensitivity analysis beside the plain accuracy, which it
never replaces (the candidates are only candidates, and they are chosen by one model's eyes).
"""

import logging
import time
from typing import Any

import numpy as np
import polars as pl
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_label_quality_scores
from sklearn.model_selection import StratifiedKFold

from tidymnist.core.digits import N_CLASSES
from tidymnist.core.naming import variant_columns
from tidymnist.models.pipelines import fit_model, probabilities
from tidymnist.tables.pixels import SPLIT, select_images, selected_schema, split_arrays

log = logging.getLogger(__name__)

PROBABILITIES_SCHEMA = pl.Schema(
    {
        "split": SPLIT,
        "instance": pl.UInt32,
        "label": pl.UInt8,  # as given
        "class": pl.UInt8,  # the class the probability is of
        "probability": pl.Float64,
    }
)
SCHEMA = pl.Schema(
    {
        "model": pl.String,  # the model whose probabilities judged the labels
        "base_model": pl.String,
        "variant": pl.String,
        "split": SPLIT,
        "instance": pl.UInt32,
        "label": pl.UInt8,  # as given
        "suggested": pl.UInt8,  # the class the probabilities favour
        "score": pl.Float64,  # cleanlab's self-confidence: the probability of the given label
        "rank": pl.UInt32,  # within the split, 1 = most likely wrong
    }
)
SENSITIVITY_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "n": pl.UInt32,  # test images
        "accuracy": pl.Float64,  # on all of them: the plain accuracy of the metrics table
        "set_aside": pl.UInt32,  # the test split's top candidates left out
        "accuracy_without": pl.Float64,  # on the others
        "change": pl.Float64,  # accuracy_without - accuracy
    }
)
# The pixel rows of the gallery's candidates.
GALLERY_KEYS = ("split", "instance", "suggested", "score", "rank")
PIXELS_SCHEMA = selected_schema(pl.Schema({k: SCHEMA[k] for k in GALLERY_KEYS}))


def out_of_fold_probabilities(
    base: str,
    spec: dict[str, Any],
    seed: int,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    folds: int,
    deskew: bool = False,
) -> np.ndarray:
    """Each image's class probabilities (n, 10) from model ``base`` (with ``spec``, deskewed
    first if ``deskew``) fitted on the other ``folds`` - 1 folds: stratified by label, shuffled
    by ``seed``."""
    if folds < 2:
        raise ValueError(f"expected at least 2 folds, got {folds}")
    labels = np.asarray(labels)
    out = np.zeros((len(labels), N_CLASSES))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train, held) in enumerate(splitter.split(np.zeros(len(labels)), labels), 1):
        start = time.perf_counter()
        model, seconds = fit_model(base, spec, seed, images[train], labels[train], deskew=deskew)
        found = probabilities(model, images[held])
        if found is None:
            raise ValueError(f"{base} gives no probabilities: confident learning needs them")
        out[held] = found
        log.info(
            "fold %d of %d: fitted on %d images in %.1f s, %d held-out images read in %.1f s",
            fold,
            folds,
            len(train),
            seconds,
            len(held),
            time.perf_counter() - start - seconds,
        )
    log.info("out-of-fold accuracy %.4f", (out.argmax(axis=1) == labels).mean())
    return out


def probabilities_table(
    split: str, instances: np.ndarray, labels: np.ndarray, probabilities: np.ndarray
) -> pl.DataFrame:
    """Class probabilities (n, 10) as a long table (:data:`PROBABILITIES_SCHEMA`), in instance
    then class order."""
    n = len(labels)
    return pl.DataFrame(
        {
            "split": [split] * (n * N_CLASSES),
            "instance": np.repeat(np.asarray(instances), N_CLASSES),
            "label": np.repeat(np.asarray(labels), N_CLASSES),
            "class": np.tile(np.arange(N_CLASSES), n),
            "probability": np.asarray(probabilities, dtype=np.float64).reshape(-1),
        },
        schema=PROBABILITIES_SCHEMA,
    )


def probabilities_from_table(table: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Instances, labels and probabilities (n, 10) of a :data:`PROBABILITIES_SCHEMA` table."""
    table = table.sort("instance", "class")
    first = table.filter(pl.col("class") == 0)
    probs = table["probability"].to_numpy().reshape(-1, N_CLASSES)
    return first["instance"].to_numpy(), first["label"].to_numpy(), probs


def label_issues(
    model: str,
    split: str,
    instances: np.ndarray,
    labels: np.ndarray,
    probabilities: np.ndarray,
    *,
    filter_by: str = "prune_by_noise_rate",
) -> pl.DataFrame:
    """The images of one split whose label cleanlab's :func:`find_label_issues` flags (with
    ``filter_by``, one of its ways: the config schema lists them) from ``model``'s
    ``probabilities``, each with the class they suggest and its self-confidence score, ranked
    from the most likely wrong (:data:`SCHEMA`)."""
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (len(labels), N_CLASSES):
        raise ValueError(
            f"expected ({len(labels)}, {N_CLASSES}) probabilities, got {probabilities.shape}"
        )
    flagged = find_label_issues(labels, probabilities, filter_by=filter_by, n_jobs=1)
    scores = get_label_quality_scores(labels, probabilities, method="self_confidence")
    table = pl.DataFrame(
        {
            "model": model,
            "split": split,
            "instance": np.asarray(instances),
            "label": labels,
            "suggested": probabilities.argmax(axis=1),
            "score": scores,
        },
        schema={k: SCHEMA[k] for k in SCHEMA.names() if k not in ("base_model", "variant", "rank")},
    ).filter(pl.Series(flagged))
    ranked = table.sort("score", "instance").with_row_index("rank", offset=1)
    return variant_columns(ranked).select(SCHEMA.names()).cast(dict(SCHEMA))


def sensitivity_table(
    predictions: pl.DataFrame, issues: pl.DataFrame, set_aside: int | None = None
) -> pl.DataFrame:
    """Each model's accuracy on every test image of ``predictions`` and without the test
    split's ``set_aside`` top candidates of ``issues`` (all of them when None)
    (:data:`SENSITIVITY_SCHEMA`), best first."""
    test = issues.filter(pl.col("split") == "test").sort("rank")
    left_out = test.head(set_aside) if set_aside is not None else test
    out = pl.col("instance").is_in(left_out["instance"].implode())
    right = pl.col("label") == pl.col("predicted")
    table = (
        predictions.group_by("model")
        .agg(
            n=pl.len(),
            accuracy=right.mean(),
            set_aside=out.sum(),
            accuracy_without=right.filter(~out).mean(),
        )
        .with_columns(change=pl.col("accuracy_without") - pl.col("accuracy"))
        .sort(["accuracy", "model"], descending=[True, False])
    )
    return variant_columns(table).select(SENSITIVITY_SCHEMA.names()).cast(dict(SENSITIVITY_SCHEMA))


def gallery_pixels(
    pixels: pl.LazyFrame | pl.DataFrame, issues: pl.DataFrame, k: int
) -> pl.DataFrame:
    """The pixel rows of each split's ``k`` top candidates, with their suggested label, score
    and rank (:data:`PIXELS_SCHEMA`)."""
    top = issues.filter(pl.col("rank") <= k).select(GALLERY_KEYS)
    return select_images(pixels, top).select(PIXELS_SCHEMA.names()).cast(dict(PIXELS_SCHEMA))


def both_splits(
    model: str,
    out_of_fold: pl.DataFrame,
    test: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    filter_by: str,
) -> pl.DataFrame:
    """The label issues that ``model`` finds in the training split (from its ``out_of_fold``
    table) and in the test split (``test``: instances, labels, probabilities), one table."""
    frames = [
        label_issues(model, "train", *probabilities_from_table(out_of_fold), filter_by=filter_by),
        label_issues(model, "test", *test, filter_by=filter_by),
    ]
    for frame in frames:
        if frame.height:
            log.info("%s: %d label issues", frame["split"][0], frame.height)
    return pl.concat(frames)


def out_of_fold_table(
    pixels: pl.LazyFrame | pl.DataFrame,
    *,
    base: str,
    spec: dict[str, Any],
    seed: int,
    folds: int,
    deskew: bool = False,
) -> pl.DataFrame:
    """Every training image's out-of-fold probabilities (:func:`out_of_fold_probabilities`)
    from a pixel table, as a :data:`PROBABILITIES_SCHEMA` table."""
    instances, images, labels = split_arrays(pixels, "train")
    found = out_of_fold_probabilities(base, spec, seed, images, labels, folds=folds, deskew=deskew)
    return probabilities_table("train", instances, labels, found)


def label_issue_tables(
    name: str,
    out_of_fold: pl.DataFrame,
    detector: Any,
    pixels: pl.LazyFrame | pl.DataFrame,
    predictions: pl.DataFrame,
    *,
    filter_by: str,
    gallery: int,
    set_aside: int | None,
) -> dict[str, pl.DataFrame]:
    """The ``issues`` of both splits (the test split's probabilities from ``detector``, the
    model ``name`` trained on the whole training split), the ``sensitivity`` of every model's test
    accuracy to them (its ``predictions``) and the gallery's ``pixels``, by those names."""
    instances, images, labels = split_arrays(pixels, "test")
    found = probabilities(detector, images)
    if found is None:
        raise ValueError("the detector gives no probabilities: confident learning needs them")
    issues = both_splits(name, out_of_fold, (instances, labels, found), filter_by=filter_by)
    return {
        "issues": issues,
        "sensitivity": sensitivity_table(predictions, issues, set_aside),
        "pixels": gallery_pixels(pixels, issues, gallery),
    }
