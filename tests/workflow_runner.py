"""Run the Snakemake workflow in a scratch copy of the project, as a user would from a shell."""

import shutil
import subprocess
import sys
from pathlib import Path

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
