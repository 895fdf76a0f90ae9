"""Write the report: read the figures, tables, explorers and benchmarks, render one HTML page."""

from tidymnist.core.logs import logged
from tidymnist.io import tables as files
from tidymnist.report.article import report_page

with logged(snakemake.log[0]) as log:
    page = report_page(
        figures=files.read_files(snakemake.input.figures),
        tables=files.read_tables(snakemake.input.tables),
        findings=files.read_table(snakemake.input.findings),
        benchmarks=files.read_benchmarks(snakemake.input.benchmarks),
        explorers=files.read_json(snakemake.input.explorers),
        **snakemake.params,  # dataset_name, dpi, config, draw_page
    )
    files.write_text(page, snakemake.output[0])
    log.info("wrote %s", snakemake.output[0])
