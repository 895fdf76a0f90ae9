"""A single-node SLURM cluster for the tests, from Debian's packages, started and stopped here.

``slurm_cluster(folder)`` starts munge, MariaDB, slurmdbd, slurmctld and slurmd as root, each with
its configuration, state, sockets, logs and ports inside ``folder`` (free ports asked of the
kernel, so that two clusters on one machine never meet), registers the cluster, an account and
its partition with ``sacctmgr``, waits until ``sinfo`` shows the node idle, and stops every
process of it on the way out, whatever happened inside: a failed test, Ctrl-C, a SIGTERM (taken
as Ctrl-C while the cluster runs) and even a SIGKILL of the tests (each daemon is told to end when
the process that started it dies). The node is this machine as ``slurmd -C``
reads it, so SLURM accounts the CPUs and memory it really has.

Every SLURM command finds this cluster through the environment of ``Cluster.env``
(``SLURM_CONF``), and so do the jobs it runs: the executor plugin submits with ``--export=ALL``.
One exception: inside a job, the plugin's job step (snakemake-executor-plugin-slurm-jobstep
0.6.1) starts the rule with ``srun`` after dropping every ``SLURM_*`` variable but the job's
identity, ``SLURM_CONF`` included, so that srun would look for /etc/slurm/slurm.conf, which a
real cluster has and a test cluster must not take (it would be the machine's, for one cluster at
a time). So ``Cluster.env`` puts first on ``PATH`` an ``srun`` that names this cluster's
configuration and hands over to the real one.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# What the cluster is made of, and the Debian packages that bring it.
PACKAGES = ("slurm-wlm", "slurmdbd", "munge", "mariadb-server")
PROGRAMS = (
    "munged",
    "mariadb-install-db",
    "mariadbd",
    "mariadb",
    "slurmdbd",
    "slurmctld",
    "slurmd",
    "sacctmgr",
    "sinfo",
    "sbatch",
    "sacct",
    "srun",
    "setpriv",
)
ACCOUNT = "tidymnist"
PARTITION = "cpu"
NAME = "tidymnist"
# How long a daemon may take to answer once started (MariaDB's first start is the slowest).
START_TIMEOUT = 120
# Where the programs are looked for: the daemons live in sbin, which a user's PATH may lack.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
# A socket's path must fit in sockaddr_un (108 bytes, with its NUL).
SOCKET_PATH_MAX = 107


def unavailable() -> str | None:
    """Why a cluster cannot be started here, or None where it can."""
    if os.geteuid() != 0:
        return "the SLURM daemons must be started as root (slurmd runs every job's user)"
    absent = [name for name in PROGRAMS if shutil.which(name, path=SEARCH_PATH) is None]
    if absent:
        return (
            f"{', '.join(absent)} not installed: as root, "
            f"apt-get install {' '.join(PACKAGES)} (.ci/run does)"
        )
    return None


@dataclass(frozen=True)
class Cluster:
    """A running cluster: where it keeps its files and the environment its commands need."""

    folder: Path
    env: dict[str, str] = field(repr=False)
    node: str
    cpus: int
    memory_mb: int
    account: str = ACCOUNT
    partition: str = PARTITION

    def run(self, *command: str) -> str:
        """A SLURM command's output (``sacct``, ``sinfo``, ...), raising if it fails."""
        done = subprocess.run(
            command, env=self.env, capture_output=True, text=True, check=False, timeout=60
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
        return done.stdout


def free_port() -> int:
    """A TCP port on the loopback that nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hardware() -> dict[str, str]:
    """This machine as slurmd sees it: CPUs, Boards, ..., RealMemory (``slurmd -C``)."""
    line = subprocess.run(
        ["slurmd", "-C"],
        env={**os.environ, "PATH": SEARCH_PATH},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[0]
    fields = dict(item.split("=", 1) for item in line.split())
    fields.pop("NodeName")
    return fields


def slurm_conf(folder: Path, node: str, ports: dict[str, int], hardware: dict[str, str]) -> str:
    host = socket.gethostname().split(".")[0]
    node_hardware = " ".join(f"{key}={value}" for key, value in hardware.items())
    return f"""\
ClusterName={NAME}
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ports["slurmctld"]}
SlurmdPort={ports["slurmd"]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={folder}/munge/munge.socket
CredType=cred/munge
StateSaveLocation={folder}/slurmctld
SlurmdSpoolDir={folder}/slurmd
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/log/slurmctld.log
SlurmdLogFile={folder}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
# Jobs share the node by cores and memory, as on a real cluster.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# A test waits on every job: schedule at once, and reap finished jobs quickly.
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1,sched_interval=1
KillWait=5
InactiveLimit=0
# Accounting through slurmdbd (the executor plugin asks sacct), with each job's comment, which
# the plugin sets to the rule and wildcards of the job.
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort={ports["slurmdbd"]}
# (for slurmdbd, the munge socket that its clients sign with)
AccountingStoragePass={folder}/munge/munge.socket
AccountingStorageEnforce=associations,limits
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=5
NodeName={node} NodeHostname={host} NodeAddr=127.0.0.1 {node_hardware} State=UNKNOWN
PartitionName={PARTITION} Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


def slurmdbd_conf(folder: Path, ports: dict[str, int], password: str) -> str:
    return f"""\
AuthType=auth/munge
AuthInfo=socket={folder}/munge/munge.socket
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort={ports["slurmdbd"]}
SlurmUser=root
PidFile={folder}/slurmdbd.pid
LogFile={folder}/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={ports["mariadb"]}
StorageUser=slurm
StoragePass={password}
StorageLoc=slurm_acct_db
"""


def interrupt(signum, frame):
    """SIGTERM as Ctrl-C: pytest then still tears its fixtures down, this cluster with them."""
    raise KeyboardInterrupt(f"signal {signum}")


def wait_for(what: str, ready, daemons: dict[str, subprocess.Popen], log: Path) -> None:
    """Poll ``ready()`` until it is true; fail naming ``what`` and its log if a daemon died."""
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        dead = [(name, p.returncode) for name, p in daemons.items() if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log.exists() else "(no log)"
            why = f"{dead[0][0]} exited with {dead[0][1]}" if dead else "timed out"
            raise RuntimeError(f"{what} did not start ({why}); {log}:\n{tail}")
        time.sleep(0.2)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def slurm_cluster(folder: Path) -> Iterator[Cluster]:
    """A running single-node cluster whose files all live in ``folder``; stopped on exit."""
    folder = folder.resolve()
    if len(f"{folder}/munge/munge.socket") > SOCKET_PATH_MAX:
        raise ValueError(f"{folder}: too long a path for the daemons' sockets; use a shorter one")
    for sub in ("munge", "mysql", "slurmctld", "slurmd", "log", "etc"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("mariadb", "slurmdbd", "slurmctld", "slurmd")}
    conf = folder / "etc/slurm.conf"
    shim = folder / "bin/srun"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(
        f'#!/bin/sh\nSLURM_CONF={conf} exec {shutil.which("srun", path=SEARCH_PATH)} "$@"\n'
    )
    shim.chmod(0o755)
    env = {
        **os.environ,
        "SLURM_CONF": str(conf),
        "PATH": f"{shim.parent}{os.pathsep}{SEARCH_PATH}",
    }
    logs = folder / "log"
    daemons: dict[str, subprocess.Popen] = {}

    def start(*command: str) -> None:
        """A daemon in the foreground, in a session of its own, sent SIGTERM by the kernel if
        this process dies first (even by SIGKILL): none outlives the tests."""
        name = command[0]
        with (logs / f"{name}.out").open("w") as out:
            daemons[name] = subprocess.Popen(
                ["setpriv", "--pdeathsig", "TERM", "--", *command],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def run(*command: str) -> None:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, check=False, timeout=START_TIMEOUT
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")

    # Should this process be killed outright, the daemons get SIGTERM from the kernel, and this
    # watcher gets it too and ends what the cluster's jobs left running.
    start_reaper = [sys.executable, __file__, "reap", str(folder)]
    daemons["reaper"] = subprocess.Popen(
        ["setpriv", "--pdeathsig", "TERM", "--", *start_reaper], start_new_session=True
    )
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, interrupt) if in_main_thread else None
    try:
        # munge: the key that every daemon and command signs its messages with
        key = folder / "munge/munge.key"
        key.write_bytes(secrets.token_bytes(1024))
        key.chmod(0o600)
        munge_socket = folder / "munge/munge.socket"
        start(
            "munged",
            "--foreground",
            "--force",
            f"--socket={munge_socket}",
            f"--key-file={key}",
            f"--pid-file={folder}/munge/munged.pid",
            f"--seed-file={folder}/munge/munged.seed",
            f"--log-file={logs}/munged.log",
        )
        wait_for("munged", munge_socket.exists, daemons, logs / "munged.log")

        # MariaDB: slurmdbd's store, on the loopback only
        datadir = folder / "mysql"
        run(
            "mariadb-install-db",
            "--no-defaults",
            f"--datadir={datadir}",
            "--user=root",
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
        )
        db_socket = folder / "mysql.sock"
        start(
            "mariadbd",
            "--no-defaults",
            f"--datadir={datadir}",
            f"--socket={db_socket}",
            f"--port={ports['mariadb']}",
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            "--user=root",
            f"--pid-file={folder}/mariadb.pid",
            f"--log-error={logs}/mariadb.log",
            "--innodb-buffer-pool-size=64M",
            "--innodb-lock-wait-timeout=900",
        )
        wait_for("MariaDB", lambda: listening(ports["mariadb"]), daemons, logs / "mariadb.log")
        password = secrets.token_hex(16)
        run(
            "mariadb",
            "--no-defaults",
            f"--socket={db_socket}",
            "-uroot",
            "-e",
            f"CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '{password}';"
            " GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';",
        )

        # SLURM: the accounting daemon, the cluster's entry in it, then controller and node
        node = "node1"
        machine = hardware()
        conf.write_text(slurm_conf(folder, node, ports, machine))
        dbd_conf = folder / "etc/slurmdbd.conf"
        dbd_conf.write_text(slurmdbd_conf(folder, ports, password))
        dbd_conf.chmod(0o600)  # slurmdbd refuses a readable password file
        start("slurmdbd", "-D")
        wait_for("slurmdbd", lambda: listening(ports["slurmdbd"]), daemons, logs / "slurmdbd.log")
        run("sacctmgr", "-i", "add", "cluster", NAME)
        run("sacctmgr", "-i", "add", "account", ACCOUNT, f"cluster={NAME}", "description=tests")
        run(
            "sacctmgr",
            "-i",
            "add",
            "user",
            "root",
            f"account={ACCOUNT}",
            f"partition={PARTITION}",
            f"cluster={NAME}",
        )
        start("slurmctld", "-D", "-i")
        start("slurmd", "-D", "-N", node)

        def idle() -> bool:
            shown = subprocess.run(
                ["sinfo", "--noheader", "--nodes", node, "--format=%T"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            return shown.stdout.strip() == "idle"

        wait_for("the node", idle, daemons, logs / "slurmd.log")
        yield Cluster(folder, env, node, int(machine["CPUs"]), int(machine["RealMemory"]))
    finally:
        stop(daemons, folder, env)
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def stop(daemons: dict[str, subprocess.Popen], folder: Path, env: dict[str, str]) -> None:
    """Cancel every job, then end each daemon, the last started first (SIGTERM, SIGKILL after
    20 s), and any process still carrying this cluster's configuration in its environment
    (what a job left)."""
    if "slurmctld" in daemons and daemons["slurmctld"].poll() is None:
        subprocess.run(
            ["scancel", "--full", "--user=root"], env=env, capture_output=True, check=False
        )
    for process in reversed(daemons.values()):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    for pid in strays(folder):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def strays(folder: Path) -> list[int]:
    """Processes whose environment names this cluster's configuration: what its jobs left."""
    marker = f"SLURM_CONF={folder}/etc/slurm.conf".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
    return found


if __name__ == "__main__" and sys.argv[1:2] == ["reap"]:
    # python slurm_cluster.py reap FOLDER: wait for SIGTERM, then end FOLDER's cluster's strays
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    signal.pause()
    for pid in strays(Path(sys.argv[2])):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
