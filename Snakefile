# tidymnist: a tidy, reproducible analysis of handwritten digits.
# Run `snakemake -c all`; see README.md for the configuration and the outputs. Threads, memory and
# runtime per rule live in the workflow profile workflow/profiles/default, which Snakemake reads by
# itself through the link profiles/ -> workflow/profiles (it looks for profiles/default beside the
# Snakefile).


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/explore.smk"
include: "workflow/rules/embed.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/robustness.smk"
include: "workflow/rules/labels.smk"
include: "workflow/rules/sweep.smk"
include: "workflow/rules/custom.smk"
include: "workflow/rules/findings.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        TABLES,
        MODEL_TABLES if MODELS else [],
        "results/tables/robustness.parquet" if ROBUSTNESS else [],
        LABEL_TABLES,
        SWEEP_TABLES,
        CUSTOM_TABLES,
        FIGURES,
        "results/report.html",
        "results/draw.html" if MODELS else [],
