"""The CSV layout of the tidy analyses: label, then 784 pixel values, no header."""

import numpy as np
import pytest

from tidymnist.core.errors import DataFileError
from tidymnist.io.dataset import load_csv_split, load_split

RNG = np.random.default_rng(1)
IMAGES = RNG.integers(0, 256, size=(4, 28, 28), dtype=np.uint8)
LABELS = np.array([7, 0, 9, 2], np.uint8)


def write_csv(path, rows):
    path.write_text("".join(",".join(str(v) for v in row) + "\n" for row in rows))


def rows_of(images, labels):
    return [
        [int(label), *image.reshape(-1).tolist()]
        for image, label in zip(images, labels, strict=True)
    ]


def test_round_trip(tmp_path):
    write_csv(tmp_path / "mnist_train.csv", rows_of(IMAGES, LABELS))
    split = load_split(tmp_path, "train", data_format="csv")
    assert np.array_equal(split.images, IMAGES)
    assert np.array_equal(split.labels, LABELS)
    assert split.files["file"].to_list() == ["mnist_train.csv"]


def test_csv_and_idx_of_the_test_dataset_agree(test_data_dir):
    idx = load_split(test_data_dir, "test")
    csv = load_split(test_data_dir / "csv", "test", data_format="csv")
    assert np.array_equal(idx.images, csv.images)
    assert np.array_equal(idx.labels, csv.labels)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda rows: [row[:-1] for row in rows], "rows have 784 columns: expected 785"),
        (
            lambda rows: [*rows[:2], [*rows[2][:100], 256, *rows[2][101:]], rows[3]],
            "row 3 holds a value that is not an integer in 0-255",
        ),
        (lambda rows: [[*rows[0][:5], -1, *rows[0][6:]], *rows[1:]], "row 1 holds a value"),
        (lambda rows: [[*rows[0][:5], "x", *rows[0][6:]], *rows[1:]], "row 1 holds a value"),
        (lambda rows: [[*rows[0][:5], 1.5, *rows[0][6:]], *rows[1:]], "row 1 holds a value"),
        (lambda rows: [[12, *rows[0][1:]], *rows[1:]], "label 12 is out of range"),
    ],
)
def test_bad_rows_are_refused(tmp_path, mutate, message):
    path = tmp_path / "digits.csv"
    write_csv(path, mutate(rows_of(IMAGES, LABELS)))
    with pytest.raises(DataFileError, match=message) as error:
        load_csv_split("train", path)
    assert str(path) in str(error.value)


def test_ragged_rows_are_refused(tmp_path):
    rows = rows_of(IMAGES, LABELS)
    rows[1] = rows[1][:400]
    write_csv(tmp_path / "d.csv", rows)
    with pytest.raises(DataFileError, match=r"d\.csv"):
        load_csv_split("train", tmp_path / "d.csv")


def test_empty_file(tmp_path):
    (tmp_path / "d.csv").write_text("")
    with pytest.raises(DataFileError, match="empty CSV file"):
        load_csv_split("train", tmp_path / "d.csv")
