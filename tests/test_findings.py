"""The findings: every number a subtitle or a caption states, on small tables worked out by hand."""

import numpy as np
import polars as pl
import pytest

from tidymnist.core.digits import DIGIT_NAMES, FASHION_NAMES
from tidymnist.figures.registry import FIGURES
from tidymnist.findings import FINDERS, SCHEMA, figure_findings, gather, tables_of, texts, values
from tidymnist.findings.robustness import break_points
from tidymnist.findings.table import MissingFindingError, by_subject, fill


def said(figure: str, class_names=DIGIT_NAMES, **tables) -> dict[str, str]:
    return texts(figure_findings(figure, tables, class_names))


def numbers(figure: str, class_names=DIGIT_NAMES, **tables) -> dict[str, float | None]:
    return values(figure_findings(figure, tables, class_names))


# --- small tables, each worked out by hand --------------------------------------------------

LABEL_SUMMARY = pl.DataFrame(
    {
        "label": [0, 1, 2],
        "n": [5, 3, 2],
        # by the mean, 0 is the tightest; by the median (what a box shows), 1 is
        "mean_distance": [30.0, 35.0, 50.0],
        "median_distance": [40.0, 20.04, 61.25],
        "max_distance": [90.0, 120.5, 80.0],
    },
    schema_overrides={"label": pl.UInt8, "n": pl.UInt32},
)
VALUE_COUNTS = pl.DataFrame({"value": [0, 100, 250, 255], "n": [6, 2, 1, 1]})
SEPARABILITY = pl.DataFrame(
    {
        "label_a": [4, 3, 0],
        "label_b": [9, 5, 1],
        "rms_difference": [22.61, 27.25, 68.94],
        "rank": [1, 2, 3],
    }
)
RATIOS = [0.5, 0.3, 0.1, 0.07, 0.03, 0.0]  # cumulative 0.5 0.8 0.9 0.97 1.0 1.0
VARIANCE = pl.DataFrame(
    {
        "component": range(1, 7),
        "variance_ratio": RATIOS,
        "cumulative_ratio": np.cumsum(RATIOS).round(12),
    }
)
# two 0s near the origin, a 1 beside them, two 1s far off: 4 of the 5 lie nearest their own label
SAMPLE = pl.DataFrame(
    {"label": [0, 0, 1, 1, 1], "pc1": [0.0, 0.1, 0.3, 10.0, 10.1], "pc2": [0.0] * 5}
)
TSNE = SAMPLE.rename({"pc1": "tsne1", "pc2": "tsne2"})
PLACES = pl.DataFrame(
    {
        "label": [7, 7, 3, 7, 7, 3, 7, 7, 3],
        "map": ["PCA plane"] * 3 + ["t-SNE map"] * 3 + ["UMAP map"] * 3,
        "among": [1, 7, 3, 1, 1, 5, 7, 7, 5],
    },
    schema_overrides={"label": pl.UInt8, "among": pl.UInt8},
)
MAP_QUALITY = pl.DataFrame(
    {
        "map": ["PCA space", "t-SNE map", "t-SNE map", "UMAP map", "UMAP map"],
        "measure": ["same_label", "trustworthiness", "same_label", "trustworthiness", "same_label"],
        "value": [0.9712, 0.991, 0.9653, 0.9571, 0.9667],
    }
)
METRICS = pl.DataFrame(
    {
        "model": ["svm", "knn", "nearest_centroid", "knn_deskewed", "svm_deskewed"],
        "accuracy": [0.9834, 0.9705, 0.8203, 0.9812, 0.9829],
        "fit_seconds": [50.0, 7.0, 0.0123, 7.5, 60.0],
    }
)
PER_CLASS = pl.DataFrame(
    {
        "model": ["knn", "knn", "svm", "svm"],
        "label": [0, 8, 0, 8],
        "f1": [0.99, 0.90, 0.98, 0.95],
    }
)
CONFUSION = pl.DataFrame(
    {
        "model": ["knn"] * 4 + ["svm"] * 4,
        "label": [4, 4, 9, 9] * 2,
        "predicted": [4, 9, 4, 9] * 2,
        "n": [90, 10, 3, 97, 95, 1, 9, 90],
    }
)
PAIR_CONFUSIONS = pl.DataFrame(
    {
        "model": ["knn", "knn", "svm", "svm"],
        "label_a": [4, 3, 4, 3],
        "label_b": [9, 5, 9, 5],
        "confusions": [13, 20, 10, 2],
    }
)
ERRORS = pl.DataFrame(
    {
        "model": ["knn"] * 3 + ["svm"] * 3,
        "decile": [1, 2, 3] * 2,
        "error_rate": [0.01, 0.05, 0.20, 0.03, 0.05, 0.40],
    }
)
CORRELATION = pl.DataFrame(
    {"model": ["knn", "svm", "cnn", "svm_deskewed"], "spearman_rho": [-0.62, -0.31, None, np.nan]},
    schema_overrides={"spearman_rho": pl.Float64},
)
MISTAKES = pl.DataFrame(  # two pixel rows per mistake: each mistake is counted once
    {
        "model": ["knn"] * 4 + ["svm"] * 2,
        "rank": [1, 1, 2, 2, 1, 1],
        "probability": [0.995, 0.995, 0.8, 0.8, 0.99, 0.99],
    }
)
SWEEP = pl.DataFrame(
    {
        "model": ["knn"] * 3,
        "parameter": ["n_neighbors"] * 3,
        "value": ["1", "3", "5"],
        "position": [0, 1, 2],
        "configured": [False, False, True],
        "accuracy": [0.95, 0.97, 0.965],
    }
)
CUSTOM_PREDICTIONS = pl.DataFrame({"file": ["a.png", "a.png", "b.png", "b.png"]})
CUSTOM_ACCURACY = pl.DataFrame(
    {"model": ["knn", "svm"], "n": [10, 10], "correct": [7, 9], "accuracy": [0.7, 0.9]}
)


