"""Configuration helpers that the workflow and the command line share.

Snakemake parses nested ``--config`` values (``--config max_images="{train: 2000}"``) with
YAML's base loader, which keeps every scalar a string. :func:`coerce_to_schema` turns such strings
back into the numbers, booleans and nulls that the schema asks for, and leaves every other value
alone (``class_names: ["0", "1", ...]`` stay strings), so that validation then judges the value
the user meant.
"""

from typing import Any

import jsonschema
import yaml

from tidymnist.errors import TidyMnistError


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
        types = schema.get("type", [])
        types = [types] if isinstance(types, str) else types
        wanted = tuple(SCALARS[t] for t in types if t in SCALARS)
        if wanted and "string" not in types:
            try:
                parsed = yaml.safe_load(value)
            except yaml.YAMLError:
                return value
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
    errors = sorted(validator.iter_errors(config), key=lambda error: list(error.absolute_path))
    if errors:
        raise ConfigError("invalid configuration:\n" + "\n".join(map(_describe, errors)))


def _describe(error: jsonschema.ValidationError) -> str:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        unknown = ", ".join(".".join([*path, key]) for key in error.instance if key not in known)
        return f"  unknown key {unknown} (known keys here: {', '.join(known)})"
    line = f"  {'.'.join(path) or '(top level)'}: {error.message}"
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    return f"{line} (expected: {description})" if description else line
