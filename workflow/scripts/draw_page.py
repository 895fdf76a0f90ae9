"""Write the draw-a-digit page: every model's weights, the PCA plane and the maps, inlined."""

from pathlib import Path

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_table
from tidymnist.models.trained import load_model_file
from tidymnist.web.draw import offline_page, write_page

with logged(snakemake.log[0]):
    models = {Path(path).stem: load_model_file(path) for path in snakemake.input.models}
    # a Namedlist iterates over its files: its names are its keys()
    names = [n for n in snakemake.input.keys() if n not in ("models", "cards")]  # noqa: SIM118
    tables = {name: read_table(snakemake.input[name]) for name in names}
    title = f"Draw a digit: {snakemake.params.dataset_name} models"
    html = offline_page(models, tables, title=title, class_names=snakemake.params.class_names)
    write_page(html, snakemake.output[0])
