"""The embedding figures: what each maps and carries, and that each draws without a warning.

The tables are made by the real functions of :mod:`tidymnist.embed.maps` from the first 3,000 real
training digits (a t-SNE map and a UMAP map of the first 800 of them), so the figures are tested on
exactly the shapes the workflow gives them.
"""

from itertools import combinations

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from plotnine import facet_wrap, geom_label, geom_point, geom_text, scale_x_log10, theme

from tidymnist.core.digits import DIGIT_NAMES, FASHION_NAMES, N_CLASSES, N_PIXELS
from tidymnist.embed import maps as embed
from tidymnist.embed.quality import map_quality
from tidymnist.figures.common import with_class
from tidymnist.figures.embed import (
    eigen_digits,
    explained_variance,
    label_anchors,
    least_typical_on_maps,
    map_comparison,
    pca_scatter,
    tsne_plot,
)
from tidymnist.figures.theme import LABEL_COLOURS
from tidymnist.findings import figure_findings
from tidymnist.io.dataset import load_split
from tidymnist.tables.centroids import centroids
from tidymnist.tables.distances import distances, least_typical
from tidymnist.tables.pixels import pixel_table

N_TRAIN = 3000
N_MAP = 800
MAPS = embed.PLACES_MAPS


def draws(plot):
    """Draw the whole figure (warnings are errors under pytest's configuration); the drawn
    figure's layers then hold the computed aesthetics, colours included."""
    figure = plot.draw()
    plt.close(figure)
    return plot


def drawn_colours(plot, name: str) -> list[str]:
    """The colours the drawn plot gave the points of class ``name`` (its first layer)."""
    drawn = plot.layers[0].data  # after drawing: the computed aesthetics, row for row
    x = plot.mapping["x"]
    assert drawn["x"].to_numpy() == pytest.approx(plot.data[x].to_numpy())
    return pl.Series(drawn["color"]).filter(plot.data["class"] == name).unique().to_list()


def found(figure: str, class_names=DIGIT_NAMES, **tables) -> pl.DataFrame:
    """The findings of ``figure`` from ``tables``, as the workflow computes them."""
    return figure_findings(figure, tables, class_names)


def layer(plot, geom, data_has: str | None = None):
    """The plot's one layer drawn with ``geom`` (whose data has the column ``data_has``)."""
    (found,) = [
        layer
        for layer in plot.layers
        if isinstance(layer.geom, geom)
        and (data_has is None or data_has in getattr(layer.geom.data, "columns", []))
    ]
    return found


def nearest_same_share(x: np.ndarray, y: np.ndarray, labels: np.ndarray) -> float:
    """Brute force: the share of points whose nearest other point has the same label."""
    d = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2
    np.fill_diagonal(d, np.inf)
    return float((labels[d.argmin(axis=1)] == labels).mean())


@pytest.fixture(scope="module")
def train(mnist_path):
    return load_split(mnist_path, "train", limit=N_TRAIN)


@pytest.fixture(scope="module")
def pca(train):
    return embed.fit_pca(train.images)


@pytest.fixture(scope="module")
def variance(pca) -> pl.DataFrame:
    return embed.variance_table(pca)


@pytest.fixture(scope="module")
def loadings(pca) -> pl.DataFrame:
    return embed.loadings_table(pca, 20)  # more than the figure shows


@pytest.fixture(scope="module")
def coordinates(pca, train) -> pl.DataFrame:
    arrays = (np.arange(N_TRAIN), train.images, train.labels)
    return embed.coordinates_table(pca, 30, "train", arrays)


@pytest.fixture(scope="module")
def tsne(coordinates) -> pl.DataFrame:
    return embed.tsne_map(coordinates.head(N_MAP), dimensions=30, perplexity=30, seed=0)


@pytest.fixture(scope="module")
def umap(coordinates) -> pl.DataFrame:
    return embed.umap_map(coordinates.head(N_MAP), 30, n_neighbors=15, min_dist=0.1, seed=0)


@pytest.fixture(scope="module")
def places(train, coordinates, tsne, umap) -> pl.DataFrame:
    """The 2 least typical training digits of each label, on the plane and both maps (on a map
    as the workflow puts them: where they are in its sample, placed onto it where they are not)."""
    pixels = pixel_table(train.images, train.labels, "train")
    odd = least_typical(distances(pixels, centroids(pixels)), 2)
    return embed.least_typical_places(
        odd,
        coordinates,
        tsne,
        umap,
        dimensions=30,
        perplexity=30,
        n_neighbors=15,
        min_dist=0.1,
        seed=0,
        sample=coordinates,
    )


