"""Gather every model's predictions; derive metrics, per-class scores and confusion counts."""

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.evaluate.tables import confusion_table, metrics_table, per_class_table
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]) as log:
    predictions = pl.concat([read_table(path) for path in snakemake.input.predictions])
    costs = pl.concat([read_table(path) for path in snakemake.input.costs])
    metrics = metrics_table(predictions, costs)
    log.info("metrics:\n%s", metrics)
    write_table(predictions, snakemake.output.predictions)
    write_table(metrics, snakemake.output.metrics)
    write_table(per_class_table(predictions), snakemake.output.per_class)
    write_table(confusion_table(predictions), snakemake.output.confusion)
