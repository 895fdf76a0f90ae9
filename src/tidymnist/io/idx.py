"""Read and write the IDX format MNIST is published in (raw or gzip-compressed).

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one
big-endian uint32 per dimension, then the values. MNIST uses unsigned bytes (type 0x08): images
are 3-dimensional (magic 2051), labels 1-dimensional (magic 2049).
"""

import gzip
import hashlib
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from tidymnist.errors import DataFileError

UBYTE = 0x08
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | os.PathLike) -> bytes:
    """The file's content, decompressed when it is gzip (told by its first bytes, not its name)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(path, "file not found") from None
    if raw[:2] != GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as error:
        raise DataFileError(path, f"corrupt or truncated gzip data ({error})") from None


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


def parse_idx(content: bytes, path: str | os.PathLike = "<bytes>") -> np.ndarray:
    """Parse IDX bytes into a read-only uint8 array, checking the header against the payload."""
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
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(content) != expected:
        what = "truncated payload" if len(content) < expected else "trailing bytes after payload"
        raise DataFileError(
            path, f"{what}: header promises {shape} ({expected} bytes), file has {len(content)}"
        )
    return np.frombuffer(content, dtype=np.uint8, offset=header).reshape(shape)


def read_idx(path: str | os.PathLike, sha256_expected: str | None = None) -> np.ndarray:
    """Read one IDX file, verifying its decompressed content's SHA-256 when one is given."""
    content = read_bytes(path)
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
