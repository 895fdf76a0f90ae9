#!/usr/bin/env bash
# The long fuzzing run: tests/test_fuzz.py with the "fuzz" hypothesis profile (about 50,000
# examples over the IDX reader, the CSV reader and the config validation, against about 2,000 in
# the normal test run). Extra arguments go to pytest, e.g. bench/fuzz.sh -x --hypothesis-seed=1
set -euo pipefail
cd "$(dirname "$0")/.."
HYPOTHESIS_PROFILE=fuzz exec uv run --frozen pytest tests/test_fuzz.py -q -p no:cacheprovider \
  --hypothesis-show-statistics "$@"
