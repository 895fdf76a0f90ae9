"""Deskewing: upright digits stay, slanted ones straighten, and the long table agrees."""

import numpy as np
import polars as pl
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from tidymnist.core.grid import scale_pixels
from tidymnist.io.models import load_model, save_model
from tidymnist.models.deskew import CENTRE, Deskew, deskew, moments, skew_table
from tidymnist.models.pipelines import build_model, fit_model
from tidymnist.tables.pixels import pixel_table


def bar(slope: float, width: int = 3) -> np.ndarray:
    """A 28 x 28 image of a bar 16 rows tall with its ink centred on (14, 14), leaning right by
    ``slope`` pixels per row upwards (0: vertical)."""
    image = np.zeros((28, 28), np.uint8)
    for y in range(6, 22):
        left = round(CENTRE - width // 2 - slope * (y - 13.5))
        image[y, left : left + width] = 255
    return image


def test_an_upright_centred_bar_is_unchanged():
    upright = np.zeros((1, 28, 28), np.uint8)
    upright[0, 7:22, 13:16] = 255  # rows 7-21, columns 13-15: ink centred on (14, 14)
    upright[0, 7:22, 12] = upright[0, 7:22, 16] = 90  # anti-aliased edges, symmetric
    cx, cy, skew = moments(upright)
    assert (cx[0], cy[0], skew[0]) == (pytest.approx(14.0), pytest.approx(14.0), pytest.approx(0))
    assert np.array_equal(deskew(upright), upright)


def test_a_slanted_bar_is_straightened():
    slanted = bar(0.4)[None]
    before = moments(slanted)[2][0]
    assert before == pytest.approx(-0.4, abs=0.05)  # x falls as y (row, downwards) grows
    straight = deskew(slanted)
    assert abs(moments(straight)[2][0]) < 0.02
    # visibly vertical: every inked row has its ink in the same columns, around the centre
    ink = straight[0].astype(float)
    rows = ink.sum(axis=1) > 200
    centres = (ink[rows] * np.arange(28)).sum(axis=1) / ink[rows].sum(axis=1)
    assert centres.max() - centres.min() < 0.6
    assert abs(centres.mean() - CENTRE) < 0.3
    assert ink.sum() == pytest.approx(slanted.sum(), rel=0.02)  # no ink lost


def test_deskew_keeps_the_shape_and_dtype():
    images = np.stack([bar(0.3), bar(-0.2), np.zeros((28, 28), np.uint8)])
    square = deskew(images)
    assert square.dtype == np.uint8 and square.shape == (3, 28, 28)
    flat = deskew(images.reshape(3, 784))
    assert flat.shape == (3, 784)
    assert np.array_equal(flat.reshape(3, 28, 28), square)
    assert not square[2].any()  # a blank image stays blank
    with pytest.raises(ValueError, match=r"\(n, 28, 28\) or \(n, 784\)"):
        deskew(np.zeros((2, 27, 27)))


@pytest.mark.mnist
def test_skew_table_equals_the_numpy_moments_on_real_digits(mnist_train):
    images, labels = mnist_train.images[:40], mnist_train.labels[:40]
    pixels = pixel_table(images, labels, "train")
    table = skew_table(pixels.lazy())
    assert table.columns == ["split", "instance", "label", "cx", "cy", "skew"]
    assert table.schema["instance"] == pl.UInt32 and table.schema["skew"] == pl.Float64
    assert table["instance"].to_list() == list(range(40))
    assert np.array_equal(table["label"].to_numpy(), labels)
    cx, cy, skew = moments(images)
    for column, expected in (("cx", cx), ("cy", cy), ("skew", skew)):
        np.testing.assert_allclose(table[column].to_numpy(), expected, rtol=0, atol=1e-10)
    # real digits do lean, and deskewing removes it
    assert np.abs(skew).mean() > 0.1
    assert np.abs(moments(deskew(images))[2]).max() < 0.05


def test_deskew_in_a_pipeline_is_stateless_and_comes_first():
    images = np.stack([bar(0.4), bar(-0.3)])
    pipeline = make_pipeline(Deskew(), FunctionTransformer(scale_pixels))
    out = pipeline.fit_transform(images)
    np.testing.assert_array_equal(out, scale_pixels(deskew(images)))
    assert np.array_equal(Deskew().transform(images), deskew(images))  # no fit needed
    model = build_model("nearest_centroid", {}, seed=0, deskew=True)
    assert [name for name, _ in model.steps] == ["deskew", "scale", "classifier"]
    assert build_model("nearest_centroid", {}, 0).steps[0][0] == "scale"
    spec = {"n_neighbors": 1, "weights": "uniform"}
    fitted, _ = fit_model("knn", spec, 0, images, np.array([0, 1]), deskew=True)
    assert fitted.steps[0][0] == "deskew"
    np.testing.assert_allclose(fitted[:-1].transform(images[:1]), scale_pixels(deskew(images[:1])))


def test_a_deskewing_model_saves_and_reloads_safely(tmp_path):
    images = np.stack([bar(0.4), bar(-0.4), bar(0.1), bar(-0.1)])
    labels = np.array([0, 1, 0, 1], np.uint8)
    spec = {"n_neighbors": 1, "weights": "uniform"}
    model = build_model("knn", spec, seed=0, deskew=True).fit(images, labels)
    save_model(model, tmp_path / "m.skops", {"model": "knn"})
    loaded = load_model(tmp_path / "m.skops")  # refuses untrusted types: Deskew is trusted
    assert isinstance(loaded[0], Deskew)
    assert np.array_equal(loaded.predict(images), model.predict(images))
