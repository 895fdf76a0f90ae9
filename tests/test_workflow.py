"""The whole workflow on the synthetic .test/ data and on a slice of the real MNIST."""

import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
import yaml
from PIL import Image

from tidymnist.core.digits import FASHION_NAMES
from tidymnist.core.extras import cnn_extra_installed
from tidymnist.core.naming import VARIANTS_BY_NAME
from tidymnist.embed.maps import (
    LOADINGS_SCHEMA,
    MAP_SCHEMA,
    MEAN_SCHEMA,
    UMAP_SCHEMA,
    VARIANCE_SCHEMA,
    coordinates_schema,
)
from tidymnist.embed.maps import PLACES_SCHEMA as LEAST_TYPICAL_PLACES
from tidymnist.embed.quality import QUALITY_SCHEMA
from tidymnist.evaluate.label_issues import PIXELS_SCHEMA as LABEL_ISSUE_PIXELS
from tidymnist.evaluate.label_issues import PROBABILITIES_SCHEMA as OUT_OF_FOLD
from tidymnist.evaluate.label_issues import SCHEMA as LABEL_ISSUES
from tidymnist.evaluate.label_issues import SENSITIVITY_SCHEMA as LABEL_SENSITIVITY
from tidymnist.evaluate.predict import CUSTOM_PREDICTIONS_SCHEMA as CUSTOM_PREDICTIONS
from tidymnist.evaluate.robustness import SCHEMA as ROBUSTNESS
from tidymnist.evaluate.robustness import sample_positions
from tidymnist.evaluate.sweep import SCHEMA as SWEEP
from tidymnist.evaluate.tables import (
    CONFUSION_SCHEMA,
    COSTS_SCHEMA,
    ERRORS_BY_TYPICALITY_SCHEMA,
    METRICS_SCHEMA,
    MISTAKE_PIXELS_SCHEMA,
    PAIR_CONFUSIONS_SCHEMA,
    PAIR_CORRELATION_SCHEMA,
    PER_CLASS_SCHEMA,
    PREDICTIONS_SCHEMA,
)
from tidymnist.figures.explore import centroid_tiles
from tidymnist.figures.registry import FIGURES
from tidymnist.findings.table import SCHEMA as FINDINGS
from tidymnist.handwriting.custom import ACCURACY_SCHEMA as CUSTOM_ACCURACY
from tidymnist.handwriting.custom import CUSTOM_STEPS_SCHEMA
from tidymnist.handwriting.custom import IMAGES_SCHEMA as CUSTOM_IMAGES
from tidymnist.handwriting.custom import PLACES_SCHEMA as CUSTOM_PLACES
from tidymnist.handwriting.preprocess import THUMBNAIL_SCHEMA
from tidymnist.io.custom import ERRORS_SCHEMA as CUSTOM_ERRORS
from tidymnist.io.custom import LABELS_SCHEMA as CUSTOM_LABELS
from tidymnist.io.dataset import FILES_SCHEMA, load_split
from tidymnist.io.models import load_model
from tidymnist.models.cnn import ACTIVATION_SCHEMA, DIGITS_SCHEMA
from tidymnist.models.pipelines import COEFFICIENTS_SCHEMA
from tidymnist.tables.centroids import SCHEMA as CENTROIDS
from tidymnist.tables.distances import LEAST_TYPICAL_PIXELS_SCHEMA
from tidymnist.tables.distances import SCHEMA as DISTANCES
from tidymnist.tables.histogram import SCHEMA as VALUE_COUNTS
from tidymnist.tables.label_summary import SCHEMA as LABEL_SUMMARY
from tidymnist.tables.pairwise import DIFFERENCES_SCHEMA, SEPARABILITY_SCHEMA
from tidymnist.tables.pixels import SCHEMA as PIXELS
from workflow_runner import REPO, copy_project, planned_jobs, snakemake, trained_models

pytestmark = pytest.mark.workflow

