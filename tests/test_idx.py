"""The IDX reader on generated files: round trips and every kind of bad input."""

import gzip

import numpy as np
import pytest

from tidymnist.core.errors import DataFileError
from tidymnist.io.dataset import load_idx_split, load_split
from tidymnist.io.idx import idx_bytes, read_idx, sha256, write_idx

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
LABELS = np.array([3, 1, 4, 1, 5], np.uint8)


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_round_trip_raw_and_gzip(tmp_path, name):
    write_idx(tmp_path / name, IMAGES)
    assert np.array_equal(read_idx(tmp_path / name), IMAGES)


def test_gzip_is_told_by_content_not_name(tmp_path):
    (tmp_path / "labels").write_bytes(gzip.compress(idx_bytes(LABELS)))
    assert np.array_equal(read_idx(tmp_path / "labels"), LABELS)


def test_checksum_is_of_the_decompressed_content(tmp_path):
    write_idx(tmp_path / "l.gz", LABELS)
    assert np.array_equal(read_idx(tmp_path / "l.gz", sha256(idx_bytes(LABELS))), LABELS)


def test_checksum_mismatch_names_file_and_both_digests(tmp_path):
    write_idx(tmp_path / "l.gz", LABELS)
    with pytest.raises(DataFileError, match=r"l\.gz: checksum mismatch.*expected 0{64}"):
        read_idx(tmp_path / "l.gz", "0" * 64)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "too short for an IDX header"),
        (b"\x00\x00\x0d\x03" + b"\x00" * 12, "wrong magic number 0x00000d03"),
        (b"PK\x03\x04" + b"\x00" * 12, "wrong magic number"),
        (idx_bytes(IMAGES)[:-1], r"truncated payload: header promises \(5, 28, 28\)"),
        (idx_bytes(IMAGES) + b"\x00", "trailing bytes after payload"),
        (idx_bytes(IMAGES)[:10], "truncated header"),
    ],
)
def test_bad_content_is_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(DataFileError, match=message) as error:
        read_idx(path)
    assert str(path) in str(error.value)


def test_truncated_gzip_is_refused(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(idx_bytes(IMAGES))[:-20])
    with pytest.raises(DataFileError, match="corrupt or truncated gzip"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        read_idx(tmp_path / "nothing")


def test_count_mismatch_between_images_and_labels(tmp_path):
    write_idx(tmp_path / "i", IMAGES)
    write_idx(tmp_path / "l", LABELS[:4])
    with pytest.raises(DataFileError, match="holds 4 labels but i holds 5 images"):
        load_idx_split("train", tmp_path / "i", tmp_path / "l")


def test_wrong_image_size(tmp_path):
    write_idx(tmp_path / "i", np.zeros((5, 32, 32), np.uint8))
    write_idx(tmp_path / "l", LABELS)
    with pytest.raises(DataFileError, match="wrong image size 32x32: expected 28x28"):
        load_idx_split("train", tmp_path / "i", tmp_path / "l")


def test_labels_out_of_range(tmp_path):
    write_idx(tmp_path / "i", IMAGES)
    write_idx(tmp_path / "l", np.array([1, 2, 3, 4, 12], np.uint8))
    with pytest.raises(DataFileError, match="label 12 is out of range"):
        load_idx_split("train", tmp_path / "i", tmp_path / "l")


def test_images_and_labels_swapped(tmp_path):
    write_idx(tmp_path / "i", IMAGES)
    write_idx(tmp_path / "l", LABELS)
    with pytest.raises(DataFileError, match="expected a 3-dimensional image file"):
        load_idx_split("train", tmp_path / "l", tmp_path / "i")


def test_load_split_prefers_gzip_and_records_provenance(tmp_path):
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", IMAGES)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", LABELS)
    split = load_split(tmp_path, "test", limit=3)
    assert split.images.shape == (3, 28, 28)
    assert split.labels.tolist() == [3, 1, 4]
    assert split.files["file"].to_list() == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte"]
    assert split.files["sha256"][1] == sha256(idx_bytes(LABELS))


def test_real_mnist_files_match_their_published_sanity_figures(mnist_train):
    assert mnist_train.labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    scaled = mnist_train.images / 255
    assert scaled.mean() == pytest.approx(0.1307, abs=5e-5)
    assert scaled.std() == pytest.approx(0.3081, abs=5e-5)
