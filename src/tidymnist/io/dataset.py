"""Find, verify and load a dataset in MNIST's layout: IDX files (raw or gzip) or the CSV layout.

The IDX layout is the four standard files (``train-images-idx3-ubyte`` and friends, with or
without ``.gz``). The CSV layout is the one the well-known tidy analyses use: ``mnist_train.csv``
and ``mnist_test.csv``, no header, the label in the first column and then the 784 pixels row by row.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from tidymnist.core.digits import N_PIXELS, SIDE
from tidymnist.core.errors import DataFileError
from tidymnist.io.idx import parse_idx, read_bytes, read_idx_bytes, verify_sha256

IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
CSV_FILES = {"train": "mnist_train.csv", "test": "mnist_test.csv"}
FILES_SCHEMA = {"split": pl.String, "file": pl.String, "sha256": pl.String, "bytes": pl.Int64}


@dataclass(frozen=True)
class Split:
    """One split as arrays, with the provenance of the files it came from."""

    name: str
    images: np.ndarray  # (n, 28, 28) uint8
    labels: np.ndarray  # (n,) uint8
    files: pl.DataFrame  # split, file, sha256 (of the decompressed content), bytes


def idx_path(data_dir: str | os.PathLike, name: str) -> Path:
    """The file ``name`` in ``data_dir``: the gzip copy when there is one, else the raw file.

    When neither exists this is the ``.gz`` path, which is what a download writes.
    """
    data_dir = Path(data_dir)
    raw = data_dir / name
    return (
        raw
        if raw.exists() and not (data_dir / f"{name}.gz").exists()
        else raw.with_name(f"{name}.gz")
    )


def split_paths(data_dir: str | os.PathLike, split: str, data_format: str = "idx") -> list[Path]:
    """The files that hold one split, in the order :func:`load_split` reads them."""
    if data_format == "csv":
        return [Path(data_dir) / CSV_FILES[split]]
    return [idx_path(data_dir, name) for name in IDX_FILES[split]]


def missing_files(data_dir: str | os.PathLike, data_format: str = "idx") -> list[str]:
    """Names of the dataset's files absent from ``data_dir`` (without ``.gz``)."""
    return [
        path.name.removesuffix(".gz")
        for split in IDX_FILES
        for path in split_paths(data_dir, split, data_format)
        if not path.exists()
    ]


def load_idx_split(
    split: str,
    images_path: str | os.PathLike,
    labels_path: str | os.PathLike,
    checksums: dict[str, str] | None = None,
    limit: int | None = None,
) -> Split:
    """One split from its two IDX files, verified and checked against each other."""
    checksums = checksums or {}
    contents = {path: read_idx_bytes(path) for path in (images_path, labels_path)}
    digests = {
        path: verify_sha256(path, content, checksums.get(_stem(path)))
        for path, content in contents.items()
    }
    images = parse_idx(contents[images_path], images_path)
    labels = parse_idx(contents[labels_path], labels_path)
    if images.ndim != 3:
        raise DataFileError(images_path, f"expected a 3-dimensional image file, got {images.ndim}")
    if images.shape[1:] != (SIDE, SIDE):
        raise DataFileError(
            images_path, f"wrong image size {images.shape[1]}x{images.shape[2]}: expected 28x28"
        )
    if labels.ndim != 1:
        raise DataFileError(labels_path, f"expected a 1-dimensional label file, got {labels.ndim}")
    if len(images) != len(labels):
        raise DataFileError(
            labels_path,
            f"holds {len(labels)} labels but {Path(images_path).name} holds {len(images)} images",
        )
    _check_labels(labels_path, labels)
    return Split(split, images[:limit], labels[:limit], _manifest(split, contents, digests))


def load_csv_split(
    split: str,
    path: str | os.PathLike,
    sha256_expected: str | None = None,
    limit: int | None = None,
) -> Split:
    """One split from the headerless CSV layout (label, then 784 pixel values per row)."""
    content = read_bytes(path)
    digest = verify_sha256(path, content, sha256_expected)
    if not content.strip():
        raise DataFileError(path, "empty CSV file")
    try:
        frame = pl.read_csv(
            content, has_header=False, infer_schema=False, n_rows=limit, truncate_ragged_lines=False
        )
    except pl.exceptions.PolarsError as error:
        raise DataFileError(path, f"not a valid CSV file ({_first_line(error)})") from None
    if frame.width != N_PIXELS + 1:
        raise DataFileError(
            path, f"rows have {frame.width} columns: expected {N_PIXELS + 1} (label + 784 pixels)"
        )
    values = frame.select(pl.all().str.strip_chars().cast(pl.Int64, strict=False))
    bad = values.with_row_index("row").filter(
        pl.any_horizontal(pl.exclude("row").is_null() | ~pl.exclude("row").is_between(0, 255))
    )
    if bad.height:
        raise DataFileError(
            path,
            f"row {bad['row'][0] + 1} holds a value that is not an integer in 0-255 "
            f"({bad.height} bad rows in all)",
        )
    array = values.to_numpy().astype(np.uint8)
    labels = np.ascontiguousarray(array[:, 0])
    _check_labels(path, labels)
    images = np.ascontiguousarray(array[:, 1:]).reshape(-1, SIDE, SIDE)
    return Split(split, images, labels, _manifest(split, {path: content}, {path: digest}))


def load_split(
    data_dir: str | os.PathLike,
    split: str,
    data_format: str = "idx",
    checksums: dict[str, str] | None = None,
    limit: int | None = None,
) -> Split:
    """One split of the dataset in ``data_dir``, verified against ``checksums`` (name: SHA-256)."""
    return load_files(
        split, split_paths(data_dir, split, data_format), data_format, checksums, limit
    )


def load_files(
    split: str,
    paths: list[str | os.PathLike],
    data_format: str = "idx",
    checksums: dict[str, str] | None = None,
    limit: int | None = None,
) -> Split:
    """One split from its files as :func:`split_paths` lists them (images and labels, or a CSV)."""
    checksums = checksums or {}
    if data_format == "csv":
        (path,) = paths
        return load_csv_split(split, path, checksums.get(Path(path).name), limit)
    images_path, labels_path = paths
    return load_idx_split(split, images_path, labels_path, checksums, limit)


def _manifest(split: str, contents: dict, digests: dict) -> pl.DataFrame:
    rows = [
        {"split": split, "file": Path(path).name, "sha256": digests[path], "bytes": len(content)}
        for path, content in contents.items()
    ]
    return pl.DataFrame(rows, schema=FILES_SCHEMA)


def _check_labels(path, labels: np.ndarray) -> None:
    if labels.size and labels.max() > 9:
        raise DataFileError(path, f"label {labels.max()} is out of range: expected 0-9")


def _stem(path) -> str:
    name = Path(path).name
    return name.removesuffix(".gz")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
