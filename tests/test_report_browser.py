"""The generated report, opened in a real headless Chromium as a reader would open it."""

import math
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
    "When digits change",
    "Which labels are wrong",
    "Your own digits",
    "Appendix: what was run",
]
ARTIFACTS = Path(os.environ.get("TIDYMNIST_ARTIFACTS", REPO / "artifacts"))
# The items of a named mark of an explorer's Vega view, at their place on the page.
ITEMS = """([explorer, mark]) => {
  const view = window.tidymnistViews[explorer];
  const items = [];
  (function walk(node, x, y) {
    if (node.marktype) {
      for (const item of node.items || []) {
        if (node.name === mark) items.push({x: x + (item.x || 0), y: y + (item.y || 0),
          width: item.width || 0, height: item.height || 0, datum: item.datum});
        else walk(item, x, y);
      }
    } else {
      for (const child of node.items || []) walk(child, x + (node.x || 0), y + (node.y || 0));
    }
  })(view.scenegraph().root, 0, 0);
  const box = view.container().querySelector("canvas").getBoundingClientRect();
  const [ox, oy] = view.origin(), pad = view.padding();
  return items.map(i => ({...i, x: i.x + box.left + ox + (pad.left || 0),
                          y: i.y + box.top + oy + (pad.top || 0)}));
}"""
# Every element of the article wider than its column, outside a box that scrolls it.
TOO_WIDE = """() => {
  const style = getComputedStyle(document.body);
  const column = document.body.clientWidth - parseFloat(style.paddingLeft)
    - parseFloat(style.paddingRight);
  const scrolls = el => el.closest(".table-wrap, .explorer, pre");
  return [...document.querySelectorAll("section *")]
    .filter(el => el.getBoundingClientRect().width > column + 0.5)
    .filter(el => !scrolls(el) || scrolls(el).getBoundingClientRect().width > column + 0.5)
    .map(el => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().width)}`);
}"""


def explore(page) -> dict:
    """Point at the explorers as a reader would: hover map points, click a confusion cell and
    a gallery digit; what each showed."""
    seen = {}
    page.wait_for_function(
        "document.querySelectorAll('.explorer-chart').length > 0 && "
        "document.querySelectorAll('.explorer-chart:not([data-ready])').length === 0"
    )
    seen["explorers"] = page.eval_on_selector_all(
        ".explorer-chart", "es => es.map(e => e.dataset.explorer)"
    )
    page.locator("#explorer-maps").scroll_into_view_if_needed()
    points = page.evaluate(ITEMS, ["maps", "map_points_marks"])
    seen["hovers"] = []
    for point in points[:: max(1, len(points) // 5)][:5]:
        x, y = point["x"] + 2, point["y"] + 1  # beside a point, not on it
        page.mouse.move(x, y)
        page.wait_for_timeout(100)
        (hovered,) = page.evaluate("window.tidymnistViews.maps.data('hover_store')")
        (key,) = hovered["values"]
        seen["hovers"].append(
            {
                "key": key,
                # how far the hovered digit and the nearest digit in the table lie from the pointer
                "distance": next(
                    math.dist((p["x"], p["y"]), (x, y)) for p in points if p["datum"]["key"] == key
                ),
                "nearest": min(math.dist((p["x"], p["y"]), (x, y)) for p in points),
                "details": [
                    i["datum"].get("details")
                    for i in page.evaluate(ITEMS, ["maps", "concat_1_layer_1_marks"])
                ],
                "image": [
                    i["datum"].get("image", "")[:22]
                    for i in page.evaluate(ITEMS, ["maps", "concat_1_layer_0_marks"])
                ],
            }
        )
    page.locator("#explorer-confusion").scroll_into_view_if_needed()
    cells = page.evaluate(ITEMS, ["confusion", "confusion_tiles_0_marks"])
    seen["cells"] = []
    for cell in (
        sorted(cells, key=lambda c: -c["datum"]["n"])[:1]
        + [c for c in cells if c["datum"]["label"] != c["datum"]["predicted"] and c["datum"]["n"]][
            :2
        ]
    ):
        page.mouse.click(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] / 2)
        page.wait_for_timeout(100)
        digits = page.evaluate(ITEMS, ["confusion", "cell_digits_marks"])
        seen["cells"].append({"n": cell["datum"]["n"], "shown": len(digits)})
    for gallery in ("least_typical", "mistakes"):
        page.locator(f"#explorer-{gallery}").scroll_into_view_if_needed()
        digits = page.evaluate(ITEMS, [gallery, f"{gallery}_grid_marks"])
        seen[f"{gallery}_shown"] = len(digits)
        if digits:
            page.mouse.click(digits[-1]["x"] + 4, digits[-1]["y"] + 4)
            page.wait_for_timeout(100)
            text = page.evaluate(ITEMS, [gallery, "concat_1_layer_1_marks"])
            seen[f"{gallery}_enlarged"] = [item["datum"].get("details") for item in text]
            seen[f"{gallery}_clicked"] = digits[-1]["datum"]["details"]
    return seen


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
        facts["explored"] = explore(page)
        facts["too_wide"] = page.evaluate(TOO_WIDE)
        facts["bytes"] = report.stat().st_size
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


def test_no_element_is_wider_than_the_article_column(page_facts):
    assert page_facts["too_wide"] == []


def test_the_report_stays_under_ten_megabytes(page_facts):
    assert page_facts["bytes"] < 10 * 1024 * 1024


def test_hovering_a_map_shows_the_digit_nearest_the_pointer(page_facts):
    explored = page_facts["explored"]
    assert {"maps", "confusion", "mistakes", "least_typical"} <= set(explored["explorers"])
    assert len(explored["hovers"]) == 5
    for hover in explored["hovers"]:
        # the digit shown is the one nearest the pointer (to the canvas's half pixel)
        assert hover["distance"] <= hover["nearest"] + 0.5
        # the enlarged digit and its details are the hovered digit's
        assert hover["image"] == ["data:image/png;base64,"]
        split, instance = hover["key"].split("-")
        assert f"{split} digit {instance}" in hover["details"][0]


def test_clicking_a_confusion_cell_shows_its_test_digits(page_facts):
    limit = 30  # report.cell_digits, the default
    cells = page_facts["explored"]["cells"]
    assert 1 <= len(cells) <= 3
    for cell in cells:  # the largest cell (the first `limit` of it), then up to two mistakes
        assert cell["shown"] == min(cell["n"], limit) > 0


def test_clicking_a_gallery_digit_enlarges_it_with_its_details(page_facts):
    explored = page_facts["explored"]
    assert explored["least_typical_shown"] > 0
    (details,) = explored["least_typical_enlarged"]
    assert details == explored["least_typical_clicked"]
    assert "training digit" in details and "from its centroid" in details
    assert explored["mistakes_shown"] > 0
    (details,) = explored["mistakes_enlarged"]
    assert details == explored["mistakes_clicked"]
    assert " read as " in details and "answers:" in details
    assert details.count("\n") >= 2 + len(trained_models())
