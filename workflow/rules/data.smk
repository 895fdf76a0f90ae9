# Only files missing when the workflow starts can be downloaded: a file already in data_dir is
# never the output of a rule, so no rerun can ever delete or replace the user's data.
if MISSING_FILES:

    rule download:
        """Fetch a missing IDX file from the configured mirrors, checking its checksum."""
        output:
            f"{config['data_dir']}/{{name}}.gz",
        log:
            "results/logs/download/{name}.log",
        wildcard_constraints:
            name="|".join(MISSING_FILES),
        params:
            mirrors=config["mirrors"],
            sha256=lambda wildcards: config["checksums"].get(wildcards.name),
        script:
            "../scripts/download.py"


rule pixels:
    """Read and verify the raw files; write the long pixel table and the files' checksums."""
    input:
        unpack(raw_files),
    output:
        pixels="results/tables/pixels.parquet",
        files="results/tables/files.parquet",
    log:
        "results/logs/pixels.log",
    benchmark:
        "results/benchmarks/pixels.tsv"
    params:
        data_format=config["data_format"],
        checksums=config["checksums"],
        max_images=config["max_images"],
    script:
        "../scripts/pixels.py"
