"""Every figure of the study, one record each: the one list the workflow, the benchmarks and the
report share.

A record says which plot function draws the figure from which tables, its title and the section
of the report it belongs to, its default size, what it shows (Snakemake's report caption) and the
caption the article gives it (a template filled from the findings table), and when a run draws
it. The figure rule's wildcards and inputs, the default sizes, the report's sections, titles and
captions are all derived from these records: adding a figure is adding a record and a function.

The findings a figure's subtitle and caption state are computed by the function of
:mod:`tidymnist.findings` named after the figure (:func:`tidymnist.findings.finder`), from the
tables its parameters name.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from inspect import signature
from typing import TYPE_CHECKING

from tidymnist import findings
from tidymnist.core.config import ConfigError

if TYPE_CHECKING:  # plotnine is imported only where a figure is drawn, not by the Snakefile
    import polars as pl
    from plotnine import ggplot

# The report's sections, in order (tidymnist.report.article gives each its heading and intro).
SECTIONS = ("data", "space", "models", "robustness", "labels", "handwriting")
# What a run can have that a figure may need: "models" (any model), a model's name
# ("logistic_regression"), "deskew" (every model as is and deskewed), "sweep", "custom", "cnn",
# "robustness" (the models read changed digits), "label_issues" (the labels were judged).
NEEDS = (
    "models",
    "deskew",
    "sweep",
    "custom",
    "cnn",
    "logistic_regression",
    "robustness",
    "label_issues",
)
# The arguments a plot function takes besides its tables.
EXTRA_ARGUMENTS = ("class_names", "findings")


@dataclass(frozen=True)
class Figure:
    """One figure of the study."""

    name: str  # results/figures/<name>.png
    plot: str  # "<module>.<function>" of tidymnist.figures: tidy tables in, a ggplot out
    tables: Mapping[str, str]  # the plot function's argument -> the table in results/tables/
    title: str  # its heading in the report
    section: str  # one of SECTIONS
    # default width and height in inches (config figures.size overrides); None: the plot sets
    # its own from what it holds (theme figure_size), e.g. taller with more models
    size: tuple[float, float] | None
    summary: str  # what it shows, in one sentence: Snakemake's report caption and the image's alt
    caption: str  # what to notice: a template whose {fields} are this figure's findings
    needs: tuple[str, ...] = ()  # what a run must have for it to be drawn (see NEEDS)
    # one sentence for the report's "What we found", a template of this figure's findings
    headline: str = ""

    def drawn(self, have: Iterable[str]) -> bool:
        """Whether a run that has ``have`` (see :data:`NEEDS`) draws this figure."""
        return set(self.needs) <= set(have)

    @property
    def function(self) -> "Callable[..., ggplot]":
        """The plot function (imported on first use: the workflow reads records without it)."""
        module, function = self.plot.rsplit(".", 1)
        return getattr(import_module(f"tidymnist.figures.{module}"), function)

    @property
    def finder(self) -> Callable[..., list] | None:
        """The function that computes this figure's findings, if it states any."""
        return findings.finder(self.name)

    @property
    def finding_tables(self) -> tuple[str, ...]:
        """The tables its findings are computed from (the finder's parameters)."""
        return findings.tables_of(self.name)

    @property
    def reads_findings(self) -> bool:
        """Whether the plot function takes the figure's findings (its subtitle states some)."""
        return "findings" in signature(self.function).parameters


def _records(*records: Figure) -> dict[str, Figure]:
    return {record.name: record for record in records}


CNN_TABLES = {"activations": "cnn_activations", "digits": "cnn_digits"}

