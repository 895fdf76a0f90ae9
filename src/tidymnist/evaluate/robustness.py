"""How each model's accuracy falls as test digits move away from MNIST's conventions.

A seeded sample of the test split is changed by each transformation of
:data:`tidymnist.evaluate.settings.TRANSFORMS`, one at a time, at each configured amount, and
every model reads each changed digit twice: as it is, and after the project's MNIST-style
preprocessing (:func:`tidymnist.handwriting.preprocess.to_mnist`), which is what a digit from
outside MNIST goes through. The ``robustness`` table holds each model's accuracy per
transformation, amount and reading. Amount 0 is the sample itself, read once and shared by every
transformation, so each curve starts at the model's plain accuracy on those digits.

The models give labels only (no probabilities): that is all an accuracy needs, and for the
models whose probabilities cost extra it is the cheaper call.
"""

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from tidymnist.core.naming import variant_columns
from tidymnist.evaluate.settings import TRANSFORMS, check_amounts
from tidymnist.evaluate.transforms import transform
from tidymnist.handwriting.preprocess import PreprocessError, to_mnist
from tidymnist.tables.pixels import split_arrays

log = logging.getLogger(__name__)

TRANSFORM = pl.Enum(list(TRANSFORMS))
SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "transform": TRANSFORM,
        "amount": pl.Float64,  # 0: the digits as MNIST has them
        "preprocessed": pl.Boolean,  # read after to_mnist, or as it is
        "n": pl.UInt32,  # digits read
        "accuracy": pl.Float64,  # share read right; a digit to_mnist finds no ink in is wrong
    }
)
NO_ANSWER = -1  # what a model "answers" for a digit the preprocessing could not use


def sample_positions(n_images: int, size: int | None, seed: int) -> np.ndarray:
    """The positions (sorted) of a seeded sample of ``size`` of ``n_images`` digits; all of them
    when ``size`` is None or not smaller."""
    if size is None or size >= n_images:
        return np.arange(n_images)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_images, size=size, replace=False))


def directions(n: int, seed: int, name: str) -> np.ndarray:
    """Each digit's direction for transformation ``name`` (a value in [0, 1) each), seeded by
    ``seed`` and the transformation, the same at every amount."""
    return np.random.default_rng([seed, list(TRANSFORMS).index(name)]).random(n)


def as_digits(images: np.ndarray) -> np.ndarray:
    """Transformed digits (float, 0-255) rounded to bytes, as a scanned digit is stored."""
    return np.clip(np.rint(images), 0, 255).astype(np.uint8)


def preprocess_all(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each digit (0 paper to 255 ink) through :func:`to_mnist`, and whether it could be (a
    digit with nothing standing out from its paper cannot: it stays blank, marked False)."""
    out = np.zeros_like(images, dtype=np.uint8)
    usable = np.ones(len(images), dtype=bool)
    for i, image in enumerate(images):
        try:
            out[i] = to_mnist(image / 255.0)  # light ink on dark: to_mnist finds which is ink
        except PreprocessError:
            usable[i] = False
    return out, usable


def conditions(
    images: np.ndarray, amounts: Mapping[str, Sequence[float]], seed: int
) -> tuple[list[tuple[str, float]], np.ndarray]:
    """Every (transformation, amount) of ``amounts`` (checked by :func:`check_amounts`) and the
    stack of changed digits, (conditions, n, 28, 28) bytes; amount 0's digits are the sample
    itself for every transformation."""
    keys, stacks = [], []
    for name, values in check_amounts(amounts).items():
        ways = directions(len(images), seed, name)
        for amount in values:
            keys.append((name, amount))
            stacks.append(
                images if amount == 0 else as_digits(transform(name, images, amount, ways))
            )
    return keys, np.stack(stacks)


def robustness_table(
    models: Mapping[str, Any],
    images: np.ndarray,
    labels: np.ndarray,
    amounts: Mapping[str, Sequence[float]],
    seed: int,
) -> pl.DataFrame:
    """Each model's accuracy on ``images`` (the sample, (n, 28, 28) bytes) with their
    ``labels``, for every transformation and amount of ``amounts`` (by transformation name),
    read as it is and after :func:`to_mnist`: :data:`SCHEMA`, in model, transformation, amount
    and reading order."""
    images = np.asarray(images, dtype=np.uint8)
    labels = np.asarray(labels)
    keys, stack = conditions(images, amounts, seed)
    n = len(images)
    # amount 0 is the same digits for every transformation: read it once
    unique = [i for i, (_, amount) in enumerate(keys) if amount != 0]
    first_zero = next(i for i, (_, amount) in enumerate(keys) if amount == 0)
    read = [first_zero, *unique]
    start = time.perf_counter()
    flat = stack[read].reshape(-1, *images.shape[1:])
    prepared, usable = preprocess_all(flat)
    log.info("%d digits preprocessed in %.1f s", len(flat), time.perf_counter() - start)
    rows = []
    for name, model in models.items():
        start = time.perf_counter()
        answers = {}
        for preprocessed, batch in ((False, flat), (True, prepared)):
            predicted = np.asarray(model.predict(batch)).astype(np.int64)
            if preprocessed:
                predicted[~usable] = NO_ANSWER
            right = (predicted.reshape(len(read), n) == labels[None]).mean(axis=1)
            answers[preprocessed] = dict(zip(read, right, strict=True))
        for i, (transformation, amount) in enumerate(keys):
            for preprocessed in (False, True):
                accuracy = answers[preprocessed][first_zero if amount == 0 else i]
                rows.append((name, transformation, amount, preprocessed, n, float(accuracy)))
        log.info("%s: %d digits read twice in %.1f s", name, len(flat), time.perf_counter() - start)
    columns = [c for c in SCHEMA.names() if c not in ("base_model", "variant")]
    table = pl.DataFrame(rows, schema={c: SCHEMA[c] for c in columns}, orient="row").with_columns(
        pl.col("transform").cast(TRANSFORM)
    )
    return variant_columns(table).select(SCHEMA.names()).cast(dict(SCHEMA))


def robustness_of(
    models: Mapping[str, Any],
    pixels: pl.LazyFrame | pl.DataFrame,
    *,
    sample: int | None,
    amounts: Mapping[str, Sequence[float]],
    seed: int,
) -> pl.DataFrame:
    """:func:`robustness_table` of ``models`` on a seeded ``sample`` of the test split of a
    pixel table (:func:`sample_positions`; None: every test digit)."""
    _, images, labels = split_arrays(pixels, "test")
    positions = sample_positions(len(images), sample, seed)
    return robustness_table(models, images[positions], labels[positions], amounts, seed)
