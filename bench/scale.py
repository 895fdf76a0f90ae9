"""How the tidy stages scale: time and peak memory at 1, 2, 5 and 10 times MNIST.

For each size, ``bench/make_large.py`` writes an MNIST-format dataset k times larger (both splits
k-fold: 70,000 k images), then the six tidy stages run on it the way the workflow runs them, each
in a fresh Python process, chained through Parquet files exactly as the rules chain them:

    pixels         load_files (SHA-256 verified) -> pixel_chunks -> write_table_chunks
    centroids      centroids(scan_table(pixels))
    distances      distances(scan_table(pixels), read_table(centroids))
    pairwise       centroid_differences + pair_separability of read_table(centroids)
    label_summary  label_summary(scan_table(pixels), read_table(distances), 25, 230)
    value_counts   value_counts(scan_table(pixels))

``seconds`` is the stage's work inside its process (``time.perf_counter``, without interpreter
start and imports), ``peak_mb`` the process's peak resident memory (``ru_maxrss``, MB of 10^6
bytes), ``cpu_s`` the CPU time of the stage's work (all threads; steadier than seconds when other
work shares the cores) and ``wall_s`` the whole process seen from the parent. The parent prints a
tidy table (images, stage, seconds, peak_mb, cpu_s, wall_s), then each size's seconds and
CPU-seconds against the smallest size of the same run, and judges the targets on seconds: every
stage and the total at the largest size within 1.2 times its size ratio (12x the time at 70,000
for 700,000 images), and every stage's peak at the largest size under 4,000 MB. The exit status is
0 only when every target passes. The datasets are raw IDX: reading 700,000 images (SHA-256
verified) took 1.9 s and 610 MB raw, against 5.7 s and 1,180 MB gzip-compressed.

    python bench/scale.py --data-dir /work/shared/data/mnist [--k 1 2 5 10] [--repeat 1] \
        [--scratch /tmp/tidymnist-scale] [--keep]
"""

# The parent never imports polars or the package; the child imports them before its clock starts.
# ruff: noqa: PLC0415

import argparse
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

