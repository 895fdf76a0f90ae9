"""Hyperparameter sweeps: one model refitted for each value of one setting, scored on held-out data.

A sweep never looks at the test split: each point is fitted on the training split minus its last
``validation`` images and scored on those, so the test accuracy in ``metrics`` stays an honest
estimate for the settings a reader then chooses. The points of one setting share a workflow job (and
its one reading of the pixel table), and every point is gathered into one tidy table, one row per
model, setting and value.
"""

import json
import logging
from typing import Any

import numpy as np
import polars as pl

from tidymnist.core.config import ConfigError
from tidymnist.core.naming import ModelVariant
from tidymnist.evaluate.grid import Point
from tidymnist.evaluate.tables import per_class_table
from tidymnist.models.pipelines import fit_model

log = logging.getLogger(__name__)

SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,  # always as_is: a sweep varies the model as configured
        "parameter": pl.String,
        "value": pl.String,  # as written in the config (JSON), e.g. 4, 0.1, [512, 256], true
        "position": pl.UInt16,  # the value's place in the config's list, for ordering
        "configured": pl.Boolean,  # the value the main model uses
        "accuracy": pl.Float64,  # on the validation images
        "macro_f1": pl.Float64,
        "fit_seconds": pl.Float64,
        "n_train": pl.UInt32,
        "n_validation": pl.UInt32,
    }
)


def holdout(
    images: np.ndarray, labels: np.ndarray, validation: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The training split cut in two: all but the last ``validation`` images, and those."""
    if not 0 < validation < len(labels):
        raise ConfigError(
            f"sweep.validation: {validation} held-out images leave nothing to train on "
            f"(the training split has {len(labels)}); expected 1 to {len(labels) - 1}"
        )
    cut = len(labels) - validation
    return images[:cut], labels[:cut], images[cut:], labels[cut:]


def score_point(
    point: Point,
    *,
    spec: dict[str, Any],
    seed: int,
    images: np.ndarray,
    labels: np.ndarray,
    validation: int,
) -> pl.DataFrame:
    """Fit ``point``'s model on the training images minus the held-out ones; score on those."""
    train_images, train_labels, held_images, held_labels = holdout(images, labels, validation)
    varied = {**spec, point.parameter: point.value}
    model, seconds = fit_model(point.model, varied, seed, train_images, train_labels)
    predicted = model.predict(held_images)
    per_class = per_class_table(
        pl.DataFrame(
            {"model": point.model, "label": held_labels, "predicted": predicted},
            schema={"model": pl.String, "label": pl.UInt8, "predicted": pl.UInt8},
        )
    )
    variant = ModelVariant(point.model)
    row = {
        "model": variant.name,
        "base_model": variant.base,
        "variant": variant.variant.value,
        "parameter": point.parameter,
        "value": json.dumps(point.value),
        "position": point.position,
        "configured": spec.get(point.parameter) == point.value,
        "accuracy": float(np.mean(predicted == held_labels)),
        "macro_f1": float(per_class["f1"].mean()),
        "fit_seconds": seconds,
        "n_train": len(train_labels),
        "n_validation": len(held_labels),
    }
    return pl.DataFrame([row], schema=SCHEMA)


def score_setting(points: list[Point], **context: Any) -> pl.DataFrame:
    """Every point of one setting scored (:func:`score_point`, ``context`` as its keywords),
    one row each, in config order."""
    rows = []
    for point in points:
        rows.append(score_point(point, **context))
        log.info("%s: validation accuracy %.4f", point.path, rows[-1]["accuracy"][0])
    return gather(rows)


def gather(points: list[pl.DataFrame]) -> pl.DataFrame:
    """All scored points as one table, in config order."""
    return pl.concat(points).sort("model", "parameter", "position")
