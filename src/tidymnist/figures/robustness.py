"""How the models break as digits depart from MNIST's conventions, and what MNIST-style
preprocessing rescues: a panel per transformation, accuracy against the amount."""

import polars as pl
from plotnine import (
    aes,
    element_text,
    facet_wrap,
    geom_hline,
    geom_line,
    geom_point,
    geom_ribbon,
    ggplot,
    labs,
    scale_color_manual,
    scale_fill_manual,
    scale_y_continuous,
    theme,
)

from tidymnist.evaluate.settings import TRANSFORMS
from tidymnist.figures.panels import FAMILY_COLUMNS, figure_size, panel_grid
from tidymnist.figures.theme import INK_HIGH, POSITIVE, model_columns, model_scales, theme_tidymnist
from tidymnist.findings import texts
from tidymnist.findings.robustness import BREAK

PANEL = (3.0, 2.2)  # inches per transformation's panel: three and the legend within 12 inches
AS_GIVEN, PREPROCESSED = "as given", "after MNIST-style preprocessing"
READING_COLOURS = {AS_GIVEN: "#8c8c8c", PREPROCESSED: POSITIVE}


def _strips(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``panel``: each transformation's title and unit, in the table's order."""
    strips = {name: f"{record.title}\n({record.unit})" for name, record in TRANSFORMS.items()}
    held = [strips[name] for name in TRANSFORMS if name in set(frame["transform"].cast(pl.String))]
    return frame.with_columns(
        panel=pl.col("transform").cast(pl.String).replace_strict(strips).cast(pl.Enum(held))
    )


def _panels(frame: pl.DataFrame, extra: tuple[float, float]) -> list:
    """A free-x panel per transformation, three to a row, the 'breaks' line, percent axis."""
    columns, rows = panel_grid(frame["panel"].n_unique(), FAMILY_COLUMNS)
    return [
        geom_hline(yintercept=BREAK * 100, linetype="dotted", color="#777777", size=0.5),
        facet_wrap("panel", ncol=columns, scales="free_x"),
        scale_y_continuous(limits=(0, 100), labels=lambda values: [f"{v:g}%" for v in values]),
        theme_tidymnist(),
        theme(
            figure_size=figure_size(columns, rows, panel=PANEL, extra=extra),
            strip_text=element_text(size=9),
        ),
    ]


def robustness_curves(robustness: pl.DataFrame, findings: pl.DataFrame) -> ggplot:
    """Each model's accuracy on the digits as they are, against each transformation's amount:
    a line per model in its family's colour, its variant's line type and point shape."""
    data = _strips(
        model_columns(robustness.filter(~pl.col("preprocessed")))
        .with_columns(percent=pl.col("accuracy") * 100)
        .sort("model", "transform", "amount")
    )
    said = texts(findings)
    return (
        ggplot(data, aes("amount", "percent", group="model", color="family"))
        + geom_line(aes(linetype="variant"), size=0.7)
        + geom_point(aes(shape="variant"), size=1.6)
        + model_scales(data, "color", "linetype", "shape")
        + _panels(data, extra=(2.6, 1.9))
        + labs(
            title="How each model breaks as digits move away from MNIST's conventions",
            subtitle=f"Accuracy on {said['sample']} test digits changed one way at a time, read "
            "as they are; below the dotted line\na model gets fewer than half right. "
            f"Averaged over all the changes {said['most_robust_model']} holds up best "
            f"({said['most_robust_accuracy']} right), "
            f"{said['least_robust_model']} worst ({said['least_robust_accuracy']})",
            x="amount of the change",
            y="accuracy",
        )
    )


def robustness_rescue(robustness: pl.DataFrame, findings: pl.DataFrame) -> ggplot:
    """The models' accuracy against each transformation's amount, read as they are and after
    MNIST-style preprocessing: the band spans the models, the line is their median."""
    readings = pl.Enum([AS_GIVEN, PREPROCESSED])
    data = _strips(
        robustness.group_by("transform", "amount", "preprocessed")
        .agg(
            low=pl.col("accuracy").min() * 100,
            high=pl.col("accuracy").max() * 100,
            median=pl.col("accuracy").median() * 100,
        )
        .with_columns(
            reading=pl.when(pl.col("preprocessed"))
            .then(pl.lit(PREPROCESSED))
            .otherwise(pl.lit(AS_GIVEN))
            .cast(readings)
        )
        .sort("reading", "transform", "amount")
    )
    said = texts(findings)
    return (
        ggplot(data, aes("amount", group="reading"))
        + geom_ribbon(aes(ymin="low", ymax="high", fill="reading"), alpha=0.18)
        + geom_line(aes(y="median", color="reading"), size=0.9)
        + geom_point(aes(y="median", color="reading"), size=1.4)
        + scale_color_manual(values=READING_COLOURS, name="the digits read")
        + scale_fill_manual(values=READING_COLOURS, name="the digits read")
        + _panels(data, extra=(0.9, 2.3))
        + labs(
            title="What MNIST-style preprocessing rescues",
            subtitle="Accuracy of every model on the changed test digits read as they are and "
            "after to_mnist\n(the band spans the models, the line is their median). On the "
            f"unchanged digits it moves the median by {said['clean_change']} points",
            x="amount of the change",
            y="accuracy",
        )
        + theme(legend_title=element_text(color=INK_HIGH), legend_position="bottom")
    )
