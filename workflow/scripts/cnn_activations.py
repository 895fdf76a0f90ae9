"""The CNN's feature maps for the chosen test digit (and the first custom digit, if any)."""

import numpy as np
import polars as pl

from tidymnist.core.logs import logged
from tidymnist.handwriting.custom import image_arrays
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.models.cnn import activations
from tidymnist.models.trained import load_model_file
from tidymnist.tables.pixels import split_arrays

with logged(snakemake.log[0]):
    model = load_model_file(snakemake.input.model)
    instances, images, labels = split_arrays(scan_table(snakemake.input.pixels), "test")
    chosen = snakemake.params.instance
    digits = [(images[chosen], f"test digit #{chosen}, a {labels[chosen]}")]
    if snakemake.input.get("custom"):
        files, custom = image_arrays(read_table(snakemake.input.custom))
        digits.append((custom[0], f"your digit {files[0]}"))
    stack = np.stack([array for array, _ in digits])
    y, x = np.divmod(np.arange(784), 28)
    frames = []
    for image, (array, name) in enumerate(digits):
        frames.append(
            pl.DataFrame(
                {"image": image, "name": name, "x": x, "y": y, "value": array.reshape(-1)}
            ).cast({"image": pl.UInt32, "x": pl.UInt8, "y": pl.UInt8, "value": pl.UInt8})
        )
    write_table(activations(model, stack), snakemake.output.activations)
    write_table(pl.concat(frames), snakemake.output.digits)
