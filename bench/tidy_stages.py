"""Time the tidy stages on MNIST: tidymnist against a pandas port and a one-pass numpy reference.

Stages: read and verify the IDX files, build and write the long ``pixels`` table, then the summary
stages ``centroids``, ``distances`` and ``pairwise`` (centroid differences and pair separability).

Three implementations, each run in its own child process so that its peak memory (the child's
``ru_maxrss``) is its own:

* ``tidymnist``: the package functions, as the workflow chains them (Parquet written at each step,
  the summary stages scanning ``pixels.parquet``).
* ``pandas``: a straightforward pandas port of the tidyverse analysis (``melt``, ``groupby``,
  ``merge``), Parquet written with ``DataFrame.to_parquet``.
* ``numpy``: a one-pass computation on the image arrays, no tables and nothing written: the
  physical limit for the summary stages.

Each implementation runs ``--repeat`` times (interleaved, a fresh process each time); the parent
shows the median seconds and the highest peak, checks that the three agree and judges the targets.
The exit status is 0 only when all agree and every target passes.

    python bench/tidy_stages.py --data-dir /work/shared/data/mnist \
        [--out DIR] [--images N] [--repeat 3] [--numpy-block 1024]
"""

# Each child imports only its own implementation's libraries, so that one's imports do not count
# toward another's peak memory.
# ruff: noqa: PLC0415

import argparse
import contextlib
import gzip
import hashlib
import itertools
import json
import os
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SPLITS = ("train", "test")
IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
SIDE = 28
N_PIXELS = SIDE * SIDE
N_LABELS = 10
IMPLS = ("numpy", "tidymnist", "pandas")
STAGES = ("read", "pixels", "centroids", "distances", "pairwise")
SUMMARY = ("centroids", "distances", "pairwise")
CHUNK_IMAGES = 10_000  # images per piece of the pixels table (the package's default)
NUMPY_BLOCK = 1024  # images per block in the numpy distances: temporaries of ~6 MB

# Targets from the issue.
TOTAL_MAX_S = 15.0
PEAK_MAX_MB = 2000.0
PANDAS_MIN_RATIO = 10.0
NUMPY_MAX_RATIO = 5.0
TOLERANCE = 1e-9
OTHERS_WARN = 0.05  # warn when other processes used more than this share of the CPUs meanwhile


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


class Timer:
    """Seconds per named stage (``time.perf_counter``), and the process's peak RSS at its end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str):
        start = time.perf_counter()
        yield
        self.seconds[stage] = time.perf_counter() - start
        self.peak_mb[stage] = peak_rss_mb()


def read_checksums(data_dir: Path) -> dict[str, str]:
    """``SHA256SUMS.raw`` as name -> hex digest (lines ``<hex>  <name>``)."""
    checksums = {}
    for line in (data_dir / "SHA256SUMS.raw").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            checksums[name.strip().lstrip("*")] = digest.lower()
    return checksums


def read_idx_plain(
    data_dir: Path, split: str, checksums: dict[str, str], limit: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 784) and labels (n,) of one split, checked against ``checksums``; no package
    code (used by the pandas and numpy implementations)."""
    arrays = []
    for name in IDX_NAMES[split]:
        gz = data_dir / f"{name}.gz"
        content = (
            gzip.decompress(gz.read_bytes()) if gz.exists() else (data_dir / name).read_bytes()
        )
        if hashlib.sha256(content).hexdigest() != checksums[name]:
            sys.exit(f"{name}: checksum mismatch")
        ndim = content[3]
        shape = struct.unpack(f">{ndim}I", content[4 : 4 + 4 * ndim])
        arrays.append(np.frombuffer(content, np.uint8, offset=4 + 4 * ndim).reshape(shape)[:limit])
    images, labels = arrays
    return images.reshape(len(images), N_PIXELS), labels


# --- tidymnist ------------------------------------------------------------------------------


