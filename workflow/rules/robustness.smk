rule robustness:
    """Every model's accuracy on test digits changed one way at a time, read as they are and
    after MNIST-style preprocessing."""
    input:
        pixels="results/tables/pixels.parquet",
        models=[model_paths(model)["model"] for model in MODELS],
        cards=[model_paths(model)["card"] for model in MODELS],
    output:
        "results/tables/robustness.parquet",
    log:
        "results/logs/robustness.log",
    benchmark:
        "results/benchmarks/robustness.tsv"
    params:
        models=MODELS,
        sample=config["robustness"]["sample"],
        amounts=config["robustness"]["amounts"],
        seed=config["seed"],
    script:
        "../scripts/robustness.py"
