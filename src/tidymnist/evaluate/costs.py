"""A saved model on the test split: its predictions, and what it costs (fit and predict time,
stored values)."""

import logging
import time
from typing import Any

import polars as pl

from tidymnist.evaluate.tables import COSTS_SCHEMA, predictions_table
from tidymnist.models.pipelines import probabilities
from tidymnist.tables.pixels import split_arrays

log = logging.getLogger(__name__)


def costs_table(name: str, card: dict[str, Any], predict_seconds: float) -> pl.DataFrame:
    """One row: the model, its fit time and size from its card, and ``predict_seconds``."""
    row = [name, card["fit_seconds"], predict_seconds, card["n_parameters"]]
    return pl.DataFrame([row], schema=COSTS_SCHEMA, orient="row")


def evaluate_on_test(
    name: str, model: Any, card: dict[str, Any], pixels: pl.LazyFrame | pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """The ``predictions`` table of ``model`` (the variant ``name``, with its ``card``) on the
    test split of a pixel table, and its ``costs`` table, by those names. Only ``predict`` is
    timed: the probabilities are asked for after it."""
    instances, images, labels = split_arrays(pixels, "test")
    start = time.perf_counter()
    predicted = model.predict(images)
    seconds = time.perf_counter() - start
    table = predictions_table(name, instances, labels, predicted, probabilities(model, images))
    log.info("%s: accuracy %.4f on %d test images", name, (predicted == labels).mean(), len(labels))
    return {"predictions": table, "costs": costs_table(name, card, seconds)}