TEST_CONFIG = ".test/config.yaml"
# the test config keeps config.yaml's number of PCA coordinates unless it sets its own
PCA_COMPONENTS = {
    **yaml.safe_load((REPO / "config.yaml").read_text())["embed"],
    **yaml.safe_load((REPO / TEST_CONFIG).read_text()).get("embed", {}),
}["pca_components"]
# Every table the workflow writes, by its path under results/ (<model> for each model's folder):
# a table the workflow writes and this list lacks fails the test below.
TABLES = {
    "tables/pixels": PIXELS,
    "tables/files": pl.Schema(FILES_SCHEMA),
    "tables/centroids": CENTROIDS,
    "tables/distances": DISTANCES,
    "tables/pairwise_differences": DIFFERENCES_SCHEMA,
    "tables/pair_separability": SEPARABILITY_SCHEMA,
    "tables/label_summary": LABEL_SUMMARY,
    "tables/value_counts": VALUE_COUNTS,
    "tables/sample_pixels": PIXELS,
    "tables/least_typical_pixels": LEAST_TYPICAL_PIXELS_SCHEMA,
    "tables/pca_mean": MEAN_SCHEMA,
    "tables/pca_loadings": LOADINGS_SCHEMA,
    "tables/pca_variance": VARIANCE_SCHEMA,
    "tables/pca_coordinates": coordinates_schema(PCA_COMPONENTS),
    "tables/pca_sample": coordinates_schema(PCA_COMPONENTS),
    "tables/tsne_map": MAP_SCHEMA,
    "tables/tsne_test_places": MAP_SCHEMA,
    "tables/umap_map": UMAP_SCHEMA,
    "tables/umap_test_places": UMAP_SCHEMA,
    "tables/map_quality": QUALITY_SCHEMA,
    "tables/least_typical_places": LEAST_TYPICAL_PLACES,
    "evaluation/<model>/predictions": PREDICTIONS_SCHEMA,
    "evaluation/<model>/costs": COSTS_SCHEMA,
    "tables/metrics": METRICS_SCHEMA,
    "tables/per_class": PER_CLASS_SCHEMA,
    "tables/confusion": CONFUSION_SCHEMA,
    "tables/predictions": PREDICTIONS_SCHEMA,
    "tables/errors_by_typicality": ERRORS_BY_TYPICALITY_SCHEMA,
    "tables/pair_confusions": PAIR_CONFUSIONS_SCHEMA,
    "tables/pair_correlation": PAIR_CORRELATION_SCHEMA,
    "tables/mistake_pixels": MISTAKE_PIXELS_SCHEMA,
    "tables/coefficients": COEFFICIENTS_SCHEMA,
    "tables/robustness": ROBUSTNESS,
    "label_issues/out_of_fold": OUT_OF_FOLD,
    "tables/label_issues": LABEL_ISSUES,
    "tables/label_sensitivity": LABEL_SENSITIVITY,
    "tables/label_issue_pixels": LABEL_ISSUE_PIXELS,
    "tables/sweep": SWEEP,
    "sweep/<setting>": SWEEP,
    "tables/cnn_activations": ACTIVATION_SCHEMA,
    "tables/cnn_digits": DIGITS_SCHEMA,
    "tables/custom_images": CUSTOM_IMAGES,
    "tables/custom_labels": CUSTOM_LABELS,
    "tables/custom_errors": CUSTOM_ERRORS,
    "tables/custom_steps": CUSTOM_STEPS_SCHEMA,
    "tables/custom_thumbnails": THUMBNAIL_SCHEMA,
    "tables/custom_predictions": CUSTOM_PREDICTIONS,
    "tables/custom_accuracy": CUSTOM_ACCURACY,
    "tables/custom_places": CUSTOM_PLACES,
    "findings/<section>": FINDINGS,
    "tables/findings": FINDINGS,
}
TEST_IMAGES = 200
# The test config trains every model (the CNN where PyTorch is installed), most both ways.
TRAINED = trained_models()


def documented_as(path: Path) -> str:
    """A written table's key in TABLES: its path under results/, with the model's, the
    section's or the sweep point's name generalised."""
    parts = path.with_suffix("").parts
    if parts[0] == "evaluation":
        return f"evaluation/<model>/{parts[-1]}"
    if parts[0] == "findings":
        return "findings/<section>"
    if parts[0] == "sweep":
        return "sweep/<setting>"
    return "/".join(parts)


def test_every_table_has_its_documented_columns_and_types(built):
    results = built / "results"
    written = sorted(path.relative_to(results) for path in results.rglob("*.parquet"))
    assert len(written) > 40
    undocumented = {str(path) for path in written if documented_as(path) not in TABLES}
    assert not undocumented, "tables without a SCHEMA in this test's TABLES"
    for path in written:
        assert pl.read_parquet_schema(results / path) == TABLES[documented_as(path)], path
    pixels = pl.read_parquet(built / "results/tables/pixels.parquet")
    assert pixels.height == (600 + 200) * 784
    files = pl.read_parquet(built / "results/tables/files.parquet")
    sums = dict(
        line.split()[::-1] for line in (REPO / ".test/data/SHA256SUMS.raw").read_text().splitlines()
    )
    assert {f.removesuffix(".gz"): s for f, s in files.select("file", "sha256").rows()} == sums


