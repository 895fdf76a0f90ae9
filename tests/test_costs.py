"""A saved model on the test split: its predictions table and what it costs."""

import numpy as np
import polars as pl

from tidymnist.evaluate.costs import costs_table, evaluate_on_test
from tidymnist.evaluate.tables import COSTS_SCHEMA, PREDICTIONS_SCHEMA, predictions_table
from tidymnist.models.pipelines import fit_model, probabilities
from tidymnist.tables.pixels import pixel_table

RNG = np.random.default_rng(11)
IMAGES = RNG.integers(0, 256, (120, 28, 28), dtype=np.uint8)
LABELS = (np.arange(120) % 10).astype(np.uint8)


def test_the_test_split_is_predicted_and_costed():
    model, _ = fit_model("nearest_centroid", {}, 0, IMAGES[:80], LABELS[:80])
    pixels = pl.concat(
        [
            pixel_table(IMAGES[:80], LABELS[:80], "train"),
            pixel_table(IMAGES[80:], LABELS[80:], "test"),
        ]
    )
    card = {"fit_seconds": 1.5, "n_parameters": 7850}
    found = evaluate_on_test("nearest_centroid", model, card, pixels)
    predictions, costs = found["predictions"], found["costs"]
    test = IMAGES[80:]
    expected = predictions_table(
        "nearest_centroid",
        np.arange(40, dtype=np.uint32),
        LABELS[80:],
        model.predict(test),
        probabilities(model, test),
    )
    assert predictions.schema == PREDICTIONS_SCHEMA
    assert predictions.equals(expected)  # the test split only, in instance order
    assert costs.schema == COSTS_SCHEMA
    name, fit, predict, size = costs.row(0)
    assert (name, fit, size) == ("nearest_centroid", 1.5, 7850)
    assert 0 < predict < 10


def test_costs_come_from_the_card_and_the_timing():
    table = costs_table("svm", {"fit_seconds": 2.0, "n_parameters": 12, "seed": 1}, 0.25)
    assert table.schema == COSTS_SCHEMA
    assert table.rows() == [("svm", 2.0, 0.25, 12)]
