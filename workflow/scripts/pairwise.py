"""Centroid differences for every pair of labels, and how separable each pair is."""

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_table, write_table
from tidymnist.tables.pairwise import centroid_differences, pair_separability

with logged(snakemake.log[0]):
    centroids = read_table(snakemake.input.centroids)
    differences = centroid_differences(centroids)
    write_table(differences, snakemake.output.differences)
    write_table(pair_separability(differences, centroids), snakemake.output.separability)
