rule figure_sample_digits:
    """The first training images with their labels."""
    input:
        pixels="results/tables/sample_pixels.parquet",
    output:
        "results/figures/sample_digits.png",
    log:
        "results/logs/figures/sample_digits.log",
    params:
        plot="sample_digits",
        options={"class_names": config["class_names"]},
        size=figure_size("sample_digits"),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/figure.py"


rule figure_pixel_histogram:
    """How often each pixel value occurs."""
    input:
        value_counts="results/tables/value_counts.parquet",
    output:
        "results/figures/pixel_histogram.png",
    log:
        "results/logs/figures/pixel_histogram.log",
    params:
        plot="pixel_histogram",
        options={},
        size=figure_size("pixel_histogram"),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/figure.py"


rule figure_centroids:
    """The average digit of each label."""
    input:
        centroids="results/tables/centroids.parquet",
    output:
        "results/figures/centroids.png",
    log:
        "results/logs/figures/centroids.log",
    params:
        plot="centroid_tiles",
        options={"class_names": config["class_names"]},
        size=figure_size("centroids"),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/figure.py"


rule figure_distance_boxplots:
    """Distances to the centroid, one box per label."""
    input:
        distances="results/tables/distances.parquet",
    output:
        "results/figures/distance_boxplots.png",
    log:
        "results/logs/figures/distance_boxplots.log",
    params:
        plot="distance_boxplots",
        options={"class_names": config["class_names"]},
        size=figure_size("distance_boxplots"),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/figure.py"


rule figure_least_typical:
    """The least typical images of each label."""
    input:
        pixels="results/tables/least_typical_pixels.parquet",
    output:
        "results/figures/least_typical.png",
    log:
        "results/logs/figures/least_typical.log",
    params:
        plot="least_typical_grid",
        options={"class_names": config["class_names"]},
        size=figure_size("least_typical"),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/figure.py"


rule figure_pairwise_differences:
    """Where every pair of centroids differs."""
    input:
        differences="results/tables/pairwise_differences.parquet",
        separability="results/tables/pair_separability.parquet",
    output:
        "results/figures/pairwise_differences.png",
    log:
        "results/logs/figures/pairwise_differences.log",
    params:
        plot="pairwise_grid",
        options={"class_names": config["class_names"]},
        size=figure_size("pairwise_differences"),
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/figure.py"
