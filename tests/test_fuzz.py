"""Property-based fuzzing of everything that reads outside input: IDX and CSV files, the config.

Each reader is fed arbitrary bytes and mutations of a valid file (flipped bytes, truncations, a
changed magic number, dimension or type code, gzip around garbage, huge declared sizes). The only
failure allowed is the project's own error (:class:`tidymnist.core.errors.TidyMnistError`); a read
that
succeeds must return uint8 arrays of exactly the shape the file declares.

The normal run draws a few thousand examples in all. ``HYPOTHESIS_PROFILE=fuzz`` (``bench/fuzz.sh``)
draws 25 times as many.
"""

import csv
import gzip
import os
import struct
import tracemalloc
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tidymnist.core.config import ConfigError, check_config, coerce_to_schema
from tidymnist.core.errors import DataFileError, TidyMnistError
from tidymnist.io.dataset import load_csv_split, load_idx_split
from tidymnist.io.idx import idx_bytes, parse_idx, read_idx

REPO = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())

settings.register_profile(
    "ci",
    max_examples=450,
    deadline=timedelta(seconds=20),  # only a hang trips it, even on a loaded machine
    database=None,  # no .hypothesis/ folder in the checkout; failures print their example
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("fuzz", settings.get_profile("ci"), max_examples=10_500)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def examples(share: float) -> settings:
    """The profile's settings with ``share`` of its examples (tests differ in cost)."""
    return settings(PROFILE, max_examples=max(10, round(PROFILE.max_examples * share)))


# --- IDX ------------------------------------------------------------------------------------


def declared_shape(content: bytes) -> tuple[int, ...]:
    """The shape an IDX header announces, read independently of the reader under test."""
    ndim = content[3]
    return struct.unpack(f">{ndim}I", content[4 : 4 + 4 * ndim])


def valid_idx(draw, ndim: int | None = None) -> bytes:
    ndim = ndim or draw(st.sampled_from([1, 3]))
    shape = [draw(st.integers(0, 4)) for _ in range(ndim)]
    size = int(np.prod(shape))
    values = draw(st.binary(min_size=size, max_size=size))
    return idx_bytes(np.frombuffer(values, np.uint8).reshape(shape))


@st.composite
def mutated_idx(draw, ndim: int | None = None) -> bytes:
    """A valid small IDX file with a few mutations applied."""
    content = bytearray(valid_idx(draw, ndim))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(
            st.sampled_from(
                ["flip", "truncate", "append", "magic", "dtype", "ndim", "dim", "huge", "gzip"]
            )
        )
        if kind == "flip" and content:
            at = draw(st.integers(0, len(content) - 1))
            content[at] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            content = content[: draw(st.integers(0, len(content)))]
        elif kind == "append":
            content += draw(st.binary(min_size=1, max_size=8))
        elif kind == "magic" and len(content) >= 4:
            content[:4] = draw(st.binary(min_size=4, max_size=4))
        elif kind == "dtype" and len(content) >= 4:
            content[2] = draw(st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0xFF]))
        elif kind == "ndim" and len(content) >= 4:
            content[3] = draw(st.integers(0, 255))
        elif kind in ("dim", "huge") and len(content) >= 8:
            ndim_declared = max(1, min(content[3], (len(content) - 4) // 4))
            at = 4 + 4 * draw(st.integers(0, ndim_declared - 1))
            value = draw(st.integers(0, 8) if kind == "dim" else st.integers(2**20, 2**32 - 1))
            content[at : at + 4] = struct.pack(">I", value)
        elif kind == "gzip":
            content = bytearray(gzip.compress(bytes(content), mtime=0))
    return bytes(content)


def gzip_garbage() -> st.SearchStrategy[bytes]:
    """gzip's magic number followed by anything, or a real gzip stream cut or bit-flipped."""
    return st.one_of(
        st.binary(max_size=64).map(lambda tail: b"\x1f\x8b" + tail),
        st.tuples(st.binary(max_size=200), st.integers(0, 200)).map(
            lambda pair: gzip.compress(pair[0], mtime=0)[: pair[1]]
        ),
        st.tuples(st.binary(min_size=1, max_size=200), st.data()).map(
            lambda pair: _flip_gzip(*pair)
        ),
    )


def _flip_gzip(payload: bytes, data) -> bytes:
    packed = bytearray(gzip.compress(payload, mtime=0))
    at = data.draw(st.integers(2, len(packed) - 1))
    packed[at] ^= data.draw(st.integers(1, 255))
    return bytes(packed)


def check_idx_result(content: bytes, array: np.ndarray) -> None:
    """A successful read holds exactly what the (decompressed) file declares."""
    if content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    assert content[:3] == b"\x00\x00\x08"
    assert content[3] in (1, 3)
    shape = declared_shape(content)
    assert array.dtype == np.uint8
    assert array.shape == shape
    assert array.tobytes() == content[4 + 4 * len(shape) :]


@examples(0.5)
@given(content=st.one_of(st.binary(max_size=64), mutated_idx(), gzip_garbage()))
def test_idx_reader_returns_the_declared_shape_or_refuses_the_file(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("idx") / "images-idx3-ubyte"
    path.write_bytes(content)
    try:
        array = read_idx(path)
    except DataFileError as error:
        event("refused")
        assert str(path) in str(error)
    else:
        event("read")
        check_idx_result(content, array)


@examples(1)
@given(content=st.one_of(mutated_idx(), st.binary(max_size=40)))
def test_idx_parser_on_bytes_returns_the_declared_shape_or_refuses(content):
    try:
        array = parse_idx(content, "fuzzed")
    except DataFileError as error:
        assert str(error).startswith("fuzzed: ")
    else:
        check_idx_result(content, array)


@st.composite
def idx_split_files(draw) -> tuple[bytes, bytes]:
    """An image file and a label file, each valid and 28x28 or mutated."""
    n = draw(st.integers(0, 3))
    images = draw(st.binary(min_size=n * 784, max_size=n * 784))
    labels = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    image_file = idx_bytes(np.frombuffer(images, np.uint8).reshape(n, 28, 28))
    label_file = idx_bytes(np.array(labels, np.uint8))
    if draw(st.booleans()):
        image_file = draw(mutated_idx(3)) if draw(st.booleans()) else image_file
        label_file = draw(mutated_idx(1)) if draw(st.booleans()) else label_file
    return image_file, label_file


@examples(0.5)
@given(files=idx_split_files(), limit=st.one_of(st.none(), st.integers(1, 4)))
def test_idx_split_is_consistent_or_refused(tmp_path_factory, files, limit):
    folder = tmp_path_factory.mktemp("split")
    (folder / "i").write_bytes(files[0])
    (folder / "l").write_bytes(files[1])
    try:
        split = load_idx_split("train", folder / "i", folder / "l", limit=limit)
    except DataFileError as error:
        event("refused")
        assert str(folder) in str(error)
    else:
        event("read")
        n = len(split.labels)
        assert split.images.shape == (n, 28, 28)
        assert split.images.dtype == split.labels.dtype == np.uint8
        labels = gzip.decompress(files[1]) if files[1][:2] == b"\x1f\x8b" else files[1]
        declared = declared_shape(labels)[0]
        assert n == min(declared, limit or declared)
        assert set(split.labels.tolist()) <= set(range(10))


@examples(0.05)
@given(
    dims=st.lists(st.integers(2**10, 2**32 - 1), min_size=3, max_size=3),  # 1 GiB and up
    body=st.binary(max_size=64),
    packed=st.booleans(),
)
def test_huge_declared_dims_with_a_tiny_body_allocate_nothing(tmp_path_factory, dims, body, packed):
    content = struct.pack(">HBB3I", 0, 0x08, 3, *dims) + body
    path = tmp_path_factory.mktemp("huge") / "x"
    path.write_bytes(gzip.compress(content, mtime=0) if packed else content)
    tracemalloc.start()
    try:
        with pytest.raises(DataFileError, match=r"header promises|more than"):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # one 4 MiB read buffer, not what the header claims


def test_a_gzip_bomb_is_refused_without_unpacking_it(tmp_path):
    """A 1 MB file whose header says one 28x28 image but which unpacks to 1 GiB of zeros."""
    zeros = gzip.compress(bytes(1 << 20), mtime=0)  # 1 MiB of zeros in about 1 kB
    header = gzip.compress(struct.pack(">HBB3I", 0, 0x08, 3, 1, 28, 28), mtime=0)
    path = tmp_path / "bomb-idx3-ubyte.gz"
    path.write_bytes(header + zeros * 1024)  # gzip members concatenate
    assert path.stat().st_size < 2 << 20
    tracemalloc.start()
    try:
        with pytest.raises(DataFileError, match="trailing bytes after payload"):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


# --- CSV ------------------------------------------------------------------------------------

PIXEL = st.integers(0, 255).map(str)
ODD_CELL = st.one_of(
    st.integers(-300, 600).map(str),
    st.sampled_from(["", " ", "1.5", "1e2", "+3", "0x10", "nan", "NA", '"7"', "٣", "\t4"]),
    st.text(max_size=5),
)


@st.composite
def csv_files(draw) -> bytes:
    """A CSV in the MNIST layout with some cells, rows or columns spoiled."""
    n = draw(st.integers(1, 3))
    rows = [
        [str(draw(st.integers(0, 9))), *map(str, draw(st.binary(min_size=784, max_size=784)))]
        for _ in range(n)
    ]
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.integers(0, n - 1))
        kind = draw(st.sampled_from(["cell", "label", "drop", "extra", "blank"]))
        if kind == "cell":
            if rows[row]:
                rows[row][draw(st.integers(0, len(rows[row]) - 1))] = draw(ODD_CELL)
        elif kind == "label" and rows[row]:
            rows[row][0] = draw(ODD_CELL)
        elif kind == "drop" and rows[row]:
            del rows[row][draw(st.integers(0, len(rows[row]) - 1)) :]
        elif kind == "extra":
            rows[row].extend(draw(st.lists(PIXEL, min_size=1, max_size=3)))
        else:
            rows[row] = []
    text = "".join(",".join(row) + "\n" for row in rows).encode()
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


def check_csv_result(split) -> None:
    n = len(split.labels)
    assert split.images.shape == (n, 28, 28)
    assert split.images.dtype == split.labels.dtype == np.uint8
    assert set(split.labels.tolist()) <= set(range(10))


@examples(0.5)
@given(
    content=st.one_of(csv_files(), st.binary(max_size=200), st.text(max_size=200).map(str.encode))
)
def test_csv_reader_returns_28x28_uint8_or_refuses_the_file(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("csv") / "mnist_train.csv"
    path.write_bytes(content)
    try:
        split = load_csv_split("train", path)
    except DataFileError as error:
        event("refused")
        assert str(path) in str(error)
    else:
        event("read")
        check_csv_result(split)
        rows = [row for row in csv.reader(content.decode().splitlines()) if row]
        assert [int(row[0]) for row in rows] == split.labels.tolist()


@examples(0.2)
@given(content=csv_files(), limit=st.integers(1, 4))
def test_csv_reader_with_a_limit_returns_at_most_that_many(tmp_path_factory, content, limit):
    path = tmp_path_factory.mktemp("csv") / "mnist_train.csv"
    path.write_bytes(content)
    try:
        split = load_csv_split("train", path, limit=limit)
    except DataFileError:
        return
    check_csv_result(split)
    assert len(split.labels) <= limit


# --- config ---------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        ["0", "1", "-1", "1e3", "null", "~", "true", "no", "scale", "[1, 2]", "{a: 1}"]
    ),
    st.sampled_from(["!!python/object:os.system", "&a [*a]", "2020-01-01", ": :", "0o17", ".inf"]),
)
KEYS = st.one_of(
    st.sampled_from(sorted(SCHEMA["properties"])),
    st.sampled_from(["train", "test", "enabled", "knn", "svm", "C", "size", "dpi", "gamma"]),
    st.text(max_size=6),
    st.integers(-3, 3),
    st.none(),
    st.booleans(),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def configs(draw) -> dict:
    """The project's config.yaml with some keys, at any depth, given new or arbitrary values.

    A replaced value is often the old one as a string (what ``--config`` passes), so that valid
    configs are drawn too, not only broken ones.
    """
    config = draw(st.sampled_from([CONFIG, CONFIG, {}, {"data_dir": "d", "data_format": "idx"}]))
    config = yaml.safe_load(yaml.safe_dump(config))  # a fresh deep copy
    for _ in range(draw(st.integers(1, 4))):
        node = config
        while isinstance(node, dict) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node, key=str)))
            if not isinstance(node[key], dict):
                break
            node = node[key]
        existing = sorted(node, key=str) if isinstance(node, dict) else []
        key = draw(st.sampled_from(existing) | KEYS if existing else KEYS)
        old = node.get(key)
        as_string = st.just(str(old)) if isinstance(old, int | float | bool) else st.nothing()
        node[key] = draw(as_string | st.just(old) | VALUES)
    return config


