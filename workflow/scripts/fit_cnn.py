"""Train the convolutional network on the training split; save its weights and model card."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_table, scan_table
from tidymnist.models.card import train
from tidymnist.models.cnn_file import save_cnn

with logged(snakemake.log[0]):
    model, card = train(
        snakemake.wildcards.model,
        base="cnn",
        **snakemake.params,
        pixels=scan_table(snakemake.input.pixels),
        files=read_table(snakemake.input.files),
    )
    save_cnn(model, snakemake.output.model, card)
