"""Loading every model the workflow trained, for the CLI and the local server."""

import os
import warnings
from pathlib import Path
from typing import Any

from tidymnist.core.errors import TidyMnistError
from tidymnist.io.models import load_model
from tidymnist.models.pipelines import MODEL_NAMES

CNN_FILE = "cnn.safetensors"


class NoModelsError(TidyMnistError, FileNotFoundError):
    """The folder of trained models is missing or holds none."""


class CnnSkippedWarning(UserWarning):
    """A saved CNN is there, but cannot be loaded here (no torch, or no loader)."""


def load_trained_models(folder: str | os.PathLike) -> dict[str, Any]:
    """Every model saved in ``folder``, by name, in the order of ``MODEL_NAMES`` then any others
    by name: the ``*.skops`` files (safely, checked against their cards), and the CNN of
    ``cnn.safetensors`` when there is one and PyTorch is installed (else a warning)."""
    folder = Path(folder)
    files = sorted(folder.glob("*.skops")) if folder.is_dir() else []
    order = {name: index for index, name in enumerate(MODEL_NAMES)}
    models = {path.stem: load_model(path) for path in files}
    networks = sorted(folder.glob("*.safetensors")) if folder.is_dir() else []
    if networks:
        try:
            from tidymnist.models.cnn_file import load_cnn  # noqa: PLC0415 (needs torch: optional)
        except ImportError as error:
            warnings.warn(
                f"{', '.join(map(str, networks))}: skipped, the CNN needs the optional extra "
                f"'cnn' (torch): {error}",
                CnnSkippedWarning,
                stacklevel=2,
            )
        else:
            models.update({path.stem: load_cnn(path) for path in networks})
    models = dict(
        sorted(
            models.items(),
            key=lambda item: (order.get(item[0].removesuffix("_deskewed"), len(order)), item[0]),
        )
    )
    if not models:
        raise NoModelsError(
            f"no trained models in {folder}: run the workflow first "
            "(see README: uv run snakemake -c all ...)"
        )
    return models


def load_model_file(path: str | os.PathLike) -> Any:
    """One saved model, by its file: PyTorch weights (``.safetensors``) or skops."""
    if Path(path).suffix == ".safetensors":
        from tidymnist.models.cnn_file import load_cnn  # noqa: PLC0415 (needs torch: optional)

        return load_cnn(path)
    return load_model(path)
