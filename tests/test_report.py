"""The report's pieces: stage timings, tables as HTML, the sections and captions the registry and
the findings give, and the page itself."""

import base64
import io

import polars as pl
import pytest
from PIL import Image

from tidymnist.figures.registry import FIGURES
from tidymnist.findings import figure_findings, gather
from tidymnist.findings.table import MissingFindingError
from tidymnist.report.article import (
    build_context,
    cnn_said,
    data_uri,
    html_table,
    render,
    stage_of,
    stage_summary,
    stage_timings,
)


def bench(seconds: float, rss: float) -> pl.DataFrame:
    return pl.DataFrame({"s": [seconds], "h:m:s": ["0:00:01"], "max_rss": [rss]})


def test_steps_are_gathered_into_stages_in_workflow_order():
    timings = stage_timings(
        {
            "fit_svm": bench(50, 1900),
            "fit_knn": bench(7, 1800),
            "pixels": bench(4, 460),
            "figures_data": bench(6, 330),
            "tsne": bench(31, 380),
        }
    )
    assert timings["step"].to_list() == ["fit_svm", "tsne", "fit_knn", "figures_data", "pixels"]
    summary = stage_summary(timings)
    assert summary.select("stage", "steps", "seconds", "peak_memory_mb").rows() == [
        ("read, verify, pixel table", 1, 4.0, 460.0),
        ("space of digits", 1, 31.0, 380.0),
        ("models: fit and predict", 2, 57.0, 1900.0),
        ("figures", 1, 6.0, 330.0),
    ]
    assert stage_of("evaluation") == "models: evaluation"


def test_figures_are_embedded_and_tables_are_html():
    # a real PNG of a few colours comes back as a palette PNG of the same pixels
    image = Image.new("RGB", (30, 20), "#ffffff")
    image.paste((178, 24, 43), (5, 5, 15, 15))
    png = io.BytesIO()
    image.save(png, "PNG")
    uri = data_uri(png.getvalue())
    assert uri.startswith("data:image/png;base64,")
    shown = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert shown.mode == "P"
    assert shown.convert("RGB").tobytes() == image.tobytes()
    table = html_table(
        pl.DataFrame({"model": ["svm"], "accuracy": [0.98654]}),
        percent=("accuracy",),
        table_id="metrics",
    )
    assert "<table" in table and "98.65%" in table and 'id="metrics"' in table


def test_the_page_escapes_text_and_keeps_every_section():
    context = {
        "title": "A tidy analysis of <MNIST>",
        "lede": "lede",
        "footer": "footer",
        "sections": [
            {
                "id": "one",
                "title": "One",
                "intro": None,
                "blocks": [
                    {"kind": "text", "text": "a < b"},
                    {"kind": "code", "title": "Configuration", "text": "seed: 42", "open": False},
                    {
                        "kind": "table",
                        "name": "t",
                        "title": "T",
                        "caption": None,
                        "html": "<table><tr><td>1</td></tr></table>",
                        "collapsed": True,
                    },
                ],
            },
            {"id": "two", "title": "Two", "intro": "intro", "blocks": []},
        ],
        "vega": "",
    }
    page = render(context)
    assert "A tidy analysis of &lt;MNIST&gt;" in page
    assert "a &lt; b" in page
    assert '<section id="one">' in page and '<section id="two">' in page
    assert "<details>" in page and "<td>1</td>" in page
    assert "http" not in page.replace("http-equiv", "")  # nothing to fetch


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 450), "#ffffff").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()
PROVENANCE = {
    "date": "2026-12-01 20:00 UTC",
    "commit": "abc1234",
    "tidymnist": "0.1.0",
    "timings": stage_timings({"pixels": bench(4, 460)}),
    "versions": pl.DataFrame({"package": ["tidymnist"], "version": ["0.1.0"]}),
    "config": "seed: 42\n",
}
FILES = pl.DataFrame({"file": ["train-images-idx3-ubyte"], "sha256": ["ab" * 32]})


def context(figure_names, tables, findings):
    return build_context(
        dataset_name="MNIST",
        figures=dict.fromkeys(figure_names, PNG),
        figure_widths=dict.fromkeys(figure_names, 800),
        tables={"files": FILES, **tables},
        findings=findings,
        provenance=PROVENANCE,
    )


