"""The tidy evaluation tables: every model's predictions on the test split, and what follows.

``predictions`` is the source; metrics, per-class scores and confusion counts are summaries of it,
so they can never disagree with each other.
"""

import numpy as np
import polars as pl

from tidymnist.core.digits import LABELS
from tidymnist.core.naming import variant_columns
from tidymnist.tables.pixels import selected_schema

PREDICTIONS_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,  # the configured model: knn for knn_deskewed
        "variant": pl.String,  # as_is or deskewed (tidymnist.core.naming.Variant)
        "instance": pl.UInt32,
        "label": pl.UInt8,
        "predicted": pl.UInt8,
        "probability": pl.Float64,  # of the predicted label
        "probability_true": pl.Float64,  # of the true label
    }
)
COSTS_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "fit_seconds": pl.Float64,
        "predict_seconds": pl.Float64,
        "n_parameters": pl.Int64,
    }
)
METRICS_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "accuracy": pl.Float64,
        "macro_f1": pl.Float64,
        "log_loss": pl.Float64,
        "fit_seconds": pl.Float64,
        "predict_seconds": pl.Float64,
        "n_parameters": pl.Int64,
    }
)
PER_CLASS_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "label": pl.UInt8,
        "precision": pl.Float64,
        "recall": pl.Float64,
        "f1": pl.Float64,
        "support": pl.UInt32,
    }
)
CONFUSION_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "label": pl.UInt8,
        "predicted": pl.UInt8,
        "n": pl.UInt32,
    }
)
# Probabilities are clipped here before taking logs, as scikit-learn's log_loss does.
EPSILON = np.finfo(np.float64).eps


def predictions_table(
    model: str,
    instances: np.ndarray,
    labels: np.ndarray,
    predicted: np.ndarray,
    probabilities: np.ndarray | None,
) -> pl.DataFrame:
    """One row per image: true and predicted label, and (when the model gives probabilities,
    columns in label order 0-9) the probability of each."""
    n = len(labels)
    if probabilities is None:
        chosen = truth = np.full(n, np.nan)
    else:
        rows = np.arange(n)
        chosen = probabilities[rows, predicted]
        truth = probabilities[rows, labels]
    frame = pl.DataFrame(
        {
            "model": [model] * n,
            "instance": instances,
            "label": labels,
            "predicted": predicted,
            "probability": chosen,
            "probability_true": truth,
        },
        schema={k: v for k, v in PREDICTIONS_SCHEMA.items() if k not in ("base_model", "variant")},
    ).with_columns(pl.col("probability", "probability_true").fill_nan(None))
    return variant_columns(frame).cast(PREDICTIONS_SCHEMA)


def confusion_table(predictions: pl.DataFrame) -> pl.DataFrame:
    """One row per model, true label and predicted label (all 100 cells): how many images."""
    cells = (
        predictions.select("model")
        .unique()
        .join(pl.DataFrame({"label": LABELS}, schema={"label": pl.UInt8}), how="cross")
        .join(pl.DataFrame({"predicted": LABELS}, schema={"predicted": pl.UInt8}), how="cross")
    )
    counts = predictions.group_by("model", "label", "predicted").agg(n=pl.len())
    table = (
        cells.join(counts, on=["model", "label", "predicted"], how="left")
        .with_columns(pl.col("n").fill_null(0).cast(pl.UInt32))
        .sort("model", "label", "predicted")
    )
    return variant_columns(table).select(CONFUSION_SCHEMA.names())


def per_class_table(predictions: pl.DataFrame) -> pl.DataFrame:
    """Precision, recall, F1 and support per model and label (a classification report, tidy)."""
    confusion = confusion_table(predictions)
    hits = confusion.filter(pl.col("label") == pl.col("predicted")).select("model", "label", tp="n")
    support = confusion.group_by("model", "label").agg(support=pl.col("n").sum())
    predicted = confusion.group_by("model", label="predicted").agg(predicted=pl.col("n").sum())
    tp = pl.col("tp").cast(pl.Float64)
    table = (
        hits.join(support, on=["model", "label"])
        .join(predicted, on=["model", "label"])
        .with_columns(
            precision=pl.when(pl.col("predicted") > 0)
            .then(tp / pl.col("predicted"))
            .otherwise(0.0),
            recall=pl.when(pl.col("support") > 0).then(tp / pl.col("support")).otherwise(0.0),
        )
        .with_columns(
            f1=pl.when(pl.col("precision") + pl.col("recall") > 0)
            .then(
                2
                * pl.col("precision")
                * pl.col("recall")
                / (pl.col("precision") + pl.col("recall"))
            )
            .otherwise(0.0),
            support=pl.col("support").cast(pl.UInt32),
        )
        .sort("model", "label")
    )
    return variant_columns(table).select(PER_CLASS_SCHEMA.names())


def metrics_table(predictions: pl.DataFrame, costs: pl.DataFrame) -> pl.DataFrame:
    """One row per model: accuracy, macro F1, log loss (null without probabilities), costs."""
    scores = predictions.group_by("model").agg(
        accuracy=(pl.col("label") == pl.col("predicted")).mean(),
        log_loss=pl.when(pl.col("probability_true").null_count() == 0).then(
            -pl.col("probability_true").clip(EPSILON, 1.0).log().mean()
        ),
    )
    macro_f1 = per_class_table(predictions).group_by("model").agg(macro_f1=pl.col("f1").mean())
    table = scores.join(macro_f1, on="model").join(
        costs.select(COSTS_SCHEMA.names()), on="model", how="left"
    )
    return variant_columns(table).select(METRICS_SCHEMA.names()).sort("accuracy", descending=True)


