rule findings:
    """What one figure's subtitle and caption state, from the tables its findings read."""
    input:
        unpack(finding_tables),
    output:
        "results/findings/{figure}.parquet",
    log:
        "results/logs/findings/{figure}.log",
    wildcard_constraints:
        figure="|".join(FINDING_FIGURES),
    params:
        class_names=config["class_names"],
    script:
        "../scripts/findings.py"


rule findings_table:
    """Every finding of the run in one table: results/tables/findings.parquet."""
    input:
        expand("results/findings/{figure}.parquet", figure=FINDING_FIGURES),
    output:
        "results/tables/findings.parquet",
    log:
        "results/logs/findings/findings_table.log",
    script:
        "../scripts/findings_table.py"
