"""The "draw a digit" page: one self-contained HTML file that runs the light models itself.

The page needs no network and no other file: its CSS and JavaScript are inline and the exported
weights (:mod:`tidymnist.web.export`) are inlined as compressed little-endian arrays, each in
the precision the model holds it (:func:`encode_array`). The preprocessing constants come from
:mod:`tidymnist.handwriting.preprocess`, so the page's MNIST-style 28 x 28 is made with the same
numbers as the Python one.
"""

import base64
import json
import logging
import os
import zlib
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

import jinja2
import numpy as np
import polars as pl
from markupsafe import Markup

from tidymnist.core.digits import DIGIT_NAMES, N_CLASSES, SIDE
from tidymnist.core.naming import display_name, family_colour, variant_of
from tidymnist.figures.embed import label_anchors
from tidymnist.figures.theme import LABEL_COLOURS
from tidymnist.handwriting import preprocess
from tidymnist.io.tables import atomic_path
from tidymnist.web.export import export_models, map_agreement

log = logging.getLogger(__name__)

CANVAS_SIDE = 280  # the drawing pad, in canvas pixels (10 x MNIST's side)
PEN_WIDTH = 20  # a marker on the pad: about MNIST's stroke once the digit is 20 px tall
# The array types the page reads, as little-endian numpy dtypes (anything else goes as float64).
DTYPES = {
    "float32": "<f4",
    "float64": "<f8",
    "uint8": "u1",
    "int16": "<i2",
    "int32": "<i4",
}


def shuffled_bytes(array: np.ndarray) -> bytes:
    """The array's little-endian bytes grouped by position: every value's first byte, then
    every second byte, and so on. A number's high bytes vary little from one value to the next,
    so grouped they compress (float32 weights to about 88%, the k-NN's codes to about 70%)."""
    raw = np.frombuffer(np.ascontiguousarray(array).tobytes(), dtype=np.uint8)
    return raw.reshape(-1, array.dtype.itemsize).T.tobytes()


def encode_array(array: np.ndarray) -> dict[str, Any]:
    """An array as base64 of its deflated, byte-grouped (:func:`shuffled_bytes`) little-endian
    values, with its dtype and shape; the page inflates it with the browser's own
    ``DecompressionStream``."""
    array = np.asarray(array)
    kind = next((name for name, code in DTYPES.items() if array.dtype == np.dtype(code)), None)
    if kind is None:
        kind = "float64"
    values = np.ascontiguousarray(array, dtype=DTYPES[kind])
    packed = zlib.compress(shuffled_bytes(values), 9)
    return {"dtype": kind, "shape": list(array.shape), "data": base64.b64encode(packed).decode()}


def decode_array(encoded: Mapping[str, Any]) -> np.ndarray:
    """The array :func:`encode_array` encoded, as the page decodes it."""
    dtype = np.dtype(DTYPES[encoded["dtype"]])
    grouped = np.frombuffer(zlib.decompress(base64.b64decode(encoded["data"])), dtype=np.uint8)
    raw = grouped.reshape(dtype.itemsize, -1).T.tobytes()
    return np.frombuffer(raw, dtype=dtype).reshape(encoded["shape"])


