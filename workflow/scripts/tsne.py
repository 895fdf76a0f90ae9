"""A t-SNE map of a seeded sample of training images, and a sample of test images placed on it."""

from tidymnist.core.logs import logged
from tidymnist.embed.maps import tsne_map_and_test_places
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    coordinates = read_table(snakemake.input.coordinates)
    tables = tsne_map_and_test_places(coordinates, **snakemake.params, n_jobs=snakemake.threads)
    for name, table in tables.items():
        write_table(table, snakemake.output[name])
