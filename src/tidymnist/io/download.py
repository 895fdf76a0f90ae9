"""Fetch a dataset file from a list of mirrors, keeping it only when its checksum is right."""

import logging
import os
import tempfile
from pathlib import Path

import pooch

from tidymnist.core.errors import DataFileError, DownloadError
from tidymnist.io.idx import read_bytes, verify_sha256

log = logging.getLogger(__name__)


def fetch(
    name: str, mirrors: list[str], sha256_expected: str | None, dest: str | os.PathLike
) -> Path:
    """Download ``name`` (e.g. ``train-images-idx3-ubyte.gz``) to ``dest`` from the first mirror
    that serves it with the expected SHA-256 of its decompressed content.

    A download that fails, is truncated or has the wrong checksum is deleted and the next mirror
    is tried; if none succeeds the error lists every attempt and how to use local files instead.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    attempts = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".download-") as tmp:
            try:
                log.info("downloading %s", url)
                path = Path(
                    pooch.retrieve(url, known_hash=None, fname=name, path=tmp, progressbar=False)
                )
                verify_sha256(url, read_bytes(path), sha256_expected)
            except (OSError, ValueError, DataFileError) as error:
                # a DataFileError names the temporary copy, already deleted: say only what was wrong
                problem = error.problem if isinstance(error, DataFileError) else str(error)
                log.warning("%s failed: %s", url, problem)
                attempts.append(f"  {url}: {problem}")
                continue
            path.replace(dest)
            log.info("saved %s", dest)
            return dest
    raise DownloadError(
        f"could not download {name}; tried:\n"
        + ("\n".join(attempts) or "  (no mirrors configured)")
        + f"\nWithout network access, put the four IDX files in a folder and point the config "
        f"key data_dir at it, e.g. snakemake --config data_dir=/path/to/mnist "
        f"(expected {dest})"
    )
