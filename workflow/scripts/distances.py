"""Each image's distance to its label's centroid."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.tables.distances import distances

with logged(snakemake.log[0]):
    table = distances(scan_table(snakemake.input.pixels), read_table(snakemake.input.centroids))
    write_table(table, snakemake.output[0])
