#!/usr/bin/env bash
# The whole workflow, cold, in a fresh clone (bench/README.md, "The whole workflow"):
#   bench/whole_workflow.sh REV torch|notorch   -> /tmp/cold-MODE/{run.log,summary.txt,steps.txt}
# The clone lies in /tmp, so the README's ../shared is /tmp/shared: link it to the shared folder
# first (ln -s "$PWD/../shared" /tmp/shared).
set -euo pipefail
rev=$1; mode=$2; d=/tmp/cold-$mode
rm -rf "$d"; git clone -q "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)" "$d"; cd "$d"; git checkout -q "$rev"
uv sync --frozen -q
if [ "$mode" = torch ]; then
  w=$(mktemp -d); pip download -q --no-deps --only-binary :all: -d "$w" "torch==2.13.0+cpu" 2>/dev/null
  uv pip install -q --python .venv/bin/python "$w"/torch-*.whl "$(uv export --frozen --extra cnn --no-hashes --no-header | grep -E '^safetensors==')"
fi
s=$(date +%s.%N)
uv run --frozen snakemake -c all --config data_dir=../shared/data/mnist > run.log 2>&1
e=$(date +%s.%N)
{
echo "rev $rev mode $mode cold wall $(echo "$e - $s" | bc) s"
grep -E "steps \(100%\) done|jobs" run.log | tail -2
for i in 1 2 3; do
  s=$(date +%s.%N); uv run --frozen snakemake -c all --config data_dir=../shared/data/mnist > noop$i.log 2>&1; e=$(date +%s.%N)
  echo "noop $i: $(echo "$e - $s" | bc) s $(tail -1 noop$i.log)"
done
echo "slowest steps (s, cpu_time):"
for f in results/benchmarks/*.tsv; do awk -v f="$(basename $f .tsv)" -F'\t' 'NR==1{for(i=1;i<=NF;i++)c[$i]=i} NR==2{print $c["s"], $c["cpu_time"], f}' "$f"; done | sort -rn > steps.txt; head -15 steps.txt
awk '{w+=$1; c+=$2} END {print "sum wall", w, "sum cpu", c}' steps.txt
} > summary.txt
cat summary.txt
