"""PCA of the training images; loadings, mean, explained variance and every image's coordinates."""

from tidymnist.core.logs import logged
from tidymnist.embed.maps import pca_tables
from tidymnist.io.tables import scan_table, write_table

with logged(snakemake.log[0]):
    tables = pca_tables(scan_table(snakemake.input.pixels), snakemake.params.components)
    for name, table in tables.items():
        write_table(table, snakemake.output[name])
