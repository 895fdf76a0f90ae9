"""Gather the sweep points into one table."""

from tidymnist.io.tables import read_table, write_table
from tidymnist.logs import logged
from tidymnist.sweep import gather

with logged(snakemake.log[0]):
    write_table(gather([read_table(path) for path in snakemake.input]), snakemake.output[0])
