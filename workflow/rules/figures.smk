rule figure:
    """Draw one figure from its tidy tables (its record in tidymnist.figures.registry says which)."""
    input:
        unpack(figure_tables),
    output:
        report(
            "results/figures/{figure}.png",
            caption="../report/figure.rst",
            category="Figures",
            subcategory=lambda wildcards: FIGURE_SPECS[wildcards.figure].section,
            labels={"figure": "{figure}"},
        ),
    log:
        "results/logs/figures/{figure}.log",
    benchmark:
        "results/benchmarks/figure_{figure}.tsv"
    wildcard_constraints:
        figure="|".join(FIGURE_SPECS),
    params:
        class_names=config["class_names"],
        size=lambda wildcards: list(
            config["figures"]["size"].get(
                wildcards.figure, FIGURE_SPECS[wildcards.figure].size
            )
        ),
        dpi=config["figures"]["dpi"],
        summary=lambda wildcards: FIGURE_SPECS[wildcards.figure].summary,
    script:
        "../scripts/figure.py"
