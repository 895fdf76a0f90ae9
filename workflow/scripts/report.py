"""Write the report: read the figures, tables and benchmarks, render one HTML page."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_benchmarks, read_files, read_table, read_tables, write_text
from tidymnist.report.article import report_page

with logged(snakemake.log[0]) as log:
    page = report_page(
        figures=read_files(snakemake.input.figures),
        tables=read_tables(snakemake.input.tables),
        findings=read_table(snakemake.input.findings),
        benchmarks=read_benchmarks(snakemake.input.benchmarks),
        **snakemake.params,  # dataset_name, dpi, config, draw_page
    )
    write_text(page, snakemake.output[0])
    log.info("wrote %s", snakemake.output[0])
