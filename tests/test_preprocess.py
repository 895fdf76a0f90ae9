"""Any image to MNIST's format: the geometry MNIST promises, on shapes and on real digits."""

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from scipy import ndimage

from tidymnist.core.errors import TidyMnistError
from tidymnist.handwriting.preprocess import (
    CENTRE,
    MNIST_WIDTH,
    STEPS,
    STEPS_SCHEMA,
    NoInkError,
    PreprocessError,
    preprocess_steps,
    stroke_width,
    thumbnail_table,
    to_mnist,
)
from tidymnist.io.dataset import load_split
from tidymnist.models.pipelines import fit_model


def bounding_box(image: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(image.any(axis=1))
    columns = np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1


def photo(
    digit: np.ndarray,
    size: int,
    rng: np.random.Generator,
    shadow: bool = True,
    noise: float = 0.02,
) -> np.ndarray:
    """``digit`` (28 x 28, 255 = ink) as a photo of dark ink on uneven paper: enlarged to
    ``size`` px, somewhere on a larger sheet lit by a gradient, a shadow in one corner."""
    ink = np.asarray(Image.fromarray(digit).resize((size, size), Image.Resampling.BICUBIC)) / 255
    height, width = int(size * 1.5), int(size * 1.7)
    y, x = np.mgrid[0:height, 0:width]
    paper = 0.9 - 0.25 * x / width - 0.1 * y / height
    if shadow:
        paper = paper - 0.25 * np.exp(-((x - width) ** 2 + y**2) / (0.35 * width) ** 2)
    sheet = paper + rng.normal(0, noise, paper.shape)
    top, left = rng.integers(0, height - size), rng.integers(0, width - size)
    sheet[top : top + size, left : left + size] *= 1 - 0.85 * np.clip(ink, 0, 1)
    return np.clip(sheet, 0, 1)


def stroke(shape, points, width) -> np.ndarray:
    """Dark strokes through ``points`` (row, column) on white paper."""
    image = Image.new("L", shape[::-1], 255)
    from PIL import ImageDraw  # noqa: PLC0415

    ImageDraw.Draw(image).line([(c, r) for r, c in points], fill=0, width=width, joint="curve")
    return np.asarray(image) / 255


SEVEN = [(20, 20), (20, 140), (200, 60)]


# The conventions, measured on real MNIST ------------------------------------------------------


@pytest.mark.mnist
def test_the_centre_is_where_mnist_puts_the_centre_of_mass(mnist_train):
    images = mnist_train.images[:20_000].astype(np.float64)
    mass = images.sum(axis=(1, 2))
    rows = (images.sum(axis=2) * np.arange(28)).sum(axis=1) / mass
    columns = (images.sum(axis=1) * np.arange(28)).sum(axis=1) / mass
    assert rows.mean() == pytest.approx(CENTRE, abs=0.02)
    assert columns.mean() == pytest.approx(CENTRE, abs=0.02)
    assert np.median([max(bounding_box(image)) for image in mnist_train.images[:2000]]) == 20


@pytest.mark.mnist
def test_real_mnist_digits_come_back_almost_unchanged(mnist_train):
    """An MNIST digit is already in MNIST's format: preprocessing must keep it so."""
    digits = mnist_train.images[:100]
    back = np.stack([to_mnist(1 - digit / 255) for digit in digits])
    difference = np.abs(back.astype(float) - digits).mean(axis=(1, 2))
    assert np.median(difference) < 8  # of 255: edges and the ink stretch differ a little
    assert np.mean(difference) < 10


# Geometry -------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(300, 200), (50, 400), (1000, 900), (40, 40)])
def test_the_longer_side_is_20_and_the_centre_of_mass_is_at_the_centre(shape):
    height, width = shape
    points = [(0.1 * height, 0.2 * width), (0.1 * height, 0.8 * width), (0.9 * height, 0.4 * width)]
    result = to_mnist(stroke(shape, points, max(2, min(shape) // 15)))
    assert result.shape == (28, 28) and result.dtype == np.uint8
    assert abs(max(bounding_box(result)) - 20) <= 1
    row, column = ndimage.center_of_mass(result.astype(float))
    assert abs(row - CENTRE) <= 0.5 and abs(column - CENTRE) <= 0.5
    assert result.max() == 255 and result[0].max() == 0 and result[:, 0].max() == 0


def test_aspect_ratio_is_kept():
    result = to_mnist(stroke((400, 400), [(50, 200), (350, 200)], 40))  # a tall bar
    height, width = bounding_box(result)
    assert abs(height - 20) <= 1
    assert 2 <= width <= 5  # 40 / 300 of 20 px, plus the soft edges


def test_ink_polarity_is_detected_both_ways():
    dark_on_light = stroke((240, 180), SEVEN, 14)
    light_on_dark = 1 - dark_on_light
    a, b = to_mnist(dark_on_light), to_mnist(light_on_dark)
    np.testing.assert_array_equal(a, b)
    # and in a photo, with paper that is far from white
    rng = np.random.default_rng(1)
    digit = to_mnist(dark_on_light)
    sheet = photo(digit, 200, rng, shadow=False)
    inverted = to_mnist(1 - sheet)
    assert np.abs(inverted.astype(float) - to_mnist(sheet)).mean() < 2


def test_an_uneven_background_is_removed():
    rng = np.random.default_rng(2)
    clean = stroke((240, 180), SEVEN, 14)
    expected = to_mnist(clean)
    sheet = photo(expected, 220, rng)
    result = to_mnist(sheet)
    assert np.abs(result.astype(float) - expected).mean() < 12
    # no paper left in the crop: the digit has the clean digit's box, not a smaller one
    assert np.abs(np.subtract(bounding_box(result), bounding_box(expected))).max() <= 1
    steps = preprocess_steps(sheet, max_side=10_000)
    removed = steps.filter(pl.col("step") == "background removed")
    assert (removed["value"] == 0).mean() > 0.8  # paper (and its shadow) is exactly 0


def test_specks_of_dust_do_not_move_the_crop():
    clean = stroke((300, 300), [(60, 80), (60, 220), (260, 120)], 16)
    dusty = clean.copy()
    dusty[5:8, 5:8] = 0.0  # dust in a corner
    dusty[290:292, 280:283] = 0.0
    np.testing.assert_array_equal(to_mnist(dusty), to_mnist(clean))


def test_thin_strokes_on_big_images_are_thickened_to_mnist_width():
    thin = to_mnist(stroke((800, 800), [(50, 100), (50, 700), (750, 300)], 2))
    width = stroke_width(thin / 255)
    assert width == pytest.approx(MNIST_WIDTH, abs=0.7)
    assert stroke_width(to_mnist(stroke((800, 800), [(80, 100), (80, 700), (720, 300)], 150))) > 3


# Real digits, re-rendered as photos -----------------------------------------------------------


@pytest.mark.mnist
def test_rerendered_real_digits_are_classified_like_the_originals(mnist_path, mnist_train):
    model, _ = fit_model(
        "logistic_regression",
        {"C": 0.1, "max_iter": 100},
        0,
        mnist_train.images[:10_000],
        mnist_train.labels[:10_000],
    )
    test = load_split(mnist_path, "test", limit=200)
    rng = np.random.default_rng(3)
    photos = [photo(d, int(rng.integers(112, 225)), rng) for d in test.images]
    back = np.stack([to_mnist(p) for p in photos])
    original = (model.predict(test.images) == test.labels).mean()
    rerendered = (model.predict(back) == test.labels).mean()
    naive = np.stack(
        [np.asarray(Image.fromarray(np.uint8(255 * (1 - p))).resize((28, 28))) for p in photos]
    )
    assert original > 0.85
    assert rerendered >= 0.85
    assert rerendered >= original - 0.06
    assert (model.predict(naive) == test.labels).mean() < 0.5  # what preprocessing is for
    assert np.median(np.abs(back.astype(float) - test.images).mean(axis=(1, 2))) < 15


# Refusals and properties ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        np.ones((100, 80)),
        np.zeros((3, 3)),
        np.full((1, 1), 0.4),
        np.clip(0.93 + np.random.default_rng(0).normal(0, 0.004, (300, 200)), 0, 1),
    ],
)
def test_a_blank_page_has_no_ink(page):
    with pytest.raises(NoInkError, match="no ink found"):
        to_mnist(page)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((3, 3, 3)), "2-D"),
        (np.zeros((0, 5)), "at least 1 x 1"),
        (np.array([[0.0, np.nan]]), "finite"),
        (np.array([[0.0, np.inf]]), "finite"),
        (np.array([["a", "b"]]), "array of numbers"),
    ],
)
def test_arrays_that_are_no_image_are_refused(array, message):
    with pytest.raises(PreprocessError, match=message):
        to_mnist(array)


