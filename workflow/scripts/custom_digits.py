"""Read the custom digits and bring them to MNIST's format; a bad file is listed, not fatal."""

from tidymnist.core.logs import logged
from tidymnist.handwriting.custom import custom_tables
from tidymnist.io.custom import read_custom, read_labels
from tidymnist.io.tables import write_table

with logged(snakemake.log[0]):
    names, originals, unreadable = read_custom(snakemake.params.folder, snakemake.input.images)
    labels = read_labels(snakemake.input.labels) if snakemake.input.labels else None
    show_steps = snakemake.params.show_steps
    tables = custom_tables(names, originals, unreadable, labels, show_steps=show_steps)
    for name, table in tables.items():
        write_table(table, snakemake.output[name])
