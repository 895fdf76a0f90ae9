"""The report's explorers: charts a reader points at, drawn by Vega-Lite in the page, offline.

Each explorer is an Altair chart built from the study's tables: the maps of the digit space (a
point per digit; hovering shows the digit nearest the pointer, its label and, for a test digit,
every model's answer), a confusion matrix per model (clicking a cell shows the test digits in
it) and the galleries of least typical digits and confident mistakes (clicking a digit enlarges
it with its details). The digits travel as small PNG data URIs, each once per page; the
Vega-Lite specifications are written by the workflow's ``explorer`` rule and inlined, with the
JavaScript that draws them (:func:`javascript`), by the report.
"""

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import numpy as np
import polars as pl
import vl_convert
from PIL import Image

from tidymnist.core.naming import display_column, display_name, sort_models
from tidymnist.figures.theme import LABEL_COLOURS, POSITIVE, SHARE_HIGH, SHARE_LOW
from tidymnist.findings.models import best_model
from tidymnist.tables.pixels import images_from_pixels

# The explorers by name: the figure of the report each follows, its heading and what to do.
EXPLORERS = {
    "maps": (
        "map_comparison",
        "Explore the maps",
        "Point at a map to see the digit nearest the pointer, with what every model answered "
        "for a test digit (the diamonds, placed on the maps the way new digits are); choose the "
        "t-SNE map, the UMAP map or the PCA plane below it.",
    ),
    "least_typical": (
        "least_typical",
        "Explore the least typical digits",
        "Click a digit to enlarge it with its details.",
    ),
    "confusion": (
        "confusion_matrices",
        "Explore the confusion matrices",
        "Choose a model, then click a cell to see the test digits in it.",
    ),
    "mistakes": (
        "mistakes_gallery",
        "Explore the confident mistakes",
        "Click a digit to enlarge it with what every model answered.",
    ),
}
DIGIT_PX = 36  # a digit in a grid
LARGE_PX = 140  # an enlarged digit
GRID_COLUMNS = 10  # digits per row in a confusion cell's grid
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
# the map legend's words for a digit's split
SPLIT_LABELS = "datum.label == 'test' ? 'test (placed)' : 'training'"


def digit_uri(image: np.ndarray) -> str:
    """A 28 x 28 image of ink values (0 blank, 255 full ink) as a PNG data URI, drawn dark on
    light as in the figures."""
    buffer = io.BytesIO()
    Image.fromarray(255 - np.asarray(image, dtype=np.uint8), mode="L").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``key``, the digit's split and instance as one string ("test-17")."""
    return frame.with_columns(key=pl.format("{}-{}", "split", "instance"))


def digit_table(pixels: pl.DataFrame) -> pl.DataFrame:
    """One row per digit of a selection of the pixel table: key, split, instance, label, image
    (a PNG data URI)."""
    frames = []
    for split in pixels["split"].unique(maintain_order=True):
        ordered = pixels.filter(pl.col("split") == split).sort("instance", "pixel")
        images, labels = images_from_pixels(ordered)
        frames.append(
            pl.DataFrame(
                {
                    "split": str(split),
                    "instance": ordered["instance"].unique(maintain_order=True),
                    "label": pl.Series(labels, dtype=pl.UInt8),
                    "image": [digit_uri(image) for image in images],
                }
            )
        )
    return keyed(pl.concat(frames)).sort("key")


def answers_table(predictions: pl.DataFrame, class_names: Sequence[str]) -> pl.DataFrame:
    """For each test digit in ``predictions``: key and ``answers``, every model's answer, a line
    per model in the study's order ("k-NN: 9")."""
    names = pl.Series(list(class_names))
    order = {name: i for i, name in enumerate(sort_models(predictions["model"].unique()))}
    return (
        predictions.with_columns(
            order=pl.col("model").replace_strict(order, return_dtype=pl.Int32),
            line=pl.format(
                "{}: {}",
                display_column("model").cast(pl.String),
                pl.col("predicted").map_elements(lambda p: names[p], return_dtype=pl.String),
            ),
        )
        .sort("instance", "order")
        .group_by("instance", maintain_order=True)
        .agg(answers=pl.col("line").str.join("\n"))
        .with_columns(split=pl.lit("test"))
        .pipe(keyed)
        .select("key", "answers")
    )


