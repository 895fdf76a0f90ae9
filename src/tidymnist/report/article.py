"""The generated report: the whole study as one self-contained HTML article.

Everything here takes tables, figure bytes and provenance values and returns text; the workflow's
report rule reads the files and writes the page. The sections, their figures, titles and caption
templates are the records of :mod:`tidymnist.figures.registry`; each caption is filled from the
findings table of this run (:mod:`tidymnist.findings`), which the figures' subtitles read too, so
they stay true when the data or the config change and cannot disagree.
"""

import base64
import io
import json
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

import jinja2
import polars as pl
import yaml
from great_tables import GT
from PIL import Image

from tidymnist.core.extras import INSTALL_COMMAND
from tidymnist.core.naming import display_column
from tidymnist.evaluate.settings import TRANSFORMS
from tidymnist.figures.registry import FIGURES, Figure
from tidymnist.findings import fill, texts
from tidymnist.findings.robustness import BREAK, break_points
from tidymnist.io.provenance import git_commit, now, package_versions
from tidymnist.report.explore import EXPLORERS, javascript


def data_uri(png: bytes) -> str:
    """A PNG as a data URI, so the page needs no other file and no network; its colours
    reduced to a palette of 256 (a figure has few: the page is a third the size and looks
    the same)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def shown_width(png: bytes, dpi: int) -> int:
    """The width in CSS pixels (100 per inch) at which the article shows a PNG drawn at ``dpi``:
    read from the image itself, so a figure that sized itself from its panels shows as drawn."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return round(int.from_bytes(png[16:20], "big") / dpi * 100)


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
    "umap": "space of digits",
    "map_quality": "space of digits",
    "fit": "models: fit and predict",
    "evaluation": "models: evaluation",
    "robustness": "robustness",
    "out_of_fold": "label issues",
    "label_issues": "label issues",
    "sweep": "sweeps",
    "figures": "figures",
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


# The report's sections, by the registry's section names: anchor, heading, introduction.
SECTIONS = {
    "data": (
        "the-data",
        "The data",
        "Every image is reshaped into a long table, one row per pixel; the summaries below are "
        "group-bys and joins on that table, checked against the original R tidyverse analysis.",
    ),
    "space": (
        "space-of-digits",
        "The space of digits",
        "Principal components, a t-SNE map and a UMAP map place every digit in a plane, so that "
        "neighbours look alike.",
    ),
    "models": (
        "models",
        "The models",
        "Each model is trained on the training split and judged on the test split, which it "
        "has never seen.",
    ),
    "robustness": (
        "robustness",
        "When digits change",
        "A test accuracy says how a model reads digits written and scanned as MNIST's were. Here "
        "the same test digits are shifted, turned, shrunk, enlarged, thinned, thickened, "
        "blurred, made noisy and turned to dark ink on light paper, one change at a time and by "
        "more and more, and every model reads each changed digit twice: as it is, and after the "
        "preprocessing that brings any image to MNIST's format.",
    ),
    "labels": (
        "label-issues",
        "Which labels are wrong",
        "MNIST's labels were written by people, and a few are wrong. Confident learning finds "
        "the images whose given label a model, judging images it never learned from, finds "
        "least believable. They are candidates, not verdicts: look at them.",
    ),
    "handwriting": (
        "your-digits",
        "Your own digits",
        "Digits that are not MNIST's, brought to its format the way MNIST was made, then read "
        "by the same models.",
    ),
}


def cnn_said(cnn: Mapping[str, Any] | None) -> dict[str, str]:
    """What the report says about the CNN: in the provenance, whether PyTorch was installed and
    so whether the CNN was trained; in the models section, when "auto" skipped it, how to add
    it. ``cnn`` as :func:`report_page` takes it (None: nothing to say)."""
    if cnn is None:
        return {}
    torch, setting = cnn["torch"], cnn["setting"]
    found = f"PyTorch {torch} is installed" if torch else "PyTorch is not installed"
    done = "so the CNN was trained" if cnn["trained"] else "so the CNN was not trained"
    said = {"provenance": f"{found} and models.cnn.enabled is {str(setting).lower()}, {done}."}
    if setting == "auto" and not cnn["trained"]:
        said["models"] = (
            "The convolutional network (the CNN) was skipped because PyTorch is not installed. "
            f"To add it, install PyTorch ({INSTALL_COMMAND}) and run snakemake again."
        )
    return said


def headlines(figures: Mapping[str, Any], findings: pl.DataFrame) -> list[dict[str, Any]]:
    """One sentence per drawn figure whose record has a headline, filled from its findings and
    linked to the figure, in the registry's order."""
    return [
        {
            "kind": "finding",
            "name": record.name,
            "text": fill(record.headline, texts(findings, record.name)),
            "href": f"#figure-{record.name}",
        }
        for record in FIGURES.values()
        if record.headline and record.name in figures
    ]


