"""Any image of a digit brought to MNIST's format, as MNIST itself was made.

MNIST digits are light ink (255) on black (0), size-normalised so that their longer side fits a
20 x 20 box (aspect ratio kept), anti-aliased, and placed in a 28 x 28 frame with their centre of
mass at the centre: on the real training digits the mean centre of mass is (13.996, 14.004)
(row, column, counted from 0), so the centre here is pixel (14, 14), reached by a whole-pixel
shift as in MNIST (its spread, 0.29 px, is that of rounding). Models trained on MNIST see only
that format; a photo fed to them as it is fails, which is what this module prevents.

The steps, each visible in :func:`preprocess_steps`:

1. *input*: the greyscale image (0 black, 1 white; other ranges are rescaled by their own
   minimum and maximum), reduced by area averaging to at most ``WORK_SIDE`` on its longer side;
2. *ink chosen*: which side is ink is decided from the border (mostly paper) against the two
   tails of the values (dark ink on light paper, or light on dark); ink becomes high;
3. *background removed*: a grey opening larger than any stroke, smoothed, estimates the paper
   (gradients, shadows); it is subtracted, then a noise floor (median + 4 robust deviations of
   what is mostly paper) sets paper texture to 0, and specks far smaller than the largest
   stroke are dropped;
4. *cropped*: to the bounding box of the ink that is left;
5. *scaled to 20 px*: the crop is resized (area averaging) to ``DETAIL`` px on its longer side;
   strokes thinner than MNIST's (the 10th percentile of real digits, measured as twice the ink
   area over its perimeter) are thickened there with a round pen to MNIST's median width, and
   the result is averaged down to 20 px: the anti-aliasing;
6. *centred 28 x 28*: placed with its centre of mass on pixel (14, 14) (shifted less only where
   that would cut off ink), and stretched so that the stroke cores are full ink (255) like
   MNIST's.
"""

import numpy as np
import polars as pl
from PIL import Image
from scipy import ndimage

from tidymnist.core.digits import SIDE
from tidymnist.core.errors import TidyMnistError

BOX = 20  # MNIST fits the digit's longer side into 20 px
CENTRE = 14.0  # mean centre of mass of real MNIST training digits (row and column)
WORK_SIDE = 512  # larger inputs are reduced to this first: ample for a 20 px result
DETAIL = 80  # the crop is thickened, if needed, at 4 x the final size
MIN_CONTRAST = 0.05  # ink must stand this far (of black to white) above the paper's noise
SPECK = 0.05  # ink blobs with less than this share of the largest blob's ink are dust
# Stroke width on the 20 px scale (2 x ink area / perimeter) of real MNIST training digits:
# 10th percentile 1.8, median 2.45. Thinner strokes are thickened to the median.
THIN_WIDTH = 1.8
MNIST_WIDTH = 2.45
# In MNIST 38% of the non-zero pixels are full ink (>= 250): the stroke cores. The same share of
# ours is stretched to 255.
FULL_INK_SHARE = 0.38

STEPS = (
    "input",
    "ink chosen",
    "background removed",
    "cropped to the ink",
    "scaled to 20 px",
    "centred in 28 x 28",
)
STEP = pl.Enum(STEPS)
STEPS_SCHEMA = pl.Schema(
    {"step": STEP, "x": pl.UInt16, "y": pl.UInt16, "value": pl.Float64, "width": pl.UInt16}
)
THUMBNAIL_KINDS = pl.Enum(["original", "28 x 28"])
THUMBNAIL_SCHEMA = pl.Schema(
    {
        "file": pl.String,
        "kind": THUMBNAIL_KINDS,
        "x": pl.UInt16,
        "y": pl.UInt16,
        "value": pl.Float64,
        "width": pl.UInt16,
    }
)


class PreprocessError(TidyMnistError, ValueError):
    """An array that cannot be an image: wrong number of dimensions, empty, not finite."""


class NoInkError(PreprocessError):
    """An image with nothing that stands out from the paper (a blank page)."""


def to_mnist(image: np.ndarray) -> np.ndarray:
    """``image`` (2-D greyscale, 0 black and 1 white) as MNIST's (28, 28) uint8, 255 = ink."""
    return _steps(image)[STEPS[-1]]


def preprocess_steps(image: np.ndarray, max_side: int = 112) -> pl.DataFrame:
    """Every step of :func:`to_mnist` as a tidy table: step, x, y, value (0 paper to 255 full
    ink, as the step sees it) and width (the step's image width in pixels). Steps larger than
    ``max_side`` are shown reduced by area averaging, to keep the table and figure small."""
    frames = []
    for step, array in _steps(image).items():
        values = array.astype(np.float64) * (1.0 if array.dtype == np.uint8 else 255.0)
        values = (
            _resize(values, _fit(values.shape, max_side))
            if max(values.shape) > max_side
            else values
        )
        height, width = values.shape
        y, x = np.divmod(np.arange(height * width), width)
        frames.append(
            pl.DataFrame(
                {
                    "step": pl.Series([step] * (height * width), dtype=STEP),
                    "x": x.astype(np.uint16),
                    "y": y.astype(np.uint16),
                    "value": np.clip(values.reshape(-1), 0, 255),
                    "width": np.full(height * width, width, np.uint16),
                }
            )
        )
    return pl.concat(frames)


