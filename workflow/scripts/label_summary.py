"""Per-label summary of distances and ink."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.tables.label_summary import label_summary

with logged(snakemake.log[0]):
    table = label_summary(
        scan_table(snakemake.input.pixels),
        read_table(snakemake.input.distances),
        snakemake.params.near_white_max,
        snakemake.params.near_black_min,
    )
    write_table(table, snakemake.output[0])
