rule evaluation:
    """Every model's predictions gathered, and the metrics, per-class and confusion tables."""
    input:
        predictions=expand(
            "results/evaluation/{model}/predictions.parquet", model=MODELS
        ),
        costs=expand("results/evaluation/{model}/costs.parquet", model=MODELS),
    output:
        predictions="results/tables/predictions.parquet",
        metrics="results/tables/metrics.parquet",
        per_class="results/tables/per_class.parquet",
        confusion="results/tables/confusion.parquet",
    log:
        "results/logs/evaluation.log",
    benchmark:
        "results/benchmarks/evaluation.tsv"
    script:
        "../scripts/evaluation.py"


rule errors_and_exploration:
    """Where the exploration meets the models: errors by typicality, confusions by pair."""
    input:
        predictions="results/tables/predictions.parquet",
        confusion="results/tables/confusion.parquet",
        distances="results/tables/distances.parquet",
        separability="results/tables/pair_separability.parquet",
    output:
        typicality="results/tables/errors_by_typicality.parquet",
        pairs="results/tables/pair_confusions.parquet",
        correlation="results/tables/pair_correlation.parquet",
    log:
        "results/logs/errors_and_exploration.log",
    params:
        bins=config["evaluation"]["typicality_bins"],
    script:
        "../scripts/errors_and_exploration.py"


rule mistake_pixels:
    """The pixel rows of each model's most confident mistakes, for the gallery."""
    input:
        predictions="results/tables/predictions.parquet",
        pixels="results/tables/pixels.parquet",
    output:
        "results/tables/mistake_pixels.parquet",
    log:
        "results/logs/mistake_pixels.log",
    params:
        k=config["evaluation"]["mistakes"],
    script:
        "../scripts/mistake_pixels.py"
