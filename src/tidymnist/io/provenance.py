"""Where a result came from: the code version and the libraries that made it."""

import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

import polars as pl

PACKAGES = (
    "tidymnist",
    "polars",
    "pyarrow",
    "numpy",
    "scikit-learn",
    "plotnine",
    "snakemake",
    "openTSNE",
    "skops",
    "great-tables",
    "torch",
    "safetensors",
)


def git_commit(directory: str = ".") -> str:
    """The checked-out commit (with "+changes" when the tree differs from it), or "unknown"."""
    try:
        commit = _git(directory, "rev-parse", "--short", "HEAD")
        dirty = _git(directory, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}+changes" if dirty else commit


def _git(directory: str, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=directory, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


def package_versions() -> pl.DataFrame:
    rows = []
    for name in PACKAGES:
        try:
            rows.append({"package": name, "version": version(name)})
        except PackageNotFoundError:
            rows.append({"package": name, "version": "not installed"})
    return pl.DataFrame(rows)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
