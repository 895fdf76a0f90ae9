"""The draw page in a real headless Chromium: draw known digits with the mouse and with touch,
read the answers and the views.

The models (every kind, each as it is and deskewed; the CNN where PyTorch is installed) are
trained in the test on 10,000 real MNIST digits, and a t-SNE map on 2,000 of them. The page must
show exactly what :func:`tidymnist.web.export.predict_exported` gives for the 28 x 28 it shows,
make that 28 x 28 as :func:`tidymnist.handwriting.preprocess.to_mnist` makes it from the same
drawing, place it on the maps among training digits of its label, and recognise well-drawn
digits.
"""

import base64
import itertools
import json
import math
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tidymnist.core.extras import cnn_extra_installed
from tidymnist.core.naming import ModelVariant, Variant, variant_of
from tidymnist.embed.maps import (
    coordinates_table,
    fit_pca,
    loadings_table,
    mean_table,
    tsne_map_and_test_places,
)
from tidymnist.handwriting.preprocess import to_mnist
from tidymnist.io.dataset import load_split
from tidymnist.io.images import read_image_bytes
from tidymnist.io.models import save_model
from tidymnist.models.deskew import deskew
from tidymnist.models.pipelines import fit_model
from tidymnist.web.draw import draw_page, write_page
from tidymnist.web.export import (
    cnn_layers,
    eigen_exported,
    export_model,
    export_models,
    labels_exported,
    map_agreement,
    places_exported,
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
    "knn": {"n_neighbors": 4, "weights": "distance", "pca_components": 40},
    "svm": {"C": 10, "gamma": "scale", "probability": True, "pca_components": 50},
}
CNN_SPEC = {"channels": [8, 16], "hidden": 64, "epochs": 2, "batch_size": 128, "threads": 2}
# every model as it is and deskewed first, as `deskew: compare` trains them; the CNN as it is
SPECS = {
    **BASE_SPECS,
    **{ModelVariant(name, Variant.DESKEWED).name: spec for name, spec in BASE_SPECS.items()},
    **({"cnn": CNN_SPEC} if cnn_extra_installed() else {}),
}
N_CHECKED = 2000  # real test digits on which the page's own code must equal the Python models
MAP_DIGITS = 2000  # training digits on the test's t-SNE map
PLACE_TESTED = 200  # test digits placed by the map's transform and by the page's rule


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
    4: [[(100, 40), (75, 150), (215, 150)], [(185, 45), (190, 250)]],
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
def space(mnist_train, mnist_path):
    """The PCA of 10,000 training digits, every digit's coordinates (10,000 training and
    1,000 test digits), and a t-SNE map of 2,000 training digits with 200 test digits placed
    on it by the map's own transform, as the workflow makes them."""
    images, labels = mnist_train.images[:10_000], mnist_train.labels[:10_000]
    test = load_split(mnist_path, "test", limit=1000)
    pca = fit_pca(images)
    train_rows = (np.arange(len(images)), images, labels)
    coordinates = pl.concat(
        [
            coordinates_table(pca, 50, "train", train_rows),
            coordinates_table(pca, 50, "test", (np.arange(1000), test.images, test.labels)),
        ]
    )
    tsne = tsne_map_and_test_places(
        coordinates, size=MAP_DIGITS, test_size=PLACE_TESTED, dimensions=50, perplexity=30, seed=0
    )
    return pca, coordinates, tsne


@pytest.fixture(scope="module")
def export(mnist_train, models, space):
    images, labels = mnist_train.images[:10_000], mnist_train.labels[:10_000]
    pca, coordinates, tsne = space
    sample = coordinates_table(pca, 2, "train", (np.arange(2000), images[:2000], labels[:2000]))
    return export_models(
        models,
        loadings_table(pca, 50),
        sample,
        mean_table(images),
        coordinates=coordinates,
        maps={"tsne": tsne["map"]},
    )


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


