"""Candidate label errors of both splits, the sensitivity of each model's test accuracy to them,
and the pixels of the gallery's."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.label_issues import label_issue_tables
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.models.trained import load_model_file

with logged(snakemake.log[0]):
    judge, found = snakemake.params.model, read_table(snakemake.input.out_of_fold)
    model, pixels = load_model_file(snakemake.input.model), scan_table(snakemake.input.pixels)
    settings = {k: snakemake.params[k] for k in ("filter_by", "gallery", "set_aside")}
    predictions = read_table(snakemake.input.predictions)
    tables = label_issue_tables(judge, found, model, pixels, predictions, **settings)
    for key, table in tables.items():
        write_table(table, snakemake.output[key])
