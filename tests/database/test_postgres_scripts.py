"""The StatefulDatabase scripts against a real PostgreSQL server.

The init container, backup and restore-test scripts are what keeps data safe, so they run here for
real: initdb, roles and passwords, a streaming replica cloned with pg_basebackup, password rotation,
the major-version guard, a pg_dump backup and its restore test (including the failures it must
catch). They need the PostgreSQL server binaries (``initdb``, ``pg_ctl``, ``postgres``) and client
tools on PATH, which the CI machines have (Debian's ``postgresql`` package); where they are
missing the module is skipped with that reason. As root, the scripts run as ``nobody`` (PostgreSQL
refuses to run as root, and the pods never do).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from platform_components.database import StatefulDatabaseArgs
from platform_components.database.config_files import (
    BACKUP_DUMP_SCRIPT,
    INIT_SCRIPT,
    PG_HBA,
    RESTORE_CHECK_SCRIPT,
    postgresql_conf,
)

TOOLS = ("initdb", "pg_ctl", "postgres", "psql", "pg_basebackup", "pg_dump", "pg_restore", "pg_isready")
missing = [tool for tool in TOOLS if shutil.which(tool) is None]
pytestmark = pytest.mark.skipif(bool(missing), reason=f"PostgreSQL binaries not on PATH: {missing}")

NOBODY = 65534
APP_PASSWORD = "AppPassw0rdAppPassw0rdAppPassw0rd"
REPLICATION_PASSWORD = "Repl1cationRepl1cationRepl1cation"
BACKUP_PASSWORD = "Backup0Backup0Backup0Backup0Backu"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_nobody() -> dict[str, object]:
    """subprocess arguments dropping root (PostgreSQL refuses to run as root)."""
    return {"user": NOBODY, "group": NOBODY, "extra_groups": []} if os.getuid() == 0 else {}


class Sandbox:
    """A directory tree owned by the unprivileged user, plus helpers to run the scripts in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.secrets = root / "secrets"
        for folder, password in (
            ("app", APP_PASSWORD),
            ("replication", REPLICATION_PASSWORD),
            ("backup", BACKUP_PASSWORD),
        ):
            (self.secrets / folder).mkdir(parents=True)
            (self.secrets / folder / "password").write_text(password)
        for name, text in (
            ("init-data.sh", INIT_SCRIPT),
            ("backup-dump.sh", BACKUP_DUMP_SCRIPT),
            ("restore-check.sh", RESTORE_CHECK_SCRIPT),
        ):
            (root / name).write_text(text)
        self.chown()

    def chown(self) -> None:
        if os.getuid() != 0:
            return
        for path in [self.root, *self.root.rglob("*")]:
            if "pgdata" in path.parts or path.is_symlink():
                continue  # owned by the server already (and changing under our feet)
            with contextlib.suppress(FileNotFoundError):
                os.chown(path, NOBODY, NOBODY)

    def run(
        self, argv: list[str], env: dict[str, str], *, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        self.chown()
        full_env = {"PATH": os.environ["PATH"], "HOME": str(self.root), "LC_ALL": "C.UTF-8", **env}
        result = subprocess.run(
            argv,
            env=full_env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=300,
            **_as_nobody(),  # type: ignore[arg-type]
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{argv} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def init(
        self, name: str, *, role: str = "primary", primary_port: int | None = None
    ) -> subprocess.CompletedProcess[str]:
        data = self.root / name
        run_dir = self.root / f"{name}-run"
        data.mkdir(exist_ok=True)
        run_dir.mkdir(exist_ok=True)
        return self.run(
            ["bash", str(self.root / "init-data.sh")],
            {
                "PGDATA": str(data / "pgdata"),
                "PGPORT": str(primary_port or self.port),
                "ROLE": role,
                "EXPECTED_MAJOR": self.major,
                "RUN_DIR": str(run_dir),
                "SECRETS_DIR": str(self.secrets),
                "SUPERUSER": "postgres",
                "APP_USER": "orders",
                "APP_DATABASE": "orders",
                "REPLICATION_USER": "replicator",
                "BACKUP_USER": "backup",
                "PRIMARY_HOST": "127.0.0.1",
            },
            check=False,
        )

    @property
    def major(self) -> str:
        out = subprocess.run(["postgres", "--version"], capture_output=True, text=True, check=True).stdout
        return out.split()[2].split(".")[0]

    def start(self, name: str, port: int, *extra: str) -> None:
        args = StatefulDatabaseArgs(
            namespace="shop", resources={"memory": "256Mi"}, backup={"enabled": False}
        )
        conf = postgresql_conf(args)
        run_dir = self.root / f"{name}-run"
        conf = conf.replace(
            "unix_socket_directories = '/var/run/postgresql'", f"unix_socket_directories = '{run_dir}'"
        )
        conf = conf.replace(
            "hba_file = '/etc/postgresql/pg_hba.conf'", f"hba_file = '{self.root / 'pg_hba.conf'}'"
        )
        conf = conf.replace("listen_addresses = '*'", "listen_addresses = '127.0.0.1'")
        conf = conf.replace("port = 5432", f"port = {port}")
        (self.root / f"{name}.conf").write_text(conf)
        (self.root / "pg_hba.conf").write_text(PG_HBA)
        options = " ".join([f"-c config_file={self.root / f'{name}.conf'}", *extra])
        self.run(
            [
                "pg_ctl",
                "--pgdata",
                str(self.root / name / "pgdata"),
                "--wait",
                "--timeout=120",
                "--log",
                str(self.root / f"{name}.log"),
                "--options",
                options,
                "start",
            ],
            {},
        )

    def stop(self, name: str) -> None:
        self.run(
            ["pg_ctl", "--pgdata", str(self.root / name / "pgdata"), "--mode=fast", "--wait", "stop"],
            {},
            check=False,
        )

    def sql(
        self,
        query: str,
        *,
        port: int | None = None,
        user: str = "orders",
        password: str = APP_PASSWORD,
        database: str = "orders",
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        return self.run(
            [
                "psql",
                "--host=127.0.0.1",
                f"--port={port or self.port}",
                f"--username={user}",
                f"--dbname={database}",
                "--no-psqlrc",
                "--tuples-only",
                "--no-align",
                "--set=ON_ERROR_STOP=1",
                f"--command={query}",
            ],
            {"PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"},
            check=check,
        )


@pytest.fixture
def sandbox_root() -> Iterator[Path]:
    """A directory the unprivileged user can reach (pytest's tmp_path sits under a 0700 root dir)."""
    root = Path(tempfile.mkdtemp(prefix="pg-scripts-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def primary() -> Iterator[Sandbox]:
    root = Path(tempfile.mkdtemp(prefix="pg-scripts-"))
    box = Sandbox(root)
    try:
        result = box.init("primary")
        assert result.returncode == 0, result.stderr
        box.start("primary", box.port)
        box.sql("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)")
        box.sql("INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        yield box
    finally:
        for name in ("replica", "primary"):
            box.stop(name)
        shutil.rmtree(root, ignore_errors=True)


def test_init_creates_roles_database_and_no_password_leaks(primary: Sandbox) -> None:
    assert primary.sql("SELECT current_user, current_database()").stdout.strip() == "orders|orders"
    roles = primary.sql(
        "SELECT rolname, rolsuper, rolreplication FROM pg_roles WHERE rolname IN "
        "('orders', 'replicator', 'backup', 'postgres') ORDER BY rolname"
    ).stdout.split()
    assert roles == ["backup|f|f", "orders|f|f", "postgres|t|t", "replicator|f|t"]
    log = (primary.root / "primary.log").read_text()
    for password in (APP_PASSWORD, REPLICATION_PASSWORD, BACKUP_PASSWORD):
        assert password not in log


def test_remote_superuser_and_wrong_passwords_are_rejected(primary: Sandbox) -> None:
    superuser = primary.sql(
        "SELECT 1", user="postgres", password="anything", database="postgres", check=False
    )
    assert superuser.returncode != 0 and "rejects connection" in superuser.stderr
    wrong = primary.sql("SELECT 1", password="wrong", check=False)
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr


def test_backup_role_reads_everything_and_writes_nothing(primary: Sandbox) -> None:
    assert (
        primary.sql("SELECT count(*) FROM items", user="backup", password=BACKUP_PASSWORD).stdout.strip()
        == "3"
    )
    write = primary.sql(
        "INSERT INTO items VALUES (9, 'x')", user="backup", password=BACKUP_PASSWORD, check=False
    )
    assert write.returncode != 0 and "permission denied" in write.stderr


def test_replica_clones_the_primary_and_streams(primary: Sandbox) -> None:
    result = primary.init("replica", role="replica")
    assert result.returncode == 0, result.stderr
    assert (primary.root / "replica" / "pgdata" / "standby.signal").exists()
    replica_port = _free_port()
    passfile = primary.root / "replica-run" / "replication.pgpass"
    assert oct(passfile.stat().st_mode & 0o777) == "0o600"
    conninfo = (
        f"host=127.0.0.1 port={primary.port} user=replicator passfile={passfile} application_name=replica-0"
    )
    primary.start("replica", replica_port, f'-c "primary_conninfo={conninfo}"')  # as the pod's args pass it
    assert primary.sql("SELECT pg_is_in_recovery()", port=replica_port).stdout.strip() == "t"
    primary.sql("INSERT INTO items VALUES (4, 'd')")
    deadline = time.monotonic() + 30
    while primary.sql("SELECT count(*) FROM items", port=replica_port).stdout.strip() != "4":
        assert time.monotonic() < deadline, "the replica did not receive the new row"
        time.sleep(0.5)
    assert primary.sql(
        "SELECT application_name FROM pg_stat_replication", user="backup", password=BACKUP_PASSWORD
    ).stdout.split() == ["replica-0"]
    readonly = primary.sql("INSERT INTO items VALUES (5, 'e')", port=replica_port, check=False)
    assert "read-only transaction" in readonly.stderr
    primary.stop("replica")
    primary.sql("DELETE FROM items WHERE id = 4")


def test_rotation_applies_the_new_passwords_on_restart(primary: Sandbox) -> None:
    new = "N3wAppPasswordN3wAppPasswordN3wA"
    (primary.secrets / "app" / "password").write_text(new)
    try:
        primary.stop("primary")
        # as a recursive fsGroup change by the kubelet would leave it: init must restore 0700
        (primary.root / "primary" / "pgdata").chmod(0o2770)
        assert primary.init("primary").returncode == 0
        assert (
            oct((primary.root / "primary" / "pgdata").stat().st_mode & 0o777) == "0o700"
        )  # PostgreSQL ignores setgid
        primary.start("primary", primary.port)
        assert primary.sql("SELECT 1", password=new).stdout.strip() == "1"
        assert primary.sql("SELECT 1", password=APP_PASSWORD, check=False).returncode != 0
    finally:
        (primary.secrets / "app" / "password").write_text(APP_PASSWORD)
        primary.stop("primary")
        assert primary.init("primary").returncode == 0
        primary.start("primary", primary.port)
    assert primary.sql("SELECT count(*) FROM items").stdout.strip() == "3"


def test_init_refuses_bad_passwords_other_majors_and_foreign_data(sandbox_root: Path) -> None:
    tmp_path = sandbox_root
    box = Sandbox(tmp_path)
    (box.secrets / "app" / "password").write_text("has'quote")
    refused = box.init("primary")
    assert refused.returncode != 0 and "alphanumeric" in refused.stderr
    assert "has'quote" not in refused.stderr + refused.stdout

    other = tmp_path / "other" / "pgdata"
    other.mkdir(parents=True)
    (other / "PG_VERSION").write_text("14\n")
    result = box.init("other")
    assert result.returncode != 0
    assert "holds PostgreSQL 14 data" in result.stderr and "refusing to start" in result.stderr

    foreign = tmp_path / "foreign" / "pgdata"
    foreign.mkdir(parents=True)
    (foreign / "notes.txt").write_text("not a database")
    result = box.init("foreign")
    assert result.returncode != 0 and "holds no PG_VERSION" in result.stderr
    assert (foreign / "notes.txt").exists()


def _backup(primary: Sandbox) -> Path:
    work = primary.root / "backup"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    primary.run(
        ["bash", str(primary.root / "backup-dump.sh")],
        {
            "WORK_DIR": str(work),
            "DB_HOST": "127.0.0.1",
            "PGPORT": str(primary.port),
            "DB_NAME": "orders",
            "BACKUP_USER": "backup",
            "SECRETS_DIR": str(primary.secrets),
        },
    )
    stamp = (work / "STAMP").read_text().strip()
    return work / stamp


def _restore(
    primary: Sandbox,
    dump_dir: Path,
    *,
    check_query: str | None = None,
    max_age: int = 36,
    stamp: str | None = None,
) -> subprocess.CompletedProcess[str]:
    work = primary.root / "restore"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    for item in dump_dir.iterdir():
        shutil.copy(item, work / item.name)
    (work / "STAMP").write_text((stamp or dump_dir.name) + "\n")
    env = {"WORK_DIR": str(work), "DB_NAME": "orders", "MAX_AGE_HOURS": str(max_age)}
    if check_query is not None:
        env["CHECK_QUERY"] = check_query
    return primary.run(["bash", str(primary.root / "restore-check.sh")], env, check=False)


def test_backup_then_restore_test_passes(primary: Sandbox) -> None:
    dump_dir = _backup(primary)
    assert sorted(p.name for p in dump_dir.iterdir()) == ["orders.dump", "orders.dump.sha256"]
    assert oct(dump_dir.joinpath("orders.dump").stat().st_mode & 0o777) == "0o640"
    result = _restore(primary, dump_dir, check_query="SELECT count(*) = 3 FROM items")
    assert result.returncode == 0, result.stderr
    assert "restored and checked (1 tables" in result.stdout


def test_restore_test_catches_a_failed_check_a_corrupt_dump_and_a_stale_backup(primary: Sandbox) -> None:
    dump_dir = _backup(primary)
    failed = _restore(primary, dump_dir, check_query="SELECT count(*) = 99 FROM items")
    assert failed.returncode != 0 and "returned 'f', not true" in failed.stderr

    stale = _restore(primary, dump_dir, max_age=1, stamp="20200101T000000Z")
    assert stale.returncode != 0 and "over the 1h limit" in stale.stderr

    corrupt = primary.root / "corrupt"
    shutil.rmtree(corrupt, ignore_errors=True)
    shutil.copytree(dump_dir, corrupt / dump_dir.name)
    with (corrupt / dump_dir.name / "orders.dump").open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00\x01\x02\x03")
    broken = _restore(primary, corrupt / dump_dir.name)
    assert broken.returncode != 0 and "FAILED" in broken.stdout + broken.stderr
