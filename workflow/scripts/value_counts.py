"""How often each pixel value occurs in the training split."""

from tidymnist.histogram import value_counts
from tidymnist.io.tables import scan_table, write_table
from tidymnist.logs import logged

with logged(snakemake.log[0]):
    write_table(value_counts(scan_table(snakemake.input.pixels)), snakemake.output[0])
