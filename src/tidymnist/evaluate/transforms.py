"""Digits moved away from MNIST's conventions, one way at a time and by a chosen amount.

Each transformation (a record of :data:`tidymnist.evaluate.settings.TRANSFORMS`, a function of
its name here) takes a stack of digits in MNIST's format ((n, 28, 28), 0 paper to 255
ink, float64) and an amount above 0, and returns the changed stack as float64 in 0-255 (the
caller rounds, as a scanner would). :func:`transform` is the door: it checks the stack and
makes amount 0 the identity, exactly. Where a transformation has a direction (a
shift's, a rotation's sense), each digit gets its own from ``directions``, so that a larger
amount moves every digit further along the same way and the curves over the amounts are smooth.

Shifts, rotations and enlargements sample the digit bilinearly, so a whole-pixel shift moves
every value exactly one pixel. Shrinking and the stroke width work on a grid four times finer
than the digit's: each pixel is split into 4 x 4 equal sub-pixels, the finer image is
transformed (bilinear sampling; grey dilation or erosion with a round pen), and each pixel is
the mean of its sub-pixels again. That keeps a shrunk digit anti-aliased and lets a stroke grow
by a quarter of a pixel. Rotations and scalings turn about the digit's centre of mass, so that
the digit stays where MNIST put it.
"""

import numpy as np
from scipy import ndimage

from tidymnist.core.digits import SIDE
from tidymnist.evaluate.settings import TRANSFORMS

FINE = 4  # sub-pixels per pixel along each axis


def _check(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"expected images of shape (n, 28, 28), got {images.shape}")
    return images


def centres_of_mass(images: np.ndarray) -> np.ndarray:
    """Each digit's centre of mass as (row, column), (n, 2); a blank digit's is the frame's
    centre."""
    images = _check(images)
    rows = np.arange(SIDE, dtype=np.float64)
    total = images.sum(axis=(1, 2))
    safe = np.where(total > 0, total, 1.0)
    row = (images.sum(axis=2) @ rows) / safe
    column = (images.sum(axis=1) @ rows) / safe
    centre = (SIDE - 1) / 2
    return np.column_stack([np.where(total > 0, row, centre), np.where(total > 0, column, centre)])


def _finer(images: np.ndarray) -> np.ndarray:
    """Each pixel split into FINE x FINE equal sub-pixels."""
    return images.repeat(FINE, axis=1).repeat(FINE, axis=2)


def _coarser(images: np.ndarray, fine: int = FINE) -> np.ndarray:
    """Each pixel the mean of its ``fine`` x ``fine`` sub-pixels."""
    if fine == 1:
        return images
    return images.reshape(len(images), SIDE, fine, SIDE, fine).mean(axis=(2, 4))


def _warp(
    images: np.ndarray, matrices: np.ndarray, offsets: np.ndarray, fine: int = 1
) -> np.ndarray:
    """Each digit resampled (bilinear) so that the output at pixel position ``p`` (row,
    column) takes the input at ``matrices[i] @ p + offsets[i]``; with ``fine`` > 1, on a grid
    ``fine`` times finer and averaged back (see the module docstring)."""
    source_images = images.repeat(fine, axis=1).repeat(fine, axis=2) if fine > 1 else images
    # the centres of the output's (sub-)pixels, in pixel units of the digit
    grid = (np.arange(SIDE * fine) + 0.5) / fine - 0.5
    rows, columns = np.meshgrid(grid, grid, indexing="ij")
    points = np.stack([rows.ravel(), columns.ravel()])  # (2, m)
    out = np.empty_like(source_images)
    for i, image in enumerate(source_images):
        source = matrices[i] @ points + offsets[i][:, None]
        # on the finer input, sub-pixel j sits at (j + 0.5) / fine - 0.5 pixel units
        coordinates = (source + 0.5) * fine - 0.5
        out[i] = ndimage.map_coordinates(image, coordinates, order=1, cval=0.0).reshape(image.shape)
    return _coarser(out, fine)


def _about_centres(images: np.ndarray, matrix: np.ndarray, fine: int = 1) -> np.ndarray:
    """Each digit mapped by the (n, 2, 2) ``matrix`` about its own centre of mass."""
    centres = centres_of_mass(images)
    inverse = np.linalg.inv(matrix)
    offsets = centres - np.einsum("nij,nj->ni", inverse, centres)
    return _warp(images, inverse, offsets, fine)


