"""How well the t-SNE and UMAP maps keep the neighbourhoods of the PCA space."""

from tidymnist.core.logs import logged
from tidymnist.embed.quality import map_quality
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    write_table(map_quality(**tables, **snakemake.params), snakemake.output[0])
