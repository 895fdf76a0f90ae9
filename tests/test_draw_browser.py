"""The draw page in a real headless Chromium: draw known digits with the mouse, read the answers.

The models are trained in the test on 10,000 real MNIST digits; the page must show exactly what
:func:`tidymnist.web.export.predict_exported` gives for the 28 x 28 it shows, make that 28 x 28 as
:func:`tidymnist.handwriting.preprocess.to_mnist` makes it from the same drawing, and recognise
well-drawn
digits.
"""

import base64
import json
import math
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from tidymnist.core.naming import ModelVariant, Variant, variant_of
from tidymnist.embed.maps import coordinates_table, fit_pca, loadings_table, mean_table
from tidymnist.handwriting.preprocess import to_mnist
from tidymnist.io.dataset import load_split
from tidymnist.io.images import read_image_bytes
from tidymnist.io.models import save_model
from tidymnist.models.deskew import deskew
from tidymnist.models.pipelines import fit_model
from tidymnist.web.draw import draw_page, write_page
from tidymnist.web.export import (
    eigen_exported,
    export_models,
    labels_exported,
    plane_exported,
    predict_exported,
)
from tidymnist.web.serve import make_server
from workflow_runner import REPO

pytestmark = [pytest.mark.mnist, pytest.mark.browser]
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
ARTIFACTS = Path(os.environ.get("TIDYMNIST_ARTIFACTS", REPO / "artifacts"))
BASE_SPECS = {
    "nearest_centroid": {},
    "logistic_regression": {"C": 0.1, "max_iter": 100},
    "neural_network": {
        "hidden_layer_sizes": [128],
        "alpha": 1e-3,
        "batch_size": 128,
        "learning_rate": 1e-3,
        "max_epochs": 8,
        "early_stopping": False,
        "patience": 5,
    },
}
# every model as it is and deskewed first, as `deskew: compare` trains them
SPECS = {
    **BASE_SPECS,
    **{ModelVariant(name, Variant.DESKEWED).name: spec for name, spec in BASE_SPECS.items()},
}
N_CHECKED = 2000  # real test digits on which the page's own code must equal the Python models


def ellipse(cx, cy, rx, ry, n=48):
    return [
        (cx + rx * math.sin(2 * math.pi * i / n), cy - ry * math.cos(2 * math.pi * i / n))
        for i in range(n + 1)
    ]


# Strokes in the pad's own pixels (280 x 280), as a person would draw them.
DIGITS = {
    1: [[(150, 45), (146, 120), (140, 235)]],
    7: [[(75, 55), (140, 52), (205, 55)], [(205, 55), (165, 145), (125, 235)]],
    0: [ellipse(140, 140, 62, 92)],
}


@pytest.fixture(scope="module")
def models(mnist_train):
    images, labels = mnist_train.images[:10_000], mnist_train.labels[:10_000]
    variants = {name: variant_of(name) for name in SPECS}
    return {
        name: fit_model(v.base, SPECS[name], 0, images, labels, deskew=v.deskew)[0]
        for name, v in variants.items()
    }


@pytest.fixture(scope="module")
def export(mnist_train, models):
    images, labels = mnist_train.images[:10_000], mnist_train.labels[:10_000]
    pca = fit_pca(images)
    sample = coordinates_table(pca, 2, "train", (np.arange(2000), images[:2000], labels[:2000]))
    return export_models(models, loadings_table(pca, 50), sample, mean_table(images))


def browser_api():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install chromium (.ci/run does)")
    return pytest.importorskip("playwright.sync_api")


def pad_origin(page) -> list[float]:
    """Where the pad's drawing area starts on the page (inside its border)."""
    return page.evaluate(
        """() => { const p = document.getElementById('pad'), r = p.getBoundingClientRect();
                   return [r.left + p.clientLeft, r.top + p.clientTop]; }"""
    )


