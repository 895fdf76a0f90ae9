"""The figure registry: every record complete, every plot function there and taking its tables,
and the lists the workflow and the report derive from it."""

import dataclasses
import string
from inspect import Parameter, signature

import pytest

from tidymnist.core.config import ConfigError
from tidymnist.figures.registry import (
    EXTRA_ARGUMENTS,
    FIGURES,
    NEEDS,
    SECTIONS,
    Figure,
    check_sizes,
    figures_for,
    size_of,
)
from tidymnist.findings import FINDERS, tables_of
from tidymnist.report.article import SECTIONS as REPORT_SECTIONS


def fields_of(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_record_has_every_field(name):
    record = FIGURES[name]
    assert record.name == name
    for field in dataclasses.fields(Figure):
        value = getattr(record, field.name)
        # optional: no needs, no headline, no size (the plot sizes itself)
        if field.name not in ("needs", "headline", "size"):
            assert value, f"{name} has no {field.name}"
    assert record.section in SECTIONS
    if record.size is not None:
        width, height = record.size
        assert 0 < width <= 50 and 0 < height <= 50
    assert set(record.needs) <= set(NEEDS)
    assert record.title[0].isupper() and not record.title.endswith(".")
    assert record.summary.endswith(".")
    assert record.caption.endswith((".", "}"))  # a finding may be the last sentence


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_plot_function_exists_and_takes_the_names_of_its_tables(name):
    record = FIGURES[name]
    assert callable(record.function)
    module = record.function.__module__.removeprefix("tidymnist.figures.")
    assert record.plot == f"{module}.{record.function.__name__}"
    parameters = signature(record.function).parameters
    assert set(record.tables) <= set(parameters)
    assert set(parameters) - set(record.tables) <= set(EXTRA_ARGUMENTS)
    required = {n for n, p in parameters.items() if p.default is Parameter.empty}
    assert required <= set(record.tables) | set(EXTRA_ARGUMENTS)


@pytest.mark.parametrize("name", list(FIGURES))
def test_a_figure_that_states_findings_has_a_finder_that_reads_tables(name):
    record = FIGURES[name]
    if record.reads_findings or fields_of(record.caption):
        assert record.finder is not None, f"{name} states findings but none computes them"
        assert record.finding_tables, name
    else:
        assert record.finder is None
    assert set(FINDERS) <= set(FIGURES)
    assert tables_of("no_such_figure") == ()


def test_every_section_of_the_registry_is_a_section_of_the_report():
    assert set(SECTIONS) == set(REPORT_SECTIONS)


def test_the_figures_a_run_draws():
    bare = figures_for([])
    assert {r.section for r in bare.values()} == {"data", "space"}
    assert list(bare)[:2] == ["sample_digits", "pixel_histogram"]
    plain = figures_for(["knn", "svm"])
    assert "model_comparison" in plain
    assert not {"coefficient_maps", "deskew_gain", "sweep_accuracy", "feature_maps"} & set(plain)
    assert "coefficient_maps" in figures_for(["logistic_regression"])
    assert "deskew_gain" in figures_for(["knn"], deskew=True)
    assert "deskew_gain" not in figures_for([], deskew=True)
    everything = figures_for(
        ["knn", "cnn"],
        sweep=True,
        deskew=True,
        custom=True,
        cnn=True,
        robustness=True,
        label_issues=True,
    )
    assert set(everything) == set(FIGURES) - {"coefficient_maps"}
    changed = {"robustness_curves", "robustness_rescue"}
    assert changed <= set(figures_for(["knn"], robustness=True)) and not changed & set(plain)
    assert "label_issues_gallery" in figures_for(["knn"], label_issues=True)
    assert "label_issues_gallery" not in plain
    custom_only = figures_for([], custom=True)
    assert "preprocessing_steps" in custom_only and "custom_gallery" not in custom_only


def test_sizes_are_the_records_unless_the_config_overrides_them():
    assert size_of("centroids", {}) == [8, 3.8]
    assert size_of("centroids", {"centroids": [5, 2]}) == [5, 2]
    # a figure sized from its panels has no default; an override still wins
    assert size_of("confusion_matrices", {}) is None
    assert size_of("confusion_matrices", {"confusion_matrices": [9, 9]}) == [9, 9]
    check_sizes({"centroids": [5, 2]})
    with pytest.raises(ConfigError, match=r"figures\.size\.centroid: no such figure"):
        check_sizes({"centroid": [5, 2]})
