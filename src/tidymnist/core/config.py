"""Configuration helpers that the workflow and the command line share.

Snakemake parses nested ``--config`` values (``--config max_images="{train: 2000}"``) with
YAML's base loader, which keeps every scalar a string. :func:`coerce_to_schema` turns such strings
back into the numbers, booleans and nulls that the schema asks for, and leaves every other value
alone (``class_names: ["0", "1", ...]`` stay strings), so that validation then judges the value
the user meant.
"""

import math
from typing import Any

import jsonschema
import yaml

from tidymnist.core.errors import TidyMnistError


class ConfigError(TidyMnistError, ValueError):
    """A configuration value is unknown, of the wrong type or out of range."""


SCALARS = {"integer": int, "number": (int, float), "boolean": bool, "null": type(None)}


def coerce_to_schema(value: Any, schema: dict, root: dict | None = None) -> Any:
    """``value`` with strings converted where ``schema`` wants a number, boolean or null."""
    root = root or schema
    schema = _resolve(schema, root)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        return {
            key: coerce_to_schema(
                item, properties.get(key, extra if isinstance(extra, dict) else {}), root
            )
            for key, item in value.items()
        }
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [coerce_to_schema(item, schema["items"], root) for item in value]
    if isinstance(value, str):
        return _coerce_string(value, schema)
    return value


def _coerce_string(value: str, schema: dict) -> Any:
    """A string from the command line as the scalar ``schema`` wants, else unchanged."""
    enum = schema.get("enum")
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    wanted = tuple(SCALARS[t] for t in types if t in SCALARS)
    if not (enum and value not in enum) and not (wanted and "string" not in types):
        return value
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    if enum:  # --config gives "true" where an enum such as [auto, true, false] means the boolean
        return parsed if parsed in [e for e in enum if type(e) is type(parsed)] else value
    if isinstance(parsed, wanted) and not (isinstance(parsed, bool) and bool not in wanted):
        return parsed
    return value


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if not ref:
        return schema
    node = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return {**node, **{k: v for k, v in schema.items() if k != "$ref"}}


def check_config(config: dict, schema: dict) -> None:
    """Raise :class:`ConfigError` naming every key of ``config`` that ``schema`` refuses."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(config),
        key=lambda error: [str(part) for part in error.absolute_path],  # keys may be ints too
    )
    problems = [*map(_describe, errors), *_non_finite(config)]
    if problems:
        raise ConfigError("invalid configuration:\n" + "\n".join(problems))


def _non_finite(value: Any, path: tuple = ()) -> list[str]:
    """NaN and infinity pass every minimum and maximum in a JSON schema; name each one found."""
    if isinstance(value, dict):
        return [line for key, item in value.items() for line in _non_finite(item, (*path, key))]
    if isinstance(value, list):
        return [line for i, item in enumerate(value) for line in _non_finite(item, (*path, i))]
    if isinstance(value, float) and not math.isfinite(value):
        where = ".".join(map(str, path)) or "(top level)"
        return [f"  {where}: {value} is not a finite number"]
    return []


def _describe(error: jsonschema.ValidationError) -> str:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        unknown = ", ".join(
            ".".join([*path, str(key)]) for key in error.instance if key not in known
        )
        return f"  unknown key {unknown} (known keys here: {', '.join(known)})"
    line = f"  {'.'.join(path) or '(top level)'}: {error.message}"
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    return f"{line} (expected: {description})" if description else line
