"""Runtime settings: the workflow profile sizes every job, alone and under the SLURM profile."""

import re
import subprocess
import sys

import pytest
import yaml

from workflow_runner import REPO, copy_project, name_account, profile, snakemake, wanted

pytest.importorskip("snakemake_executor_plugin_slurm", reason="the slurm extra is not installed")

# The CNN on, so that its rule is listed: its threads come from the config, not the profile.
WITH_CNN = ("--configfile", ".test/config.yaml", "--config", "models={cnn: {enabled: true}}")


@pytest.fixture(scope="module")
def slurm_run(tmp_path_factory):
    """A dry run through the SLURM profile, account and partition named as its comments say."""
    project = copy_project(tmp_path_factory.mktemp("cluster"))
    name_account(project, "tidymnist", "cpu")
    run = snakemake(project, "--dry-run", "--profile", "workflow/profiles/slurm", *WITH_CNN)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout + run.stderr


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """A plain dry run, no profile named: Snakemake finds the workflow profile by itself."""
    project = copy_project(tmp_path_factory.mktemp("local"))
    run = snakemake(project, "--dry-run", *WITH_CNN)
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


def assert_sized_by_the_profile(listed: list[dict]) -> None:
    rules = {job["rule"] for job in listed}
    assert {"pixels", "tsne", "fit_model", "fit_cnn", "custom_places", "report"} <= rules
    for job in listed:
        expected = wanted(job["rule"])
        assert job["threads"] == expected["threads"], job
        assert int(job["mem_mb"]) == expected["mem_mb"], job
        assert int(job["runtime"]) == expected["runtime"], job


def test_the_profile_uses_the_slurm_executor():
    assert profile("workflow/profiles/slurm/config.yaml")["executor"] == "slurm"


def test_runtime_settings_live_only_in_the_workflow_profile():
    slurm = profile("workflow/profiles/slurm/config.yaml")
    assert not {"set-threads", "set-resources", "default-resources"} & set(slurm)
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    assert "resources" not in config
    assert (
        "resources"
        not in yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())[
            "properties"
        ]
    )
    # every rule the profile names exists, so a renamed rule cannot keep a stale setting
    rules = set(re.findall(r"^\s*rule (\w+):", _rule_sources(), re.MULTILINE))
    settings = profile()
    assert set(settings["set-threads"]) | set(settings["set-resources"]) <= rules
    assert "fit_cnn" not in settings["set-threads"]  # the config's, because it changes a result


def _rule_sources() -> str:
    return "".join(path.read_text() for path in (REPO / "workflow/rules").glob("*.smk"))


@pytest.mark.slow  # a dry run of the whole DAG: about 20 s
def test_a_plain_run_reads_the_workflow_profile_by_itself(local_run):
    assert "workflow specific profile" in local_run
    assert_sized_by_the_profile(jobs(local_run))


@pytest.mark.slow  # a dry run of the whole DAG: about 20 s
def test_every_slurm_job_carries_the_workflow_profiles_resources(slurm_run):
    assert "profiles/slurm" in slurm_run and "workflow specific profile" in slurm_run
    listed = jobs(slurm_run)
    assert_sized_by_the_profile(listed)
    for job in listed:
        assert (job["slurm_account"], job["slurm_partition"]) == ("tidymnist", "cpu"), job


@pytest.mark.slow  # a dry run of the whole DAG: about 20 s
def test_each_swept_setting_is_its_own_job(slurm_run):
    # Snakemake merges --configfile into config.yaml key by key, so both files' grids are swept
    grid = yaml.safe_load((REPO / "config.yaml").read_text())["sweep"]["grid"]
    for model, settings in yaml.safe_load((REPO / ".test/config.yaml").read_text())["sweep"][
        "grid"
    ].items():
        grid[model] = {**grid.get(model, {}), **settings}
    settings = sum(len(values) for values in grid.values())
    assert settings >= 2
    assert len([job for job in jobs(slurm_run) if job["rule"] == "sweep_setting"]) == settings


def test_the_snakefile_imports_no_plotting_map_or_model_library():
    """What the Snakefile imports from the package, in a fresh interpreter: none of the slow
    libraries that only jobs need, so that a run with nothing to do answers at once."""
    imports = [
        line.strip()
        for line in (REPO / "workflow/rules/common.smk").read_text().splitlines()
        if line.startswith(("from tidymnist", "import tidymnist"))
    ]
    script = "\n".join(
        [
            *[line for line in imports if not line.endswith("(")],
            *[
                f"import {line.split()[1]}"
                for line in imports
                if line.endswith("(")  # a parenthesised import: the module is enough
            ],
            "import sys",
            "slow = ['plotnine', 'matplotlib', 'openTSNE', 'umap', 'sklearn', 'torch', 'altair',"
            " 'cleanlab', 'scipy']",
            "print(','.join(name for name in slow if name in sys.modules))",
        ]
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
