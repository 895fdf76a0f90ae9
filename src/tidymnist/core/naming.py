"""Model identities, in one place: the base models, their variants, and how a reader sees them.

A model the workflow trains is a :class:`ModelVariant`: a base model (one of :data:`BASE_MODELS`,
the keys of ``config["models"]``) and a :class:`Variant` (trained on the digits as they are, or
deskewed first). Its :attr:`~ModelVariant.name` (``knn``, ``knn_deskewed``) names its files and
fills the ``model`` column of every table; the tables carry ``base_model`` and ``variant`` beside
it (:func:`variant_columns`), so no code ever takes a name apart. Names are looked up in a dict
built from the list of variants (:data:`VARIANTS_BY_NAME`), never parsed.

Colours go by family: a base model has one colour in every figure and on the draw page (the
Okabe-Ito palette, told apart by colour-blind readers too), and its variants share it, told apart
by a point shape, a line type and (for bars) an opacity.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import polars as pl

from tidymnist.core.errors import TidyMnistError

# The configurable models, in the order the study presents them (simplest first).
BASE_MODELS = ("nearest_centroid", "knn", "logistic_regression", "neural_network", "svm", "cnn")

BASE_DISPLAY = {
    "nearest_centroid": "Nearest centroid",
    "knn": "k-NN",
    "logistic_regression": "Logistic regression",
    "neural_network": "Neural network",
    "svm": "SVM",
    "cnn": "CNN",
}
# Short enough for a line of text under a small image.
BASE_SHORT = {
    "nearest_centroid": "centroid",
    "knn": "k-NN",
    "logistic_regression": "logistic",
    "neural_network": "network",
    "svm": "SVM",
    "cnn": "CNN",
}
# Okabe-Ito (Okabe and Ito 2008), without its black (the ink) and yellow (too light on paper).
FAMILY_COLOURS = {
    "nearest_centroid": "#E69F00",  # orange
    "knn": "#56B4E9",  # sky blue
    "logistic_regression": "#009E73",  # bluish green
    "neural_network": "#0072B2",  # blue
    "svm": "#D55E00",  # vermillion
    "cnn": "#CC79A7",  # reddish purple
}


class UnknownModelError(TidyMnistError, ValueError):
    """A model name that is none of the variants the workflow trains."""

    def __init__(self, name: str, expected: Iterable[str] | None = None):
        self.name = name
        known = ", ".join(VARIANTS_BY_NAME if expected is None else expected)
        super().__init__(f"unknown model {name!r}: expected one of {known}")


class Variant(Enum):
    """How a base model sees the digits: as they are, or deskewed first."""

    AS_IS = "as_is"
    DESKEWED = "deskewed"

    @property
    def deskew(self) -> bool:
        """Whether the pipeline deskews its input first."""
        return self is Variant.DESKEWED

    @property
    def display(self) -> str:
        """As a reader sees it: "as is", "deskewed"."""
        return VARIANT_DISPLAY[self]

    @property
    def shape(self) -> str:
        """The point shape (matplotlib marker) of this variant in every figure."""
        return VARIANT_SHAPES[self]

    @property
    def linetype(self) -> str:
        """The line type of this variant in every figure."""
        return VARIANT_LINETYPES[self]

    @property
    def alpha(self) -> float:
        """The opacity of this variant's bars and fills."""
        return VARIANT_ALPHAS[self]


VARIANT_DISPLAY = {Variant.AS_IS: "as is", Variant.DESKEWED: "deskewed"}
VARIANT_SHAPES = {Variant.AS_IS: "o", Variant.DESKEWED: "^"}
VARIANT_LINETYPES = {Variant.AS_IS: "solid", Variant.DESKEWED: "dashed"}
VARIANT_ALPHAS = {Variant.AS_IS: 1.0, Variant.DESKEWED: 0.55}
# Which variants config["deskew"] asks for.
DESKEW_CHOICES = {
    "off": (Variant.AS_IS,),
    "on": (Variant.DESKEWED,),
    "compare": (Variant.AS_IS, Variant.DESKEWED),
}


@dataclass(frozen=True)
class ModelVariant:
    """One model the workflow trains: a base model and a variant of it."""

    base: str
    variant: Variant = Variant.AS_IS

    def __post_init__(self) -> None:
        if self.base not in BASE_MODELS:
            raise UnknownModelError(self.base, BASE_MODELS)

    @property
    def name(self) -> str:
        """The name of its files and of its rows in the tables: ``knn``, ``knn_deskewed``."""
        if self.variant is Variant.AS_IS:
            return self.base
        return f"{self.base}_{self.variant.value}"

    @property
    def deskew(self) -> bool:
        return self.variant.deskew

    @property
    def display(self) -> str:
        """As a reader sees it: "k-NN", "k-NN (deskewed)"."""
        return display_name(self)

    @property
    def colour(self) -> str:
        """Its family's colour: the same for every variant of a base model."""
        return FAMILY_COLOURS[self.base]

    @property
    def order(self) -> tuple[int, int]:
        """Where it comes in every list: by base model, then as is before deskewed."""
        return BASE_MODELS.index(self.base), list(Variant).index(self.variant)


def enabled_models(models: Mapping[str, Mapping[str, Any]], *, cnn: bool) -> list[str]:
    """The base models a config enables (``models[name]["enabled"]``), in the order of
    :data:`BASE_MODELS`; whether the CNN runs is decided apart (``cnn``, see
    :func:`tidymnist.core.extras.cnn_enabled`), since its setting may be "auto"."""
    return [
        base
        for base in BASE_MODELS
        if (cnn if base == "cnn" else models.get(base, {}).get("enabled", False) is True)
    ]