def shift(images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """Each digit moved ``amount`` pixels, in the direction ``directions[i]`` of a full turn;
    ink moved off the frame is lost."""
    angle = 2 * np.pi * np.asarray(directions, dtype=np.float64)
    moves = amount * np.column_stack([np.sin(angle), np.cos(angle)])
    identity = np.broadcast_to(np.eye(2), (len(images), 2, 2))
    return _warp(images, identity, -moves)


def rotation(images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """Each digit turned ``amount`` degrees about its centre of mass, anticlockwise where
    ``directions[i]`` < 0.5 and clockwise otherwise."""
    sense = np.where(np.asarray(directions) < 0.5, 1.0, -1.0)
    angle = np.radians(amount) * sense
    cos, sin = np.cos(angle), np.sin(angle)
    # rows count downwards, so an anticlockwise turn as seen maps (row, column) like this
    matrix = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    return _about_centres(images, matrix)


def _scaled(images: np.ndarray, factor: float) -> np.ndarray:
    """Each digit scaled by ``factor`` about its centre of mass; shrunk on the finer grid, so
    that it stays anti-aliased."""
    matrix = np.broadcast_to(np.eye(2) * factor, (len(images), 2, 2))
    return _about_centres(images, matrix, FINE if factor < 1 else 1)


def smaller(images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """Each digit shrunk about its centre of mass to ``1 - amount`` of its size."""
    if not 0 <= amount < 1:
        raise ValueError(f"smaller: expected an amount in [0, 1), got {amount}")
    return _scaled(images, 1 - amount)


def larger(images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """Each digit grown about its centre of mass to ``1 + amount`` of its size (what leaves
    the frame is lost)."""
    return _scaled(images, 1 + amount)


def _pen(radius: float) -> np.ndarray:
    """A round pen of ``radius`` pixels on the finer grid."""
    r = radius * FINE
    reach = int(np.floor(r))
    y, x = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    return (x**2 + y**2 <= r**2)[None]


def _stroked(images: np.ndarray, radius: float, operation) -> np.ndarray:
    """``operation`` (grey dilation or erosion) with a round pen of ``radius`` pixels, on the
    finer grid."""
    return _coarser(operation(_finer(images), footprint=_pen(radius), mode="constant"))


def thicker(images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """Every stroke widened by ``amount`` pixels on each side (a grey dilation with a round
    pen of that radius)."""
    return _stroked(images, amount, ndimage.grey_dilation)


def thinner(images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """Every stroke narrowed by ``amount`` pixels on each side (a grey erosion with a round
    pen of that radius)."""
    return _stroked(images, amount, ndimage.grey_erosion)


def blur(images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """Each digit blurred by a Gaussian of ``amount`` pixels' standard deviation."""
    return ndimage.gaussian_filter(images, sigma=(0, amount, amount), mode="constant")


def noise(images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """Gaussian noise of standard deviation ``amount`` (a share of full ink) added to every
    pixel, kept within paper and full ink. The noise is drawn from each digit's direction, so
    that a larger amount scales the same pattern."""
    pattern = np.stack(
        [
            np.random.default_rng(int(d * 2**32)).standard_normal((SIDE, SIDE))
            for d in np.asarray(directions)
        ]
    )
    return np.clip(images + amount * 255.0 * pattern, 0.0, 255.0)


def inverted(images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """Each digit taken ``amount`` of the way to dark ink on light paper: at 1, paper is full
    white and the strokes dark, as on a page; at 0.5 ink and paper are the same grey."""
    if not 0 <= amount <= 1:
        raise ValueError(f"inverted: expected an amount in [0, 1], got {amount}")
    return (1 - amount) * images + amount * (255.0 - images)


# each transformation's function, by its name (an error on import if one is missing)
FUNCTIONS = {name: globals()[name] for name in TRANSFORMS}


def transform(name: str, images: np.ndarray, amount: float, directions: np.ndarray) -> np.ndarray:
    """``images`` changed by transformation ``name`` (one of
    :data:`~tidymnist.evaluate.settings.TRANSFORMS`, whose function here has its name) by
    ``amount``."""
    if name not in TRANSFORMS:
        raise ValueError(f"no transformation {name!r}: expected one of {', '.join(TRANSFORMS)}")
    directions = np.asarray(directions, dtype=np.float64)
    images = _check(images)
    if directions.shape != (len(images),):
        raise ValueError(f"expected one direction per image, got {directions.shape}")
    if amount == 0:
        return images.copy()
    return FUNCTIONS[name](images, float(amount), directions)
