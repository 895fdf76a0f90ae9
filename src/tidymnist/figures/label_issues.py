"""The labels that look wrong: each split's top candidates, with the label they were given, the
one the model suggests and how likely it found the given one."""

from collections.abc import Sequence

import polars as pl
from plotnine import ggplot, labs

from tidymnist.figures.common import with_class
from tidymnist.figures.gallery import digit_gallery, ranked
from tidymnist.findings import texts

SPLIT_TITLES = {"train": "training\nsplit", "test": "test\nsplit"}


def label_issues_gallery(
    pixels: pl.DataFrame, findings: pl.DataFrame, class_names: Sequence[str]
) -> ggplot:
    """A row per split, a column per rank: each candidate drawn, in red its given label → the
    suggested one, and the probability the model gave the given label; sized from the number
    of candidates shown."""
    data = ranked(
        with_class(pixels, class_names)
        .pipe(with_class, class_names, "suggested", "suggested_class")
        .with_columns(
            row=pl.col("split")
            .cast(pl.String)
            .replace_strict(SPLIT_TITLES)
            .cast(pl.Enum(list(SPLIT_TITLES.values()))),
        )
    )
    # the probability of the given label, to one significant digit: 3e-08, 0.004, 0.3
    shown = pl.col("score").map_elements(lambda p: f"{p:.1g}", return_dtype=pl.String)
    said = texts(findings)
    return digit_gallery(
        data,
        rows="row",
        given="class",
        read="suggested_class",
        note=pl.format("p {}", shown),
        class_names=class_names,
    ) + labs(
        title="Labels that look wrong",
        subtitle=f"Confident learning flags {said['train_candidates']} training and "
        f"{said['test_candidates']} test labels; the most likely wrong of\neach split, in "
        "red: given label → suggested, p: the probability the\nmodel gave the given label",
    )