def caption(record: Figure, findings: pl.DataFrame) -> str:
    """A figure's caption: its record's template filled from its findings."""
    return fill(record.caption, texts(findings, record.name))


def table_block(
    name: str, title: str, html: str, caption: str | None = None, *, collapsed: bool = False
) -> dict[str, Any]:
    """A table of the article: its id, heading, HTML and caption (``collapsed``: folded away
    under its heading)."""
    return {
        "kind": "table",
        "name": name,
        "title": title,
        "caption": caption,
        "html": html,
        "collapsed": collapsed,
    }


def custom_tables(tables: Mapping[str, pl.DataFrame]) -> list[dict[str, Any]]:
    """The custom digits' accuracy per model, and the files that could not be used."""
    blocks = []
    accuracy = tables.get("custom_accuracy")
    if accuracy is not None and accuracy.height:
        blocks.append(
            table_block(
                "custom_accuracy",
                "Accuracy on your digits",
                html_table(accuracy, percent=("accuracy",)),
                "Over the custom digits the labels file names.",
            )
        )
    errors = tables.get("custom_errors")
    if errors is not None and errors.height:
        blocks.append(
            table_block(
                "custom_errors",
                f"Files not used ({errors.height})",
                html_table(errors),
                "Each was skipped with the reason; the others were read as usual.",
            )
        )
    return blocks


def robustness_tables(tables: Mapping[str, pl.DataFrame]) -> list[dict[str, Any]]:
    """Where each model breaks: a row per model, a column per transformation, the smallest
    amount at which it reads fewer than half of the changed digits right."""
    robustness = tables.get("robustness")
    if robustness is None or not robustness.height:
        return []
    points = break_points(robustness).with_columns(
        shown=pl.struct("transform", "amount").map_elements(
            lambda row: (
                "—" if row["amount"] is None else TRANSFORMS[row["transform"]].said(row["amount"])
            ),
            return_dtype=pl.String,
        ),
        title=pl.col("transform")
        .cast(pl.String)
        .replace_strict({name: record.title for name, record in TRANSFORMS.items()}),
    )
    wide = (
        points.with_columns(display_column("model"))
        .sort("model")
        .pivot(on="title", index="model", values="shown", sort_columns=False)
    )
    said = (
        f"The smallest amount of each change at which a model, reading the digits as they are, "
        f"gets fewer than {BREAK:.0%} right; — where it never does within the amounts tried."
    )
    return [table_block("break_points", "Where each model breaks", html_table(wide), said)]


def label_tables(tables: Mapping[str, pl.DataFrame]) -> list[dict[str, Any]]:
    """Each model's test accuracy with and without the test split's flagged labels, and the
    flagged labels themselves (collapsed)."""
    sensitivity = tables.get("label_sensitivity")
    if sensitivity is None:
        return []
    shown = sensitivity.with_columns(display_column("model")).select(
        "model",
        pl.col("accuracy").alias("test accuracy"),
        pl.col("accuracy_without").alias("without the flagged"),
        pl.col("set_aside").alias("set aside"),
        (pl.col("change") * 100).alias("change (points)"),
    )
    blocks = [
        table_block(
            "label_sensitivity",
            "Test accuracy without the flagged test labels",
            html_table(shown, percent=("test accuracy", "without the flagged"), decimals=2),
            "Each model's plain test accuracy, its accuracy on the test images left when the "
            "flagged ones are set aside, and the change in percentage points.",
        )
    ]
    issues = tables.get("label_issues")
    if issues is not None and issues.height:
        listed = issues.select(
            "split",
            "instance",
            "label",
            "suggested",
            # the probability of the given label, to two significant digits: 2.8e-08, 0.0043
            pl.col("score").map_elements(lambda p: f"{p:.2g}", return_dtype=pl.String),
            "rank",
        )
        blocks.append(
            table_block(
                "label_issues",
                f"Every flagged label ({issues.height:,})",
                html_table(listed),
                collapsed=True,
            )
        )
    return blocks


