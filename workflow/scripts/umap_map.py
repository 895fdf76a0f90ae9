"""A UMAP map of the t-SNE map's training images, and the same test images placed on it."""

from tidymnist.core.logs import logged
from tidymnist.embed.maps import umap_map_and_test_places
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    for name, table in umap_map_and_test_places(**tables, **snakemake.params).items():
        write_table(table, snakemake.output[name])
