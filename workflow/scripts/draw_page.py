"""Write the draw-a-digit page: the light models' weights and the PCA plane, inlined."""

from pathlib import Path

from tidymnist.core.logs import logged
from tidymnist.io.tables import read_table
from tidymnist.models.trained import load_model_file
from tidymnist.web.draw import draw_page, write_page
from tidymnist.web.export import export_models, pixel_mean

with logged(snakemake.log[0]) as log:
    models = {Path(path).stem: load_model_file(path) for path in snakemake.input.models}
    mean = pixel_mean(
        read_table(snakemake.input.centroids), read_table(snakemake.input.label_summary)
    )
    export = export_models(
        models, read_table(snakemake.input.loadings), read_table(snakemake.input.sample), mean
    )
    html = draw_page(
        export,
        title=f"Draw a digit: {snakemake.params.dataset_name} models",
        class_names=snakemake.params.class_names,
        server=False,
    )
    write_page(html, snakemake.output[0])
    log.info("in the page: %s", ", ".join(m["name"] for m in export["models"]))
    log.info("only with `tidymnist serve`: %s", ", ".join(export["server_only"]) or "none")