def explorer_blocks(figure: str, explorers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The explorers that follow ``figure`` in the article (:data:`EXPLORERS`), each with its
    Vega-Lite specification as JSON that is safe inside a script element."""
    return [
        {
            "kind": "explorer",
            "name": name,
            "title": title,
            "caption": said,
            "spec": json.dumps(explorers[name], separators=(",", ":")).replace("</", "<\\/"),
        }
        for name, (after, title, said) in EXPLORERS.items()
        if after == figure and name in explorers
    ]


def figure_block(record: Figure, png: bytes, said: str, width_px: int) -> dict[str, Any]:
    """A figure of the article: its image, title and caption (``said``)."""
    return {
        "kind": "figure",
        "name": record.name,
        "src": data_uri(png),
        "title": record.title,
        "alt": f"{record.title}: {said}",
        "caption": said,
        "width": width_px,
    }


def report_page(
    *,
    dataset_name: str,
    figures: Mapping[str, bytes],
    dpi: int,
    tables: Mapping[str, pl.DataFrame],
    findings: pl.DataFrame,
    benchmarks: Mapping[str, pl.DataFrame],
    config: Mapping[str, Any],
    draw_page: bool = False,
    cnn: Mapping[str, Any] | None = None,
    explorers: Mapping[str, Any] | None = None,
) -> str:
    """The whole report as one HTML page, with this run's provenance (date, commit, package
    versions, time per step from Snakemake's ``benchmarks``, the ``config`` as YAML, and
    whether the CNN was trained: ``cnn`` holds its ``setting``, whether it was ``trained`` and
    the installed ``torch`` version or None)."""
    versions = package_versions()
    provenance = {
        "date": now(),
        "commit": git_commit(),
        "tidymnist": versions.filter(pl.col("package") == "tidymnist")["version"][0],
        "versions": versions,
        "timings": stage_timings(benchmarks),
        "config": yaml.safe_dump(dict(config), sort_keys=False),
        "cnn": cnn_said(cnn),
    }
    context = build_context(
        dataset_name=dataset_name,
        figures=figures,
        figure_widths={name: shown_width(png, dpi) for name, png in figures.items()},
        tables=tables,
        findings=findings,
        provenance=provenance,
        draw_page=draw_page,
        explorers=explorers or {},
    )
    return render(context | {"vega": javascript() if explorers else ""})


def build_context(
    *,
    dataset_name: str,
    figures: Mapping[str, bytes],
    figure_widths: Mapping[str, int],
    tables: Mapping[str, pl.DataFrame],
    findings: pl.DataFrame,
    provenance: Mapping[str, Any],
    draw_page: bool = False,
    explorers: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the template shows: what was found (the drawn figures' headlines), then a
    section per stage of the registry that has figures in ``figures``, each in the registry's
    order and with its caption filled from ``findings``, and the provenance as an appendix."""
    run = {
        "id": "what-was-run",
        "title": "Appendix: what was run",
        "intro": f"Generated {provenance['date']} from commit {provenance['commit']}. "
        + provenance.get("cnn", {}).get("provenance", ""),
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
    found = headlines(figures, findings)
    sections = (
        [{"id": "what-we-found", "title": "What we found", "intro": None, "blocks": found}]
        if found
        else []
    )
    for stage, (section_id, title, intro) in SECTIONS.items():
        records = [r for r in FIGURES.values() if r.section == stage and r.name in figures]
        if not records:
            continue
        blocks = []
        for r in records:
            blocks.append(
                figure_block(r, figures[r.name], caption(r, findings), figure_widths[r.name])
            )
            blocks.extend(explorer_blocks(r.name, explorers or {}))
        if stage == "models" and "metrics" in tables:
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
            per_class = (  # a row per model, named and ordered as in the figures, a column
                tables["per_class"]  # per label: as wide at twelve models as at one
                .with_columns(display_column("model"), pl.col("label").cast(pl.String))
                .sort("model", "label")
                .pivot(on="label", index="model", values="f1")
            )
            after = (
                [b["name"] for b in blocks].index("per_class_f1") + 1
                if "per_class_f1" in figures
                else len(blocks)
            )
            blocks.insert(
                after,
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
                    "after": "with the mouse or a finger and watch every model answer as you "
                    "draw, see where your digit falls on the PCA plane and the t-SNE and UMAP "
                    "maps, how the principal components build it and what the CNN's filters "
                    "see in it (a page beside this one, offline).",
                }
            )
        if stage == "robustness":
            blocks.extend(robustness_tables(tables))
        if stage == "labels":
            blocks.extend(label_tables(tables))
        if stage == "handwriting":
            blocks.extend(custom_tables(tables))
        said = provenance.get("cnn", {}).get("models") if stage == "models" else None
        sections.append(
            {
                "id": section_id,
                "title": title,
                "intro": f"{intro} {said}" if said else intro,
                "blocks": blocks,
            }
        )
    sections.append(run)
    return {
        "title": f"A tidy analysis of {dataset_name}",
        "lede": "Long pixel tables, centroids, distances, the space of digits and the models "
        "that read them: the whole study, regenerated by snakemake from the raw files.",
        "sections": sections,
        "footer": f"tidymnist {provenance['tidymnist']} · built {provenance['date']}",
        "vega": "",  # the explorers' JavaScript, added by report_page where there are explorers
    }
