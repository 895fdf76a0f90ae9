"""Which figure is drawn by which plot function from which tables: the one list the workflow,
the benchmarks and the report share."""

# figure name -> (plot function in tidymnist.figures, {argument: table in results/tables/})
EXPLORE_FIGURES = {
    "sample_digits": ("sample_digits", {"pixels": "sample_pixels"}),
    "pixel_histogram": ("pixel_histogram", {"value_counts": "value_counts"}),
    "centroids": ("centroid_tiles", {"centroids": "centroids"}),
    "distance_boxplots": ("distance_boxplots", {"distances": "distances"}),
    "least_typical": ("least_typical_grid", {"pixels": "least_typical_pixels"}),
    "pairwise_differences": (
        "pairwise_grid",
        {"differences": "pairwise_differences", "separability": "pair_separability"},
    ),
}
EMBED_FIGURES = {
    "pca_scatter": ("pca_scatter", {"coordinates": "pca_sample"}),
    "eigen_digits": ("eigen_digits", {"loadings": "pca_loadings", "variance": "pca_variance"}),
    "explained_variance": ("explained_variance", {"variance": "pca_variance"}),
    "tsne_map": ("tsne_plot", {"tsne": "tsne_map"}),
    "least_typical_on_maps": (
        "least_typical_on_maps",
        {"coordinates": "pca_sample", "tsne": "tsne_map", "places": "least_typical_places"},
    ),
}
MODEL_FIGURES = {
    "model_comparison": ("model_comparison", {"metrics": "metrics"}),
    "per_class_f1": ("per_class_f1", {"per_class": "per_class"}),
    "confusion_matrices": ("confusion_matrices", {"confusion": "confusion"}),
    "mistakes_gallery": ("mistakes_gallery", {"pixels": "mistake_pixels"}),
    "misclassifications_by_label": ("misclassifications_by_label", {"confusion": "confusion"}),
    "errors_by_typicality": ("errors_by_typicality", {"errors": "errors_by_typicality"}),
    "pair_confusions": (
        "pair_confusions_plot",
        {"pairs": "pair_confusions", "correlation": "pair_correlation"},
    ),
    # drawn only when the logistic regression is enabled
    "coefficient_maps": ("coefficient_maps", {"coefficients": "coefficients"}),
}

SWEEP_FIGURES = {"sweep_accuracy": ("sweep_accuracy", {"sweep": "sweep"})}
DESKEW_FIGURES = {"deskew_gain": ("deskew_gain", {"metrics": "metrics"})}
CNN_MAPS = {"activations": "cnn_activations", "digits": "cnn_digits"}
CNN_FIGURES = {"feature_maps": ("test_digit_feature_maps", CNN_MAPS)}
CUSTOM_CNN_FIGURES = {"custom_feature_maps": ("custom_feature_maps", CNN_MAPS)}
CUSTOM_FIGURES = {"preprocessing_steps": ("preprocessing_steps", {"steps": "custom_steps"})}
CUSTOM_MODEL_FIGURES = {
    "custom_gallery": (
        "custom_gallery",
        {
            "images": "custom_thumbnails",
            "predictions": "custom_predictions",
            "labels": "custom_labels",
        },
    ),
    "custom_on_maps": (
        "custom_on_maps",
        {
            "coordinates": "pca_sample",
            "tsne": "tsne_map",
            "places": "custom_places",
            "predictions": "custom_predictions",
        },
    ),
}


def figure_specs(
    models: list[str],
    *,
    sweep: bool = False,
    deskew: bool = False,
    custom: bool = False,
    cnn: bool = False,
) -> dict[str, tuple[str, dict[str, str]]]:
    """The figures a run draws, given the enabled models, whether it sweeps settings, whether
    it compares every model with and without deskewing, and whether there are custom digits."""
    model_figures = {
        name: spec
        for name, spec in MODEL_FIGURES.items()
        if name != "coefficient_maps" or "logistic_regression" in models
    }
    return (
        EXPLORE_FIGURES
        | EMBED_FIGURES
        | (model_figures if models else {})
        | (DESKEW_FIGURES if models and deskew else {})
        | (CUSTOM_FIGURES if custom else {})
        | (CUSTOM_MODEL_FIGURES if custom and models else {})
        | (CNN_FIGURES if cnn else {})
        | (CUSTOM_CNN_FIGURES if cnn and custom else {})
        | (SWEEP_FIGURES if sweep else {})
    )