def model_variants(
    enabled: Iterable[str], deskew: str = "off", compare: Iterable[str] = BASE_MODELS
) -> list[ModelVariant]:
    """The variants a run trains: each ``enabled`` base model (in the order of
    :data:`BASE_MODELS`) as is and/or deskewed, as ``deskew`` ("off", "on", "compare") says;
    with "compare", only the models named in ``compare`` are trained both ways, the others as
    they are."""
    if deskew not in DESKEW_CHOICES:
        raise ValueError(f"deskew: {deskew!r}: expected one of {', '.join(DESKEW_CHOICES)}")
    enabled, compare = set(enabled), set(compare)
    return [
        ModelVariant(base, variant)
        for base in BASE_MODELS
        if base in enabled
        for variant in (
            DESKEW_CHOICES[deskew] if deskew != "compare" or base in compare else (Variant.AS_IS,)
        )
    ]


def compared(variants: Iterable[ModelVariant]) -> list[str]:
    """The base models among ``variants`` that are trained both as they are and deskewed."""
    kinds: dict[str, set[Variant]] = {}
    for variant in variants:
        kinds.setdefault(variant.base, set()).add(variant.variant)
    return [base for base in BASE_MODELS if kinds.get(base) == set(Variant)]


# Every variant there can be, and the one lookup from a name to its variant.
ALL_VARIANTS = tuple(ModelVariant(base, variant) for base in BASE_MODELS for variant in Variant)
VARIANTS_BY_NAME = {variant.name: variant for variant in ALL_VARIANTS}


def variant_of(model: "str | ModelVariant") -> ModelVariant:
    """The variant a model name (``knn_deskewed``) stands for; an error naming the known ones
    for any other name."""
    if isinstance(model, ModelVariant):
        return model
    try:
        return VARIANTS_BY_NAME[model]
    except KeyError:
        raise UnknownModelError(model) from None


def is_model(name: str) -> bool:
    """Whether ``name`` is one of the variants the workflow trains."""
    return name in VARIANTS_BY_NAME


def display_name(model: "str | ModelVariant", *, short: bool = False) -> str:
    """A model as a reader sees it: "k-NN", "Nearest centroid (deskewed)" (``short``:
    "centroid (deskewed)", for a line under a small image). The variant goes in brackets, not
    after a comma, so that the name reads as one in a sentence ("the best, k-NN (deskewed),
    is ...")."""
    variant = variant_of(model)
    base = (BASE_SHORT if short else BASE_DISPLAY)[variant.base]
    if variant.variant is Variant.AS_IS:
        return base
    return f"{base} ({variant.variant.display})"


def family_colour(model: "str | ModelVariant") -> str:
    """A model's colour: its base model's, the same in every figure and on the draw page."""
    return variant_of(model).colour


def sort_models(names: Iterable[str]) -> list[str]:
    """Model names in the study's order (base model, then as is before deskewed), each once."""
    return sorted(set(names), key=lambda name: variant_of(name).order)


def variant_columns(frame: pl.DataFrame, column: str = "model") -> pl.DataFrame:
    """``frame`` with ``base_model`` and ``variant`` inserted right after ``column``, looked up
    from each row's model name (an error for a name that is no model variant)."""
    for name in frame[column].unique().drop_nulls().to_list():
        variant_of(name)  # a clear error before polars' own
    base = {v.name: v.base for v in ALL_VARIANTS}
    kind = {v.name: v.variant.value for v in ALL_VARIANTS}
    added = frame.with_columns(
        base_model=pl.col(column).replace_strict(base, default=None, return_dtype=pl.String),
        variant=pl.col(column).replace_strict(kind, default=None, return_dtype=pl.String),
    )
    names = [c for c in frame.columns if c not in ("base_model", "variant")]
    at = names.index(column) + 1
    return added.select([*names[:at], "base_model", "variant", *names[at:]])


def display_column(column: str = "model", *, short: bool = False, wrap: bool = False) -> pl.Expr:
    """An expression: a column of model names as display names, as an Enum in the study's
    order (so legends, facets and axes list the models as every other figure does); ``wrap``
    puts each word on a line of its own ("Logistic\\nregression\\n(deskewed)"), for a narrow
    facet strip."""
    shown = {v.name: _wrapped(display_name(v, short=short), wrap) for v in ALL_VARIANTS}
    return pl.col(column).replace_strict(shown, return_dtype=pl.Enum(list(shown.values())))


def _wrapped(name: str, wrap: bool) -> str:
    return "\n".join(name.split()) if wrap else name


def family_display_column(column: str = "model") -> pl.Expr:
    """An expression: each row's base model as a reader sees it, an Enum in the study's order
    (the key that colours a figure by family)."""
    shown = {v.name: BASE_DISPLAY[v.base] for v in ALL_VARIANTS}
    order = [BASE_DISPLAY[base] for base in BASE_MODELS]
    return pl.col(column).replace_strict(shown, return_dtype=pl.Enum(order))


def variant_display_column(column: str = "model") -> pl.Expr:
    """An expression: each row's variant as a reader sees it ("as is", "deskewed"), an Enum."""
    shown = {v.name: v.variant.display for v in ALL_VARIANTS}
    return pl.col(column).replace_strict(
        shown, return_dtype=pl.Enum([variant.display for variant in Variant])
    )


# Scale values for plotnine's manual scales, keyed by the display names above.
FAMILY_DISPLAY_COLOURS = {BASE_DISPLAY[base]: FAMILY_COLOURS[base] for base in BASE_MODELS}
VARIANT_DISPLAY_SHAPES = {variant.display: variant.shape for variant in Variant}
VARIANT_DISPLAY_LINETYPES = {variant.display: variant.linetype for variant in Variant}
VARIANT_DISPLAY_ALPHAS = {variant.display: variant.alpha for variant in Variant}
