"""Figures of the models: how accurate and fast they are, which labels they confuse, and why."""

from collections.abc import Sequence

import polars as pl
from mizani.bounds import squish
from plotnine import (
    aes,
    coord_equal,
    element_blank,
    element_text,
    facet_wrap,
    geom_line,
    geom_point,
    geom_raster,
    geom_text,
    geom_tile,
    ggplot,
    labs,
    scale_color_identity,
    scale_fill_gradient,
    scale_x_continuous,
    scale_x_discrete,
    scale_x_log10,
    scale_y_continuous,
    scale_y_discrete,
    scale_y_log10,
    theme,
)

from tidymnist.core.naming import display_column
from tidymnist.figures.common import tiles as _tiles
from tidymnist.figures.common import with_class
from tidymnist.figures.gallery import digit_gallery, ranked
from tidymnist.figures.labels import label_layers, place_labels
from tidymnist.figures.panels import MATRIX_COLUMNS, family_panels, figure_size, panel_grid
from tidymnist.figures.theme import (
    SHARE_HIGH,
    SHARE_LOW,
    difference_scale,
    digit_axes,
    model_columns,
    model_scales,
    theme_tidymnist,
)
from tidymnist.findings import texts as finding_texts
from tidymnist.findings import values as finding_values
from tidymnist.findings.models import CLEAR, best_model

# Candidate caps of the confusion colour scale: the smallest that holds every error is used.
SHARE_CAPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
COUNT_BREAKS = (0, 1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)


def _percent(breaks) -> list[str]:
    return [f"{b:.0f}%" for b in breaks]


def _share(breaks) -> list[str]:
    return [f"{b:.0%}" if b >= 0.1 or b == 0 else f"{b:.1%}".replace(".0%", "%") for b in breaks]


def model_comparison(metrics: pl.DataFrame, findings: pl.DataFrame) -> ggplot:
    """Accuracy on the test images against the time taken to fit, one labelled point per model."""
    data = model_columns(metrics).with_columns(percent=pl.col("accuracy") * 100)
    ranked = data.sort("accuracy", descending=True)
    texts = [f"{m} {p:.1f}%" for m, p in ranked.select("model", "percent").iter_rows()]
    places = place_labels(
        ranked["fit_seconds"].log10().to_list(),
        ranked["percent"].to_list(),
        texts,
        size=9,
        panel=(6.6, 3.5),
        directions=[(1, 0), (-1, 0), (0, 1), (0, -1)],
        shifts=len(texts),
    )
    seconds = [pl.lit(10.0).pow(pl.col(c)).alias(c) for c in ("text_x", "end_x", "left", "right")]
    labels = pl.concat([ranked, places], how="horizontal").with_columns(
        *seconds, text=pl.Series(texts)
    )
    said = finding_texts(findings)
    best, fastest = said["most_accurate_model"], said["fastest_model"]
    finding = (
        f"{best} is both the most accurate ({said['most_accurate_accuracy']}) and the "
        f"fastest to fit ({said['fastest_fit_seconds']})"
        if best == fastest
        else f"{best} is the most accurate ({said['most_accurate_accuracy']}); "
        f"{fastest} is the fastest to fit ({said['fastest_fit_seconds']})"
    )
    return (
        ggplot(data, aes("fit_seconds", "percent"))
        + geom_point(aes(color="family", shape="variant"), size=3, show_legend=False)
        + label_layers(labels, 9, "fit_seconds", "percent")
        + model_scales(data, "color", "shape", legend=False)
        + scale_x_log10(labels=lambda breaks: [f"{b:g} s" for b in breaks])
        + scale_y_continuous(labels=_percent)
        + labs(
            title="How accurate each model is, and how long it takes to learn",
            subtitle="Accuracy on the test images against the time to fit the training images;\n"
            + finding,
            x="time to fit (seconds, log scale)",
            y="test accuracy",
        )
        + theme_tidymnist()
    )