@pytest.mark.mnist
def test_pca_scatter_puts_every_image_on_pc1_and_pc2_and_marks_each_labels_mean(
    coordinates, variance
):
    said = found("pca_scatter", pca_sample=coordinates, pca_variance=variance)
    plot = pca_scatter(coordinates, said, DIGIT_NAMES)
    assert (plot.mapping["x"], plot.mapping["y"], plot.mapping["color"]) == ("pc1", "pc2", "class")
    assert plot.data.height == N_TRAIN
    assert plot.data["class"].dtype == pl.Enum(list(DIGIT_NAMES))
    assert layer(plot, geom_point, "pc1").geom.data.height == N_CLASSES  # the large dots
    labels = layer(plot, geom_label).geom.data.sort("class")
    expected = coordinates.group_by("label").agg(pl.col("pc1", "pc2").mean()).sort("label")
    assert labels["class"].cast(str).to_list() == list(DIGIT_NAMES)
    assert labels["pc1"].to_list() == pytest.approx(expected["pc1"].to_list(), rel=1e-5)
    assert labels["pc2"].to_list() == pytest.approx(expected["pc2"].to_list(), rel=1e-5)
    # the subtitle's numbers come from the data
    x, y = coordinates["pc1"].to_numpy(), coordinates["pc2"].to_numpy()
    same = nearest_same_share(x, y, coordinates["label"].to_numpy())
    assert f"Only {same:.0%} of the images lie nearest" in plot.labels.subtitle
    low, high = expected.sort("pc1")["label"][0], expected.sort("pc1")["label"][-1]
    assert f"runs from {low} to {high}." in plot.labels.subtitle
    assert plot.labels.subtitle.startswith(f"{N_TRAIN:,} training images")
    assert "the labels that overlap most are" in plot.labels.subtitle
    draws(plot)


@pytest.mark.mnist
def test_pca_scatter_keeps_each_labels_colour_when_a_label_is_missing(coordinates, variance):
    some = coordinates.filter(pl.col("label") != 3)
    said = found("pca_scatter", pca_sample=some, pca_variance=variance)
    plot = draws(pca_scatter(some, said, DIGIT_NAMES))
    assert drawn_colours(plot, "7") == [LABEL_COLOURS[7]]


@pytest.mark.mnist
@pytest.mark.parametrize("class_names", [DIGIT_NAMES, FASHION_NAMES])
def test_pca_scatter_names_labels_apart_even_when_their_means_coincide(
    coordinates, variance, class_names
):
    """Labels 2, 5 and 8 have near-identical means on the PCA plane: drawn at the configured
    size, no two names' boxes overlap."""
    said = found("pca_scatter", class_names, pca_sample=coordinates, pca_variance=variance)
    plot = pca_scatter(coordinates, said, class_names) + theme(figure_size=(8, 7))
    figure = plot.draw()
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [
        (text.get_text(), text.get_bbox_patch().get_window_extent(renderer))
        for text in figure.axes[0].texts
        if text.get_bbox_patch() is not None
    ]
    plt.close(figure)
    assert sorted(name for name, _ in boxes) == sorted(class_names)
    for (name_a, a), (name_b, b) in combinations(boxes, 2):
        assert not a.overlaps(b), (name_a, name_b)


@pytest.mark.mnist
def test_eigen_digits_are_the_first_16_components_on_a_symmetric_scale(loadings, variance):
    plot = eigen_digits(loadings, variance, found("eigen_digits", pca_variance=variance))
    assert isinstance(plot.facet, facet_wrap)
    assert plot.facet.vars == ["strip"]
    assert plot.mapping["fill"] == "loading"
    assert plot.data.height == 16 * N_PIXELS
    assert plot.data["y"].dtype == pl.Int16  # signed, so the reversed y axis cannot wrap
    strips = plot.data["strip"]
    assert strips.n_unique() == 16
    first = variance.row(0, named=True)["variance_ratio"]
    assert strips.dtype.categories[0] == f"PC1 · {round(first * 100, 1)}%"
    assert strips.dtype.categories[-1].startswith("PC16 · ")
    low, high = plot.scales.get_scales("fill").limits
    shown = loadings.filter(pl.col("component") <= 16)["loading"].abs().max()
    assert -low == high == pytest.approx(shown)
    together = variance.head(16)["variance_ratio"].sum()
    assert f"together these 16 explain {together:.0%}" in plot.labels.subtitle
    draws(plot)


@pytest.mark.mnist
def test_explained_variance_marks_the_components_needed_for_90_and_95_percent(variance):
    plot = explained_variance(variance, found("explained_variance", pca_variance=variance))
    assert (plot.mapping["x"], plot.mapping["y"]) == ("component", "percent")
    assert isinstance(plot.scales.get_scales("x"), scale_x_log10)
    assert plot.data.height == N_PIXELS  # all 784 components
    cumulative = variance["cumulative_ratio"].to_numpy()
    k90 = int(np.argmax(cumulative >= 0.90)) + 1
    k95 = int(np.argmax(cumulative >= 0.95)) + 1
    assert 10 < k90 < k95 < N_PIXELS
    marks = layer(plot, geom_text).geom.data
    assert marks["component"].to_list() == [k90, k95]
    assert marks["text"].to_list() == [f"90% with {k90} components", f"95% with {k95} components"]
    assert f"90% takes {k90} and 95% takes {k95}" in plot.labels.subtitle
    assert plot.labels.title.startswith(f"{k90} of the {N_PIXELS} components")
    draws(plot)


