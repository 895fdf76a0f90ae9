"""The report's explorers: which digits each carries, and the Vega-Lite specifications built
from the tables (their behaviour in a browser is tested in test_report_browser.py)."""

import base64
import io

import numpy as np
import polars as pl
import pytest
from PIL import Image

from tidymnist.core.digits import DIGIT_NAMES
from tidymnist.evaluate import tables as evaluate
from tidymnist.report.explore import (
    answers_table,
    cell_digits,
    digit_table,
    digit_uri,
    explorer_specs,
    gallery_chart,
    map_points,
    maps_of,
)
from tidymnist.tables.pixels import pixel_table

N = 60


@pytest.fixture(scope="module")
def digits():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(N, 28, 28), dtype=np.uint8)
    labels = (np.arange(N) % 10).astype(np.uint8)
    return images, labels


@pytest.fixture(scope="module")
def pixels(digits) -> pl.DataFrame:
    images, labels = digits
    return pl.concat([pixel_table(images, labels, split) for split in ("train", "test")])


@pytest.fixture(scope="module")
def predictions(digits) -> pl.DataFrame:
    _, labels = digits
    knn = np.where(np.arange(N) % 7 == 0, (labels + 1) % 10, labels).astype(np.uint8)
    return pl.concat(
        [
            evaluate.predictions_table("svm", np.arange(N), labels, labels, None),
            evaluate.predictions_table("knn", np.arange(N), labels, knn, None),
        ]
    )


def test_a_digit_is_a_png_data_uri_drawn_dark_on_light(digits):
    image = digits[0][3]
    uri = digit_uri(image)
    assert uri.startswith("data:image/png;base64,")
    back = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    assert back.shape == (28, 28)
    assert (back == 255 - image).all()


def test_a_cell_carries_its_first_digits_by_instance_in_a_grid(predictions):
    cells = cell_digits(predictions, limit=3)
    knn_right = predictions.filter(
        pl.col("model") == "knn", pl.col("label") == 2, pl.col("predicted") == 2
    ).sort("instance")
    shown = cells.filter(pl.col("model") == "knn", pl.col("label") == 2, pl.col("predicted") == 2)
    assert shown["instance"].to_list() == knn_right["instance"].to_list()[:3]
    assert shown["column"].to_list() == [0, 1, 2] and set(shown["row"]) == {0}
    # every mistake is there: the cells hold fewer than the limit
    wrong = predictions.filter(pl.col("label") != pl.col("predicted"))
    assert cells.filter(pl.col("label") != pl.col("predicted")).height == wrong.height
    assert set(cells["key"]) <= {f"test-{i}" for i in range(N)}


def test_the_maps_share_one_seeded_sample(pixels):
    tsne = pl.DataFrame(
        {"instance": np.arange(40, dtype=np.uint32), "label": np.zeros(40, np.uint8)}
    ).with_columns(tsne1=pl.col("instance") * 1.0, tsne2=pl.col("instance") * 2.0)
    coordinates = pl.DataFrame(
        {
            "split": pl.Series(["train"] * N + ["test"] * N).cast(pl.Enum(["train", "test"])),
            "instance": np.tile(np.arange(N, dtype=np.uint32), 2),
            "label": np.zeros(2 * N, np.uint8),
            "pc1": np.arange(2 * N, dtype=np.float32),
            "pc2": np.arange(2 * N, dtype=np.float32),
        }
    )
    maps = maps_of({"tsne_map": tsne, "pca_coordinates": coordinates})
    assert list(maps) == ["t-SNE", "PCA"]
    points = map_points(maps, 25, 42, DIGIT_NAMES)
    by_map = {m: set(points.filter(pl.col("map") == m)["key"]) for m in maps}
    assert len(by_map["t-SNE"]) == 25 and by_map["t-SNE"] == by_map["PCA"]
    assert all(key.startswith("train-") for key in by_map["PCA"])  # only digits on every map
    assert points.equals(map_points(maps, 25, 42, DIGIT_NAMES))  # seeded
    t = points.filter(pl.col("map") == "t-SNE")
    assert (t["y"] == 2 * t["x"]).all()


def test_each_test_digit_lists_every_models_answer_in_the_studys_order(predictions):
    answers = answers_table(predictions, DIGIT_NAMES)
    assert answers.height == N
    first_mistake = answers.filter(pl.col("key") == "test-7")["answers"][0]
    assert first_mistake == "k-NN: 8\nSVM: 7"


def test_the_specifications_name_every_explorer_and_their_choices(pixels, predictions):
    confusion = evaluate.confusion_table(predictions)
    least = pixels.filter(pl.col("split") == "train", pl.col("instance") < 2).with_columns(
        distance=pl.lit(9.0), rank=pl.col("instance").cast(pl.UInt32) + 1
    )
    tsne = pl.DataFrame(
        {"instance": np.arange(N, dtype=np.uint32), "label": (np.arange(N) % 10).astype(np.uint8)}
    ).with_columns(tsne1=pl.col("instance") * 1.0, tsne2=pl.col("instance") * 1.0)
    specs = explorer_specs(
        {
            "tsne_map": tsne,
            "predictions": predictions,
            "confusion": confusion,
            "least_typical_pixels": least,
        },
        pixels.lazy(),
        class_names=DIGIT_NAMES,
        sample=30,
        limit=4,
        seed=1,
    )
    assert list(specs) == ["maps", "least_typical", "confusion"]
    params = {p["name"]: p for spec in specs.values() for p in spec.get("params", [])}
    assert params["map"]["bind"]["options"] == ["t-SNE"]
    # the models in the study's order; the best (the SVM, never wrong) chosen first
    assert params["model"]["bind"]["options"] == ["k-NN", "SVM"]
    assert params["model"]["value"] == "SVM"
    # each explorer carries only the digits it shows, each once
    images = [row for data in specs["maps"]["datasets"].values() for row in data if "image" in row]
    assert len(images) == 30 == len({row["key"] for row in images})


def test_a_gallery_click_picks_one_place_though_a_digit_sits_in_several(pixels):
    digits = digit_table(pixels.filter(pl.col("split") == "test", pl.col("instance") < 2))
    items = pl.DataFrame(
        {
            "key": ["test-0", "test-0", "test-1"],  # test-0 a mistake of two models
            "row": ["k-NN", "SVM", "SVM"],
            "column": [1, 1, 2],
            "details": ["a", "b", "c"],
        }
    )
    spec = gallery_chart(items, digits, ["k-NN", "SVM"], "mistakes", "t").to_dict()
    (pick,) = [p for p in spec["params"] if p["name"] == "mistakes_pick"]
    assert pick["select"]["fields"] == ["place"]
    rows = next(d for d in spec["datasets"].values() if d and "place" in d[0])
    assert len({row["place"] for row in rows}) == 3
