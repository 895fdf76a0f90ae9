"""The generated report: the whole study as one self-contained HTML article.

Everything here takes tables, figure bytes and provenance values and returns text; the workflow's
report rule reads the files and writes the page. Captions are sentences computed from the tables
of this run, so they stay true when the data or the config change.
"""

import base64
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

import jinja2
import polars as pl
from great_tables import GT


def data_uri(png: bytes) -> str:
    """A PNG as a data URI, so the page needs no other file and no network."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def html_table(
    frame: pl.DataFrame,
    *,
    percent: Sequence[str] = (),
    decimals: int = 3,
    table_id: str | None = None,
) -> str:
    """A real HTML table of ``frame`` (great_tables), percentages and numbers formatted."""
    table = GT(frame, id=table_id)
    if percent:
        table = table.fmt_percent(columns=list(percent), decimals=2)
    numbers = [c for c, t in frame.schema.items() if t.is_float() and c not in percent]
    if numbers:
        table = table.fmt_number(columns=numbers, decimals=decimals)
    integers = [c for c, t in frame.schema.items() if t.is_integer()]
    if integers:
        table = table.fmt_integer(columns=integers)
    return table.as_raw_html()


STAGES = {
    "pixels": "read, verify, pixel table",
    "centroids": "exploration",
    "distances": "exploration",
    "pairwise": "exploration",
    "label_summary": "exploration",
    "pca": "space of digits",
    "tsne": "space of digits",
    "fit": "models: fit",
    "evaluate": "models: predict",
    "evaluation": "models: predict",
    "sweep": "sweeps",
    "figure": "figures",
}


def stage_of(step: str) -> str:
    """The stage a benchmarked step belongs to (``fit_svm`` -> ``models: fit``)."""
    return STAGES.get(step, STAGES.get(step.split("_", maxsplit=1)[0], "other"))


def stage_summary(timings: pl.DataFrame) -> pl.DataFrame:
    """Seconds per stage (steps summed), in the order the workflow runs them."""
    order = list(dict.fromkeys(STAGES.values()))
    return (
        timings.with_columns(stage=pl.col("step").map_elements(stage_of, return_dtype=pl.String))
        .group_by("stage")
        .agg(
            steps=pl.len(),
            seconds=pl.col("seconds").sum(),
            peak_memory_mb=pl.col("peak_memory_mb").max(),
        )
        .with_columns(
            order=pl.col("stage").replace_strict(
                {stage: i for i, stage in enumerate(order)}, default=len(order)
            )
        )
        .sort("order")
        .drop("order")
    )


def stage_timings(benchmarks: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per workflow step from Snakemake's benchmark files: seconds and peak memory."""
    rows = [
        {
            "step": step,
            "seconds": float(frame["s"][0]),
            "peak_memory_mb": float(frame["max_rss"][0])
            if frame["max_rss"].dtype.is_numeric()
            else None,
        }
        for step, frame in sorted(benchmarks.items())
    ]
    schema = {"step": pl.String, "seconds": pl.Float64, "peak_memory_mb": pl.Float64}
    return pl.DataFrame(rows, schema=schema).sort("seconds", descending=True)


