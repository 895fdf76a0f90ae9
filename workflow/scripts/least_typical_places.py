"""Where the least typical training digits fall on the PCA plane and the t-SNE map."""

from tidymnist.core.logs import logged
from tidymnist.embed.maps import least_typical_places
from tidymnist.io.tables import read_table, write_table
from tidymnist.tables.distances import least_typical

with logged(snakemake.log[0]):
    places = least_typical_places(
        least_typical(read_table(snakemake.input.distances), snakemake.params.k),
        read_table(snakemake.input.coordinates),
        read_table(snakemake.input.tsne),
        dimensions=snakemake.params.dimensions,
        perplexity=snakemake.params.perplexity,
        seed=snakemake.params.seed,
        n_jobs=snakemake.threads,
        sample=read_table(snakemake.input.sample),
    )
    write_table(places, snakemake.output[0])
