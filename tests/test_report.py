"""The report's pieces: stage timings, tables as HTML, and the page itself."""

import base64

import polars as pl

from tidymnist.report.article import (
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
            "figure_centroids": bench(6, 330),
            "tsne": bench(31, 380),
        }
    )
    assert timings["step"].to_list() == ["fit_svm", "tsne", "fit_knn", "figure_centroids", "pixels"]
    summary = stage_summary(timings)
    assert summary.select("stage", "steps", "seconds", "peak_memory_mb").rows() == [
        ("read, verify, pixel table", 1, 4.0, 460.0),
        ("space of digits", 1, 31.0, 380.0),
        ("models: fit", 2, 57.0, 1900.0),
        ("figures", 1, 6.0, 330.0),
    ]
    assert stage_of("evaluate_neural_network") == "models: predict"


def test_figures_are_embedded_and_tables_are_html():
    png = b"\x89PNG\r\n\x1a\nrest"
    assert base64.b64decode(data_uri(png).split(",", 1)[1]) == png
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
    }
    page = render(context)
    assert "A tidy analysis of &lt;MNIST&gt;" in page
    assert "a &lt; b" in page
    assert '<section id="one">' in page and '<section id="two">' in page
    assert "<details>" in page and "<td>1</td>" in page
    assert "http" not in page.replace("http-equiv", "")  # nothing to fetch