def per_class_f1(
    per_class: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """F1 score of every label for every model: a panel per model family, its variants as line
    types, every other model in grey behind for comparison."""
    data = model_columns(with_class(per_class, class_names))
    said = finding_texts(findings)
    return (
        ggplot(data, aes("class", "f1", group="model", color="family"))
        + family_panels(
            data,
            [
                geom_line(aes(linetype="variant"), size=0.7),
                geom_point(aes(shape="variant"), size=2),
            ],
        )
        + labs(
            title="Which labels each model finds hard",
            subtitle="F1 score (harmonic mean of precision and recall) per label on the test "
            "images, a panel per model,\nthe others in grey. Averaged over the models, the hardest"
            f" label is {said['hardest_label']} (F1 {said['hardest_f1']}), the easiest "
            f"{said['easiest_label']} ({said['easiest_f1']})",
            x="label",
            y="F1 score",
        )
    )


def _confusion_shares(confusion: pl.DataFrame, class_names: Sequence[str]) -> pl.DataFrame:
    """The confusion table with the reader's label names, each cell's share of its true
    label's images and whether it is a mistake."""
    return (
        with_class(with_class(confusion, class_names), class_names, "predicted", "predicted_class")
        .with_columns(total=pl.col("n").sum().over("model", "label"))
        .with_columns(
            share=pl.when(pl.col("total") > 0).then(pl.col("n") / pl.col("total")).otherwise(0.0),
            error=pl.col("label") != pl.col("predicted"),
        )
    )


def _share_cap(data: pl.DataFrame) -> float:
    """The smallest cap of the colour scale that holds every mistake's share."""
    worst = data.filter(pl.col("error"))["share"].max() or 0.0
    return next(cap for cap in SHARE_CAPS if cap >= worst)


def _confusion_layers(cap: float, class_names: Sequence[str], base_size: float) -> list:
    """The heatmap's tiles, colour scale, axes and theme, shared by the large and small
    matrices."""
    long_names = max(len(name) for name in class_names) > 2
    return [
        geom_tile(color="#ffffff", size=0.2),
        scale_fill_gradient(
            low=SHARE_LOW,
            high=SHARE_HIGH,
            limits=(0, cap),
            oob=squish,
            trans="sqrt",
            labels=lambda breaks: [
                f"{text}+" if b >= cap * 0.999 else text
                for b, text in zip(breaks, _share(breaks), strict=True)
            ],
            name="share of the\ntrue label's\nimages",
        ),
        scale_x_discrete(expand=(0, 0)),
        scale_y_discrete(limits=list(reversed(class_names)), expand=(0, 0)),
        coord_equal(),
        theme_tidymnist(base_size=base_size),
        theme(panel_grid=element_blank(), axis_text_x=element_text(angle=90 if long_names else 0)),
    ]


def confusion_best(
    confusion: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """The most accurate model's confusion matrix, large, with the count in every cell."""
    data = _confusion_shares(confusion, class_names).filter(
        pl.col("model") == best_model(confusion)
    )
    cap = _share_cap(data)
    counts = data.filter(pl.col("n") > 0).with_columns(
        ink=pl.when(pl.col("share").clip(0, cap) / cap > 0.36)
        .then(pl.lit("#ffffff"))
        .otherwise(pl.lit("#222222"))
    )
    said = finding_texts(findings)
    return (
        ggplot(data, aes("predicted_class", "class", fill="share"))
        + _confusion_layers(cap, class_names, base_size=11)
        + geom_text(aes(label="n", color="ink"), data=counts, size=8)
        + scale_color_identity()
        + labs(
            title=f"What the best model, {said['best_model']}, answers for each label",
            subtitle="Rows are the true label, columns its answer, each cell the number of test "
            "images;\nthe colour is their share of the true label's images (square-root scale, "
            f"capped at {_share([cap])[0]})",
            x="predicted label",
            y="true label",
        )
    )


def confusion_matrices(confusion: pl.DataFrame, class_names: Sequence[str]) -> ggplot:
    """Every model's confusion matrix, small, coloured by the share of the true label's images,
    with its share right in its title; sized from the number of models."""
    data = _confusion_shares(confusion, class_names)
    cap = _share_cap(data)
    accuracy = data.group_by("model").agg(
        right=pl.col("n").filter(~pl.col("error")).sum() / pl.col("n").sum()
    )
    strips = (
        accuracy.with_columns(shown=display_column("model", short=True))
        .sort("shown")
        .select(
            "model",
            strip=pl.format("{}\n{}% correct", "shown", (pl.col("right") * 100).round(1)),
        )
    )
    data = (
        data.join(strips, on="model")
        .with_columns(pl.col("strip").cast(pl.Enum(strips["strip"].to_list())))
        .sort("model", "label", "predicted")  # one drawing order, so one image
    )
    columns, rows = panel_grid(strips.height, MATRIX_COLUMNS)
    return (
        ggplot(data, aes("predicted_class", "class", fill="share"))
        + _confusion_layers(cap, class_names, base_size=9)
        + facet_wrap("strip", ncol=columns)
        + labs(
            title="What each model answers for each label",
            # short lines: with one model the figure is one small matrix wide
            subtitle="Rows are the true label, columns the model's answer;\nthe colour is the "
            "share of the true label's test images\n(square-root scale, capped at "
            f"{_share([cap])[0]}, so that the mistakes show:\nthe diagonal, the right answers, "
            "is darkest)",
            x="predicted label",
            y="true label",
        )
        + theme(figure_size=figure_size(columns, rows, panel=(2.1, 2.45), extra=(1.9, 1.5)))
    )


def mistakes_gallery(
    pixels: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """Each model's most confident mistakes: a row per model, a column per rank; sized from
    the number of models and of mistakes shown."""
    data = ranked(
        with_class(pixels, class_names)
        .with_columns(display_column("model", short=True, wrap=True))
        .pipe(with_class, class_names, "predicted", "predicted_class")
    )
    percent = (pl.col("probability") * 100).round(0).cast(pl.Int64)
    k = data["rank"].n_unique()
    said = finding_texts(findings)
    return digit_gallery(
        data,
        rows="model",
        given="class",
        read="predicted_class",
        note=pl.format("{}%", percent),
        class_names=class_names,
    ) + labs(
        title="The mistakes each model was surest of",
        subtitle=f"Each model's {k} wrong answers on test images given with the\nhighest "
        "probability, surest first; in red: true label → answer\n(probability). "
        f"{said['mistakes_sure']} of these {said['mistakes_shown']} answers were given at "
        "least 99%.",
    )


def misclassifications_by_label(
    confusion: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """How many test images of each true label each model got wrong: a row per model, a
    column per label; sized from the number of models."""
    errors = confusion.filter(pl.col("label") != pl.col("predicted"))
    data = model_columns(
        with_class(
            # sorted: tiles drawn in another order overlap their neighbours' edges differently
            errors.group_by("model", "label").agg(wrong=pl.col("n").sum()).sort("model", "label"),
            class_names,
        )
    ).with_columns(
        ink=pl.when(pl.col("wrong") > pl.col("wrong").max() * 0.3)
        .then(pl.lit("#ffffff"))
        .otherwise(pl.lit("#222222"))
    )
    said = finding_texts(findings)
    n_models = data["model"].n_unique()
    return (
        ggplot(data, aes("class", "model", fill="wrong"))
        + geom_tile(color="#ffffff", size=0.4)
        + geom_text(aes(label="wrong", color="ink"), size=8)
        + scale_fill_gradient(low=SHARE_LOW, high=SHARE_HIGH, trans="sqrt", guide=None)
        + scale_color_identity()
        + scale_x_discrete(expand=(0, 0))
        + scale_y_discrete(limits=list(reversed(data["model"].dtype.categories)), expand=(0, 0))
        + labs(
            title="Which labels the models get wrong",
            subtitle="Test images of each label that each model misclassified; "
            + (f"summed over the {n_models} models" if n_models > 1 else "for this one model")
            + f",\n{said['most_missed_label']} is missed most often "
            f"({said['most_missed_count']} times), usually taken for {said['taken_for_label']} "
            f"({said['taken_for_count']} times)",
            x="true label",
            y="",
        )
        + theme_tidymnist()
        + theme(
            panel_grid=element_blank(),
            figure_size=figure_size(1, n_models, panel=(6.6, 0.34), extra=(1.9, 1.45)),
        )
    )


def coefficient_maps(coefficients: pl.DataFrame, class_names: Sequence[str]) -> ggplot:
    """The logistic regression's weight on every pixel for every label."""
    data = with_class(coefficients, class_names)
    limit = float(data["coefficient"].abs().max()) or 1.0
    return (
        ggplot(_tiles(data), aes("x", "y", fill="coefficient"))
        + geom_raster()
        + facet_wrap("class", nrow=2)
        + difference_scale("coefficient", limit)
        + theme_tidymnist()
        + digit_axes()
        + labs(
            title="What the logistic regression looks for in each label",
            subtitle="Its weight on each pixel's ink: red pixels push an image towards the label, "
            "blue pixels away from it;\nwhite pixels, like the border that is blank in every "
            "image, make no difference",
        )
    )


def errors_by_typicality(errors: pl.DataFrame, findings: pl.DataFrame) -> ggplot:
    """Error rate against how far test images lie from their label's centroid: a panel per
    model family, the other models in grey behind."""
    data = model_columns(errors).with_columns(percent=pl.col("error_rate") * 100)
    n_bins = int(errors["decile"].max())
    low, high = errors["min_distance"].min(), errors["max_distance"].max()
    said, found = finding_texts(findings), finding_values(findings)
    times = f", {said['error_rate_ratio']} times as often" if "error_rate_ratio" in said else ""
    tenth = "tenth" if n_bins == 10 else f"1/{n_bins}"
    title = (
        "Untypical digits are the ones the models get wrong"
        if found["untypical_error_rate"] > found["typical_error_rate"]
        else "The models do no worse on untypical digits"
    )
    return (
        ggplot(data, aes("decile", "percent", group="model", color="family"))
        + family_panels(
            data,
            [
                geom_line(aes(linetype="variant"), size=0.7),
                geom_point(aes(shape="variant"), size=2),
            ],
        )
        + scale_x_continuous(breaks=list(range(1, n_bins + 1)), minor_breaks=[])
        + scale_y_continuous(labels=_percent)
        + labs(
            title=title,
            subtitle=f"Test images in {n_bins} equal bins of distance to their label's average "
            f"training image ({low:.0f} to {high:.0f}),\na panel per model, the others in grey. "
            f"Averaged over the models, the least typical\n{tenth} is misclassified "
            f"{said['untypical_error_rate']} of the time, the most typical "
            f"{said['typical_error_rate']}: {said['error_rate_gap']} percentage points "
            f"more{times}",
            x=f"{'decile' if n_bins == 10 else 'bin'} of distance to the centroid "
            "(1: the most typical)",
            y="misclassified",
        )
    )


def pair_confusions_plot(
    pairs: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """How often each pair of labels is confused against how alike their average digits are."""
    totals = pairs.group_by("label_a", "label_b").agg(
        pl.col("confusions").sum(), pl.col("rms_difference").first()
    )
    sep = "/" if max(len(name) for name in class_names) == 1 else " / "
    data = (
        with_class(with_class(totals, class_names, "label_a", "a"), class_names, "label_b", "b")
        .with_columns(
            text=pl.format("{}{}{}", "a", pl.lit(sep), "b"),
            plotted=pl.col("confusions").cast(pl.Float64) + 1,
        )
        .sort("confusions", "rms_difference", descending=[True, False])
    )
    places = place_labels(
        data["rms_difference"].to_list(),
        data["plotted"].log10().to_list(),
        data["text"].to_list(),
        size=7.5,
        panel=(7.0, 4.9),
        directions=[(0, 1), (1, 0), (-1, 0), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)],
        drop=True,
    )
    counts = [pl.lit(10.0).pow(pl.col(c)).alias(c) for c in ("text_y", "end_y", "bottom", "top")]
    labels = pl.concat([data, places], how="horizontal").with_columns(*counts)
    hidden = labels.filter(~pl.col("shown")).height
    caption = (
        f"{hidden} of the {labels.height} pairs {'is' if hidden == 1 else 'are'} not named: "
        "the labels would overlap"
        if hidden
        else ""
    )
    top = int(data["confusions"].max())
    breaks = [b for b in COUNT_BREAKS if b <= top] + [b for b in COUNT_BREAKS if b > top][:1]
    said, found = finding_texts(findings), finding_values(findings)
    if "rho_highest" not in found:
        title = "Which pairs of labels the models confuse"
        finding = "No model made enough mistakes to measure a correlation."
    else:
        weakest = found["rho_highest"]
        title = (
            "Pairs of labels that look alike are the ones confused most"
            if weakest <= CLEAR
            else "Pairs of labels that look alike are confused a little more"
            if weakest < 0
            else "Looking alike does not explain which labels the models confuse"
        )
        finding = f"Spearman's rho per model: {said['rho_spread']};\n{said['rho_verdict']}."
    return (
        ggplot(data, aes("rms_difference", "plotted"))
        + geom_point(color="#333333", size=1.8)
        + label_layers(labels, 7.5, "rms_difference", "plotted")
        + scale_y_log10(
            breaks=[b + 1 for b in breaks],
            labels=lambda ticks: [f"{t - 1:,.0f}" for t in ticks],
        )
        + labs(
            title=title,
            subtitle="Each point is a pair of labels: how far apart their average training images "
            "are, and how often\nthe models took one for the other on the test images (both "
            f"ways, summed over the models).\n{finding}",
            x="distance between the pair's centroids (root-mean-square, 0-255 scale)",
            y="confusions (log scale)",
            caption=caption,
        )
        + theme_tidymnist()
    )
