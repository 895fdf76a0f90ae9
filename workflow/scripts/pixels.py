"""Read and verify both splits; write the long pixel table and the files' provenance."""

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.io.dataset import load_files
from tidymnist.io.tables import write_table, write_table_chunks
from tidymnist.tables.pixels import dataset_chunks

with logged(snakemake.log[0]) as log:
    p = snakemake.params
    splits = [
        load_files(s, snakemake.input[s], p.data_format, p.checksums, p.max_images[s])
        for s in ("train", "test")
    ]
    rows = write_table_chunks(dataset_chunks(splits), snakemake.output.pixels)
    log.info("wrote %d rows to %s", rows, snakemake.output.pixels)
    write_table(pl.concat([s.files for s in splits]), snakemake.output.files)
