"""Make the small synthetic digit dataset the workflow's tests run on.

Writes, into ``--out`` (default ``.test/data``):

- the four files in MNIST's gzip IDX layout: ``train-images-idx3-ubyte.gz`` and
  ``train-labels-idx1-ubyte.gz`` (600 images, 60 per label), ``t10k-images-idx3-ubyte.gz`` and
  ``t10k-labels-idx1-ubyte.gz`` (200 images, 20 per label);
- ``SHA256SUMS.raw``: the SHA-256 of each file's decompressed content, as ``sha256sum`` prints it;
- ``csv/mnist_train.csv`` (the first 100 training images) and ``csv/mnist_test.csv`` (all test
  images) in the headerless CSV layout: the label, then the 784 pixels row by row.

Every image is drawn here from scratch: each digit is a skeleton of lines and arcs, warped, slanted,
scaled and shifted at random, then rendered with anti-aliased strokes of random width into a 20x20
box centred in the 28x28 frame, as in MNIST (uint8, 0 = background, 255 = full ink). The files hold
no MNIST data. The output depends only on ``SEED``: running the script twice gives identical bytes.

Usage: ``python .test/make_data.py [--out DIR]``
"""

import argparse
from pathlib import Path

import numpy as np

from tidymnist.io.idx import idx_bytes, sha256, write_idx

SEED = 20240601
SIDE = 28
BOX = 20  # MNIST fits each digit into a 20x20 box centred in the 28x28 frame
N_PER_LABEL = {"train": 60, "test": 20}
CSV_TRAIN_ROWS = 100
IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
CSV_NAMES = {"train": "mnist_train.csv", "test": "mnist_test.csv"}

# Pixel centres, as (x, y) with y counted down from the top, one row per pixel in IDX order.
_ROWS, _COLS = np.mgrid[0:SIDE, 0:SIDE]
PIXELS = np.column_stack([_COLS.ravel(), _ROWS.ravel()]).astype(float)


# Skeletons -------------------------------------------------------------------------------------
# A digit is a list of strokes; a stroke is an (n, 2) array of (x, y) points joined by straight
# segments. Digits are drawn about 1 unit tall and 0.7 wide, y pointing down.


def line(*points: tuple[float, float]) -> np.ndarray:
    return np.array(points, dtype=float)


def arc(
    centre: tuple[float, float], radii: tuple[float, float], start: float, stop: float
) -> np.ndarray:
    """An elliptical arc from angle ``start`` to ``stop`` (degrees, counter-clockwise as seen)."""
    angles = np.radians(np.linspace(start, stop, max(2, round(abs(stop - start) / 6) + 1)))
    return np.column_stack(
        [centre[0] + radii[0] * np.cos(angles), centre[1] - radii[1] * np.sin(angles)]
    )


ONE = line((0.35, 0.0), (0.35, 1.0))
ONE_FLAGGED = line((0.17, 0.18), (0.35, 0.0), (0.35, 1.0))
TWO = np.vstack(
    [arc((0.35, 0.27), (0.3, 0.25), 160, -40), line((0.58, 0.43), (0.03, 1.0), (0.72, 0.98))]
)
SEVEN = line((0.0, 0.0), (0.7, 0.0), (0.25, 1.0))

# For each label, the common handwritten forms of the digit, as lists of strokes.
FORMS = {
    0: [[arc((0.35, 0.5), (0.3, 0.48), 80, 450)]],
    1: [[ONE], [ONE_FLAGGED], [ONE_FLAGGED, line((0.15, 1.0), (0.55, 1.0))]],
    2: [[TWO]],
    3: [[arc((0.33, 0.25), (0.28, 0.24), 150, -90), arc((0.33, 0.73), (0.32, 0.26), 90, -150)]],
    4: [
        [line((0.45, 0.0), (0.0, 0.65), (0.72, 0.65)), line((0.5, 0.08), (0.5, 1.0))],
        [line((0.08, 0.0), (0.03, 0.6), (0.72, 0.6)), line((0.55, 0.05), (0.55, 1.0))],
    ],
    5: [[line((0.65, 0.0), (0.12, 0.0), (0.1, 0.45)), arc((0.33, 0.68), (0.3, 0.3), 130, -150)]],
    6: [[arc((0.62, 0.66), (0.55, 0.66), 100, 180), arc((0.35, 0.72), (0.29, 0.27), 180, 540)]],
    7: [[SEVEN], [SEVEN, line((0.28, 0.52), (0.62, 0.48))]],
    8: [[arc((0.35, 0.24), (0.24, 0.24), 0, 360), arc((0.35, 0.72), (0.3, 0.27), 0, 360)]],
    9: [[arc((0.35, 0.28), (0.3, 0.27), 0, 360), line((0.65, 0.28), (0.62, 0.65), (0.52, 1.0))]],
}
# How often each form is drawn, where a digit has more than one.
FORM_WEIGHTS = {1: [0.5, 0.3, 0.2], 4: [0.6, 0.4], 7: [0.8, 0.2]}