STAGES = ("pixels", "centroids", "distances", "pairwise", "label_summary", "value_counts")
NEAR_WHITE_MAX, NEAR_BLACK_MIN = 25, 230  # config.yaml's defaults
MNIST_IMAGES = 70_000
TIME_RATIO_PER_10X = 12.0  # 10x the images in at most 12x the time
PEAK_MAX_MB = 4000.0
HERE = Path(__file__).resolve().parent
PRELOAD = (
    "polars",
    "pyarrow.parquet",
    "tidymnist.tables.centroids",
    "tidymnist.tables.distances",
    "tidymnist.tables.histogram",
    "tidymnist.io.dataset",
    "tidymnist.io.tables",
    "tidymnist.tables.label_summary",
    "tidymnist.tables.pairwise",
    "tidymnist.tables.pixels",
)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def cpu_seconds() -> float:
    """CPU time this process has used (user + system, all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def read_checksums(data_dir: Path) -> dict[str, str]:
    """``SHA256SUMS.raw`` as name -> hex digest (lines ``<hex>  <name>``)."""
    lines = (data_dir / "SHA256SUMS.raw").read_text().splitlines()
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def run_stage(stage: str, data_dir: Path, tables: Path) -> None:
    """One stage, as its workflow script runs it; tables are read from and written to ``tables``."""
    from tidymnist.io.tables import read_table, scan_table, write_table

    pixels = tables / "pixels.parquet"
    if stage == "pixels":
        import itertools

        import polars as pl

        from tidymnist.io.dataset import load_files, split_paths
        from tidymnist.io.tables import write_table_chunks
        from tidymnist.tables.pixels import pixel_chunks

        checksums = read_checksums(data_dir)
        splits = [
            load_files(split, split_paths(data_dir, split), "idx", checksums, None)
            for split in ("train", "test")
        ]
        chunks = (pixel_chunks(s.images, s.labels, s.name) for s in splits)
        write_table_chunks(itertools.chain.from_iterable(chunks), pixels)
        write_table(pl.concat([s.files for s in splits]), tables / "files.parquet")
    elif stage == "centroids":
        from tidymnist.tables.centroids import centroids

        write_table(centroids(scan_table(pixels)), tables / "centroids.parquet")
    elif stage == "distances":
        from tidymnist.tables.distances import distances

        table = distances(scan_table(pixels), read_table(tables / "centroids.parquet"))
        write_table(table, tables / "distances.parquet")
    elif stage == "pairwise":
        from tidymnist.tables.pairwise import centroid_differences, pair_separability

        centroids = read_table(tables / "centroids.parquet")
        differences = centroid_differences(centroids)
        write_table(differences, tables / "pairwise_differences.parquet")
        write_table(pair_separability(differences, centroids), tables / "pair_separability.parquet")
    elif stage == "label_summary":
        from tidymnist.tables.label_summary import label_summary

        table = label_summary(
            scan_table(pixels),
            read_table(tables / "distances.parquet"),
            NEAR_WHITE_MAX,
            NEAR_BLACK_MIN,
        )
        write_table(table, tables / "label_summary.parquet")
    elif stage == "value_counts":
        from tidymnist.tables.histogram import value_counts

        write_table(value_counts(scan_table(pixels)), tables / "value_counts.parquet")


def child(args: argparse.Namespace) -> None:
    """Run one stage and print its seconds and peak memory as JSON on stdout."""
    for module in PRELOAD:  # before the clock starts: seconds are the stage's own work
        importlib.import_module(module)

    start, cpu = time.perf_counter(), cpu_seconds()
    run_stage(args.stage, args.data, args.tables)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_rss_mb()}))


def measure(stage: str, data: Path, tables: Path) -> dict:
    """Run ``stage`` in a fresh interpreter; its seconds, peak memory and process wall time."""
    command = [sys.executable, __file__, "--stage", stage, "--data", str(data)]
    command += ["--tables", str(tables)]
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def make_data(data_dir: Path, k: int, out: Path) -> None:
    command = [sys.executable, str(HERE / "make_large.py"), "--data-dir", str(data_dir)]
    subprocess.run([*command, "--k", str(k), "--out", str(out)], check=True)


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file()) / 1e6


def report(rows: list[dict], sizes: list[int]) -> bool:
    """Print the tidy table, the ratios against the smallest size, the targets; True if all pass."""
    print(f"\n{'images':>9}  {'stage':<14}{'seconds':>9}{'peak_mb':>9}{'cpu_s':>9}{'wall_s':>9}")
    for row in rows:
        print(
            f"{row['images']:>9,}  {row['stage']:<14}{row['seconds']:9.2f}"
            f"{row['peak_mb']:9.0f}{row['cpu']:9.2f}{row['wall']:9.2f}"
        )
    seconds = {(r["images"], r["stage"]): r["seconds"] for r in rows}
    cpu = {(r["images"], r["stage"]): r["cpu"] for r in rows}
    for n in sizes:
        seconds[(n, "total")] = sum(seconds[(n, s)] for s in STAGES)
        cpu[(n, "total")] = sum(cpu[(n, s)] for s in STAGES)
    base = sizes[0]
    for name, table in (("seconds", seconds), ("CPU-seconds", cpu)):
        print(f"\n{name} against {base:,} images ({name} at N / {name} at {base:,}):")
        print(f"{'stage':<14}" + "".join(f"{n:>10,}" for n in sizes))
        for stage in (*STAGES, "total"):
            ratios = (table[(n, stage)] / table[(base, stage)] for n in sizes)
            print(f"{stage:<14}" + "".join(f"{r:9.2f}x" for r in ratios))
        print(f"{'images':<14}" + "".join(f"{n / base:9.2f}x" for n in sizes))

    largest = sizes[-1]
    allowed = TIME_RATIO_PER_10X * largest / (10 * base)
    peaks = {r["stage"]: r["peak_mb"] for r in rows if r["images"] == largest}
    checks = [
        (
            f"{stage:<14} {seconds[(largest, stage)] / seconds[(base, stage)]:6.2f}x the time "
            f"at {largest:,} images (<= {allowed:.1f}x)",
            seconds[(largest, stage)] / seconds[(base, stage)] <= allowed,
        )
        for stage in (*STAGES, "total")
    ] + [
        (
            f"{stage:<14} peak {peaks[stage]:6.0f} MB at {largest:,} images "
            f"(< {PEAK_MAX_MB:.0f} MB)",
            peaks[stage] < PEAK_MAX_MB,
        )
        for stage in STAGES
    ]
    print("\nTargets:")
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return all(ok for _, ok in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="folder of MNIST's IDX files")
    parser.add_argument(
        "--k", type=int, nargs="+", default=[1, 2, 5, 10], help="sizes, in multiples of MNIST"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the median is shown")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/tidymnist-scale"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)  # child mode
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tables", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        child(args)
        return
    if args.data_dir is None:
        parser.error("--data-dir is required")

    print(f"load average at start: {os.getloadavg()}", file=sys.stderr)
    rows = []
    sizes = sorted(set(args.k))
    args.scratch.mkdir(parents=True, exist_ok=True)
    try:
        for k in sizes:
            data, tables = args.scratch / f"data-x{k}", args.scratch / f"tables-x{k}"
            make_data(args.data_dir, k, data)
            tables.mkdir(exist_ok=True)
            runs = {stage: [] for stage in STAGES}
            for run in range(args.repeat):
                for stage in STAGES:
                    print(f"{k}x MNIST, run {run + 1}: {stage} ...", file=sys.stderr, flush=True)
                    runs[stage].append(measure(stage, data, tables))
            for stage, results in runs.items():
                rows.append(
                    {
                        "images": MNIST_IMAGES * k,
                        "stage": stage,
                        "seconds": statistics.median(r["seconds"] for r in results),
                        "peak_mb": max(r["peak_mb"] for r in results),
                        "cpu": statistics.median(r["cpu"] for r in results),
                        "wall": statistics.median(r["wall"] for r in results),
                    }
                )
            print(
                f"{k}x MNIST: data {folder_mb(data):,.0f} MB, tables {folder_mb(tables):,.0f} MB "
                f"(pixels.parquet {(tables / 'pixels.parquet').stat().st_size / 1e6:,.0f} MB)",
                file=sys.stderr,
            )
            if not args.keep:
                shutil.rmtree(data)
                shutil.rmtree(tables)
    finally:
        if not args.keep:
            shutil.rmtree(args.scratch, ignore_errors=True)
    ok = report(rows, [MNIST_IMAGES * k for k in sizes])
    print(f"\nload average at end: {os.getloadavg()}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
