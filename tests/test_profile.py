"""The SLURM profile: a dry run through the SLURM executor plugin, jobs sized from the config."""

import re

import pytest
import yaml

from workflow_runner import REPO, copy_project, snakemake

pytest.importorskip("snakemake_executor_plugin_slurm", reason="the slurm extra is not installed")


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("cluster"))
    run = snakemake(
        project,
        "--dry-run",
        "--workflow-profile",
        "workflow/profiles/slurm",
        "--default-resources",
        "slurm_account=tidymnist",
        "slurm_partition=cpu",
        "--configfile",
        ".test/config.yaml",
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout + run.stderr


def jobs(output: str) -> list[dict]:
    """(rule, threads, resources) of each job a dry run lists."""
    found = []
    for block in re.split(r"\n(?=rule \w+:)", output):
        rule = re.match(r"rule (\w+):", block)
        resources = re.search(r"^\s+resources: (.+)$", block, re.MULTILINE)
        if rule and resources and rule.group(1) != "all":  # the target rule is never submitted
            threads = re.search(r"^\s+threads: (\d+)$", block, re.MULTILINE)
            found.append(
                {
                    "rule": rule.group(1),
                    "threads": int(threads.group(1)) if threads else 1,
                    **dict(item.split("=", 1) for item in resources.group(1).split(", ")),
                }
            )
    return found


def test_the_profile_uses_the_slurm_executor():
    profile = yaml.safe_load((REPO / "workflow/profiles/slurm/config.yaml").read_text())
    assert profile["executor"] == "slurm"


def test_every_job_carries_the_resources_the_config_declares(dry_run):
    config = yaml.safe_load((REPO / "config.yaml").read_text())["resources"]
    listed = jobs(dry_run)
    assert {"pixels", "tsne", "fit_model", "report"} <= {job["rule"] for job in listed}
    for job in listed:
        wanted = {**config["default"], **config.get(job["rule"], {})}
        assert job["threads"] == wanted["threads"], job
        assert int(job["mem_mb"]) == wanted["mem_mb"], job
        assert int(job["runtime"]) == wanted["runtime"], job
        assert (job["slurm_account"], job["slurm_partition"]) == ("tidymnist", "cpu"), job


def test_each_sweep_point_is_its_own_job(dry_run):
    # Snakemake merges --configfile into config.yaml key by key, so both files' grids are swept
    grid = yaml.safe_load((REPO / "config.yaml").read_text())["sweep"]["grid"]
    for model, settings in yaml.safe_load((REPO / ".test/config.yaml").read_text())["sweep"][
        "grid"
    ].items():
        grid[model] = {**grid.get(model, {}), **settings}
    points = sum(len(values) for settings in grid.values() for values in settings.values())
    assert points >= 2
    assert len([job for job in jobs(dry_run) if job["rule"] == "sweep_point"]) == points
