"""Write an MNIST-format dataset k times larger than MNIST, for the scaling benchmark.

Both splits are scaled k-fold: copy 0 of each split is MNIST itself, copies 1 ... k-1 are the same
digits each shifted by a small random offset (``--max-shift`` pixels at most in x and in y, drawn
per image from ``--seed``; the uncovered border is blank paper, value 0). Labels follow their
images. The four files get the standard names in ``--out`` (raw IDX by default, gzip with
``--gzip``), plus a ``SHA256SUMS.raw`` of the decompressed contents, as in the real data folder.

The output is streamed one copy (60,000 or 10,000 images, 47 or 8 MB) at a time: memory stays at
the size of MNIST whatever k is.

    python bench/make_large.py --data-dir /work/shared/data/mnist --k 10 --out /tmp/mnist-x10
"""

import argparse
import gzip
import hashlib
import struct
import sys
import time
from pathlib import Path

import numpy as np

from tidymnist.io.dataset import IDX_FILES, load_split

SIDE = 28


def shifted(images: np.ndarray, rng: np.random.Generator, max_shift: int) -> np.ndarray:
    """``images`` (n, 28, 28), each moved by its own random (dx, dy) in [-max_shift, max_shift]."""
    offsets = rng.integers(-max_shift, max_shift + 1, size=(len(images), 2))
    out = np.zeros_like(images)
    for dx in range(-max_shift, max_shift + 1):
        for dy in range(-max_shift, max_shift + 1):
            rows = np.flatnonzero((offsets[:, 0] == dx) & (offsets[:, 1] == dy))
            src_y = slice(max(0, -dy), SIDE - max(0, dy))
            dst_y = slice(max(0, dy), SIDE - max(0, -dy))
            src_x = slice(max(0, -dx), SIDE - max(0, dx))
            dst_x = slice(max(0, dx), SIDE - max(0, -dx))
            out[rows, dst_y, dst_x] = images[rows, src_y, src_x]
    return out


class IdxWriter:
    """An IDX file written piece by piece (raw or gzip), hashing the uncompressed bytes."""

    def __init__(self, path: Path, shape: tuple[int, ...], compresslevel: int | None) -> None:
        self.path = path
        self.file = (
            gzip.GzipFile(path, "wb", compresslevel=compresslevel, mtime=0)
            if compresslevel is not None
            else path.open("wb")
        )
        self.digest = hashlib.sha256()
        self.write(
            struct.pack(">HBB", 0, 0x08, len(shape)) + struct.pack(f">{len(shape)}I", *shape)
        )

    def write(self, content: bytes) -> None:
        self.file.write(content)
        self.digest.update(content)

    def close(self) -> str:
        self.file.close()
        return self.digest.hexdigest()


def write_split(
    data_dir: Path, out: Path, split: str, *, k: int, seed: int, max_shift: int, level: int | None
) -> dict[str, str]:
    """Write one split k times over (MNIST, then k - 1 shifted copies); return name -> SHA-256."""
    source = load_split(data_dir, split)
    n = len(source.labels)
    suffix = ".gz" if level is not None else ""
    names = IDX_FILES[split]
    images_file = IdxWriter(out / f"{names[0]}{suffix}", (n * k, SIDE, SIDE), level)
    labels_file = IdxWriter(out / f"{names[1]}{suffix}", (n * k,), level)
    rng = np.random.default_rng([seed, 0 if split == "train" else 1])
    for copy in range(k):
        images = source.images if copy == 0 else shifted(source.images, rng, max_shift)
        images_file.write(np.ascontiguousarray(images).tobytes())
        labels_file.write(source.labels.tobytes())
    return {names[0]: images_file.close(), names[1]: labels_file.close()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder of MNIST's IDX files")
    parser.add_argument("--k", type=int, required=True, help="how many times MNIST (both splits)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files into")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--max-shift", type=int, default=2, help="largest shift in pixels")
    parser.add_argument(
        "--gzip", type=int, metavar="LEVEL", help="gzip the files at this level (default: raw)"
    )
    args = parser.parse_args()
    if args.k < 1:
        sys.exit("--k must be at least 1")
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    checksums = {}
    for split in IDX_FILES:
        checksums |= write_split(
            args.data_dir,
            args.out,
            split,
            k=args.k,
            seed=args.seed,
            max_shift=args.max_shift,
            level=args.gzip,
        )
    lines = "".join(f"{digest}  {name}\n" for name, digest in checksums.items())
    (args.out / "SHA256SUMS.raw").write_text(lines)
    print(
        f"wrote {args.k}x MNIST to {args.out} in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
