"""``tidymnist serve``: the page and every model on localhost, and nothing else, to no one else."""

import http.client
import io
import json
import logging
import threading

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tidymnist.embed.maps import coordinates_table, fit_pca, loadings_table, mean_table
from tidymnist.handwriting.preprocess import to_mnist
from tidymnist.io.dataset import load_split
from tidymnist.io.images import read_image_bytes
from tidymnist.io.models import save_model
from tidymnist.io.tables import write_table
from tidymnist.models.pipelines import fit_model
from tidymnist.web.serve import ServeError, is_local, make_server

MODELS = {
    "nearest_centroid": {},
    "logistic_regression": {"C": 0.1, "max_iter": 40},
    "knn": {"n_neighbors": 3, "weights": "uniform", "pca_components": 10},
    "svm": {"C": 1.0, "gamma": "scale", "probability": False},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory, test_data_dir):
    """A results folder like the workflow's: models with their cards, and the PCA tables."""
    root = tmp_path_factory.mktemp("results")
    train = load_split(test_data_dir, "train")
    for name, spec in MODELS.items():
        model, _ = fit_model(name, spec, 0, train.images, train.labels)
        save_model(model, root / "models" / f"{name}.skops", {"model": name})
    pca = fit_pca(train.images)
    instances = np.arange(len(train.labels))
    write_table(loadings_table(pca, 2), root / "tables" / "pca_loadings.parquet")
    sample = coordinates_table(pca, 2, "train", (instances, train.images, train.labels))
    write_table(sample, root / "tables" / "pca_sample.parquet")
    write_table(mean_table(train.images), root / "tables" / "pca_mean.parquet")
    return root


@pytest.fixture(scope="module")
def server(results):
    server = make_server(results / "models", port=0, max_bytes=100_000)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def request(server, method, path, body=None, headers=None):
    """Send exactly this request line (no client-side path clean-up); status, headers, body."""
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def png(draw=None, size=280) -> bytes:
    """A white PNG, with the strokes ``draw`` makes on it."""
    image = Image.new("RGB", (size, size), "white")
    if draw:
        draw(ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def one(pen):
    pen.line([(140, 40), (140, 240)], fill="black", width=20)


def test_binds_to_localhost_by_default(server):
    assert server.server_address[0] == "127.0.0.1"
    assert server.url.startswith("http://127.0.0.1:")


def test_another_address_only_when_asked_and_with_a_warning(results, caplog):
    assert is_local("127.0.0.1") and is_local("::1") and is_local("localhost")
    assert not is_local("0.0.0.0") and not is_local("192.168.1.5") and not is_local("example")
    with caplog.at_level(logging.WARNING, logger="tidymnist.web.serve"):
        other = make_server(results / "models", host="0.0.0.0", port=0)
    other.server_close()
    assert other.server_address[0] == "0.0.0.0"
    assert "other machines" in caplog.text


def test_the_page_is_served_with_every_model_and_the_plane(server):
    status, headers, body = request(server, "GET", "/")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert 'data-server="true"' in page
    assert 'data-model="logistic_regression"' in page and 'id="plane"' in page
    # the k-NN runs in the page; the uncalibrated SVM (votes, no probabilities) only here
    assert 'data-model="knn"' in page and 'data-model="svm"' not in page
    assert "SVM is of a kind this page cannot run" in " ".join(page.split())


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/results/tables/x",
        "/models/knn.skops",
        "//etc/passwd",
        "/draw.html",
    ],
)
def test_no_file_is_served(server, path):
    status, _, body = request(server, "GET", path)
    assert status == 404
    assert b"root:" not in body
    assert json.loads(body)["error"].startswith("not found")


def test_a_drawn_digit_gets_every_models_answer(server):
    drawing = png(one)
    status, headers, body = request(
        server, "POST", "/predict", drawing, {"Content-Type": "image/png"}
    )
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    content = json.loads(body)
    assert sorted(m["model"] for m in content["models"]) == sorted(MODELS)
    for answer in content["models"]:
        assert 0 <= answer["prediction"] <= 9
        if answer["model"] == "svm":
            assert answer["probabilities"] is None  # fitted without probabilities
        else:
            assert len(answer["probabilities"]) == 10
            assert sum(answer["probabilities"]) == pytest.approx(1)
            assert np.argmax(answer["probabilities"]) == answer["prediction"] or (
                answer["model"] == "nearest_centroid"  # decides by plain distance
            )
    expected = to_mnist(read_image_bytes(drawing, "drawing"))
    assert content["image"] == expected.reshape(-1).tolist()
    assert max(content["image"]) == 255


def test_a_body_over_the_limit_is_refused_unread(server):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest("POST", "/predict")
        connection.putheader("Content-Type", "image/png")
        connection.putheader("Content-Length", str(10**9))  # announced, never sent
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
        assert "limit of 100000 bytes" in json.loads(response.read())["error"]
    finally:
        connection.close()
    status, _, _ = request(
        server, "POST", "/predict", b"\x89PNG" + bytes(200_000), {"Content-Type": "image/png"}
    )
    assert status == 413


def test_text_is_not_an_image(server):
    status, _, body = request(server, "POST", "/predict", b"hello", {"Content-Type": "text/plain"})
    assert status == 415 and "expected an image" in json.loads(body)["error"]
    status, _, body = request(
        server, "POST", "/predict", b"hello, I am not a PNG", {"Content-Type": "image/png"}
    )
    assert status == 415 and "not an image" in json.loads(body)["error"]
    status, _, body = request(
        server, "POST", "/predict", png(one)[:60], {"Content-Type": "image/png"}
    )
    assert status == 415 and "upload" in json.loads(body)["error"]


def test_a_blank_page_has_no_ink(server):
    status, _, body = request(server, "POST", "/predict", png(), {"Content-Type": "image/png"})
    assert status == 422 and "no ink" in json.loads(body)["error"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("PUT", "/predict", "POST"), ("DELETE", "/", "GET, HEAD"), ("GET", "/predict", "POST")],
)
def test_wrong_methods_are_refused(server, method, path, allowed):
    status, headers, _ = request(server, method, path, b"" if method != "GET" else None)
    assert status == 405
    assert headers["Allow"] == allowed
    assert request(server, "POST", "/", b"x", {"Content-Type": "image/png"})[0] == 405


def test_a_missing_page_file_is_a_clear_error(results, tmp_path):
    with pytest.raises(ServeError, match="cannot read the page"):
        make_server(results / "models", page=tmp_path / "none.html", port=0)


def test_a_page_file_is_served_as_it_is(results, tmp_path):
    page = tmp_path / "draw.html"
    page.write_text("<!DOCTYPE html><title>mine</title>")
    server = make_server(results / "models", page=page, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert request(server, "GET", "/")[2] == page.read_bytes()
    finally:
        server.shutdown()
        server.server_close()
