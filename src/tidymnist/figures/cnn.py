"""What the convolutional network sees: the feature maps of its convolution layers as tiles."""

import polars as pl
from plotnine import (
    aes,
    element_text,
    facet_grid,
    geom_text,
    geom_tile,
    ggplot,
    labs,
    scale_alpha_continuous,
    scale_fill_gradient,
    theme,
)

from tidymnist.figures.common import tiles as _tiles
from tidymnist.figures.theme import INK_HIGH, INK_LOW, SHARE_HIGH, digit_axes, theme_tidymnist
from tidymnist.models.cnn import map_geometry

INPUT = "input"


def _liveliest_maps(activations: pl.DataFrame, image: int, channels: int) -> pl.DataFrame:
    """The ``channels`` feature maps of each layer that vary most over one image (the filters
    that pick out its strokes, not a uniform background), ranked, each cell placed on the
    input's pixel grid and its value scaled from the map's minimum (0) to its maximum (1)."""
    maps = activations.filter(pl.col("image") == image)
    ranks = (
        maps.group_by("layer", "channel")
        .agg(pl.col("value").std().alias("spread"))
        .with_columns(pl.col("spread").rank("ordinal", descending=True).over("layer").alias("rank"))
        .filter(pl.col("rank") <= channels)
    )
    geometry = pl.DataFrame(
        [(layer, *map_geometry(layer)) for layer in maps["layer"].unique().to_list()],
        schema={"layer": pl.String, "stride": pl.Float64, "offset": pl.Float64},
        orient="row",
    )
    low = pl.col("value").min().over("layer", "channel")
    high = pl.col("value").max().over("layer", "channel")
    return (
        maps.join(ranks.select("layer", "channel", "rank"), on=["layer", "channel"])
        .join(geometry, on="layer")
        .with_columns(
            (pl.col("x").cast(pl.Float64) * pl.col("stride") + pl.col("offset")).alias("x"),
            (pl.col("y").cast(pl.Float64) * pl.col("stride") + pl.col("offset")).alias("y"),
            ((pl.col("value") - low) / (high - low)).fill_nan(0).alias("share"),
        )
    )


def feature_maps(
    activations: pl.DataFrame, digit: pl.DataFrame, name: str, image: int = 0, channels: int = 8
) -> ggplot:
    """The input digit and, in one row per convolution layer, the ``channels`` feature maps
    that respond most to it (from :func:`tidymnist.models.cnn.activations`), each cell drawn where
    its
    receptive field is centred on the digit.

    ``digit`` holds the input image's pixels (x, y, value 0-255); ``name`` says which digit it
    is in the title (e.g. "test digit #0, a 7"); ``image`` picks it from ``activations``.
    """
    data = _liveliest_maps(activations, image, channels)
    layers = sorted(data["layer"].unique().to_list(), key=lambda layer: int(layer[4:]))
    order = pl.Enum([INPUT, *layers])
    columns = pl.Enum([f"#{r}" for r in range(1, channels + 1)])
    data = data.with_columns(
        pl.col("layer").cast(order), pl.format("#{}", "rank").cast(columns).alias("column")
    )
    pixels = _tiles(digit.select("x", "y", "value")).with_columns(
        pl.lit(INPUT).cast(order).alias("layer"), pl.lit("#1").cast(columns).alias("column")
    )
    labels = (
        data.group_by("layer", "column")
        .agg(pl.col("channel").first(), pl.col("stride").first())
        .with_columns(text=pl.format("ch {}", "channel"))
    )
    shadow = (
        data.select("layer", "column")
        .unique()
        .join(pixels.drop("layer", "column"), how="cross")
        .with_columns(pl.col("value") * 0.12)
    )  # the digit, faintly, over every map
    return (
        ggplot()
        + geom_tile(
            aes("x", "y", width="stride", height="stride", fill="share"), data=data, color=None
        )
        + geom_tile(aes("x", "y", alpha="value"), data=shadow, fill=INK_HIGH, color=None)
        + geom_tile(aes("x", "y", alpha="value"), data=pixels, fill=INK_HIGH, color=None)
        + geom_text(
            aes(x=0.5, y=26.5, label="text"),
            data=labels,
            inherit_aes=False,
            size=7,
            ha="left",
            color="#b2182b",
        )
        + facet_grid("layer ~ column")
        + scale_fill_gradient(
            low=INK_LOW,
            high=SHARE_HIGH,
            limits=(0, 1),
            name="response\n(0: the map's\nweakest,\n1: strongest)",
        )
        + scale_alpha_continuous(range=(0, 1), limits=(0, 255), guide=None)
        + theme_tidymnist(base_size=10)
        + digit_axes()
        + labs(
            title=f"What the network's filters see in {name}",
            subtitle="Top left, the digit as the network gets it. Each row below is a convolution "
            f"layer and the {channels} of its filters whose\nresponse varies most over this digit "
            "('ch' numbers the filter), dark where it fires, each cell drawn where it looks. "
            "Early\nlayers answer to edges of one direction; deeper layers, on coarser cells, to "
            "larger parts of the digit.",
        )
        + theme(strip_text_y=element_text(angle=0), legend_position="right")
    )


def _digit_maps(activations: pl.DataFrame, digits: pl.DataFrame, image: int) -> ggplot:
    digit = digits.filter(pl.col("image") == image)
    return feature_maps(activations, digit, digit["name"][0], image=image)


def test_digit_feature_maps(activations: pl.DataFrame, digits: pl.DataFrame) -> ggplot:
    """:func:`feature_maps` for the chosen test digit (image 0 of the cnn_digits table)."""
    return _digit_maps(activations, digits, 0)


def custom_feature_maps(activations: pl.DataFrame, digits: pl.DataFrame) -> ggplot:
    """:func:`feature_maps` for the first custom digit (image 1 of the cnn_digits table)."""
    return _digit_maps(activations, digits, 1)
