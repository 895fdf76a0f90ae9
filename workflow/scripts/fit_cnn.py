"""Train the convolutional network on the training split; save its weights and model card."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_table, scan_table
from tidymnist.models.cnn_file import save_cnn
from tidymnist.models.pipelines import fit_model, stored_values
from tidymnist.tables.pixels import split_arrays

with logged(snakemake.log[0]):
    name, deskew = snakemake.wildcards.model, snakemake.params.deskew
    spec, seed = snakemake.params.spec, snakemake.params.seed
    _, images, labels = split_arrays(scan_table(snakemake.input.pixels), "train")
    model, seconds = fit_model("cnn", spec, seed, images, labels, deskew=deskew)
    card = {
        "model": name,
        "config": dict(spec),
        "deskew": deskew,
        "seed": seed,
        "fit_seconds": seconds,
        "n_parameters": stored_values(model),
        "training_images": len(labels),
        "data": read_table(snakemake.input.files).to_dicts(),
    }
    save_cnn(model, snakemake.output.model, card)
