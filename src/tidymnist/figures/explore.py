"""Figures of the exploration: sample digits, pixel values, centroids, distances, pairs."""

from collections.abc import Sequence

import polars as pl
from plotnine import (
    aes,
    element_text,
    facet_grid,
    facet_wrap,
    geom_boxplot,
    geom_label,
    geom_raster,
    geom_rect,
    ggplot,
    labs,
    scale_fill_manual,
    scale_x_continuous,
    scale_y_log10,
    theme,
)

from tidymnist.figures.common import tiles as _tiles
from tidymnist.figures.common import with_class
from tidymnist.figures.theme import (
    LABEL_COLOURS,
    difference_scale,
    digit_axes,
    ink_scale,
    theme_tidymnist,
)
from tidymnist.findings import texts


def sample_digits(pixels: pl.DataFrame, class_names: Sequence[str]) -> ggplot:
    """The first images of the data, as they are, with their labels."""
    n = pixels["instance"].n_unique()
    titles = (
        pixels.select("instance", "label")
        .unique()
        .sort("instance")
        .pipe(with_class, class_names)
        .with_columns(title=pl.format("#{}: {}", "instance", "class"))
    )
    order = pl.Enum(titles["title"].to_list())
    data = pixels.join(titles.select("instance", "title"), on="instance").with_columns(
        pl.col("title").cast(order)
    )
    return (
        ggplot(_tiles(data), aes("x", "y", fill="value"))
        + geom_raster()
        + facet_wrap("title", nrow=2)
        + ink_scale()
        + theme_tidymnist()
        + digit_axes()
        + labs(
            title=f"The first {n} training images",
            subtitle="Each is 28 x 28 pixels of ink from 0 (white) to 255 (black);\n"
            "the strip names the instance (counted from 0) and its label",
        )
    )


def pixel_histogram(value_counts: pl.DataFrame, findings: pl.DataFrame) -> ggplot:
    """How often each pixel value occurs (log scale: blank pixels dwarf the rest)."""
    said = texts(findings)
    data = value_counts.with_columns(share=pl.col("n") / pl.col("n").sum()).filter(pl.col("n") > 0)
    # bars on a log scale cannot start at 0: they rise from half the smallest share instead
    data = data.with_columns(floor=pl.col("share").min() / 2)
    return (
        ggplot(data, aes("value", "share"))
        + geom_rect(
            aes(xmin="value - 0.5", xmax="value + 0.5", ymin="floor", ymax="share"),
            fill="#333333",
        )
        + scale_y_log10(
            labels=lambda breaks: [f"{b:.2%}" if b < 0.01 else f"{b:.0%}" for b in breaks]
        )
        + scale_x_continuous(breaks=[0, 32, 64, 96, 128, 160, 192, 224, 255])
        + labs(
            title="Most pixels are blank paper, most of the rest full ink",
            subtitle=f"{said['blank_share']} of training pixels are 0 (blank) and "
            f"{said['full_ink_share']} are 250-255 "
            "(full ink);\nthe values between are the anti-aliased edges of strokes",
            x="pixel value (0 = white, 255 = black)",
            y="share of pixels (log scale)",
        )
        + theme_tidymnist()
    )


def centroid_tiles(centroids: pl.DataFrame, class_names: Sequence[str]) -> ggplot:
    """The mean image of every label."""
    return (
        ggplot(_tiles(with_class(centroids, class_names)), aes("x", "y", fill="mean_value"))
        + geom_raster()
        + facet_wrap("class", nrow=2)
        + ink_scale("mean\nvalue")
        + theme_tidymnist()
        + digit_axes()
        + labs(
            title="The average digit of each label",
            subtitle="Each pixel is its mean value over the training images of that label;\n"
            "blurred edges show where writers disagree",
        )
    )


def distance_boxplots(
    distances: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """The spread of distances to the label's centroid, one box per label; the subtitle names
    the labels with the smallest and the largest median (the line across each box)."""
    data = with_class(distances.filter(pl.col("split") == "train"), class_names)
    said = texts(findings)
    return (
        ggplot(data, aes("class", "distance", fill="class"))
        + geom_boxplot(outlier_size=0.4, outlier_alpha=0.3, show_legend=False)
        + scale_fill_manual(values=list(LABEL_COLOURS))
        + labs(
            title="How far each digit lies from its label's average",
            subtitle=f"Root-mean-square distance to the centroid, training images:\n"
            f"{said['most_alike_label']} is written most alike (median "
            f"{said['most_alike_median']}), {said['most_varied_label']} most varied "
            f"({said['most_varied_median']})",
            x="label",
            y="distance to centroid (0-255 scale)",
        )
        + theme_tidymnist()
    )


def least_typical_grid(pixels: pl.DataFrame, class_names: Sequence[str]) -> ggplot:
    """The images farthest from their centroid: a row per label, a column per rank."""
    data = with_class(pixels, class_names).with_columns(
        rank=pl.format("#{}", "rank").cast(pl.Enum([f"#{r}" for r in range(1, 1000)]))
    )
    captions = (
        data.select("class", "rank", "instance", "distance")
        .unique()
        .with_columns(
            text=pl.format("{} · {}", "instance", pl.col("distance").round(0).cast(pl.Int64))
        )
    )
    k = captions["rank"].n_unique()
    return (
        ggplot(_tiles(data), aes("x", "y", fill="value"))
        + geom_raster()
        + geom_label(
            aes(x=13.5, y=26.5, label="text"),
            data=captions,
            inherit_aes=False,
            size=6,
            color="#b2182b",
            fill="#ffffff",
            alpha=0.85,
            label_size=0,
            label_padding=0.1,
        )
        + facet_grid("class ~ rank")
        + ink_scale()
        + theme_tidymnist()
        + digit_axes()
        + labs(
            title=f"The {k} least typical training images of each label",
            subtitle="Ranked by distance to their label's centroid, farthest first;\n"
            "in red, the instance and its distance",
        )
        + theme(strip_text_y=element_text(angle=0), legend_position="none")
    )


def pairwise_grid(
    differences: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """Centroid of the row label minus centroid of the column label, for every pair."""
    data = with_class(
        with_class(differences, class_names, "label_a", "row"), class_names, "label_b", "column"
    )
    said = texts(findings)
    pairs = f"{said['least_separable_pair']} and {said['second_least_separable_pair']}"
    limit = float(data["difference"].abs().max())
    return (
        ggplot(_tiles(data), aes("x", "y", fill="difference"))
        + geom_raster()
        + facet_grid("row ~ column")
        + difference_scale("row minus\ncolumn", limit)
        + theme_tidymnist(base_size=10)
        + digit_axes()
        + labs(
            title="Where each pair of average digits differs",
            subtitle="Each tile is the row label's centroid minus the column label's: red where "
            "the row digit has more ink,\nblue where the column digit has. Pale tiles mean "
            f"similar shapes; the least separable pairs are {pairs}.",
        )
        + theme(strip_text_y=element_text(angle=0))
    )