FIGURES = _records(
    # --- the data -------------------------------------------------------------------------
    Figure(
        "sample_digits",
        "explore.sample_digits",
        {"pixels": "sample_pixels"},
        "Sample digits",
        "data",
        (8, 3.8),
        "The first training images as stored, with their labels.",
        "The first training images as stored: {n_train} training images in all, each 28 x 28 "
        "pixels of grey levels.",
    ),
    Figure(
        "pixel_histogram",
        "explore.pixel_histogram",
        {"value_counts": "value_counts"},
        "Pixel values",
        "data",
        (8, 4.5),
        "How often each pixel value occurs: most pixels are blank, most of the rest full ink.",
        "{blank_share} of all training pixels are blank (value 0) and {full_ink_share} full ink "
        "(250-255), with anti-aliased edges spread thinly in between.",
    ),
    Figure(
        "centroids",
        "explore.centroid_tiles",
        {"centroids": "centroids"},
        "The average digit of each label",
        "data",
        (8, 3.8),
        "The mean image of each label over the training split.",
        "The mean of each pixel over every training image of a label: sharp where writers "
        "agree, blurred where they do not.",
    ),
    Figure(
        "distance_boxplots",
        "explore.distance_boxplots",
        {"distances": "distances"},
        "Distance to the centroid",
        "data",
        (8, 4.5),
        "Each training image's root-mean-square distance to its label's centroid.",
        "{most_alike_label} is written most alike (median distance {most_alike_median} to its "
        "centroid); {most_varied_label} varies most ({most_varied_median}).",
    ),
    Figure(
        "least_typical",
        "explore.least_typical_grid",
        {"pixels": "least_typical_pixels"},
        "The least typical digits",
        "data",
        (7, 11),
        "The training images farthest from their label's centroid.",
        "The images farthest from their label's average. The farthest of all is a "
        "{farthest_label} at distance {farthest_distance}.",
    ),
    Figure(
        "pairwise_differences",
        "explore.pairwise_grid",
        {"differences": "pairwise_differences"},
        "Pairwise centroid differences",
        "data",
        (11, 11.5),
        "Centroid of the row label minus centroid of the column label, for every pair.",
        "The least separable pair is {least_separable_pair} (root-mean-square difference "
        "{least_separable_rms}), then {second_least_separable_pair} "
        "({second_least_separable_rms}); the most distinct is {most_distinct_pair} "
        "({most_distinct_rms}).",
        headline=(
            "By their average images, the hardest pair of digits to tell apart is "
            "{least_separable_pair} and the easiest {most_distinct_pair}."
        ),
    ),
    # --- the space of digits --------------------------------------------------------------
    Figure(
        "pca_scatter",
        "embed.pca_scatter",
        {"coordinates": "pca_sample"},
        "The PCA plane",
        "space",
        (8, 6.5),
        "Training images on the first two principal components, label means marked.",
        "The first two principal components hold {first_two_share} of the pixel variance, and "
        "{pca_same_label} of the images lie nearest to an image of their own label: enough to "
        "pull some labels apart, not to separate every one.",
    ),
    Figure(
        "eigen_digits",
        "embed.eigen_digits",
        {"loadings": "pca_loadings", "variance": "pca_variance"},
        "Eigen-digits",
        "space",
        (10, 3.6),
        "The first 16 principal components as images (red: more ink, blue: less).",
        "The directions in which training digits vary most: red pixels gain ink and blue pixels "
        "lose it as an image moves along a component. Together the first "
        "{eigen_digits_shown} explain {eigen_digits_share} of the variance.",
    ),
    Figure(
        "explained_variance",
        "embed.explained_variance",
        {"variance": "pca_variance"},
        "Explained variance",
        "space",
        (8, 4.5),
        "Cumulative share of pixel variance kept by the first components.",
        "{components_for_90} of the {n_components} components keep 90% of the variance and "
        "{components_for_95} keep 95%.",
        headline=(
            "{components_for_90} of the {n_components} principal components keep 90% of the pixel"
            " variance."
        ),
    ),
    Figure(
        "tsne_map",
        "embed.tsne_plot",
        {"tsne": "tsne_map"},
        "The t-SNE map",
        "space",
        (8, 7),
        "A t-SNE map of a seeded sample of training images.",
        "A t-SNE map of {tsne_images} training images, {tsne_same_label} of them next to an "
        "image of their own label: each label forms its own island, and the bridges between "
        "islands are the digits that could be read either way.",
        headline=(
            "On the t-SNE map, {tsne_same_label} of the digits lie next to a digit of their own "
            "label."
        ),
    ),
    Figure(
        "map_comparison",
        "embed.map_comparison",
        {"tsne": "tsne_map", "umap": "umap_map"},
        "Two maps compared: t-SNE and UMAP",
        "space",
        (11, 6),
        "The t-SNE map and the UMAP map of the same training images side by side, each with "
        "how well it keeps neighbourhoods.",
        "The same {map_images} training images mapped by t-SNE and by UMAP from their PCA "
        "coordinates. An image's nearest neighbour on the map has its label for "
        "{tsne_same_label} of them on the t-SNE map and {umap_same_label} on the UMAP map "
        "({pca_space_same_label} in the PCA space itself); trustworthiness (1 at best, "
        "{trust_neighbours} neighbours, on {trust_images} of the images) is "
        "{tsne_trustworthiness} and {umap_trustworthiness}. UMAP draws each label as a "
        "tighter island with wider gaps, which makes the groups easier to see; on both maps "
        "only the neighbourhoods mean something, not the gaps or the distances between groups.",
        headline=(
            "On the UMAP map {umap_same_label} of the digits lie next to one of their own label, "
            "on the t-SNE map {tsne_same_label}, against {pca_space_same_label} in the PCA space "
            "both are drawn from."
        ),
    ),
    Figure(
        "least_typical_on_maps",
        "embed.least_typical_on_maps",
        {
            "coordinates": "pca_sample",
            "tsne": "tsne_map",
            "umap": "umap_map",
            "places": "least_typical_places",
        },
        "The least typical digits on the maps",
        "space",
        (13, 5.5),
        "Where the least typical digits fall on the PCA plane, the t-SNE map and the UMAP map.",
        "The {least_typical_shown} least typical digits on the plane and both maps: "
        "{strays_tsne} of them land among another label on the t-SNE map, {strays_umap} on the "
        "UMAP map and {strays_pca} on the PCA plane, next to the label they resemble.",
    ),
    # --- the models -----------------------------------------------------------------------
    Figure(
        "model_comparison",
        "models.model_comparison",
        {"metrics": "metrics"},
        "Accuracy against training time",
        "models",
        (8, 5),
        "Test accuracy against the time to fit, one point per model.",
        "{most_accurate_model} is the most accurate ({most_accurate_accuracy}), "
        "{least_accurate_model} the least ({least_accurate_accuracy}); {fastest_model} fits "
        "fastest ({fastest_fit_seconds}).",
        needs=("models",),
        headline=(
            "The most accurate model is {most_accurate_model}, with {most_accurate_accuracy} of "
            "the test digits right; the least accurate, {least_accurate_model}, gets "
            "{least_accurate_accuracy}."
        ),
    ),
    Figure(
        "per_class_f1",
        "models.per_class_f1",
        {"per_class": "per_class"},
        "F1 per label",
        "models",
        None,
        "F1 score per label and model on the test images.",
        "{hardest_label} is the hardest label (mean F1 {hardest_f1} over the models), "
        "{easiest_label} the easiest ({easiest_f1}).",
        needs=("models",),
    ),
    Figure(
        "confusion_best",
        "models.confusion_best",
        {"confusion": "confusion"},
        "The best model's confusion matrix",
        "models",
        (7.5, 7.2),
        "True against predicted label for the most accurate model, with every count.",
        "{best_model} gets {best_accuracy} of the test digits right; its most frequent mistake "
        "is {best_worst_mistake}.",
        needs=("models",),
    ),
    Figure(
        "confusion_matrices",
        "models.confusion_matrices",
        {"confusion": "confusion"},
        "Confusion matrices",
        "models",
        None,
        "True against predicted label for every model.",
        "Off the diagonal are the mistakes; the pair confused most often over all models is "
        "{most_confused_pair} ({most_confused_count} test images).",
        needs=("models",),
        headline=(
            "The pair the models confuse most is {most_confused_pair}: {most_confused_count} test"
            " images over all models."
        ),
    ),
    Figure(
        "mistakes_gallery",
        "models.mistakes_gallery",
        {"pixels": "mistake_pixels"},
        "The most confident mistakes",
        "models",
        None,
        "Each model's most confident mistakes.",
        "The wrong answers each model gave with the most confidence ({mistakes_sure} of these "
        "{mistakes_shown} at 99% or more): many are digits a person would hesitate over too.",
        needs=("models",),
    ),
    Figure(
        "misclassifications_by_label",
        "models.misclassifications_by_label",
        {"confusion": "confusion"},
        "Mistakes per label",
        "models",
        None,
        "Test images each model got wrong, per true label.",
        "{most_missed_label} is missed most often ({most_missed_count} errors summed over the "
        "models), usually taken for {taken_for_label}.",
        needs=("models",),
    ),
    Figure(
        "coefficient_maps",
        "models.coefficient_maps",
        {"coefficients": "coefficients"},
        "Logistic regression coefficients",
        "models",
        (8, 4.2),
        "The logistic regression's weights per label and pixel.",
        "Where ink counts for or against each label in the logistic regression: each map is a "
        "rough stencil of its digit.",
        needs=("models", "logistic_regression"),
    ),
    Figure(
        "errors_by_typicality",
        "models.errors_by_typicality",
        {"errors": "errors_by_typicality"},
        "Typicality and errors",
        "models",
        None,
        "Error rate by decile of distance to the label's centroid.",
        "Averaged over the models, the least typical tenth of each label's test images is "
        "misclassified {untypical_error_rate} of the time, the most typical tenth "
        "{typical_error_rate}: the exploration's distance to the centroid predicts the models' "
        "errors.",
        needs=("models",),
        headline=(
            "Typicality predicts errors: the least typical tenth of each label's test digits is "
            "misread {untypical_error_rate} of the time, the most typical tenth "
            "{typical_error_rate}."
        ),
    ),
    Figure(
        "pair_confusions",
        "models.pair_confusions_plot",
        {"pairs": "pair_confusions"},
        "Pair similarity and confusions",
        "models",
        (8, 6.5),
        "Confusions between two labels against the distance between their centroids.",
        "Spearman's rank correlation between a pair's confusions and the distance between its "
        "centroids, per model: {rho_spread}; {rho_verdict}.",
        needs=("models",),
    ),
    Figure(
        "deskew_gain",
        "deskew.deskew_gain",
        {"metrics": "metrics"},
        "What deskewing buys each model",
        "models",
        (8, 4),
        "Each model's test accuracy trained on the digits as they are and deskewed.",
        "Deskewing changes test accuracy by {deskew_low_gain} ({deskew_low_model}) to "
        "{deskew_top_gain} points ({deskew_top_model}: {deskew_top_as_is} to "
        "{deskew_top_deskewed}).",
        needs=("models", "deskew"),
        headline=(
            "Straightening slanted digits first helps {deskew_top_model} most ({deskew_top_as_is}"
            " to {deskew_top_deskewed}) and {deskew_low_model} least ({deskew_low_gain} points)."
        ),
    ),
    Figure(
        "sweep_accuracy",
        "sweep.sweep_accuracy",
        {"sweep": "sweep"},
        "Hyperparameter sweeps",
        "models",
        (9, 5),
        "Validation accuracy for each value of each swept setting, on held-out training images.",
        "Best values on the held-out images: {sweep_best}. The test split is never used to choose.",
        needs=("sweep",),
    ),
    Figure(
        "feature_maps",
        "cnn.test_digit_feature_maps",
        CNN_TABLES,
        "What the CNN sees",
        "models",
        (9, 6.5),
        "The CNN's most active feature maps, layer by layer, for one test digit.",
        "Each convolution layer's most active feature maps for one test digit: the first layer "
        "answers to edges and stroke directions, the deeper one to parts of the digit.",
        needs=("cnn",),
    ),
    # --- how the models break -------------------------------------------------------------
    Figure(
        "robustness_curves",
        "robustness.robustness_curves",
        {"robustness": "robustness"},
        "How each model breaks",
        "robustness",
        None,
        "Each model's accuracy on test digits changed one way at a time, by more and more, read "
        "as they are.",
        "Each model's accuracy on {sample} test digits as each change grows, the digits read as "
        "they are (the table below says where each model falls below half right). Averaged over "
        "all the changes, {most_robust_model} holds up best ({most_robust_accuracy} right) and "
        "{least_robust_model} worst ({least_robust_accuracy}). The most robust to each change: "
        "{best_per_transform}. But {all_break}.",
        needs=("robustness",),
        headline=(
            "{most_robust_model} holds up best when digits move away from MNIST's conventions, "
            "but {all_break}."
        ),
    ),
    Figure(
        "robustness_rescue",
        "robustness.robustness_rescue",
        {"robustness": "robustness"},
        "What MNIST-style preprocessing rescues",
        "robustness",
        None,
        "The models' accuracy on changed test digits read as they are and after MNIST-style "
        "preprocessing (to_mnist).",
        "The same changed digits read as they are and after to_mnist, the preprocessing your own "
        "digits go through (the band spans the models, the line is their median; in brackets, "
        "the median at the largest amount tried before and after): {rescue_summary}. On the "
        "unchanged digits it moves the median by {clean_change} points.",
        needs=("robustness",),
        headline="MNIST-style preprocessing rescues digits {rescued}, but not those {not_rescued}.",
    ),
    # --- which labels are wrong -----------------------------------------------------------
    Figure(
        "label_issues_gallery",
        "label_issues.label_issues_gallery",
        {"pixels": "label_issue_pixels"},
        "Labels that look wrong",
        "labels",
        None,
        "The training and test images whose given label confident learning finds least likely, "
        "with the label it suggests.",
        "Confident learning (cleanlab's find_label_issues) over {detector}'s out-of-sample "
        "probabilities flags {candidates}: {train_candidates} in the training split and "
        "{test_candidates} in the test split. Shown are the most likely wrong of each, given "
        "label → suggested, with the probability the model gave the given label: whether each "
        "is a wrong label or only a badly written digit is for a person to judge. Setting the "
        "test split's {set_aside} aside changes each model's test accuracy by "
        "{accuracy_changes} (table below): a sensitivity analysis beside the plain accuracy, "
        "not a replacement for it.",
        needs=("label_issues",),
        headline=(
            "Confident learning flags {train_candidates} training and {test_candidates} test "
            "labels of the data as likely wrong; without the test ones, test accuracies change "
            "by {accuracy_changes}."
        ),
    ),
    # --- your own digits ------------------------------------------------------------------
    Figure(
        "preprocessing_steps",
        "preprocess.preprocessing_steps",
        {"steps": "custom_steps"},
        "From a photo to MNIST's format",
        "handwriting",
        (9, 5.5),
        "One custom image taken step by step to MNIST's 28 x 28 format.",
        "One image taken through MNIST's own recipe: which side is ink, the paper's unevenness "
        "removed, cropped to the ink, the longer side scaled to 20 px with anti-aliasing, and "
        "centred by its centre of mass in 28 x 28.",
        needs=("custom",),
    ),
    Figure(
        "custom_gallery",
        "preprocess.custom_gallery",
        {
            "images": "custom_thumbnails",
            "predictions": "custom_predictions",
            "labels": "custom_labels",
        },
        "Your digits and every model's answer",
        "handwriting",
        (10, 8),
        "Each custom digit as given and in MNIST's format, with every model's answer.",
        "{custom_digits} custom digits, as given and in MNIST's format. {custom_scores}",
        needs=("custom", "models"),
        headline=(
            "On {custom_digits} digits from outside MNIST, the best model is {custom_best_model},"
            " with {custom_best_accuracy} right."
        ),
    ),
    Figure(
        "custom_on_maps",
        "custom.custom_on_maps",
        {
            "coordinates": "pca_sample",
            "tsne": "tsne_map",
            "umap": "umap_map",
            "places": "custom_places",
            "predictions": "custom_predictions",
        },
        "Your digits on the maps",
        "handwriting",
        (13, 5.5),
        "The custom digits placed among the training digits on the PCA plane, the t-SNE map and "
        "the UMAP map.",
        "Each custom digit placed among the training digits: on the PCA plane by projection, on "
        "the t-SNE map by openTSNE's transform and on the UMAP map by UMAP's, which leave the "
        "maps as they are.",
        needs=("custom", "models"),
    ),
    Figure(
        "custom_feature_maps",
        "cnn.custom_feature_maps",
        CNN_TABLES,
        "What the CNN sees in your digit",
        "handwriting",
        (9, 6.5),
        "The CNN's most active feature maps for the first custom digit.",
        "The CNN's most active feature maps for a custom digit.",
        needs=("cnn", "custom"),
    ),
)


