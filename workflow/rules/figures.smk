rule figure:
    """Draw one figure from its tidy tables (tidymnist.figures.registry says which)."""
    input:
        unpack(figure_tables),
    output:
        report(
            "results/figures/{figure}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{figure}"},
        ),
    log:
        "results/logs/figures/{figure}.log",
    benchmark:
        "results/benchmarks/figure_{figure}.tsv"
    wildcard_constraints:
        figure="|".join(FIGURE_SPECS),
    params:
        plot=lambda wildcards: FIGURE_SPECS[wildcards.figure][0],
        class_names=config["class_names"],
        size=lambda wildcards: config["figures"]["size"][wildcards.figure],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/figure.py"
