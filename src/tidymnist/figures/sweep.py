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

from tidymnist.core.naming import FAMILY_DISPLAY_COLOURS, family_display_column, sort_models
from tidymnist.figures.theme import INK_HIGH, theme_tidymnist
from tidymnist.findings.table import by_subject
from tidymnist.findings.words import model


def sweep_accuracy(sweep: pl.DataFrame, findings: pl.DataFrame) -> ggplot:
    """One panel per model and setting: accuracy on held-out training images for each value,
    the configured value marked, the best value labelled."""
    order = sweep.sort("model", "parameter", "position")["value"].unique(maintain_order=True)
    data = sweep.with_columns(
        panel=pl.col("model").map_elements(model, return_dtype=pl.String)
        + ": "
        + pl.col("parameter"),
        percent=pl.col("accuracy") * 100,
        family=family_display_column("model"),
        value=pl.col("value").cast(pl.Enum(order.to_list())),
    )
    # panels in the study's order of models (then by setting), as in every other figure
    rank = {name: i for i, name in enumerate(sort_models(data["model"]))}
    panels = data.sort(pl.col("model").replace_strict(rank), "parameter")["panel"]
    data = data.with_columns(pl.col("panel").cast(pl.Enum(panels.unique(maintain_order=True))))
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
    best_value, best_accuracy = (
        by_subject(findings, f"sweep_best_{key}") for key in ("value", "accuracy")
    )
    configured_value, configured_accuracy = (
        by_subject(findings, f"sweep_configured_{key}") for key in ("value", "accuracy")
    )
    findings_lines = "\n".join(
        f"{panel}: best {value} ({best_accuracy[panel]})"
        + (
            f", configured {configured_value[panel]} ({configured_accuracy[panel]})"
            if panel in configured_value and value != configured_value[panel]
            else ", the configured value"
            if panel in configured_value
            else ""
        )
        for panel, value in best_value.items()
    )
    n_validation = int(data["n_validation"][0])
    return (
        ggplot(data, aes("value", "percent", group="panel"))
        + geom_line(aes(color="family"), show_legend=False)
        + geom_point(aes(color="family"), size=3, show_legend=False)
        + geom_point(
            data.filter(pl.col("configured")), size=5.5, shape="o", fill="none", color=INK_HIGH
        )
        + geom_text(best, aes(y="text_y", label="text"), va="bottom", size=8, color=INK_HIGH)
        + facet_wrap("panel", scales="free")
        + scale_y_continuous(labels=lambda values: [f"{v:.1f}%" for v in values])
        + scale_color_manual(values=FAMILY_DISPLAY_COLOURS, guide=None)
        + labs(
            title="What each setting is worth: accuracy on held-out training images",
            subtitle=f"Each point is a model fitted without the last {n_validation:,} training "
            "images and scored on them\n(never on the test split); ringed: the configured value.\n"
            + findings_lines,
            x="value",
            y="validation accuracy",
        )
        + theme_tidymnist()
    )
