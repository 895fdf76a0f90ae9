"""Figures of the space of digits: the PCA plane, the eigen-digits, how much variance the
components explain, the t-SNE map, the t-SNE and UMAP maps compared, and where the least typical
digits land on the plane and the maps."""

from collections.abc import Sequence

import polars as pl
from matplotlib import patheffects
from plotnine import (
    aes,
    coord_equal,
    element_blank,
    element_text,
    facet_wrap,
    geom_label,
    geom_line,
    geom_point,
    geom_raster,
    geom_segment,
    geom_text,
    ggplot,
    labs,
    scale_color_manual,
    scale_fill_manual,
    scale_x_log10,
    scale_y_continuous,
    theme,
)
from scipy.spatial import cKDTree

from tidymnist.embed.maps import NEIGHBOURS, PLACES_MAPS
from tidymnist.figures.common import tiles as _tiles
from tidymnist.figures.common import with_class
from tidymnist.figures.labels import place_labels
from tidymnist.figures.theme import (
    LABEL_COLOURS,
    POSITIVE,
    difference_scale,
    digit_axes,
    theme_tidymnist,
)
from tidymnist.findings import texts, values
from tidymnist.findings.space import N_EIGEN_DIGITS, THRESHOLDS
from tidymnist.findings.words import and_

BACKGROUND = "#cccccc"  # pale grey: the points a figure is not about
SPLIT_WORDS = {"train": "training", "test": "test"}
# A white outline that keeps text readable over a cloud of coloured points.
HALO = [patheffects.withStroke(linewidth=2.5, foreground="#ffffff")]


def _label_colours(class_names: Sequence[str]) -> dict[str, str]:
    """Each class name's colour, by name: a label keeps its colour when a sample lacks another."""
    return dict(zip(class_names, LABEL_COLOURS, strict=True))


def _images(frame: pl.DataFrame) -> str:
    """'5,000 training images', or '5,000 images' when ``frame`` has no single split."""
    splits = frame["split"].unique().to_list() if "split" in frame.columns else []
    word = SPLIT_WORDS.get(str(splits[0]), "") if len(splits) == 1 else ""
    return f"{frame.height:,} {word} images".replace("  ", " ")


def _span(values: pl.Series) -> float:
    """The range of ``values`` with the scales' default 5% margin on each side."""
    return float(values.max() - values.min()) * 1.1 or 1.0


