"""Shared fixtures: generated IDX files, a tiny hand-checkable dataset, and the real MNIST.

The suite has two tiers: ``pytest -m "not slow"`` runs everything that needs no workflow run, no
browser and no fit on the full data; plain ``pytest`` (what CI runs) runs all. A test that runs the
workflow (marker ``workflow``), drives Chromium (marker ``browser``) or starts a SLURM cluster
(marker ``slurm``) is slow by definition.

In CI (``CI=true``) nothing may skip for want of the real MNIST, the reference numbers, Chromium,
PyTorch, a plugin or SLURM: CI installs them all, so such a skip fails and names what is missing.
"""

import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from tidymnist.io.dataset import load_split
from tidymnist.tables.pixels import pixel_table
from workflow_runner import copy_project, snakemake

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference" / "tidyverse"


def mnist_dir() -> Path | None:
    """The real MNIST: $TIDYMNIST_DATA_DIR, else ../shared/data/mnist beside the checkout."""
    env = os.environ.get("TIDYMNIST_DATA_DIR")
    path = Path(env) if env else REPO.parent / "shared" / "data" / "mnist"
    return (
        path
        if (path / "train-labels-idx1-ubyte.gz").exists()
        or (path / "train-labels-idx1-ubyte").exists()
        else None
    )


IN_CI = os.environ.get("CI", "").lower() == "true"
IMPLIES_SLOW = ("workflow", "browser", "slurm")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(name) for name in IMPLIES_SLOW):
            item.add_marker(pytest.mark.slow)


def _fail_in_ci(report):
    """Turn a skip into a failure that names what was missing (CI installs everything)."""
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may be missing: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    _fail_in_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    _fail_in_ci(report)
    return report


@pytest.fixture(scope="session")
def test_data_dir() -> Path:
    """The small synthetic dataset of .test/ (made by .test/make_data.py)."""
    return REPO / ".test" / "data"


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    path = mnist_dir()
    if path is None:
        pytest.skip(
            "real MNIST not found: set TIDYMNIST_DATA_DIR or put it in ../shared/data/mnist"
        )
    return path


@pytest.fixture(scope="session")
def mnist_train(mnist_path):
    """The 60,000 real training digits, verified against the project's checksums."""
    checksums = yaml.safe_load((REPO / "config.yaml").read_text())["checksums"]
    return load_split(mnist_path, "train", checksums=checksums)


@pytest.fixture(scope="session")
def mnist_train_pixels(mnist_train) -> pl.DataFrame:
    return pixel_table(mnist_train.images, mnist_train.labels, "train")


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not REFERENCE.exists():
        pytest.skip(f"the tidyverse reference numbers are not in {REFERENCE}")
    return REFERENCE


@pytest.fixture
def tiny():
    """Three training images and one test image whose tables are known by hand.

    Label 0: image 0 has pixel 0 = 100, image 1 has pixel 0 = 200 -> centroid pixel 0 = 150.
    Label 1: image 2 has pixel 783 = 255 -> centroid is that image.
    Test image 0 (label 1) is blank.
    """
    train = np.zeros((3, 28, 28), np.uint8)
    train[0, 0, 0] = 100
    train[1, 0, 0] = 200
    train[2, 27, 27] = 255
    test = np.zeros((1, 28, 28), np.uint8)
    return pl.concat(
        [
            pixel_table(train, np.array([0, 0, 1], np.uint8), "train"),
            pixel_table(test, np.array([1], np.uint8), "test"),
        ]
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A scratch copy of the project after the whole workflow ran on the .test/ data."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    run = snakemake(project, "--configfile", ".test/config.yaml")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return project