def explore_captions(
    tables: Mapping[str, pl.DataFrame], class_names: Sequence[str]
) -> dict[str, str]:
    """What to notice in each exploration figure, from this run's numbers."""
    summary = tables["label_summary"].sort("mean_distance")
    tight, loose = summary.row(0, named=True), summary.row(-1, named=True)
    counts = tables["value_counts"]
    blank = counts.filter(pl.col("value") == 0)["n"].sum() / counts["n"].sum()
    pairs = tables["pair_separability"].sort("rank")
    first, second, last = (
        pairs.row(0, named=True),
        pairs.row(1, named=True),
        pairs.row(-1, named=True),
    )
    worst = tables["label_summary"].sort("max_distance").row(-1, named=True)
    n_train = int(summary["n"].sum())

    def pair(row: dict) -> str:
        return f"{class_names[row['label_a']]}/{class_names[row['label_b']]}"

    return {
        "sample_digits": f"The first training images as stored: {n_train:,} training images "
        "in all, each 28 x 28 pixels of grey levels.",
        "pixel_histogram": f"{blank:.1%} of all training pixels are blank (value 0); the rest "
        "pile up at full ink, with anti-aliased edges spread thinly in between.",
        "centroids": "The mean of each pixel over every training image of a label: sharp where "
        "writers agree, blurred where they do not.",
        "distance_boxplots": f"{class_names[tight['label']]} is written most alike (mean "
        f"distance {tight['mean_distance']:.1f} to its centroid); "
        f"{class_names[loose['label']]} varies most ({loose['mean_distance']:.1f}).",
        "least_typical": f"The images farthest from their label's average. The farthest of all is "
        f"a {class_names[worst['label']]} at distance {worst['max_distance']:.1f}.",
        "pairwise_differences": f"The least separable pair is {pair(first)} (root-mean-square "
        f"difference {first['rms_difference']:.1f}), then {pair(second)} "
        f"({second['rms_difference']:.1f}); the most distinct is {pair(last)} "
        f"({last['rms_difference']:.1f}).",
    }


def embed_captions(tables: Mapping[str, pl.DataFrame]) -> dict[str, str]:
    """What to notice in each figure of the space of digits."""
    variance = tables["pca_variance"]
    first_two = variance["variance_ratio"].head(2).sum()
    for_90 = variance.filter(pl.col("cumulative_ratio") >= 0.90)["component"].min()
    for_95 = variance.filter(pl.col("cumulative_ratio") >= 0.95)["component"].min()
    n_map = tables["tsne_map"].height
    return {
        "pca_scatter": f"The first two principal components hold {first_two:.1%} of the pixel "
        "variance: enough to pull 0s and 1s apart, not to separate every label.",
        "eigen_digits": "The directions in which training digits vary most: red pixels gain ink "
        "and blue pixels lose it as an image moves along a component.",
        "explained_variance": f"{for_90} components keep 90% of the variance and {for_95} keep "
        "95%, out of 784 pixels.",
        "tsne_map": f"A t-SNE map of {n_map:,} training images: each label forms its own island, "
        "and the bridges between islands are the digits that could be read either way.",
        "least_typical_on_maps": "The least typical digits of each label on both maps; many sit "
        "far from their own label's cloud, next to the label they resemble.",
    }


def model_captions(
    tables: Mapping[str, pl.DataFrame], class_names: Sequence[str]
) -> dict[str, str]:
    """What to notice in each figure of the models."""
    metrics = tables["metrics"].sort("accuracy", descending=True)
    best, worst = metrics.row(0, named=True), metrics.row(-1, named=True)
    fastest = metrics.sort("fit_seconds").row(0, named=True)
    per_class = tables["per_class"].group_by("label").agg(pl.col("f1").mean()).sort("f1")
    hardest, easiest = per_class.row(0, named=True), per_class.row(-1, named=True)
    errors = tables["errors_by_typicality"].group_by("decile").agg(pl.col("error_rate").mean())
    errors = errors.sort("decile")
    low, high = errors["error_rate"][0], errors["error_rate"][-1]
    pairs = tables["pair_confusions"].group_by("label_a", "label_b").agg(pl.col("confusions").sum())
    top = pairs.sort("confusions", descending=True).row(0, named=True)
    rho = tables["pair_correlation"]["spearman_rho"]
    missed = (
        tables["confusion"]
        .filter(pl.col("label") != pl.col("predicted"))
        .group_by("label")
        .agg(pl.col("n").sum())
        .sort("n")
        .row(-1, named=True)
    )

    def name(label: int) -> str:
        return class_names[label]

    return {
        "model_comparison": f"{best['model']} is the most accurate ({best['accuracy']:.2%}), "
        f"{worst['model']} the least ({worst['accuracy']:.2%}); {fastest['model']} fits fastest "
        f"({fastest['fit_seconds']:.2g} s).",
        "per_class_f1": f"{name(hardest['label'])} is the hardest label (mean F1 "
        f"{hardest['f1']:.3f} over the models), {name(easiest['label'])} the easiest "
        f"({easiest['f1']:.3f}).",
        "confusion_matrices": f"Off the diagonal are the mistakes; the pair confused most often "
        f"over all models is {name(top['label_a'])}/{name(top['label_b'])} "
        f"({top['confusions']} test images).",
        "mistakes_gallery": "The wrong answers each model gave with the most confidence: many "
        "are digits a person would hesitate over too.",
        "misclassifications_by_label": f"{name(missed['label'])} is missed most often "
        f"({missed['n']} errors summed over the models).",
        "coefficient_maps": "Where ink counts for or against each label in the logistic "
        "regression: each map is a rough stencil of its digit.",
        "errors_by_typicality": f"Averaged over the models, the least typical tenth of each "
        f"label's test images is misclassified {high:.1%} of the time, the most typical tenth "
        f"{low:.2%}: the exploration's distance to the centroid predicts the models' errors.",
        "pair_confusions": f"Spearman's rank correlation between a pair's confusions and the "
        f"distance between its centroids ranges from {rho.min():.2f} to {rho.max():.2f} across "
        "the models: pairs whose average images look alike are confused more.",
    }


