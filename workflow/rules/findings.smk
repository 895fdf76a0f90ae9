rule findings_table:
    """Every finding of the run in one table: results/tables/findings.parquet (each section's
    figures job computes its own, see figures.smk)."""
    input:
        expand("results/findings/{section}.parquet", section=SECTION_FIGURES),
    output:
        "results/tables/findings.parquet",
    log:
        "results/logs/findings/findings_table.log",
    script:
        "../scripts/findings_table.py"