def test_sections_titles_and_captions_come_from_the_registry_and_the_findings():
    summary = pl.DataFrame(
        {"label": [0, 1], "n": [3, 4], "median_distance": [50.0, 40.25], "max_distance": [9, 9]}
    )
    findings = gather([figure_findings("distance_boxplots", {"label_summary": summary}, "01")])
    built = context(["centroids", "distance_boxplots"], {}, findings)
    # no figure drawn with a headline: no "What we found"; the provenance comes last
    assert [s["id"] for s in built["sections"]] == ["the-data", "what-was-run"]
    blocks = built["sections"][0]["blocks"]
    assert [b["name"] for b in blocks] == ["centroids", "distance_boxplots"]  # registry order
    assert blocks[1]["title"] == FIGURES["distance_boxplots"].title
    assert blocks[1]["caption"] == (
        "1 is written most alike (median distance 40.2 to its centroid); 0 varies most (50.0)."
    )
    assert blocks[0]["caption"] == FIGURES["centroids"].caption  # no findings to fill in
    page = render(built)
    assert 'id="figure-distance_boxplots"' in page and "median distance 40.2" in page


def test_the_models_section_has_its_tables_beside_its_figures():
    metrics = pl.DataFrame(
        {"model": ["knn", "svm"], "accuracy": [0.97, 0.98], "fit_seconds": [7.0, 50.0]}
    )
    per_class = pl.DataFrame({"model": ["knn", "svm"], "label": [0, 0], "f1": [0.9, 0.95]})
    findings = gather(
        [
            figure_findings("model_comparison", {"metrics": metrics}, "01"),
            figure_findings("per_class_f1", {"per_class": per_class}, "01"),
        ]
    )
    built = context(
        ["model_comparison", "per_class_f1"], {"metrics": metrics, "per_class": per_class}, findings
    )
    models = built["sections"][-2]  # before the provenance appendix
    assert models["id"] == "models"
    assert built["sections"][0]["blocks"][0]["text"] == (
        "The most accurate model is SVM, with 98.00% of the test digits right; the least "
        "accurate, k-NN, gets 97.00%."
    )
    names = [b["name"] for b in models["blocks"]]
    assert names == ["metrics", "model_comparison", "per_class_f1", "per_class"]
    assert models["blocks"][1]["caption"] == (
        "SVM is the most accurate (98.00%), k-NN the least (97.00%); k-NN fits fastest (7 s)."
    )
    assert "k-NN fits fastest (7 s)" in models["blocks"][1]["alt"]


def test_a_caption_without_its_findings_is_an_error_naming_the_finding():
    with pytest.raises(MissingFindingError, match="most_alike_label"):
        context(["distance_boxplots"], {}, gather([]))


def test_the_report_says_whether_the_cnn_ran_and_how_to_add_it():
    skipped = cnn_said({"setting": "auto", "trained": False, "torch": None})
    assert skipped["provenance"] == (
        "PyTorch is not installed and models.cnn.enabled is auto, so the CNN was not trained."
    )
    assert "skipped because PyTorch is not installed" in skipped["models"]
    assert "uv pip install torch --index-url" in skipped["models"]
    trained = cnn_said({"setting": "auto", "trained": True, "torch": "2.13.0+cpu"})
    assert trained == {
        "provenance": "PyTorch 2.13.0+cpu is installed and models.cnn.enabled is auto, "
        "so the CNN was trained."
    }
    off = cnn_said({"setting": False, "trained": False, "torch": "2.13.0+cpu"})
    assert "models" not in off  # turned off on purpose: nothing to add
    assert off["provenance"].endswith("is false, so the CNN was not trained.")
    assert cnn_said(None) == {}


def test_what_we_found_comes_first_one_sentence_per_headline_linked_to_its_figure():
    differences = pl.DataFrame(
        {
            "label_a": [4, 0, 7],
            "label_b": [9, 1, 9],
            "rms_difference": [22.6, 68.9, 27.2],
            "rank": [1, 3, 2],
        }
    )
    findings = gather(
        [figure_findings("pairwise_differences", {"pair_separability": differences}, "0123456789")]
    )
    built = context(["centroids", "pairwise_differences"], {}, findings)
    assert [s["id"] for s in built["sections"]] == ["what-we-found", "the-data", "what-was-run"]
    (found,) = built["sections"][0]["blocks"]
    assert found["href"] == "#figure-pairwise_differences"
    assert found["text"] == (
        "By their average images, the hardest pair of digits to tell apart is 4/9 and the "
        "easiest 0/1."
    )
    page = render(built)
    assert page.index('id="what-we-found"') < page.index('id="the-data"')
    assert page.index('id="the-data"') < page.index('id="what-was-run"')
    assert 'href="#figure-pairwise_differences"' in page


def test_every_headline_is_filled_from_its_own_figures_findings():
    for record in FIGURES.values():
        if record.headline:
            assert record.finder is not None, record.name
            assert record.headline.endswith("."), record.name
