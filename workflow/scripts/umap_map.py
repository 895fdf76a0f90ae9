"""A UMAP map of the t-SNE map's training images, from the same PCA coordinates."""

from tidymnist.core.logs import logged
from tidymnist.embed.maps import sampled_umap_map
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    write_table(sampled_umap_map(**tables, **snakemake.params), snakemake.output[0])
