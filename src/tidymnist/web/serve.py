"""``tidymnist serve``: the draw page, with every trained model behind it, on a local server.

The page runs every model it can itself; this server answers with every trained model, for the
page (and a model the page cannot run, such as an SVM without probabilities) and for images sent
from elsewhere. It serves exactly two things: the page at ``/`` and predictions at
``POST /predict``. Nothing is read from the filesystem per request, so no path can reach a file.
It listens on 127.0.0.1 unless another address is asked for explicitly; request bodies are
limited in size, refused before they are read when they say they are larger, and accepted only
when they are images.
"""

import ipaddress
import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from tidymnist.core.digits import DIGIT_NAMES
from tidymnist.core.errors import TidyMnistError
from tidymnist.evaluate.predict import predict_table, probabilities_table
from tidymnist.handwriting.preprocess import PreprocessError, to_mnist
from tidymnist.io.images import ImageFileError, read_image_bytes
from tidymnist.io.tables import read_table
from tidymnist.models.trained import load_trained_models
from tidymnist.web.draw import draw_page
from tidymnist.web.export import export_models

log = logging.getLogger(__name__)

MAX_BYTES = 2_000_000  # a drawing's PNG is a few kB; a phone photo a few MB
IMAGE_TYPES = ("image/", "application/octet-stream")
PLANE_TABLES = ("pca_loadings", "pca_sample", "pca_mean")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'"
)


class ServeError(TidyMnistError, ValueError):
    """The server cannot start as asked (a missing page file, a bad address)."""


def is_local(host: str) -> bool:
    """Whether ``host`` is a loopback address (only this machine can connect)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def answer(models: Mapping[str, Any], data: bytes, name: str = "upload") -> dict[str, Any]:
    """What every model makes of the image in ``data``: ``{"models": [{"model", "prediction",
    "probabilities"}], "image": [784 ints]}`` (probabilities null for a model without them).

    Raises :class:`ImageFileError` for bytes that are not an image, :class:`PreprocessError`
    (:class:`NoInkError`) for an image without a digit.
    """
    image = to_mnist(read_image_bytes(data, name))
    stack = image[np.newaxis]
    chosen = predict_table(models, stack, [name])
    spread = probabilities_table(models, stack, [name])
    results = []
    for model, prediction in zip(chosen["model"], chosen["prediction"], strict=True):
        probabilities = spread.filter(model=model).sort("label")["probability"].to_list()
        results.append(
            {"model": model, "prediction": prediction, "probabilities": probabilities or None}
        )
    return {"models": results, "image": image.reshape(-1).tolist()}


def results_page(
    models: Mapping[str, Any], tables_dir: str | os.PathLike | None, class_names: Sequence[str]
) -> str:
    """The draw page for ``models``, flagged to ask this server; with the PCA plane when the
    workflow's tables are in ``tables_dir`` (else without it)."""
    tables = {}
    if tables_dir is not None:
        paths = {name: Path(tables_dir) / f"{name}.parquet" for name in PLANE_TABLES}
        if all(path.is_file() for path in paths.values()):
            tables = {name: read_table(path) for name, path in paths.items()}
        else:
            log.warning("no PCA tables in %s: the page is served without the PCA plane", tables_dir)
    if tables:
        export = export_models(
            models, tables["pca_loadings"], tables["pca_sample"], tables["pca_mean"]
        )
    else:
        export = export_models(models, None, None, None)
    return draw_page(export, title="Draw a digit", class_names=class_names, server=True)


