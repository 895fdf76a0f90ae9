"""Every model's answer for each custom digit, and each model's accuracy where labels are known."""

from pathlib import Path

from tidymnist.core.logs import logged
from tidymnist.evaluate.predict import predict_table
from tidymnist.handwriting.custom import accuracy_table, image_arrays
from tidymnist.io.tables import read_table, write_table
from tidymnist.models.trained import load_model_file

with logged(snakemake.log[0]) as log:
    models = {Path(path).stem: load_model_file(path) for path in snakemake.input.models}
    files, images = image_arrays(read_table(snakemake.input.images))
    labels = read_table(snakemake.input.labels)
    predictions = predict_table(models, images, files).join(labels, on="file", how="left")
    accuracy = accuracy_table(predictions, labels)
    for model, n, correct, share in accuracy.iter_rows():
        log.info("%s: %d of %d custom digits right (%.0f%%)", model, correct, n, 100 * share)
    write_table(predictions, snakemake.output.predictions)
    write_table(accuracy, snakemake.output.accuracy)