def extra_model_captions(tables: Mapping[str, pl.DataFrame]) -> dict[str, str]:
    """Captions of the optional model figures: deskewing, the sweep, the CNN's feature maps."""
    captions = {}
    metrics = tables["metrics"]
    deskewed = metrics.filter(pl.col("model").str.ends_with("_deskewed"))
    if deskewed.height and deskewed.height < metrics.height:
        gains = (
            deskewed.with_columns(base=pl.col("model").str.strip_suffix("_deskewed"))
            .join(metrics, left_on="base", right_on="model", suffix="_as_is")
            .with_columns(gain=pl.col("accuracy") - pl.col("accuracy_as_is"))
            .sort("gain", descending=True)
        )
        top, low = gains.row(0, named=True), gains.row(-1, named=True)
        captions["deskew_gain"] = (
            f"Deskewing changes test accuracy by {low['gain'] * 100:+.2f} ({low['base']}) to "
            f"{top['gain'] * 100:+.2f} points ({top['base']}: {top['accuracy_as_is']:.2%} to "
            f"{top['accuracy']:.2%})."
        )
    if "sweep" in tables:
        best = (
            tables["sweep"]
            .sort("accuracy", descending=True)
            .group_by("model", "parameter", maintain_order=True)
            .first()
        )
        captions["sweep_accuracy"] = (
            "Best values on the held-out images: "
            + "; ".join(
                f"{row['model']} {row['parameter']} = {row['value']} ({row['accuracy']:.2%})"
                for row in best.sort("model").iter_rows(named=True)
            )
            + ". The test split is never used to choose."
        )
    if "cnn" in set(metrics["model"]):
        captions["feature_maps"] = (
            "Each convolution layer's most active feature maps for one test digit: the first "
            "layer answers to edges and stroke directions, the deeper one to parts of the digit."
        )
    return captions


def custom_captions(tables: Mapping[str, pl.DataFrame]) -> dict[str, str]:
    """What to notice in the figures of the custom digits."""
    captions = {
        "preprocessing_steps": "One image taken through MNIST's own recipe: which side is ink, "
        "the paper's unevenness removed, cropped to the ink, the longer side scaled to 20 px "
        "with anti-aliasing, and centred by its centre of mass in 28 x 28.",
    }
    if "custom_predictions" in tables:
        n = tables["custom_predictions"]["file"].n_unique()
        accuracy = tables.get("custom_accuracy")
        if accuracy is not None and accuracy.height:
            best = accuracy.row(0, named=True)
            worst = accuracy.row(-1, named=True)
            said = (
                f"With labels, {best['model']} reads {best['correct']} of {best['n']} right "
                f"({best['accuracy']:.0%}), {worst['model']} {worst['correct']} "
                f"({worst['accuracy']:.0%})."
            )
        else:
            said = "Give a labels file to score the models on them."
        captions["custom_gallery"] = f"{n} custom digits, as given and in MNIST's format. {said}"
        captions["custom_on_maps"] = (
            "Each custom digit placed among the training digits: on the PCA plane by projection, "
            "on the t-SNE map by openTSNE's transform, which leaves the map as it is."
        )
        captions["custom_feature_maps"] = "The CNN's most active feature maps for a custom digit."
    return captions


