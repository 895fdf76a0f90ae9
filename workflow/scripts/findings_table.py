"""Gather every figure's findings into results/tables/findings.parquet."""

from tidymnist.core.logs import logged
from tidymnist.findings import gather
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    write_table(gather([read_table(path) for path in snakemake.input]), snakemake.output[0])
