"""Custom digits: a folder read one file at a time, labels checked, tables the models can answer."""

import numpy as np
import polars as pl
import pytest
from PIL import Image

from tidymnist.embed.maps import (
    coordinates_table,
    fit_pca,
    loadings_table,
    map_sample,
    mean_table,
    place_on_umap,
    sample_instances,
    tsne_map,
    umap_map,
)
from tidymnist.handwriting.custom import (
    accuracy_table,
    custom_places,
    custom_tables,
    image_arrays,
    images_table,
    pca_coordinates,
    places_table,
    prepare,
)
from tidymnist.io.custom import LabelsFileError, read_custom, read_labels


def ink_on_paper(size=120):
    """A dark vertical stroke on light paper: a photographed 1."""
    image = np.full((size, size), 230, np.uint8)
    image[size // 5 : 4 * size // 5, size // 2 - 4 : size // 2 + 4] = 20
    return image


@pytest.fixture
def folder(tmp_path):
    Image.fromarray(ink_on_paper()).save(tmp_path / "one.png")
    Image.fromarray(np.full((50, 50), 240, np.uint8)).save(tmp_path / "blank.png")
    (tmp_path / "notes.png").write_text("this is not an image")
    (tmp_path / "empty.jpg").write_bytes(b"")
    return tmp_path


def test_a_bad_file_is_listed_and_the_others_are_read(folder):
    files = sorted(folder.iterdir())
    names, originals, errors = read_custom(folder, files)
    assert names == ["blank.png", "one.png"]
    assert [o.shape for o in originals] == [(50, 50), (120, 120)]
    assert errors["file"].to_list() == ["empty.jpg", "notes.png"]
    assert errors.filter(pl.col("file") == "empty.jpg")["error"][0].startswith("empty")
    kept, images, no_ink = prepare(names, originals)
    assert kept == ["one.png"]
    assert no_ink["file"].to_list() == ["blank.png"]
    assert images.shape == (1, 28, 28)
    assert images.dtype == np.uint8
    rows, _ = np.nonzero(images[0] > 0)
    assert rows.max() - rows.min() + 1 in (19, 20, 21)  # the stroke's length fills the 20 px box
    assert images[0].max() == 255  # light ink on black, as in MNIST
    assert images[0][0, 0] == 0


def test_custom_tables_keep_the_usable_digits_and_list_the_others(folder, caplog):
    names, originals, unreadable = read_custom(folder, sorted(folder.iterdir()))
    two = np.fliplr(ink_on_paper(90))  # a second usable digit
    names, originals = [*names, "two.png"], [*originals, two]
    labels = pl.DataFrame(
        {"file": ["one.png", "blank.png"], "label": [1, 0]},
        schema={"file": pl.String, "label": pl.UInt8},
    )
    with caplog.at_level("INFO", logger="tidymnist"):
        tables = custom_tables(names, originals, unreadable, labels, show_steps="missing.png")
    assert list(tables) == ["images", "labels", "thumbnails", "steps", "errors"]
    assert tables["errors"]["file"].to_list() == ["blank.png", "empty.jpg", "notes.png"]
    assert tables["labels"].rows() == [("one.png", 1)]  # only files that made it
    assert tables["images"]["file"].unique(maintain_order=True).to_list() == ["one.png", "two.png"]
    assert tables["images"].filter(pl.col("file") == "two.png")["label"].null_count() == 784
    assert tables["steps"]["file"].unique().to_list() == ["one.png"]  # the first, as asked for none
    assert set(tables["thumbnails"]["file"]) == {"one.png", "two.png"}
    assert "skipped blank.png" in caplog.text and "skipped notes.png" in caplog.text
    assert "show_steps: missing.png is not among the usable custom digits" in caplog.text
    assert "2 custom digits ready, 3 skipped" in caplog.text
    chosen = custom_tables(names, originals, unreadable, None, show_steps="two.png")
    assert chosen["steps"]["file"].unique().to_list() == ["two.png"]
    assert chosen["labels"].is_empty() and chosen["labels"].columns == ["file", "label"]


def test_labels_are_read_and_checked(tmp_path):
    good = tmp_path / "labels.csv"
    good.write_text("file,label\none.png,1\n two.png , 2\n")
    assert read_labels(good).rows() == [("one.png", 1), ("two.png", 2)]
    for text, message in [
        ("name,digit\na.png,1\n", "missing column"),
        ("file,label\na.png,12\n", "labels must be digits 0-9"),
        ("file,label\na.png,seven\n", "labels must be digits 0-9"),
        ("file,label\na.png,1\na.png,2\n", "files listed twice: a.png"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(LabelsFileError, match=message):
            read_labels(bad)
    with pytest.raises(LabelsFileError, match="not found"):
        read_labels(tmp_path / "missing.csv")


def test_the_images_table_round_trips_and_carries_labels():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)
    labels = pl.DataFrame(
        {"file": ["b.png", "a.png"], "label": [7, 1]}, schema_overrides={"label": pl.UInt8}
    )
    table = images_table(["b.png", "a.png", "c.png"], images, labels)
    assert table.height == 3 * 784
    row = table.filter((pl.col("file") == "a.png") & (pl.col("x") == 5) & (pl.col("y") == 2))
    assert row["value"][0] == images[1, 2, 5]
    assert row["pixel"][0] == 2 * 28 + 5
    by_file = table.group_by("file", maintain_order=True).agg(pl.col("label").first())
    assert by_file.rows() == [("b.png", 7), ("a.png", 1), ("c.png", None)]
    files, back = image_arrays(table)
    assert files == ["b.png", "a.png", "c.png"]
    assert (back == images).all()


def test_accuracy_counts_only_labelled_digits():
    predictions = pl.DataFrame(
        {
            "file": ["a", "b", "c", "a", "b", "c"],
            "model": ["knn"] * 3 + ["svm"] * 3,
            "prediction": [1, 2, 3, 1, 0, 3],
        }
    )
    labels = pl.DataFrame({"file": ["a", "b"], "label": [1, 2]})
    accuracy = accuracy_table(predictions, labels)
    assert accuracy.rows() == [
        ("knn", "knn", "as_is", 2, 2, 1.0),
        ("svm", "svm", "as_is", 2, 1, 0.5),
    ]


def test_projection_agrees_with_the_workflows_coordinates(test_data_dir):
    from tidymnist.io.dataset import load_split  # noqa: PLC0415

    train = load_split(test_data_dir, "train")
    pca = fit_pca(train.images)
    instances = np.arange(len(train.labels), dtype=np.uint32)
    expected = coordinates_table(pca, 5, "train", (instances, train.images, train.labels))
    ours = pca_coordinates(train.images, loadings_table(pca, 5), mean_table(train.images), 5)
    assert np.allclose(ours.to_numpy(), expected.select(ours.columns).to_numpy(), atol=1e-4)


def test_custom_places_are_placed_from_the_workflows_tables(test_data_dir):
    from tidymnist.io.dataset import load_split  # noqa: PLC0415

    train = load_split(test_data_dir, "train")
    pca = fit_pca(train.images)
    instances = np.arange(len(train.labels), dtype=np.uint32)
    coordinates = coordinates_table(pca, 5, "train", (instances, train.images, train.labels))
    sample = coordinates[sample_instances(coordinates.height, 300, 1)]
    tsne = tsne_map(sample, 5, 20, seed=3)
    umap = umap_map(sample, 5, n_neighbors=15, min_dist=0.1, seed=3)
    files = ["a.png", "b.png", "c.png"]
    images = images_table(files, train.images[-3:], None)
    labels = pl.DataFrame(
        {"file": files[:2], "label": [1, 2]}, schema={"file": pl.String, "label": pl.UInt8}
    )
    loadings, mean = loadings_table(pca, 5), mean_table(train.images)
    places = custom_places(
        images,
        labels=labels,
        loadings=loadings,
        mean=mean,
        coordinates=coordinates,
        tsne=tsne,
        umap=umap,
        dimensions=5,
        perplexity=20,
        n_neighbors=15,
        min_dist=0.1,
        seed=3,
    )
    new = pca_coordinates(train.images[-3:], loadings, mean, 5)
    expected = places_table(
        files,
        labels,
        new,
        coordinates,
        tsne=tsne,
        umap=umap,
        perplexity=20,
        n_neighbors=15,
        min_dist=0.1,
        seed=3,
    )
    assert places.equals(expected)
    assert places["map"].value_counts(sort=True)["count"].to_list() == [3, 3, 3]
    on_umap = places.filter(pl.col("map") == "UMAP map").select("dim1", "dim2").to_numpy()
    placed = place_on_umap(
        umap.sort("instance"),
        map_sample(coordinates, umap),
        new,
        dimensions=5,
        n_neighbors=15,
        min_dist=0.1,
        seed=3,
    )
    np.testing.assert_array_equal(on_umap, placed)
    plane = places.filter(pl.col("map") == "PCA plane")
    assert plane["file"].to_list() == files and plane["label"].to_list() == [1, 2, None]
    np.testing.assert_allclose(
        plane.select("dim1", "dim2").to_numpy(),
        coordinates.tail(3).select("pc1", "pc2").to_numpy(),
        atol=1e-4,
    )
