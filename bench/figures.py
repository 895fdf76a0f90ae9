"""Time the six exploration figures, drawn from the workflow's tables in one process.

Run after the workflow has built results/tables/ (the figures are saved to a temporary folder at
the sizes and dpi of config.yaml):

    uv run python bench/figures.py
"""

import tempfile
import time
from pathlib import Path

import yaml

from tidymnist.figures.registry import FIGURES, draw, size_of
from tidymnist.io.figures import save_figure
from tidymnist.io.tables import read_table

ROOT = Path(__file__).parents[1]


def main() -> None:
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    tables_dir = ROOT / "results" / "tables"
    total = 0.0
    with tempfile.TemporaryDirectory() as out:
        for name, record in FIGURES.items():
            if record.section != "data":
                continue
            start = time.perf_counter()
            tables = {
                arg: read_table(tables_dir / f"{t}.parquet") for arg, t in record.tables.items()
            }
            found = tables_dir.parent / "findings" / f"{name}.parquet"
            found = read_table(found) if record.reads_findings else None
            plot = draw(name, tables, config["class_names"], found)
            width, height = size_of(name, config["figures"]["size"])
            save_figure(plot, Path(out) / f"{name}.png", width, height, config["figures"]["dpi"])
            seconds = time.perf_counter() - start
            total += seconds
            dpi = config["figures"]["dpi"]
            print(f"{name:22} {seconds:5.2f} s  ({width} x {height} in, {dpi} dpi)")
    verdict = "PASS" if total < 30 else "FAIL"
    print(f"{'six figures':22} {total:5.2f} s  {verdict} against 30 s")


if __name__ == "__main__":
    main()
