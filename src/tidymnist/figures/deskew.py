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
    scale_color_manual,
    scale_x_continuous,
    theme,
)

from tidymnist.figures.theme import INK_HIGH, POSITIVE, theme_tidymnist

SUFFIX = "_deskewed"


def deskew_gain(metrics: pl.DataFrame) -> ggplot:
    """One row per model: an arrow from its test accuracy as is to its accuracy deskewed."""
    both = (
        metrics.with_columns(
            base=pl.col("model").str.strip_suffix(SUFFIX),
            variant=pl.when(pl.col("model").str.ends_with(SUFFIX))
            .then(pl.lit("deskewed"))
            .otherwise(pl.lit("as is")),
            percent=pl.col("accuracy") * 100,
        )
        .pivot(on="variant", index="base", values="percent")
        .drop_nulls()
        .with_columns(gain=pl.col("deskewed") - pl.col("as is"))
        .sort("as is")
    )
    order = both["base"].str.replace_all("_", " ").to_list()
    wide = both.with_columns(
        shown=pl.col("base").str.replace_all("_", " ").cast(pl.Enum(order)),
        text=pl.format("{} points", pl.col("gain").round(2)),
        text_x=pl.max_horizontal("as is", "deskewed") + 0.15,
    ).with_columns(
        text=pl.when(pl.col("gain") >= 0).then(pl.lit("+") + pl.col("text")).otherwise("text")
    )
    long = wide.unpivot(
        on=["as is", "deskewed"], index="shown", variable_name="variant", value_name="percent"
    )
    best = wide.sort("gain", descending=True).row(0, named=True)
    return (
        ggplot()
        + geom_segment(
            wide,
            aes(x="as is", xend="deskewed", y="shown", yend="shown"),
            color="#999999",
            arrow=arrow(length=0.08, type="closed"),
        )
        + geom_point(long, aes("percent", "shown", color="variant"), size=3)
        + geom_text(wide, aes("text_x", "shown", label="text"), ha="left", size=8, color=INK_HIGH)
        + scale_color_manual(values={"as is": "#999999", "deskewed": POSITIVE}, name="")
        + scale_x_continuous(
            labels=lambda values: [f"{v:g}%" for v in values], expand=(0.05, 0, 0.2, 0)
        )
        + labs(
            title="What deskewing buys each model",
            subtitle="Test accuracy of each model trained and tested on the digits as they are "
            "(grey) and\nstraightened by their second moments (red); "
            f"{best['shown']} gains most ({best['text'].removesuffix(' points')} points).",
            x="test accuracy",
            y="",
        )
        + theme_tidymnist()
        + theme(legend_position="top")
    )
