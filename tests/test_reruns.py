"""The workflow gives the same answer twice, and survives being killed in the middle of a rule.

One extra run of the .test/ workflow besides the session's ``built``, in its own folder: it is
killed twice in the middle of a long job (SIGTERM, then SIGKILL) and finished as the README says.
The interruption tests check each step of that; the determinism tests then compare its tables and
report with the clean ``built`` run (an interrupted and resumed run must agree with a clean one to
the last bit, which needs both to be deterministic), and the seed test changes its seed.
"""

import base64
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workflow_runner import (
    assert_same_tables,
    copy_project,
    planned_jobs,
    rows,
    snakemake,
    table_paths,
)

pytestmark = pytest.mark.workflow

TEST_CONFIG = ".test/config.yaml"


def is_long(output: str) -> bool:
    """Jobs worth killing: each runs for seconds even on the small .test/ data."""
    fitted = output.startswith("results/models/") and "nearest_centroid" not in output
    return fitted or output == "results/tables/tsne_map.parquet"


# tables that no seed reaches: read from the raw files and averaged, never sampled
SEED_FREE = ("pixels", "centroids", "distances", "pairwise_differences", "pca_loadings")


def normalised_report(path: Path) -> str:
    """The report with what legitimately changes from run to run blanked out.

    Dates, the timing tables (from Snakemake's benchmark files), any other cell of seconds, the
    sentence naming the fastest model and the accuracy-against-time figure; every other image is
    kept as its SHA-256.
    """
    html = path.read_text()
    html = re.sub(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?( UTC)?", "DATE", html)
    html = re.sub(r"<table(?:(?!</table>).)*id=\"seconds\".*?</table>", "TIMINGS", html, flags=re.S)
    # the fastest model is a matter of timing: "k-NN (deskewed) fits fastest (0.5 s)"
    # (the "; " first lets the regex skip the megabytes of base64 quickly)
    html = re.sub(r"; [^;<>]{1,80}? fits fastest \([^)]*\)", "; MODEL fits fastest (TIME)", html)
    html = re.sub(r"(<td headers=\"[\w-]*seconds\"[^>]*>)[^<]*(</td>)", r"\1TIME\2", html)
    # great_tables draws a random id for each table's <div> and its CSS (see the report to the
    # lead: tidymnist.report.article should pass GT(..., id=name), and then this line can go)
    for table_id in set(re.findall(r"<div id=\"([a-z]{10})\" style=\"padding-left:0px", html)):
        html = html.replace(table_id, "TABLE-ID")

    def image(match: re.Match) -> str:
        tag = match.group(0)
        if "fits fastest" in tag:
            return "TIMING FIGURE"
        digest = hashlib.sha256(base64.b64decode(match.group(1))).hexdigest()
        return tag.replace(match.group(1), digest)

    return re.sub(r"<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"[^>]*>", image, html)


def test_an_interrupted_run_and_a_clean_one_give_identical_tables(built, second):
    assert_same_tables(second, built)
    metrics = [pl.read_parquet(p / "results/tables/metrics.parquet") for p in (built, second)]
    timings = ["fit_seconds", "predict_seconds"]
    assert metrics[0].drop(timings).sort("model").equals(metrics[1].drop(timings).sort("model"))


def test_both_runs_give_the_same_report_but_for_timings_and_dates(built, second):
    first, again = (normalised_report(p / "results/report.html") for p in (built, second))
    assert first.count("TIMINGS") >= 1
    assert first.count("DATE") >= 1
    assert "TIMING FIGURE" in first
    assert first == again


def test_a_new_seed_reruns_the_seeded_steps_and_nothing_upstream(built):
    jobs = planned_jobs(built, "--config", "seed=7")
    fits = jobs["fit_model"] + jobs.get("fit_cnn", 0)
    assert fits == pl.read_parquet(built / "results/tables/metrics.parquet").height
    assert jobs["tsne"] == jobs["pca_sample"] == 1
    untouched = {"pixels", "centroids", "distances", "pairwise", "pca", "value_counts"}
    assert not untouched & set(jobs)


def test_a_new_seed_changes_the_sampled_and_fitted_tables_only(second):
    before = {name: rows(second / name) for name in table_paths(second)}
    written = {name: (second / name).stat().st_mtime_ns for name in before}
    targets = [
        "results/tables/tsne_map.parquet",
        "results/evaluation/neural_network/predictions.parquet",
    ]
    run = snakemake(second, *targets, "--configfile", TEST_CONFIG, "--config", "seed=7")
    assert run.returncode == 0, run.stderr[-3000:]
    for target in targets:
        assert not rows(second / target).equals(before[target]), target
    for name in SEED_FREE:
        path = f"results/tables/{name}.parquet"
        assert (second / path).stat().st_mtime_ns == written[path], path  # not even rerun
        assert_frame_equal(rows(second / path), before[path], check_exact=True)


# --- interruption ---------------------------------------------------------------------------


def running_outputs(project: Path) -> set[str]:
    """Outputs of the jobs Snakemake has started and not finished (its incomplete markers)."""
    folder = project / ".snakemake" / "incomplete"
    if not folder.exists():
        return set()
    return {
        base64.urlsafe_b64decode(marker.name).decode()
        for marker in folder.iterdir()
        if marker.is_file() and not marker.name.startswith("@")
    }


def start(project: Path, log: Path, *args: str) -> subprocess.Popen:
    """The workflow started in its own process group, as a shell would start it."""
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", TEST_CONFIG, *args],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_during_a_long_job(process: subprocess.Popen, project: Path, sig: int) -> tuple:
    """Wait until a long job has run for a second, then send ``sig`` to the whole group.

    Returns the time just before the kill and the outputs of the jobs that were running.
    """
    deadline = time.monotonic() + 900
    seen = set()
    while time.monotonic() < deadline:
        assert process.poll() is None, "the workflow ended before a long job started"
        now = time.time()
        running = running_outputs(project)
        if any(map(is_long, running & seen)):
            os.killpg(process.pid, sig)
            process.wait(timeout=300)
            return now, running
        seen = running
        time.sleep(1)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("no long job started within 15 minutes")


def group_is_gone(pid: int, wait: float = 15) -> bool:
    """Whether every process of the group has exited (orphans take a moment to be reaped)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def second(tmp_path_factory) -> Path:
    """The .test/ workflow in its own folder, killed twice during a long job, then finished as
    the README says. Each step is checked here, as it happens (a failed step shows as an error of
    the tests that use this run); what the tests check afterwards is in ``<project>/facts``."""
    project = copy_project(tmp_path_factory.mktemp("second"))
    log = project / "runs.log"

    # SIGTERM to the whole group (what a scheduler or a closed terminal sends): Snakemake stops,
    # the running jobs fail and their outputs are removed, so a plain rerun simply continues
    first = start(project, log)
    term_time, killed_by_term = kill_during_a_long_job(first, project, signal.SIGTERM)
    assert first.returncode != 0
    assert group_is_gone(first.pid), "jobs outlived the workflow"
    assert not running_outputs(project), log.read_text()[-3000:]

    # a plain rerun, SIGKILLed in turn: nothing can clean up after that
    second_run = start(project, log)
    kill_time, killed_by_kill = kill_during_a_long_job(second_run, project, signal.SIGKILL)
    assert group_is_gone(second_run.pid)
    left = running_outputs(project)
    assert left == killed_by_kill

    # never used: a dry run either refuses to go on over the killed jobs' files or plans to
    # rebuild every one of them
    dry = snakemake(project, "--configfile", TEST_CONFIG, "-n")
    planned = dry.stdout + dry.stderr
    if dry.returncode != 0:
        assert "incomplete" in planned, planned[-3000:]
    else:
        for output in killed_by_kill:
            assert output in planned, output
    # a plain rerun never uses the killed jobs' files: it stops, either at the killed run's lock
    # (naming --unlock) or at the incomplete files (naming --rerun-incomplete and each file);
    # `snakemake --unlock` then `--rerun-incomplete` redoes the killed jobs (what the README says)
    rerun = snakemake(project, "--configfile", TEST_CONFIG)
    assert rerun.returncode != 0
    if "Directory cannot be locked" in rerun.stderr:
        assert "--unlock" in rerun.stderr
    else:
        assert "--rerun-incomplete" in rerun.stderr, rerun.stderr[-3000:]
        for output in killed_by_kill:
            assert output in rerun.stderr, output
    unlock = snakemake(project, "--configfile", TEST_CONFIG, "--unlock")
    assert unlock.returncode == 0, unlock.stderr
    done = snakemake(project, "--configfile", TEST_CONFIG, "--rerun-incomplete")
    assert done.returncode == 0, done.stderr[-3000:]

    rebuilt = [
        (project / output).stat().st_mtime > when
        for outputs, when in ((killed_by_term, term_time), (killed_by_kill, kill_time))
        for output in outputs
    ]
    again = snakemake(project, "--configfile", TEST_CONFIG, "-n")
    facts = {
        "killed": sorted(killed_by_term | killed_by_kill),
        "rebuilt_after_the_kill": all(rebuilt),
        "running_at_the_end": sorted(running_outputs(project)),
        "nothing_to_do": "Nothing to be done" in again.stdout + again.stderr,
    }
    (project / "facts").write_text(json.dumps(facts))
    return project


def test_killed_runs_resume_and_never_use_a_killed_jobs_output(second):
    facts = json.loads((second / "facts").read_text())
    assert facts["killed"], "no job was killed"
    assert facts["rebuilt_after_the_kill"], "a killed job's output was kept"
    assert facts["running_at_the_end"] == []
    assert facts["nothing_to_do"]
