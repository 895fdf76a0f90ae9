"""The transformations of the robustness stage, on tiny digits made by hand."""

import numpy as np
import pytest

from tidymnist.core.digits import SIDE
from tidymnist.evaluate.settings import TRANSFORMS
from tidymnist.evaluate.transforms import FUNCTIONS, centres_of_mass, transform


def bar(rows=slice(10, 18), columns=slice(12, 15)) -> np.ndarray:
    """One digit: an upright bar of full ink, 8 px tall and 3 px wide, in the middle."""
    image = np.zeros((1, SIDE, SIDE))
    image[0, rows, columns] = 255.0
    return image


def ring() -> np.ndarray:
    """One digit: a ring, 2 px thick, about the centre (a 0)."""
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    radius = np.hypot(y - 13.5, x - 13.5)
    return np.where((radius >= 5) & (radius <= 7), 255.0, 0.0)[None]


def ink(images: np.ndarray) -> float:
    """The ink area in pixels: the sum of the values as shares of full ink."""
    return float(images.sum() / 255)


def test_every_transformation_has_its_function():
    assert set(FUNCTIONS) == set(TRANSFORMS)


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_amount_zero_is_the_identity(name):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, SIDE, SIDE)).astype(np.float64)
    out = transform(name, images, 0, rng.random(3))
    assert np.array_equal(out, images)
    assert out is not images  # a copy: the caller's digits stay as they were


@pytest.mark.parametrize("direction", [0.0, 0.125, 0.25, 0.3, 0.5, 0.75, 0.9])
def test_a_one_pixel_shift_moves_the_centre_of_mass_by_one_pixel(direction):
    before = centres_of_mass(bar())[0]
    after = centres_of_mass(transform("shift", bar(), 1, np.array([direction])))[0]
    moved = after - before
    angle = 2 * np.pi * direction
    assert np.hypot(*moved) == pytest.approx(1.0, abs=1e-9)
    assert moved == pytest.approx([np.sin(angle), np.cos(angle)], abs=1e-9)


def test_a_whole_pixel_shift_moves_every_value_exactly():
    moved = transform("shift", bar(), 2, np.array([0.25]))  # a quarter turn: down two rows
    assert np.array_equal(moved, np.roll(bar(), 2, axis=1))


def test_thicker_strokes_have_more_ink_and_thinner_less():
    areas = [ink(transform("thicker", ring(), a, np.zeros(1))) for a in (0, 0.5, 1, 2)]
    assert areas == sorted(areas) and len(set(areas)) == 4
    areas = [ink(transform("thinner", ring(), a, np.zeros(1))) for a in (0, 0.25, 0.5, 1)]
    assert areas == sorted(areas, reverse=True) and len(set(areas)) == 4
    # a quarter pixel off each side of a 2 px ring takes a quarter of its area, about
    ring_area = ink(ring())
    assert areas[1] == pytest.approx(0.75 * ring_area, rel=0.1)
    # a 2-px stroke thinned by a pixel on each side is gone
    assert transform("thinner", bar(columns=slice(12, 14)), 1, np.zeros(1)).max() == 0


def test_a_turn_keeps_the_centre_of_mass_and_stands_a_bar_on_its_side():
    turned = transform("rotation", bar(), 90, np.zeros(1))
    assert centres_of_mass(turned)[0] == pytest.approx(centres_of_mass(bar())[0], abs=1e-6)
    rows, columns = np.nonzero(turned[0] >= 128)
    assert np.ptp(columns) > np.ptp(rows)  # now wider than tall
    # either way round, the same bar
    other = transform("rotation", bar(), 90, np.ones(1) * 0.9)
    assert np.allclose(turned, other, atol=1e-6)


def test_smaller_and_larger_scale_the_ink_about_its_centre():
    tall = bar(rows=slice(6, 22))  # 16 px tall
    half = transform("smaller", tall, 0.5, np.zeros(1))
    rows, _ = np.nonzero(half[0] >= 128)
    assert np.ptp(rows) + 1 == 8
    assert centres_of_mass(half)[0] == pytest.approx(centres_of_mass(tall)[0], abs=1e-6)
    # shrunk on the finer grid: the ink's mass scales with the area (anti-aliased, none lost)
    assert half.sum() == pytest.approx(tall.sum() * 0.25, rel=1e-9)
    grown = transform("larger", bar(), 0.5, np.zeros(1))
    rows, _ = np.nonzero(grown[0] >= 128)
    assert np.ptp(rows) + 1 > 8


def test_blur_keeps_the_ink_and_softens_it():
    blurred = transform("blur", bar(), 1.0, np.zeros(1))
    assert blurred.sum() == pytest.approx(bar().sum(), rel=1e-6)
    assert blurred.max() < 255


def test_noise_is_the_same_pattern_scaled_for_a_digit_and_kept_in_range():
    directions = np.array([0.3])
    small = transform("noise", bar(), 0.1, directions)
    large = transform("noise", bar(), 0.2, directions)
    assert small.min() >= 0 and large.max() <= 255
    paper = bar()[0] == 0
    noisy = small[0][paper] > 0
    assert noisy.mean() == pytest.approx(0.5, abs=0.1)  # the positive half shows on paper
    # where neither is clipped, twice the amount is twice the noise
    both = paper & (small[0] > 0) & (large[0] < 255)
    assert np.allclose(large[0][both], 2 * small[0][both])
    assert np.array_equal(small, transform("noise", bar(), 0.1, directions))


def test_dark_ink_on_light_paper():
    assert np.array_equal(transform("inverted", bar(), 1, np.zeros(1)), 255 - bar())
    grey = transform("inverted", bar(), 0.5, np.zeros(1))
    assert np.all(grey == 127.5)


def test_bad_input_is_refused_with_what_was_expected():
    with pytest.raises(ValueError, match="no transformation 'spin'"):
        transform("spin", bar(), 1, np.zeros(1))
    with pytest.raises(ValueError, match="one direction per image"):
        transform("shift", bar(), 1, np.zeros(2))
    with pytest.raises(ValueError, match=r"shape \(n, 28, 28\)"):
        transform("shift", np.zeros((1, 20, 20)), 1, np.zeros(1))
    with pytest.raises(ValueError, match=r"smaller: expected an amount in \[0, 1\)"):
        transform("smaller", bar(), 1.0, np.zeros(1))
