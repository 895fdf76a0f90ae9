"""The workflow's scripts stay adapters: snakemake.* in, package calls, files out."""

import ast
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[1] / "workflow" / "scripts").glob("*.py"))
MAX_LINES = 15


def code_lines(path: Path) -> int:
    """Lines that hold code: not blank, not a comment, not the module's docstring."""
    source = path.read_text()
    tree = ast.parse(source)
    docstring = set()
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        docstring = set(range(first.lineno, first.end_lineno + 1))
    return sum(
        1
        for number, line in enumerate(source.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#") and number not in docstring
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_every_script_is_a_thin_adapter(script):
    assert ast.get_docstring(ast.parse(script.read_text())), f"{script.name} says what it does"
    assert code_lines(script) <= MAX_LINES, f"{script.name}: move its logic into the package"


def test_there_are_scripts_to_check():
    assert len(SCRIPTS) > 20
