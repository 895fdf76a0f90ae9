"""Hyperparameter sweeps: the grid is checked like the config, and points are scored honestly."""

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from sklearn.neighbors import KNeighborsClassifier

from tidymnist.core.config import ConfigError
from tidymnist.evaluate.grid import Point, sweep_points
from tidymnist.evaluate.sweep import SCHEMA, gather, holdout, score_point, score_setting
from tidymnist.io.dataset import load_split

REPO = Path(__file__).resolve().parents[1]
SCHEMA_FILE = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture(scope="module")
def schema():
    return yaml.safe_load(SCHEMA_FILE.read_text())


@pytest.fixture(scope="module")
def models():
    return yaml.safe_load((REPO / "config.yaml").read_text())["models"]


def test_points_follow_the_grid_in_order(schema, models):
    grid = {"knn": {"n_neighbors": [1, 3]}, "neural_network": {"hidden_layer_sizes": [[64, 32]]}}
    points = sweep_points(grid, models, schema)
    assert [(p.model, p.parameter, p.value, p.position) for p in points] == [
        ("knn", "n_neighbors", 1, 0),
        ("knn", "n_neighbors", 3, 1),
        ("neural_network", "hidden_layer_sizes", [64, 32], 0),
    ]
    assert [p.path for p in points] == [
        "knn/n_neighbors/1",
        "knn/n_neighbors/3",
        "neural_network/hidden_layer_sizes/64-32",
    ]


def test_values_from_the_command_line_are_converted(schema, models):
    # snakemake --config sweep="{grid: {knn: {n_neighbors: [1, 5]}}}" hands over strings
    points = sweep_points({"knn": {"n_neighbors": ["1", "5"]}}, models, schema)
    assert [p.value for p in points] == [1, 5]


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({"forest": {"depth": [1]}}, "sweep.grid.forest: unknown model"),
        ({"knn": {"depth": [1]}}, "sweep.grid.knn.depth: not a setting of knn"),
        ({"knn": {"enabled": [True, False]}}, "sweep.grid.knn.enabled: not a setting"),
        ({"knn": {"n_neighbors": [0]}}, "sweep.grid.knn.n_neighbors: 0: 0 is less than"),
        ({"knn": {"weights": ["heavy"]}}, "sweep.grid.knn.weights: 'heavy'"),
        ({"knn": {"n_neighbors": [3, 3]}}, "3 is listed twice"),
    ],
)
def test_a_bad_grid_names_its_key(schema, models, grid, message):
    with pytest.raises(ConfigError, match=message):
        sweep_points(grid, models, schema)


def test_holdout_keeps_the_last_images_apart():
    images, labels = np.arange(10 * 4).reshape(10, 4), np.arange(10)
    _, train_labels, held_images, held_labels = holdout(images, labels, 3)
    assert train_labels.tolist() == list(range(7))
    assert held_labels.tolist() == [7, 8, 9]
    assert (held_images == images[7:]).all()
    with pytest.raises(ConfigError, match=r"sweep\.validation: 10 held-out images"):
        holdout(images, labels, 10)


def test_a_point_scores_the_model_it_names(test_data_dir, models):
    train = load_split(test_data_dir, "train")
    spec = {**models["knn"], "pca_components": None}
    row = score_point(
        Point("knn", "n_neighbors", 1, 0),
        spec=spec,
        seed=42,
        images=train.images,
        labels=train.labels,
        validation=100,
    )
    # the same 1-NN by hand: fitted on the first 500 images, scored on the last 100
    flat = train.images.reshape(len(train.labels), -1).astype(np.float32) / 255
    by_hand = KNeighborsClassifier(n_neighbors=1).fit(flat[:-100], train.labels[:-100])
    expected = float((by_hand.predict(flat[-100:]) == train.labels[-100:]).mean())
    assert row.schema == SCHEMA
    assert row["accuracy"][0] == pytest.approx(expected)
    assert row["accuracy"][0] > 0.5  # ten labels: chance is 0.1
    assert (row["n_train"][0], row["n_validation"][0]) == (500, 100)
    assert json.loads(row["value"][0]) == 1
    assert row["configured"][0] is False  # the config uses 4 neighbours


def test_a_setting_scores_each_of_its_points_as_one_would_alone(test_data_dir, models):
    train = load_split(test_data_dir, "train")
    context = {
        "spec": {**models["knn"], "pca_components": None},
        "seed": 42,
        "images": train.images,
        "labels": train.labels,
        "validation": 100,
    }
    points = [Point("knn", "n_neighbors", k, i) for i, k in enumerate([5, 1])]
    together = score_setting(points, **context)
    alone = gather([score_point(point, **context) for point in points])
    timing = ["fit_seconds"]
    assert together.drop(timing).equals(alone.drop(timing))
    assert together["value"].to_list() == ["5", "1"]  # config order


def test_gather_orders_points_as_configured():
    rows = [
        pl.DataFrame([{**dict.fromkeys(SCHEMA.names()), **r}], schema=SCHEMA)
        for r in (
            {"model": "knn", "parameter": "n_neighbors", "value": "8", "position": 1},
            {"model": "knn", "parameter": "n_neighbors", "value": "1", "position": 0},
        )
    ]
    assert gather(rows)["value"].to_list() == ["1", "8"]
