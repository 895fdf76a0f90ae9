rule report:
    """The whole study as one self-contained HTML page: results/report.html."""
    input:
        figures=FIGURES,
        tables=expand("results/tables/{table}.parquet", table=REPORT_TABLES),
        findings="results/tables/findings.parquet",
        benchmarks=BENCHMARKS,
        explorers="results/explorer/specs.json",
    output:
        report(
            "results/report.html",
            caption="../report/workflow.rst",
            category="Article",
            labels={"page": "report.html"},
        ),
    log:
        "results/logs/report.log",
    params:
        dataset_name=config["dataset_name"],
        dpi=config["figures"]["dpi"],
        config=config,
        draw_page=bool(MODELS),
        cnn={
            "setting": config["models"]["cnn"]["enabled"],
            "trained": CNN,
            "torch": TORCH_VERSION,
        },
    script:
        "../scripts/report.py"


rule draw_page:
    """A page to draw a digit and watch every model answer, offline: results/draw.html."""
    input:
        models=[model_paths(model)["model"] for model in MODELS],
        cards=[model_paths(model)["card"] for model in MODELS],
        loadings="results/tables/pca_loadings.parquet",
        sample="results/tables/pca_sample.parquet",
        mean="results/tables/pca_mean.parquet",
        coordinates="results/tables/pca_coordinates.parquet",
        tsne_map="results/tables/tsne_map.parquet",
        tsne_test_places="results/tables/tsne_test_places.parquet",
        umap_map="results/tables/umap_map.parquet",
        umap_test_places="results/tables/umap_test_places.parquet",
    output:
        "results/draw.html",
    log:
        "results/logs/draw_page.log",
    params:
        dataset_name=config["dataset_name"],
        class_names=config["class_names"],
    script:
        "../scripts/draw_page.py"


rule explorer:
    """The report's explorers as Vega-Lite specifications: maps, confusion cells, galleries."""
    input:
        unpack(explorer_inputs),
    output:
        "results/explorer/specs.json",
    log:
        "results/logs/explorer.log",
    benchmark:
        "results/benchmarks/explorer.tsv"
    params:
        class_names=config["class_names"],
        sample=config["report"]["explorer_sample"],
        limit=config["report"]["cell_digits"],
        seed=config["seed"],
    script:
        "../scripts/explorer.py"