def run_has(
    models: Sequence[str],
    *,
    sweep: bool = False,
    deskew: bool = False,
    custom: bool = False,
    cnn: bool = False,
    robustness: bool = False,
    label_issues: bool = False,
) -> set[str]:
    """What a run has (see :data:`NEEDS`), given the enabled models, whether it sweeps
    settings, compares every model with and without deskewing, has custom digits and the CNN,
    measures robustness and judges the labels."""
    flags = {
        "models": bool(models),
        "sweep": sweep,
        "deskew": deskew,
        "custom": custom,
        "robustness": robustness,
        "label_issues": label_issues,
    }
    return {*models, *(need for need, present in flags.items() if present), *(["cnn"] * cnn)}


def figures_for(models: Sequence[str], **run: bool) -> dict[str, Figure]:
    """The figures a run draws, in the report's order (keywords as :func:`run_has`)."""
    have = run_has(models, **run)
    return {name: record for name, record in FIGURES.items() if record.drawn(have)}


def sections_of(records: Iterable[Figure]) -> dict[str, list[str]]:
    """The names of ``records`` by section, in the records' order (empty sections left out)."""
    sections: dict[str, list[str]] = {}
    for record in records:
        sections.setdefault(record.section, []).append(record.name)
    return sections


def tables_of_section(names: Sequence[str]) -> list[str]:
    """Every table (by its name in results/tables/) that drawing ``names`` or computing their
    findings reads, each once, in the order first needed."""
    needed = [
        table
        for name in names
        for table in (*FIGURES[name].tables.values(), *FIGURES[name].finding_tables)
    ]
    return list(dict.fromkeys(needed))


