"""Where the least typical training digits fall on the PCA plane and both maps."""

from tidymnist.core.logs import logged
from tidymnist.embed.maps import least_typical_places
from tidymnist.io.tables import read_table, write_table
from tidymnist.tables.distances import least_typical

with logged(snakemake.log[0]):
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    placing = {**snakemake.params}  # dimensions, perplexity, n_neighbors, min_dist, seed; k
    chosen = least_typical(tables.pop("distances"), placing.pop("k"))
    places = least_typical_places(chosen, **tables, **placing, n_jobs=snakemake.threads)
    write_table(places, snakemake.output[0])
