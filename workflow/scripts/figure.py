"""Draw one figure: read its tables (and findings), draw it by its registry record, save the PNG."""

from tidymnist.core.logs import logged
from tidymnist.figures.registry import draw
from tidymnist.io.figures import save_figure
from tidymnist.io.tables import read_table

with logged(snakemake.log[0]) as log:
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    found = tables.pop("findings", None)
    plot = draw(snakemake.wildcards.figure, tables, snakemake.params.class_names, found)
    width, height = snakemake.params.size
    save_figure(plot, snakemake.output[0], width, height, snakemake.params.dpi)
    log.info(
        "saved %s (%s x %s in at %s dpi)", snakemake.output[0], width, height, snakemake.params.dpi
    )
