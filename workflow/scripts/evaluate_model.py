"""Predict the test split with one saved model; record its predictions and costs."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.costs import evaluate_on_test
from tidymnist.io.models import read_card
from tidymnist.io.tables import scan_table, write_table
from tidymnist.models.trained import load_model_file

with logged(snakemake.log[0]):
    model, card = load_model_file(snakemake.input.model), read_card(snakemake.input.model)
    pixels = scan_table(snakemake.input.pixels)
    predictions, costs = evaluate_on_test(snakemake.wildcards.model, model, card, pixels)
    write_table(predictions, snakemake.output.predictions)
    write_table(costs, snakemake.output.costs)
