"""The logistic regression's weights as a tidy table."""

from tidymnist.core.logs import logged
from tidymnist.io.models import load_model
from tidymnist.io.tables import write_table
from tidymnist.models.pipelines import coefficients

with logged(snakemake.log[0]):
    write_table(coefficients(load_model(snakemake.input.model)), snakemake.output[0])