def pca_scatter(
    coordinates: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """The images on the plane of their first two principal components, coloured by label,
    with each label's average position marked and named."""
    data = with_class(coordinates.select("label", "pc1", "pc2"), class_names)
    means = data.group_by("class").agg(pl.col("pc1", "pc2").mean()).sort("class")
    said = texts(findings)
    overlap = (
        f";\nthe labels that overlap most are {said['pca_mixed_pairs']}"
        if "pca_mixed_pairs" in said
        else ""
    )
    title = (
        "Two principal components tell only some labels apart"
        if values(findings)["pca_same_label"] < 0.5
        else "Two principal components already tell most labels apart"
    )
    # The averages of look-alike labels nearly coincide: their names go beside them, apart.
    # The cloud sets the scales, so the averages fill only part of the panel (about 7 x 4.8
    # inches at the configured size, with equal units on both axes).
    inches = min(7.0 / _span(data["pc1"]), 4.8 / _span(data["pc2"]))
    places = place_labels(
        means["pc1"].to_list(),
        means["pc2"].to_list(),
        means["class"].cast(pl.String).to_list(),
        size=10,
        panel=(inches * _span(means["pc1"]), inches * _span(means["pc2"])),
        directions=[(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)],
    )
    labels = pl.concat([means, places], how="horizontal")
    return (
        ggplot(data, aes("pc1", "pc2", color="class"))
        + geom_point(size=0.9, alpha=0.45, stroke=0)
        + geom_segment(
            aes(xend="end_x", yend="end_y"), data=labels.drop_nulls("end_x"), color="#444444"
        )
        + geom_point(aes(fill="class"), data=means, size=4, color="#ffffff", stroke=0.8)
        + geom_label(
            aes("text_x", "text_y", label="class", fill="class", ha="ha", va="va"),
            data=labels,
            color="#ffffff",
            size=10,
            fontweight="bold",
            label_size=0,
            label_padding=0.15,
        )
        + scale_color_manual(values=_label_colours(class_names), guide=None)
        + scale_fill_manual(values=_label_colours(class_names), guide=None)
        + coord_equal()
        + labs(
            title=title,
            subtitle=f"{_images(coordinates)} on the plane of the first two principal components, "
            "coloured by label;\nlarge dots mark each label's average. The first component runs "
            f"from {said['pc1_low_label']} to {said['pc1_high_label']}.\nOnly "
            f"{said['pca_same_label']} of the images lie nearest to an image of their own "
            f"label{overlap}",
            x="first principal component (PC1)",
            y="second principal component (PC2)",
        )
        + theme_tidymnist()
    )


def eigen_digits(loadings: pl.DataFrame, variance: pl.DataFrame, findings: pl.DataFrame) -> ggplot:
    """The first principal components as images: each one's weight on every pixel."""
    shares = variance.filter(pl.col("component") <= N_EIGEN_DIGITS).sort("component")
    n = shares.height
    strips = shares.select(
        "component",
        strip=pl.format(
            "PC{} · {}%", "component", (pl.col("variance_ratio") * 100).round(1).cast(pl.String)
        ),
    )
    data = (
        loadings.filter(pl.col("component") <= n)
        .join(strips, on="component")
        .with_columns(pl.col("strip").cast(pl.Enum(strips["strip"].to_list())))
    )
    limit = float(data["loading"].abs().max()) or 1.0
    said = texts(findings)
    return (
        ggplot(_tiles(data), aes("x", "y", fill="loading"))
        + geom_raster()
        + facet_wrap("strip", ncol=min(n, 8))
        + difference_scale("loading", limit)
        + theme_tidymnist()
        + digit_axes()
        + theme(strip_text=element_text(size=9))
        + labs(
            title=f"The first {n} eigen-digits",
            subtitle="Each image is the average image plus some amount (its coordinate) of every "
            "principal component;\nred pixels gain ink as that coordinate grows, blue pixels "
            "lose it (the sign of each component is arbitrary).\n"
            f"The strip gives each one's share of the pixels' variance; together these {n} "
            f"explain {said['eigen_digits_share']}",
        )
    )


def explained_variance(variance: pl.DataFrame, findings: pl.DataFrame) -> ggplot:
    """How much of the pixels' variance the first k components explain, for every k."""
    # float32 sums may pass 1 by a hair, which the 0-100% scale would drop
    data = variance.sort("component").with_columns(
        percent=pl.col("cumulative_ratio").clip(upper_bound=1.0) * 100
    )
    said, found = texts(findings), values(findings)
    n = said["n_components"]
    reached = {
        threshold: int(found[key])
        for threshold in THRESHOLDS
        if (key := f"components_for_{round(threshold * 100)}") in found
    }
    marks = pl.concat(
        [
            data.filter(pl.col("component") == component).with_columns(threshold=pl.lit(threshold))
            for threshold, component in reached.items()
        ]
    )
    # the lowest mark's text goes under its line, the others above theirs: the left of the
    # figure, above the curve, is empty
    marks = marks.with_columns(
        text=pl.format(
            "{}% with {} components",
            (pl.col("threshold") * 100).round(0).cast(pl.Int64),
            "component",
        ),
        text_y=pl.col("percent") + pl.when(pl.int_range(pl.len()) == 0).then(-1.5).otherwise(1.5),
        va=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("top")).otherwise(pl.lit("bottom")),
        start=pl.lit(1.0),
        floor=pl.lit(0.0),
    )
    needs = [
        f"{row['threshold']:.0%} takes {row['component']}" for row in marks.iter_rows(named=True)
    ]
    empty = int(found["empty_components"])
    title = (
        f"{marks['component'][0]} of the {n} components carry "
        f"{marks['threshold'][0]:.0%} of the variance"
        if marks.height
        else "How much of the variance the components carry"
    )
    took = f" {and_(needs)}." if needs else ""
    last = "The last one explains" if empty == 1 else f"The last {empty} explain"
    nothing = (
        f"\n{last} almost nothing (under a billionth each): some pixels are blank in every image"
        if empty
        else ""
    )
    return (
        ggplot(data, aes("component", "percent"))
        + geom_segment(
            aes(x="component", xend="component", y="floor", yend="percent"),
            data=marks,
            linetype="dashed",
            color="#666666",
        )
        + geom_segment(
            aes(x="start", xend="component", y="percent", yend="percent"),
            data=marks,
            linetype="dashed",
            color="#666666",
        )
        + geom_line(size=0.9, color="#222222")
        + geom_point(data=marks, size=2.5, color=POSITIVE)
        + geom_text(
            aes(x="start", y="text_y", label="text", va="va"),
            data=marks,
            ha="left",
            size=9,
            color=POSITIVE,
        )
        + scale_x_log10(breaks=sorted({1, 2, 5, 10, 20, 50, 100, 200, 500, data.height}))
        + scale_y_continuous(
            limits=(0, 100), breaks=range(0, 101, 10), labels=lambda b: [f"{v:.0f}%" for v in b]
        )
        + labs(
            title=title,
            subtitle="Share of the training pixels' variance explained by the first k of the "
            f"{n} principal components.\nThe first 2 explain {said['first_two_share']};"
            f"{took}{nothing}",
            x="number of components k (log scale)",
            y="variance explained",
        )
        + theme_tidymnist()
    )