def check_sizes(overrides: Mapping[str, Sequence[float]]) -> None:
    """Raise :class:`~tidymnist.core.config.ConfigError` naming each key of the config's
    ``figures.size`` that is no figure's name."""
    unknown = sorted(set(overrides) - set(FIGURES))
    if unknown:
        raise ConfigError(
            "invalid configuration:\n"
            + "\n".join(
                f"figures.size.{name}: no such figure; expected one of {', '.join(FIGURES)}"
                for name in unknown
            )
        )


def size_of(name: str, overrides: Mapping[str, Sequence[float]]) -> list[float] | None:
    """A figure's width and height in inches: the config's override, else the record's default
    (None where the plot sizes itself from its panels)."""
    size = overrides.get(name, FIGURES[name].size)
    return None if size is None else list(size)


def draw(
    name: str,
    tables: "Mapping[str, pl.DataFrame]",
    class_names: Sequence[str],
    found: "pl.DataFrame | None" = None,
) -> "ggplot":
    """Draw figure ``name`` from ``tables`` (by argument name), with the class names when it
    shows labels and its findings (``found``) when its subtitle states some."""
    record = FIGURES.get(name)
    if record is None:
        raise ValueError(f"no figure {name!r}: expected one of {', '.join(FIGURES)}")
    parameters = signature(record.function).parameters
    extra = {"class_names": class_names, "findings": found}
    return record.function(
        **tables, **{key: extra[key] for key in EXTRA_ARGUMENTS if key in parameters}
    )
