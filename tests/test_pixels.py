"""The long pixel table: columns, dtypes, order and the coordinate convention."""

from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from tidymnist.io.tables import read_table, write_table_chunks
from tidymnist.tables.pixels import (
    SCHEMA,
    dataset_chunks,
    images_from_pixels,
    pixel_chunks,
    pixel_table,
    select_images,
)


def test_schema_and_order(tiny):
    assert tiny.schema == SCHEMA
    assert tiny.columns == ["split", "instance", "label", "pixel", "x", "y", "value"]
    assert tiny.height == 4 * 784
    assert tiny.filter(pl.col("split") == "test")["instance"].unique().to_list() == [0]


def test_coordinates_are_column_from_left_and_row_from_top(tiny):
    row = tiny.filter(pl.col("split") == "train", pl.col("instance") == 2, pl.col("value") > 0)
    assert row.select("pixel", "x", "y", "value").row(0) == (783, 27, 27, 255)
    image = np.zeros((1, 28, 28), np.uint8)
    image[0, 3, 5] = 9  # row 3, column 5
    one = pixel_table(image, np.array([4], np.uint8), "train").filter(pl.col("value") == 9)
    assert one.select("pixel", "x", "y").row(0) == (3 * 28 + 5, 5, 3)


def test_round_trip_through_chunks_and_parquet(tmp_path):
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, (25, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 25, dtype=np.uint8)
    rows = write_table_chunks(
        pixel_chunks(images, labels, "test", chunk_images=10), tmp_path / "p.parquet"
    )
    assert rows == 25 * 784
    table = read_table(tmp_path / "p.parquet")
    assert table.schema == SCHEMA
    back_images, back_labels = images_from_pixels(table)
    assert np.array_equal(back_images, images)
    assert np.array_equal(back_labels, labels)
    assert not list(tmp_path.glob(".*partial"))


def test_dataset_chunks_give_every_split_in_turn(caplog):
    rng = np.random.default_rng(4)
    splits = [
        SimpleNamespace(
            name=name,
            images=rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            labels=rng.integers(0, 10, n, dtype=np.uint8),
        )
        for name, n in (("train", 12), ("test", 3))
    ]
    with caplog.at_level("INFO", logger="tidymnist"):
        table = pl.concat(list(dataset_chunks(splits)))
    assert table.schema == SCHEMA
    expected = pl.concat([pixel_table(s.images, s.labels, s.name) for s in splits])
    assert table.equals(expected)
    assert "verified train: 12 images, test: 3 images" in caplog.text


def test_failed_write_leaves_nothing_behind(tmp_path):
    def chunks():
        yield pixel_table(np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8), "train")
        raise RuntimeError("interrupted")

    target = tmp_path / "p.parquet"
    with pytest.raises(RuntimeError, match="interrupted"):
        write_table_chunks(chunks(), target)
    assert list(tmp_path.iterdir()) == []


def test_select_images_carries_extra_columns(tiny):
    chosen = pl.DataFrame({"split": ["train"], "instance": [1], "label": [0], "rank": [1]})
    rows = select_images(tiny, chosen)
    assert rows.height == 784
    assert rows["rank"].unique().to_list() == [1]
    assert rows["value"].sum() == 200
