rule sweep_point:
    """Refit one model with one setting changed; score it on held-out training images."""
    input:
        pixels="results/tables/pixels.parquet",
    output:
        "results/sweep/{model}/{parameter}/{value}.parquet",
    log:
        "results/logs/sweep/{model}/{parameter}/{value}.log",
    benchmark:
        "results/benchmarks/sweep_{model}_{parameter}_{value}.tsv"
    params:
        point=point_of,
        spec=lambda wildcards: config["models"][wildcards.model],
        seed=config["seed"],
        validation=config["sweep"]["validation"],
    script:
        "../scripts/sweep_point.py"


rule sweep:
    """Every sweep point in one tidy table."""
    input:
        [f"results/sweep/{point.path}.parquet" for point in SWEEP_POINTS],
    output:
        "results/tables/sweep.parquet",
    log:
        "results/logs/sweep/gather.log",
    script:
        "../scripts/sweep.py"
