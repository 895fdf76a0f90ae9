"""Errors by typicality and confusions by pair similarity."""

from tidymnist.core.logs import logged
from tidymnist.evaluate.tables import errors_by_typicality, pair_confusions, pair_correlation
from tidymnist.io.tables import read_table, write_table

with logged(snakemake.log[0]) as log:
    predictions = read_table(snakemake.input.predictions)
    typicality = errors_by_typicality(
        predictions, read_table(snakemake.input.distances), snakemake.params.bins
    )
    write_table(typicality, snakemake.output.typicality)
    pairs = pair_confusions(
        read_table(snakemake.input.confusion), read_table(snakemake.input.separability)
    )
    write_table(pairs, snakemake.output.pairs)
    correlation = pair_correlation(pairs)
    log.info("confusions against centroid distance:\n%s", correlation)
    write_table(correlation, snakemake.output.correlation)