def table(project, name):
    return pl.read_parquet(project / "results" / "tables" / f"{name}.parquet")


def test_every_model_is_trained_and_evaluated_consistently(built):
    metrics, confusion = table(built, "metrics"), table(built, "confusion")
    per_class, predictions = table(built, "per_class"), table(built, "predictions")
    assert sorted(metrics["model"]) == sorted(TRAINED)
    counts = confusion.group_by("model").agg(pl.col("n").sum())
    assert counts["n"].to_list() == [TEST_IMAGES] * len(TRAINED)
    diagonal = (
        confusion.filter(pl.col("label") == pl.col("predicted"))
        .group_by("model")
        .agg(share=pl.col("n").sum() / TEST_IMAGES)
        .join(metrics, on="model")
    )
    assert (diagonal["share"] - diagonal["accuracy"]).abs().max() < 1e-12
    labels = predictions.filter(pl.col("model") == "knn").group_by("label").len()
    support = per_class.filter(pl.col("model") == "knn").join(labels, on="label")
    assert (support["support"] == support["len"]).all()
    assert metrics["accuracy"].min() > 0.5  # every model learns the synthetic digits
    assert metrics["log_loss"].null_count() == 0  # all give probabilities by default
    assert (metrics["n_parameters"] > 0).all()


def test_robustness_at_amount_zero_is_each_models_test_accuracy_on_the_same_digits(built):
    config = yaml.safe_load((REPO / TEST_CONFIG).read_text())
    seed = yaml.safe_load((REPO / "config.yaml").read_text())["seed"]
    robustness = table(built, "robustness")
    sample = config["robustness"]["sample"]
    instances = sample_positions(TEST_IMAGES, sample, seed)  # test instances are 0 ... 199
    plain = (
        table(built, "predictions")
        .filter(pl.col("instance").is_in(instances.tolist()))
        .group_by("model")
        .agg(accuracy=(pl.col("label") == pl.col("predicted")).mean())
    )
    zero = robustness.filter(pl.col("amount") == 0, ~pl.col("preprocessed"))
    joined = zero.join(plain, on="model", suffix="_plain")
    assert sorted(joined["model"].unique()) == sorted(TRAINED)
    assert joined.height == len(TRAINED) * len(config["robustness"]["amounts"])
    assert (joined["accuracy"] == joined["accuracy_plain"]).all()
    assert (robustness["n"] == sample).all()
    # every change, at its largest amount, costs the models something on average
    largest = robustness.filter(
        ~pl.col("preprocessed"), pl.col("amount") == pl.col("amount").max().over("transform")
    )
    assert largest["accuracy"].mean() < zero["accuracy"].mean() - 0.2


def test_label_issues_are_ranked_per_split_and_set_aside_beside_the_plain_accuracy(built):
    issues, sensitivity = table(built, "label_issues"), table(built, "label_sensitivity")
    judge = "cnn" if "cnn" in TRAINED else "knn_deskewed"  # label_issues.models' first trained
    assert issues["model"].unique().to_list() == [judge]
    for split, ranks in issues.group_by("split").agg("rank").rows():
        assert sorted(ranks) == list(range(1, len(ranks) + 1)), split
    ranked = issues.sort("split", "rank")
    assert (
        ranked.group_by("split", maintain_order=True)
        .agg(ordered=pl.col("score").diff().drop_nulls().min().fill_null(0) >= 0)["ordered"]
        .all()
    )
    out_of_fold = pl.read_parquet(built / "results/label_issues/out_of_fold.parquet")
    assert out_of_fold.height == 600 * 10
    sums = out_of_fold.group_by("instance").agg(pl.col("probability").sum())["probability"]
    assert (sums - 1).abs().max() < 1e-6
    metrics = table(built, "metrics").select("model", "accuracy")
    both = sensitivity.join(metrics, on="model", suffix="_metrics")
    assert both.height == len(TRAINED)
    assert (both["accuracy"] - both["accuracy_metrics"]).abs().max() < 1e-12
    flagged = issues.filter(pl.col("split") == "test").height
    assert (sensitivity["set_aside"] == flagged).all()
    gallery = table(built, "label_issue_pixels")
    shown = sum(min(n, 12) for n in issues.group_by("split").len()["len"])  # gallery: 12
    assert gallery.select("split", "instance").n_unique() == shown > 0


