"""A t-SNE map of a seeded sample of training images."""

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.embed.maps import sample_instances, tsne_map
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    train = read_table(snakemake.input.coordinates).filter(pl.col("split") == "train")
    sample = train[sample_instances(train.height, snakemake.params.size, snakemake.params.seed)]
    table = tsne_map(
        sample,
        snakemake.params.dimensions,
        snakemake.params.perplexity,
        snakemake.params.seed,
        n_jobs=snakemake.threads,
    )
    write_table(table, snakemake.output[0])
