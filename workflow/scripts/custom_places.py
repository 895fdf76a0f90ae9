"""Place the custom digits on the PCA plane and the t-SNE map of the training digits."""

from tidymnist.core.logs import logged
from tidymnist.handwriting.custom import custom_places
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]):
    names = ("images", "labels", "loadings", "mean", "coordinates", "tsne")
    places = custom_places(
        **{name: read_table(snakemake.input[name]) for name in names},
        dimensions=snakemake.params.dimensions,
        perplexity=snakemake.params.perplexity,
        seed=snakemake.params.seed,
        n_jobs=snakemake.threads,
    )
    write_table(places, snakemake.output[0])