def test_saved_models_reload_and_give_the_evaluated_predictions(built):
    test = load_split(built / ".test/data", "test")
    predictions = table(built, "predictions")
    for name in (n for n in TRAINED if VARIANTS_BY_NAME[n].base != "cnn"):  # the CNN: below
        model = load_model(built / "results" / "models" / f"{name}.skops")
        expected = predictions.filter(pl.col("model") == name).sort("instance")["predicted"]
        assert model.predict(test.images).tolist() == expected.to_list(), name


def test_least_typical_and_sample_tables_follow_the_config(built):
    config = yaml.safe_load((REPO / "config.yaml").read_text())["explore"]
    worst = pl.read_parquet(built / "results/tables/least_typical_pixels.parquet")
    assert worst.select("instance", "split").n_unique() == 10 * config["least_typical"]
    sample = pl.read_parquet(built / "results/tables/sample_pixels.parquet")
    assert sorted(sample["instance"].unique()) == list(range(config["sample_images"]))


def test_figures_are_pngs_of_the_configured_size(built):
    dpi = yaml.safe_load((REPO / TEST_CONFIG).read_text())["figures"]["dpi"]
    drawn = {path.stem for path in (built / "results/figures").glob("*.png")}
    # every figure of the registry is drawn (the CNN's where PyTorch is installed)
    cnn_figures = {"feature_maps", "custom_feature_maps"}
    assert drawn == set(FIGURES) - (set() if cnn_extra_installed() else cnn_figures)
    for name in sorted(drawn):
        with Image.open(built / "results" / "figures" / f"{name}.png") as image:
            assert image.format == "PNG"
            if FIGURES[name].size is None:  # sized from its panels: never wider than 12 inches
                assert image.size[0] <= 12 * dpi, name
            else:
                width, height = FIGURES[name].size
                assert image.size == (round(width * dpi), round(height * dpi)), name
            image.load()
            assert len(image.getcolors(maxcolors=1 << 20) or range(2)) > 1  # not blank


def test_every_rule_wrote_a_log_and_the_pixel_step_shows_progress(built):
    log = (built / "results/logs/pixels.log").read_text()
    assert "verified train: 600 images, test: 200 images" in log
    assert "(100%)" in log


def test_second_run_has_nothing_to_do(built):
    again = snakemake(built, "--configfile", TEST_CONFIG)
    assert again.returncode == 0
    assert "Nothing to be done" in again.stdout + again.stderr


def test_changing_one_value_reruns_only_what_it_affects(built):
    jobs = planned_jobs(built, "--config", "explore={least_typical: 3}")
    # the least typical digits, their places on the maps, the two sections whose figures show
    # them (with their findings), the report's explorers (a gallery of them), the gathered
    # findings, the report and the target rule: no table upstream of them, no model
    expected = {
        "least_typical": 1,
        "least_typical_places": 1,
        "explorer": 1,
        "figures_data": 1,
        "figures_space": 1,
        "findings_table": 1,
        "report": 1,
        "all": 1,
    }
    assert jobs == expected


def test_forcing_the_report_reruns_the_report_alone(built):
    # the report reads every benchmark file; "sweep_knn_n_neighbors.tsv" once split into the
    # model "knn_n" and the setting "neighbors", and the run stopped before any job
    assert planned_jobs(built, "--forcerun", "report") == {"report": 1, "all": 1}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("no_such_key=1", "unknown key no_such_key"),
        ("data_format=tiff", "data_format: 'tiff' is not one of ['idx', 'csv']"),
        ("explore={least_typical: 0}", "explore.least_typical: 0 is less than the minimum of 1"),
        ("figures={dpi: high}", "figures.dpi: 'high' is not of type 'integer'"),
        ("class_names=[a,b]", "class_names: ['a', 'b'] is too short"),
    ],
)
def test_bad_config_stops_before_any_job_and_names_the_key(tmp_path, override, message):
    project = copy_project(tmp_path)
    run = snakemake(project, "--configfile", TEST_CONFIG, "-n", "--config", override)
    assert run.returncode != 0
    assert f"  {message}" in run.stdout + run.stderr
    assert not (project / "results").exists()


