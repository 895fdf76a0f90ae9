"""The CNN's feature maps for the chosen test digit (and the first custom digit, if any)."""

from tidymnist.core.logs import logged
from tidymnist.handwriting.custom import image_arrays
from tidymnist.io.tables import read_table, scan_table, write_table
from tidymnist.models.cnn import feature_maps
from tidymnist.models.trained import load_model_file

with logged(snakemake.log[0]):
    model = load_model_file(snakemake.input.model)
    custom = snakemake.input.get("custom")
    custom = image_arrays(read_table(custom)) if custom else None
    pixels = scan_table(snakemake.input.pixels)
    tables = feature_maps(model, pixels, snakemake.params.instance, custom)
    write_table(tables[0], snakemake.output.activations)
    write_table(tables[1], snakemake.output.digits)
