"""Each image's distance to its label's centroid."""

from tidymnist.distances import distances
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.logs import logged

with logged(snakemake.log[0]):
    table = distances(scan_table(snakemake.input.pixels), read_table(snakemake.input.centroids))
    write_table(table, snakemake.output[0])
