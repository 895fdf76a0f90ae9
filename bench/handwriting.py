"""How good the models are on handwriting that is not MNIST's format, with and without
tidymnist's preprocessing.

Two test sets of digits that are not MNIST images, made here:

- ``mnist photos``: MNIST *test* digits re-rendered as photos of dark ink on uneven light paper:
  enlarged to 60-400 px, thickened or thinned, blurred, turned by up to 12 degrees, placed
  off-centre on a larger sheet with a gradient, a shadow and noise, saved as JPEG (quality
  50-95) and read back by ``tidymnist.io.images.read_image_bytes``;
- ``drawn strokes``: digits drawn from stroke templates (several handwritten forms per digit,
  from ``.test/make_data.py``), warped, slanted and turned at random, drawn with pens of random
  width at 80-400 px on the same kinds of paper.

Every model in ``--models`` (the workflow's ``results/models``) classifies both sets twice: after
``tidymnist.handwriting.preprocess.to_mnist`` (method ``preprocessed``), and after the naive
baseline of the
known study (method ``naive``: greyscale, inverted when the paper is light, the whole image resized
to 28 x 28). Prints one tidy table (set, model, method, accuracy, n) and saves a few examples of
each set as PNG in ``--out``. The issue's target: the best model with preprocessing >= 90%.

    uv run python bench/handwriting.py --models results/models --data-dir ../shared/data/mnist
"""

import argparse
import importlib.util
import io
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from PIL import Image, ImageDraw
from scipy import ndimage

from tidymnist.handwriting.preprocess import NoInkError, to_mnist
from tidymnist.io.dataset import load_split
from tidymnist.io.images import read_image_bytes
from tidymnist.models.trained import load_trained_models

REPO = Path(__file__).resolve().parents[1]
TARGET = 0.90


