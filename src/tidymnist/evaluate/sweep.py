"""Hyperparameter sweeps: one model refitted for each value of one setting, scored on held-out data.

A sweep never looks at the test split: each point is fitted on the training split minus its last
``validation`` images and scored on those, so the test accuracy in ``metrics`` stays an honest
estimate for the settings a reader then chooses. Every point is its own workflow job, and the points
are gathered into one tidy table, one row per model, setting and value.
"""

import json
from dataclasses import dataclass
from typing import Any

import jsonschema
import numpy as np
import polars as pl

from tidymnist.core.config import ConfigError, coerce_to_schema
from tidymnist.core.naming import BASE_MODELS, ModelVariant
from tidymnist.evaluate.tables import per_class_table
from tidymnist.models.pipelines import fit_model

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


@dataclass(frozen=True)
class Point:
    """One job of a sweep: ``model`` with ``parameter`` set to ``value``."""

    model: str
    parameter: str
    value: Any
    position: int

    @property
    def token(self) -> str:
        """The value as a file-name-safe word: 4, 0.1, 512-256, true."""
        if isinstance(self.value, bool):
            return str(self.value).lower()
        if isinstance(self.value, list):
            return "-".join(map(str, self.value))
        return str(self.value)

    @property
    def path(self) -> str:
        return f"{self.model}/{self.parameter}/{self.token}"


def sweep_points(grid: dict[str, dict[str, list]], models: dict, schema: dict) -> list[Point]:
    """Every point of ``grid`` (model -> setting -> values), after checking that each model and
    setting exists and that each value is one the config schema allows for that setting."""
    points = []
    model_schemas = schema["properties"]["models"]["properties"]
    for model, settings in grid.items():
        if model not in BASE_MODELS:
            raise ConfigError(
                f"sweep.grid.{model}: unknown model (expected one of {', '.join(BASE_MODELS)})"
            )
        known = model_schemas[model]["properties"]
        for parameter, values in settings.items():
            if parameter == "enabled" or parameter not in known:
                allowed = ", ".join(k for k in known if k != "enabled")
                raise ConfigError(
                    f"sweep.grid.{model}.{parameter}: not a setting of {model} "
                    f"(expected one of {allowed})"
                )
            tokens = set()
            setting_schema = {**model_schemas[model], "definitions": schema["definitions"]}
            validator = jsonschema.Draft202012Validator(setting_schema)
            for position, raw in enumerate(values):
                value = coerce_to_schema(raw, known[parameter], schema)  # --config gives strings
                error = jsonschema.exceptions.best_match(
                    validator.iter_errors({**models[model], parameter: value})
                )
                if error is not None:
                    raise ConfigError(f"sweep.grid.{model}.{parameter}: {value!r}: {error.message}")
                point = Point(model, parameter, value, position)
                if point.token in tokens:
                    raise ConfigError(f"sweep.grid.{model}.{parameter}: {value!r} is listed twice")
                tokens.add(point.token)
                points.append(point)
    return points


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


def gather(points: list[pl.DataFrame]) -> pl.DataFrame:
    """All scored points as one table, in config order."""
    return pl.concat(points).sort("model", "parameter", "position")