def label_anchors(
    data: pl.DataFrame, x: str, y: str, *, by: Sequence[str] = (), k: int = 25
) -> pl.DataFrame:
    """Where to name each label (``class``) on a map: at its core, the digit of the label whose
    ``k`` nearest neighbours on the map share its label most (the one nearest the label's median
    among ties). A median can fall between two groups that interleave, as 4 and 9 do, and put
    one name over another; a core is inside its own group. Per group of ``by`` (panels)."""
    frames = []
    for _, panel in data.group_by(list(by), maintain_order=True) if by else [((), data)]:
        points = panel.select(x, y).to_numpy()
        labels = panel["class"].to_physical().to_numpy()
        _, near = cKDTree(points).query(points, k=min(k + 1, len(points)))
        purity = (labels[near[:, 1:]] == labels[:, None]).mean(axis=1)
        frames.append(
            panel.with_columns(purity=pl.Series(purity))
            .with_columns(
                spread=(pl.col(x) - pl.col(x).median().over("class")) ** 2
                + (pl.col(y) - pl.col(y).median().over("class")) ** 2
            )
            .sort("purity", "spread", descending=[True, False])
            .group_by([*by, "class"], maintain_order=True)
            .first()
            .select(*by, "class", x, y)
        )
    return pl.concat(frames).sort([*by, "class"])


def tsne_plot(tsne: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]) -> ggplot:
    """The t-SNE map of the images, coloured by label, with each label named at its core."""
    data = with_class(tsne, class_names)
    medians = label_anchors(data, "tsne1", "tsne2")
    said = texts(findings)
    mixed = (
        f".\nThe labels mixed most often are {said['tsne_mixed_pairs']}"
        if "tsne_mixed_pairs" in said
        else ""
    )
    return (
        ggplot(data, aes("tsne1", "tsne2", color="class"))
        + geom_point(size=1.0, alpha=0.55, stroke=0)
        + geom_label(
            aes(label="class"),
            data=medians,
            fill="#ffffff",
            alpha=0.85,
            size=11,
            fontweight="bold",
            label_size=0.8,
            label_padding=0.2,
        )
        + scale_color_manual(values=_label_colours(class_names), guide=None)
        + labs(
            title=f"On the t-SNE map, {said['tsne_same_label']} of the images lie next to their "
            "own label",
            subtitle=f"{_images(tsne)} placed by t-SNE so that images with similar pixels lie "
            "close together;\neach label is named where its own digits crowd most. Only "
            "neighbourhoods mean something:\nthe axes, the gaps between groups and their sizes "
            f"do not{mixed}",
            x="",
            y="",
        )
        + theme_tidymnist()
        + theme(axis_text=element_blank(), panel_grid=element_blank())
    )


def map_background(
    coordinates: pl.DataFrame, tsne: pl.DataFrame, umap: pl.DataFrame
) -> pl.DataFrame:
    """The sampled training digits on the plane and both maps, long: label, map, dim1, dim2."""
    return pl.concat(
        [
            coordinates.select(
                "label",
                map=pl.lit("PCA plane", PLACES_MAPS),
                dim1=pl.col("pc1").cast(pl.Float64),
                dim2=pl.col("pc2").cast(pl.Float64),
            ),
            tsne.select("label", map=pl.lit("t-SNE map", PLACES_MAPS), dim1="tsne1", dim2="tsne2"),
            umap.select("label", map=pl.lit("UMAP map", PLACES_MAPS), dim1="umap1", dim2="umap2"),
        ]
    )


