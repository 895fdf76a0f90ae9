"""The mean image of each label over the training split."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import scan_table, write_table
from tidymnist.tables.centroids import centroids

with logged(snakemake.log[0]):
    write_table(centroids(scan_table(snakemake.input.pixels)), snakemake.output[0])
