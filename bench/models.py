"""Accuracy and cost of every classifier on the full MNIST, against scikit-learn's defaults.

For each model of the project's configuration (config.yaml, or --config), fit on the 60,000
training digits and predict the 10,000 test digits, twice: as tidymnist configures it, and as
the same scikit-learn estimator with its default settings on raw pixels (0-255, no scaling, no
PCA). Prints accuracy, fit and predict seconds for both, and checks the floors the project
promises. Run it on an otherwise idle machine:

    uv run python bench/models.py --data-dir ../shared/data/mnist
"""

import argparse
import time
import warnings
from pathlib import Path

import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, NearestCentroid
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from tidymnist.core.naming import BASE_MODELS
from tidymnist.io.dataset import load_split
from tidymnist.models.pipelines import fit_model

FLOORS = {
    "nearest_centroid": 0.82,
    "logistic_regression": 0.925,
    "knn": 0.975,
    "neural_network": 0.983,
    "svm": 0.985,
}
DEFAULTS = {
    "nearest_centroid": NearestCentroid,
    "knn": KNeighborsClassifier,
    "logistic_regression": LogisticRegression,
    "neural_network": MLPClassifier,
    "svm": SVC,
}


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data/mnist")
    parser.add_argument("--config", default=str(Path(__file__).parents[1] / "config.yaml"))
    parser.add_argument("--models", nargs="*", default=list(BASE_MODELS))
    parser.add_argument("--skip-defaults", action="store_true")
    args = parser.parse_args()
    config = yaml.safe_load(Path(args.config).read_text())
    train = load_split(args.data_dir, "train", checksums=config["checksums"])
    test = load_split(args.data_dir, "test", checksums=config["checksums"])
    raw_train = train.images.reshape(len(train.images), -1)
    raw_test = test.images.reshape(len(test.images), -1)

    rows = []
    total = 0.0
    for name in args.models:
        spec = config["models"][name]
        (model, fit_s), _ = timed(fit_model, name, spec, config["seed"], train.images, train.labels)
        predicted, predict_s = timed(model.predict, test.images)
        accuracy = float((predicted == test.labels).mean())
        total += fit_s + predict_s
        row = [name, "tidymnist", accuracy, fit_s, predict_s]
        rows.append(row)
        print("{:20} {:10} acc={:.4f} fit={:7.1f}s predict={:6.1f}s".format(*row), flush=True)
        if args.skip_defaults:
            continue
        default = DEFAULTS[name]()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, fit_d = timed(default.fit, raw_train, train.labels)
        predicted, predict_d = timed(default.predict, raw_test)
        row = [name, "sklearn default", float((predicted == test.labels).mean()), fit_d, predict_d]
        rows.append(row)
        print("{:20} {:10} acc={:.4f} fit={:7.1f}s predict={:6.1f}s".format(*row), flush=True)

    print("\n| model | variant | accuracy | fit s | predict s | floor |")
    print("|---|---|---|---|---|---|")
    for name, variant, accuracy, fit_s, predict_s in rows:
        floor = FLOORS[name]
        verdict = ("PASS" if accuracy >= floor else "FAIL") if variant == "tidymnist" else ""
        print(
            f"| {name} | {variant} | {accuracy:.2%} | {fit_s:.1f} | {predict_s:.1f} | "
            f"{floor:.1%} {verdict} |"
        )
    print(
        f"\ntidymnist models, fit + predict in one process: {total:.0f} s "
        f"({'PASS' if total < 600 else 'FAIL'} against 600 s)"
    )


if __name__ == "__main__":
    main()
