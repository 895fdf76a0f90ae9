"""What deskewing buys each model: test accuracy as is and deskewed, side by side."""

import polars as pl
from plotnine import (
    aes,
    arrow,
    geom_point,
    geom_segment,
    geom_text,
    ggplot,
    labs,
    scale_x_continuous,
    theme,
)

from tidymnist.core.naming import Variant
from tidymnist.figures.theme import INK_HIGH, model_columns, model_scales, theme_tidymnist
from tidymnist.findings import texts

AS_IS, DESKEWED = Variant.AS_IS.display, Variant.DESKEWED.display


def deskew_gain(metrics: pl.DataFrame, findings: pl.DataFrame) -> ggplot:
    """One row per model: an arrow from its test accuracy as is to its accuracy deskewed."""
    both = (
        model_columns(metrics)
        .with_columns(pl.col("variant").cast(pl.String), percent=pl.col("accuracy") * 100)
        .pivot(on="variant", index="family", values="percent")
        .drop_nulls()
        .with_columns(gain=pl.col(DESKEWED) - pl.col(AS_IS))
        .sort(AS_IS)
    )
    order = both["family"].cast(pl.String).to_list()
    wide = both.with_columns(
        shown=pl.col("family").cast(pl.String).cast(pl.Enum(order)),
        text=pl.format("{} points", pl.col("gain").round(2)),
        text_x=pl.max_horizontal(AS_IS, DESKEWED) + 0.15,
    ).with_columns(
        text=pl.when(pl.col("gain") >= 0).then(pl.lit("+") + pl.col("text")).otherwise("text")
    )
    long = wide.unpivot(
        on=[AS_IS, DESKEWED],
        index=["shown", "family"],
        variable_name="variant",
        value_name="percent",
    ).with_columns(pl.col("variant").cast(pl.Enum([AS_IS, DESKEWED])))
    said = texts(findings)
    return (
        ggplot()
        + geom_segment(
            wide,
            aes(x=AS_IS, xend=DESKEWED, y="shown", yend="shown"),
            color="#999999",
            arrow=arrow(length=0.08, type="closed"),
        )
        + geom_point(long, aes("percent", "shown", color="family", shape="variant"), size=3)
        + geom_text(wide, aes("text_x", "shown", label="text"), ha="left", size=8, color=INK_HIGH)
        + model_scales(long, "color", "shape", legend=False)
        + scale_x_continuous(
            labels=lambda values: [f"{v:g}%" for v in values], expand=(0.05, 0, 0.2, 0)
        )
        + labs(
            title="What deskewing buys each model",
            subtitle="Test accuracy of each model trained and tested on the digits as they are "
            "(circles) and\nstraightened by their second moments (triangles); "
            f"{said['deskew_top_model']} gains most ({said['deskew_top_gain']} points).",
            x="test accuracy",
            y="",
        )
        + theme_tidymnist()
        + theme(legend_position="none")
    )