def thumbnail_table(
    files: list[str], originals: list[np.ndarray], mnist_images: np.ndarray, side: int = 56
) -> pl.DataFrame:
    """The gallery's pictures as one tidy table: per file, the original (greyscale, reduced to
    ``side`` px on its longer side) and its 28 x 28 version; value 0 white to 255 black, as
    each looks; width is the picture's width in pixels."""
    frames = []
    for file, original, mnist in zip(files, originals, mnist_images, strict=True):
        grey = _as_grey(original)
        small = _resize(grey, _fit(grey.shape, side)) if max(grey.shape) > side else grey
        for kind, values in (("original", 255 * (1 - small)), ("28 x 28", mnist.astype(float))):
            height, width = values.shape
            y, x = np.divmod(np.arange(height * width), width)
            frames.append(
                pl.DataFrame(
                    {
                        "file": [file] * (height * width),
                        "kind": pl.Series([kind] * (height * width), dtype=THUMBNAIL_KINDS),
                        "x": x.astype(np.uint16),
                        "y": y.astype(np.uint16),
                        "value": np.clip(values.reshape(-1), 0, 255),
                        "width": np.full(height * width, width, np.uint16),
                    }
                )
            )
    return pl.concat(frames) if frames else THUMBNAIL_SCHEMA.to_frame()


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels of ink (high) on paper: twice the area at half ink over its
    perimeter (pixel edges, times pi/4 for the staircase of curved and slanted outlines)."""
    mask = ink >= 0.5 * ink.max() if ink.size and ink.max() > 0 else np.zeros(ink.shape, bool)
    padded = np.pad(mask, 1)
    edges = np.count_nonzero(padded[1:] != padded[:-1]) + np.count_nonzero(
        padded[:, 1:] != padded[:, :-1]
    )
    return 2 * float(mask.sum()) / (edges * np.pi / 4) if edges else 0.0


# The steps ---------------------------------------------------------------------------------------


def _steps(image: np.ndarray) -> dict[str, np.ndarray]:
    grey = _as_grey(image)
    if max(grey.shape) > WORK_SIDE:
        grey = _resize(grey, _fit(grey.shape, WORK_SIDE))
    dark_ink = _dark_ink(grey)
    ink = 1 - grey if dark_ink else grey
    clean = _remove_background(ink)
    cropped = _crop(clean)
    small = _scale(cropped)
    final = _centre(small)
    return dict(zip(STEPS, (1 - grey, ink, clean, cropped, small, final), strict=True))


def _as_grey(image: np.ndarray) -> np.ndarray:
    """``image`` as finite float64 in 0-1, or a :class:`PreprocessError` saying why not."""
    try:
        array = np.asarray(image)
        if np.iscomplexobj(array):
            raise TypeError("complex values")
        array = array.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise PreprocessError(f"expected a 2-D array of numbers, got {error}") from None
    if array.ndim != 2:
        raise PreprocessError(f"expected a 2-D greyscale image, got {array.ndim} dimensions")
    if array.size == 0:
        raise PreprocessError(f"expected an image of at least 1 x 1 pixels, got {array.shape}")
    if not np.isfinite(array).all():
        raise PreprocessError("expected finite pixel values, got NaN or infinity")
    low, high = float(array.min()), float(array.max())
    if low >= 0 and high <= 1:
        return array
    array = array / max(abs(low), abs(high))  # now in -1 ... 1: no overflow below
    low, high = float(array.min()), float(array.max())
    return (array - low) / (high - low) if high > low else np.zeros_like(array)


def _fit(shape: tuple[int, ...], side: int) -> tuple[int, int]:
    """(height, width) with the longer side ``side`` and the aspect ratio of ``shape``."""
    height, width = shape
    longer = max(height, width)
    return max(1, round(height * side / longer)), max(1, round(width * side / longer))


def _resize(array: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``array`` resized to ``shape``: area averaging down, bilinear up."""
    height, width = shape
    resample = (
        Image.Resampling.BOX
        if height <= array.shape[0] and width <= array.shape[1]
        else Image.Resampling.BILINEAR
    )
    image = Image.fromarray(np.ascontiguousarray(array, dtype=np.float32), mode="F")
    return np.asarray(image.resize((width, height), resample), dtype=np.float64)


def _dark_ink(grey: np.ndarray) -> bool:
    """Whether ink is darker than the paper: the paper, mostly what lies along the border, sits
    nearer the end of the values opposite the ink."""
    ring = max(1, round(0.05 * min(grey.shape)))
    border = np.concatenate(
        [grey[:ring].ravel(), grey[-ring:].ravel(), grey[:, :ring].ravel(), grey[:, -ring:].ravel()]
    )
    paper = float(np.median(border))
    low, high = np.quantile(grey, [0.005, 0.995])
    return bool(paper - low > high - paper)