def _robustness(rows) -> pl.DataFrame:
    """A robustness table from (model, transform, amount, preprocessed, accuracy) rows."""
    return pl.DataFrame(
        [(m, t, a, p, 100, acc) for m, t, a, p, acc in rows],
        schema={
            "model": pl.String,
            "transform": pl.Enum(["shift", "inverted"]),
            "amount": pl.Float64,
            "preprocessed": pl.Boolean,
            "n": pl.UInt32,
            "accuracy": pl.Float64,
        },
        orient="row",
    )


# knn falls fast and is rescued; svm holds up; both break once inverted, which nothing rescues
ROBUSTNESS = _robustness(
    [
        *[("knn", "shift", a, False, acc) for a, acc in ((0, 1.0), (2, 0.6), (4, 0.2))],
        *[("svm", "shift", a, False, acc) for a, acc in ((0, 0.9), (2, 0.8), (4, 0.7))],
        *[("knn", "inverted", a, False, acc) for a, acc in ((0, 1.0), (1, 0.1))],
        *[("svm", "inverted", a, False, acc) for a, acc in ((0, 0.9), (1, 0.3))],
        *[("knn", "shift", a, True, acc) for a, acc in ((0, 0.95), (2, 0.95), (4, 0.9))],
        *[("svm", "shift", a, True, acc) for a, acc in ((0, 0.9), (2, 0.9), (4, 0.85))],
        *[("knn", "inverted", a, True, acc) for a, acc in ((0, 0.95), (1, 0.3))],
        *[("svm", "inverted", a, True, acc) for a, acc in ((0, 0.9), (1, 0.1))],
    ]
)
LABEL_ISSUES = pl.DataFrame(
    {
        "model": ["cnn"] * 5,
        "split": ["train", "train", "train", "test", "test"],
        "rank": [1, 2, 3, 1, 2],
    }
)
LABEL_SENSITIVITY = pl.DataFrame(
    {
        "model": ["knn", "svm"],
        "set_aside": [2, 2],
        "change": [0.002, 0.0005],
    }
)

TABLES = {
    "label_summary": LABEL_SUMMARY,
    "value_counts": VALUE_COUNTS,
    "pair_separability": SEPARABILITY,
    "pca_variance": VARIANCE,
    "pca_sample": SAMPLE,
    "tsne_map": TSNE,
    "least_typical_places": PLACES,
    "map_quality": MAP_QUALITY,
    "metrics": METRICS,
    "per_class": PER_CLASS,
    "confusion": CONFUSION,
    "pair_confusions": PAIR_CONFUSIONS,
    "errors_by_typicality": ERRORS,
    "pair_correlation": CORRELATION,
    "mistake_pixels": MISTAKES,
    "sweep": SWEEP,
    "custom_predictions": CUSTOM_PREDICTIONS,
    "custom_accuracy": CUSTOM_ACCURACY,
    "robustness": ROBUSTNESS,
    "label_issues": LABEL_ISSUES,
    "label_sensitivity": LABEL_SENSITIVITY,
}


