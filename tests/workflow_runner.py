"""Run the Snakemake workflow in a scratch copy of the project, as a user would from a shell."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tidymnist.core.extras import cnn_extra_installed
from tidymnist.core.naming import BASE_MODELS, model_variants

REPO = Path(__file__).resolve().parents[1]


def copy_project(dest: Path) -> Path:
    """The workflow's files (not results/ or .snakemake/) copied into ``dest``."""
    for name in ("Snakefile", "config.yaml"):
        shutil.copy(REPO / name, dest / name)
    shutil.copytree(REPO / "workflow", dest / "workflow")
    (dest / "profiles").symlink_to("workflow/profiles")  # where Snakemake finds the profile
    shutil.copytree(REPO / ".test", dest / ".test")
    return dest


def snakemake(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )


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
