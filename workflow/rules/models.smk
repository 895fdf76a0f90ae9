rule fit_model:
    """Train one enabled classifier on the training split; save it with its model card."""
    input:
        pixels="results/tables/pixels.parquet",
        centroids="results/tables/centroids.parquet",
        files="results/tables/files.parquet",
    output:
        model="results/models/{model}.skops",
        card="results/models/{model}.json",
    log:
        "results/logs/models/fit_{model}.log",
    benchmark:
        "results/benchmarks/fit_{model}.tsv"
    wildcard_constraints:
        model="|".join(MODEL_NAMES),
    params:
        spec=lambda wildcards: config["models"][wildcards.model],
        seed=config["seed"],
    script:
        "../scripts/fit_model.py"


rule evaluate_model:
    """Predict the test split with one saved model (loaded the safe way)."""
    input:
        model="results/models/{model}.skops",
        card="results/models/{model}.json",
        pixels="results/tables/pixels.parquet",
    output:
        predictions="results/evaluation/{model}/predictions.parquet",
        costs="results/evaluation/{model}/costs.parquet",
    log:
        "results/logs/models/evaluate_{model}.log",
    benchmark:
        "results/benchmarks/evaluate_{model}.tsv"
    script:
        "../scripts/evaluate_model.py"


rule coefficients:
    """The logistic regression's weights as a tidy table."""
    input:
        model="results/models/logistic_regression.skops",
        card="results/models/logistic_regression.json",
    output:
        "results/tables/coefficients.parquet",
    log:
        "results/logs/models/coefficients.log",
    script:
        "../scripts/coefficients.py"