def all_findings() -> pl.DataFrame:
    return gather(
        [
            figure_findings(name, {t: TABLES[t] for t in tables_of(name)}, DIGIT_NAMES)
            for name in FINDERS
        ]
    )


# --- the data --------------------------------------------------------------------------------


def test_the_training_images_are_counted():
    assert said("sample_digits", label_summary=LABEL_SUMMARY) == {"n_train": "10"}


def test_blank_and_full_ink_shares_are_of_all_pixels():
    found = numbers("pixel_histogram", value_counts=VALUE_COUNTS)
    assert found == {"blank_share": 0.6, "full_ink_share": 0.2}
    assert said("pixel_histogram", value_counts=VALUE_COUNTS)["blank_share"] == "60.0%"


def test_most_alike_and_most_varied_are_chosen_by_the_median_the_boxes_show():
    found = said("distance_boxplots", label_summary=LABEL_SUMMARY)
    # label 0 has the smallest mean, but 1 the smallest median
    assert found == {
        "most_alike_label": "1",
        "most_alike_median": "20.0",
        "most_varied_label": "2",
        "most_varied_median": "61.2",
    }
    fashion = said("distance_boxplots", FASHION_NAMES, label_summary=LABEL_SUMMARY)
    assert fashion["most_alike_label"] == "Trouser"


def test_the_farthest_image_is_the_largest_max_distance():
    assert said("least_typical", label_summary=LABEL_SUMMARY) == {
        "farthest_label": "1",
        "farthest_distance": "120.5",
    }


def test_pairs_are_named_by_rank_of_separability():
    found = said("pairwise_differences", pair_separability=SEPARABILITY)
    assert found["least_separable_pair"] == "4/9"
    assert found["least_separable_rms"] == "22.6"
    assert found["second_least_separable_pair"] == "3/5"
    assert (found["most_distinct_pair"], found["most_distinct_rms"]) == ("0/1", "68.9")


# --- the space of digits ---------------------------------------------------------------------


def test_components_for_each_threshold_and_the_empty_ones():
    found = numbers("explained_variance", pca_variance=VARIANCE)
    assert found["components_for_90"] == 3  # 0.9 reached exactly, not passed
    assert found["components_for_95"] == 4
    assert found["empty_components"] == 1
    assert found["first_two_share"] == pytest.approx(0.8)
    assert said("explained_variance", pca_variance=VARIANCE)["first_two_share"] == "80.0%"
    eigen = said("eigen_digits", pca_variance=VARIANCE)
    assert eigen == {"eigen_digits_shown": "6", "eigen_digits_share": "100%"}


def test_neighbourhoods_on_the_plane_and_on_the_map():
    found = said("pca_scatter", pca_sample=SAMPLE, pca_variance=VARIANCE)
    # only the 1 at 0.3 lies nearest another label (the 0 at 0.1)
    assert found["pca_same_label"] == "80%"
    assert found["pca_mixed_pairs"] == "0/1"
    assert (found["pc1_low_label"], found["pc1_high_label"]) == ("0", "1")
    assert said("tsne_map", tsne_map=TSNE)["tsne_images"] == "5"
    apart = SAMPLE.with_columns(pc1=pl.Series([0.0, 0.1, 9.9, 10.0, 10.1]))
    assert "pca_mixed_pairs" not in said("pca_scatter", pca_sample=apart, pca_variance=VARIANCE)


def test_strays_are_counted_per_map_from_the_places_table():
    found = said("least_typical_on_maps", least_typical_places=PLACES)
    assert found["least_typical_shown"] == "3"
    assert (found["strays_pca"], found["strays_tsne"], found["strays_umap"]) == ("1", "3", "1")
    assert (found["stray_label"], found["stray_among"], found["stray_count"]) == (
        "7",
        "1",
        "2 images",
    )
    home = PLACES.with_columns(among=pl.col("label"))
    assert "stray_label" not in said("least_typical_on_maps", least_typical_places=home)