def least_typical_on_maps(
    coordinates: pl.DataFrame,
    tsne: pl.DataFrame,
    umap: pl.DataFrame,
    places: pl.DataFrame,
    *,
    findings: pl.DataFrame,
    class_names: Sequence[str],
) -> ggplot:
    """Where the least typical digits land on the PCA plane, the t-SNE map and the UMAP map
    (``places`` says among which label each lands: :func:`tidymnist.embed.maps.landed_among`)."""
    background = map_background(coordinates, tsne, umap)
    data = places.pipe(with_class, class_names)
    size = 8 if max(len(name) for name in class_names) <= 2 else 6.5
    # each dot named beside it where a name fits without covering another name or dot
    names = pl.concat(
        pl.concat(
            [
                panel.select("map", "class"),
                place_labels(
                    panel["dim1"].to_list(),
                    panel["dim2"].to_list(),
                    panel["class"].cast(pl.String).to_list(),
                    size=size,
                    panel=(3.9, 4.0),
                    directions=[(0, 1), (1, 0), (-1, 0), (0, -1)],
                    drop=True,
                    shifts=0,
                ),
            ],
            how="horizontal",
        )
        for _, panel in data.group_by("map", maintain_order=True)
    ).filter(pl.col("shown"))
    said, found = texts(findings), values(findings)
    example = (
        f"most often {said['stray_label']} among {said['stray_among']} ({said['stray_count']}); "
        if "stray_label" in said
        else ""
    )
    lands = "lands" if found["strays_tsne"] == 1 else "land"
    return (
        ggplot(background, aes("dim1", "dim2"))
        + geom_point(color=BACKGROUND, size=0.6, stroke=0)
        + geom_point(aes(fill="class"), data=data, size=2.2, color="#ffffff", stroke=0.4, alpha=0.9)
        + [
            geom_text(
                aes(x="text_x", y="text_y", label="class", color="class"),
                data=group,
                ha=ha,
                va=va,
                size=size,
                fontweight="bold",
                path_effects=HALO,
            )
            for (ha, va), group in names.group_by("ha", "va", maintain_order=True)
        ]
        + facet_wrap("map", scales="free")
        + scale_color_manual(values=_label_colours(class_names), guide=None)
        + scale_fill_manual(values=_label_colours(class_names), guide=None)
        + labs(
            title="Where the least typical images land",
            subtitle=f"The {said['least_typical_shown']} images farthest from their label's "
            "average, in colour (named where a name fits), among the sampled images in grey.\nOn "
            "the t-SNE map "
            f"{said['strays_tsne']} of them "
            f"{lands} among another label (most of their {NEIGHBOURS} nearest grey neighbours have "
            "it),\n"
            f"{example}on the UMAP map {said['strays_umap']} and on the plane of the first two "
            f"principal components {said['strays_pca']}",
            x="",
            y="",
        )
        + theme_tidymnist()
        + theme(axis_text=element_blank(), panel_grid=element_blank())
    )


def map_comparison(
    tsne: pl.DataFrame, umap: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """The t-SNE map and the UMAP map of the same images side by side, coloured by label, each
    label named at its core (:func:`label_anchors`), each panel titled with how well it keeps
    neighbourhoods (the map_quality table, through the findings)."""
    said = texts(findings)
    strips = {
        key: f"{name}\ntrustworthiness {said[f'{key}_trustworthiness']} · "
        f"same-label neighbour {said[f'{key}_same_label']}"
        for key, name in (("tsne", "t-SNE map"), ("umap", "UMAP map"))
    }
    panels = pl.Enum(list(strips.values()))
    data = pl.concat(
        [
            tsne.select("label", panel=pl.lit(strips["tsne"]), dim1="tsne1", dim2="tsne2"),
            umap.select("label", panel=pl.lit(strips["umap"]), dim1="umap1", dim2="umap2"),
        ]
    ).with_columns(pl.col("panel").cast(panels))
    data = with_class(data, class_names)
    medians = label_anchors(data, "dim1", "dim2", by=["panel"])
    return (
        ggplot(data, aes("dim1", "dim2", color="class"))
        + geom_point(size=0.7, alpha=0.5, stroke=0)
        + geom_label(
            aes(label="class"),
            data=medians,
            fill="#ffffff",
            alpha=0.85,
            size=9,
            fontweight="bold",
            label_size=0.6,
            label_padding=0.15,
        )
        + facet_wrap("panel", scales="free")
        + scale_color_manual(values=_label_colours(class_names), guide=None)
        + labs(
            title=said["map_comparison_title"],
            subtitle=f"The same {said['map_images']} training images, placed from the same PCA "
            "coordinates by t-SNE (left) and by UMAP (right).\nTrustworthiness (1 at best): "
            f"whether an image's {said['trust_neighbours']} nearest neighbours on the map are "
            f"also among its nearest in the PCA space\n(on {said['trust_images']} of them). In "
            "the PCA "
            f"space itself {said['pca_space_same_label']} of the images have a nearest "
            "neighbour of their own label",
            x="",
            y="",
        )
        + theme_tidymnist()
        + theme(axis_text=element_blank(), panel_grid=element_blank())
    )
