"""The pixel rows of the least typical images of each label, with their rank and distance."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.tables.distances import least_typical
from tidymnist.tables.pixels import select_images

with logged(snakemake.log[0]):
    worst = least_typical(read_table(snakemake.input.distances), snakemake.params.k)
    write_table(select_images(scan_table(snakemake.input.pixels), worst), snakemake.output[0])