def stroke_templates():
    """The stroke skeletons and their random variation from ``.test/make_data.py``."""
    spec = importlib.util.spec_from_file_location("make_data", REPO / ".test" / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def paper(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Uneven light paper: a base tone, a gradient in a random direction, a soft shadow."""
    height, width = shape
    y, x = np.mgrid[0:height, 0:width] / max(shape)
    angle = rng.uniform(0, 2 * np.pi)
    sheet = rng.uniform(0.7, 0.95) - rng.uniform(0.05, 0.3) * (
        np.cos(angle) * x + np.sin(angle) * y
    )
    if rng.random() < 0.7:
        cy, cx = rng.uniform(-0.2, 1.2, 2) * np.array([height, width]) / max(shape)
        sheet -= rng.uniform(0.1, 0.3) * np.exp(
            -((x - cx) ** 2 + (y - cy) ** 2) / rng.uniform(0.1, 0.5) ** 2
        )
    return sheet


def photograph(ink: np.ndarray, rng: np.random.Generator) -> bytes:
    """``ink`` (0-1, 1 = full ink) put off-centre on a larger uneven sheet, as a JPEG."""
    scale = rng.uniform(1.15, 2.2)
    height, width = (int(side * scale) + 2 for side in ink.shape)
    sheet = paper((height, width), rng)
    top = rng.integers(0, height - ink.shape[0] + 1)
    left = rng.integers(0, width - ink.shape[1] + 1)
    darkness = rng.uniform(0.7, 0.95)
    sheet[top : top + ink.shape[0], left : left + ink.shape[1]] *= 1 - darkness * ink
    sheet += rng.normal(0, rng.uniform(0.005, 0.035), sheet.shape)
    image = Image.fromarray(np.uint8(255 * np.clip(sheet, 0, 1)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=int(rng.integers(50, 96)))
    return buffer.getvalue()


def rerender(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit enlarged, thickened or thinned, blurred and turned: ink in 0-1."""
    size = int(rng.integers(60, 401))
    ink = np.asarray(
        Image.fromarray(digit).resize((size, size), Image.Resampling.BICUBIC), dtype=np.float64
    )
    ink = np.clip(ink / 255, 0, 1)
    change = rng.uniform(-0.035, 0.06) * size  # pen thinner or thicker, in px
    if abs(change) >= 1:
        footprint = disk(abs(change) / 2)
        ink = (ndimage.grey_dilation if change > 0 else ndimage.grey_erosion)(
            ink, footprint=footprint
        )
    sigma = rng.uniform(0, size / 60)
    if sigma > 0.3:
        ink = ndimage.gaussian_filter(ink, sigma)
    angle = rng.uniform(-12, 12)
    turned = Image.fromarray(np.float32(ink), mode="F").rotate(
        angle, resample=Image.Resampling.BILINEAR, expand=True
    )
    return np.clip(np.asarray(turned, dtype=np.float64), 0, 1)


def draw(label: int, templates, rng: np.random.Generator) -> np.ndarray:
    """A digit drawn from a stroke template with a round pen: ink in 0-1."""
    strokes = templates.vary(templates.skeleton(label, rng), rng)
    size = int(rng.integers(80, 401))
    points = np.vstack(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    pen = size * rng.uniform(0.04, 0.14)
    scale = (size - pen - 4) / (high - low).max()
    image = Image.new("L", (size, size), 0)
    canvas = ImageDraw.Draw(image)
    for stroke in strokes:
        xy = [tuple(p) for p in (stroke - low) * scale + pen / 2 + 2]
        canvas.line(xy, fill=255, width=max(1, round(pen)), joint="curve")
        for x, y in (xy[0], xy[-1]):  # round pen ends
            canvas.ellipse([x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2], fill=255)
    ink = np.asarray(image, dtype=np.float64) / 255
    return ndimage.gaussian_filter(ink, rng.uniform(0.3, 1.5))


def disk(radius: float) -> np.ndarray:
    r = int(np.ceil(radius))
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    return x**2 + y**2 <= radius**2 + 0.5


def naive(grey: np.ndarray) -> np.ndarray:
    """The baseline: invert when the paper is light, resize the whole image to 28 x 28."""
    ink = 1 - grey if np.median(grey) > 0.5 else grey
    small = Image.fromarray(np.float32(ink), mode="F").resize((28, 28), Image.Resampling.BOX)
    return np.uint8(np.round(255 * np.clip(np.asarray(small), 0, 1)))


def build_sets(data_dir: str, n_mnist: int, n_drawn: int, seed: int):
    """The two test sets as JPEG bytes with their labels."""
    rng = np.random.default_rng(seed)
    test = load_split(data_dir, "test")
    chosen = rng.choice(len(test.images), n_mnist, replace=False)
    mnist = [(photograph(rerender(test.images[i], rng), rng), int(test.labels[i])) for i in chosen]
    templates = stroke_templates()
    labels = np.arange(n_drawn) % 10
    drawn = [(photograph(draw(int(label), templates, rng), rng), int(label)) for label in labels]
    return {"mnist photos": mnist, "drawn strokes": drawn}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="results/models")
    parser.add_argument("--data-dir", default="../shared/data/mnist")
    parser.add_argument("--n-mnist", type=int, default=500)
    parser.add_argument("--n-drawn", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path, default=Path("/tmp/handwriting"))
    args = parser.parse_args()

    start = time.perf_counter()
    sets = build_sets(args.data_dir, args.n_mnist, args.n_drawn, args.seed)
    made = time.perf_counter() - start
    models = load_trained_models(args.models)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    seconds = 0.0
    for name, items in sets.items():
        greys = [read_image_bytes(data, f"{name} {i}") for i, (data, _) in enumerate(items)]
        labels = np.array([label for _, label in items])
        tic = time.perf_counter()
        prepared = []
        for grey in greys:
            try:
                prepared.append(to_mnist(grey))
            except NoInkError:  # counted as wrong
                prepared.append(np.zeros((28, 28), np.uint8))
        seconds += time.perf_counter() - tic
        inputs = {"preprocessed": np.stack(prepared), "naive": np.stack([naive(g) for g in greys])}
        slug = name.replace(" ", "_")
        for i, (data, label) in enumerate(items[:8]):
            (args.out / f"{slug}_{i}_label{label}.jpg").write_bytes(data)
            Image.fromarray(255 - inputs["preprocessed"][i]).save(args.out / f"{slug}_{i}_28.png")
        for model_name, model in models.items():
            for method, images in inputs.items():
                accuracy = float((model.predict(images) == labels).mean())
                rows.append((name, model_name, method, accuracy, len(labels)))
    table = pl.DataFrame(
        rows,
        schema={
            "set": pl.String,
            "model": pl.String,
            "method": pl.String,
            "accuracy": pl.Float64,
            "n": pl.Int64,
        },
        orient="row",
    )
    with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, tbl_formatting="MARKDOWN"):
        print(table.with_columns(pl.col("accuracy").round(3)))
    n_images = sum(len(items) for items in sets.values())
    print(
        f"\nmade {n_images} images in {made:.1f} s; to_mnist took {1000 * seconds / n_images:.0f}"
        f" ms per image; examples in {args.out}"
    )
    best = (
        table.filter(pl.col("method") == "preprocessed")
        .group_by("set")
        .agg(pl.col("accuracy").max())
    )
    failed = best.filter(pl.col("accuracy") < TARGET)
    print(f"target: the best model with preprocessing >= {TARGET:.0%} on every set: ", end="")
    print("met" if failed.is_empty() else f"NOT met on {failed['set'].to_list()}")
    return 0 if failed.is_empty() else 1


if __name__ == "__main__":
    sys.exit(main())
