"""The points of a hyperparameter sweep, read from the config's ``sweep.grid`` and checked
against the config schema: what the Snakefile needs to plan the sweep's jobs, without the models
(:mod:`tidymnist.evaluate.sweep` fits and scores them)."""

from dataclasses import dataclass
from typing import Any

import jsonschema

from tidymnist.core.config import ConfigError, coerce_to_schema
from tidymnist.core.naming import BASE_MODELS


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
