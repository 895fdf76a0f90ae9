"""Fit and score one sweep point on held-out training images."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.sweep import score_point
from tidymnist.io.tables import scan_table, write_table
from tidymnist.tables.pixels import split_arrays

with logged(snakemake.log[0]) as log:
    _, images, labels = split_arrays(scan_table(snakemake.input.pixels), "train")
    row = score_point(**snakemake.params, images=images, labels=labels)
    log.info("%s: validation accuracy %.4f", snakemake.params.point.path, row["accuracy"][0])
    write_table(row, snakemake.output[0])