def skeleton(label: int, rng: np.random.Generator) -> list[np.ndarray]:
    """The strokes of one digit, in one of its forms picked at random."""
    forms = FORMS[label]
    return forms[rng.choice(len(forms), p=FORM_WEIGHTS.get(label))]


# Variation -------------------------------------------------------------------------------------


def vary(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Shift strokes a little against each other, warp them smoothly, then slant and rotate."""
    strokes = [stroke + rng.normal(0.0, 0.025, 2) for stroke in strokes]
    points = np.vstack(strokes)
    # A smooth random warp: two low-frequency waves moving the points by a few hundredths.
    for _ in range(2):
        direction = rng.normal(size=2)
        frequency = rng.uniform(0.8, 1.8) * direction / np.linalg.norm(direction)
        amplitude = rng.normal(0.0, 0.03, 2)
        phase = 2 * np.pi * (points @ frequency) + rng.uniform(0, 2 * np.pi)
        points = points + amplitude * np.sin(phase)[:, None]
    points[:, 0] *= rng.uniform(0.8, 1.2)  # narrower or wider
    points[:, 0] += rng.uniform(-0.1, 0.3) * (0.5 - points[:, 1])  # slant, mostly to the right
    angle = np.radians(rng.normal(0.0, 6.0))
    rotation = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    points = points @ rotation
    return np.split(points, np.cumsum([len(stroke) for stroke in strokes])[:-1])


def place(strokes: list[np.ndarray], width: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Scale the strokes (with their ink) into the 20x20 box and centre them in the frame."""
    points = np.vstack(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    # The soft edge of the ink reaches width / 2 + 0.5 beyond the skeleton on every side.
    scale = rng.uniform(0.8, 1.0) * (BOX - width - 1) / (high - low).max()
    centre = (SIDE - 1) / 2 + rng.uniform(-1.0, 1.0, 2)
    return [(stroke - (low + high) / 2) * scale + centre for stroke in strokes]


# Rendering -------------------------------------------------------------------------------------


def render(strokes: list[np.ndarray], width: float) -> np.ndarray:
    """Ink each pixel by its distance to the nearest segment, with a one-pixel soft edge."""
    starts = np.vstack([stroke[:-1] for stroke in strokes])
    ends = np.vstack([stroke[1:] for stroke in strokes])
    direction = ends - starts
    length2 = np.maximum((direction**2).sum(axis=1), 1e-12)
    offset = PIXELS[:, None, :] - starts[None, :, :]
    t = np.clip((offset * direction).sum(axis=2) / length2, 0.0, 1.0)
    distance = np.sqrt(((offset - t[..., None] * direction) ** 2).sum(axis=2)).min(axis=1)
    ink = np.clip(width / 2 + 0.5 - distance, 0.0, 1.0)
    return np.round(255 * ink).astype(np.uint8).reshape(SIDE, SIDE)


def draw_digit(label: int, rng: np.random.Generator) -> np.ndarray:
    width = rng.uniform(1.5, 3.0)
    strokes = place(vary(skeleton(label, rng), rng), width, rng)
    return render(strokes, width)


def make_split(n_per_label: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n_per_label`` images of each digit, shuffled."""
    labels = np.repeat(np.arange(10, dtype=np.uint8), n_per_label)
    labels = labels[rng.permutation(len(labels))]
    images = np.stack([draw_digit(int(label), rng) for label in labels])
    return images, labels


# Output ----------------------------------------------------------------------------------------


def write_csv(path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    rows = np.column_stack([labels, images.reshape(len(images), -1)])
    path.write_text("".join(",".join(map(str, row)) + "\n" for row in rows.tolist()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(".test/data"), help="output folder")
    out = parser.parse_args().out
    (out / "csv").mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(SEED)
    sums = []
    for split, n_per_label in N_PER_LABEL.items():
        images, labels = make_split(n_per_label, rng)
        for name, array in zip(IDX_NAMES[split], (images, labels), strict=True):
            write_idx(out / f"{name}.gz", array)
            sums.append(f"{sha256(idx_bytes(array))}  {name}\n")
        rows = CSV_TRAIN_ROWS if split == "train" else len(labels)
        write_csv(out / "csv" / CSV_NAMES[split], images[:rows], labels[:rows])
    (out / "SHA256SUMS.raw").write_text("".join(sums))


if __name__ == "__main__":
    main()
