"""How often each pixel value occurs in the training split."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import scan_table, write_table
from tidymnist.tables.histogram import value_counts

with logged(snakemake.log[0]):
    write_table(value_counts(scan_table(snakemake.input.pixels)), snakemake.output[0])