def with_details(
    digits: pl.DataFrame, answers: pl.DataFrame, class_names: Sequence[str]
) -> pl.DataFrame:
    """The digits with ``details``: what the enlarged digit says (label, split and instance,
    and for a test digit every model's answer)."""
    names = pl.Series(list(class_names))
    return (
        digits.join(answers, on="key", how="left")
        .with_columns(
            head=pl.format(
                "label {} · {} digit {}",
                pl.col("label").map_elements(lambda x: names[x], return_dtype=pl.String),
                pl.col("split").cast(pl.String),
                "instance",
            )
        )
        .with_columns(
            details=pl.when(pl.col("answers").is_null())
            .then(pl.col("head"))
            .otherwise(pl.format("{}\nanswers:\n{}", "head", "answers"))
        )
        .select("key", "split", "instance", "label", "image", "details")
    )


def map_points(
    maps: dict[str, pl.DataFrame], size: int, seed: int, class_names: Sequence[str]
) -> pl.DataFrame:
    """The digits every map in ``maps`` holds (a seeded sample of ``size`` of the training
    digits, and every test digit), a row per map per digit: key, split, instance, label, class,
    map, x, y. ``maps`` are tables by map name with split, instance, label and the
    coordinates as ``x`` and ``y``."""
    common = None
    for table in maps.values():
        keys = table.select("split", "instance")
        common = keys if common is None else common.join(keys, on=["split", "instance"])
    train = common.filter(pl.col("split") == "train").sort("instance")
    chosen = pl.concat(
        [
            train.sample(min(size, train.height), seed=seed),
            common.filter(pl.col("split") == "test").sort("instance"),
        ]
    )
    names = pl.Series(list(class_names))
    return keyed(
        pl.concat(
            table.join(chosen, on=["split", "instance"])
            .with_columns(map=pl.lit(name))
            .select(
                pl.col("split").cast(pl.String),
                "instance",
                "label",
                "map",
                pl.col("x", "y").cast(pl.Float64),
            )
            for name, table in maps.items()
        )
    ).with_columns(
        pl.col("label").map_elements(lambda x: names[x], return_dtype=pl.String).alias("class")
    )


def cell_digits(predictions: pl.DataFrame, limit: int) -> pl.DataFrame:
    """The first ``limit`` test digits (by instance) of every cell of every model's confusion
    matrix: model, label, predicted, instance, key and their place in the cell's grid."""
    return (
        predictions.sort("model", "label", "predicted", "instance")
        .with_columns(place=pl.int_range(pl.len()).over("model", "label", "predicted"))
        .filter(pl.col("place") < limit)
        .with_columns(
            split=pl.lit("test"),
            column=pl.col("place") % GRID_COLUMNS,
            row=pl.col("place") // GRID_COLUMNS,
        )
        .pipe(keyed)
        .select("model", "label", "predicted", "instance", "key", "column", "row")
    )


def _lookup(
    digits: pl.DataFrame, keys: pl.Series, fields: Sequence[str] = ("image", "details")
) -> alt.LookupData:
    """The digits of ``keys`` only (each explorer carries the digits it shows, no others)."""
    own = digits.filter(pl.col("key").is_in(keys.unique().implode())).select("key", *fields)
    return alt.LookupData(data=own, key="key", fields=list(fields))


def _digit_panel(chart: alt.Chart, title: str) -> alt.LayerChart:
    """The enlarged digit of a selection and its details below it."""
    image = chart.mark_image(width=LARGE_PX, height=LARGE_PX, smooth=False).encode(
        url="image:N", x=alt.value(LARGE_PX / 2 + 10), y=alt.value(LARGE_PX / 2 + 4)
    )
    text = chart.mark_text(
        align="left", baseline="top", lineBreak="\n", fontSize=12, font=FONT
    ).encode(text="details:N", x=alt.value(4), y=alt.value(LARGE_PX + 16))
    return alt.layer(image, text).properties(width=210, height=LARGE_PX + 230, title=title)