def run_tidymnist(data_dir: Path, out: Path, limit: int | None, timer: Timer) -> dict:
    import polars as pl

    from tidymnist.io.dataset import load_split
    from tidymnist.io.tables import scan_table, write_table, write_table_chunks
    from tidymnist.tables.centroids import centroids
    from tidymnist.tables.distances import distances
    from tidymnist.tables.pairwise import centroid_differences, pair_separability
    from tidymnist.tables.pixels import pixel_chunks

    with timer("read"):
        checksums = read_checksums(data_dir)
        splits = [load_split(data_dir, s, checksums=checksums, limit=limit) for s in SPLITS]
    with timer("pixels"):
        chunks = itertools.chain.from_iterable(
            pixel_chunks(s.images, s.labels, s.name, chunk_images=CHUNK_IMAGES) for s in splits
        )
        write_table_chunks(chunks, out / "pixels.parquet")
    pixels = scan_table(out / "pixels.parquet")
    with timer("centroids"):
        cents = centroids(pixels)
        write_table(cents, out / "centroids.parquet")
    with timer("distances"):
        dists = distances(pixels, cents)
        write_table(dists, out / "distances.parquet")
    with timer("pairwise"):
        diffs = centroid_differences(cents)
        write_table(diffs, out / "centroid_differences.parquet")
        separability = pair_separability(diffs, cents)
        write_table(separability, out / "pair_separability.parquet")

    rms = separability.select("label_a", "label_b", "rms_difference").to_numpy()
    return {
        "centroids": cents.sort("label", "pixel")["mean_value"].to_numpy().reshape(N_LABELS, -1),
        "distances": dists.sort("split", "instance")["distance"].to_numpy(),
        "pair_rms": pair_matrix(rms[:, 0], rms[:, 1], rms[:, 2]),
        "versions": {"polars": pl.__version__},
    }


# --- pandas ---------------------------------------------------------------------------------


