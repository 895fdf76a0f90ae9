"""Findings of the figures of the space of digits, one function per figure (named after it)."""

from collections.abc import Sequence

import polars as pl

from tidymnist.embed.neighbours import TRUST_NEIGHBOURS, TRUST_SAMPLE, nearest_other_labels
from tidymnist.findings.table import Finding
from tidymnist.findings.words import and_, count, pair_sep, percent

N_EIGEN_DIGITS = 16  # principal components the eigen-digits figure draws
THRESHOLDS = (0.90, 0.95)  # cumulative shares of variance the explained-variance figure marks
EMPTY = 1e-9  # a component explaining less than this share of the variance explains nothing
MAPS = {"PCA plane": "pca", "t-SNE map": "tsne", "UMAP map": "umap"}  # map -> finding key


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
    mixing = nearest_other_labels(frame, [x, y])
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


def map_comparison(
    map_quality: pl.DataFrame, tsne_map: pl.DataFrame, class_names: Sequence[str]
) -> list[Finding]:
    """Each map's trustworthiness and share of same-label nearest neighbours (from the
    map_quality table), that share in the PCA space, which map keeps more labels, and how many
    images the maps and the trustworthiness are of."""
    quality = {
        (str(name), str(measure)): value
        for name, measure, value in map_quality.select("map", "measure", "value").iter_rows()
    }
    rows = [
        Finding("map_images", f"{tsne_map.height:,}", tsne_map.height),
        Finding("trust_images", f"{min(TRUST_SAMPLE, tsne_map.height):,}"),
        Finding("trust_neighbours", str(TRUST_NEIGHBOURS), TRUST_NEIGHBOURS),
    ]
    same = {}
    for name, key in (("t-SNE map", "tsne"), ("UMAP map", "umap")):
        trust, same[name] = quality[name, "trustworthiness"], quality[name, "same_label"]
        rows += [
            Finding(f"{key}_trustworthiness", f"{trust:.3f}", trust),
            Finding(f"{key}_same_label", percent(same[name]), same[name]),
        ]
    reference = quality["PCA space", "same_label"]
    rows.append(Finding("pca_space_same_label", percent(reference), reference))
    (worse, low), (better, high) = sorted(same.items(), key=lambda item: item[1])
    title = (
        "The t-SNE and UMAP maps keep as many nearest-neighbour labels"
        if percent(low) == percent(high)
        else f"The {better} keeps a few more nearest-neighbour labels than the {worse}"
        if high - low < 0.02
        else f"The {better} keeps more nearest-neighbour labels than the {worse}"
    )
    return [*rows, Finding("map_comparison_title", title)]


def least_typical_on_maps(
    least_typical_places: pl.DataFrame, class_names: Sequence[str]
) -> list[Finding]:
    """How many least typical digits land among another label on the plane and each map, and
    the commonest such landing on the t-SNE map."""
    places = least_typical_places
    strays = places.filter(pl.col("label") != pl.col("among"))
    n = places.filter(pl.col("map") == places["map"][0]).height if places.height else 0
    rows = [Finding("least_typical_shown", f"{n:,}", n)]
    for name, key in MAPS.items():
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
