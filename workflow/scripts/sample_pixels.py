"""The pixel rows of the first training images."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import scan_table, write_table
from tidymnist.tables.pixels import first_images

with logged(snakemake.log[0]):
    write_table(
        first_images(scan_table(snakemake.input.pixels), snakemake.params.n), snakemake.output[0]
    )
