"""The space of digits: PCA (eigen-digits), and a t-SNE map and a UMAP map that can take new points.

PCA is fitted on the training split's pixels scaled to 0-1; its components are "eigen-digits".
The t-SNE map (openTSNE) is computed on a seeded sample of training images, from their first PCA
coordinates. New digits are placed on the existing map with openTSNE's ``transform``, which keeps
the map fixed and optimises only the new points. The UMAP map (umap-learn) is of the same sample,
from the same coordinates, and places new digits with UMAP's own ``transform``.
"""

import logging
import warnings

import numpy as np
import openTSNE
import polars as pl
from sklearn.decomposition import PCA

from tidymnist.core.digits import N_PIXELS, SPLITS
from tidymnist.core.grid import grid_table, scale_pixels, xy
from tidymnist.tables.pixels import split_arrays

log = logging.getLogger(__name__)

LOADINGS_SCHEMA = pl.Schema(
    {
        "component": pl.UInt16,
        "pixel": pl.UInt16,
        "x": pl.UInt8,
        "y": pl.UInt8,
        "loading": pl.Float64,
    }
)
VARIANCE_SCHEMA = pl.Schema(
    {
        "component": pl.UInt16,
        "variance": pl.Float64,
        "variance_ratio": pl.Float64,
        "cumulative_ratio": pl.Float64,
    }
)
MAP_SCHEMA = pl.Schema(
    {"instance": pl.UInt32, "label": pl.UInt8, "tsne1": pl.Float64, "tsne2": pl.Float64}
)
UMAP_SCHEMA = pl.Schema(
    {"instance": pl.UInt32, "label": pl.UInt8, "umap1": pl.Float64, "umap2": pl.Float64}
)
MEAN_SCHEMA = pl.Schema({"pixel": pl.UInt16, "x": pl.UInt8, "y": pl.UInt8, "mean": pl.Float64})


def pc_names(n: int) -> list[str]:
    return [f"pc{i}" for i in range(1, n + 1)]


def coordinates_schema(n: int) -> pl.Schema:
    """The columns of :func:`coordinates_table` with ``n`` components."""
    keys = {"split": pl.Enum(SPLITS), "instance": pl.UInt32, "label": pl.UInt8}
    return pl.Schema({**keys, **dict.fromkeys(pc_names(n), pl.Float32)})


def fit_pca(images: np.ndarray) -> PCA:
    """PCA of raw training images (scaled to 0-1), all 784 components, solved exactly through
    the covariance matrix (fast when there are many more images than pixels)."""
    return PCA(svd_solver="covariance_eigh").fit(scale_pixels(images))


def loadings_table(pca: PCA, n: int) -> pl.DataFrame:
    """One row per component per pixel for the first ``n`` components: each one's weight on
    that pixel (a unit vector: an "eigen-digit")."""
    return (
        pl.DataFrame(
            {
                "component": np.repeat(np.arange(1, n + 1, dtype=np.uint16), N_PIXELS),
                "pixel": np.tile(np.arange(N_PIXELS, dtype=np.uint16), n),
                "loading": pca.components_[:n].reshape(-1).astype(np.float64),
            }
        )
        .with_columns(xy(pl.col("pixel")))
        .select(LOADINGS_SCHEMA.names())
    )


def variance_table(pca: PCA) -> pl.DataFrame:
    """One row per component: the variance it explains, alone and with the ones before it."""
    ratio = pca.explained_variance_ratio_.astype(np.float64)
    return pl.DataFrame(
        {
            "component": np.arange(1, len(ratio) + 1, dtype=np.uint16),
            "variance": pca.explained_variance_.astype(np.float64),
            "variance_ratio": ratio,
            "cumulative_ratio": np.cumsum(ratio),
        },
        schema=VARIANCE_SCHEMA,
    )


