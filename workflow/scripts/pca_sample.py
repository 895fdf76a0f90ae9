"""A seeded sample of the training images' PCA coordinates."""

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.embed.maps import sample_instances
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    train = read_table(snakemake.input.coordinates).filter(pl.col("split") == "train")
    rows = sample_instances(train.height, snakemake.params.size, snakemake.params.seed)
    write_table(train[rows], snakemake.output[0])
