"""How well each map keeps the neighbourhoods of the PCA space it was made from.

Two measures per map, both from 0 to 1: scikit-learn's ``trustworthiness`` (are an image's
nearest neighbours on the map also among its nearest in the PCA space?) and the share of images
whose nearest other image on the map has their label. The second is also given for the PCA space
itself, the reference a map can at best keep.
"""

import logging

import numpy as np
import polars as pl

from tidymnist.embed.maps import map_sample, pc_names, sample_instances
from tidymnist.embed.neighbours import TRUST_NEIGHBOURS, TRUST_SAMPLE, same_label_share

log = logging.getLogger(__name__)

QUALITY_MAPS = pl.Enum(["PCA space", "t-SNE map", "UMAP map"])
MEASURES = pl.Enum(["trustworthiness", "same_label"])
QUALITY_SCHEMA = pl.Schema({"map": QUALITY_MAPS, "measure": MEASURES, "value": pl.Float64})


def map_quality(
    coordinates: pl.DataFrame, tsne: pl.DataFrame, umap: pl.DataFrame, *, dimensions: int, seed: int
) -> pl.DataFrame:
    """One row per map and measure (:data:`QUALITY_SCHEMA`): each map's trustworthiness against
    the first ``dimensions`` PCA coordinates of its images (on a seeded subsample of
    :data:`TRUST_SAMPLE`) and its share of nearest neighbours of the same label (all its images),
    and that share in the PCA space itself."""
    from sklearn.manifold import trustworthiness  # noqa: PLC0415 (slow to import)

    space = map_sample(coordinates, tsne)
    maps = {"t-SNE map": tsne.sort("instance"), "UMAP map": umap.sort("instance")}
    for name, frame in maps.items():
        if not frame["instance"].equals(space["instance"]):
            raise ValueError(f"the {name} is not of the t-SNE map's training images")
    features = space.select(pc_names(dimensions)).to_numpy().astype(np.float64)
    subsample = sample_instances(len(features), TRUST_SAMPLE, seed)
    k = min(TRUST_NEIGHBOURS, (len(subsample) - 1) // 2)  # scikit-learn asks for k < n / 2
    log.info("trustworthiness (%d neighbours) on %d of %d images", k, len(subsample), space.height)
    rows = [("PCA space", "same_label", same_label_share(space, pc_names(dimensions)))]
    for name, frame in maps.items():
        columns = [column for column in frame.columns if column not in ("instance", "label")]
        points = frame.select(columns).to_numpy()
        trust = trustworthiness(features[subsample], points[subsample], n_neighbors=k)
        rows += [
            (name, "trustworthiness", float(trust)),
            (name, "same_label", same_label_share(frame, columns)),
        ]
    return pl.DataFrame(rows, schema=QUALITY_SCHEMA, orient="row")
