"""Train one classifier on the training split and save it with its model card."""

from tidymnist.core.logs import logged
from tidymnist.io.models import save_model
from tidymnist.io.tables import read_table, scan_table
from tidymnist.models.pipelines import adopt_centroids, fit_model, stored_values
from tidymnist.tables.pixels import split_arrays

with logged(snakemake.log[0]):
    name, deskew = snakemake.wildcards.model, snakemake.params.deskew
    _, images, labels = split_arrays(scan_table(snakemake.input.pixels), "train")
    spec, seed = snakemake.params.spec, snakemake.params.seed
    model, seconds = fit_model(snakemake.params.base, spec, seed, images, labels, deskew=deskew)
    if name == "nearest_centroid":  # the deskewed variant has centroids of its own
        model = adopt_centroids(model, read_table(snakemake.input.centroids))
    card = {
        "model": name,
        "config": dict(spec),
        "deskew": deskew,
        "seed": snakemake.params.seed,
        "fit_seconds": seconds,
        "n_parameters": stored_values(model),
        "training_images": len(labels),
        "data": read_table(snakemake.input.files).to_dicts(),
    }
    save_model(model, snakemake.output.model, card)