def draw(page, origin, strokes) -> None:
    """Draw ``strokes`` with the mouse, waiting for the page to answer each."""
    for stroke in strokes:
        before = int(page.get_attribute("body", "data-final"))
        page.mouse.move(origin[0] + stroke[0][0], origin[1] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(origin[0] + x, origin[1] + y, steps=6)
        page.mouse.up()
        # No script evaluation to wait (the served page's policy forbids eval): a selector.
        page.wait_for_selector(f'body[data-final="{before + 1}"]', state="attached")


@pytest.fixture(scope="module")
def drawn(export, tmp_path_factory):
    """Open the page, draw each digit, and read back what the page shows."""
    sync_api = browser_api()
    page_file = tmp_path_factory.mktemp("draw") / "draw.html"
    # With the server flag on: opened from a file it must still ask nothing of any network.
    write_page(draw_page(export, server=True), page_file)
    facts = {"console": [], "requests": [], "digits": {}}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.on("console", lambda m: m.type == "error" and facts["console"].append(m.text))
        page.on("pageerror", lambda error: facts["console"].append(str(error)))
        page.on("request", lambda request: facts["requests"].append(request.url))
        page.goto(page_file.as_uri(), wait_until="load")
        origin = pad_origin(page)
        for digit, strokes in DIGITS.items():
            page.click("#clear")
            draw(page, origin, strokes)
            facts["digits"][digit] = page.evaluate(
                """() => ({
                  pixels: document.getElementById('digit28').dataset.pixels,
                  png: document.getElementById('pad').toDataURL('image/png'),
                  plane: [document.getElementById('plane').dataset.x,
                          document.getElementById('plane').dataset.y],
                  weights: document.getElementById('eigen').dataset.weights,
                  rebuilt: Array.from(document.querySelectorAll('[data-components]'),
                                      c => c.dataset.components),
                  cards: Array.from(document.querySelectorAll('[data-model]')).map(c => ({
                    model: c.dataset.model, prediction: c.dataset.prediction,
                    probabilities: c.dataset.probabilities,
                    answer: c.querySelector('.answer').textContent})),
                })"""
            )
            if digit == 7:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "draw.png"), full_page=True)
        page.keyboard.press("Escape")
        facts["after_escape"] = page.get_attribute("#digit28", "data-pixels")
        page.focus("#clear")
        facts["clear_focused"] = page.evaluate("document.activeElement.id")
        browser.close()
    return facts


def pixels_of(facts) -> np.ndarray:
    values = [int(v) for v in facts["pixels"].split(",")]
    assert len(values) == 784
    return np.array(values, np.uint8).reshape(1, 28, 28)


@pytest.mark.parametrize("digit", list(DIGITS))
def test_the_page_shows_what_the_exported_models_compute(drawn, export, digit):
    facts = drawn["digits"][digit]
    image = pixels_of(facts)
    probabilities = predict_exported(export, image)
    labels = labels_exported(export, image)
    assert [card["model"] for card in facts["cards"]] == list(SPECS)
    for card in facts["cards"]:
        name = card["model"]
        assert int(card["prediction"]) == labels[name][0]
        assert card["answer"] == str(labels[name][0])
        shown = np.array(json.loads(card["probabilities"]))
        np.testing.assert_allclose(shown, probabilities[name][0], atol=1e-9)
    np.testing.assert_allclose(
        [float(v) for v in facts["plane"]], plane_exported(export, image)[0], atol=1e-9
    )
    # the eigen-digit view follows the drawing: its weight on every component, and a rebuilt
    # image for each step
    np.testing.assert_allclose(
        json.loads(facts["weights"]), eigen_exported(export, image)["weights"][0], atol=1e-9
    )
    assert [int(k) for k in facts["rebuilt"]] == export["eigen"]["steps"]


@pytest.mark.parametrize("digit", list(DIGITS))
def test_well_drawn_digits_are_recognised(drawn, digit):
    cards = {card["model"]: int(card["prediction"]) for card in drawn["digits"][digit]["cards"]}
    assert cards["logistic_regression"] == digit
    assert cards["neural_network"] == digit


@pytest.mark.parametrize("digit", list(DIGITS))
def test_the_page_preprocesses_as_python_does(drawn, digit):
    facts = drawn["digits"][digit]
    png = base64.b64decode(facts["png"].split(",", 1)[1])
    python = to_mnist(read_image_bytes(png, "pad.png")).astype(int)
    page = pixels_of(facts)[0].astype(int)
    assert page.max() == 255 and (page > 0).sum() > 40  # a real digit, not a blank
    # The same steps on the same pixels: equal but for a last-bit rounding here and there.
    assert np.abs(page - python).max() <= 1
    assert (page != python).sum() <= 3


def test_no_console_errors_and_no_network(drawn):
    assert drawn["console"] == []
    assert all(url.startswith(("file:", "data:")) for url in drawn["requests"])


def test_clear_works_from_the_keyboard(drawn):
    assert drawn["after_escape"] == ""
    assert drawn["clear_focused"] == "clear"
    assert (ARTIFACTS / "draw.png").stat().st_size > 20_000


