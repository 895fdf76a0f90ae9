"""Each training image's out-of-fold class probabilities from the label-judging model."""

import os

# As in fit_cnn: the CNN's job holds its threads' cores, so its idle threads spin.
os.environ.setdefault("OMP_WAIT_POLICY", "ACTIVE")
from tidymnist.core.logs import logged
from tidymnist.evaluate.label_issues import out_of_fold_table
from tidymnist.io.tables import scan_table, write_table

with logged(snakemake.log[0]):
    table = out_of_fold_table(scan_table(snakemake.input.pixels), **snakemake.params)
    write_table(table, snakemake.output[0])
