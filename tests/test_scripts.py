"""The workflow's scripts stay adapters: snakemake.* in, package calls, files out."""

import ast
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[1] / "workflow" / "scripts").glob("*.py"))
MAX_LINES = 15


def code_lines(path: Path) -> int:
    """Lines that are not blank and not a comment (the one-line docstring counts)."""
    lines = path.read_text().splitlines()
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_every_script_is_a_thin_adapter(script):
    assert ast.get_docstring(ast.parse(script.read_text())), f"{script.name} says what it does"
    assert code_lines(script) <= MAX_LINES, f"{script.name}: move its logic into the package"


def test_there_are_scripts_to_check():
    assert len(SCRIPTS) > 20
