"""Deskewing and the convolutional network on the full MNIST, against baselines in the same run.

Three parts, each fit on the 60,000 training digits and scored on the 10,000 test digits:

- ``deskew``: the project's classic models (config.yaml's specs, seed 42, through
  ``tidymnist.models.pipelines.fit_model``) with and without the deskewing step; target: k-NN >
  98.2% deskewed.
- ``cnn``: the CNN as config.yaml's ``models.cnn`` sets it, against the configuration it replaced
  (``BEFORE``: wider, eight epochs) in the same run; targets: >= 99.5% test accuracy with a fit
  of at most 150 s on 2 threads.
- ``cnn-deskew``: config.yaml's CNN trained on deskewed digits, against the same CNN on the
  digits as they are (what ``deskew_compare`` would buy by adding the CNN).

Prints one row per model and variant: accuracy, fit and predict seconds (wall clock), the CPU
seconds of the process during the fit (on a busy machine wall time grows, CPU time far less),
the numbers the model stores, and the load average. Develop with ``--limit`` and ``--epochs``.

    uv run python bench/cnn.py --data-dir ../shared/data/mnist --part cnn
"""

import argparse
import logging
import os
import time
from pathlib import Path

import yaml

# As in the workflow's fit_cnn job, which has its cores to itself: idle threads spin.
os.environ.setdefault("OMP_WAIT_POLICY", "ACTIVE")

from tidymnist.core.naming import ModelVariant, Variant
from tidymnist.io.dataset import load_split
from tidymnist.models.pipelines import fit_model, stored_values

# The CNN before issue 14 (config.yaml's models.cnn until then), the baseline of ``--part cnn``.
BEFORE = {
    "channels": [32, 64],
    "hidden": 128,
    "dropout": 0.3,
    "epochs": 8,
    "batch_size": 128,
    "learning_rate": 0.003,
    "weight_decay": 0.0001,
    "augment": True,
    "max_shift": 2.0,
    "max_rotation": 10.0,
}
TARGETS = {"knn_deskewed": 0.982, "cnn": 0.995}
CNN_FIT_TARGET = 150  # seconds, on 2 threads


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def measure(name, spec, seed, train, test, *, deskew: bool) -> dict:
    """Fit one model, predict the test split: accuracy and seconds."""
    cpu = time.process_time()
    model, fit_s = fit_model(name, spec, seed, train.images, train.labels, deskew=deskew)
    cpu = time.process_time() - cpu
    start = time.perf_counter()
    predicted = model.predict(test.images)
    predict_s = time.perf_counter() - start
    return {
        "accuracy": float((predicted == test.labels).mean()),
        "fit_s": fit_s,
        "fit_cpu_s": cpu,
        "predict_s": predict_s,
        "stored": stored_values(model),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data/mnist")
    parser.add_argument("--config", default=str(Path(__file__).parents[1] / "config.yaml"))
    parser.add_argument("--part", choices=["deskew", "cnn", "cnn-deskew", "all"], default="all")
    parser.add_argument(
        "--models", nargs="*", default=["knn", "logistic_regression", "nearest_centroid"]
    )
    parser.add_argument("--baseline", choices=["before", "none"], default="before")
    parser.add_argument("--epochs", type=int, default=None, help="override both CNNs' epochs")
    parser.add_argument("--limit", type=int, default=None, help="use the first N training images")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    config = yaml.safe_load(Path(args.config).read_text())
    seed = config["seed"]
    train = load_split(args.data_dir, "train", checksums=config["checksums"], limit=args.limit)
    test = load_split(args.data_dir, "test", checksums=config["checksums"])

    rows = []

    def record(model, variant, target_key, result):
        row = {"model": model, "variant": variant, **result, "load": load_average()}
        row["target"] = TARGETS.get(target_key)
        rows.append(row)
        print(
            "{model:20} {variant:22} acc={accuracy:.4f} fit={fit_s:7.1f}s "
            "(cpu {fit_cpu_s:7.1f}s) predict={predict_s:6.1f}s load={load}".format(**row),
            flush=True,
        )

    print(f"load average at start: {load_average()}", flush=True)
    if args.part in ("deskew", "all"):
        for name in args.models:
            spec = config["models"][name]
            for variant in (ModelVariant(name, kind) for kind in Variant):
                result = measure(name, spec, seed, train, test, deskew=variant.deskew)
                record(name, variant.variant.display, variant.name, result)
    cnn = {k: v for k, v in config["models"]["cnn"].items() if k != "enabled"}
    threads = cnn["threads"]
    epochs = {} if args.epochs is None else {"epochs": args.epochs}
    if args.part in ("cnn", "all"):
        result = measure("cnn", {**cnn, **epochs}, seed, train, test, deskew=False)
        record("cnn", "config.yaml", "cnn", result)
        if args.baseline == "before":
            spec = {**BEFORE, "threads": threads, **epochs}
            result = measure("cnn", spec, seed, train, test, deskew=False)
            record("cnn", "before (BEFORE)", "", result)
    if args.part in ("cnn-deskew", "all"):
        result = measure("cnn", {**cnn, **epochs}, seed, train, test, deskew=True)
        record("cnn", "config.yaml, deskewed", "", result)

    print(f"\n{len(train.labels)} training images, {threads} CNN threads, seed {seed}")
    print("| model | variant | accuracy | fit s | fit CPU s | predict s | stored | load | target |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        target = row["target"]
        verdict = (
            f"{'>=' if row['model'] == 'cnn' else '>'} {target:.1%} "
            + ("PASS" if row["accuracy"] >= target else "FAIL")
            if target
            else ""
        )
        if row["model"] == "cnn" and row["variant"] == "config.yaml":
            fast = row["fit_s"] <= CNN_FIT_TARGET
            verdict += f"; fit <= {CNN_FIT_TARGET} s {'PASS' if fast else 'FAIL'}"
        print(
            f"| {row['model']} | {row['variant']} | {row['accuracy']:.2%} | {row['fit_s']:.1f} | "
            f"{row['fit_cpu_s']:.1f} | {row['predict_s']:.1f} | {row['stored']:,} | "
            f"{row['load']} | {verdict} |"
        )


if __name__ == "__main__":
    main()
