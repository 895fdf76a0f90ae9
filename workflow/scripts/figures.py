"""Draw every figure of one report section and write its findings (tidymnist.figures.sections)."""

from tidymnist.core.logs import logged
from tidymnist.figures.sections import draw_section
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]) as log:
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    paths = {name: snakemake.output[name] for name in snakemake.params.figures}
    found = draw_section(tables, paths, **snakemake.params)
    write_table(found, snakemake.output.findings)
    log.info("%d figures, %d findings", len(paths), found.height)
