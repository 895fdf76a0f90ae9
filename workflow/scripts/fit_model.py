"""Train one classifier, save it with its model card, and predict the test split with it."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.costs import evaluate_on_test
from tidymnist.io.models import save_model
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.models.card import train

with logged(snakemake.log[0]):
    name, pixels = snakemake.wildcards.model, scan_table(snakemake.input.pixels)
    model, card = train(
        name, **snakemake.params, pixels=pixels, files=read_table(snakemake.input.files),
        centroids=read_table(snakemake.input.centroids),  # adopted by the plain centroid model
    )  # fmt: skip
    save_model(model, snakemake.output.model, card)
    for key, table in evaluate_on_test(name, model, card, pixels).items():
        write_table(table, snakemake.output[key])  # predictions, costs
