"""Loading every model the workflow trained, for the CLI and the local server."""

import os
import warnings
from pathlib import Path
from typing import Any

from tidymnist.core.errors import TidyMnistError
from tidymnist.core.naming import VARIANTS_BY_NAME, is_model, sort_models
from tidymnist.io.models import load_model


class NoModelsError(TidyMnistError, FileNotFoundError):
    """The folder of trained models is missing or holds none."""


class CnnSkippedWarning(UserWarning):
    """A saved CNN is there, but cannot be loaded here (no torch, or no loader)."""


class UnknownModelWarning(UserWarning):
    """A saved file is named for no model the workflow trains, so it is left alone."""


def load_trained_models(folder: str | os.PathLike) -> dict[str, Any]:
    """Every model saved in ``folder``, by name, in the study's order (that of
    :func:`tidymnist.core.naming.sort_models`): the ``*.skops`` files (safely, checked against
    their cards), and the CNNs' ``*.safetensors`` when PyTorch is installed (else a warning). A
    file named for no model variant is skipped with a warning."""
    folder = Path(folder)
    found = (
        sorted(folder.glob("*.skops")) + sorted(folder.glob("*.safetensors"))
        if folder.is_dir()
        else []
    )
    strangers = [path for path in found if not is_model(path.stem)]
    if strangers:
        warnings.warn(
            f"{', '.join(map(str, strangers))}: skipped, not named for a model the workflow "
            f"trains ({', '.join(VARIANTS_BY_NAME)})",
            UnknownModelWarning,
            stacklevel=2,
        )
    files = [path for path in found if path.suffix == ".skops" and is_model(path.stem)]
    models = {path.stem: load_model(path) for path in files}
    networks = [path for path in found if path.suffix == ".safetensors" and is_model(path.stem)]
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
    models = {name: models[name] for name in sort_models(models)}
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
