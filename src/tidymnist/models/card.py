"""A fitted model with its card: what made it (settings, seed, training data) and its size.

The card is saved beside the model (:func:`tidymnist.io.models.save_model`,
:func:`tidymnist.models.cnn_file.save_cnn`) and read back by the evaluation, which reports its
fit time and size, and by ``tidymnist predict``, which names the model's settings.
"""

from typing import Any

import polars as pl

from tidymnist.models.pipelines import adopt_centroids, fit_model, stored_values
from tidymnist.tables.pixels import split_arrays


def model_card(
    name: str,
    model: Any,
    *,
    spec: dict[str, Any],
    deskew: bool,
    seed: int,
    fit_seconds: float,
    training_images: int,
    files: pl.DataFrame,
) -> dict[str, Any]:
    """The card of ``model`` (the variant ``name``), fitted with ``spec`` and ``seed`` in
    ``fit_seconds`` on ``training_images`` images read from ``files`` (their provenance
    table: names and checksums)."""
    return {
        "model": name,
        "config": dict(spec),
        "deskew": deskew,
        "seed": seed,
        "fit_seconds": fit_seconds,
        "n_parameters": stored_values(model),
        "training_images": training_images,
        "data": files.to_dicts(),
    }


def train(
    name: str,
    *,
    base: str,
    spec: dict[str, Any],
    seed: int,
    pixels: pl.LazyFrame | pl.DataFrame,
    files: pl.DataFrame,
    deskew: bool,
    centroids: pl.DataFrame | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Fit the model ``base`` (as the variant ``name``) on the training split of a pixel table
    and write its card. Given ``centroids`` (the exploration's table), the plain nearest-centroid
    model adopts them (:func:`tidymnist.models.pipelines.adopt_centroids`); the deskewed one
    keeps its own, which are the deskewed digits' means."""
    _, images, labels = split_arrays(pixels, "train")
    model, seconds = fit_model(base, spec, seed, images, labels, deskew=deskew)
    if centroids is not None and base == "nearest_centroid" and not deskew:
        model = adopt_centroids(model, centroids)
    card = model_card(
        name,
        model,
        spec=spec,
        deskew=deskew,
        seed=seed,
        fit_seconds=seconds,
        training_images=len(labels),
        files=files,
    )
    return model, card
