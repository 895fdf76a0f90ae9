"""Downloads from mirrors on a local HTTP server: a bad copy is never kept, every try reported."""

import gzip
import http.server
import threading

import numpy as np
import pytest

from tidymnist.core.errors import DownloadError
from tidymnist.io.download import fetch
from tidymnist.io.idx import idx_bytes, read_idx, sha256

NAME = "t10k-labels-idx1-ubyte.gz"
LABELS = np.arange(100, dtype=np.uint8) % 10
GOOD = gzip.compress(idx_bytes(LABELS), mtime=0)
OTHER = gzip.compress(idx_bytes(LABELS[::-1].copy()), mtime=0)  # a valid file, the wrong one
EXPECTED = sha256(idx_bytes(LABELS))


class Mirrors(http.server.BaseHTTPRequestHandler):
    """Serves NAME under /good/, /wrong/ (checksum mismatch), /short/ (truncated gzip with an
    honest length), /cut/ (the connection drops mid-file) and /missing/ (404)."""

    requests: list[str]

    def do_GET(self):
        self.requests.append(self.path)
        mirror, _, name = self.path.strip("/").partition("/")
        body = {"good": GOOD, "wrong": OTHER, "short": GOOD[: len(GOOD) // 2], "cut": GOOD}
        if name != NAME or mirror not in body:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body[mirror])))
        self.end_headers()
        self.wfile.write(body[mirror][: len(GOOD) // 3] if mirror == "cut" else body[mirror])
        if mirror == "cut":
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """Base URL of the mirrors, and the list of paths requested so far."""
    requests = []
    handler = type("Handler", (Mirrors,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_bad_mirrors_are_skipped_and_the_good_copy_kept(server, tmp_path):
    base, requests = server
    dest = tmp_path / "data" / NAME
    mirrors = [f"{base}/wrong", f"{base}/short", f"{base}/cut", f"{base}/good/"]
    assert fetch(NAME, mirrors, EXPECTED, dest) == dest
    assert requests == [f"/{m}/{NAME}" for m in ("wrong", "short", "cut", "good")]
    assert dest.read_bytes() == GOOD
    assert np.array_equal(read_idx(dest, EXPECTED), LABELS)
    assert [path.name for path in dest.parent.iterdir()] == [NAME]  # no bad copy left behind


def test_the_first_good_mirror_is_used_and_no_other_is_asked(server, tmp_path):
    base, requests = server
    dest = tmp_path / NAME
    fetch(NAME, [f"{base}/good", f"{base}/wrong"], EXPECTED, dest)
    assert requests == [f"/good/{NAME}"]


def test_when_every_mirror_fails_the_error_lists_each_try_and_keeps_nothing(server, tmp_path):
    base, _ = server
    dest = tmp_path / "data" / NAME
    mirrors = [f"{base}/wrong", f"{base}/short", f"{base}/cut", f"{base}/missing"]
    with pytest.raises(DownloadError) as error:
        fetch(NAME, mirrors, EXPECTED, dest)
    lines = str(error.value).splitlines()
    assert lines[0] == f"could not download {NAME}; tried:"
    tried = dict(line.strip().split(": ", 1) for line in lines[1:5])
    assert list(tried) == [f"{m}/{NAME}" for m in mirrors]
    assert tried[f"{base}/wrong/{NAME}"].startswith("checksum mismatch: SHA-256")
    assert tried[f"{base}/short/{NAME}"].startswith("corrupt or truncated gzip")
    assert "Connection broken" in tried[f"{base}/cut/{NAME}"]
    assert "404" in tried[f"{base}/missing/{NAME}"]
    assert "data_dir" in str(error.value)
    assert not list(dest.parent.iterdir())


def test_no_mirrors_says_so(tmp_path):
    with pytest.raises(DownloadError, match=r"\(no mirrors configured\)"):
        fetch(NAME, [], EXPECTED, tmp_path / NAME)
