rule sweep_setting:
    """Refit one model for each value of one setting (one job reads the pixel table once for
    them all); score each on held-out training images."""
    input:
        pixels="results/tables/pixels.parquet",
    output:
        "results/sweep/{model}/{parameter}.parquet",
    log:
        "results/logs/sweep/{model}/{parameter}.log",
    benchmark:
        "results/benchmarks/sweep_{model}_{parameter}.tsv"
    wildcard_constraints:
        # the swept names only, so that "sweep_knn_n_neighbors" splits one way
        model=SWEPT["models"],
        parameter=SWEPT["parameters"],
    params:
        points=points_of,
        spec=lambda wildcards: config["models"][wildcards.model],
        seed=config["seed"],
        validation=config["sweep"]["validation"],
    script:
        "../scripts/sweep_setting.py"


rule sweep:
    """Every sweep point in one tidy table."""
    input:
        sorted({f"results/sweep/{p.model}/{p.parameter}.parquet" for p in SWEEP_POINTS}),
    output:
        "results/tables/sweep.parquet",
    log:
        "results/logs/sweep/gather.log",
    script:
        "../scripts/sweep.py"
