"""Fit and score every value of one sweep setting on held-out training images."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.sweep import score_setting
from tidymnist.io.tables import scan_table, write_table
from tidymnist.tables.pixels import split_arrays

with logged(snakemake.log[0]):
    _, images, labels = split_arrays(scan_table(snakemake.input.pixels), "train")
    rows = score_setting(**snakemake.params, images=images, labels=labels)
    write_table(rows, snakemake.output[0])