def test_map_comparison_states_each_maps_scores_from_the_quality_table():
    found = said("map_comparison", map_quality=MAP_QUALITY, tsne_map=TSNE)
    assert (found["tsne_same_label"], found["umap_same_label"]) == ("96.5%", "96.7%")
    assert (found["tsne_trustworthiness"], found["umap_trustworthiness"]) == ("0.991", "0.957")
    assert found["pca_space_same_label"] == "97.1%"
    assert (found["map_images"], found["trust_images"], found["trust_neighbours"]) == (
        "5",
        "5",
        "10",
    )
    assert found["map_comparison_title"] == (
        "The UMAP map keeps a few more nearest-neighbour labels than the t-SNE map"
    )
    apart = MAP_QUALITY.with_columns(
        value=pl.when(pl.col("map") == "UMAP map").then(0.9).otherwise(pl.col("value"))
    )
    assert said("map_comparison", map_quality=apart, tsne_map=TSNE)["map_comparison_title"] == (
        "The t-SNE map keeps more nearest-neighbour labels than the UMAP map"
    )


# --- the models ------------------------------------------------------------------------------


def test_model_comparison_names_models_as_the_reader_sees_them():
    found = said("model_comparison", metrics=METRICS)
    assert found == {
        "most_accurate_model": "SVM",
        "most_accurate_accuracy": "98.34%",
        "least_accurate_model": "Nearest centroid",
        "least_accurate_accuracy": "82.03%",
        "fastest_model": "Nearest centroid",
        "fastest_fit_seconds": "0.012 s",
    }


def test_hardest_label_by_mean_f1_over_the_models():
    found = said("per_class_f1", per_class=PER_CLASS)
    assert found == {
        "hardest_label": "8",
        "hardest_f1": "0.925",
        "easiest_label": "0",
        "easiest_f1": "0.985",
    }


def test_the_pair_confused_most_sums_over_models():
    found = said("confusion_matrices", pair_confusions=PAIR_CONFUSIONS)
    assert found == {"most_confused_pair": "4/9", "most_confused_count": "23"}


def test_the_label_missed_most_and_what_it_is_taken_for():
    found = said("misclassifications_by_label", confusion=CONFUSION)
    # 4 missed 10 + 1 = 11 times, 9 missed 3 + 9 = 12 times
    assert found == {
        "most_missed_label": "9",
        "most_missed_count": "12",
        "taken_for_label": "4",
        "taken_for_count": "12",
    }


def test_error_rates_of_the_most_and_least_typical_bins():
    found = said("errors_by_typicality", errors_by_typicality=ERRORS)
    assert found == {
        "typical_error_rate": "2.0%",
        "untypical_error_rate": "30.0%",
        "error_rate_gap": "28.0",
        "error_rate_ratio": "15",
    }
    clean = ERRORS.with_columns(error_rate=pl.Series([0.001, 0.0, 0.1, 0.003, 0.0, 0.1]))
    found = said("errors_by_typicality", errors_by_typicality=clean)
    assert found["typical_error_rate"] == "0.20%"
    assert "error_rate_ratio" not in found  # a ratio to almost nothing says nothing


def test_correlations_leave_out_models_without_one_or_without_spread():
    found = said("pair_confusions", pair_correlation=CORRELATION)
    assert found["rho_spread"] == "-0.62 (k-NN) to -0.31 (SVM)"
    assert found["rho_verdict"].startswith("negative but weak")
    none = CORRELATION.with_columns(spearman_rho=pl.lit(None, pl.Float64))
    assert said("pair_confusions", pair_correlation=none)["rho_spread"] == "not measured"


def test_mistakes_are_counted_once_each():
    assert said("mistakes_gallery", mistake_pixels=MISTAKES) == {
        "mistakes_shown": "3",
        "mistakes_sure": "2",
    }


def test_deskew_gain_pairs_each_variant_with_its_model_as_is():
    found = said("deskew_gain", metrics=METRICS)
    assert found == {
        "deskew_top_model": "k-NN",
        "deskew_top_gain": "+1.07",
        "deskew_top_as_is": "97.05%",
        "deskew_top_deskewed": "98.12%",
        "deskew_low_model": "SVM",
        "deskew_low_gain": "-0.05",
    }
    assert said("deskew_gain", metrics=METRICS.head(3)) == {}


def test_the_sweep_states_the_best_and_the_configured_value_per_panel():
    found = figure_findings("sweep_accuracy", {"sweep": SWEEP}, DIGIT_NAMES)
    assert by_subject(found, "sweep_best_value") == {"k-NN: n_neighbors": "3"}
    assert by_subject(found, "sweep_best_accuracy") == {"k-NN: n_neighbors": "97.00%"}
    assert by_subject(found, "sweep_configured_value") == {"k-NN: n_neighbors": "5"}
    assert texts(found)["sweep_best"] == "k-NN n_neighbors = 3 (97.00%)"