def _encoded(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return encode_array(value)
    if isinstance(value, Mapping):
        return {key: _encoded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encoded(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


EIGEN_SHOWN = 10  # eigen-digits drawn, with the drawing's weight on each
MAP_SIZE = (700, 620)  # each map's canvas, in its own pixels (shown at about half that)


def _map_records(maps: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """What each map's caption says: its digits, neighbours and, where the page was made with
    the workflow's test places, how far the page's placing lands from the map's transform."""
    if maps is None:
        return []
    records = []
    for one in maps["maps"]:
        agreed = maps.get("agreement", {}).get(one["name"])
        width = float(np.ptp(np.asarray(one["x"], np.float64)))
        records.append(
            {
                "name": one["name"],
                "title": one["title"],
                "n": len(one["x"]),
                "neighbours": maps["neighbours"],
                "agreement": None if agreed is None else agreed["distance"],
                "tested": None if agreed is None else agreed["digits"],
                "share": None if agreed is None else 100 * agreed["distance"] / width,
            }
        )
    return records


def model_colours(names: Sequence[str]) -> dict[str, str]:
    """Each model's colour: its family's (:func:`tidymnist.core.naming.family_colour`), the
    same as in every figure of the report."""
    return {name: family_colour(name) for name in names}


def map_anchors(export: Mapping[str, Any]) -> dict[str, list[list[float]]]:
    """Where each map names each label: ``[label, x, y]`` at the label's core, as the report's
    maps do (:func:`tidymnist.figures.embed.label_anchors`), for the plane and every map."""
    drawn = []
    if export.get("sample") is not None:
        sample = export["sample"]
        drawn.append(("plane", sample["pc1"], sample["pc2"], sample["label"]))
    if export.get("maps") is not None:
        labels = export["maps"]["labels"]
        drawn += [(m["name"], m["x"], m["y"], labels) for m in export["maps"]["maps"]]
    anchors = {}
    for name, x, y, labels in drawn:
        points = pl.DataFrame({"x": x, "y": y, "class": labels}).cast(
            {"x": pl.Float64, "y": pl.Float64}
        )
        table = label_anchors(points, "x", "y")
        anchors[name] = [[int(c), float(a), float(b)] for c, a, b in table.iter_rows()]
    return anchors


def page_data(
    export: Mapping[str, Any], class_names: Sequence[str], server: bool
) -> dict[str, Any]:
    """Everything the page's script reads, JSON-ready: the exported models with their arrays
    encoded, names, colours and the preprocessing constants."""
    if len(class_names) != N_CLASSES:
        raise ValueError(f"expected {N_CLASSES} class names, got {len(class_names)}")
    names = [model["name"] for model in export["models"]] + list(export["server_only"])
    return {
        "version": export["version"],
        "server": server,
        "class_names": list(class_names),
        "label_colours": list(LABEL_COLOURS[:N_CLASSES]),
        "model_colours": model_colours(names),
        # a deskewed model's card is edged with its family colour, dashed (its line type)
        "model_lines": {name: variant_of(name).variant.linetype for name in names},
        "display_names": {name: display_name(name) for name in names},
        "server_only": list(export["server_only"]),
        "models": _encoded(list(export["models"])),
        "plane": _encoded(export["plane"]),
        "eigen": _encoded(export.get("eigen")),
        "sample": _encoded(export["sample"]),
        "maps": _encoded(export.get("maps")),
        "anchors": map_anchors(export),
        "canvas": {"side": CANVAS_SIDE, "pen": PEN_WIDTH},
        "preprocess": {
            "side": SIDE,
            "box": preprocess.BOX,
            "centre": preprocess.CENTRE,
            "work_side": preprocess.WORK_SIDE,
            "detail": preprocess.DETAIL,
            "min_contrast": preprocess.MIN_CONTRAST,
            "speck": preprocess.SPECK,
            "thin_width": preprocess.THIN_WIDTH,
            "mnist_width": preprocess.MNIST_WIDTH,
            "full_ink_share": preprocess.FULL_INK_SHARE,
        },
    }


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no "</script>" or "<!--" can appear in it."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def draw_page(
    export: Mapping[str, Any],
    *,
    title: str = "Draw a digit",
    class_names: Sequence[str] = DIGIT_NAMES,
    server: bool = False,
) -> str:
    """The page's HTML for ``export`` (:func:`tidymnist.web.export.export_models`). With
    ``server``, the page also sends each drawing to ``/predict`` when it was loaded over HTTP
    (from ``tidymnist serve``) and shows every model the server has."""
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: files("tidymnist.web").joinpath("templates", name).read_text()
        ),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    data = page_data(export, class_names, server)
    return environment.get_template("draw.html.j2").render(
        title=title,
        data_json=Markup(script_json(data)),
        models=[
            {
                "name": model["name"],
                "display": data["display_names"][model["name"]],
                "colour": data["model_colours"][model["name"]],
                "line": data["model_lines"][model["name"]],
            }
            for model in export["models"]
        ],
        server_only=[data["display_names"][name] for name in export["server_only"]],
        class_names=list(class_names),
        label_colours=data["label_colours"],
        canvas_side=CANVAS_SIDE,
        server=server,
        plane=export["plane"] is not None and export["sample"] is not None,
        maps=_map_records(export.get("maps")),
        map_size=MAP_SIZE,
        # the feature maps shown are the first CNN's
        cnn=next(
            (data["display_names"][m["name"]] for m in export["models"] if m["kind"] == "cnn"),
            None,
        ),
        eigen=export.get("eigen")
        and {
            "steps": export["eigen"]["steps"],
            "shown": list(range(1, min(EIGEN_SHOWN, len(export["eigen"]["components"])) + 1)),
        },
    )


def offline_page(
    models: Mapping[str, Any],
    tables: Mapping[str, pl.DataFrame],
    *,
    title: str,
    class_names: Sequence[str],
) -> str:
    """The page as the workflow writes it (results/draw.html), no server to ask: the models a
    page can run, the PCA plane and the maps inlined. ``tables`` holds the pca_loadings,
    pca_sample, pca_mean and pca_coordinates tables (as loadings, sample, mean, coordinates)
    and, by map name (tsne, umap), each map's table and its test digits placed by the map's own
    transform (as ``<name>_map`` and ``<name>_test_places``). Logs which models are in it,
    which only ``tidymnist serve`` runs, and how far the page's placing of the test digits
    lands from the transform's."""
    names = [key.removesuffix("_map") for key in tables if key.endswith("_map")]
    export = export_models(
        models,
        tables["loadings"],
        tables["sample"],
        tables["mean"],
        coordinates=tables.get("coordinates"),
        maps={name: tables[f"{name}_map"] for name in names},
    )
    if export["maps"] is not None:
        places = {n: tables[f"{n}_test_places"] for n in names if f"{n}_test_places" in tables}
        export["maps"]["agreement"] = map_agreement(export, tables["coordinates"], places)
        for name, agreed in export["maps"]["agreement"].items():
            log.info(
                "%s: on %d test digits the page's places lie a median %.3g from the transform's",
                name,
                agreed["digits"],
                agreed["distance"],
            )
    log.info("in the page: %s", ", ".join(m["name"] for m in export["models"]))
    log.info("only with `tidymnist serve`: %s", ", ".join(export["server_only"]) or "none")
    return draw_page(export, title=title, class_names=class_names, server=False)


def write_page(html: str, path: str | os.PathLike) -> None:
    """Write the page, atomically: a reader never sees half a page."""
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
