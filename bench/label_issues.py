"""Which model should judge MNIST's labels: labels found for the time it costs, on the real data.

Two measures, each against the others in the same run:

- ``train``: 300 training labels (0.5%) are flipped at random to another digit (seeded), then
  each candidate model gives every training image out-of-fold probabilities
  (``tidymnist.evaluate.label_issues.out_of_fold_probabilities``: config.yaml's settings, with the
  folds and changed settings this script names) and cleanlab flags the issues
  (``label_issues``, cleanlab's default ``prune_by_noise_rate``). A row per candidate: the wall
  and CPU seconds of the fits and predictions, the out-of-fold accuracy on the true labels, how
  many images were flagged, how many of the flipped ones were among them and among the top 300,
  and how many flagged images were not flipped (MNIST's own errors and false alarms together).
- ``test``: each model the workflow trained (``results/models``, run the workflow first) gives the
  test split its probabilities, and cleanlab flags issues in the test labels as given. Scored
  against the 15 test labels that at least three of five reviewers rejected in the published
  study of label errors in benchmark test sets (Northcutt, Athalye and Mueller 2021, "Pervasive
  Label Errors in Test Sets Destabilize Machine Learning Benchmarks"; their reviewers' answers are
  ``mturk/mnist_mturk.json`` of github.com/cleanlab/label-errors): how many are flagged, how many
  are in the top 20 by score.

    uv run python bench/label_issues.py --data-dir ../shared/data/mnist --part train
    uv run python bench/label_issues.py --data-dir ../shared/data/mnist --part test
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
import polars as pl
import yaml

# As in the workflow's out_of_fold job, which has its cores to itself: idle threads spin.
os.environ.setdefault("OMP_WAIT_POLICY", "ACTIVE")

from tidymnist.core.naming import variant_of
from tidymnist.evaluate.label_issues import label_issues, out_of_fold_probabilities
from tidymnist.io.dataset import load_split
from tidymnist.models.pipelines import probabilities
from tidymnist.models.trained import load_trained_models

# Test images whose given label at least 3 of 5 reviewers rejected (given <= 2 in their answers).
REJECTED = (947, 1621, 1901, 2130, 2462, 2597, 2654, 3520, 3558, 5937, 6651, 6783, 8527, 9679, 9729)
FLIPPED = 300
# The candidates of --part train: a model variant, its folds and the settings changed for them.
CANDIDATES = {
    "knn_deskewed, 5 folds": ("knn_deskewed", 5, {}),
    "knn_deskewed, 2 folds": ("knn_deskewed", 2, {}),
    "cnn, 2 folds, 1 epoch (the default)": ("cnn", 2, {"epochs": 1}),
    "cnn, 2 folds, 2 epochs": ("cnn", 2, {"epochs": 2}),
    "cnn, 3 folds, 2 epochs": ("cnn", 3, {"epochs": 2}),
}


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def train_part(data_dir: Path, config: dict, names: list[str]) -> None:
    train = load_split(data_dir, "train", checksums=config["checksums"])
    rng = np.random.default_rng(7)
    flipped = rng.choice(len(train.labels), FLIPPED, replace=False)
    noisy = train.labels.copy()
    noisy[flipped] = (noisy[flipped] + rng.integers(1, 10, FLIPPED)) % 10
    wanted = set(flipped.tolist())
    print(f"{FLIPPED} of {len(noisy):,} training labels flipped; load average {load_average()}")
    print(
        f"{'candidate':38s} {'wall s':>7s} {'CPU s':>7s}  OOF acc  flagged  flipped in flagged  "
        "flipped in top 300  others flagged  load"
    )
    for name in names:
        model, folds, changed = CANDIDATES[name]
        variant = variant_of(model)
        spec = {**config["models"][variant.base], **changed}
        wall, cpu = time.perf_counter(), time.process_time()
        found = out_of_fold_probabilities(
            variant.base, spec, config["seed"], train.images, noisy, folds=folds,
            deskew=variant.deskew,
        )  # fmt: skip
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        issues = label_issues(model, "train", np.arange(len(noisy)), noisy, found)
        flagged = set(issues["instance"].to_list())
        top = set(issues.filter(pl.col("rank") <= FLIPPED)["instance"].to_list())
        accuracy = (found.argmax(axis=1) == train.labels).mean()
        print(
            f"{name:38s} {wall:7.1f} {cpu:7.1f}  {accuracy:7.4f}  {len(flagged):7d}  "
            f"{len(flagged & wanted):18d}  {len(top & wanted):18d}  {len(flagged - wanted):14d}  "
            f"{load_average()}"
        )


def test_part(data_dir: Path, config: dict, models_dir: Path) -> None:
    test = load_split(data_dir, "test", checksums=config["checksums"])
    rejected = set(REJECTED)
    print(f"{len(rejected)} test labels rejected by the reviewers; load average {load_average()}")
    print("model                          predict s  flagged  rejected flagged  rejected in top 20")
    for name, model in load_trained_models(models_dir).items():
        start = time.perf_counter()
        found = probabilities(model, test.images)
        seconds = time.perf_counter() - start
        issues = label_issues(name, "test", np.arange(len(test.labels)), test.labels, found)
        flagged = set(issues["instance"].to_list())
        order = np.argsort(found[np.arange(len(test.labels)), test.labels], kind="stable")
        top = set(order[:20].tolist())
        print(
            f"{name:30s} {seconds:9.1f}  {len(flagged):7d}  {len(flagged & rejected):16d}  "
            f"{len(top & rejected):18d}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--part", choices=("train", "test"), required=True)
    parser.add_argument("--candidates", nargs="*", default=list(CANDIDATES), choices=CANDIDATES)
    parser.add_argument("--models", type=Path, default=Path("results/models"))
    args = parser.parse_args()
    config = yaml.safe_load((Path(__file__).parents[1] / "config.yaml").read_text())
    if args.part == "train":
        train_part(args.data_dir, config, args.candidates)
    else:
        test_part(args.data_dir, config, args.models)


if __name__ == "__main__":
    main()