def coordinates_table(
    pca: PCA, n: int, split: str, arrays: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> pl.DataFrame:
    """One row per image of ``split``: split, instance, label and its coordinates on the first
    ``n`` components, pc1 ... pc{n}. ``arrays`` are the split's instances, images and labels
    (as :func:`tidymnist.tables.pixels.split_arrays` gives them)."""
    instances, images, labels = arrays
    scores = project(images, pca.mean_, pca.components_[:n])
    frame = pl.DataFrame(scores.astype(np.float32), schema=pc_names(n))
    return frame.with_columns(
        split=pl.lit(split, dtype=pl.Enum(SPLITS)),
        instance=pl.Series(instances, dtype=pl.UInt32),
        label=pl.Series(labels, dtype=pl.UInt8),
    ).select("split", "instance", "label", *frame.columns)


def pca_tables(pixels: pl.LazyFrame | pl.DataFrame, n: int) -> dict[str, pl.DataFrame]:
    """The PCA of the training split of a pixel table, as the workflow writes it: ``loadings``
    and ``coordinates`` (train, then test) on the first ``n`` components, the ``mean`` and the
    ``variance`` of all of them."""
    train, test = split_arrays(pixels, "train"), split_arrays(pixels, "test")
    pca = fit_pca(train[1])
    log.info("PCA of %d training images; first %d components kept", len(train[0]), n)
    return {
        "loadings": loadings_table(pca, n),
        "mean": mean_table(train[1]),
        "variance": variance_table(pca),
        "coordinates": pl.concat(
            [coordinates_table(pca, n, "train", train), coordinates_table(pca, n, "test", test)]
        ),
    }


def project(images: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Coordinates (n, k) of raw images ((n, 28, 28) or (n, 784), 0-255) on ``components``
    (k, 784), measured from ``mean`` (784,), both on the 0-1 scale: the one PCA projection of
    the workflow, the draw page and the custom digits. It computes in the precision of ``mean``
    and ``components``: single for a fitted PCA's own (the coordinates table), double for the
    written tables (:func:`mean_table`, :func:`loadings_matrix`)."""
    return (scale_pixels(images) - mean) @ np.asarray(components).T


def mean_table(images: np.ndarray) -> pl.DataFrame:
    """One row per pixel: the training images' mean on the 0-1 scale, the centre of the PCA
    plane. Summed in double precision from the raw values (the fitted PCA keeps its own in
    single precision, a few millionths off)."""
    images = np.asarray(images)
    mean = images.reshape(len(images), N_PIXELS).mean(axis=0, dtype=np.float64) / 255.0
    return grid_table().with_columns(mean=pl.Series(mean, dtype=pl.Float64)).cast(MEAN_SCHEMA)


def mean_vector(table: pl.DataFrame) -> np.ndarray:
    """The mean (784,) in pixel order, from a :func:`mean_table`."""
    if table.height != N_PIXELS:
        raise ValueError(f"a PCA mean table has {N_PIXELS} rows, not {table.height}")
    return table.sort("pixel")["mean"].to_numpy().astype(np.float64)


def loadings_matrix(loadings: pl.DataFrame, n: int) -> np.ndarray:
    """The first ``n`` components (n, 784), in double precision, from a :func:`loadings_table`."""
    first = loadings.filter(pl.col("component") <= n).sort("component", "pixel")
    if first.height != n * N_PIXELS:
        raise ValueError(f"expected components 1-{n} for {N_PIXELS} pixels in the loadings")
    return first["loading"].to_numpy().astype(np.float64).reshape(n, N_PIXELS)


def sample_instances(n_available: int, size: int, seed: int) -> np.ndarray:
    """A seeded random sample of ``size`` instances (all when fewer are available), sorted."""
    rng = np.random.default_rng(seed)
    if size >= n_available:
        return np.arange(n_available)
    return np.sort(rng.choice(n_available, size=size, replace=False))


def map_training_sample(coordinates: pl.DataFrame, size: int, seed: int) -> pl.DataFrame:
    """The PCA coordinates of the seeded sample of ``size`` training images
    (:func:`sample_instances`) that the t-SNE and UMAP maps are both made of, in instance
    order: each map's rule draws it for itself, so neither waits for the other."""
    train = coordinates.filter(pl.col("split") == "train")
    return train[sample_instances(train.height, size, seed)].sort("instance")


def _features(coordinates: pl.DataFrame, dimensions: int) -> np.ndarray:
    return coordinates.select(pc_names(dimensions)).to_numpy().astype(np.float64)


def tsne_map(
    coordinates: pl.DataFrame, dimensions: int, perplexity: float, seed: int, n_jobs: int = 1
) -> pl.DataFrame:
    """A 2-d t-SNE map of the images in ``coordinates`` (a PCA coordinates table), computed
    from their first ``dimensions`` PCA coordinates."""
    return _tsne_fit(coordinates, dimensions, perplexity, seed, n_jobs)[0]


def _tsne_fit(
    coordinates: pl.DataFrame, dimensions: int, perplexity: float, seed: int, n_jobs: int
) -> tuple[pl.DataFrame, "openTSNE.TSNEEmbedding"]:
    """:func:`tsne_map`'s table and the fitted embedding, which can place new images."""
    features = _features(coordinates, dimensions)
    log.info("t-SNE of %d images from %d PCA dimensions", len(features), dimensions)
    embedding = openTSNE.TSNE(
        perplexity=perplexity,
        random_state=seed,
        n_jobs=n_jobs,
        neighbors="exact" if len(features) < 1000 else "annoy",
        verbose=False,
    ).fit(features)
    return _map_table(coordinates, embedding, MAP_SCHEMA), embedding


def _map_table(coordinates: pl.DataFrame, places: np.ndarray, schema: pl.Schema) -> pl.DataFrame:
    """A map's table (``schema``: instance, label and two coordinates) of ``coordinates``'
    images at ``places`` (n, 2)."""
    x, y = list(schema)[2:]
    return pl.DataFrame(
        {
            "instance": coordinates["instance"],
            "label": coordinates["label"],
            x: np.asarray(places)[:, 0].astype(np.float64),
            y: np.asarray(places)[:, 1].astype(np.float64),
        },
        schema=schema,
    )


def sampled_test_images(coordinates: pl.DataFrame, size: int, seed: int) -> pl.DataFrame:
    """A seeded sample of ``size`` test images of a PCA coordinates table, by instance: the
    test digits placed on every map for the report's explorer."""
    test = coordinates.filter(pl.col("split") == "test")
    return test[sample_instances(test.height, min(size, test.height), seed)].sort("instance")


def tsne_map_and_test_places(
    coordinates: pl.DataFrame,
    *,
    size: int,
    test_size: int,
    dimensions: int,
    perplexity: float,
    seed: int,
    n_jobs: int = 1,
) -> dict[str, pl.DataFrame]:
    """The workflow's t-SNE map (:func:`sampled_tsne_map`) and a seeded sample of
    ``test_size`` test images placed on it by the fitted map's ``transform``, which leaves the
    map as it is: ``{"map": ..., "test_places": ...}``, both :data:`MAP_SCHEMA`."""
    sample = map_training_sample(coordinates, size, seed)
    table, embedding = _tsne_fit(sample, dimensions, perplexity, seed, n_jobs)
    new = sampled_test_images(coordinates, test_size, seed)
    log.info("placing %d test images on the t-SNE map", new.height)
    placed = embedding.transform(_features(new, dimensions)) if new.height else np.zeros((0, 2))
    return {"map": table, "test_places": _map_table(new, placed, MAP_SCHEMA)}


def sampled_tsne_map(
    coordinates: pl.DataFrame,
    *,
    size: int,
    dimensions: int,
    perplexity: float,
    seed: int,
    n_jobs: int = 1,
) -> pl.DataFrame:
    """The workflow's t-SNE map: :func:`tsne_map` of the seeded sample of ``size`` training
    images of a PCA coordinates table (:func:`map_training_sample`)."""
    sample = map_training_sample(coordinates, size, seed)
    return tsne_map(sample, dimensions, perplexity, seed, n_jobs=n_jobs)


def place_on_map(
    reference: pl.DataFrame,
    reference_coordinates: pl.DataFrame,
    new_coordinates: pl.DataFrame,
    *,
    dimensions: int,
    perplexity: float,
    seed: int,
    n_jobs: int = 1,
) -> np.ndarray:
    """Positions (n, 2) of new images on an existing map, which stays as it is.

    ``reference`` is the map (a :func:`tsne_map` table) and ``reference_coordinates`` the PCA
    coordinates of the same images, in the same order; ``new_coordinates`` those of the images
    to place.
    """
    features = _features(reference_coordinates, dimensions)
    affinities = openTSNE.affinity.PerplexityBasedNN(
        features,
        perplexity=perplexity,
        random_state=seed,
        n_jobs=n_jobs,
        method="exact" if len(features) < 1000 else "annoy",
    )
    embedding = openTSNE.TSNEEmbedding(
        reference.select("tsne1", "tsne2").to_numpy(),
        affinities,
        random_state=seed,
        n_jobs=n_jobs,
    )
    placed = embedding.transform(_features(new_coordinates, dimensions))
    return np.asarray(placed)


def _fitted_umap(features: np.ndarray, n_neighbors: int, min_dist: float, seed: int):
    """A UMAP fitted to ``features``. A ``random_state`` makes umap-learn run on one thread and
    repeat itself exactly, so the same config gives the same map (and n_jobs=1 says so, which
    umap-learn would otherwise warn about)."""
    with warnings.catch_warnings():  # its optional ParametricUMAP wants TensorFlow
        warnings.filterwarnings("ignore", "Tensorflow not installed", ImportWarning)
        import umap  # noqa: PLC0415 (slow to import: numba)

    model = umap.UMAP(
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        random_state=seed,
        transform_seed=seed,
        n_jobs=1,
    )
    model.fit(features)
    return model


def umap_map(
    coordinates: pl.DataFrame, dimensions: int, n_neighbors: int, min_dist: float, seed: int
) -> pl.DataFrame:
    """A 2-d UMAP map of the images in ``coordinates`` (a PCA coordinates table), computed
    from their first ``dimensions`` PCA coordinates."""
    features = _features(coordinates, dimensions)
    log.info("UMAP of %d images from %d PCA dimensions", len(features), dimensions)
    embedding = _fitted_umap(features, n_neighbors, min_dist, seed).embedding_
    return pl.DataFrame(
        {
            "instance": coordinates["instance"],
            "label": coordinates["label"],
            "umap1": embedding[:, 0].astype(np.float64),
            "umap2": embedding[:, 1].astype(np.float64),
        },
        schema=UMAP_SCHEMA,
    )


def map_sample(coordinates: pl.DataFrame, tsne: pl.DataFrame) -> pl.DataFrame:
    """The PCA coordinates of the training images on the t-SNE map, in instance order: the one
    sample both maps are made of."""
    train = coordinates.filter(pl.col("split") == "train")
    return train.join(tsne.select("instance"), on="instance", how="semi").sort("instance")


def sampled_umap_map(
    coordinates: pl.DataFrame,
    *,
    size: int,
    dimensions: int,
    n_neighbors: int,
    min_dist: float,
    seed: int,
) -> pl.DataFrame:
    """The workflow's UMAP map: :func:`umap_map` of the same seeded training images as the
    t-SNE map of the same ``size`` and ``seed`` (:func:`map_training_sample`)."""
    sample = map_training_sample(coordinates, size, seed)
    return umap_map(sample, dimensions, n_neighbors, min_dist, seed)


def umap_map_and_test_places(
    coordinates: pl.DataFrame,
    *,
    size: int,
    test_size: int,
    dimensions: int,
    n_neighbors: int,
    min_dist: float,
    seed: int,
) -> dict[str, pl.DataFrame]:
    """The workflow's UMAP map (:func:`sampled_umap_map`) and the test images of
    :func:`sampled_test_images` placed on it by the fitted model's ``transform`` (seeded):
    ``{"map": ..., "test_places": ...}``, both :data:`UMAP_SCHEMA`."""
    sample = map_training_sample(coordinates, size, seed)
    model = _fitted_umap(_features(sample, dimensions), n_neighbors, min_dist, seed)
    table = _map_table(sample, model.embedding_, UMAP_SCHEMA)
    new = sampled_test_images(coordinates, test_size, seed)
    log.info("UMAP of %d images; placing %d test images on it", sample.height, new.height)
    placed = model.transform(_features(new, dimensions)) if new.height else np.zeros((0, 2))
    return {"map": table, "test_places": _map_table(new, placed, UMAP_SCHEMA)}


def place_on_umap(
    reference: pl.DataFrame,
    reference_coordinates: pl.DataFrame,
    new_coordinates: pl.DataFrame,
    *,
    dimensions: int,
    n_neighbors: int,
    min_dist: float,
    seed: int,
) -> np.ndarray:
    """Positions (n, 2) of new images on an existing UMAP map, which stays as it is.

    ``reference`` is the map (a :func:`umap_map` table) and ``reference_coordinates`` the PCA
    coordinates of the same images, in the same order; ``new_coordinates`` those of the images
    to place. As :func:`place_on_map` does for t-SNE, the model is rebuilt from the map's images
    (the seeded fit repeats itself) rather than kept in a file: then UMAP's ``transform`` places
    the new images against the map as the table has it, seeded too.
    """
    if new_coordinates.height == 0:
        return np.zeros((0, 2))
    model = _fitted_umap(_features(reference_coordinates, dimensions), n_neighbors, min_dist, seed)
    # umap-learn's compiled layout wants a C-ordered float32 array, as its own fit leaves it
    drawn = np.ascontiguousarray(reference.select("umap1", "umap2").to_numpy(), dtype=np.float32)
    if not np.array_equal(model.embedding_, drawn):
        log.warning("the refitted UMAP differs from the map's table; placing on the table's map")
    model.embedding_ = drawn
    return np.asarray(model.transform(_features(new_coordinates, dimensions)), dtype=np.float64)


PLACES_MAPS = pl.Enum(["PCA plane", "t-SNE map", "UMAP map"])
PLACES_SCHEMA = pl.Schema(
    {
        "instance": pl.UInt32,
        "label": pl.UInt8,
        "rank": pl.UInt32,
        "map": PLACES_MAPS,
        "dim1": pl.Float64,
        "dim2": pl.Float64,
        "among": pl.UInt8,  # the label most of its nearest sampled training images have
    }
)
NEIGHBOURS = 10  # sampled training images around a digit that decide where it has landed


def landed_among(
    places: pl.DataFrame, backgrounds: dict[str, pl.DataFrame], neighbours: int = NEIGHBOURS
) -> pl.Series:
    """Per row of ``places`` (map, dim1, dim2), the label most of the ``neighbours`` nearest
    images of its map's background have (the smallest such label on a tie). ``backgrounds``
    holds, per map name, the images drawn there (label, dim1, dim2)."""
    from sklearn.neighbors import NearestNeighbors  # noqa: PLC0415 (slow to import)

    among = np.zeros(places.height, dtype=np.uint8)
    rows = places.with_row_index("row")
    for (name,), group in rows.group_by("map", maintain_order=True):
        reference = backgrounds[str(name)]
        k = min(neighbours, reference.height)
        _, index = (
            NearestNeighbors(n_neighbors=k)
            .fit(reference.select("dim1", "dim2").to_numpy())
            .kneighbors(group.select("dim1", "dim2").to_numpy())
        )
        labels = reference["label"].to_numpy()[index]
        among[group["row"].to_numpy()] = [np.bincount(row).argmax() for row in labels]
    return pl.Series("among", among, dtype=pl.UInt8)


def places_on_maps(
    new_coordinates: pl.DataFrame,
    coordinates: pl.DataFrame,
    tsne: pl.DataFrame,
    umap: pl.DataFrame,
    *,
    dimensions: int,
    perplexity: float,
    n_neighbors: int,
    min_dist: float,
    seed: int,
    n_jobs: int = 1,
) -> dict[str, np.ndarray]:
    """Positions (n, 2) of new images (their PCA ``new_coordinates``) on the t-SNE map and on the
    UMAP map, by name (as in :data:`PLACES_MAPS`), placed with :func:`place_on_map` and
    :func:`place_on_umap`: ``coordinates`` holds the maps' own digits' PCA coordinates (its
    training rows); the maps stay as they are."""
    tsne, umap = tsne.sort("instance"), umap.sort("instance")
    return {
        "t-SNE map": place_on_map(
            tsne,
            map_sample(coordinates, tsne),
            new_coordinates,
            dimensions=dimensions,
            perplexity=perplexity,
            seed=seed,
            n_jobs=n_jobs,
        ),
        "UMAP map": place_on_umap(
            umap,
            map_sample(coordinates, umap),
            new_coordinates,
            dimensions=dimensions,
            n_neighbors=n_neighbors,
            min_dist=min_dist,
            seed=seed,
        ),
    }


def _kept_or_placed(
    chosen: pl.DataFrame, drawn: pl.DataFrame, placed: np.ndarray, name: str
) -> pl.DataFrame:
    """The ``chosen`` images on map ``name``: where ``drawn`` (instance, dim1, dim2) has them,
    else where they were ``placed`` (in ``chosen``'s order)."""
    return (
        chosen.select("instance", "label", "rank")
        .with_columns(placed_1=placed[:, 0], placed_2=placed[:, 1])
        .join(drawn, on="instance", how="left")
        .select(
            "instance",
            "label",
            "rank",
            map=pl.lit(name),
            dim1=pl.coalesce("dim1", "placed_1"),
            dim2=pl.coalesce("dim2", "placed_2"),
        )
    )


def least_typical_places(
    least_typical: pl.DataFrame,
    coordinates: pl.DataFrame,
    tsne: pl.DataFrame,
    umap: pl.DataFrame,
    *,
    dimensions: int,
    perplexity: float,
    n_neighbors: int,
    min_dist: float,
    seed: int,
    n_jobs: int = 1,
    sample: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Where the least typical training digits lie on the PCA plane, the t-SNE map and the UMAP
    map, and among which label each lands there (``among``, see :func:`landed_among`).

    ``least_typical`` names them (split, instance, label, rank); on a map, digits that are in
    its sample keep their place and the others are placed with :func:`place_on_map` or
    :func:`place_on_umap`. Where they land on the plane is judged among ``sample`` (the PCA
    coordinates the scatter draws; all training images when not given) and on a map among the
    map's own images.
    """
    train = coordinates.filter(pl.col("split") == "train")
    chosen = least_typical.select("instance", "rank").join(train, on="instance")
    on_plane = chosen.select(
        "instance", "label", "rank", map=pl.lit("PCA plane"), dim1="pc1", dim2="pc2"
    )
    tsne, umap = tsne.sort("instance"), umap.sort("instance")
    backgrounds = {
        "t-SNE map": tsne.select("instance", "label", dim1="tsne1", dim2="tsne2"),
        "UMAP map": umap.select("instance", "label", dim1="umap1", dim2="umap2"),
    }
    placed = places_on_maps(
        chosen,
        coordinates,
        tsne,
        umap,
        dimensions=dimensions,
        perplexity=perplexity,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        seed=seed,
        n_jobs=n_jobs,
    )
    on_maps = [
        _kept_or_placed(chosen, backgrounds[name].drop("label"), placed[name], name)
        for name in placed
    ]
    places = (
        pl.concat([on_plane, *on_maps], how="vertical_relaxed")
        .with_columns(pl.col("map").cast(PLACES_MAPS), pl.col("dim1", "dim2").cast(pl.Float64))
        .sort("map", "label", "rank")
    )
    plane = train if sample is None else sample
    backgrounds["PCA plane"] = plane.select("label", dim1=pl.col("pc1"), dim2=pl.col("pc2"))
    backgrounds = {
        name: frame.select("label", pl.col("dim1", "dim2").cast(pl.Float64))
        for name, frame in backgrounds.items()
    }
    return places.with_columns(landed_among(places, backgrounds)).select(PLACES_SCHEMA.names())