def _wait_for_the_answer(page, before: int) -> None:
    # No script evaluation to wait (the served page's policy forbids eval): a selector.
    page.wait_for_selector(f'body[data-final="{before + 1}"]', state="attached")


def draw(page, origin, strokes) -> None:
    """Draw ``strokes`` with the mouse, waiting for the page to answer each."""
    for stroke in strokes:
        before = int(page.get_attribute("body", "data-final"))
        page.mouse.move(origin[0] + stroke[0][0], origin[1] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(origin[0] + x, origin[1] + y, steps=6)
        page.mouse.up()
        _wait_for_the_answer(page, before)


def draw_by_touch(page, origin, strokes) -> None:
    """Draw ``strokes`` with a finger: the browser's own touch events (through the DevTools
    protocol, as a touch screen sends them), which it turns into the pointer events the page
    listens to."""
    session = page.context.new_cdp_session(page)
    for stroke in strokes:
        before = int(page.get_attribute("body", "data-final"))
        points = [stroke[0]]
        for (x0, y0), (x1, y1) in itertools.pairwise(stroke):
            points += [(x0 + (x1 - x0) * t / 6, y0 + (y1 - y0) * t / 6) for t in range(1, 7)]
        for i, (x, y) in enumerate(points):
            kind = "touchStart" if i == 0 else "touchMove"
            touch = [{"x": origin[0] + x, "y": origin[1] + y, "id": 1}]
            session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touch})
        session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        _wait_for_the_answer(page, before)
    session.detach()


HOW = {"mouse": draw, "touch": draw_by_touch}


@pytest.fixture(scope="module")
def drawn(export, tmp_path_factory):
    """Open the page, draw each digit with the mouse and by touch, and read back what the page
    shows."""
    sync_api = browser_api()
    page_file = tmp_path_factory.mktemp("draw") / "draw.html"
    # With the server flag on: opened from a file it must still ask nothing of any network.
    write_page(draw_page(export, server=True), page_file)
    facts = {"console": [], "requests": [], "digits": {}}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000}, has_touch=True)
        page.on("console", lambda m: m.type == "error" and facts["console"].append(m.text))
        page.on("pageerror", lambda error: facts["console"].append(str(error)))
        page.on("request", lambda request: facts["requests"].append(request.url))
        page.goto(page_file.as_uri(), wait_until="load")
        page.wait_for_selector('body[data-ready="true"]', state="attached")
        origin = pad_origin(page)
        for how, drawer in HOW.items():
            for digit, strokes in DIGITS.items():
                page.click("#clear")
                drawer(page, origin, strokes)
                facts["digits"][how, digit] = page.evaluate(
                    """() => ({
                      pixels: document.getElementById('digit28').dataset.pixels,
                      png: document.getElementById('pad').toDataURL('image/png'),
                      maps: Object.fromEntries(Array.from(document.querySelectorAll('canvas.map'),
                        c => [c.dataset.map, [c.dataset.x, c.dataset.y]])),
                      layers: Array.from(document.querySelectorAll('#cnn-layers [data-layer]'),
                        f => [f.dataset.layer, f.querySelectorAll('canvas').length,
                              f.dataset.top]),
                      weights: document.getElementById('eigen').dataset.weights,
                      rebuilt: Array.from(document.querySelectorAll('[data-components]'),
                                          c => c.dataset.components),
                      cards: Array.from(document.querySelectorAll('[data-model]')).map(c => ({
                        model: c.dataset.model, prediction: c.dataset.prediction,
                        probabilities: c.dataset.probabilities,
                        answer: c.querySelector('.answer').textContent})),
                    })"""
                )
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"draw_{how}_{digit}.png"), full_page=True)
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


DRAWINGS = [(how, digit) for how in HOW for digit in DIGITS]


