"""Predict the test split with one saved model; record its predictions and costs."""

import time

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.evaluate.tables import COSTS_SCHEMA, predictions_table
from tidymnist.io.models import read_card
from tidymnist.io.tables import scan_table, write_table
from tidymnist.models.pipelines import probabilities
from tidymnist.models.trained import load_model_file
from tidymnist.tables.pixels import split_arrays

with logged(snakemake.log[0]) as log:
    name = snakemake.wildcards.model
    model, card = load_model_file(snakemake.input.model), read_card(snakemake.input.model)
    instances, images, labels = split_arrays(scan_table(snakemake.input.pixels), "test")
    start = time.perf_counter()
    predicted = model.predict(images)
    seconds = time.perf_counter() - start
    table = predictions_table(name, instances, labels, predicted, probabilities(model, images))
    log.info("%s: accuracy %.4f on %d test images", name, (predicted == labels).mean(), len(labels))
    write_table(table, snakemake.output.predictions)
    costs = pl.DataFrame(
        [[name, card["fit_seconds"], seconds, card["n_parameters"]]],
        schema=COSTS_SCHEMA,
        orient="row",
    )
    write_table(costs, snakemake.output.costs)