def test_custom_scores_with_and_without_labels():
    found = said(
        "custom_gallery", custom_predictions=CUSTOM_PREDICTIONS, custom_accuracy=CUSTOM_ACCURACY
    )
    assert found["custom_digits"] == "2"
    assert (found["custom_best_model"], found["custom_best_accuracy"]) == ("SVM", "90%")
    assert found["custom_scores"] == "With labels, SVM reads 9 of 10 right (90%), k-NN 7 (70%)."
    unlabelled = said(
        "custom_gallery",
        custom_predictions=CUSTOM_PREDICTIONS,
        custom_accuracy=CUSTOM_ACCURACY.clear(),
    )
    assert "custom_best_model" not in unlabelled
    assert unlabelled["custom_scores"].startswith("Give a labels file")


# --- how the models break, which labels are wrong -------------------------------------------


def test_the_most_robust_model_and_where_every_model_breaks():
    found = said("robustness_curves", robustness=ROBUSTNESS)
    # mean accuracy over the changed digits, as given: svm (0.8 + 0.7 + 0.3) / 3, knn 0.3
    assert found["most_robust_model"] == "SVM" and found["most_robust_accuracy"] == "60.0%"
    assert found["least_robust_model"] == "k-NN" and found["least_robust_accuracy"] == "30.0%"
    assert found["sample"] == "100"
    assert found["best_per_transform"] == "shifted: SVM; dark ink on light paper: SVM"
    # the svm never falls below half when shifted; both do when inverted
    assert found["all_break"] == (
        "every model reads fewer than half of them right once they are taken 100% of the way "
        "to dark ink on light paper"
    )
    table = figure_findings("robustness_curves", {"robustness": ROBUSTNESS}, DIGIT_NAMES)
    assert by_subject(table, "best_model") == {"shift": "SVM", "inverted": "SVM"}


def test_break_points_are_the_first_amount_below_half_right():
    points = break_points(ROBUSTNESS)
    assert points.rows() == [
        ("knn", "shift", 4.0),
        ("knn", "inverted", 1.0),
        ("svm", "shift", None),
        ("svm", "inverted", 1.0),
    ]


def test_what_preprocessing_rescues_is_judged_at_the_largest_amount():
    found = said("robustness_rescue", robustness=ROBUSTNESS)
    # shifted by 4 px: the median of 0.2 and 0.7 as given, of 0.9 and 0.85 preprocessed
    assert found["rescued"] == "shifted by 4 px (45% to 88%)"
    assert found["not_rescued"] == "taken 100% of the way to dark ink on light paper"
    assert "worse" not in found["rescue_summary"]
    # the unchanged digits: median 0.95 as given, 0.925 preprocessed
    assert found["clean_change"] == "-2.5"


def test_label_candidates_are_counted_per_split_and_the_changes_named():
    found = said(
        "label_issues_gallery", label_issues=LABEL_ISSUES, label_sensitivity=LABEL_SENSITIVITY
    )
    assert (found["train_candidates"], found["test_candidates"]) == ("3", "2")
    assert found["candidates"] == "5 labels" and found["set_aside"] == "2 test images"
    assert found["detector"] == "CNN"
    assert found["accuracy_changes"] == "+0.05 (SVM) to +0.20 (k-NN) points"
    nothing = LABEL_SENSITIVITY.with_columns(set_aside=pl.lit(0), change=pl.lit(0.0))
    quiet = said("label_issues_gallery", label_issues=LABEL_ISSUES, label_sensitivity=nothing)
    assert quiet["accuracy_changes"] == "nothing: no test image was flagged"


# --- the table -------------------------------------------------------------------------------


def test_every_finder_is_a_figure_and_every_caption_is_filled_from_its_findings():
    assert set(FINDERS) <= set(FIGURES)
    table = all_findings()
    assert table.schema == SCHEMA
    assert table.select("figure", "finding", "subject").is_duplicated().sum() == 0
    for name, record in FIGURES.items():
        filled = fill(record.caption, texts(table, name))
        assert "{" not in filled, name


def test_a_caption_that_names_a_missing_finding_says_which():
    with pytest.raises(MissingFindingError, match="most_alike_label"):
        fill("{most_alike_label} is written most alike", {})


def test_no_findings_gather_into_an_empty_table():
    assert gather([]).schema == SCHEMA
