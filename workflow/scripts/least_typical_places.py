"""Where the least typical training digits fall on the PCA plane and the t-SNE map."""

from tidymnist.core.logs import logged
from tidymnist.embed.maps import least_typical_places
from tidymnist.io.tables import read_table, write_table
from tidymnist.tables.distances import least_typical

with logged(snakemake.log[0]):
    tables = {name: read_table(path) for name, path in snakemake.input.items()}
    chosen = least_typical(tables.pop("distances"), snakemake.params.k)
    placing = {key: snakemake.params[key] for key in ("dimensions", "perplexity", "seed")}
    places = least_typical_places(chosen, **tables, **placing, n_jobs=snakemake.threads)
    write_table(places, snakemake.output[0])
