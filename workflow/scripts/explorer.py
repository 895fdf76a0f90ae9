"""The report's explorers: Vega-Lite specifications from the tables (tidymnist.report.explore)."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_table, scan_table, write_json
from tidymnist.report.explore import explorer_specs

with logged(snakemake.log[0]) as log:
    tables = {n: read_table(p) for n, p in snakemake.input.items() if n != "pixels"}
    specs = explorer_specs(tables, scan_table(snakemake.input.pixels), **snakemake.params)
    write_json(specs, snakemake.output[0])
    log.info("%d explorers: %s", len(specs), ", ".join(specs))
