"""Figures of custom digits: the preprocessing step by step, and what each model makes of them."""

from pathlib import PurePath

import polars as pl
from plotnine import (
    aes,
    coord_fixed,
    element_blank,
    facet_wrap,
    geom_text,
    geom_tile,
    ggplot,
    labs,
    scale_color_manual,
    scale_x_continuous,
    scale_y_reverse,
    theme,
)

from tidymnist.core.naming import display_column
from tidymnist.figures.theme import ink_scale, theme_tidymnist
from tidymnist.findings import texts

RIGHT, WRONG, UNKNOWN = "#1b7837", "#b2182b", "#444444"
GAP = 0.1  # between the original and the 28 x 28 in a gallery panel


def _unit_tiles(frame: pl.DataFrame, group: list[str]) -> pl.DataFrame:
    """Pixels as tiles in a unit box per picture (its longer side 1), whatever its size."""
    return (
        frame.with_columns(height=pl.len().over(group) // pl.col("width"))
        .with_columns(side=pl.max_horizontal("width", "height").cast(pl.Float64))
        .with_columns(
            tx=(pl.col("x").cast(pl.Float64) + 0.5) / pl.col("side"),
            ty=(pl.col("y").cast(pl.Float64) + 0.5) / pl.col("side"),
            size=1 / pl.col("side"),
        )
    )


def _bare_axes() -> theme:
    return theme(axis_text=element_blank(), axis_title=element_blank(), panel_grid=element_blank())


def preprocessing_steps(steps: pl.DataFrame) -> ggplot:
    """Each step of bringing one image to MNIST's format, a panel per step at its own scale."""
    data = _unit_tiles(steps, ["step"])
    sizes = data.group_by("step", maintain_order=True).agg(pl.col("width", "height").first())
    first = sizes.row(0, named=True)
    return (
        ggplot(data, aes("tx", "ty", fill="value", width="size", height="size"))
        + geom_tile()
        + facet_wrap("step", nrow=2)
        + ink_scale("ink")
        + coord_fixed(expand=False)
        + scale_x_continuous(limits=(0, 1))
        + scale_y_reverse(limits=(1, 0))
        + theme_tidymnist()
        + _bare_axes()
        + labs(
            title="From a picture of a digit to MNIST's 28 x 28, step by step",
            subtitle=f"The input ({first['width']} x {first['height']} px as shown) is turned so "
            "ink is high, the paper's shading is subtracted,\nthe ink is cropped, scaled to fit "
            "20 px and centred by its centre of mass, as MNIST's digits were",
        )
    )


def custom_gallery(
    images: pl.DataFrame,
    predictions: pl.DataFrame,
    labels: pl.DataFrame | None = None,
    findings: pl.DataFrame | None = None,
) -> ggplot:
    """Per custom image: the original, its 28 x 28 version, and every model's answer with its
    probability; with ``labels`` (file, label), right answers in green and wrong in red."""
    tiles = _unit_tiles(images, ["file", "kind"]).with_columns(
        tx=pl.col("tx") + pl.when(pl.col("kind") == "original").then(0.0).otherwise(1 + GAP)
    )
    answers = predictions.with_columns(
        text=pl.format("{}: {}", display_column("model", short=True).cast(pl.String), "prediction")
        + pl.when(pl.col("probability").is_null())
        .then(pl.lit(""))
        .otherwise(pl.format(" ({})", pl.col("probability").round(2))),
        line=pl.int_range(pl.len()).over("file"),
    )
    if labels is not None:
        answers = answers.join(labels.select("file", "label"), on="file", how="left")
        answers = answers.with_columns(
            verdict=pl.when(pl.col("label").is_null())
            .then(pl.lit("no label"))
            .when(pl.col("prediction") == pl.col("label"))
            .then(pl.lit("right"))
            .otherwise(pl.lit("wrong"))
        )
    else:
        answers = answers.with_columns(verdict=pl.lit("no label"))
    names = {file: PurePath(file).name for file in images["file"].unique()}
    if labels is not None:
        known = dict(labels.select("file", "label").iter_rows())
        names = {f: f"{n} ({known[f]})" if f in known else n for f, n in names.items()}
    order = pl.Enum(list(dict.fromkeys(names[f] for f in images["file"])))
    tiles = tiles.with_columns(panel=pl.col("file").replace_strict(names, return_dtype=order))
    answers = answers.with_columns(
        panel=pl.col("file").replace_strict(names, return_dtype=order),
        tx=pl.lit(0.02),
        ty=1.15 + 0.19 * pl.col("line"),
    )
    n_models = predictions["model"].n_unique()
    said = {} if findings is None else texts(findings)
    accuracy = (
        f";\nthe best, {said['custom_best_model']}, is right on {said['custom_best_accuracy']} "
        "of the labelled images"
        if "custom_best_model" in said
        else ""
    )
    return (
        ggplot()
        + geom_tile(
            aes("tx", "ty", fill="value", width="size", height="size"),
            data=tiles,
            inherit_aes=False,
        )
        + geom_text(
            aes("tx", "ty", label="text", color="verdict"),
            data=answers,
            ha="left",
            va="center",
            size=6.5,
            inherit_aes=False,
        )
        + facet_wrap("panel", ncol=4)
        + ink_scale("ink")
        + scale_color_manual(
            values={"right": RIGHT, "wrong": WRONG, "no label": UNKNOWN}, guide=None
        )
        + coord_fixed(expand=False)
        + scale_x_continuous(limits=(0, 2 + GAP))
        + scale_y_reverse(limits=(1.2 + 0.19 * n_models, 0))
        + theme_tidymnist(base_size=9)
        + _bare_axes()
        + theme(legend_position="none")
        + labs(
            title="Your own digits, and what each model makes of them",
            subtitle="Each image as given (left) and brought to MNIST's 28 x 28 (right), then "
            "every model's answer\nwith its probability"
            + (" (green: right, red: wrong)" if labels is not None else "")
            + accuracy,
        )
    )
