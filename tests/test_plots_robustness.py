"""The figures of how the models break and of the labels that look wrong: what each maps and
states, and that each draws without a warning."""

import numpy as np
import polars as pl
from plotnine import facet_grid, facet_wrap, geom_hline, geom_label, geom_line, geom_ribbon

from test_plots_models import draws, layer
from tidymnist.core.digits import DIGIT_NAMES, SIDE
from tidymnist.core.naming import variant_columns
from tidymnist.evaluate.label_issues import PIXELS_SCHEMA
from tidymnist.evaluate.robustness import SCHEMA as ROBUSTNESS_SCHEMA
from tidymnist.evaluate.settings import TRANSFORMS
from tidymnist.figures.label_issues import label_issues_gallery
from tidymnist.figures.robustness import robustness_curves, robustness_rescue
from tidymnist.findings import figure_findings
from tidymnist.findings.robustness import BREAK
from tidymnist.tables.pixels import pixel_table, select_images

MODELS = ["knn", "knn_deskewed", "svm", "cnn"]


def robustness() -> pl.DataFrame:
    """Every model falling as each change grows, the preprocessed reading a little better."""
    rows = []
    for m, name in enumerate(MODELS):
        for transform in TRANSFORMS:
            for a, amount in enumerate((0.0, 1.0, 2.0)):
                for preprocessed in (False, True):
                    accuracy = max(0.0, 0.98 - 0.3 * a * (1 + m / 4) + 0.1 * a * preprocessed)
                    rows.append((name, transform, amount, preprocessed, 200, accuracy))
    columns = [c for c in ROBUSTNESS_SCHEMA.names() if c not in ("base_model", "variant")]
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    return variant_columns(frame).cast(dict(ROBUSTNESS_SCHEMA))


def test_the_curves_draw_a_line_per_model_and_a_panel_per_change():
    table = robustness()
    found = figure_findings("robustness_curves", {"robustness": table}, DIGIT_NAMES)
    plot = robustness_curves(table, found)
    assert isinstance(plot.facet, facet_wrap)
    assert plot.data["panel"].n_unique() == len(TRANSFORMS)
    assert plot.data["preprocessed"].unique().to_list() == [False]
    assert plot.data["percent"].max() == 98.0
    assert layer(plot, geom_hline).geom.data["yintercept"].to_list() == [BREAK * 100]
    assert "Averaged over all the changes k-NN holds up best" in plot.labels.subtitle
    draws(plot)


def test_the_rescue_draws_the_spread_and_median_of_each_reading():
    table = robustness()
    found = figure_findings("robustness_rescue", {"robustness": table}, DIGIT_NAMES)
    plot = robustness_rescue(table, found)
    ribbon = layer(plot, geom_ribbon)
    assert ribbon.mapping["ymin"] == "low" and ribbon.mapping["ymax"] == "high"
    shift = plot.data.filter(pl.col("transform") == "shift", pl.col("amount") == 2.0)
    assert sorted(shift["median"].round(6).to_list()) == sorted(
        np.round(
            [
                np.median([max(0.0, 0.98 - 0.6 * (1 + m / 4) + 0.2 * p) * 100 for m in range(4)])
                for p in (0, 1)
            ],
            6,
        ).tolist()
    )
    assert layer(plot, geom_line).mapping["color"] == "reading"
    draws(plot)


def test_the_gallery_shows_each_splits_candidates_with_their_given_and_suggested_labels():
    images = np.zeros((6, SIDE, SIDE), np.uint8)
    images[:, 8:20, 12:16] = 255
    pixels = pl.concat(
        [
            pixel_table(images[:4], np.array([4, 5, 9, 8], np.uint8), "train"),
            pixel_table(images[4:], np.array([5, 4], np.uint8), "test"),
        ]
    )
    keys = pl.DataFrame(
        {
            "split": ["train", "train", "train", "test"],
            "instance": [2, 0, 3, 1],
            "suggested": [4, 7, 3, 9],
            "score": [3e-8, 0.0004, 0.02, 0.3],
            "rank": [1, 2, 3, 1],
        }
    ).cast({"instance": pl.UInt32, "suggested": pl.UInt8, "rank": pl.UInt32})
    shown = select_images(pixels, keys).select(PIXELS_SCHEMA.names()).cast(dict(PIXELS_SCHEMA))
    issues = pl.DataFrame({"model": ["cnn"] * 4, "split": keys["split"], "rank": keys["rank"]})
    sensitivity = pl.DataFrame({"model": ["cnn"], "set_aside": [1], "change": [0.001]})
    found = figure_findings(
        "label_issues_gallery",
        {"label_issues": issues, "label_sensitivity": sensitivity},
        DIGIT_NAMES,
    )
    plot = label_issues_gallery(shown, found, DIGIT_NAMES)
    assert isinstance(plot.facet, facet_grid)
    texts = sorted(layer(plot, geom_label).geom.data["text"].to_list())
    assert texts == ["4→7 p 0.0004", "4→9 p 0.3", "8→3 p 0.02", "9→4 p 3e-08"]
    assert "flags 3 training and 1 test labels" in plot.labels.subtitle
    draws(plot)
