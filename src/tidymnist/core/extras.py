"""The optional extras, found without importing them: PyTorch for the CNN.

``models.cnn.enabled: auto`` (the default) trains the CNN where the ``cnn`` extra (PyTorch and
safetensors) is installed and skips it elsewhere; the Snakefile decides that when it starts, so
it asks the package metadata rather than importing PyTorch (which takes seconds).
"""

from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec

from tidymnist.core.errors import TidyMnistError

# What the CNN needs besides the project's own dependencies (the `cnn` extra of pyproject.toml).
CNN_EXTRA = ("torch", "safetensors")
# PyTorch's CPU build (a few hundred MB; PyPI's default is a multi-GB CUDA build).
INSTALL_COMMAND = (
    "uv pip install torch --index-url https://download.pytorch.org/whl/cpu "
    "&& uv pip install safetensors"
)
INSTALL_HINT = (
    f"the CNN needs PyTorch, an optional extra: install it with `{INSTALL_COMMAND}` "
    "(or `uv sync --extra cnn --inexact`, which takes PyPI's larger build)"
)


class TorchMissingError(TidyMnistError, ImportError):
    """PyTorch, which the CNN needs, is not installed."""


def installed_version(package: str) -> str | None:
    """``package``'s installed version, or None where it cannot be imported."""
    if find_spec(package) is None:
        return None
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def cnn_extra_installed() -> bool:
    """Whether every package of the ``cnn`` extra is installed."""
    return all(installed_version(package) for package in CNN_EXTRA)


def cnn_enabled(setting: bool | str, *, installed: bool) -> bool:
    """Whether a run trains the CNN: ``models.cnn.enabled`` is true, false or "auto" (when the
    extra is ``installed``). True without the extra is :class:`TorchMissingError`."""
    if setting == "auto":
        return installed
    if setting is True and not installed:
        raise TorchMissingError(f"models.cnn.enabled is true, but {INSTALL_HINT}")
    return bool(setting)
