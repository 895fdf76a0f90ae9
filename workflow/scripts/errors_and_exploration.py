"""Errors by typicality and confusions by pair similarity."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.tables import errors_by_typicality, pair_confusions, pair_correlation
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]) as log:
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    bins = snakemake.params.bins
    typicality = errors_by_typicality(tables["predictions"], tables["distances"], bins)
    pairs = pair_confusions(tables["confusion"], tables["separability"])
    correlation = pair_correlation(pairs)
    log.info("confusions against centroid distance:\n%s", correlation)
    write_table(typicality, snakemake.output.typicality)
    write_table(pairs, snakemake.output.pairs)
    write_table(correlation, snakemake.output.correlation)