@settings(max_examples=300, deadline=None)
@given(
    arrays(
        dtype=st.sampled_from([np.float64, np.float32, np.uint8, np.int16, np.bool_]),
        shape=st.tuples(st.integers(1, 70), st.integers(1, 70)),
        elements={"allow_nan": False, "allow_infinity": False},
    )
)
def test_any_finite_array_gives_a_28x28_digit_or_no_ink(array):
    try:
        result = to_mnist(array)
    except NoInkError:
        return
    assert result.shape == (28, 28) and result.dtype == np.uint8
    assert result.max() == 255
    assert 1 <= max(bounding_box(result)) <= 21


@settings(max_examples=50, deadline=None)
@given(st.floats(-1e300, 1e300), st.floats(1e-300, 1e300))
def test_values_outside_0_1_are_rescaled_by_their_range(offset, scale):
    """0-255, or any other range: a digit is a digit (0-1 is taken as black to white)."""
    base = stroke((60, 50), [(10, 10), (10, 40), (50, 20)], 5)
    scaled = offset + scale * base
    inside = scaled.min() >= 0 and scaled.max() <= 1
    if inside or not np.isfinite(scaled).all() or np.ptp(scaled) < 1e-6 * np.abs(scaled).max():
        return
    assert np.abs(to_mnist(scaled).astype(int) - to_mnist(base)).max() <= 1


