"""Findings of the figures of the space of digits, one function per figure (named after it)."""

from collections.abc import Sequence

import numpy as np
import polars as pl

from tidymnist.findings.table import Finding
from tidymnist.findings.words import and_, count, pair_sep, percent

N_EIGEN_DIGITS = 16  # principal components the eigen-digits figure draws
THRESHOLDS = (0.90, 0.95)  # cumulative shares of variance the explained-variance figure marks
EMPTY = 1e-9  # a component explaining less than this share of the variance explains nothing
MAPS = ("PCA plane", "t-SNE map")


def nearest_other_labels(frame: pl.DataFrame, x: str, y: str) -> pl.DataFrame:
    """Per image (``label``), the label of the nearest other image in the plane ``x``, ``y``
    (``neighbour``)."""
    from sklearn.neighbors import NearestNeighbors  # noqa: PLC0415 (slow to import)

    points = frame.select(x, y).to_numpy().astype(np.float64)
    _, index = NearestNeighbors(n_neighbors=2).fit(points).kneighbors(points)
    own = np.arange(len(points))
    other = np.where(index[:, 0] == own, index[:, 1], index[:, 0])  # duplicates: either order
    labels = frame["label"].to_numpy()
    return pl.DataFrame({"label": labels, "neighbour": labels[other]})


def _mixed_pairs(mixing: pl.DataFrame, class_names: Sequence[str]) -> list[str]:
    """Pairs of labels by how often an image's nearest neighbour has the other label, most
    first, as the reader sees them ('4/9')."""
    sep = pair_sep(class_names)
    pairs = (
        mixing.filter(pl.col("label") != pl.col("neighbour"))
        .select(
            a=pl.min_horizontal("label", "neighbour"), b=pl.max_horizontal("label", "neighbour")
        )
        .group_by("a", "b")
        .len()
        .sort(["len", "a", "b"], descending=[True, False, False])
    )
    return [f"{class_names[a]}{sep}{class_names[b]}" for a, b in pairs.select("a", "b").rows()]


def _neighbourhoods(
    frame: pl.DataFrame, x: str, y: str, *, key: str, pairs: int, class_names: Sequence[str]
) -> list[Finding]:
    mixing = nearest_other_labels(frame, x, y)
    same = float((mixing["label"] == mixing["neighbour"]).mean())
    mixed = _mixed_pairs(mixing, class_names)[:pairs]
    rows = [Finding(f"{key}_same_label", percent(same, 0), same)]
    if mixed:
        rows.append(Finding(f"{key}_mixed_pairs", and_(mixed), len(mixed)))
    return rows


def pca_scatter(
    pca_sample: pl.DataFrame, pca_variance: pl.DataFrame, class_names: Sequence[str]
) -> list[Finding]:
    """How many images lie nearest one of their own label on the PCA plane, which labels mix
    most, the labels at either end of the first component, and the variance of the plane."""
    means = pca_sample.group_by("label").agg(pl.col("pc1").mean()).sort("pc1", "label")
    first_two = float(pca_variance.sort("component")["variance_ratio"].head(2).sum())
    return [
        *_neighbourhoods(pca_sample, "pc1", "pc2", key="pca", pairs=3, class_names=class_names),
        Finding("pc1_low_label", class_names[means["label"][0]], means["label"][0]),
        Finding("pc1_high_label", class_names[means["label"][-1]], means["label"][-1]),
        Finding("first_two_share", percent(first_two), first_two),
    ]


def eigen_digits(pca_variance: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The share of the variance the drawn components explain together."""
    shown = pca_variance.filter(pl.col("component") <= N_EIGEN_DIGITS)
    together = float(shown["variance_ratio"].sum())
    return [
        Finding("eigen_digits_shown", str(shown.height), shown.height),
        Finding("eigen_digits_share", percent(together, 0), together),
    ]


def explained_variance(pca_variance: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """The components needed for 90% and 95% of the variance, the share of the first two, and
    how many components explain nothing."""
    variance = pca_variance.sort("component")
    first_two = float(variance["variance_ratio"].head(2).sum())
    empty = variance.filter(pl.col("variance_ratio") < EMPTY).height
    rows = [
        Finding("n_components", f"{variance.height:,}", variance.height),
        Finding("first_two_share", percent(first_two), first_two),
        Finding("empty_components", str(empty), empty),
    ]
    for threshold in THRESHOLDS:
        reached = variance.filter(pl.col("cumulative_ratio") >= threshold)["component"]
        if reached.len():
            rows.append(
                Finding(f"components_for_{round(threshold * 100)}", str(reached[0]), reached[0])
            )
    return rows


def tsne_map(tsne_map: pl.DataFrame, class_names: Sequence[str]) -> list[Finding]:
    """How many images the map holds, how many lie next to their own label, which labels mix."""
    return [
        Finding("tsne_images", f"{tsne_map.height:,}", tsne_map.height),
        *_neighbourhoods(tsne_map, "tsne1", "tsne2", key="tsne", pairs=2, class_names=class_names),
    ]


def least_typical_on_maps(
    least_typical_places: pl.DataFrame, class_names: Sequence[str]
) -> list[Finding]:
    """How many least typical digits land among another label on each map, and the commonest
    such landing on the t-SNE map."""
    places = least_typical_places
    strays = places.filter(pl.col("label") != pl.col("among"))
    n = places.filter(pl.col("map") == places["map"][0]).height if places.height else 0
    rows = [Finding("least_typical_shown", f"{n:,}", n)]
    for name, key in zip(MAPS, ("pca", "tsne"), strict=True):
        landed = strays.filter(pl.col("map") == name).height
        rows.append(Finding(f"strays_{key}", f"{landed:,}", landed))
    often = (
        strays.filter(pl.col("map") == "t-SNE map")
        .group_by("label", "among")
        .len()
        .sort(["len", "label", "among"], descending=[True, False, False])
    )
    if often.height:
        top = often.row(0, named=True)
        rows += [
            Finding("stray_label", class_names[top["label"]], top["label"]),
            Finding("stray_among", class_names[top["among"]], top["among"]),
            Finding("stray_count", count(top["len"], "image"), top["len"]),
        ]
    return rows
