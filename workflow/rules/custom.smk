rule custom_digits:
    """Read the custom digits, bring each to MNIST's 28 x 28; list the files that failed."""
    input:
        images=CUSTOM_FILES,
        labels=config["custom"]["labels"] or [],
    output:
        images="results/tables/custom_images.parquet",
        labels="results/tables/custom_labels.parquet",
        thumbnails="results/tables/custom_thumbnails.parquet",
        steps="results/tables/custom_steps.parquet",
        errors="results/tables/custom_errors.parquet",
    log:
        "results/logs/custom/digits.log",
    params:
        folder=lambda wildcards: config["custom"]["dir"],
        show_steps=config["custom"]["show_steps"],
    script:
        "../scripts/custom_digits.py"


rule custom_predictions:
    """Every model's answer for every custom digit; with labels, each model's accuracy."""
    input:
        models=[model_paths(model)["model"] for model in MODELS],
        cards=[model_paths(model)["card"] for model in MODELS],
        images="results/tables/custom_images.parquet",
        labels="results/tables/custom_labels.parquet",
    output:
        predictions="results/tables/custom_predictions.parquet",
        accuracy="results/tables/custom_accuracy.parquet",
    log:
        "results/logs/custom/predictions.log",
    script:
        "../scripts/custom_predictions.py"


rule custom_places:
    """Where the custom digits fall on the PCA plane, the t-SNE map and the UMAP map."""
    input:
        images="results/tables/custom_images.parquet",
        labels="results/tables/custom_labels.parquet",
        loadings="results/tables/pca_loadings.parquet",
        mean="results/tables/pca_mean.parquet",
        coordinates="results/tables/pca_coordinates.parquet",
        tsne="results/tables/tsne_map.parquet",
        umap="results/tables/umap_map.parquet",
    output:
        "results/tables/custom_places.parquet",
    log:
        "results/logs/custom/places.log",
    params:
        dimensions=config["embed"]["pca_components"],
        perplexity=config["embed"]["perplexity"],
        n_neighbors=config["embed"]["umap"]["n_neighbors"],
        min_dist=config["embed"]["umap"]["min_dist"],
        seed=config["seed"],
    script:
        "../scripts/custom_places.py"
