rule centroids:
    """The mean image of each label over the training split."""
    input:
        pixels="results/tables/pixels.parquet",
    output:
        "results/tables/centroids.parquet",
    log:
        "results/logs/centroids.log",
    benchmark:
        "results/benchmarks/centroids.tsv"
    script:
        "../scripts/centroids.py"


rule distances:
    """Each image's distance to its label's centroid, ranked within its label."""
    input:
        pixels="results/tables/pixels.parquet",
        centroids="results/tables/centroids.parquet",
    output:
        "results/tables/distances.parquet",
    log:
        "results/logs/distances.log",
    benchmark:
        "results/benchmarks/distances.tsv"
    script:
        "../scripts/distances.py"


rule pairwise:
    """Per-pixel differences between every pair of centroids, and how separable each pair is."""
    input:
        centroids="results/tables/centroids.parquet",
    output:
        differences="results/tables/pairwise_differences.parquet",
        separability="results/tables/pair_separability.parquet",
    log:
        "results/logs/pairwise.log",
    benchmark:
        "results/benchmarks/pairwise.tsv"
    script:
        "../scripts/pairwise.py"


rule label_summary:
    """Per label: count, spread of distances, share of near-white and near-black pixels."""
    input:
        pixels="results/tables/pixels.parquet",
        distances="results/tables/distances.parquet",
    output:
        "results/tables/label_summary.parquet",
    log:
        "results/logs/label_summary.log",
    benchmark:
        "results/benchmarks/label_summary.tsv"
    params:
        near_white_max=config["explore"]["near_white_max"],
        near_black_min=config["explore"]["near_black_min"],
    script:
        "../scripts/label_summary.py"


rule value_counts:
    """How often each pixel value occurs in the training split."""
    input:
        pixels="results/tables/pixels.parquet",
    output:
        "results/tables/value_counts.parquet",
    log:
        "results/logs/value_counts.log",
    script:
        "../scripts/value_counts.py"


rule sample_pixels:
    """The pixel rows of the first training images, for the sample figure."""
    input:
        pixels="results/tables/pixels.parquet",
    output:
        "results/tables/sample_pixels.parquet",
    log:
        "results/logs/sample_pixels.log",
    params:
        n=config["explore"]["sample_images"],
    script:
        "../scripts/sample_pixels.py"


rule least_typical:
    """The pixel rows of the k images per label farthest from their centroid."""
    input:
        pixels="results/tables/pixels.parquet",
        distances="results/tables/distances.parquet",
    output:
        "results/tables/least_typical_pixels.parquet",
    log:
        "results/logs/least_typical.log",
    params:
        k=config["explore"]["least_typical"],
    script:
        "../scripts/least_typical.py"
