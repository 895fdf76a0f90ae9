"""A person's own digits: brought to MNIST's format, then tables the workflow's models can answer.

The images table has the pixel table's shape (one row per pixel per image), keyed by ``file``
instead of split and instance, so the same models, maps and figures serve both.
"""

import logging

import numpy as np
import polars as pl

from tidymnist.core.digits import N_PIXELS, SIDE
from tidymnist.core.grid import xy
from tidymnist.core.naming import variant_columns
from tidymnist.embed.maps import (
    PLACES_MAPS,
    loadings_matrix,
    mean_vector,
    pc_names,
    places_on_maps,
    project,
)
from tidymnist.handwriting.preprocess import (
    STEPS_SCHEMA,
    preprocess_steps,
    thumbnail_table,
    to_mnist,
)
from tidymnist.io.custom import ERRORS_SCHEMA, LABELS_SCHEMA

log = logging.getLogger(__name__)

# custom_steps: the preprocessing steps of one file, named
CUSTOM_STEPS_SCHEMA = pl.Schema({**STEPS_SCHEMA, "file": pl.String})
IMAGES_SCHEMA = pl.Schema(
    {
        "file": pl.String,
        "label": pl.UInt8,  # null where the labels file does not name the file (or there is none)
        "pixel": pl.UInt16,
        "x": pl.UInt8,
        "y": pl.UInt8,
        "value": pl.UInt8,  # 0 paper to 255 ink, as in MNIST
    }
)
ACCURACY_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "n": pl.UInt32,
        "correct": pl.UInt32,
        "accuracy": pl.Float64,
    }
)
PLACES_SCHEMA = pl.Schema(
    {
        "file": pl.String,
        "label": pl.UInt8,
        "map": PLACES_MAPS,
        "dim1": pl.Float64,
        "dim2": pl.Float64,
    }
)


def prepare(
    files: list[str], originals: list[np.ndarray]
) -> tuple[list[str], np.ndarray, pl.DataFrame]:
    """Each original brought to MNIST's 28 x 28 (see :mod:`tidymnist.handwriting.preprocess`): the
    files that
    made it, their images (n, 28, 28) uint8, and the files that had no ink to find, with why."""
    kept, images, errors = [], [], []
    for file, original in zip(files, originals, strict=True):
        try:
            images.append(to_mnist(original))
        except ValueError as error:  # NoInkError, PreprocessError
            errors.append({"file": file, "error": str(error)})
            continue
        kept.append(file)
    stacked = np.stack(images) if images else np.zeros((0, SIDE, SIDE), np.uint8)
    return kept, stacked, pl.DataFrame(errors, schema=ERRORS_SCHEMA)


def images_table(files: list[str], images: np.ndarray, labels: pl.DataFrame | None) -> pl.DataFrame:
    """The 28 x 28 images as a long table, with each file's label where ``labels`` gives one."""
    n = len(files)
    frame = pl.DataFrame(
        {
            "file": np.repeat(np.asarray(files, dtype=object), N_PIXELS),
            "pixel": np.tile(np.arange(N_PIXELS, dtype=np.uint16), n),
            "value": images.reshape(-1),
        },
        schema={"file": pl.String, "pixel": pl.UInt16, "value": pl.UInt8},
    ).with_columns(xy(pl.col("pixel")))
    if labels is None:
        frame = frame.with_columns(label=pl.lit(None, dtype=pl.UInt8))
    else:
        frame = frame.join(labels, on="file", how="left")
    return frame.select(IMAGES_SCHEMA.names()).cast(IMAGES_SCHEMA)


def custom_tables(
    names: list[str],
    originals: list[np.ndarray],
    unreadable: pl.DataFrame,
    labels: pl.DataFrame | None,
    *,
    show_steps: str | None,
) -> dict[str, pl.DataFrame]:
    """The custom digits' tables, from the files as :func:`tidymnist.io.custom.read_custom`
    read them (``names``, ``originals`` and the ``unreadable`` ones) and the labels file's table
    (or None): ``images`` and ``labels`` of the files that made it to MNIST's format,
    ``thumbnails`` for the gallery, the preprocessing ``steps`` of the file ``show_steps`` (the
    first when it is None or not among them) and ``errors``, every file skipped and why. Each
    skipped file is logged as a warning."""
    files, images, no_ink = prepare(names, originals)
    errors = pl.concat([unreadable, no_ink]).sort("file")
    for file, error in errors.iter_rows():
        log.warning("skipped %s: %s", file, error)
    labels = (labels if labels is not None else LABELS_SCHEMA.to_frame()).filter(
        pl.col("file").is_in(files)
    )
    originals = [originals[names.index(file)] for file in files]
    chosen = files.index(show_steps) if show_steps in files else 0
    if show_steps is not None and show_steps not in files:
        log.warning(
            "show_steps: %s is not among the usable custom digits; showing %s",
            show_steps,
            files[0],
        )
    log.info("%d custom digits ready, %d skipped", len(files), errors.height)
    return {
        "images": images_table(files, images, labels),
        "labels": labels,
        "thumbnails": thumbnail_table(files, originals, images),
        "steps": preprocess_steps(originals[chosen])
        .with_columns(file=pl.lit(files[chosen]))
        .cast(dict(CUSTOM_STEPS_SCHEMA)),
        "errors": errors,
    }


