"""The hyperparameter sweep: validation accuracy for each value of each swept setting."""

import polars as pl
from plotnine import (
    aes,
    facet_wrap,
    geom_line,
    geom_point,
    geom_text,
    ggplot,
    labs,
    scale_color_manual,
    scale_y_continuous,
)

from tidymnist.figures.theme import INK_HIGH, POSITIVE, theme_tidymnist


def sweep_accuracy(sweep: pl.DataFrame) -> ggplot:
    """One panel per model and setting: accuracy on held-out training images for each value,
    the configured value marked, the best value labelled."""
    order = sweep.sort("model", "parameter", "position")["value"].unique(maintain_order=True)
    data = sweep.with_columns(
        panel=pl.col("model").str.replace_all("_", " ") + ": " + pl.col("parameter"),
        percent=pl.col("accuracy") * 100,
        shown=pl.when(pl.col("configured")).then(pl.lit("configured")).otherwise(pl.lit("other")),
        value=pl.col("value").cast(pl.Enum(order.to_list())),
    )
    spread = pl.max_horizontal(
        pl.col("percent").max().over("panel") - pl.col("percent").min().over("panel"), pl.lit(0.1)
    )
    best = (
        data.with_columns(text_y=pl.col("percent") + 0.07 * spread)
        .sort("accuracy", descending=True)
        .group_by("panel", maintain_order=True)
        .first()
        .with_columns(text=pl.format("{}%", pl.col("percent").round(2)))
    )
    gain = (
        best.join(data.filter(pl.col("configured")), on="panel", how="left", suffix="_configured")
        .select("panel", "value", "value_configured", "percent", "percent_configured")
        .sort("panel")
    )
    findings = "\n".join(
        f"{row['panel']}: best {row['value']} ({row['percent']:.2f}%)"
        + (
            f", configured {row['value_configured']} ({row['percent_configured']:.2f}%)"
            if row["value_configured"] is not None and row["value"] != row["value_configured"]
            else ", the configured value"
            if row["value_configured"] is not None
            else ""
        )
        for row in gain.iter_rows(named=True)
    )
    n_validation = int(data["n_validation"][0])
    return (
        ggplot(data, aes("value", "percent", group="panel"))
        + geom_line(color="#888888")
        + geom_point(aes(color="shown"), size=3, show_legend=False)
        + geom_text(best, aes(y="text_y", label="text"), va="bottom", size=8, color=INK_HIGH)
        + facet_wrap("panel", scales="free")
        + scale_y_continuous(labels=lambda values: [f"{v:.1f}%" for v in values])
        + scale_color_manual(values={"configured": POSITIVE, "other": INK_HIGH})
        + labs(
            title="What each setting is worth: accuracy on held-out training images",
            subtitle=f"Each point is a model fitted without the last {n_validation:,} training "
            "images and scored on them\n(never on the test split); red: the configured value.\n"
            + findings,
            x="value",
            y="validation accuracy",
        )
        + theme_tidymnist()
    )