ERRORS_BY_TYPICALITY_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "decile": pl.UInt8,
        "min_distance": pl.Float64,
        "max_distance": pl.Float64,
        "n": pl.UInt32,
        "errors": pl.UInt32,
        "error_rate": pl.Float64,
    }
)
PAIR_CONFUSIONS_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "label_a": pl.UInt8,
        "label_b": pl.UInt8,
        "confusions": pl.UInt32,
        "rms_difference": pl.Float64,
        "separability_rank": pl.UInt32,
    }
)
PAIR_CORRELATION_SCHEMA = pl.Schema(
    {
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "spearman_rho": pl.Float64,
        "n_pairs": pl.UInt32,
    }
)


def errors_by_typicality(
    predictions: pl.DataFrame, distances: pl.DataFrame, bins: int = 10
) -> pl.DataFrame:
    """Error rate per model in each decile (``bins``-ile) of the test images' distance to their
    label's centroid, deciles taken within each label (some labels are written more variously
    than others): decile 1 holds each label's most typical tenth, decile 10 its least typical."""
    test = distances.filter(pl.col("split") == "test")
    binned = test.select(
        "instance",
        "distance",
        decile=((pl.col("distance").rank("ordinal") - 1) * bins // pl.len() + 1)
        .over("label")
        .cast(pl.UInt8),
    )
    table = (
        predictions.join(binned, on="instance")
        .group_by("model", "decile")
        .agg(
            min_distance=pl.col("distance").min(),
            max_distance=pl.col("distance").max(),
            n=pl.len().cast(pl.UInt32),
            errors=(pl.col("label") != pl.col("predicted")).sum().cast(pl.UInt32),
        )
        .with_columns(error_rate=pl.col("errors") / pl.col("n"))
        .sort("model", "decile")
    )
    return variant_columns(table).select(ERRORS_BY_TYPICALITY_SCHEMA.names())


def pair_confusions(confusion: pl.DataFrame, separability: pl.DataFrame) -> pl.DataFrame:
    """Per model and unordered pair of labels: images of either label taken for the other,
    beside how far apart the pair's centroids are (from the exploration)."""
    swapped = confusion.filter(pl.col("label") != pl.col("predicted")).select(
        "model",
        "n",
        label_a=pl.min_horizontal("label", "predicted"),
        label_b=pl.max_horizontal("label", "predicted"),
    )
    counts = swapped.group_by("model", "label_a", "label_b").agg(confusions=pl.col("n").sum())
    table = (
        counts.join(
            separability.select("label_a", "label_b", "rms_difference", separability_rank="rank"),
            on=["label_a", "label_b"],
        )
        .with_columns(pl.col("confusions").cast(pl.UInt32))
        .sort("model", "separability_rank")
    )
    return variant_columns(table).select(PAIR_CONFUSIONS_SCHEMA.names())


def pair_correlation(pairs: pl.DataFrame) -> pl.DataFrame:
    """Per model, the Spearman rank correlation between a pair's confusions and the distance
    between its centroids: strongly negative if similar-looking pairs are confused most."""
    table = (
        pairs.group_by("model")
        .agg(
            spearman_rho=pl.corr("confusions", "rms_difference", method="spearman"),
            n_pairs=pl.len().cast(pl.UInt32),
        )
        .sort("model")
    )
    return variant_columns(table).select(PAIR_CORRELATION_SCHEMA.names())


def most_confident_mistakes(predictions: pl.DataFrame, k: int) -> pl.DataFrame:
    """Each model's ``k`` wrong answers given with the highest probability (rank 1 first)."""
    return (
        predictions.filter(
            pl.col("label") != pl.col("predicted"), pl.col("probability").is_not_null()
        )
        .with_columns(
            rank=pl.col("probability")
            .rank("ordinal", descending=True)
            .over("model")
            .cast(pl.UInt32)
        )
        .filter(pl.col("rank") <= k)
        .sort("model", "rank")
    )


MISTAKE_KEYS_SCHEMA = pl.Schema(
    {
        "split": pl.String,
        "instance": pl.UInt32,
        "model": pl.String,
        "base_model": pl.String,
        "variant": pl.String,
        "rank": pl.UInt32,
        "predicted": pl.UInt8,
        "probability": pl.Float64,
    }
)
# The pixel rows of each model's surest mistakes (tidymnist.tables.pixels.select_images).
MISTAKE_PIXELS_SCHEMA = selected_schema(MISTAKE_KEYS_SCHEMA)


def mistake_keys(predictions: pl.DataFrame, k: int) -> pl.DataFrame:
    """The test images of each model's ``k`` surest mistakes, keyed as
    :func:`tidymnist.tables.pixels.select_images` wants them (split, instance) and carrying the
    model (with its base model and variant), rank, predicted label and probability."""
    return most_confident_mistakes(predictions, k).select(
        pl.lit("test").alias("split"),
        "instance",
        "model",
        "base_model",
        "variant",
        "rank",
        "predicted",
        "probability",
    )