class DrawHandler(BaseHTTPRequestHandler):
    """GET / gives the page; POST /predict an image's answers; anything else an error."""

    server_version = "tidymnist"
    sys_version = ""
    timeout = 30  # seconds a client may take to send its request: no one holds a thread forever
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def _send(
        self, status: HTTPStatus, body: bytes, content_type: str, extra: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: HTTPStatus, content: dict, extra: dict | None = None) -> None:
        body = json.dumps(content).encode()
        self._send(status, body, "application/json; charset=utf-8", extra)

    def _error(self, status: HTTPStatus, message: str, extra: dict | None = None) -> None:
        self._json(status, {"error": message}, extra)

    def _path(self) -> str:
        return urlsplit(self.path).path

    def do_GET(self) -> None:
        if self._path() in ("/", "/index.html"):
            self._send(
                HTTPStatus.OK,
                self.server.page,
                "text/html; charset=utf-8",
                {"Content-Security-Policy": PAGE_POLICY},
            )
        elif self._path() == "/predict":
            self._error(HTTPStatus.METHOD_NOT_ALLOWED, "POST an image here", {"Allow": "POST"})
        else:
            self._error(HTTPStatus.NOT_FOUND, "not found: this server has only / and /predict")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        path = self._path()
        if path != "/predict":
            if path in ("/", "/index.html"):
                self._refuse_body(HTTPStatus.METHOD_NOT_ALLOWED, "GET this page", {"Allow": "GET"})
            else:
                self._refuse_body(HTTPStatus.NOT_FOUND, "not found: POST images to /predict")
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._refuse_body(HTTPStatus.LENGTH_REQUIRED, "send the image with a Content-Length")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._refuse_body(HTTPStatus.LENGTH_REQUIRED, "send the image with a Content-Length")
            return
        if length > self.server.max_bytes or length < 0:
            self._refuse_body(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"{length} bytes is more than the limit of {self.server.max_bytes} bytes",
            )
            return
        kind = self.headers.get("Content-Type", "application/octet-stream").lower()
        if not kind.startswith(IMAGE_TYPES):
            self._refuse_body(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"expected an image (Content-Type image/png or image/jpeg), got {kind}",
            )
            return
        data = self.rfile.read(length)
        try:
            with self.server.lock:  # one prediction at a time: bounded memory and CPU
                content = answer(self.server.models, data, "upload")
        except ImageFileError as error:
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, str(error))
        except PreprocessError as error:
            self._error(HTTPStatus.UNPROCESSABLE_ENTITY, str(error))
        else:
            self._json(HTTPStatus.OK, content)

    def _refuse_body(self, status: HTTPStatus, message: str, extra: dict | None = None) -> None:
        """Answer without reading the body, and close the connection (the unread body would
        otherwise be taken for the next request)."""
        self.close_connection = True
        self._error(status, message, {"Connection": "close", **(extra or {})})

    def _not_allowed(self) -> None:
        allowed = "POST" if self._path() == "/predict" else "GET, HEAD"
        self._refuse_body(HTTPStatus.METHOD_NOT_ALLOWED, f"use {allowed}", {"Allow": allowed})

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed


class DrawServer(ThreadingHTTPServer):
    """A threading HTTP server holding the page, the models and the body limit."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        models: Mapping[str, Any],
        page: bytes,
        max_bytes: int,
    ):
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, DrawHandler)
        self.models = models
        self.page = page
        self.max_bytes = max_bytes
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"


def make_server(
    models_dir: str | os.PathLike,
    page: str | os.PathLike | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    max_bytes: int = MAX_BYTES,
    *,
    class_names: Sequence[str] = DIGIT_NAMES,
) -> DrawServer:
    """A server (not yet running: call ``serve_forever``) for the models in ``models_dir``.

    ``page`` is a draw page to serve as it is; without one, the page is made now from the
    models (and the PCA plane from the tables beside them, ``models_dir/../tables``). It binds
    to ``host``: 127.0.0.1 by default, so that only this machine can connect; another address
    is logged as a warning. ``port`` 0 picks a free port (see ``server.url``).
    """
    models = load_trained_models(models_dir)
    if page is not None:
        try:
            html = Path(page).read_bytes()
        except OSError as error:
            raise ServeError(f"{page}: cannot read the page ({error.strerror})") from None
    else:
        html = results_page(models, Path(models_dir).parent / "tables", class_names).encode()
    if not is_local(host):
        log.warning("serving on %s: other machines on the network can reach this server", host)
    try:
        return DrawServer((host, port), models, html, max_bytes)
    except OSError as error:
        raise ServeError(f"cannot listen on {host}:{port} ({error.strerror})") from None


def serve(
    models_dir: str | os.PathLike,
    page: str | os.PathLike | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    max_bytes: int = MAX_BYTES,
    *,
    class_names: Sequence[str] = DIGIT_NAMES,
) -> None:
    """Run the server until Ctrl-C, after printing its address."""
    server = make_server(models_dir, page, host, port, max_bytes, class_names=class_names)
    if not is_local(host):
        print(
            f"warning: listening on {host}, not only this machine: anyone who can reach it "
            "can use it",
            file=sys.stderr,
        )
    print(f"Draw a digit at {server.url}  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
