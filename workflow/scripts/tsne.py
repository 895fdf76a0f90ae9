"""A t-SNE map of a seeded sample of training images."""

from tidymnist.core.logs import logged
from tidymnist.embed.maps import sampled_tsne_map
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    coordinates = read_table(snakemake.input.coordinates)
    table = sampled_tsne_map(coordinates, **snakemake.params, n_jobs=snakemake.threads)
    write_table(table, snakemake.output[0])