def test_every_step_is_a_tidy_table_ending_in_the_result():
    image = stroke((240, 180), SEVEN, 14)
    steps = preprocess_steps(image, max_side=64)
    assert steps.schema == STEPS_SCHEMA
    assert steps["step"].unique(maintain_order=True).to_list() == list(STEPS)
    sizes = steps.group_by("step", maintain_order=True).agg(pl.len(), pl.col("width").first())
    assert sizes["len"].to_list()[:2] == [64 * 48] * 2  # reduced to max_side
    assert sizes.row(-1) == (STEPS[-1], 784, 28)
    final = steps.filter(pl.col("step") == STEPS[-1]).sort("y", "x")["value"].to_numpy()
    np.testing.assert_array_equal(final.reshape(28, 28), to_mnist(image))
    first = steps.filter(pl.col("step") == "input").sort("y", "x")
    assert first["value"].max() > 250 and first["value"].min() == 0  # dark ink is high


def test_thumbnail_table_holds_the_original_and_the_28x28():
    image = stroke((240, 180), SEVEN, 14)
    table = thumbnail_table(["a.png"], [image], to_mnist(image)[None])
    counts = dict(table.group_by("kind").len().iter_rows())
    assert counts == {"original": 56 * 42, "28 x 28": 784}
    assert table.filter(pl.col("kind") == "original")["value"].max() > 200  # ink is dark


def test_errors_are_tidymnist_errors():
    assert issubclass(NoInkError, TidyMnistError) and issubclass(NoInkError, ValueError)


def test_the_steps_figure_draws_a_panel_per_step():
    from tidymnist.figures.preprocess import preprocessing_steps  # noqa: PLC0415

    plot = preprocessing_steps(preprocess_steps(stroke((240, 180), SEVEN, 14), max_side=48))
    figure = plot.draw()
    assert len(figure.axes) >= len(STEPS)  # a panel per step (plus the colour bar)
    assert plot.mapping["fill"] == "value"
    assert "step by step" in plot.labels.title
