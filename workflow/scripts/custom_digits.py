"""Read the custom digits and bring them to MNIST's format; a bad file is listed, not fatal."""

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.handwriting.custom import images_table, prepare
from tidymnist.handwriting.preprocess import preprocess_steps, thumbnail_table
from tidymnist.io.custom import LABELS_SCHEMA, read_custom, read_labels
from tidymnist.io.tables import write_table

with logged(snakemake.log[0]) as log:
    folder = snakemake.params.folder
    names, originals, unreadable = read_custom(folder, snakemake.input.images)
    files, images, no_ink = prepare(names, originals)
    errors = pl.concat([unreadable, no_ink]).sort("file")
    for file, error in errors.iter_rows():
        log.warning("skipped %s: %s", file, error)
    labels = read_labels(snakemake.input.labels) if snakemake.input.labels else None
    labels = (labels if labels is not None else LABELS_SCHEMA.to_frame()).filter(
        pl.col("file").is_in(files)
    )
    originals = [originals[names.index(file)] for file in files]
    shown = snakemake.params.show_steps
    chosen = files.index(shown) if shown in files else 0
    if shown is not None and shown not in files:
        log.warning(
            "show_steps: %s is not among the usable custom digits; showing %s", shown, files[0]
        )
    write_table(images_table(files, images, labels), snakemake.output.images)
    write_table(labels, snakemake.output.labels)
    write_table(thumbnail_table(files, originals, images), snakemake.output.thumbnails)
    write_table(
        preprocess_steps(originals[chosen]).with_columns(file=pl.lit(files[chosen])),
        snakemake.output.steps,
    )
    write_table(errors, snakemake.output.errors)
    log.info("%d custom digits ready, %d skipped", len(files), errors.height)