def maps_chart(points: pl.DataFrame, digits: pl.DataFrame, class_names: Sequence[str]):
    """The maps of the digit space, one at a time (a radio button picks it), and the digit
    nearest the pointer beside them."""
    names = points["map"].unique(maintain_order=True).to_list()
    which = alt.param(
        name="map", value=names[0], bind=alt.binding_radio(options=names, name="map: ")
    )
    hover = alt.selection_point(
        name="hover", on="pointerover", nearest=True, fields=["key"], empty=False
    )
    shown = alt.Chart(points).transform_filter(alt.datum.map == which)
    scatter = (
        shown.mark_point(filled=True, opacity=0.7)
        .encode(
            x=alt.X("x:Q", axis=None, scale=alt.Scale(zero=False)),
            y=alt.Y("y:Q", axis=None, scale=alt.Scale(zero=False)),
            shape=alt.Shape(
                "split:N",
                scale=alt.Scale(domain=["train", "test"], range=["circle", "diamond"]),
                legend=alt.Legend(title="digit", orient="left", labelExpr=SPLIT_LABELS),
            ),
            size=alt.condition(alt.datum.split == "test", alt.value(46), alt.value(14)),
            color=alt.Color(
                "class:N",
                scale=alt.Scale(domain=list(class_names), range=list(LABEL_COLOURS)),
                legend=alt.Legend(title="label", orient="left"),
            ),
            stroke=alt.condition(hover, alt.value("#000000"), alt.value(None)),
        )
        .add_params(which, hover)
        .properties(width=520, height=520, name="map_points")
    )
    picked = shown.transform_filter(hover).transform_lookup(
        lookup="key", from_=_lookup(digits, points["key"])
    )
    return alt.hconcat(scatter, _digit_panel(picked, "The digit under the pointer"))


