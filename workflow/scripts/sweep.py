"""Gather the sweep points into one table."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.sweep import gather
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    write_table(gather([read_table(path) for path in snakemake.input]), snakemake.output[0])