@pytest.mark.parametrize("drawing", DRAWINGS, ids=[f"{h}-{d}" for h, d in DRAWINGS])
def test_the_page_shows_what_the_exported_models_compute(drawn, export, drawing):
    facts = drawn["digits"][drawing]
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
    # every map's marker where Python puts the same 28 x 28
    shown = {name: [float(v) for v in where] for name, where in facts["maps"].items()}
    assert set(shown) == {"plane", "tsne"}
    np.testing.assert_allclose(shown["plane"], plane_exported(export, image)[0], atol=1e-9)
    np.testing.assert_allclose(shown["tsne"], places_exported(export, image)["tsne"][0], atol=1e-9)
    # the eigen-digit view follows the drawing: its weight on every component, and a rebuilt
    # image for each step
    np.testing.assert_allclose(
        json.loads(facts["weights"]), eigen_exported(export, image)["weights"][0], atol=1e-9
    )
    assert [int(k) for k in facts["rebuilt"]] == export["eigen"]["steps"]


@pytest.mark.parametrize("drawing", DRAWINGS, ids=[f"{h}-{d}" for h, d in DRAWINGS])
def test_well_drawn_digits_are_recognised(drawn, drawing):
    cards = {card["model"]: int(card["prediction"]) for card in drawn["digits"][drawing]["cards"]}
    # every model reads each of the four clear digits, with the mouse and with a finger
    assert cards == dict.fromkeys(SPECS, drawing[1])


def _neighbour_labels(points: np.ndarray, labels: np.ndarray, where, k: int = 10) -> np.ndarray:
    nearest = np.argsort(((points - np.asarray(where, float)) ** 2).sum(axis=1))[:k]
    return labels[nearest]


@pytest.mark.parametrize("drawing", DRAWINGS, ids=[f"{h}-{d}" for h, d in DRAWINGS])
def test_the_drawing_lies_among_training_digits_of_its_label(drawn, export, drawing):
    """Most of the drawing's 10 nearest training digits in the PCA space (whose first two axes
    are the plane) have its label, and on the t-SNE map, where the page puts it, its label is
    one of the two most common among its 10 nearest map digits, 3 of them at least.

    The map's test is the looser because the map's own regions touch: on the test's map of
    2,000 digits the 4s and 9s interleave where they meet, and a well-drawn 4 whose 10 PCA
    neighbours are 7 fours and 3 nines was placed there, among 3 fours and 7 nines, on one
    machine, where another had placed it among fours. On the plane
    itself the labels mix more: 0, 2, 3 and 5 share its middle, 4, 7 and 9 its lower left.
    """
    facts, digit = drawn["digits"][drawing], drawing[1]
    maps = export["maps"]
    in_pca = maps["codes"] * maps["scale"][0]
    weights = json.loads(facts["weights"])[: in_pca.shape[1]]
    near = _neighbour_labels(in_pca, maps["labels"], weights)
    assert (near == digit).sum() > 5, near
    tsne = next(m for m in maps["maps"] if m["name"] == "tsne")
    on_tsne = np.column_stack([tsne["x"], tsne["y"]]).astype(float)
    near = _neighbour_labels(on_tsne, maps["labels"], [float(v) for v in facts["maps"]["tsne"]])
    counts = np.bincount(near, minlength=10)
    assert counts[digit] >= 3 and counts[digit] >= np.sort(counts)[-2], near


def test_the_cnns_feature_maps_are_shown_for_every_convolution(drawn, export):
    pytest.importorskip("torch", reason="the CNN needs PyTorch, the optional extra 'cnn'")
    network = next(m for m in export["models"] if m["kind"] == "cnn")
    facts = drawn["digits"]["mouse", 7]
    x = pixels_of(facts).reshape(1, -1) / np.float32(255)
    _, maps = cnn_layers(network, x.astype(np.float32).astype(np.float64))
    shown = [(name, count) for name, count, _ in facts["layers"]]
    assert shown == [(name, m.shape[1]) for name, m in maps.items()]
    assert [name for name, _ in shown] == ["conv1", "conv2", "conv3", "conv4"]
    # each layer's shared scale is its strongest response to this drawing
    for name, _, top in facts["layers"]:
        assert float(top) == pytest.approx(maps[name].max(), rel=1e-9)