def render(context: Mapping[str, Any]) -> str:
    """The report page for ``context`` (see templates/report.html.j2 for what it uses)."""
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: files("tidymnist.report").joinpath("templates", name).read_text()
        ),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template("report.html.j2").render(**context)


FIGURE_TITLES = {
    "sample_digits": "Sample digits",
    "pixel_histogram": "Pixel values",
    "centroids": "The average digit of each label",
    "distance_boxplots": "Distance to the centroid",
    "least_typical": "The least typical digits",
    "pairwise_differences": "Pairwise centroid differences",
    "pca_scatter": "The PCA plane",
    "eigen_digits": "Eigen-digits",
    "explained_variance": "Explained variance",
    "tsne_map": "The t-SNE map",
    "least_typical_on_maps": "The least typical digits on the maps",
    "model_comparison": "Accuracy against training time",
    "per_class_f1": "F1 per label",
    "confusion_matrices": "Confusion matrices",
    "mistakes_gallery": "The most confident mistakes",
    "misclassifications_by_label": "Mistakes per label",
    "coefficient_maps": "Logistic regression coefficients",
    "errors_by_typicality": "Typicality and errors",
    "pair_confusions": "Pair similarity and confusions",
    "deskew_gain": "What deskewing buys each model",
    "sweep_accuracy": "Hyperparameter sweeps",
    "feature_maps": "What the CNN sees",
    "preprocessing_steps": "From a photo to MNIST's format",
    "custom_gallery": "Your digits and every model's answer",
    "custom_on_maps": "Your digits on the maps",
    "custom_feature_maps": "What the CNN sees in your digit",
}
SECTIONS = (
    (
        "the-data",
        "The data",
        "explore",
        "Every image is reshaped into a long table, one row per pixel; the summaries below are "
        "group-bys and joins on that table, checked against the original R tidyverse analysis.",
    ),
    (
        "space-of-digits",
        "The space of digits",
        "embed",
        "Principal components and a t-SNE map place every digit in a plane, so that neighbours "
        "look alike.",
    ),
    (
        "models",
        "The models",
        "models",
        "Each model is trained on the training split and judged on the test split, which it "
        "has never seen.",
    ),
    (
        "your-digits",
        "Your own digits",
        "custom",
        "Digits that are not MNIST's, brought to its format the way MNIST was made, then read "
        "by the same models.",
    ),
)


def custom_tables(tables: Mapping[str, pl.DataFrame]) -> list[dict[str, Any]]:
    """The custom digits' accuracy per model, and the files that could not be used."""
    blocks = []
    accuracy = tables.get("custom_accuracy")
    if accuracy is not None and accuracy.height:
        blocks.append(
            {
                "kind": "table",
                "name": "custom_accuracy",
                "title": "Accuracy on your digits",
                "caption": "Over the custom digits the labels file names.",
                "html": html_table(accuracy, percent=("accuracy",)),
            }
        )
    errors = tables.get("custom_errors")
    if errors is not None and errors.height:
        blocks.append(
            {
                "kind": "table",
                "name": "custom_errors",
                "title": f"Files not used ({errors.height})",
                "caption": "Each was skipped with the reason; the others were read as usual.",
                "html": html_table(errors),
            }
        )
    return blocks


def figure_block(name: str, png: bytes, caption: str, width_px: int) -> dict[str, Any]:
    title = FIGURE_TITLES.get(name, name.replace("_", " ").capitalize())
    return {
        "kind": "figure",
        "name": name,
        "src": data_uri(png),
        "title": title,
        "alt": f"{title}: {caption}",
        "caption": caption,
        "width": width_px,
    }


