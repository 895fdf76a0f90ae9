"""Where a person's own digits fall among the training digits, on the PCA plane and both maps."""

from collections.abc import Sequence

import polars as pl
from plotnine import (
    aes,
    element_blank,
    facet_wrap,
    geom_point,
    geom_text,
    ggplot,
    guide_legend,
    guides,
    labs,
    scale_color_manual,
    theme,
)

from tidymnist.figures.common import with_class
from tidymnist.figures.embed import HALO, _label_colours, map_background
from tidymnist.figures.theme import INK_HIGH, theme_tidymnist


def custom_on_maps(
    coordinates: pl.DataFrame,
    tsne: pl.DataFrame,
    umap: pl.DataFrame,
    places: pl.DataFrame,
    predictions: pl.DataFrame,
    *,
    class_names: Sequence[str],
) -> ggplot:
    """The training sample coloured by label, and each custom digit as a black dot named by
    its label (or, unlabelled, by the answer most models give)."""
    background = map_background(coordinates, tsne, umap).pipe(with_class, class_names)
    votes = (
        predictions.group_by("file", "prediction")
        .len()
        .sort("len", "prediction", descending=[True, False])
        .group_by("file", maintain_order=True)
        .first()
        .select("file", voted="prediction")
    )
    spans = background.group_by("map").agg(span=pl.col("dim2").max() - pl.col("dim2").min())
    data = (
        places.join(votes, on="file", how="left")
        .join(spans, on="map")
        .with_columns(
            shown=pl.coalesce("label", "voted"),
            text_y=pl.col("dim2") + 0.02 * pl.col("span"),
        )
        .with_columns(
            text=pl.col("shown").map_elements(lambda i: class_names[i], return_dtype=pl.String)
            + pl.when(pl.col("label").is_null()).then(pl.lit("?")).otherwise(pl.lit(""))
        )
    )
    n = data.filter(pl.col("map") == "PCA plane").height
    labelled = (
        "their labels" if data["label"].is_not_null().any() else "the answer most models give"
    )
    return (
        ggplot(background, aes("dim1", "dim2"))
        + geom_point(aes(color="class"), size=1.0, stroke=0, alpha=0.5)
        + geom_point(data=data, color=INK_HIGH, fill="#ffffff", size=2.6, stroke=0.9)
        + geom_text(
            aes(y="text_y", label="text"),
            data=data,
            va="bottom",
            size=8,
            fontweight="bold",
            color=INK_HIGH,
            path_effects=HALO,
        )
        + facet_wrap("map", scales="free")
        + scale_color_manual(values=_label_colours(class_names), name="training digits")
        + guides(color=guide_legend(override_aes={"size": 3, "alpha": 1}))
        + labs(
            title="Where your own digits land among the training digits",
            subtitle=f"{n} custom digits (white dots, named by {labelled}; ? where unlabelled) "
            "over a sample of training digits coloured by label.\nA digit that lands among "
            "another label's colour is one the models will likely misread.",
            x="",
            y="",
        )
        + theme_tidymnist()
        + theme(axis_text=element_blank(), panel_grid=element_blank())
    )
