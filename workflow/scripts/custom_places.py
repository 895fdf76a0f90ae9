"""Place the custom digits on the PCA plane and the t-SNE map of the training digits."""

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.handwriting.custom import image_arrays, pca_coordinates, places_table
from tidymnist.io.tables import read_table, write_table
from tidymnist.web.export import pixel_mean

with logged(snakemake.log[0]):
    files, images = image_arrays(read_table(snakemake.input.images))
    mean = pixel_mean(
        read_table(snakemake.input.centroids), read_table(snakemake.input.label_summary)
    )
    dimensions = snakemake.params.dimensions
    coordinates = pca_coordinates(images, read_table(snakemake.input.loadings), mean, dimensions)
    train = read_table(snakemake.input.coordinates).filter(pl.col("split") == "train")
    places = places_table(
        files,
        read_table(snakemake.input.labels),
        coordinates,
        train,
        read_table(snakemake.input.tsne),
        perplexity=snakemake.params.perplexity,
        seed=snakemake.params.seed,
        n_jobs=snakemake.threads,
    )
    write_table(places, snakemake.output[0])
