"""The generated report, opened in a real headless Chromium as a reader would open it."""

import os
import shutil
from pathlib import Path

import pytest

from workflow_runner import REPO, trained_models

pytestmark = [pytest.mark.workflow, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECTIONS = [
    "What we found",
    "The data",
    "The space of digits",
    "The models",
    "Your own digits",
    "Appendix: what was run",
]
ARTIFACTS = Path(os.environ.get("TIDYMNIST_ARTIFACTS", REPO / "artifacts"))


@pytest.fixture(scope="module")
def page_facts(built):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install chromium (.ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api")
    report = built / "results" / "report.html"
    facts = {"console": [], "requests": []}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("console", lambda m: m.type == "error" and facts["console"].append(m.text))
        page.on("pageerror", lambda error: facts["console"].append(str(error)))
        page.on("request", lambda request: facts["requests"].append(request.url))
        page.goto(report.as_uri(), wait_until="load")
        facts["images"] = page.eval_on_selector_all(
            "img", "images => images.map(i => [i.alt, i.complete, i.naturalWidth])"
        )
        facts["headings"] = page.eval_on_selector_all("h2", "hs => hs.map(h => h.textContent)")
        first_column = "rows => rows.map(r => r.cells[0].textContent.trim())"
        facts["models"] = page.eval_on_selector_all("#table-metrics tbody tr", first_column)
        page.click("#table-metrics thead tr:last-child th:first-child")
        facts["sorted_once"] = page.eval_on_selector_all("#table-metrics tbody tr", first_column)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    return facts


def test_report_loads_without_console_errors_or_network(page_facts):
    assert page_facts["console"] == []
    assert all(url.startswith(("file:", "data:")) for url in page_facts["requests"])


def test_every_image_has_loaded(page_facts):
    assert len(page_facts["images"]) >= 19
    broken = [alt for alt, complete, width in page_facts["images"] if not complete or width == 0]
    assert broken == []


def test_every_section_is_there(page_facts):
    for section in SECTIONS:
        assert any(section in heading for heading in page_facts["headings"]), section
    # findings first, the provenance last
    assert SECTIONS[0] in page_facts["headings"][0]
    assert SECTIONS[-1] in page_facts["headings"][-1]


def test_metrics_table_lists_every_model_and_sorts(page_facts):
    assert set(page_facts["models"]) == set(trained_models())  # as the test config asks
    assert page_facts["sorted_once"] == sorted(page_facts["models"])  # by name, ascending
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
