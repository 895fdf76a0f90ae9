"""Run the Snakemake workflow in a scratch copy of the project, as a user would from a shell."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import yaml
from polars.testing import assert_frame_equal

from tidymnist.core.extras import cnn_extra_installed
from tidymnist.core.naming import BASE_MODELS, model_variants

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PROFILE = "workflow/profiles/default/config.yaml"
# wall-clock timings (fit_seconds, predict_seconds, ...) are the only columns allowed to differ
TIMING = re.compile(r"(^|_)seconds$")


def copy_project(dest: Path) -> Path:
    """The workflow's files (not results/ or .snakemake/) copied into ``dest``."""
    for name in ("Snakefile", "config.yaml"):
        shutil.copy(REPO / name, dest / name)
    shutil.copytree(REPO / "workflow", dest / "workflow")
    (dest / "profiles").symlink_to("workflow/profiles")  # where Snakemake finds the profile
    shutil.copytree(REPO / ".test", dest / ".test")
    return dest


def snakemake(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
        env=env,
    )


def profile(path: str = DEFAULT_PROFILE) -> dict:
    return yaml.safe_load((REPO / path).read_text())


def name_account(project: Path, account: str, partition: str) -> None:
    """Name a SLURM account and partition in the project's workflow profile, as the README
    says (under default-resources, beside every rule's memory and runtime)."""
    settings = profile()
    settings["default-resources"] |= {"slurm_account": account, "slurm_partition": partition}
    (project / DEFAULT_PROFILE).write_text(yaml.safe_dump(settings))


def wanted(rule: str) -> dict:
    """What the workflow profile (and, for the CNN's threads, the config) gives a rule."""
    settings = profile()
    threads = settings["set-threads"].get(rule, 1)
    # the CNN's jobs: its fit, and the fold fits that judge the labels where it is the judge
    # (label_issues.models names it first, and it is trained where PyTorch is installed)
    if rule == "fit_cnn" or (rule == "out_of_fold" and cnn_extra_installed()):
        threads = yaml.safe_load((REPO / "config.yaml").read_text())["models"]["cnn"]["threads"]
    return {
        "threads": threads,
        **settings["default-resources"],
        **settings["set-resources"].get(rule, {}),
    }


def trained_models() -> list[str]:
    """The models the .test/ config trains: every model (the CNN where PyTorch is installed, as
    its "auto" says), each deskewed too where the schema's default deskew_compare names it."""
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    compare = schema["properties"]["deskew_compare"]["default"]
    enabled = [base for base in BASE_MODELS if base != "cnn" or cnn_extra_installed()]
    return [variant.name for variant in model_variants(enabled, "compare", compare)]


def planned_jobs(project: Path, *args: str) -> dict[str, int]:
    """How many jobs of each rule a dry run of the .test/ config with ``args`` would run."""
    dry = snakemake(project, "--configfile", ".test/config.yaml", "-n", "--quiet", "rules", *args)
    assert dry.returncode == 0, dry.stderr[-3000:]
    counts = (line.split() for line in dry.stdout.splitlines())
    return {
        words[0]: int(words[1])
        for words in counts
        if len(words) == 2 and words[1].isdigit() and words[0] != "total"
    }


def table_paths(project: Path) -> list[str]:
    """Every table the workflow wrote, relative to the project."""
    results = project / "results"
    found = [*results.glob("tables/*.parquet"), *results.glob("evaluation/**/*.parquet")]
    return sorted(str(path.relative_to(project)) for path in found)


def rows(path: Path) -> pl.DataFrame:
    """A table's rows in a canonical order, without its timing columns."""
    table = pl.read_parquet(path)
    table = table.drop([column for column in table.columns if TIMING.search(column)])
    if "finding" in table.columns:  # the findings about fit times are timings too
        table = table.filter(~pl.col("finding").str.starts_with("fastest_"))
    return table.sort(table.columns)


def assert_same_tables(project: Path, reference: Path) -> None:
    """Every table of ``project`` equals, row for row, the one ``reference`` wrote."""
    names = table_paths(reference)
    assert table_paths(project) == names
    assert len(names) > 20
    for name in names:
        try:
            assert_frame_equal(rows(project / name), rows(reference / name), check_exact=True)
        except AssertionError as error:
            raise AssertionError(f"{name} differs: {error}") from None
