"""Model identities: names round-trip, every family its colour, every variant its shape."""

import re
from pathlib import Path

import polars as pl
import pytest
import yaml

from tidymnist.core import naming
from tidymnist.core.config import coerce_to_schema
from tidymnist.core.extras import TorchMissingError, cnn_enabled, installed_version
from tidymnist.core.naming import (
    ALL_VARIANTS,
    BASE_MODELS,
    FAMILY_COLOURS,
    ModelVariant,
    UnknownModelError,
    Variant,
    compared,
    display_name,
    enabled_models,
    model_variants,
    sort_models,
    variant_columns,
    variant_of,
)

SCHEMA = "workflow/schemas/config.schema.yaml"


def test_every_variant_round_trips_through_its_name():
    assert len(ALL_VARIANTS) == len(BASE_MODELS) * len(Variant)
    for variant in ALL_VARIANTS:
        assert variant_of(variant.name) == variant
    assert len({variant.name for variant in ALL_VARIANTS}) == len(ALL_VARIANTS)


def test_names_are_the_ones_the_tables_have_always_had():
    # the metrics tables of earlier runs keep their values: knn and knn_deskewed
    assert ModelVariant("knn").name == "knn"
    assert ModelVariant("knn", Variant.DESKEWED).name == "knn_deskewed"
    assert ModelVariant("logistic_regression", Variant.DESKEWED).name == (
        "logistic_regression_deskewed"
    )
    assert variant_of("svm_deskewed") == ModelVariant("svm", Variant.DESKEWED)
    assert variant_of("svm_deskewed").deskew and not variant_of("svm").deskew


def test_unknown_names_and_bases_are_refused_with_the_known_ones():
    with pytest.raises(UnknownModelError, match=r"unknown model 'knn_blurred'.*knn_deskewed"):
        variant_of("knn_blurred")
    with pytest.raises(UnknownModelError, match=r"unknown model 'forest'.*nearest_centroid, knn"):
        ModelVariant("forest")


def test_a_config_asks_for_its_enabled_models_in_the_study_order():
    models = {
        "svm": {"enabled": True},
        "knn": {"enabled": True},
        "cnn": {"enabled": "auto"},
        "nearest_centroid": {"enabled": True},
        "neural_network": {"enabled": False},
    }
    assert enabled_models(models, cnn=False) == ["nearest_centroid", "knn", "svm"]
    enabled = enabled_models(models, cnn=True)
    assert enabled == ["nearest_centroid", "knn", "svm", "cnn"]
    assert [v.name for v in model_variants(enabled, "off")] == enabled
    assert [v.name for v in model_variants(enabled, "on")] == [
        "nearest_centroid_deskewed",
        "knn_deskewed",
        "svm_deskewed",
        "cnn_deskewed",
    ]
    both = model_variants(enabled, "compare", compare=["svm", "knn", "nearest_centroid"])
    assert [v.name for v in both] == [
        "nearest_centroid",
        "nearest_centroid_deskewed",
        "knn",
        "knn_deskewed",
        "svm",
        "svm_deskewed",
        "cnn",  # not in compare: as it is only
    ]
    assert compared(both) == ["nearest_centroid", "knn", "svm"]
    assert compared(model_variants(enabled, "on")) == []
    with pytest.raises(ValueError, match="deskew: 'both'"):
        model_variants(enabled, "both")


def test_the_cnn_runs_where_pytorch_is_unless_the_config_says_otherwise():
    assert cnn_enabled("auto", installed=True) is True
    assert cnn_enabled("auto", installed=False) is False
    assert cnn_enabled(False, installed=True) is False
    assert cnn_enabled(True, installed=True) is True
    with pytest.raises(TorchMissingError, match=r"enabled is true.*uv pip install torch"):
        cnn_enabled(True, installed=False)
    assert installed_version("no_such_package_here") is None
    assert installed_version("polars") == pl.__version__


def test_display_names_say_the_model_and_then_the_variant():
    assert display_name("knn") == "k-NN"
    assert display_name("knn_deskewed") == "k-NN (deskewed)"
    assert display_name("nearest_centroid") == "Nearest centroid"
    assert display_name("nearest_centroid_deskewed", short=True) == "centroid (deskewed)"
    assert ModelVariant("cnn", Variant.DESKEWED).display == "CNN (deskewed)"
    shown = [display_name(v) for v in ALL_VARIANTS]
    assert len(set(shown)) == len(shown)
    assert all("_" not in name for name in shown)


def test_every_family_has_its_own_colour_shared_by_its_variants():
    assert set(FAMILY_COLOURS) == set(BASE_MODELS)
    colours = [colour.lower() for colour in FAMILY_COLOURS.values()]
    assert len(set(colours)) == len(colours)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in colours)
    okabe_ito = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}
    assert set(colours) <= okabe_ito  # a colour-blind safe palette
    for base in BASE_MODELS:
        assert {v.colour for v in ALL_VARIANTS if v.base == base} == {FAMILY_COLOURS[base]}


def test_every_variant_has_its_own_shape_linetype_and_opacity():
    for attribute in ("shape", "linetype", "alpha", "display"):
        values = [getattr(variant, attribute) for variant in Variant]
        assert len(set(values)) == len(values), attribute
    assert Variant.AS_IS.linetype == "solid" and Variant.AS_IS.alpha == 1.0


def test_models_sort_by_base_model_then_variant():
    names = ["svm", "knn_deskewed", "cnn", "knn", "nearest_centroid_deskewed", "knn"]
    assert sort_models(names) == ["nearest_centroid_deskewed", "knn", "knn_deskewed", "svm", "cnn"]


def test_tables_gain_base_model_and_variant_beside_model():
    frame = pl.DataFrame({"file": ["a", "b"], "model": ["knn_deskewed", "svm"], "n": [1, 2]})
    table = variant_columns(frame)
    assert table.columns == ["file", "model", "base_model", "variant", "n"]
    assert table.select("base_model", "variant").rows() == [("knn", "deskewed"), ("svm", "as_is")]
    assert table.drop("base_model", "variant").equals(frame)  # the other columns stay as they were
    with pytest.raises(UnknownModelError):
        variant_columns(pl.DataFrame({"model": ["a_model"]}))


def test_display_columns_are_enums_in_the_study_order():
    frame = pl.DataFrame({"model": ["svm", "knn_deskewed", "knn"]})
    shown = frame.select(
        naming.display_column(wrap=True),
        family=naming.family_display_column(),
        variant=naming.variant_display_column(),
    )
    assert shown["model"].to_list() == ["SVM", "k-NN\n(deskewed)", "k-NN"]
    assert shown.sort("model")["model"].to_list() == ["k-NN", "k-NN\n(deskewed)", "SVM"]
    assert shown["family"].to_list() == ["SVM", "k-NN", "k-NN"]
    assert shown["variant"].to_list() == ["as is", "deskewed", "as is"]
    assert set(naming.FAMILY_DISPLAY_COLOURS) == set(shown["family"].dtype.categories)


def test_the_cnn_setting_from_the_command_line_means_the_boolean():
    schema = yaml.safe_load((Path(__file__).parents[1] / SCHEMA).read_text())
    given = {"models": {"cnn": {"enabled": "true"}}}  # what --config models="{cnn: ...}" gives
    assert coerce_to_schema(given, schema)["models"]["cnn"]["enabled"] is True
    for word, meant in (("false", False), ("auto", "auto"), ("1", "1"), ("maybe", "maybe")):
        given = {"models": {"cnn": {"enabled": word}}}
        assert coerce_to_schema(given, schema)["models"]["cnn"]["enabled"] == meant
