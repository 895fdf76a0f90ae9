"""The workflow through a real SLURM scheduler, as a user runs it on a cluster.

A single-node cluster of Debian's SLURM (slurm_cluster.py) runs the .test/ workflow under
``--profile workflow/profiles/slurm``, with the test cluster's account and partition named in the
workflow profile as the README says. The first run sweeps one setting more, with a value that
cannot work on this data (more PCA components before the k-NN than the 500 images it learns
from), so its job fails, is tried once more (the profile's ``retries``), and is reported with its
SLURM log; every independent job still finishes (``keep-going``). The second run, that setting
taken out again, completes. Then ``sacct`` must list
one completed job per rule instance, each asking the threads, memory and runtime the workflow
profile gives its rule, and every table must equal the local run's (the session's ``built``).
"""

import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from slurm_cluster import slurm_cluster, unavailable
from workflow_runner import (
    REPO,
    assert_same_tables,
    copy_project,
    name_account,
    planned_jobs,
    snakemake,
    wanted,
)

pytestmark = [pytest.mark.slurm, pytest.mark.workflow]

# Where the runs' sacct lines and wall times are left for a person to read (slurm.txt).
ARTIFACTS = Path(os.environ.get("TIDYMNIST_ARTIFACTS", REPO / "artifacts"))

TEST_CONFIG = ".test/config.yaml"
# A sweep point that the config schema allows (1 to 784 components) and that fails in its job:
# the .test/ data has 500 training images to fit the PCA on, after the 100 held out to score.
BAD_COMPONENTS = 600
# Status checks every 2 s (the plugin waits 40 s at first by default): on this small data most
# jobs take a few seconds.
QUICK_CHECKS = (
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--seconds-between-status-checks",
    "2",
)
SACCT_FIELDS = (
    "JobIDRaw",
    "JobName",
    "Comment",
    "State",
    "AllocCPUS",
    "ReqMem",
    "TimelimitRaw",
    "Account",
    "Partition",
    "Elapsed",
)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    reason = unavailable()
    if reason:
        pytest.skip(f"no SLURM cluster here: {reason}")
    with slurm_cluster(tmp_path_factory.mktemp("slurm")) as running:
        yield running


@pytest.fixture(scope="module")
def cluster_runs(cluster, tmp_path_factory):
    """The two runs through the cluster (a broken sweep point, then fixed), their output and
    wall times, and every job sacct accounted for them."""
    project = copy_project(tmp_path_factory.mktemp("on_slurm"))
    name_account(project, cluster.account, cluster.partition)
    grid = yaml.safe_load((REPO / TEST_CONFIG).read_text())["sweep"]["grid"]
    grid["knn"]["pca_components"] = [BAD_COMPONENTS]
    (project / "broken.yaml").write_text(yaml.safe_dump({"sweep": {"grid": grid}}))
    runs = {}
    for name, configs in (("broken", (TEST_CONFIG, "broken.yaml")), ("fixed", (TEST_CONFIG,))):
        start = time.monotonic()
        run = snakemake(
            project,
            "--configfile",
            *configs,
            "--profile",
            "workflow/profiles/slurm",
            *QUICK_CHECKS,
            env=cluster.env,
        )
        output = run.stdout + run.stderr
        run_id = re.search(r"SLURM run ID: (\S+)", output)  # the name of each of its jobs
        assert run_id, f"the {name} run never reached SLURM: {output[-3000:]}"
        runs[name] = {
            "returncode": run.returncode,
            "output": output,
            "seconds": time.monotonic() - start,
            "run_id": run_id.group(1),
        }
    lines = cluster.run(
        "sacct",
        "--allocations",
        "--parsable2",
        "--noheader",
        "--starttime=now-1days",
        f"--format={','.join(SACCT_FIELDS)}",
    )
    jobs = [dict(zip(SACCT_FIELDS, line.split("|"), strict=True)) for line in lines.splitlines()]
    for job in jobs:
        job["rule"] = re.match(r"rule_(\w+?)(?:_wildcards_|$)", job["Comment"]).group(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "slurm.txt").write_text(
        "".join(
            f"{name} run {run['run_id']}: {run['seconds']:.1f} s\n" for name, run in runs.items()
        )
        + "|".join(SACCT_FIELDS)
        + "\n"
        + lines
    )
    return {"project": project, "runs": runs, "jobs": jobs}


def of_run(cluster_runs, name: str) -> list[dict]:
    run_id = cluster_runs["runs"][name]["run_id"]
    return [job for job in cluster_runs["jobs"] if job["JobName"] == run_id]


def test_the_broken_point_fails_is_retried_and_reported_with_its_slurm_log(cluster_runs):
    broken = cluster_runs["runs"]["broken"]
    assert broken["returncode"] != 0
    failed = [job for job in of_run(cluster_runs, "broken") if job["State"] != "COMPLETED"]
    # the broken setting's job, tried twice (retries: 1), and nothing else
    assert [(job["Comment"], job["State"]) for job in failed] == [
        ("rule_sweep_setting_wildcards_knn_pca_components", "FAILED")
    ] * 2
    for job in failed:
        log = (
            cluster_runs["project"]
            / f".snakemake/slurm_logs/rule_sweep_setting/knn_pca_components/{job['JobIDRaw']}.log"
        )
        assert f"SLURM-job '{job['JobIDRaw']}' failed" in broken["output"]
        assert str(log) in broken["output"]
        # the job's SLURM log has what it wrote to the terminal: the error and the rule
        text = log.read_text()
        assert f"ValueError: n_components={BAD_COMPONENTS} must be between 0 and" in text
        assert "Error in rule sweep_setting" in text
    # and the rule's own log what it was doing
    rule_log = cluster_runs["project"] / "results/logs/sweep/knn/pca_components.log"
    assert f"PCA(n_components={BAD_COMPONENTS}" in rule_log.read_text()


def test_the_fixed_run_completes_what_the_broken_one_left(cluster_runs):
    fixed = cluster_runs["runs"]["fixed"]
    assert fixed["returncode"] == 0, fixed["output"][-3000:]
    assert all(job["State"] == "COMPLETED" for job in of_run(cluster_runs, "fixed"))
    submitted = Counter(job["rule"] for job in of_run(cluster_runs, "fixed"))
    # what the failed job held up: the gathered sweep, its figure's section and the report
    assert submitted["sweep"] == 1
    assert {"figures_models", "report"} <= set(submitted)
    assert "sweep_setting" not in submitted  # the good settings' jobs had finished


def test_sacct_lists_one_completed_job_per_rule_instance(cluster_runs, tmp_path):
    completed = [job for job in cluster_runs["jobs"] if job["State"] == "COMPLETED"]
    # each rule instance (rule and wildcards) once: nothing ran twice
    assert len({job["Comment"] for job in completed}) == len(completed)
    plan = planned_jobs(copy_project(tmp_path))
    plan.pop("all")  # the target rule runs in Snakemake itself, never as a job
    assert Counter(job["rule"] for job in completed) == plan


def test_every_job_asked_slurm_for_what_the_profile_gives_its_rule(cluster_runs, cluster):
    for job in cluster_runs["jobs"]:
        expected = wanted(job["rule"])
        asked = (
            int(job["AllocCPUS"]),
            job["ReqMem"],
            int(job["TimelimitRaw"]),
            job["Account"],
            job["Partition"],
        )
        assert asked == (
            expected["threads"],
            f"{expected['mem_mb']}M",
            expected["runtime"],
            cluster.account,
            cluster.partition,
        ), job


def test_every_table_equals_the_local_runs(cluster_runs, built):
    assert_same_tables(cluster_runs["project"], built)