def confusion_chart(
    confusion: pl.DataFrame,
    cells: pl.DataFrame,
    digits: pl.DataFrame,
    class_names: Sequence[str],
    limit: int,
):
    """Every model's confusion matrix, one at a time (a menu picks it, the best first), and
    the test digits of the clicked cell."""
    names = pl.Series(list(class_names))

    def named(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            display_column("model").cast(pl.String).alias("shown"),
            pl.col("label").map_elements(lambda x: names[x], return_dtype=pl.String),
            pl.col("predicted").map_elements(lambda x: names[x], return_dtype=pl.String),
        )

    table = (
        named(confusion)
        .with_columns(
            share=(pl.col("n") / pl.col("n").sum().over("model", "label")).round(4),
            said=pl.format("{} test images", "n"),
        )
        .select("shown", "label", "predicted", "n", "share", "said")
    )
    models = [display_name(m) for m in sort_models(confusion["model"].unique())]
    best = display_name(best_model(confusion))
    model = alt.param(
        name="model", value=best, bind=alt.binding_select(options=models, name="model: ")
    )
    cell = alt.selection_point(
        name="cell", fields=["label", "predicted"], on="click", empty=False, clear="dblclick"
    )
    axes = {
        "x": alt.X("predicted:O", sort=list(class_names), title="predicted label"),
        "y": alt.Y("label:O", sort=list(class_names), title="true label"),
    }
    base = alt.Chart(table).transform_filter(alt.datum.shown == model)
    tiles = (
        base.mark_rect()
        .encode(
            **axes,
            color=alt.Color(
                "share:Q",
                scale=alt.Scale(
                    type="sqrt",
                    domain=[0, 0.2],
                    clamp=True,
                    range=[SHARE_LOW, SHARE_HIGH],
                    interpolate="rgb",
                ),
                legend=None,
            ),
            stroke=alt.condition(cell, alt.value(POSITIVE), alt.value("#ffffff")),
            strokeWidth=alt.condition(cell, alt.value(3), alt.value(0.5)),
            tooltip=[alt.Tooltip("said:N", title="cell")],
        )
        .add_params(model, cell)
        .properties(name="confusion_tiles")
    )
    counts = (
        base.transform_filter(alt.datum.n > 0)
        .mark_text(fontSize=10, font=FONT)
        .encode(
            **axes,
            text="n:Q",
            color=alt.condition("datum.share > 0.07", alt.value("#ffffff"), alt.value("#222222")),
        )
    )
    matrix = alt.layer(tiles, counts).properties(width=330, height=330, name="confusion_matrix")
    grid_px = DIGIT_PX + 2
    rows = -(-limit // GRID_COLUMNS)
    grid = (
        alt.Chart(named(cells).select("shown", "label", "predicted", "key", "column", "row"))
        .transform_filter(alt.datum.shown == model)
        .transform_filter(cell)
        .transform_lookup(lookup="key", from_=_lookup(digits, cells["key"]))
        .mark_image(width=DIGIT_PX, height=DIGIT_PX, smooth=False)
        .encode(
            x=alt.X("column:O", axis=None, scale=alt.Scale(domain=list(range(GRID_COLUMNS)))),
            y=alt.Y("row:O", axis=None, scale=alt.Scale(domain=list(range(rows)))),
            url="image:N",
            tooltip=[alt.Tooltip("details:N", title="digit")],
        )
        .properties(width=GRID_COLUMNS * grid_px, height=rows * grid_px, name="cell_digits")
    )
    heading = (
        base.transform_filter(cell)
        .mark_text(align="left", fontSize=12, font=FONT)
        .encode(
            text=alt.Text("heading:N"),
            x=alt.value(0),
            y=alt.value(8),
        )
        .transform_calculate(
            heading="datum.n + (datum.n == 1 ? ' test image' : ' test images') + ' of label ' + "
            f"datum.label + ' read as ' + "
            f"datum.predicted + (datum.n > {limit} ? ' (the first {limit} shown)' : '')"
        )
        .properties(width=GRID_COLUMNS * grid_px, height=16)
    )
    return alt.hconcat(matrix, alt.vconcat(heading, grid, spacing=4), spacing=24)


def gallery_chart(
    items: pl.DataFrame, digits: pl.DataFrame, rows: Sequence[str], name: str, title: str
):
    """A gallery of digits in rows (``row``, in the order of ``rows``) and columns (``column``),
    each clickable to enlarge it with its ``details`` (from ``items``, else ``digits``)."""
    # a click picks one place of the gallery: one digit can sit in several (a test digit that
    # is the confident mistake of two models), each with its own details
    pick = alt.selection_point(name=f"{name}_pick", fields=["place"], on="click", empty=False)
    fields = ("image",) if "details" in items.columns else ("image", "details")
    placed = items.with_columns(place=pl.format("{}/{}", "row", "column"))
    looked = alt.Chart(placed).transform_lookup(
        lookup="key", from_=_lookup(digits, items["key"], fields)
    )
    grid = (
        looked.mark_image(width=DIGIT_PX, height=DIGIT_PX, smooth=False)
        .encode(
            x=alt.X("column:O", title=None, axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y("row:N", sort=list(rows), title=None, axis=alt.Axis(ticks=False, domain=False)),
            url="image:N",
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.85)),
        )
        .add_params(pick)
        .properties(
            width=items["column"].n_unique() * (DIGIT_PX + 4),
            height=len(rows) * (DIGIT_PX + 4),
            name=f"{name}_grid",
        )
    )
    return alt.hconcat(grid, _digit_panel(looked.transform_filter(pick), title), spacing=24)


def least_typical_items(pixels: pl.DataFrame, class_names: Sequence[str]) -> pl.DataFrame:
    """The least typical digits as gallery items: a row per label, a column per rank."""
    names = pl.Series(list(class_names))
    return keyed(
        pixels.select("split", "instance", "label", "rank", "distance")
        .unique()
        .sort("label", "rank")
    ).select(
        "key",
        pl.col("label").map_elements(lambda x: names[x], return_dtype=pl.String).alias("row"),
        pl.col("rank").alias("column"),
        details=pl.format(
            "label {} · training digit {}\nrank {} of its label: distance {}\nfrom its centroid",
            pl.col("label").map_elements(lambda x: names[x], return_dtype=pl.String),
            "instance",
            "rank",
            pl.col("distance").round(1),
        ),
    )


def mistake_items(
    pixels: pl.DataFrame, answers: pl.DataFrame, class_names: Sequence[str]
) -> pl.DataFrame:
    """Each model's most confident mistakes as gallery items: a row per model, a column per
    rank, the details saying what every model answered."""
    names = pl.Series(list(class_names))
    mistakes = (
        pixels.select("split", "instance", "label", "model", "rank", "predicted", "probability")
        .unique()
        .pipe(keyed)
        .join(answers, on="key", how="left")
    )
    return mistakes.sort("model", "rank").select(
        "key",
        display_column("model").cast(pl.String).alias("row"),
        pl.col("rank").alias("column"),
        details=pl.format(
            "label {} read as {} ({}%)\n{} digit {}\nanswers:\n{}",
            pl.col("label").map_elements(lambda x: names[x], return_dtype=pl.String),
            pl.col("predicted").map_elements(lambda x: names[x], return_dtype=pl.String),
            (pl.col("probability") * 100).round(1),
            pl.col("split").cast(pl.String),
            "instance",
            pl.col("answers").fill_null(""),
        ),
    )


