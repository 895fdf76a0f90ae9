from pathlib import Path

import yaml
from snakemake.utils import min_version, validate

from tidymnist.core.config import ConfigError, check_config, coerce_to_schema
from tidymnist.core.extras import cnn_enabled, cnn_extra_installed, installed_version
from tidymnist.io.custom import custom_files
from tidymnist.io.dataset import IDX_FILES, missing_files, split_paths
from tidymnist.core.naming import (
    BASE_MODELS,
    compared,
    enabled_models,
    model_variants,
)
from tidymnist.figures.registry import (
    check_sizes,
    figures_for,
    sections_of,
    size_of,
    tables_of_section,
)
from tidymnist.evaluate.grid import sweep_points
from tidymnist.evaluate.settings import check_amounts, check_models, detector, fold_spec

min_version("9.0")

CONFIG_SCHEMA = "../schemas/config.schema.yaml"
with open(workflow.source_path(CONFIG_SCHEMA)) as schema_file:
    # libyaml's parser where PyYAML has it (its wheels do): a tenth of the pure-Python one's
    # time, which every run, even one with nothing to do, pays at start-up
    schema = yaml.load(
        schema_file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
config.update(coerce_to_schema(config, schema))
check_config(config, schema)  # a short message naming each bad key
validate(config, schema=CONFIG_SCHEMA)  # fills in the schema's defaults


MISSING_FILES = missing_files(config["data_dir"], config["data_format"])

TABLES = expand(
    "results/tables/{table}.parquet",
    table=[
        "pixels",
        "files",
        "centroids",
        "distances",
        "pairwise_differences",
        "pair_separability",
        "label_summary",
        "value_counts",
        "pca_loadings",
        "pca_mean",
        "pca_variance",
        "pca_coordinates",
        "tsne_map",
        "tsne_test_places",
        "umap_map",
        "umap_test_places",
        "map_quality",
        "least_typical_places",
    ],
)


# The CNN's "auto" (the default): trained where the cnn extra (PyTorch) is installed, which the
# package metadata says without importing it; true without it stops here, saying how to install.
TORCH_VERSION = installed_version("torch")
CNN = cnn_enabled(config["models"]["cnn"]["enabled"], installed=cnn_extra_installed())
unknown = sorted(set(config["deskew_compare"]) - set(BASE_MODELS))
if unknown:
    raise ConfigError(
        f"invalid configuration:\n  deskew_compare: {', '.join(unknown)}: no such model; "
        f"expected some of {', '.join(BASE_MODELS)}"
    )

# Each enabled model, as is and/or deskewed, as config["deskew"] asks: name -> ModelVariant
# (tidymnist.core.naming); a job's {model} is looked up here, never taken apart.
ENABLED = enabled_models(config["models"], cnn=CNN)
VARIANTS = {
    v.name: v
    for v in model_variants(ENABLED, config["deskew"], config["deskew_compare"])
}
MODELS = list(VARIANTS)


def base_model(model):
    """The configured model of a model variant: knn for knn_deskewed."""
    return VARIANTS[model].base


# The logistic regression whose weights are mapped (the plain one when there are both).
COEFFICIENT_MODEL = next(
    (m for m in MODELS if base_model(m) == "logistic_regression"), None
)

# How the models break: every model reads test digits changed one way at a time.
ROBUSTNESS = bool(MODELS) and config["robustness"]["enabled"]
if ROBUSTNESS:
    check_amounts(config["robustness"]["amounts"])  # a message naming each bad one
# Which labels are wrong: judged by the first of label_issues.models that this run trains.
check_models(
    config["label_issues"]["models"],
    config["label_issues"]["fold_settings"],
    config["models"],
)
LABEL_MODEL = (
    detector(config["label_issues"]["models"], MODELS)
    if config["label_issues"]["enabled"]
    else None
)
LABEL_TABLES = expand(
    "results/tables/{table}.parquet",
    table=(
        ["label_issues", "label_sensitivity", "label_issue_pixels"]
        if LABEL_MODEL
        else []
    ),
)

MODEL_TABLES = expand(
    "results/tables/{table}.parquet",
    table=[
        "metrics",
        "per_class",
        "confusion",
        "predictions",
        "errors_by_typicality",
        "pair_confusions",
        "pair_correlation",
        "mistake_pixels",
    ],
) + (["results/tables/coefficients.parquet"] if COEFFICIENT_MODEL else [])

# A person's own digits, when the config names a folder of them (each file an input).
CUSTOM_FILES = custom_files(config["custom"]["dir"]) if config["custom"]["dir"] else []
CUSTOM_TABLES = (
    expand(
        "results/tables/custom_{table}.parquet",
        table=["images", "labels", "thumbnails", "steps", "errors"]
        + (["predictions", "accuracy", "places"] if MODELS else []),
    )
    if CUSTOM_FILES
    else []
)

# Hyperparameter sweeps: one job per model, setting and value (checked against the schema here).
SWEEP_POINTS = sweep_points(config["sweep"]["grid"], config["models"], schema)
SWEEP_TABLES = ["results/tables/sweep.parquet"] if SWEEP_POINTS else []
# The swept models and settings as alternatives: the sweep rule's wildcards match only these.
SWEPT = {
    "models": "|".join(sorted({point.model for point in SWEEP_POINTS})) or "(?!)",
    "parameters": "|".join(sorted({point.parameter for point in SWEEP_POINTS}))
    or "(?!)",
}

# The figures this run draws: one record each (tidymnist.figures.registry), in the report's order.
FIGURE_SPECS = figures_for(
    ENABLED,
    sweep=bool(SWEEP_POINTS),
    deskew=bool(compared(VARIANTS.values())),
    custom=bool(CUSTOM_FILES),
    cnn="cnn" in ENABLED,
    robustness=ROBUSTNESS,
    label_issues=bool(LABEL_MODEL),
)
check_sizes(config["figures"]["size"])  # each override names a figure of the registry
FIGURES = expand("results/figures/{figure}.png", figure=list(FIGURE_SPECS))
# Each report section's figures, drawn by one job per section (figures.smk).
SECTION_FIGURES = sections_of(FIGURE_SPECS.values())


def caption_file(record):
    """Snakemake's report caption of a figure, written from its record into .snakemake/ (the
    report takes one caption file per output, and a section's job has one output per figure).
    """
    text = Path(workflow.source_path("../report/figure.rst")).read_text()
    path = Path(".snakemake/tidymnist/captions", f"{record.name}.rst").resolve()
    caption = text.replace("{summary}", record.summary)
    if not path.exists() or path.read_text() != caption:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(caption)
    return str(path)


BENCHMARKS = (
    expand(
        "results/benchmarks/{step}.tsv",
        step=[
            "pixels",
            "centroids",
            "distances",
            "pairwise",
            "label_summary",
            "pca",
            "tsne",
        ],
    )
    + expand("results/benchmarks/figures_{section}.tsv", section=SECTION_FIGURES)
    + (
        expand("results/benchmarks/fit_{model}.tsv", model=MODELS)
        + ["results/benchmarks/evaluation.tsv"]
        if MODELS
        else []
    )
    + sorted(
        {f"results/benchmarks/sweep_{p.model}_{p.parameter}.tsv" for p in SWEEP_POINTS}
    )
    + (["results/benchmarks/robustness.tsv"] if ROBUSTNESS else [])
    + (
        ["results/benchmarks/out_of_fold.tsv", "results/benchmarks/label_issues.tsv"]
        if LABEL_MODEL
        else []
    )
)
# The tables the report shows (its captions read results/tables/findings.parquet).
REPORT_TABLES = (
    ["files"]
    + (["metrics", "per_class"] if MODELS else [])
    + (["sweep"] if SWEEP_POINTS else [])
    + (["robustness"] if ROBUSTNESS else [])
    + (["label_issues", "label_sensitivity"] if LABEL_MODEL else [])
    + (
        ["custom_errors"] + (["custom_accuracy"] if MODELS else [])
        if CUSTOM_FILES
        else []
    )
)


def model_paths(model):
    """Where a fitted model is saved: PyTorch weights for the CNN, skops for the others."""
    suffix = "safetensors" if base_model(model) == "cnn" else "skops"
    return {
        "model": f"results/models/{model}.{suffix}",
        "card": f"results/models/{model}.json",
    }


def cnn_activation_inputs(wildcards):
    """The CNN (plain if there are both), the pixel table and the custom digits if any."""
    cnn = next(m for m in MODELS if base_model(m) == "cnn")
    return {
        **model_paths(cnn),
        "pixels": "results/tables/pixels.parquet",
        **({"custom": "results/tables/custom_images.parquet"} if CUSTOM_FILES else {}),
    }


def points_of(wildcards):
    """The sweep points of the setting a job's wildcards name, in config order."""
    return [
        p
        for p in SWEEP_POINTS
        if (p.model, p.parameter) == (wildcards.model, wildcards.parameter)
    ]


def raw_files(wildcards):
    """The dataset files that the pixel table is made from, per split."""
    return {
        split: split_paths(config["data_dir"], split, config["data_format"])
        for split in IDX_FILES
    }


def explorer_inputs(wildcards):
    """The tables the report's explorers draw: the maps, the digits' pixels, the galleries and,
    with models, their answers."""
    tables = [
        "pixels",
        "tsne_map",
        "tsne_test_places",
        "umap_map",
        "umap_test_places",
        "pca_coordinates",
        "least_typical_pixels",
    ]
    tables += ["predictions", "confusion", "mistake_pixels"] if MODELS else []
    return {table: f"results/tables/{table}.parquet" for table in tables}


def label_model_inputs(wildcards):
    """The model that judges the labels, its card, and what it judges them from."""
    return {
        **model_paths(LABEL_MODEL),
        "out_of_fold": "results/label_issues/out_of_fold.parquet",
        "pixels": "results/tables/pixels.parquet",
        "predictions": "results/tables/predictions.parquet",
    }
