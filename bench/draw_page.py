"""How fast the draw page answers, and how large it is: the page as the workflow writes it
against the page of the last stop (the three light models as they are, the PCA plane, no
deskewed variants and no eigen-digit view), both built in this run from the same results.

Run after the workflow has built results/ (models, pca tables); each page is opened in headless
Chromium, a 0, a 1, a 4 and a 7 are drawn with the mouse ``--repeats`` times, and the page's own
timing of each update (``performance.now()`` around its update, from the pad's pixels to every
answer and view: body ``data-update-ms``) is read:

    uv run python bench/draw_page.py --results results
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tidymnist.core.digits import DIGIT_NAMES
from tidymnist.core.naming import variant_of
from tidymnist.io.tables import read_table
from tidymnist.models.trained import load_trained_models
from tidymnist.web.draw import offline_page, write_page

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_draw_browser import CHROMIUM, DIGITS, FLAGS, draw, pad_origin  # noqa: E402

# the test's 1, 7 and 0, and a 4 in two strokes, in the pad's own pixels (280 x 280)
STROKES = {**DIGITS, 4: [[(95, 50), (80, 150), (200, 150)], [(165, 60), (160, 240)]]}


def pages(results: Path, folder: Path) -> dict[str, Path]:
    """The workflow's page and the baseline's, written to ``folder``."""
    models = load_trained_models(results / "models")
    tables = {
        name: read_table(results / "tables" / f"pca_{name}.parquet")
        for name in ("loadings", "sample", "mean")
    }
    # the baseline: no deskewed variant, and loadings of the plane's two components only
    two = tables["loadings"].filter(tables["loadings"]["component"] <= 2)
    plain = {name: model for name, model in models.items() if not variant_of(name).deskew}
    written = {}
    for name, chosen, loadings in (
        ("workflow", models, tables["loadings"]),
        ("baseline", plain, two),
    ):
        html = offline_page(
            chosen,
            loadings,
            tables["sample"],
            tables["mean"],
            title="Draw",
            class_names=DIGIT_NAMES,
        )
        written[name] = folder / f"{name}.html"
        write_page(html, written[name])
    return written


def measure(path: Path, repeats: int) -> list[float]:
    """Milliseconds of each update that ended a stroke."""
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(path.as_uri(), wait_until="load")
        origin = pad_origin(page)
        for _ in range(repeats):
            for strokes in STROKES.values():
                page.click("#clear")
                for stroke in strokes:
                    draw(page, origin, [stroke])
                    times.append(float(page.get_attribute("body", "data-update-ms")))
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "results")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, path in pages(args.results, Path(folder)).items():
            times = measure(path, args.repeats)
            print(
                f"{name:9} {path.stat().st_size / 1e6:5.2f} MB  {len(times)} updates: "
                f"median {statistics.median(times):6.1f} ms, max {max(times):6.1f} ms"
            )


if __name__ == "__main__":
    main()
