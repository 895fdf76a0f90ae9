"""Make the small set of custom digits the workflow's tests run on: ``.test/custom/``.

Ten digits, 0-9, drawn from the stroke templates of ``.test/make_data.py`` (no MNIST data),
each as a different kind of picture a person might bring: photos of dark ink on uneven paper
(JPEG), a scan (greyscale PNG), chalk on a board (light on dark), strokes on a transparent sheet
(RGBA PNG), a colour photo with blue ink, a palette PNG. Also ``labels.csv`` (file,label).
Every file is under 20 KB. The output depends only on ``SEED``.

Usage: ``python .test/make_custom.py [--out DIR]``
"""

import argparse
import importlib.util
import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

SEED = 20240607
HERE = Path(__file__).resolve().parent
KINDS = ("photo", "scan", "chalk", "transparent", "blue ink")


def templates():
    spec = importlib.util.spec_from_file_location("make_data", HERE / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def drawn(label: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Ink (0-1) of one digit drawn with a round pen in a ``size`` px square."""
    make_data = templates()
    strokes = make_data.vary(make_data.skeleton(label, rng), rng)
    points = np.vstack(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    pen = size * rng.uniform(0.06, 0.11)
    scale = (size - pen - 4) / (high - low).max()
    image = Image.new("L", (size, size), 0)
    canvas = ImageDraw.Draw(image)
    for stroke in strokes:
        xy = [tuple(p) for p in (stroke - low) * scale + pen / 2 + 2]
        canvas.line(xy, fill=255, width=round(pen), joint="curve")
        for x, y in (xy[0], xy[-1]):
            canvas.ellipse([x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2], fill=255)
    return ndimage.gaussian_filter(np.asarray(image, dtype=np.float64) / 255, 0.8)


def on_paper(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark ink off-centre on a larger sheet with a gradient: luminance 0-1."""
    height, width = int(ink.shape[0] * 1.4), int(ink.shape[1] * 1.6)
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    sheet = 0.92 - 0.2 * x - 0.1 * y
    top, left = rng.integers(0, height - ink.shape[0]), rng.integers(0, width - ink.shape[1])
    sheet[top : top + ink.shape[0], left : left + ink.shape[1]] *= 1 - 0.85 * ink
    return np.clip(sheet + rng.normal(0, 0.01, sheet.shape), 0, 1)


def picture(kind: str, label: int, rng: np.random.Generator) -> tuple[Image.Image, str]:
    ink = drawn(label, int(rng.integers(90, 140)), rng)
    grey = np.uint8(255 * on_paper(ink, rng))
    if kind == "photo":
        return Image.fromarray(grey), "jpg"
    if kind == "scan":
        return Image.fromarray(np.uint8(255 * (1 - 0.9 * ink))).convert("P"), "png"
    if kind == "chalk":
        return Image.fromarray(np.uint8(40 + 190 * ink)), "png"
    if kind == "transparent":
        rgba = np.zeros((*ink.shape, 4), np.uint8)
        rgba[..., 3] = np.uint8(255 * ink)  # black strokes; black under the clear pixels too
        return Image.fromarray(rgba, "RGBA"), "png"
    blue = np.stack([grey, grey, np.maximum(grey, 200)], axis=-1)  # blue ink on paper
    return Image.fromarray(blue), "jpg"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "custom")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    rows = ["file,label"]
    for label in range(10):
        kind = KINDS[label % len(KINDS)]
        image, suffix = picture(kind, label, rng)
        name = f"{label}_{kind.replace(' ', '_')}.{suffix}"
        image.save(out / name, **({"quality": 85} if suffix == "jpg" else {"optimize": True}))
        rows.append(f"{name},{label}")
    (out / "labels.csv").write_text("\n".join(rows) + "\n")
    # Two files a real folder of photos may hold: the workflow must list them, not stop on them.
    (out / "notes.png").write_text("not a picture: a text file someone named .png\n")
    (out / "blank_page.png").write_bytes(_png(np.full((40, 40), 245, np.uint8)))


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


if __name__ == "__main__":
    main()
