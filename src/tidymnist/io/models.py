"""Saving and loading fitted models safely.

A model is a skops file (no pickle: loading runs no code from the file, and refuses any type not
on the list below) with a JSON card beside it recording the file's SHA-256, the configuration,
the library versions and the checksums of the data it was trained on. Loading checks the card
first: a file that was changed after it was written, or written by other library versions, is
refused before anything in it is read.
"""

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path
from typing import Any

import skops.io

from tidymnist.core.errors import TidyMnistError
from tidymnist.io.tables import atomic_path

# Types a tidymnist model may hold beyond the ones skops trusts by default.
TRUSTED_TYPES = [
    "tidymnist.core.grid.scale_pixels",
    "tidymnist.models.deskew.Deskew",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
]
VERSIONED = ("scikit-learn", "numpy", "scipy", "skops")


class ModelFileError(TidyMnistError, ValueError):
    """A model file is missing, was tampered with, or comes from elsewhere."""

    def __init__(self, path, problem: str):
        super().__init__(f"{path}: {problem}")


def card_path(path: str | os.PathLike) -> Path:
    return Path(path).with_suffix(".json")


def library_versions() -> dict[str, str]:
    return {name: version(name) for name in VERSIONED}


def save_model(model: Any, path: str | os.PathLike, card: dict[str, Any]) -> None:
    """Write ``model`` to ``path`` (.skops) and its card (``card`` plus checksum and versions)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        skops.io.dump(model, tmp)
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
        full_card = {**card, "sha256": digest, "versions": library_versions()}
        with atomic_path(card_path(path)) as card_tmp:
            card_tmp.write_text(json.dumps(full_card, indent=2, sort_keys=True) + "\n")


def read_card(path: str | os.PathLike) -> dict[str, Any]:
    card = card_path(path)
    try:
        return json.loads(card.read_text())
    except FileNotFoundError:
        raise ModelFileError(path, f"no model card {card.name} beside it") from None
    except json.JSONDecodeError as error:
        raise ModelFileError(card, f"not a valid model card ({error})") from None


def checked_content(path: Path, card: dict[str, Any], ours: dict[str, str]) -> bytes:
    """A saved model's bytes, once they match its card's checksum and library versions."""
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(path, "model file not found") from None
    if hashlib.sha256(content).hexdigest() != card.get("sha256"):
        raise ModelFileError(path, "checksum does not match its model card: the file was changed")
    theirs = card.get("versions", {})
    if theirs != ours:
        differ = ", ".join(
            f"{k} {theirs.get(k)} (here {ours[k]})" for k in ours if theirs.get(k) != ours[k]
        )
        raise ModelFileError(
            path, f"saved with other library versions: {differ}; retrain it with this environment"
        )
    return content


def load_model(path: str | os.PathLike) -> Any:
    """Load a model saved by :func:`save_model`, after checking it is the file that was saved,
    by these library versions, and holds only trusted types."""
    path = Path(path)
    content = checked_content(path, read_card(path), library_versions())
    try:
        untrusted = set(skops.io.get_untrusted_types(data=content)) - set(TRUSTED_TYPES)
    except Exception as error:  # skops raises many kinds on foreign files
        raise ModelFileError(path, f"not a readable skops model file ({error})") from None
    if untrusted:
        raise ModelFileError(path, f"holds types that are not trusted: {sorted(untrusted)}")
    return skops.io.loads(content, trusted=TRUSTED_TYPES)
