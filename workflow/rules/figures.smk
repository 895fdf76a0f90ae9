# One job per report section draws all of that section's figures and computes their findings
# (tidymnist.figures.sections): Python and plotnine start once per section, and a changed size
# (a param) redraws only its own section.
for section, names in SECTION_FIGURES.items():

    rule:
        name:
            f"figures_{section}"
        input:
            **{
                table: f"results/tables/{table}.parquet"
                for table in tables_of_section(names)
            },
        output:
            **{
                name: report(
                    f"results/figures/{name}.png",
                    caption=caption_file(FIGURE_SPECS[name]),
                    category="Figures",
                    subcategory=section,
                    labels={"figure": name},
                )
                for name in names
            },
            findings=f"results/findings/{section}.parquet",
        log:
            f"results/logs/figures/{section}.log",
        benchmark:
            f"results/benchmarks/figures_{section}.tsv"
        params:
            figures=names,
            class_names=config["class_names"],
            sizes={name: size_of(name, config["figures"]["size"]) for name in names},
            dpi=config["figures"]["dpi"],
        script:
            "../scripts/figures.py"
