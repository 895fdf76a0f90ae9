"""Every model's answer for each custom digit, and each model's accuracy where labels are known."""

from pathlib import Path

from tidymnist.core.logs import logged
from tidymnist.evaluate.predict import custom_predictions
from tidymnist.io.tables import read_table, write_table
from tidymnist.models.trained import load_model_file

with logged(snakemake.log[0]):
    models = {Path(path).stem: load_model_file(path) for path in snakemake.input.models}
    images, labels = read_table(snakemake.input.images), read_table(snakemake.input.labels)
    predictions, accuracy = custom_predictions(models, images, labels)
    write_table(predictions, snakemake.output.predictions)
    write_table(accuracy, snakemake.output.accuracy)
