from pathlib import Path

import yaml
from snakemake.utils import min_version, validate

from tidymnist.config import check_config, coerce_to_schema
from tidymnist.io.dataset import IDX_FILES, missing_files, split_paths

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
    ],
)
FIGURES = expand("results/figures/{figure}.png", figure=list(config["figures"]["size"]))


def raw_files(wildcards):
    """The dataset files that the pixel table is made from, per split."""
    return {
        split: split_paths(config["data_dir"], split, config["data_format"])
        for split in IDX_FILES
    }


def figure_size(name):
    return config["figures"]["size"][name]
