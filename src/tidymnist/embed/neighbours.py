"""The label of each image's nearest other image: how well a space keeps labels together.

Kept apart from the maps (numpy and polars only, scikit-learn imported on use) so that the
findings can read it without importing the map makers.
"""

from collections.abc import Sequence

import numpy as np
import polars as pl

# How the map_quality table scores a map (tidymnist.embed.quality), here so that the findings,
# which state them, do not import the maps' libraries (the Snakefile imports the findings).
TRUST_NEIGHBOURS = 10  # neighbours trustworthiness compares on the map and in the PCA space
# Images trustworthiness is computed on: it ranks all pairs (memory grows with the square), so a
# seeded subsample of each map's images, the same for both maps.
TRUST_SAMPLE = 2000


def nearest_other_labels(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Per image (``label``), the label of the nearest other image in the space of
    ``columns`` (``neighbour``)."""
    from sklearn.neighbors import NearestNeighbors  # noqa: PLC0415 (slow to import)

    points = frame.select(columns).to_numpy().astype(np.float64)
    _, index = NearestNeighbors(n_neighbors=2).fit(points).kneighbors(points)
    own = np.arange(len(points))
    other = np.where(index[:, 0] == own, index[:, 1], index[:, 0])  # duplicates: either order
    labels = frame["label"].to_numpy()
    return pl.DataFrame({"label": labels, "neighbour": labels[other]})


def same_label_share(frame: pl.DataFrame, columns: Sequence[str]) -> float:
    """The share of images whose nearest other image (in the space of ``columns``) has their
    label."""
    mixing = nearest_other_labels(frame, columns)
    return float((mixing["label"] == mixing["neighbour"]).mean())
