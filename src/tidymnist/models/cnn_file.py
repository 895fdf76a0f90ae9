"""Saving and loading the CNN safely: tensors only, checked against a card before use.

The weights go to a ``.safetensors`` file (named tensors and nothing else: no pickle, so loading
runs no code from the file) with a JSON card beside it, as for the other models
(:mod:`tidymnist.io.models`): the architecture's hyperparameters, the classes, the steps before
the network, the file's SHA-256 and the library versions. Loading checks the card, the checksum
and the versions, then that the file's tensor names, shapes and dtypes are exactly those of the
architecture in the card, before any tensor is read into a network.
"""

import hashlib
import json
import os
import struct
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from tidymnist.core.grid import scale_pixels
from tidymnist.io.models import ModelFileError, card_path, checked_content, read_card
from tidymnist.io.tables import atomic_path
from tidymnist.models.cnn import CNNClassifier, architecture, build_network, import_torch
from tidymnist.models.deskew import Deskew

import_torch()  # without the extra, importing this module raises TorchMissingError (an ImportError)

VERSIONED = ("torch", "safetensors", "numpy")
# The steps a saved CNN pipeline may have before the network, rebuilt from their names.
KNOWN_STEPS = ("deskew", "scale")
FORMAT = "tidymnist-cnn-1"
INTEGER_DTYPES = ("uint8", "uint16", "uint32", "int8", "int16", "int32", "int64")


def library_versions() -> dict[str, str]:
    return {name: version(name) for name in VERSIONED}


def _parts(model: Any) -> tuple[list[str], CNNClassifier]:
    """The names of the steps before the network, and the network's classifier."""
    if isinstance(model, CNNClassifier):
        return [], model
    steps = [name for name, _ in model.steps[:-1]]
    if not isinstance(model[-1], CNNClassifier) or any(s not in KNOWN_STEPS for s in steps):
        raise ValueError(
            f"expected a CNNClassifier or a pipeline of {', '.join(KNOWN_STEPS)} steps ending in "
            f"one, got steps {[name for name, _ in model.steps]}"
        )
    return steps, model[-1]


def save_cnn(model: Any, path: str | os.PathLike, card: dict[str, Any]) -> None:
    """Write a fitted CNN (bare, or a pipeline of deskew/scale steps ending in one) to ``path``
    (.safetensors) and its card (``card`` plus architecture, classes, checksum, versions)."""
    from safetensors.torch import save_file  # noqa: PLC0415 (optional dependency)

    steps, classifier = _parts(model)
    params = classifier.get_params()
    state = {k: v.detach().contiguous() for k, v in classifier.network_.state_dict().items()}
    path = Path(path)
    with atomic_path(path) as tmp:
        save_file(state, str(tmp), metadata={"format": FORMAT})
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
        full_card = {
            **card,
            "format": FORMAT,
            "architecture": architecture({**params, "n_classes": len(classifier.classes_)}),
            "params": {k: v for k, v in params.items() if k != "channels"}
            | {"channels": [int(c) for c in params["channels"]]},
            "classes": [int(c) for c in classifier.classes_],
            "classes_dtype": str(classifier.classes_.dtype),
            "steps": steps,
            "sha256": digest,
            "versions": library_versions(),
        }
        with atomic_path(card_path(path)) as card_tmp:
            card_tmp.write_text(json.dumps(full_card, indent=2, sort_keys=True) + "\n")


def _header(path: Path, content: bytes) -> dict[str, Any]:
    """The safetensors header: {tensor name: {dtype, shape, data_offsets}}, read by hand."""
    try:
        (size,) = struct.unpack("<Q", content[:8])
        if not 0 < size <= len(content) - 8:
            raise ValueError(f"header size {size} does not fit a file of {len(content)} bytes")
        header = json.loads(content[8 : 8 + size])
    except (struct.error, ValueError) as error:
        raise ModelFileError(path, f"not a safetensors file ({error})") from None
    header.pop("__metadata__", None)
    return header


def _expected_tensors(arch: dict[str, Any]) -> dict[str, tuple[str, list[int]]]:
    """Name -> (safetensors dtype, shape) of every tensor of the architecture, built on torch's
    meta device (shapes only, no memory, nothing from the file)."""
    torch = import_torch()
    with torch.device("meta"):
        network = build_network(**arch)
    dtypes = {torch.float32: "F32", torch.int64: "I64"}
    return {
        name: (dtypes.get(tensor.dtype, str(tensor.dtype)), list(tensor.shape))
        for name, tensor in network.state_dict().items()
    }


def _checked_architecture(path: Path, card: dict[str, Any]) -> dict[str, Any]:
    """The card's architecture, refused unless its values have the expected types and sizes."""
    arch = card.get("architecture")
    try:
        ok = (
            set(arch) == {"channels", "hidden", "dropout", "n_classes"}
            and all(isinstance(c, int) and 0 < c <= 1024 for c in arch["channels"])
            and 0 < len(arch["channels"]) <= 3
            and isinstance(arch["hidden"], int)
            and 0 < arch["hidden"] <= 8192
            and isinstance(arch["n_classes"], int)
            and 1 < arch["n_classes"] <= 1000
            and isinstance(arch["dropout"], int | float)
            and 0 <= arch["dropout"] < 1
            and len(card.get("classes", [])) == arch["n_classes"]
            and all(isinstance(c, int) for c in card["classes"])
            and card.get("classes_dtype") in INTEGER_DTYPES
        )
    except TypeError:
        ok = False
    if not ok:
        raise ModelFileError(
            card_path(path),
            f"architecture {arch!r} is not one tidymnist writes (channels: 1-3 widths, hidden, "
            "dropout, n_classes matching the integer classes)",
        )
    return arch


def load_cnn(path: str | os.PathLike) -> Any:
    """Load a CNN saved by :func:`save_cnn` (a pipeline if one was saved, else the bare
    classifier), after checking its card, checksum, library versions and tensor layout."""
    path = Path(path)
    card = read_card(path)
    content = checked_content(path, card, library_versions())
    if card.get("format") != FORMAT or any(s not in KNOWN_STEPS for s in card.get("steps", [])):
        raise ModelFileError(card_path(path), f"not a {FORMAT} card with known steps")
    arch = _checked_architecture(path, card)
    expected = _expected_tensors(arch)
    found = {
        name: (entry.get("dtype"), entry.get("shape"))
        for name, entry in _header(path, content).items()
    }
    if found != expected:
        wrong = sorted(set(found) ^ set(expected)) or sorted(
            name for name in expected if found[name] != expected[name]
        )
        raise ModelFileError(
            path, f"tensors do not match the architecture in its card: {', '.join(wrong[:5])}"
        )
    return _rebuild(content, card, arch)


def _rebuild(content: bytes, card: dict[str, Any], arch: dict[str, Any]) -> Any:
    """The fitted classifier (and pipeline) from checked weights and card."""
    from safetensors.torch import load  # noqa: PLC0415 (optional dependency)

    params = {k: v for k, v in card["params"].items() if k in CNNClassifier().get_params()}
    classifier = CNNClassifier(**params)
    classifier.classes_ = np.array(card["classes"], dtype=card["classes_dtype"])
    classifier.network_ = build_network(**arch)
    classifier.network_.load_state_dict(load(content), strict=True)
    classifier.network_.eval()
    if not card["steps"]:
        return classifier
    make = {"deskew": Deskew, "scale": lambda: FunctionTransformer(scale_pixels)}
    return Pipeline([*((name, make[name]()) for name in card["steps"]), ("classifier", classifier)])
