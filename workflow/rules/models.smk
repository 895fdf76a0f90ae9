rule fit_model:
    """Train one enabled classifier on the training split, save it with its model card, and
    predict the test split with it (one job: the pixel table is read and Python started once).
    """
    input:
        pixels="results/tables/pixels.parquet",
        centroids="results/tables/centroids.parquet",
        files="results/tables/files.parquet",
    output:
        model="results/models/{model}.skops",
        card="results/models/{model}.json",
        predictions="results/evaluation/{model}/predictions.parquet",
        costs="results/evaluation/{model}/costs.parquet",
    log:
        "results/logs/models/fit_{model}.log",
    benchmark:
        "results/benchmarks/fit_{model}.tsv"
    wildcard_constraints:
        model="|".join(m for m in MODELS if base_model(m) != "cnn") or "none",
    params:
        spec=lambda wildcards: config["models"][base_model(wildcards.model)],
        base=lambda wildcards: base_model(wildcards.model),
        deskew=lambda wildcards: VARIANTS[wildcards.model].deskew,
        seed=config["seed"],
    script:
        "../scripts/fit_model.py"


rule coefficients:
    """The logistic regression's weights as a tidy table."""
    input:
        model=f"results/models/{COEFFICIENT_MODEL}.skops",
        card=f"results/models/{COEFFICIENT_MODEL}.json",
    output:
        "results/tables/coefficients.parquet",
    log:
        "results/logs/models/coefficients.log",
    script:
        "../scripts/coefficients.py"


rule fit_cnn:
    """Train the convolutional network (PyTorch); save its weights (tensors only) and card, and
    predict the test split with it."""
    input:
        pixels="results/tables/pixels.parquet",
        files="results/tables/files.parquet",
    output:
        model="results/models/{model}.safetensors",
        card="results/models/{model}.json",
        predictions="results/evaluation/{model}/predictions.parquet",
        costs="results/evaluation/{model}/costs.parquet",
    log:
        "results/logs/models/fit_{model}.log",
    benchmark:
        "results/benchmarks/fit_{model}.tsv"
    wildcard_constraints:
        model="|".join(m for m in MODELS if base_model(m) == "cnn") or "none",
    # the network's thread count is part of its result, so it comes with the model's settings
    threads: config["models"]["cnn"]["threads"]
    params:
        spec=config["models"]["cnn"],
        base="cnn",
        deskew=lambda wildcards: VARIANTS[wildcards.model].deskew,
        seed=config["seed"],
    script:
        "../scripts/fit_cnn.py"


rule cnn_activations:
    """The CNN's feature maps for a chosen test digit and the first custom digit."""
    input:
        unpack(cnn_activation_inputs),
    output:
        activations="results/tables/cnn_activations.parquet",
        digits="results/tables/cnn_digits.parquet",
    log:
        "results/logs/models/cnn_activations.log",
    params:
        instance=config["evaluation"]["feature_map_digit"],
    script:
        "../scripts/cnn_activations.py"