def _remove_background(ink: np.ndarray) -> np.ndarray:
    """Ink above the paper, 0 where there is only paper (see step 3 of the module docstring)."""
    size = max(3, int(np.ceil(0.25 * max(ink.shape))))
    rough = ndimage.uniform_filter(ndimage.grey_opening(ink, size=(size, size)), size=size)
    above = ink - rough
    # The paper again, now from the pixels that are not ink only: a smooth surface through them
    # (normalised convolution) follows shadows and gradients the opening only roughly traces.
    gap = max(1, round(0.02 * max(ink.shape)))
    paper_only = ~ndimage.binary_dilation(above > _noise_floor(above), iterations=gap)
    weight = _blur(paper_only.astype(np.float64), 0.05 * max(ink.shape))
    smooth = _blur(np.where(paper_only, ink, 0.0), 0.05 * max(ink.shape))
    paper = np.where(weight > 0.05, smooth / np.maximum(weight, 1e-12), rough)
    above = ink - paper
    clean = np.clip(above - _noise_floor(above), 0, None)
    if clean.max() < MIN_CONTRAST:
        raise NoInkError(
            f"no ink found: nothing stands out from the paper by more than {MIN_CONTRAST:.0%} "
            "of black to white; expected a digit written on it"
        )
    return _drop_specks(clean / clean.max())


def _blur(array: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of ``sigma`` px, computed on a grid about sigma / 4 px coarse: as smooth,
    and far cheaper on large images."""
    step = max(1, int(sigma // 4))
    if step == 1:
        return ndimage.gaussian_filter(array, max(sigma, 1.0), mode="nearest")
    coarse = _resize(array, (-(-array.shape[0] // step), -(-array.shape[1] // step)))
    blurred = ndimage.gaussian_filter(coarse, sigma / step, mode="nearest")
    return _resize(blurred, array.shape)


def _noise_floor(above: np.ndarray) -> float:
    """The level below which ``above`` (ink minus the paper estimate) is paper texture: the
    median plus 4 robust standard deviations (most pixels are paper), at least 0.02 above it."""
    level = float(np.median(above))
    spread = 1.4826 * float(np.median(np.abs(above - level)))
    return level + max(4 * spread, 0.02)


def _drop_specks(ink: np.ndarray) -> np.ndarray:
    """``ink`` without the blobs holding less than ``SPECK`` of the largest blob's ink, and
    without the faint texture around no blob at all."""
    mask = ink >= 0.25
    gap = max(1, round(0.01 * max(ink.shape)))  # strokes broken by a pixel or two stay whole
    labels, n = ndimage.label(ndimage.binary_dilation(mask, iterations=gap))
    mass = ndimage.sum_labels(ink, labels, index=np.arange(1, n + 1))
    keep = np.concatenate([[False], mass >= SPECK * mass.max()])
    return np.where(keep[labels], ink, 0.0)


def _crop(ink: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero((ink > 0).any(axis=1))
    columns = np.flatnonzero((ink > 0).any(axis=0))
    return ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def _scale(cropped: np.ndarray) -> np.ndarray:
    """The crop at 20 px on its longer side, thickened first where its strokes are too thin."""
    detail = _resize(cropped, _fit(cropped.shape, DETAIL))
    detail = detail / detail.max() if detail.max() > 0 else detail
    width = stroke_width(detail) * BOX / DETAIL
    if 0 < width < THIN_WIDTH:
        radius = (MNIST_WIDTH - width) / 2 * DETAIL / BOX
        pad = int(np.ceil(radius)) + 1
        detail = _crop(ndimage.grey_dilation(np.pad(detail, pad), footprint=_disk(radius)))
    return _resize(detail, _fit(detail.shape, BOX))


def _disk(radius: float) -> np.ndarray:
    r = int(np.ceil(radius))
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    return x**2 + y**2 <= radius**2 + 0.5


def _centre(small: np.ndarray) -> np.ndarray:
    """``small`` in a 28 x 28 frame, centre of mass on (14, 14), stretched to full ink."""
    height, width = small.shape
    com = ndimage.center_of_mass(small) if small.sum() > 0 else ((height - 1) / 2, (width - 1) / 2)
    top = int(np.clip(round(CENTRE - com[0]), 0, SIDE - height))
    left = int(np.clip(round(CENTRE - com[1]), 0, SIDE - width))
    frame = np.zeros((SIDE, SIDE))
    frame[top : top + height, left : left + width] = small
    inked = frame[frame > 0.02 * frame.max()] if frame.max() > 0 else frame[:0]
    core = float(np.quantile(inked, 1 - FULL_INK_SHARE)) if inked.size else 1.0
    return np.round(255 * np.clip(frame / core, 0, 1)).astype(np.uint8)
