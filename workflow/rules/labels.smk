# Only where one of label_issues.models is trained (LABEL_MODEL, common.smk).
if LABEL_MODEL:

    rule out_of_fold:
        """Each training image's class probabilities from the label-judging model fitted on the
        other folds of the training split."""
        input:
            pixels="results/tables/pixels.parquet",
        output:
            "results/label_issues/out_of_fold.parquet",
        log:
            "results/logs/label_issues/out_of_fold.log",
        benchmark:
            "results/benchmarks/out_of_fold.tsv"
        # the CNN's thread count is part of its result (see fit_cnn)
        threads: config["models"]["cnn"]["threads"] if base_model(LABEL_MODEL) == "cnn" else 1
        params:
            base=base_model(LABEL_MODEL),
            spec=fold_spec(
                base_model(LABEL_MODEL),
                config["models"][base_model(LABEL_MODEL)],
                config["label_issues"]["fold_settings"],
            ),
            deskew=VARIANTS[LABEL_MODEL].deskew,
            folds=config["label_issues"]["folds"],
            seed=config["seed"],
        script:
            "../scripts/out_of_fold.py"

    rule label_issues:
        """Candidate label errors of both splits (cleanlab), how each model's test accuracy
        changes without the test split's, and the pixels of the gallery's."""
        input:
            unpack(label_model_inputs),
        output:
            issues="results/tables/label_issues.parquet",
            sensitivity="results/tables/label_sensitivity.parquet",
            pixels="results/tables/label_issue_pixels.parquet",
        log:
            "results/logs/label_issues/label_issues.log",
        benchmark:
            "results/benchmarks/label_issues.tsv"
        params:
            model=LABEL_MODEL,
            filter_by=config["label_issues"]["filter_by"],
            gallery=config["label_issues"]["gallery"],
            set_aside=config["label_issues"]["set_aside"],
        script:
            "../scripts/label_issues.py"