def maps_of(tables: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The maps the tables hold, by the name the reader picks them by, each with split,
    instance, label and the coordinates as x and y: t-SNE and UMAP (where the run made one),
    their training digits and the test digits placed on them, and the PCA plane."""
    maps = {}
    for name, key in (("t-SNE", "tsne"), ("UMAP", "umap")):
        if f"{key}_map" in tables:
            parts = {"train": tables[f"{key}_map"], "test": tables.get(f"{key}_test_places")}
            maps[name] = pl.concat(
                part.select(
                    split=pl.lit(split),
                    instance="instance",
                    label="label",
                    x=f"{key}1",
                    y=f"{key}2",
                )
                for split, part in parts.items()
                if part is not None
            )
    if "pca_coordinates" in tables:
        maps["PCA"] = tables["pca_coordinates"].select(
            pl.col("split").cast(pl.String), "instance", "label", x="pc1", y="pc2"
        )
    return maps


def explorer_specs(
    tables: Mapping[str, pl.DataFrame],
    pixels: pl.LazyFrame,
    *,
    class_names: Sequence[str],
    sample: int,
    limit: int,
    seed: int,
) -> dict[str, dict[str, Any]]:
    """Every explorer the ``tables`` (by name in results/tables/) allow, as Vega-Lite
    specifications by name (see :data:`EXPLORERS`): the maps of :func:`maps_of`, the least
    typical digits, and with models (predictions, confusion, mistake_pixels) the confusion
    cells and the mistakes. The digits they show are read from ``pixels`` once."""
    empty = pl.DataFrame()
    maps = maps_of(tables)
    predictions = tables.get("predictions", empty)
    confusion = tables.get("confusion", empty)
    least_typical_pixels = tables.get("least_typical_pixels", empty)
    mistake_pixels = tables.get("mistake_pixels", empty)
    points = map_points(maps, sample, seed, class_names) if maps else None
    cells = cell_digits(predictions, limit) if predictions.height else None
    wanted = pl.concat(
        [
            frame.select(pl.col("split").cast(pl.String), "instance")
            for frame in (
                points if points is not None else pl.DataFrame(),
                cells.with_columns(split=pl.lit("test")) if cells is not None else pl.DataFrame(),
                least_typical_pixels,
                mistake_pixels,
            )
            if frame.height
        ]
    ).unique()
    chosen = pixels.join(
        wanted.lazy().with_columns(pl.col("split").cast(pixels.collect_schema()["split"])),
        on=["split", "instance"],
    ).collect()
    answers = answers_table(predictions, class_names) if predictions.height else None
    digits = with_details(
        digit_table(chosen),
        answers
        if answers is not None
        else pl.DataFrame(schema={"key": pl.String, "answers": pl.String}),
        class_names,
    )
    specs = {}
    if points is not None:
        specs["maps"] = maps_chart(points, digits, class_names)
    if least_typical_pixels.height:
        specs["least_typical"] = gallery_chart(
            least_typical_items(least_typical_pixels, class_names),
            digits,
            list(class_names),
            "least_typical",
            "The digit you clicked",
        )
    if cells is not None:
        specs["confusion"] = confusion_chart(confusion, cells, digits, class_names, limit)
    if mistake_pixels.height:
        order = [display_name(m) for m in sort_models(mistake_pixels["model"].unique())]
        specs["mistakes"] = gallery_chart(
            mistake_items(mistake_pixels, answers, class_names),
            digits,
            order,
            "mistakes",
            "The mistake you clicked",
        )
    with alt.data_transformers.disable_max_rows():  # the data is what the explorer shows
        return {name: chart.to_dict() for name, chart in specs.items()}


def javascript() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script (``window.vegaEmbed``), at the Vega-Lite
    version Altair writes, so the page draws the explorers without the network."""
    return vl_convert.javascript_bundle(vl_version=alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0])
