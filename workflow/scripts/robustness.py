"""Every model's accuracy on test digits changed one way at a time, as they are and preprocessed."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.robustness import robustness_of
from tidymnist.io.tables import scan_table, write_table
from tidymnist.models.trained import load_model_file

with logged(snakemake.log[0]):
    names, paths = snakemake.params.models, snakemake.input.models
    models = {name: load_model_file(path) for name, path in zip(names, paths, strict=True)}
    params = {k: snakemake.params[k] for k in ("sample", "amounts", "seed")}
    table = robustness_of(models, scan_table(snakemake.input.pixels), **params)
    write_table(table, snakemake.output[0])
