"""How fast the draw page answers, and how large it is: the page as the workflow writes it
(every model, the PCA plane, the t-SNE and UMAP maps, the eigen-digit and feature-map views)
against the page of the last stop (nearest centroid, logistic regression and the MLP as they
are and deskewed, the plane and the eigen-digit view), both built in this run from the same
results.

Run after the workflow has built results/ (models, PCA and map tables); each page is opened in
headless Chromium, a 0, a 1, a 4 and a 7 are drawn with the mouse ``--repeats`` times, and the
page's own timing of each update (``performance.now()`` around its update, from the pad's pixels
to every answer and view: body ``data-update-ms``) is read, with the seconds from opening the
page until its arrays are decoded (body ``data-ready``):

    uv run python bench/draw_page.py --results results
"""

import argparse
import statistics
import sys
import tempfile
import time
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

TABLES = {
    "loadings": "pca_loadings",
    "sample": "pca_sample",
    "mean": "pca_mean",
    "coordinates": "pca_coordinates",
    **{f"{m}_{kind}": f"{m}_{kind}" for m in ("tsne", "umap") for kind in ("map", "test_places")},
}
LIGHT = ("nearest_centroid", "logistic_regression", "neural_network")  # the last stop's page


def pages(results: Path, folder: Path) -> dict[str, Path]:
    """The workflow's page and the baseline's, written to ``folder``."""
    models = load_trained_models(results / "models")
    tables = {
        key: read_table(results / "tables" / f"{name}.parquet") for key, name in TABLES.items()
    }
    light = {name: model for name, model in models.items() if variant_of(name).base in LIGHT}
    plane = {key: tables[key] for key in ("loadings", "sample", "mean")}
    written = {}
    for name, chosen, inlined in (("workflow", models, tables), ("baseline", light, plane)):
        html = offline_page(chosen, inlined, title="Draw", class_names=DIGIT_NAMES)
        written[name] = folder / f"{name}.html"
        write_page(html, written[name])
    return written


def measure(path: Path, repeats: int) -> tuple[float, list[float]]:
    """Seconds until the page is ready, and milliseconds of each update that ended a stroke."""
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        started = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_selector('body[data-ready="true"]', state="attached", timeout=120_000)
        ready = time.perf_counter() - started
        origin = pad_origin(page)
        for _ in range(repeats):
            for strokes in DIGITS.values():
                page.click("#clear")
                for stroke in strokes:
                    draw(page, origin, [stroke])
                    times.append(float(page.get_attribute("body", "data-update-ms")))
        browser.close()
    return ready, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "results")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, path in pages(args.results, Path(folder)).items():
            ready, times = measure(path, args.repeats)
            print(
                f"{name:9} {path.stat().st_size / 1e6:5.2f} MB  ready in {ready:4.1f} s  "
                f"{len(times)} updates: median {statistics.median(times):6.1f} ms, "
                f"max {max(times):6.1f} ms"
            )


if __name__ == "__main__":
    main()
