"""Place the custom digits on the PCA plane, the t-SNE map and the UMAP map."""

from tidymnist.core.logs import logged
from tidymnist.handwriting.custom import custom_places
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    places = custom_places(**tables, **snakemake.params, n_jobs=snakemake.threads)
    write_table(places, snakemake.output[0])
