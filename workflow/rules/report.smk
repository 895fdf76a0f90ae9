rule report:
    """The whole study as one self-contained HTML page: results/report.html."""
    input:
        figures=FIGURES,
        tables=expand("results/tables/{table}.parquet", table=REPORT_TABLES),
        benchmarks=BENCHMARKS,
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
        class_names=config["class_names"],
        sizes=config["figures"]["size"],
        config=config,
    script:
        "../scripts/report.py"