@pytest.mark.parametrize("digit", list(DIGITS))
def test_the_page_preprocesses_as_python_does(drawn, digit):
    facts = drawn["digits"]["mouse", digit]
    png = base64.b64decode(facts["png"].split(",", 1)[1])
    python = to_mnist(read_image_bytes(png, "pad.png")).astype(int)
    page = pixels_of(facts)[0].astype(int)
    assert page.max() == 255 and (page > 0).sum() > 40  # a real digit, not a blank
    # The same steps on the same pixels: equal but for a last-bit rounding here and there.
    assert np.abs(page - python).max() <= 1
    assert (page != python).sum() <= 3


def test_the_pages_place_on_the_map_is_close_to_the_maps_own_transform(export, space):
    """The page puts a drawing at the median place of its nearest map digits; the workflow's
    openTSNE places test digits by optimising from there. On 200 test digits the two lie a
    median of under a tenth of the map's width apart (the workflow's map: 4%, bench/README)."""
    _, coordinates, tsne = space
    agreed = map_agreement(export, coordinates, {"tsne": tsne["test_places"]})["tsne"]
    assert agreed["digits"] == PLACE_TESTED
    width = float(np.ptp(tsne["map"]["tsne1"].to_numpy()))
    assert 0 < agreed["distance"] < 0.1 * width


def test_no_console_errors_and_no_network(drawn):
    assert drawn["console"] == []
    assert all(url.startswith(("file:", "data:")) for url in drawn["requests"])


def test_clear_works_from_the_keyboard(drawn):
    assert drawn["after_escape"] == ""
    assert drawn["clear_focused"] == "clear"
    assert (ARTIFACTS / "draw_touch_7.png").stat().st_size > 20_000


@pytest.fixture(scope="module")
def served(models, tmp_path_factory):
    """The page from ``tidymnist serve``: a drawn 7's answers in the page and from the server."""
    sync_api = browser_api()
    folder = tmp_path_factory.mktemp("served") / "models"
    for name, model in models.items():
        if variant_of(name).base == "cnn":
            from tidymnist.models.cnn_file import save_cnn  # noqa: PLC0415 (needs PyTorch)

            save_cnn(model, folder / f"{name}.safetensors", {"model": name})
        else:
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
            page.wait_for_selector('body[data-ready="true"]', state="attached")
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
        page.wait_for_selector('body[data-ready="true"]', state="attached")
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
def test_every_model_in_the_page_answers_as_the_python_model(
    page_on_test_digits, models, export, name
):
    """Probabilities within 1e-4 of the model's own on real test digits, labels identical: the
    deskewed variants included, since the page deskews as the pipeline does.

    The k-NN's coordinates travel to a thousandth (:data:`tidymnist.web.export.KNN_STEP`): the
    page computes exactly what :func:`predict_exported` computes from them, and that equals the
    model but where a digit's k-th and next nearest training digits are closer in distance than
    the rounding can order (a few in a thousand), so they swap."""
    images, answers = page_on_test_digits
    model = models[name]
    flat = images.reshape(len(images), -1)
    expected = model.predict_proba(flat)
    shown = np.array(answers["models"][name]["p"])
    labels = np.array(answers["models"][name]["labels"])
    if variant_of(name).base == "knn":
        python = predict_exported({"models": [export_model(name, model)]}, images)[name]
        np.testing.assert_allclose(shown, python, atol=1e-9)  # the page is its arithmetic
        close = np.abs(shown - expected).max(axis=1) <= 1e-4
        assert close.mean() >= 0.995, (~close).sum()
        assert (labels != model.predict(flat)).sum() <= 2
        return
    np.testing.assert_allclose(shown, expected, atol=1e-4)
    assert (labels == model.predict(flat)).all()


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