def test_explained_variance_marks_the_first_component_at_or_past_each_threshold():
    ratios = [0.5, 0.3, 0.1, 0.07, 0.03, 0.0]  # cumulative: 0.5 0.8 0.9 0.97 1.0 1.0
    variance = pl.DataFrame(
        {
            "component": range(1, 7),
            "variance": ratios,
            "variance_ratio": ratios,
            "cumulative_ratio": np.cumsum(ratios).round(12),
        },
        schema=embed.VARIANCE_SCHEMA,
    )
    plot = explained_variance(variance, found("explained_variance", pca_variance=variance))
    assert layer(plot, geom_text).geom.data["component"].to_list() == [3, 4]
    assert "The last one explains almost nothing" in plot.labels.subtitle
    draws(plot)


@pytest.mark.mnist
def test_tsne_plot_colours_the_map_by_label_and_names_every_label(tsne):
    plot = tsne_plot(tsne, found("tsne_map", FASHION_NAMES, tsne_map=tsne), FASHION_NAMES)
    assert (plot.mapping["x"], plot.mapping["y"], plot.mapping["color"]) == (
        "tsne1",
        "tsne2",
        "class",
    )
    assert plot.data.height == N_MAP
    names = layer(plot, geom_label).geom.data.sort("class")
    assert names["class"].cast(str).to_list() == list(FASHION_NAMES)
    # each name sits on a digit of its own label
    on = names.join(
        with_class(tsne, FASHION_NAMES).select("class", "tsne1", "tsne2"),
        on=["class", "tsne1", "tsne2"],
    )
    assert on.height == len(FASHION_NAMES)
    same = nearest_same_share(
        tsne["tsne1"].to_numpy(), tsne["tsne2"].to_numpy(), tsne["label"].to_numpy()
    )
    assert same > 0.8  # t-SNE keeps real digits of a label together
    assert plot.labels.title == (
        f"On the t-SNE map, {same:.0%} of the images lie next to their own label"
    )
    assert "the axes, the gaps between groups and their sizes do not" in plot.labels.subtitle
    assert drawn_colours(draws(plot), "Bag") == [LABEL_COLOURS[8]]


@pytest.mark.mnist
def test_least_typical_on_maps_draws_the_plane_and_both_maps_with_the_odd_digits_on_top(
    coordinates, tsne, umap, places
):
    said = found("least_typical_on_maps", least_typical_places=places)
    plot = least_typical_on_maps(
        coordinates, tsne, umap, places, findings=said, class_names=DIGIT_NAMES
    )
    assert isinstance(plot.facet, facet_wrap)
    assert plot.facet.vars == ["map"]
    assert plot.facet.free == {"x": True, "y": True}
    background = plot.data
    assert background.group_by("map").len().sort("map")["len"].to_list() == [N_TRAIN, N_MAP, N_MAP]
    umap_points = background.filter(pl.col("map") == "UMAP map").select("dim1", "dim2")
    assert umap_points.equals(umap.select(dim1="umap1", dim2="umap2"))
    names = pl.concat(
        [layer.geom.data for layer in plot.layers if isinstance(layer.geom, geom_text)]
    )
    assert places.height == 3 * 2 * N_CLASSES
    # a name per digit where one fits beside it, none over another: most are named
    assert 0.5 * places.height <= names.height <= places.height
    assert set(names["map"].cast(str)) == {"PCA plane", "t-SNE map", "UMAP map"}
    for _, panel in names.group_by("map"):
        boxes = panel.select("left", "right", "bottom", "top").rows()
        for a, b in combinations(boxes, 2):
            assert a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
    assert plot.labels.subtitle.startswith(f"The {2 * N_CLASSES} images farthest")
    draws(plot)


