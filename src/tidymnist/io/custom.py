"""Reading a folder of custom digits and its optional labels file, one bad file at a time.

A folder of a person's own digits is messy by nature: a file that is not an image, or is empty,
must not stop the others. Each such file becomes a row of an errors table that the report shows.
"""

import os
from pathlib import Path

import numpy as np
import polars as pl

from tidymnist.core.errors import TidyMnistError
from tidymnist.io.images import find_images, read_image

ERRORS_SCHEMA = pl.Schema({"file": pl.String, "error": pl.String})
LABELS_SCHEMA = pl.Schema({"file": pl.String, "label": pl.UInt8})


class LabelsFileError(TidyMnistError, ValueError):
    """The labels CSV of the custom digits is missing, malformed or names unknown labels."""

    def __init__(self, path, problem: str):
        super().__init__(f"{path}: {problem}")


def custom_files(folder: str | os.PathLike) -> list[Path]:
    """The image files of a custom-digits folder, sorted (see :func:`find_images`)."""
    return find_images([folder])


def read_custom(
    folder: str | os.PathLike, files: list[str | os.PathLike]
) -> tuple[list[str], list[np.ndarray], pl.DataFrame]:
    """Read ``files`` of ``folder``: their names relative to it, their greyscale arrays, and a
    table of the files that could not be read and why."""
    names, images, errors = [], [], []
    for path in map(Path, files):
        name = path.relative_to(folder).as_posix()
        try:
            images.append(read_image(path))
        except TidyMnistError as error:
            errors.append({"file": name, "error": getattr(error, "problem", str(error))})
            continue
        names.append(name)
    return names, images, pl.DataFrame(errors, schema=ERRORS_SCHEMA)


def read_labels(path: str | os.PathLike) -> pl.DataFrame:
    """The labels CSV (columns ``file`` and ``label``, file names relative to the folder)."""
    try:
        table = pl.read_csv(path, schema_overrides={"file": pl.String, "label": pl.String})
    except FileNotFoundError:
        raise LabelsFileError(path, "labels file not found") from None
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as error:
        raise LabelsFileError(path, f"not a readable CSV ({error})") from None
    missing = {"file", "label"} - set(table.columns)
    if missing:
        raise LabelsFileError(
            path, f"missing column(s) {', '.join(sorted(missing))}: expected file,label"
        )
    labels = table.select(
        pl.col("file").str.strip_chars(),
        pl.col("label").str.strip_chars().cast(pl.UInt8, strict=False).alias("label"),
    )
    bad = table.filter(
        labels["label"].is_null() | (labels["label"] > 9) | labels["file"].is_null()
    ).head(3)
    if bad.height:
        raise LabelsFileError(path, f"labels must be digits 0-9, got rows {bad.rows()}")
    duplicated = labels.filter(pl.col("file").is_duplicated())["file"].unique().sort()
    if len(duplicated):
        raise LabelsFileError(path, f"files listed twice: {', '.join(duplicated.head(5))}")
    return labels.cast(LABELS_SCHEMA)
