"""Compute one figure's findings from the tables they read (tidymnist.findings)."""

from tidymnist.core.logs import logged
from tidymnist.findings import figure_findings
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]) as log:
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    found = figure_findings(snakemake.wildcards.figure, tables, snakemake.params.class_names)
    write_table(found, snakemake.output[0])
    log.info("%s: %d findings", snakemake.wildcards.figure, found.height)
