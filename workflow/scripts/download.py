"""Download one missing dataset file from the configured mirrors."""

from pathlib import Path

from tidymnist.core.logs import logged
from tidymnist.io.download import fetch

with logged(snakemake.log[0]):
    output = Path(snakemake.output[0])
    fetch(output.name, snakemake.params.mirrors, snakemake.params.sha256, output)
