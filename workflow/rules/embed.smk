rule pca:
    """PCA of the training images: eigen-digits, mean, explained variance, all coordinates."""
    input:
        pixels="results/tables/pixels.parquet",
    output:
        loadings="results/tables/pca_loadings.parquet",
        mean="results/tables/pca_mean.parquet",
        variance="results/tables/pca_variance.parquet",
        coordinates="results/tables/pca_coordinates.parquet",
    log:
        "results/logs/embed/pca.log",
    benchmark:
        "results/benchmarks/pca.tsv"
    params:
        components=config["embed"]["pca_components"],
    script:
        "../scripts/pca.py"


rule pca_sample:
    """A seeded sample of training images' PCA coordinates, for the scatter plots."""
    input:
        coordinates="results/tables/pca_coordinates.parquet",
    output:
        "results/tables/pca_sample.parquet",
    log:
        "results/logs/embed/pca_sample.log",
    params:
        size=config["embed"]["scatter_sample"],
        seed=config["seed"],
    script:
        "../scripts/pca_sample.py"


rule tsne:
    """A t-SNE map of a seeded sample of training images, and test images placed on it."""
    input:
        coordinates="results/tables/pca_coordinates.parquet",
    output:
        map="results/tables/tsne_map.parquet",
        test_places="results/tables/tsne_test_places.parquet",
    log:
        "results/logs/embed/tsne.log",
    benchmark:
        "results/benchmarks/tsne.tsv"
    params:
        size=config["embed"]["tsne_sample"],
        test_size=config["embed"]["test_sample"],
        dimensions=config["embed"]["pca_components"],
        perplexity=config["embed"]["perplexity"],
        seed=config["seed"],
    script:
        "../scripts/tsne.py"


rule umap:
    """A UMAP map of the t-SNE map's training images (the same seeded sample, drawn here too so
    the two maps are made side by side), and the same test images placed on it."""
    input:
        coordinates="results/tables/pca_coordinates.parquet",
    output:
        map="results/tables/umap_map.parquet",
        test_places="results/tables/umap_test_places.parquet",
    log:
        "results/logs/embed/umap.log",
    benchmark:
        "results/benchmarks/umap.tsv"
    # the workflow's longest one-core step (bench/README.md, "The whole workflow"): started as
    # soon as its input is there, so the model fits run beside it rather than after it
    priority: 10
    params:
        size=config["embed"]["tsne_sample"],
        test_size=config["embed"]["test_sample"],
        dimensions=config["embed"]["pca_components"],
        n_neighbors=config["embed"]["umap"]["n_neighbors"],
        min_dist=config["embed"]["umap"]["min_dist"],
        seed=config["seed"],
    script:
        "../scripts/umap_map.py"


rule map_quality:
    """How well the t-SNE and UMAP maps keep the neighbourhoods of the PCA space."""
    input:
        coordinates="results/tables/pca_coordinates.parquet",
        tsne="results/tables/tsne_map.parquet",
        umap="results/tables/umap_map.parquet",
    output:
        "results/tables/map_quality.parquet",
    log:
        "results/logs/embed/map_quality.log",
    benchmark:
        "results/benchmarks/map_quality.tsv"
    params:
        dimensions=config["embed"]["pca_components"],
        seed=config["seed"],
    script:
        "../scripts/map_quality.py"


rule least_typical_places:
    """Where the least typical training digits fall on the PCA plane and both maps."""
    input:
        coordinates="results/tables/pca_coordinates.parquet",
        tsne="results/tables/tsne_map.parquet",
        umap="results/tables/umap_map.parquet",
        distances="results/tables/distances.parquet",
        sample="results/tables/pca_sample.parquet",
    output:
        "results/tables/least_typical_places.parquet",
    log:
        "results/logs/embed/least_typical_places.log",
    params:
        k=config["explore"]["least_typical"],
        dimensions=config["embed"]["pca_components"],
        perplexity=config["embed"]["perplexity"],
        n_neighbors=config["embed"]["umap"]["n_neighbors"],
        min_dist=config["embed"]["umap"]["min_dist"],
        seed=config["seed"],
    script:
        "../scripts/least_typical_places.py"
