"""Draw one figure: read its tables, call the plot function the rule names, save the PNG."""

from tidymnist import figures as plots
from tidymnist.core.logs import logged
from tidymnist.io.figures import save_figure
from tidymnist.io.tables import read_table

with logged(snakemake.log[0]) as log:
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    plot = plots.draw(snakemake.params.plot, tables, snakemake.params.class_names)
    width, height = snakemake.params.size
    save_figure(plot, snakemake.output[0], width, height, snakemake.params.dpi)
    log.info(
        "saved %s (%s x %s in at %s dpi)", snakemake.output[0], width, height, snakemake.params.dpi
    )
