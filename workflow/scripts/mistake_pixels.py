"""The pixel rows of each model's most confident mistakes."""

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.evaluate.tables import most_confident_mistakes
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.tables.pixels import select_images

with logged(snakemake.log[0]):
    mistakes = most_confident_mistakes(read_table(snakemake.input.predictions), snakemake.params.k)
    chosen = mistakes.select(
        pl.lit("test").alias("split"), "instance", "model", "rank", "predicted", "probability"
    )
    write_table(select_images(scan_table(snakemake.input.pixels), chosen), snakemake.output[0])