def test_missing_data_without_network_says_how_to_point_at_local_files(tmp_path):
    project = copy_project(tmp_path)
    run = snakemake(
        project,
        "results/tables/pixels.parquet",
        "--configfile",
        TEST_CONFIG,
        "--config",
        "data_dir=nowhere",
        "mirrors=[http://127.0.0.1:9/]",
    )
    assert run.returncode != 0
    assert "could not download" in run.stderr
    # whichever download ran first names its URL (the four run in no fixed order)
    assert re.search(
        r"http://127\.0\.0\.1:9/(train|t10k)-(images|labels)-idx[13]-ubyte\.gz", run.stderr
    )
    assert "data_dir" in run.stderr
    assert not (project / "results/tables/pixels.parquet").exists()


def test_corrupt_data_file_stops_with_its_name_and_leaves_no_output(tmp_path):
    project = copy_project(tmp_path)
    labels = project / ".test/data/t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:-10])
    run = snakemake(project, "results/tables/pixels.parquet", "--configfile", TEST_CONFIG)
    assert run.returncode != 0
    assert "t10k-labels-idx1-ubyte.gz: corrupt or truncated gzip" in run.stderr
    assert not list(project.glob("results/tables/*"))


@pytest.mark.mnist
def test_real_mnist_on_a_reduced_config(tmp_path, mnist_path):
    project = copy_project(tmp_path)
    run = snakemake(
        project,
        "--config",
        f"data_dir={mnist_path}",
        "max_images={train: 3000, test: 500}",
        "figures={dpi: 50}",
        "embed={tsne_sample: 1000}",
        "models={neural_network: {hidden_layer_sizes: [64], augment_shifts: 0}}",
        "sweep={validation: 500}",
        "deskew=off",
    )
    assert run.returncode == 0, run.stderr[-3000:]
    metrics = dict(
        pl.read_parquet(project / "results/tables/metrics.parquet")
        .select("model", "accuracy")
        .iter_rows()
    )
    assert metrics["nearest_centroid"] > 0.75
    assert metrics["logistic_regression"] > 0.85
    assert metrics["svm"] > 0.9
    if cnn_extra_installed():  # models.cnn.enabled: auto
        assert metrics["cnn"] > 0.9
    assert (project / "results/report.html").stat().st_size > 100_000
    distances = pl.read_parquet(project / "results/tables/distances.parquet")
    assert distances.group_by("split").len().sort("split").rows() == [
        ("train", 3000),
        ("test", 500),
    ]
    separability = pl.read_parquet(project / "results/tables/pair_separability.parquet")
    hardest = separability.sort("rank").row(0, named=True)
    assert (hardest["label_a"], hardest["label_b"]) == (4, 9)


FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.skipif(
    not FASHION.exists(), reason="Fashion-MNIST absent: apt-get install dataset-fashion-mnist"
)
def test_fashion_mnist_runs_through_the_workflow_with_its_class_names(tmp_path):
    project = copy_project(tmp_path)
    run = snakemake(
        project,
        "results/tables/centroids.parquet",
        "--configfile",
        "workflow/presets/fashion-mnist.yaml",
        "--config",
        "max_images={train: 2000, test: 300}",
    )
    assert run.returncode == 0, run.stderr[-3000:]
    files = pl.read_parquet(project / "results/tables/files.parquet")
    assert files["sha256"].str.starts_with("c59f468a").any()  # the Fashion training images
    centroids = pl.read_parquet(project / "results/tables/centroids.parquet")
    names = yaml.safe_load((REPO / "workflow/presets/fashion-mnist.yaml").read_text())
    drawn = centroid_tiles(centroids, names["class_names"]).data
    assert set(drawn["class"].unique()) == set(FASHION_NAMES)


def test_snakemakes_own_report_holds_every_figure_and_the_article(built, tmp_path):
    archive = tmp_path / "snakemake-report.zip"
    run = snakemake(built, "--configfile", TEST_CONFIG, "--report", str(archive))
    assert run.returncode == 0, run.stderr[-2000:]
    with zipfile.ZipFile(archive) as bundle:
        names = "\n".join(bundle.namelist())
    drawn = sorted(path.name for path in (built / "results/figures").glob("*.png"))
    assert len(drawn) >= 20
    for figure in drawn:
        assert figure in names, figure
    assert "report.html" in names


