"""The pixel rows of each model's most confident mistakes."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.tables import mistake_keys
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.tables.pixels import select_images

with logged(snakemake.log[0]):
    chosen = mistake_keys(read_table(snakemake.input.predictions), snakemake.params.k)
    write_table(select_images(scan_table(snakemake.input.pixels), chosen), snakemake.output[0])