def image_arrays(table: pl.DataFrame) -> tuple[list[str], np.ndarray]:
    """The files (in table order) and their images (n, 28, 28) uint8, from an images table."""
    files = table["file"].unique(maintain_order=True).to_list()
    values = table.sort(pl.col("file").cast(pl.Enum(files)), "pixel")["value"].to_numpy()
    return files, values.reshape(len(files), SIDE, SIDE)


def accuracy_table(predictions: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """Per model, over the custom digits whose label is known: how many, how many right."""
    known = predictions.join(labels.drop_nulls("label"), on="file")
    counts = (
        known.group_by("model", maintain_order=True)
        .agg(n=pl.len(), correct=(pl.col("prediction") == pl.col("label")).sum())
        .with_columns(accuracy=pl.col("correct") / pl.col("n"))
    )
    return (
        variant_columns(counts)
        .cast(ACCURACY_SCHEMA)
        .sort("accuracy", "model", descending=[True, False])
    )


def pca_coordinates(
    images: np.ndarray, loadings: pl.DataFrame, mean: pl.DataFrame, dimensions: int
) -> pl.DataFrame:
    """Coordinates pc1 ... pc{dimensions} of raw images, from the training PCA's loadings and
    mean (the pca_loadings and pca_mean tables), by :func:`tidymnist.embed.maps.project`."""
    scores = project(images, mean_vector(mean), loadings_matrix(loadings, dimensions))
    return pl.DataFrame(scores, schema=pc_names(dimensions))


def places_table(
    files: list[str],
    labels: pl.DataFrame,
    coordinates: pl.DataFrame,
    train_coordinates: pl.DataFrame,
    *,
    tsne: pl.DataFrame,
    umap: pl.DataFrame,
    perplexity: float,
    n_neighbors: int,
    min_dist: float,
    seed: int,
    n_jobs: int = 1,
) -> pl.DataFrame:
    """Where each custom digit falls on the PCA plane, the t-SNE map and the UMAP map (placed
    on the maps with openTSNE's and UMAP's transforms; the maps themselves stay as they are)."""
    placed = places_on_maps(
        coordinates,
        train_coordinates,
        tsne,
        umap,
        dimensions=len(coordinates.columns),
        perplexity=perplexity,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        seed=seed,
        n_jobs=n_jobs,
    )
    base = pl.DataFrame({"file": files}).join(labels, on="file", how="left")
    plane = base.with_columns(
        map=pl.lit("PCA plane"), dim1=coordinates["pc1"], dim2=coordinates["pc2"]
    )
    on_maps = [
        base.with_columns(
            map=pl.lit(name), dim1=pl.Series(where[:, 0]), dim2=pl.Series(where[:, 1])
        )
        for name, where in placed.items()
    ]
    return pl.concat([plane, *on_maps], how="vertical_relaxed").select(
        "file",
        "label",
        pl.col("map").cast(PLACES_MAPS),
        pl.col("dim1").cast(pl.Float64),
        pl.col("dim2").cast(pl.Float64),
    )


def custom_places(
    images: pl.DataFrame,
    *,
    labels: pl.DataFrame,
    loadings: pl.DataFrame,
    mean: pl.DataFrame,
    coordinates: pl.DataFrame,
    tsne: pl.DataFrame,
    umap: pl.DataFrame,
    dimensions: int,
    perplexity: float,
    n_neighbors: int,
    min_dist: float,
    seed: int,
    n_jobs: int = 1,
) -> pl.DataFrame:
    """Where each custom digit of an images table falls on the PCA plane, the t-SNE map and the
    UMAP map, from the workflow's tables: custom labels, pca_loadings, pca_mean, pca_coordinates
    (its training rows are the maps' reference), tsne_map and umap_map; see
    :func:`places_table`."""
    files, arrays = image_arrays(images)
    return places_table(
        files,
        labels,
        pca_coordinates(arrays, loadings, mean, dimensions),
        coordinates.filter(pl.col("split") == "train"),
        tsne=tsne,
        umap=umap,
        perplexity=perplexity,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        seed=seed,
        n_jobs=n_jobs,
    )
