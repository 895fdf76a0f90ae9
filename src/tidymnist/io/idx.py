"""Read and write the IDX format MNIST is published in (raw or gzip-compressed).

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one
big-endian uint32 per dimension, then the values. MNIST uses unsigned bytes (type 0x08): images
are 3-dimensional (magic 2051), labels 1-dimensional (magic 2049).
"""

import gzip
import hashlib
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from tidymnist.core.errors import DataFileError

UBYTE = 0x08
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
GZIP_MAGIC = b"\x1f\x8b"
# Far above any IDX dataset (EMNIST ByClass, the largest, holds 0.55 GB of pixels), far below what
# would exhaust a laptop: a file that is, or unpacks to, more is refused before it is held.
MAX_BYTES = 2**31
CHUNK_BYTES = 1 << 22


def read_bytes(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's content, decompressed when it is gzip (told by its first bytes, not its name).

    Never more than ``max_bytes``: a larger file, or a small gzip that unpacks to more (a
    decompression bomb), is refused after reading one byte past the limit.
    """
    path = Path(path)
    with _open(path) as stream:
        content = _read(path, stream, max_bytes + 1)
    if len(content) > max_bytes:
        raise DataFileError(
            path, f"more than {max_bytes:,} bytes (decompressed): not a dataset file"
        )
    return content


def read_idx_bytes(path: str | os.PathLike) -> bytes:
    """An IDX file's (decompressed) content, read no further than its header promises.

    One byte past the promised size is read to notice trailing data, so neither a header that
    claims gigabytes nor a gzip bomb behind a small header can fill the memory.
    """
    path = Path(path)
    with _open(path) as stream:
        content = _read(path, stream, 4)
        if len(content) == 4 and content[:2] == b"\0\0" and content[3] in (1, 3):
            content += _read(path, stream, 4 * content[3])
        shape, expected = idx_header(content, path)
        if expected > MAX_BYTES:
            raise DataFileError(
                path,
                f"header promises {shape} ({expected:,} bytes), more than the "
                f"{MAX_BYTES:,} bytes this reader accepts",
            )
        content += _read(path, stream, expected + 1 - len(content))
    if len(content) > expected:
        raise DataFileError(
            path,
            f"trailing bytes after payload: header promises {shape} ({expected} bytes), "
            "file has more",
        )
    return content


def _open(path: Path):
    """The file opened for reading, through gzip when its first two bytes say so."""
    try:
        with path.open("rb") as head:
            packed = head.read(2) == GZIP_MAGIC
        return gzip.open(path, "rb") if packed else path.open("rb")
    except FileNotFoundError:
        raise DataFileError(path, "file not found") from None
    except OSError as error:
        raise DataFileError(path, f"cannot be read ({error.strerror or error})") from None


def _read(path: Path, stream, size: int) -> bytes:
    """Up to ``size`` bytes from ``stream``, turning a broken gzip stream into a clear error.

    Read in chunks, so memory follows what the file holds, not what its header claims.
    """
    chunks = []
    try:
        while size > 0 and (chunk := stream.read(min(size, CHUNK_BYTES))):
            chunks.append(chunk)
            size -= len(chunk)
    except (EOFError, OSError, zlib.error) as error:
        raise DataFileError(path, f"corrupt or truncated gzip data ({error})") from None
    return b"".join(chunks)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def verify_sha256(path: str | os.PathLike, content: bytes, expected: str | None) -> str:
    """Check ``content`` (read from ``path``) against an expected SHA-256; return the digest."""
    digest = sha256(content)
    if expected is not None and digest != expected.lower():
        raise DataFileError(
            path,
            f"checksum mismatch: SHA-256 of the decompressed content is {digest}, "
            f"expected {expected.lower()}",
        )
    return digest


def idx_header(content: bytes, path: str | os.PathLike = "<bytes>") -> tuple[tuple, int]:
    """The shape an IDX header declares and the total size (header and payload) it promises."""
    if len(content) < 4:
        raise DataFileError(path, f"too short for an IDX header ({len(content)} bytes)")
    zero, dtype, ndim = struct.unpack(">HBB", content[:4])
    if zero != 0 or dtype != UBYTE or ndim not in (1, 3):
        magic = int.from_bytes(content[:4], "big")
        raise DataFileError(
            path,
            f"wrong magic number {magic:#010x}: expected {IMAGES_MAGIC:#010x} (images) "
            f"or {LABELS_MAGIC:#010x} (labels)",
        )
    header = 4 + 4 * ndim
    if len(content) < header:
        raise DataFileError(path, "truncated header")
    shape = struct.unpack(f">{ndim}I", content[4:header])
    return shape, header + math.prod(shape)  # Python integers: no overflow for huge dims


def parse_idx(content: bytes, path: str | os.PathLike = "<bytes>") -> np.ndarray:
    """Parse IDX bytes into a read-only uint8 array, checking the header against the payload."""
    shape, expected = idx_header(content, path)
    if len(content) != expected:
        what = "truncated payload" if len(content) < expected else "trailing bytes after payload"
        raise DataFileError(
            path, f"{what}: header promises {shape} ({expected} bytes), file has {len(content)}"
        )
    return np.frombuffer(content, dtype=np.uint8, offset=expected - math.prod(shape)).reshape(shape)


def read_idx(path: str | os.PathLike, sha256_expected: str | None = None) -> np.ndarray:
    """Read one IDX file, verifying its decompressed content's SHA-256 when one is given."""
    content = read_idx_bytes(path)
    verify_sha256(path, content, sha256_expected)
    return parse_idx(content, path)


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array (1 or 3 dimensions) as IDX."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, UBYTE, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + array.tobytes()


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write a uint8 array as IDX, gzip-compressed when the name ends in ``.gz``."""
    path = Path(path)
    content = idx_bytes(array)
    if path.suffix == ".gz":
        content = gzip.compress(content, mtime=0)
    _atomic_write(path, content)


def _atomic_write(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(content)
    tmp.replace(path)
