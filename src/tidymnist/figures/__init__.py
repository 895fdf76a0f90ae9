"""One function per figure: tidy tables in, a ``ggplot`` out. Saving is the caller's job."""

import inspect
from collections.abc import Mapping, Sequence

import polars as pl
from plotnine import ggplot

from tidymnist.figures.cnn import custom_feature_maps, test_digit_feature_maps
from tidymnist.figures.custom import custom_on_maps
from tidymnist.figures.deskew import deskew_gain
from tidymnist.figures.embed import (
    eigen_digits,
    explained_variance,
    least_typical_on_maps,
    pca_scatter,
    tsne_plot,
)
from tidymnist.figures.explore import (
    centroid_tiles,
    distance_boxplots,
    least_typical_grid,
    pairwise_grid,
    pixel_histogram,
    sample_digits,
)
from tidymnist.figures.models import (
    coefficient_maps,
    confusion_matrices,
    errors_by_typicality,
    misclassifications_by_label,
    mistakes_gallery,
    model_comparison,
    pair_confusions_plot,
    per_class_f1,
)
from tidymnist.figures.preprocess import custom_gallery, preprocessing_steps
from tidymnist.figures.sweep import sweep_accuracy


def draw(name: str, tables: Mapping[str, pl.DataFrame], class_names: Sequence[str]) -> ggplot:
    """Call the figure function ``name`` with ``tables`` (by argument name), and the class names
    when it shows labels."""
    function = globals()[name] if name in __all__ else None
    if function is None:
        raise ValueError(f"no figure function {name!r}: expected one of {', '.join(__all__)}")
    if "class_names" in inspect.signature(function).parameters:
        return function(**tables, class_names=class_names)
    return function(**tables)


__all__ = [
    "centroid_tiles",
    "coefficient_maps",
    "confusion_matrices",
    "custom_feature_maps",
    "custom_gallery",
    "custom_on_maps",
    "deskew_gain",
    "distance_boxplots",
    "eigen_digits",
    "errors_by_typicality",
    "explained_variance",
    "least_typical_grid",
    "least_typical_on_maps",
    "misclassifications_by_label",
    "mistakes_gallery",
    "model_comparison",
    "pair_confusions_plot",
    "pairwise_grid",
    "pca_scatter",
    "per_class_f1",
    "pixel_histogram",
    "preprocessing_steps",
    "sample_digits",
    "sweep_accuracy",
    "test_digit_feature_maps",
    "tsne_plot",
]
