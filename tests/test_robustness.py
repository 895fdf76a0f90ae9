"""The robustness table: every model, change, amount and reading, and the config's checks."""

import numpy as np
import polars as pl
import pytest

from tidymnist.core.config import ConfigError
from tidymnist.core.digits import SIDE
from tidymnist.evaluate.robustness import (
    SCHEMA,
    conditions,
    robustness_of,
    robustness_table,
    sample_positions,
)
from tidymnist.evaluate.settings import TRANSFORMS, check_amounts
from tidymnist.models.pipelines import fit_model
from tidymnist.tables.pixels import pixel_table

AMOUNTS = {"shift": [2, 6], "inverted": [0.5, 1.0]}


class Brightest:
    """A stand-in model that answers the row (mod 10) holding the most ink: it sees where a
    digit is, so shifts change its answers."""

    def predict(self, images):
        images = np.asarray(images, dtype=np.float64).reshape(len(images), SIDE, SIDE)
        return images.sum(axis=2).argmax(axis=1) % 10


@pytest.fixture(scope="module")
def digits():
    """Twenty small blobs at different rows, labelled by the answer the stand-in gives them."""
    rng = np.random.default_rng(1)
    images = np.zeros((20, SIDE, SIDE), np.uint8)
    for i in range(20):
        row, column = 6 + i % 14, int(rng.integers(8, 16))
        images[i, row : row + 3, column : column + 4] = 255
    labels = Brightest().predict(images)
    labels[:4] = (labels[:4] + 1) % 10  # four it gets wrong as they are
    return images, labels


def test_amounts_start_at_zero_in_the_registrys_order_and_bad_ones_are_named():
    assert check_amounts({"inverted": [1, 0.25], "shift": [4]}) == {
        "shift": [0.0, 4.0],
        "inverted": [0.0, 0.25, 1.0],
    }
    with pytest.raises(ConfigError, match=r"robustness\.amounts\.spin: no such transformation"):
        check_amounts({"spin": [1]})
    with pytest.raises(ConfigError, match=r"robustness\.amounts\.smaller: 1: expected an amount"):
        check_amounts({"smaller": [0.5, 1]})
    with pytest.raises(ConfigError, match=r"robustness\.amounts\.inverted: 1.5"):
        check_amounts({"inverted": [1.5]})


def test_the_sample_is_seeded_sorted_and_all_when_not_smaller():
    picked = sample_positions(1000, 50, seed=42)
    assert len(set(picked)) == 50 and list(picked) == sorted(picked)
    assert np.array_equal(picked, sample_positions(1000, 50, seed=42))
    assert not np.array_equal(picked, sample_positions(1000, 50, seed=43))
    assert np.array_equal(sample_positions(30, None, 1), np.arange(30))
    assert np.array_equal(sample_positions(30, 100, 1), np.arange(30))


def test_amount_zero_is_the_sample_itself_for_every_transformation(digits):
    images, _ = digits
    keys, stack = conditions(images, AMOUNTS, seed=0)
    assert keys == [(n, a) for n in ("shift", "inverted") for a in check_amounts(AMOUNTS)[n]]
    for (_, amount), changed in zip(keys, stack, strict=True):
        assert changed.dtype == np.uint8
        assert np.array_equal(changed, images) == (amount == 0)


def test_each_model_change_amount_and_reading_has_its_accuracy(digits):
    images, labels = digits
    table = robustness_table({"knn": Brightest()}, images, labels, AMOUNTS, seed=0)
    assert table.schema == SCHEMA
    assert table.height == 1 * (3 + 3) * 2
    assert (table["n"] == 20).all()
    assert table["base_model"].unique().to_list() == ["knn"]
    # at amount 0 as the digits are: the model's plain accuracy on the same digits
    plain = (Brightest().predict(images) == labels).mean()
    zero = table.filter(pl.col("amount") == 0, ~pl.col("preprocessed"))
    assert zero["accuracy"].to_list() == [plain, plain] and plain == 0.8
    # at 0.5 of the way to dark ink every digit is one grey: preprocessing finds no ink, and a
    # digit it cannot use counts as wrong
    grey = table.filter(pl.col("transform") == "inverted", pl.col("amount") == 0.5)
    assert grey.filter(pl.col("preprocessed"))["accuracy"].item() == 0.0
    # the seeded directions give the same table twice
    again = robustness_table({"knn": Brightest()}, images, labels, AMOUNTS, seed=0)
    assert again.equals(table)


def test_on_real_digits_amount_zero_is_the_plain_test_accuracy_and_preprocessing_rescues(
    mnist_train,
):
    """A real model on real digits: its accuracy at amount 0 is its accuracy on the same
    digits, shifts hurt it, and preprocessing (which centres by mass) undoes a shift."""
    train, test = slice(0, 3000), slice(3000, 3200)
    model, _ = fit_model(
        "logistic_regression",
        {"C": 0.1, "max_iter": 100},
        0,
        mnist_train.images[train],
        mnist_train.labels[train],
    )
    pixels = pixel_table(mnist_train.images[test], mnist_train.labels[test], "test")
    table = robustness_of(
        {"logistic_regression": model}, pixels, sample=None, amounts={"shift": [4]}, seed=0
    )
    plain = (model.predict(mnist_train.images[test]) == mnist_train.labels[test]).mean()
    rows = table.select("amount", "preprocessed", "accuracy").rows()
    accuracy = {(amount, preprocessed): value for amount, preprocessed, value in rows}
    assert accuracy[(0.0, False)] == plain > 0.85
    assert accuracy[(4.0, False)] < plain - 0.3
    assert accuracy[(4.0, True)] > plain - 0.05


def test_every_transformation_is_in_the_tables_enum():
    assert list(SCHEMA["transform"].categories) == list(TRANSFORMS)
