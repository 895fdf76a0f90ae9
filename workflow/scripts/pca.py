"""PCA of the training images; loadings, explained variance and every image's coordinates."""

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.embed.maps import coordinates_table, fit_pca, loadings_table, variance_table
from tidymnist.io.tables import scan_table, write_table
from tidymnist.tables.pixels import split_arrays

with logged(snakemake.log[0]) as log:
    pixels = scan_table(snakemake.input.pixels)
    train, test = split_arrays(pixels, "train"), split_arrays(pixels, "test")
    pca = fit_pca(train[1])
    n = snakemake.params.components
    log.info("PCA of %d training images; first %d components kept", len(train[0]), n)
    write_table(loadings_table(pca, n), snakemake.output.loadings)
    write_table(variance_table(pca), snakemake.output.variance)
    coordinates = pl.concat(
        [coordinates_table(pca, n, "train", train), coordinates_table(pca, n, "test", test)]
    )
    write_table(coordinates, snakemake.output.coordinates)
