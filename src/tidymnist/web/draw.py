"""The "draw a digit" page: one self-contained HTML file that runs the light models itself.

The page needs no network and no other file: its CSS and JavaScript are inline and the exported
weights (:mod:`tidymnist.web.export`) are inlined as base64 little-endian arrays, each in the
precision the model holds it (the network's float32 weights, 2 MB, are most of the page). The
preprocessing constants come from :mod:`tidymnist.handwriting.preprocess`, so the page's
MNIST-style 28 x 28
is made with the same numbers as the Python one.
"""

import base64
import json
import logging
import os
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

import jinja2
import numpy as np
import polars as pl
from markupsafe import Markup

from tidymnist.core.digits import DIGIT_NAMES, N_CLASSES, SIDE
from tidymnist.core.naming import display_name, family_colour, variant_of
from tidymnist.figures.theme import LABEL_COLOURS
from tidymnist.handwriting import preprocess
from tidymnist.io.tables import atomic_path
from tidymnist.web.export import export_models

log = logging.getLogger(__name__)

CANVAS_SIDE = 280  # the drawing pad, in canvas pixels (10 x MNIST's side)
PEN_WIDTH = 20  # a marker on the pad: about MNIST's stroke once the digit is 20 px tall
DTYPES = {"float32": "<f4", "float64": "<f8", "uint8": "u1"}


def encode_array(array: np.ndarray) -> dict[str, Any]:
    """An array as base64 of its little-endian bytes, with its dtype and shape."""
    array = np.asarray(array)
    kind = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}.get(array.dtype)
    if kind is None:
        kind = "uint8" if array.dtype == np.uint8 else "float64"
    raw = np.ascontiguousarray(array, dtype=DTYPES[kind]).tobytes()
    return {"dtype": kind, "shape": list(array.shape), "data": base64.b64encode(raw).decode()}


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


def model_colours(names: Sequence[str]) -> dict[str, str]:
    """Each model's colour: its family's (:func:`tidymnist.core.naming.family_colour`), the
    same as in every figure of the report."""
    return {name: family_colour(name) for name in names}


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
        eigen=export.get("eigen")
        and {
            "steps": export["eigen"]["steps"],
            "shown": list(range(1, min(EIGEN_SHOWN, len(export["eigen"]["components"])) + 1)),
        },
    )


def offline_page(
    models: Mapping[str, Any],
    loadings: pl.DataFrame,
    sample: pl.DataFrame,
    mean: pl.DataFrame,
    *,
    title: str,
    class_names: Sequence[str],
) -> str:
    """The page as the workflow writes it (results/draw.html): the models a page can run and
    the PCA plane (the pca_loadings, pca_sample and pca_mean tables) inlined, no server to ask.
    Logs which models are in it and which only ``tidymnist serve`` runs."""
    export = export_models(models, loadings, sample, mean)
    log.info("in the page: %s", ", ".join(m["name"] for m in export["models"]))
    log.info("only with `tidymnist serve`: %s", ", ".join(export["server_only"]) or "none")
    return draw_page(export, title=title, class_names=class_names, server=False)


def write_page(html: str, path: str | os.PathLike) -> None:
    """Write the page, atomically: a reader never sees half a page."""
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
