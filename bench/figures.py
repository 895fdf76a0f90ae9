"""Time the figures of one report section, drawn as the workflow's section job draws them.

Run after the workflow has built results/tables/ (the figures are saved to a temporary folder at
the sizes and dpi of config.yaml). Each figure is timed with its findings, as
:func:`tidymnist.figures.sections.draw_section` computes them; the start-up that the section's job
pays once (Python, polars, plotnine) is timed too, in a fresh interpreter, since the workflow paid
it once per figure before figures were drawn by section:

    uv run python bench/figures.py --section data
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tidymnist.figures.registry import FIGURES, size_of, tables_of_section
from tidymnist.figures.sections import draw_section
from tidymnist.io.tables import read_table

ROOT = Path(__file__).parents[1]
START_UP = "import polars, plotnine, tidymnist.figures.sections"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", default="data")
    args = parser.parse_args()
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    tables_dir = ROOT / "results" / "tables"
    names = [name for name, record in FIGURES.items() if record.section == args.section]
    names = [name for name in names if all(
        (tables_dir / f"{table}.parquet").exists() for table in tables_of_section([name])
    )]  # fmt: skip
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", START_UP], check=True)
    start_up = time.perf_counter() - start
    tables = {t: read_table(tables_dir / f"{t}.parquet") for t in tables_of_section(names)}
    total = 0.0
    with tempfile.TemporaryDirectory() as out:
        for name in names:
            size = size_of(name, config["figures"]["size"])  # None: sized from its panels
            start = time.perf_counter()
            draw_section(
                tables,
                {name: str(Path(out) / f"{name}.png")},
                figures=[name],
                class_names=config["class_names"],
                sizes={name: size},
                dpi=config["figures"]["dpi"],
            )
            seconds = time.perf_counter() - start
            total += seconds
            print(f"{name:28} {seconds:5.2f} s  ({size or 'sized from its panels'})")
    n = len(names)
    print(f"{'start-up (a fresh Python)':28} {start_up:5.2f} s")
    print(f"{f'{n} figures, one job':28} {total + start_up:5.2f} s")
    print(f"{f'{n} figures, a job each':28} {total + n * start_up:5.2f} s  (the baseline)")


if __name__ == "__main__":
    main()