def run_pandas(data_dir: Path, out: Path, limit: int | None, timer: Timer) -> dict:
    import pandas as pd

    with timer("read"):
        checksums = read_checksums(data_dir)
        arrays = {s: read_idx_plain(data_dir, s, checksums, limit) for s in SPLITS}
    with timer("pixels"):
        wide = pd.concat(
            [wide_frame(pd, split, images, labels) for split, (images, labels) in arrays.items()],
            ignore_index=True,
        )
        pixels = wide.melt(
            id_vars=["split", "instance", "label"], var_name="pixel", value_name="value"
        )
        pixels["pixel"] = pixels["pixel"].astype("uint16")
        pixels["x"] = (pixels["pixel"] % SIDE).astype("uint8")
        pixels["y"] = (pixels["pixel"] // SIDE).astype("uint8")
        pixels = pixels[["split", "instance", "label", "pixel", "x", "y", "value"]]
        pixels.to_parquet(out / "pixels.parquet", compression="zstd", index=False)
    with timer("centroids"):
        cents = (
            pixels[pixels["split"] == "train"]
            .groupby(["label", "pixel"])["value"]
            .mean()
            .reset_index(name="mean_value")
        )
        cents["x"] = (cents["pixel"] % SIDE).astype("uint8")
        cents["y"] = (cents["pixel"] // SIDE).astype("uint8")
        cents.to_parquet(out / "centroids.parquet", compression="zstd", index=False)
    with timer("distances"):
        merged = pixels.merge(cents[["label", "pixel", "mean_value"]], on=["label", "pixel"])
        merged["squared"] = (merged["value"] - merged["mean_value"]) ** 2
        dists = (
            merged.groupby(["split", "instance", "label"], observed=True)["squared"]
            .mean()
            .pow(0.5)
            .reset_index(name="distance")
        )
        dists["rank"] = (
            dists.groupby(["split", "label"], observed=True)["distance"]
            .rank(method="first", ascending=False)
            .astype("uint32")
        )
        dists.to_parquet(out / "distances.parquet", compression="zstd", index=False)
    with timer("pairwise"):
        pairs = cents.merge(
            cents[["label", "pixel", "mean_value"]], on="pixel", suffixes=("_a", "_b")
        )
        diffs = pairs[pairs["label_a"] != pairs["label_b"]].assign(
            difference=lambda d: d["mean_value_a"] - d["mean_value_b"]
        )
        diffs = diffs[["label_a", "label_b", "pixel", "x", "y", "difference"]].sort_values(
            ["label_a", "label_b", "pixel"]
        )
        diffs.to_parquet(out / "centroid_differences.parquet", compression="zstd", index=False)
        upper = diffs[diffs["label_a"] < diffs["label_b"]]
        separability = (
            upper.assign(squared=upper["difference"] ** 2, abs_diff=upper["difference"].abs())
            .groupby(["label_a", "label_b"])
            .agg(rms_difference=("squared", "mean"), max_abs_difference=("abs_diff", "max"))
        )
        separability["rms_difference"] **= 0.5
        upper_pairs = pairs[pairs["label_a"] < pairs["label_b"]]
        separability["correlation"] = upper_pairs.groupby(["label_a", "label_b"])[
            ["mean_value_a", "mean_value_b"]
        ].apply(lambda g: g["mean_value_a"].corr(g["mean_value_b"]))
        separability["rank"] = separability["rms_difference"].rank(method="first").astype("uint32")
        separability = separability.reset_index().sort_values("rank")
        separability.to_parquet(out / "pair_separability.parquet", compression="zstd", index=False)

    return {
        "centroids": cents.sort_values(["label", "pixel"])["mean_value"]
        .to_numpy()
        .reshape(N_LABELS, -1),
        "distances": dists.sort_values(["split", "instance"])["distance"].to_numpy(),
        "pair_rms": pair_matrix(
            separability["label_a"], separability["label_b"], separability["rms_difference"]
        ),
        "versions": {"pandas": pd.__version__},
    }


def wide_frame(pd, split: str, images: np.ndarray, labels: np.ndarray):
    """One row per image: split, instance, label and the 784 pixel columns (named 0-783)."""
    frame = pd.DataFrame(images, columns=range(N_PIXELS))
    frame.insert(0, "split", pd.Categorical([split] * len(images), categories=SPLITS))
    frame.insert(1, "instance", np.arange(len(images), dtype=np.uint32))
    frame.insert(2, "label", labels)
    return frame


# --- numpy ----------------------------------------------------------------------------------


def run_numpy(
    data_dir: Path, out: Path, limit: int | None, timer: Timer, block: int = NUMPY_BLOCK
) -> dict:
    with timer("read"):
        checksums = read_checksums(data_dir)
        arrays = [read_idx_plain(data_dir, s, checksums, limit) for s in SPLITS]
    train_images, train_labels = arrays[0]
    images = np.concatenate([a[0] for a in arrays])
    labels = np.concatenate([a[1] for a in arrays])
    with timer("centroids"):
        cents = np.stack([train_images[train_labels == k].mean(axis=0) for k in range(N_LABELS)])
    with timer("distances"):
        # sqrt(mean((X - C[y])**2, axis=1)), a block of images at a time so that the float64
        # temporaries stay small (cache-sized and reused) rather than 440 MB each.
        dists = np.empty(len(images))
        for start in range(0, len(images), block):
            rows = slice(start, start + block)
            diff = images[rows] - cents[labels[rows]]
            dists[rows] = np.sqrt(np.mean(diff * diff, axis=1))
    with timer("pairwise"):
        diffs = cents[:, None, :] - cents[None, :, :]
        pair_rms = np.sqrt(np.mean(diffs**2, axis=2))
        _max_abs = np.abs(diffs).max(axis=2)
        _correlation = np.corrcoef(cents)
    return {
        "centroids": cents,
        "distances": dists,
        "pair_rms": np.triu(pair_rms, k=1),
        "versions": {"numpy": np.__version__},
    }


def pair_matrix(label_a, label_b, values) -> np.ndarray:
    """A 10 x 10 matrix holding ``values`` at (label_a, label_b), zero elsewhere."""
    matrix = np.zeros((N_LABELS, N_LABELS))
    matrix[np.asarray(label_a, dtype=int), np.asarray(label_b, dtype=int)] = values
    return matrix


RUNNERS = {"tidymnist": run_tidymnist, "pandas": run_pandas, "numpy": run_numpy}


def child(args: argparse.Namespace) -> None:
    """Run one implementation; leave its timings in result.json and its results in check.npz."""
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    timer = Timer()
    options = {"block": args.numpy_block} if args.impl == "numpy" else {}
    result = RUNNERS[args.impl](args.data_dir, out, args.images, timer, **options)
    peak_mb = peak_rss_mb()
    np.savez(
        out / "check.npz",
        centroids=result["centroids"],
        distances=result["distances"],
        pair_rms=result["pair_rms"],
    )
    summary = {
        "seconds": timer.seconds,
        "stage_peak_mb": timer.peak_mb,
        "peak_mb": peak_mb,
        "versions": result["versions"],
    }
    (out / "result.json").write_text(json.dumps(summary))


# --- parent: run the three children and report ---------------------------------------------


def run_child(impl: str, args: argparse.Namespace, out: Path) -> dict:
    """Run one implementation in a fresh interpreter and collect what it left in ``out``."""
    command = [sys.executable, __file__, "--impl", impl, "--data-dir", str(args.data_dir)]
    command += ["--out", str(out), "--numpy-block", str(args.numpy_block)]
    if args.images is not None:
        command += ["--images", str(args.images)]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    result = json.loads((out / "result.json").read_text())
    seconds = result["seconds"]
    seconds["summary"] = sum(seconds.get(stage, 0.0) for stage in SUMMARY)
    seconds["total"] = sum(seconds.get(stage, 0.0) for stage in STAGES)
    result["wall"] = wall
    with np.load(out / "check.npz") as check:
        result["check"] = {name: check[name] for name in check.files}
    return result


def combine(runs: list[dict]) -> dict:
    """The median seconds of each row over the runs, the highest peaks, the last run's results."""
    rows = runs[0]["seconds"].keys()
    return {
        "seconds": {row: statistics.median(run["seconds"][row] for run in runs) for row in rows},
        "range": {
            row: (min(r["seconds"][row] for r in runs), max(r["seconds"][row] for r in runs))
            for row in ("summary", "total")
        },
        "wall": statistics.median(run["wall"] for run in runs),
        "peak_mb": max(run["peak_mb"] for run in runs),
        "stage_peak_mb": {
            stage: max(run["stage_peak_mb"][stage] for run in runs)
            for stage in runs[0]["stage_peak_mb"]
        },
        "check": runs[-1]["check"],
        "versions": runs[-1]["versions"],
    }


def report(results: dict[str, dict], n_images: int, repeat: int) -> bool:
    """Print the comparison; return whether every target passed and all three agree."""
    seconds = {impl: results[impl]["seconds"] for impl in IMPLS}

    def cell(impl: str, row: str) -> str:
        value = seconds[impl].get(row)
        return f"{value:9.3f}" if value is not None else f"{'-':>9}"

    def ratio(a: str, b: str, row: str) -> str:
        if row not in seconds[a] or row not in seconds[b]:
            return f"{'-':>9}"
        return f"{seconds[a][row] / seconds[b][row]:8.1f}x"

    print(
        f"\nMNIST tidy stages, {n_images:,} images: seconds, median of {repeat} run(s); "
        "each run of each implementation in a fresh process"
    )
    header = f"{'stage':<22}" + "".join(f"{impl:>11}" for impl in IMPLS)
    header += f"{'pandas/tidy':>13}{'tidy/numpy':>12}"
    print(header)
    print("-" * len(header))
    for row in (*STAGES, "summary", "total"):
        label = {"summary": "summary (c+d+p)", "total": "total (all stages)"}.get(row, row)
        line = f"{label:<22}" + "".join(f"  {cell(impl, row)}" for impl in IMPLS)
        line += f"    {ratio('pandas', 'tidymnist', row)}   {ratio('tidymnist', 'numpy', row)}"
        print(line)
    for row in ("summary", "total"):
        spread = (f"{lo:.2f}-{hi:.2f}" for lo, hi in (results[i]["range"][row] for i in IMPLS))
        print(f"{row + ', min-max':<22}" + "".join(f"  {s:>9}" for s in spread))
    print(f"{'process wall':<22}" + "".join(f"  {results[i]['wall']:9.3f}" for i in IMPLS))
    print("-" * len(header))
    print("peak RSS (MB), highest over the runs, as it stood at the end of each stage:")
    for stage in STAGES:
        peaks = (results[impl]["stage_peak_mb"].get(stage) for impl in IMPLS)
        print(f"{stage:<22}" + "".join(f"  {p:9.0f}" if p else f"  {'-':>9}" for p in peaks))
    print(
        f"{'peak (whole process)':<22}" + "".join(f"  {results[i]['peak_mb']:9.0f}" for i in IMPLS)
    )
    print(
        "(summary = centroids + distances + pairwise; total = all five stages; process wall = the\n"
        " child from start to exit, with interpreter start, imports and the result dump. numpy\n"
        " writes nothing and has no pixels stage: it is the reference for the summary stages.)"
    )

    print("\nAgreement (max abs difference against numpy):")
    agree = True
    for impl in ("tidymnist", "pandas"):
        for name in ("centroids", "distances", "pair_rms"):
            ours, ref = results[impl]["check"][name], results["numpy"]["check"][name]
            diff = np.abs(ours - ref).max() if ours.shape == ref.shape else np.inf
            ok = bool(diff < TOLERANCE)
            agree &= ok
            print(f"  {impl:<10} {name:<10} {diff:.3g}  {'ok' if ok else 'DIFFERENT'}")
    print(f"  all three agree within {TOLERANCE:g}" if agree else "  IMPLEMENTATIONS DISAGREE")

    tidy = seconds["tidymnist"]
    pandas_ratio = seconds["pandas"]["summary"] / tidy["summary"]
    numpy_ratio = tidy["summary"] / seconds["numpy"]["summary"]
    peak = results["tidymnist"]["peak_mb"]
    checks = [
        (
            f"tidymnist all stages {tidy['total']:.2f} s < {TOTAL_MAX_S:.0f} s",
            tidy["total"] < TOTAL_MAX_S,
        ),
        (f"tidymnist peak memory {peak:.0f} MB < {PEAK_MAX_MB:.0f} MB", peak < PEAK_MAX_MB),
        (
            f"summary stages {pandas_ratio:.1f}x faster than pandas (>= {PANDAS_MIN_RATIO:.0f}x)",
            pandas_ratio >= PANDAS_MIN_RATIO,
        ),
        (
            f"summary stages {numpy_ratio:.1f}x the numpy reference (<= {NUMPY_MAX_RATIO:.0f}x)",
            numpy_ratio <= NUMPY_MAX_RATIO,
        ),
    ]
    print("\nTargets (on the medians):")
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    best = {impl: results[impl]["range"]["summary"][0] for impl in IMPLS}
    print(
        f"  (best run of each: summary stages {best['pandas'] / best['tidymnist']:.1f}x faster "
        f"than pandas, {best['tidymnist'] / best['numpy']:.1f}x the numpy reference)"
    )

    versions = {k: v for impl in IMPLS for k, v in results[impl]["versions"].items()}
    print("\nVersions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))
    return agree and all(ok for _, ok in checks)


def machine_busy_seconds() -> float | None:
    """CPU-seconds the whole machine has spent busy since boot (Linux ``/proc/stat``)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report_others(before: tuple[float | None, float], wall: float) -> None:
    """Say how much CPU other processes took while the benchmark ran: contention skews timings."""
    busy_before, ours_before = before
    busy_after = machine_busy_seconds()
    if busy_before is None or busy_after is None:
        return
    others = max(0.0, (busy_after - busy_before) - (children_cpu_seconds() - ours_before))
    share = others / (wall * os.cpu_count())
    print(
        f"\nOther processes used {others:.1f} CPU-seconds while the benchmark ran "
        f"({share:.0%} of {os.cpu_count()} cores over {wall:.0f} s)"
        + (": the timings are skewed by contention" if share > OTHERS_WARN else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder of the 4 IDX files")
    parser.add_argument("--out", type=Path, help="where to write the tables (default: temp dir)")
    parser.add_argument("--images", type=int, help="use at most N images of each split")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each implementation; the median is shown"
    )
    parser.add_argument(
        "--numpy-block",
        type=int,
        default=NUMPY_BLOCK,
        help=f"images per block in the numpy distances (default {NUMPY_BLOCK}; 70000 = unblocked)",
    )
    parser.add_argument("--impl", choices=IMPLS, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()

    if args.impl:
        child(args)
        return

    cpu_before, start = (machine_busy_seconds(), children_cpu_seconds()), time.perf_counter()
    with contextlib.ExitStack() as stack:
        out = args.out or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        runs: dict[str, list[dict]] = {impl: [] for impl in IMPLS}
        for run in range(1, args.repeat + 1):
            for impl in IMPLS:  # interleaved, so that a slow spell of the machine hits all three
                print(f"run {run}/{args.repeat}: {impl} ...", file=sys.stderr, flush=True)
                runs[impl].append(run_child(impl, args, out / impl))
        results = {impl: combine(impl_runs) for impl, impl_runs in runs.items()}
        ok = report(results, len(results["numpy"]["check"]["distances"]), args.repeat)
        report_others(cpu_before, time.perf_counter() - start)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
