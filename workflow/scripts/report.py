"""Write the report: read the figures, tables and benchmarks, render one HTML page."""

from pathlib import Path

import polars as pl
import yaml

from tidymnist.core.logs import logged
from tidymnist.io.provenance import git_commit, now, package_versions
from tidymnist.io.tables import atomic_path, read_table
from tidymnist.report.article import build_context, render, stage_timings

with logged(snakemake.log[0]) as log:
    figures = {Path(path).stem: Path(path).read_bytes() for path in snakemake.input.figures}
    tables = {Path(path).stem: read_table(path) for path in snakemake.input.tables}
    benchmarks = {
        Path(path).stem: pl.read_csv(path, separator="\t") for path in snakemake.input.benchmarks
    }
    provenance = {
        "date": now(),
        "commit": git_commit(),
        "tidymnist": package_versions().filter(pl.col("package") == "tidymnist")["version"][0],
        "versions": package_versions(),
        "timings": stage_timings(benchmarks),
        "config": yaml.safe_dump(dict(snakemake.params.config), sort_keys=False),
    }
    context = build_context(
        dataset_name=snakemake.params.dataset_name,
        figures=figures,
        figure_widths={name: round(size[0] * 100) for name, size in snakemake.params.sizes.items()},
        tables=tables,
        findings=read_table(snakemake.input.findings),
        provenance=provenance,
        draw_page=snakemake.params.draw_page,
    )
    with atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text(render(context), encoding="utf-8")
    log.info("wrote %s", snakemake.output[0])
