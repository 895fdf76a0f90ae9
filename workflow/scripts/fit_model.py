"""Train one classifier on the training split and save it with its model card."""

from tidymnist.core.logs import logged
from tidymnist.io.models import save_model
from tidymnist.io.tables import read_table, scan_table
from tidymnist.models.card import train

with logged(snakemake.log[0]):
    name, centroids = snakemake.wildcards.model, read_table(snakemake.input.centroids)
    model, card = train(
        name,
        **snakemake.params,
        pixels=scan_table(snakemake.input.pixels),
        files=read_table(snakemake.input.files),
        # the exploration's centroids are the plain model's; the deskewed one has its own
        centroids=centroids if name == "nearest_centroid" else None,
    )
    save_model(model, snakemake.output.model, card)