@examples(1.5)
@given(config=st.one_of(configs(), VALUES))
def test_config_validation_raises_only_config_errors(config):
    try:
        coerced = coerce_to_schema(config, SCHEMA)
        check_config(coerced, SCHEMA)
    except ConfigError as error:
        event("refused")
        assert str(error).startswith("invalid configuration:\n  ")
    else:
        event("accepted")
        assert isinstance(coerced, dict)
        assert coerce_to_schema(coerced, SCHEMA) == coerced  # valid values are left alone


@examples(0.5)
@given(
    path=st.sampled_from(
        [("seed",), ("explore", "sample_images"), ("figures", "dpi"), ("models", "svm", "C")]
    ),
    value=st.integers(50, 60),
)
def test_numbers_given_as_strings_are_coerced_and_accepted(path, value):
    config = yaml.safe_load(yaml.safe_dump(CONFIG))
    node = config
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = str(value)
    coerced = coerce_to_schema(config, SCHEMA)
    check_config(coerced, SCHEMA)
    for key in path:
        coerced = coerced[key]
    assert coerced == value


def test_every_fuzzed_error_is_the_projects_own():
    """The contract the tests above rely on: the errors they allow are the project's."""
    assert issubclass(DataFileError, TidyMnistError)
    assert issubclass(ConfigError, TidyMnistError)
    with pytest.raises(AssertionError):
        check_idx_result(idx_bytes(np.zeros((1, 2, 2), np.uint8)), np.zeros((1, 2, 3), np.uint8))