@pytest.mark.mnist
def test_least_typical_on_maps_says_where_an_odd_digit_lands(coordinates, tsne, umap):
    """A 7 placed at the heart of the 1s on the plane and the t-SNE map lands among the 1s (the
    places table's ``among``), and the subtitle says so."""
    ones = {
        "PCA plane": coordinates.filter(pl.col("label") == 1).select(
            pl.col("pc1").median().cast(pl.Float64), pl.col("pc2").median().cast(pl.Float64)
        ),
        "t-SNE map": tsne.filter(pl.col("label") == 1).select(
            pl.col("tsne1").median(), pl.col("tsne2").median()
        ),
    }
    places = pl.DataFrame(
        {
            "instance": [99_999, 99_999],
            "label": [7, 7],
            "rank": [1, 1],
            "map": ["PCA plane", "t-SNE map"],
            "dim1": [ones[m].item(0, 0) for m in ("PCA plane", "t-SNE map")],
            "dim2": [ones[m].item(0, 1) for m in ("PCA plane", "t-SNE map")],
        },
        schema={
            "instance": pl.UInt32,
            "label": pl.UInt8,
            "rank": pl.UInt32,
            "map": MAPS,
            "dim1": pl.Float64,
            "dim2": pl.Float64,
        },
    )
    backgrounds = {
        "PCA plane": coordinates.select(
            "label", dim1=pl.col("pc1").cast(pl.Float64), dim2=pl.col("pc2").cast(pl.Float64)
        ),
        "t-SNE map": tsne.select("label", dim1="tsne1", dim2="tsne2"),
    }
    places = places.with_columns(embed.landed_among(places, backgrounds))
    assert places["among"].to_list() == [1, 1]
    said = found("least_typical_on_maps", least_typical_places=places)
    plot = least_typical_on_maps(
        coordinates, tsne, umap, places, findings=said, class_names=DIGIT_NAMES
    )
    subtitle = plot.labels.subtitle
    assert "On the t-SNE map 1 of them lands among another label" in subtitle
    assert "most often 7 among 1 (1 image); on the UMAP map 0 and on the plane" in subtitle
    assert subtitle.endswith("principal components 1")
    draws(plot)


@pytest.mark.mnist
def test_map_comparison_puts_both_maps_side_by_side_with_their_scores(coordinates, tsne, umap):
    quality = map_quality(coordinates, tsne, umap, dimensions=30, seed=0)
    said = found("map_comparison", map_quality=quality, tsne_map=tsne)
    plot = map_comparison(tsne, umap, said, DIGIT_NAMES)
    assert (plot.mapping["x"], plot.mapping["y"], plot.mapping["color"]) == (
        "dim1",
        "dim2",
        "class",
    )
    assert isinstance(plot.facet, facet_wrap)
    assert plot.facet.vars == ["panel"]
    assert plot.facet.free == {"x": True, "y": True}
    panels = plot.data["panel"].dtype.categories.to_list()
    assert [panel.split("\n")[0] for panel in panels] == ["t-SNE map", "UMAP map"]
    by_panel = plot.data.partition_by("panel", as_dict=True, maintain_order=True)
    tsne_panel, umap_panel = (by_panel[(panel,)] for panel in panels)
    assert tsne_panel.select("dim1", "dim2").equals(tsne.select(dim1="tsne1", dim2="tsne2"))
    assert umap_panel.select("dim1", "dim2").equals(umap.select(dim1="umap1", dim2="umap2"))
    # each panel's title states its scores, as the map_quality table has them
    value = dict(zip(quality.select("map", "measure").rows(), quality["value"], strict=True))
    same = nearest_same_share(
        umap["umap1"].to_numpy(), umap["umap2"].to_numpy(), umap["label"].to_numpy()
    )
    assert value["UMAP map", "same_label"] == pytest.approx(same)
    assert panels[1].endswith(
        f"trustworthiness {value['UMAP map', 'trustworthiness']:.3f} · "
        f"same-label neighbour {same:.1%}"
    )
    assert f"trustworthiness {value['t-SNE map', 'trustworthiness']:.3f}" in panels[0]
    names = layer(plot, geom_label).geom.data
    assert names.height == 2 * N_CLASSES  # every label named on each map
    assert f"The same {N_MAP} training images" in plot.labels.subtitle
    reference = value["PCA space", "same_label"]
    assert f"In the PCA space itself {reference:.1%} of the images" in plot.labels.subtitle
    assert drawn_colours(draws(plot), "3") == [LABEL_COLOURS[3]]


def test_a_label_is_named_inside_its_own_group_not_at_a_median_in_another():
    rng = np.random.default_rng(0)
    # label 0 in two blobs either side of label 1's: 0's median falls inside 1's blob
    blobs = [(-10.0, 0), (10.0, 0), (0.0, 1)]
    frame = pl.concat(
        pl.DataFrame(
            {
                "x": rng.normal(cx, 1.0, 200),
                "y": rng.normal(0.0, 1.0, 200),
                "label": np.full(200, label, dtype=np.uint8),
            }
        )
        for cx, label in blobs
    )
    anchors = label_anchors(with_class(frame, ["a", "b", *"cdefghij"]), "x", "y")
    a = anchors.filter(pl.col("class") == "a").row(0, named=True)
    b = anchors.filter(pl.col("class") == "b").row(0, named=True)
    assert abs(a["x"]) > 6  # in one of its own blobs, not at its median (near 0)
    assert abs(b["x"]) < 3
