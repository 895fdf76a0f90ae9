"""Read and verify both splits; write the long pixel table and the files' provenance."""

import itertools

import polars as pl

from tidymnist.core.logs import logged
from tidymnist.io.dataset import load_files
from tidymnist.io.tables import write_table, write_table_chunks
from tidymnist.tables.pixels import pixel_chunks

with logged(snakemake.log[0]) as log:
    splits = [
        load_files(
            split,
            snakemake.input[split],
            snakemake.params.data_format,
            snakemake.params.checksums,
            snakemake.params.max_images[split],
        )
        for split in ("train", "test")
    ]
    log.info("verified %s", ", ".join(f"{s.name}: {len(s.labels)} images" for s in splits))
    chunks = (pixel_chunks(s.images, s.labels, s.name) for s in splits)
    rows = write_table_chunks(itertools.chain.from_iterable(chunks), snakemake.output.pixels)
    log.info("wrote %d rows to %s", rows, snakemake.output.pixels)
    write_table(pl.concat([s.files for s in splits]), snakemake.output.files)
