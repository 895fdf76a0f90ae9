from pathlib import Path

import yaml
from snakemake.utils import min_version, validate

from tidymnist.config import check_config, coerce_to_schema
from tidymnist.io.dataset import IDX_FILES, missing_files, split_paths
from tidymnist.models import MODEL_NAMES
from tidymnist.plots.catalogue import figure_specs

min_version("9.0")

CONFIG_SCHEMA = "../schemas/config.schema.yaml"
with open(workflow.source_path(CONFIG_SCHEMA)) as schema_file:
    schema = yaml.safe_load(schema_file)
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
        "pca_variance",
        "pca_coordinates",
        "tsne_map",
        "least_typical_places",
    ],
)
MODELS = [name for name in MODEL_NAMES if config["models"][name]["enabled"]]

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
) + (["results/tables/coefficients.parquet"] if "logistic_regression" in MODELS else [])

# Each figure: the plot function that draws it and the tables it takes (tidymnist.plots.catalogue).
FIGURE_SPECS = figure_specs(MODELS)
FIGURES = expand("results/figures/{figure}.png", figure=list(FIGURE_SPECS))


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
    + expand("results/benchmarks/figure_{figure}.tsv", figure=list(FIGURE_SPECS))
    + (
        expand(
            "results/benchmarks/{step}_{model}.tsv",
            step=["fit", "evaluate"],
            model=MODELS,
        )
        + ["results/benchmarks/evaluation.tsv"]
        if MODELS
        else []
    )
)
REPORT_TABLES = [
    "files",
    "label_summary",
    "value_counts",
    "pair_separability",
    "pca_variance",
    "tsne_map",
] + (
    [
        "metrics",
        "per_class",
        "confusion",
        "errors_by_typicality",
        "pair_confusions",
        "pair_correlation",
    ]
    if MODELS
    else []
)


def raw_files(wildcards):
    """The dataset files that the pixel table is made from, per split."""
    return {
        split: split_paths(config["data_dir"], split, config["data_format"])
        for split in IDX_FILES
    }


def figure_tables(wildcards):
    """The tables a figure is drawn from, named as its plot function's arguments."""
    _, tables = FIGURE_SPECS[wildcards.figure]
    return {arg: f"results/tables/{table}.parquet" for arg, table in tables.items()}