def build_context(
    *,
    dataset_name: str,
    figures: Mapping[str, bytes],
    figure_widths: Mapping[str, int],
    tables: Mapping[str, pl.DataFrame],
    class_names: Sequence[str],
    provenance: Mapping[str, Any],
    draw_page: bool = False,
) -> dict[str, Any]:
    """Everything the template shows: provenance first, then a section per stage."""
    captions = {"explore": explore_captions(tables, class_names)}
    if "pca_variance" in tables:
        captions["embed"] = embed_captions(tables)
    if "metrics" in tables:
        captions["models"] = model_captions(tables, class_names) | extra_model_captions(tables)
    if "preprocessing_steps" in figures:
        captions["custom"] = custom_captions(tables)

    run = {
        "id": "what-was-run",
        "title": "What was run",
        "intro": f"Generated {provenance['date']} from commit {provenance['commit']}.",
        "blocks": [
            {
                "kind": "table",
                "name": "files",
                "title": "Data files",
                "caption": "SHA-256 of each file's decompressed content, checked against the "
                "configuration before anything used it.",
                "html": html_table(tables["files"]),
            },
            {
                "kind": "table",
                "name": "stages",
                "title": "Time and memory per stage",
                "caption": "From Snakemake's benchmark files: wall-clock seconds summed over each "
                "stage's steps (two jobs may run side by side) and the largest peak memory of a "
                "step.",
                "html": html_table(stage_summary(provenance["timings"]), decimals=1),
            },
            {
                "kind": "table",
                "name": "timings",
                "title": "Every step",
                "collapsed": True,
                "caption": None,
                "html": html_table(provenance["timings"], decimals=1),
            },
            {
                "kind": "table",
                "name": "versions",
                "title": "Package versions",
                "caption": None,
                "html": html_table(provenance["versions"]),
            },
            {
                "kind": "code",
                "title": "Configuration (YAML)",
                "text": provenance["config"],
                "open": False,
            },
        ],
    }
    sections = [run]
    for section_id, title, stage, intro in SECTIONS:
        if stage not in captions:
            continue
        blocks = [
            figure_block(name, figures[name], caption, figure_widths[name])
            for name, caption in captions[stage].items()
            if name in figures
        ]
        if stage == "models":
            blocks.insert(
                0,
                {
                    "kind": "table",
                    "name": "metrics",
                    "title": "Metrics (click a column to sort)",
                    "caption": "Accuracy and macro F1 on the test images; log loss where the model "
                    "gives probabilities; seconds to fit and to predict the 10,000 test images; "
                    "numbers the fitted model stores.",
                    "html": '<div class="sortable-wrap">'
                    + html_table(tables["metrics"], percent=("accuracy",), table_id="metrics")
                    + "</div>",
                },
            )
            per_class = tables["per_class"].pivot(on="model", index="label", values="f1")
            blocks.insert(
                3,
                {
                    "kind": "table",
                    "name": "per_class",
                    "title": "F1 per label",
                    "caption": None,
                    "html": html_table(per_class),
                },
            )
        if stage == "models" and "sweep" in tables:
            blocks.append(
                {
                    "kind": "table",
                    "name": "sweep",
                    "title": "Sweep points",
                    "collapsed": True,
                    "caption": None,
                    "html": html_table(tables["sweep"], percent=("accuracy",)),
                }
            )
        if stage == "models" and draw_page:
            blocks.append(
                {
                    "kind": "link",
                    "href": "draw.html",
                    "text": "Draw a digit",
                    "after": "with the mouse or a finger and watch the nearest centroid, the "
                    "logistic regression and the network answer as you draw (a page beside this "
                    "one, offline). `tidymnist serve` adds every other model.",
                }
            )
        if stage == "custom":
            blocks.extend(custom_tables(tables))
        sections.append({"id": section_id, "title": title, "intro": intro, "blocks": blocks})
    return {
        "title": f"A tidy analysis of {dataset_name}",
        "lede": "Long pixel tables, centroids, distances, the space of digits and the models "
        "that read them: the whole study, regenerated by snakemake from the raw files.",
        "sections": sections,
        "footer": f"tidymnist {provenance['tidymnist']} · built {provenance['date']}",
    }