def test_custom_digits_are_answered_and_bad_files_listed(built):
    predictions, accuracy = table(built, "custom_predictions"), table(built, "custom_accuracy")
    errors = table(built, "custom_errors")
    # the ten drawn digits are read; the text file and the blank page are listed with why
    assert predictions["file"].n_unique() == 10
    assert sorted(predictions["model"].unique()) == sorted(TRAINED)
    assert errors.sort("file").rows() == [
        ("blank_page.png", errors.filter(pl.col("file") == "blank_page.png")["error"][0]),
        ("notes.png", errors.filter(pl.col("file") == "notes.png")["error"][0]),
    ]
    assert "no ink" in errors.filter(pl.col("file") == "blank_page.png")["error"][0]
    assert "not" in errors.filter(pl.col("file") == "notes.png")["error"][0]
    # accuracy is recomputed from the predictions and the labels file
    labels = pl.read_csv(REPO / ".test/custom/labels.csv")
    right = (
        predictions.join(labels, on="file", suffix="_csv")
        .group_by("model")
        .agg(correct=(pl.col("prediction") == pl.col("label_csv")).sum())
    )
    assert dict(accuracy.select("model", "correct").rows()) == dict(right.rows())
    assert accuracy["n"].to_list() == [10] * len(TRAINED)
    assert accuracy["accuracy"].max() >= 0.7  # models of the synthetic strokes read most
    places = table(built, "custom_places")
    # on the PCA plane, the t-SNE map and the UMAP map
    assert places.group_by("map").len().sort("map")["len"].to_list() == [10, 10, 10]
    assert places.select("dim1", "dim2").null_count().sum_horizontal()[0] == 0


def test_sweep_points_are_gathered_in_one_table(built):
    sweep = table(built, "sweep")
    knn = sweep.filter(pl.col("model") == "knn")
    assert knn["value"].to_list() == ["1", "3", "5"]
    assert (knn["n_train"] == 500).all()
    assert (knn["n_validation"] == 100).all()
    assert sweep["accuracy"].is_between(0.3, 1.0).all()
    assert (built / "results/figures/sweep_accuracy.png").exists()


def test_the_draw_page_carries_every_model_and_every_map(built):
    page = (built / "results/draw.html").read_text()
    # a card for each model of the metrics table, each answered in the page (no server hint)
    for name in table(built, "metrics")["model"]:
        assert f'data-model="{name}"' in page, name
    assert 'id="server-hint"' not in page
    for name in ("plane", "tsne", "umap"):
        assert f'data-map="{name}"' in page, name
    assert "http://" not in page.replace("http://www.w3.org", "")  # nothing fetched from outside
    assert 'href="draw.html"' in (built / "results/report.html").read_text()


def test_a_changed_figure_size_redraws_its_own_section_only(built):
    jobs = planned_jobs(built, "--config", "figures={size: {centroids: [6, 3]}}")
    assert jobs == {"figures_data": 1, "findings_table": 1, "report": 1, "all": 1}


def test_without_the_cnn_no_other_model_is_refitted_or_reevaluated(built):
    pytest.importorskip("torch", reason="PyTorch (the optional cnn extra) is not installed")
    jobs = planned_jobs(built, "--config", "models={cnn: {enabled: false}}")
    # the gathered tables lose the CNN's rows; each other model's own jobs stay as they were
    assert not {"fit_model", "sweep_setting", "fit_cnn"} & set(jobs)
    assert jobs["evaluation"] == 1


def test_the_cnn_is_trained_where_pytorch_is_installed_and_joins_the_evaluation(built):
    pytest.importorskip("torch", reason="PyTorch (the optional cnn extra) is not installed")
    from tidymnist.models.cnn_file import load_cnn  # noqa: PLC0415 (needs torch)

    metrics = dict(table(built, "metrics").select("model", "accuracy").iter_rows())
    assert "cnn" in metrics  # models.cnn.enabled: auto, and PyTorch is here
    assert "cnn_deskewed" not in metrics  # deskew_compare leaves the CNN out by default
    assert metrics["cnn"] > 0.5  # two short epochs on the synthetic digits; chance is 0.1
    test = load_split(built / ".test/data", "test")
    reloaded = load_cnn(built / "results/models/cnn.safetensors")
    expected = table(built, "predictions").filter(pl.col("model") == "cnn").sort("instance")
    assert reloaded.predict(test.images).tolist() == expected["predicted"].to_list()
    maps = table(built, "cnn_activations")
    assert set(maps["layer"].unique()) >= {"conv1", "conv2"}