@pytest.fixture(scope="module")
def served(models, tmp_path_factory):
    """The page from ``tidymnist serve``: a drawn 7's answers in the page and from the server."""
    sync_api = browser_api()
    folder = tmp_path_factory.mktemp("served") / "models"
    for name, model in models.items():
        save_model(model, folder / f"{name}.skops", {"model": name})
    server = make_server(folder, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    facts = {"console": []}
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.on("console", lambda m: m.type == "error" and facts["console"].append(m.text))
            page.on("pageerror", lambda error: facts["console"].append(str(error)))
            page.goto(server.url, wait_until="load")
            draw(page, pad_origin(page), DIGITS[7])
            page.wait_for_selector('#server-status[data-state="answered"]')
            facts["page"] = page.eval_on_selector_all(
                "[data-model]", "cs => cs.map(c => [c.dataset.model, c.dataset.prediction])"
            )
            facts["server"] = page.eval_on_selector_all(
                "[data-server-model]",
                "cs => cs.map(c => [c.dataset.serverModel, c.dataset.prediction])",
            )
            facts["status"] = page.text_content("#server-status")
            page.screenshot(path=str(ARTIFACTS / "draw_served.png"), full_page=True)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return facts


def test_served_page_shows_the_servers_answers_which_agree_with_its_own(served):
    assert served["console"] == []
    assert sorted(served["server"]) == sorted(served["page"])  # same 28 x 28, same models
    assert dict(served["server"])["neural_network"] == "7"
    assert served["status"].startswith(f"{len(SPECS)} models answered")


@pytest.fixture(scope="module")
def page_on_test_digits(export, mnist_path, tmp_path_factory):
    """The page's own code (``window.tidymnist``) run in Chromium on real test digits: each
    digit deskewed, and every model's answer and probabilities."""
    sync_api = browser_api()
    images = load_split(mnist_path, "test").images[:N_CHECKED]
    page_file = tmp_path_factory.mktemp("equal") / "draw.html"
    write_page(draw_page(export), page_file)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(page_file.as_uri(), wait_until="load")
        answers = page.evaluate(
            """(images) => {
              const t = window.tidymnist, out = {deskewed: [], models: {}, eigen: []};
              for (const model of t.models) out.models[model.name] = {labels: [], p: []};
              for (const image of images) {
                const pixels = Uint8Array.from(image);
                out.deskewed.push(Array.from(t.deskew(pixels)));
                if (out.eigen.length < 200) {
                  const view = t.eigen(pixels);
                  out.eigen.push({weights: Array.from(view.weights),
                    rebuilt: Object.fromEntries(Object.entries(view.rebuilt).map(
                      ([k, v]) => [k, Array.from(v)]))});
                }
                for (const model of t.models) {
                  const r = t.predict(model, pixels);
                  out.models[model.name].labels.push(r.prediction);
                  out.models[model.name].p.push(r.probabilities);
                }
              }
              return out;
            }""",
            images.reshape(len(images), -1).tolist(),
        )
        browser.close()
    return images, answers


def test_the_pages_deskewing_is_pythons(page_on_test_digits):
    images, answers = page_on_test_digits
    page = np.array(answers["deskewed"], dtype=np.int16).reshape(images.shape)
    python = deskew(images).astype(np.int16)
    assert np.abs(page - python).max() <= 1
    assert (page != python).sum() <= 5  # of 1.6 million pixels: a last-bit tie at most


@pytest.mark.parametrize("name", list(SPECS))
def test_every_model_in_the_page_answers_as_the_python_model(page_on_test_digits, models, name):
    """Probabilities within 1e-4 of scikit-learn's own on real test digits, labels identical:
    the deskewed variants included, since the page deskews as the pipeline does."""
    images, answers = page_on_test_digits
    model = models[name]
    expected = model.predict_proba(images.reshape(len(images), -1))
    shown = np.array(answers["models"][name]["p"])
    np.testing.assert_allclose(shown, expected, atol=1e-4)
    labels = np.array(answers["models"][name]["labels"])
    assert (labels == model.predict(images.reshape(len(images), -1))).all()


def test_the_pages_eigen_digit_view_is_pythons(page_on_test_digits, export):
    images, answers = page_on_test_digits
    python = eigen_exported(export, images[: len(answers["eigen"])])
    assert export["eigen"]["steps"] == [1, 2, 5, 10, 20, 50][: len(export["eigen"]["steps"])]
    for i, view in enumerate(answers["eigen"]):
        np.testing.assert_allclose(view["weights"], python["weights"][i], atol=1e-9)
        for k, rebuilt in view["rebuilt"].items():
            np.testing.assert_allclose(rebuilt, python["rebuilt"][int(k)][i], atol=1e-9)
    # more components, closer to the digit itself
    x = images[: len(answers["eigen"])].reshape(len(answers["eigen"]), -1) / 255
    errors = [np.abs(python["rebuilt"][k] - x).mean() for k in export["eigen"]["steps"]]
    assert errors == sorted(errors, reverse=True)
