"""Train the convolutional network, save its weights and model card, predict the test split."""

import os

# The job holds its threads' cores to itself: PyTorch's idle threads spin rather than sleep
# (15-25% faster steps here; tidymnist.models.cnn.import_torch otherwise has them sleep).
os.environ.setdefault("OMP_WAIT_POLICY", "ACTIVE")
from tidymnist.core.logs import logged
from tidymnist.evaluate.costs import evaluate_on_test
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.models.card import train
from tidymnist.models.cnn_file import save_cnn

with logged(snakemake.log[0]):
    name, pixels = snakemake.wildcards.model, scan_table(snakemake.input.pixels)
    files = read_table(snakemake.input.files)
    model, card = train(name, **snakemake.params, pixels=pixels, files=files)
    save_cnn(model, snakemake.output.model, card)
    for key, table in evaluate_on_test(name, model, card, pixels).items():
        write_table(table, snakemake.output[key])  # predictions, costs
