"""Trained models applied to custom images, as tidy tables: a row per image per model."""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from tidymnist.core.digits import N_CLASSES, SIDE
from tidymnist.core.naming import variant_columns
from tidymnist.handwriting.custom import accuracy_table, image_arrays
from tidymnist.models.pipelines import probabilities

log = logging.getLogger(__name__)

PREDICTIONS_SCHEMA = pl.Schema(
    {
        "file": pl.String,
        "model": pl.String,
        "base_model": pl.String,  # tidymnist.core.naming: knn for knn_deskewed
        "variant": pl.String,  # as_is or deskewed
        "prediction": pl.UInt8,
        "probability": pl.Float64,
    }
)
# custom_predictions: the predictions with each digit's label where the labels file gives one
CUSTOM_PREDICTIONS_SCHEMA = pl.Schema({**PREDICTIONS_SCHEMA, "label": pl.UInt8})
PROBABILITIES_SCHEMA = pl.Schema(
    {
        "file": pl.String,
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "label": pl.UInt8,
        "probability": pl.Float64,
    }
)


def _check(images: np.ndarray, files: Sequence[str]) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE) or len(images) != len(files):
        raise ValueError(
            f"expected n images of 28 x 28 and n file names, got {images.shape} and {len(files)}"
        )
    return images


def predict_table(
    models: Mapping[str, Any], images: np.ndarray, files: Sequence[str]
) -> pl.DataFrame:
    """Each model's answer for each image (n, 28, 28, 0-255): file, model (with its base model
    and variant), prediction and its probability (null for a model without probabilities), in
    file order then model order."""
    images = _check(images, files)
    if not len(images) or not models:
        return PREDICTIONS_SCHEMA.to_frame()
    frames = []
    for index, (name, model) in enumerate(models.items()):
        predicted = np.asarray(model.predict(images)).astype(np.int64)
        proba = probabilities(model, images)
        chosen = (
            proba[np.arange(len(images)), predicted] if proba is not None else [None] * len(images)
        )
        frames.append(
            pl.DataFrame(
                {
                    "file": list(files),
                    "model": name,
                    "prediction": predicted,
                    "probability": chosen,
                    "order": np.arange(len(files)),
                    "model_order": index,
                },
                schema_overrides={"prediction": pl.UInt8, "probability": pl.Float64},
            )
        )
    table = pl.concat(frames, how="vertical_relaxed").sort(
        "order", "model_order", maintain_order=True
    )
    return variant_columns(table).select(PREDICTIONS_SCHEMA.names()).cast(dict(PREDICTIONS_SCHEMA))


def probabilities_table(
    models: Mapping[str, Any], images: np.ndarray, files: Sequence[str]
) -> pl.DataFrame:
    """Every class probability of every model with probabilities, long: file, model, label,
    probability, in file order, model order, then label order 0-9."""
    images = _check(images, files)
    frames = []
    for index, (name, model) in enumerate(models.items()):
        proba = probabilities(model, images) if len(images) else None
        if proba is None:
            continue
        frames.append(
            pl.DataFrame(
                {
                    "file": np.repeat(np.asarray(files, dtype=object), N_CLASSES).tolist(),
                    "model": name,
                    "label": np.tile(np.arange(N_CLASSES, dtype=np.uint8), len(images)),
                    "probability": proba.reshape(-1),
                    "order": np.repeat(np.arange(len(images)), N_CLASSES),
                    "model_order": index,
                }
            )
        )
    if not frames:
        return PROBABILITIES_SCHEMA.to_frame()
    table = pl.concat(frames).sort("order", "model_order", "label", maintain_order=True)
    return (
        variant_columns(table).select(PROBABILITIES_SCHEMA.names()).cast(dict(PROBABILITIES_SCHEMA))
    )


def custom_predictions(
    models: Mapping[str, Any], images: pl.DataFrame, labels: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every model's answer for each custom digit of an images table, with its label where
    ``labels`` (the custom labels table) knows it, and each model's accuracy over the labelled
    ones (:func:`tidymnist.handwriting.custom.accuracy_table`), which is logged."""
    files, arrays = image_arrays(images)
    predictions = predict_table(models, arrays, files).join(labels, on="file", how="left")
    predictions = predictions.cast(dict(CUSTOM_PREDICTIONS_SCHEMA))
    accuracy = accuracy_table(predictions, labels)
    for row in accuracy.iter_rows(named=True):
        log.info(
            "%s: %d of %d custom digits right (%.0f%%)",
            row["model"],
            row["correct"],
            row["n"],
            100 * row["accuracy"],
        )
    return predictions, accuracy
