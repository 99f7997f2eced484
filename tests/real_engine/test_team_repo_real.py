"""The example team repository, installed the way a team installs it, previewed by the real engine.

The team's own virtual environment (inside the program folder) runs the program and the pack's
launcher, so the real engine sees the library exactly as the team installed it. ``dev`` previews
clean; a stack with a ``:latest`` image fails with the same rule id as ``platformctl preview``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.real_engine

ROOT = Path(__file__).resolve().parents[2]


def _team_repo_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("team_repo_install", ROOT / "tests" / "test_team_repo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def team_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = _team_repo_module().install_team_repo(tmp_path_factory.mktemp("team-real"))
    dev = (project / "Pulumi.dev.yaml").read_text()
    (project / "Pulumi.latest.yaml").write_text(dev.replace("payments-api:2.3.1", "payments-api:latest"))
    return project


def offline_violations(project: Path, stack: str) -> set[str]:
    proc = subprocess.run(
        [str(project / ".venv" / "bin" / "platformctl"), "preview", "--stack", stack, "--json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return {v["rule"] for v in json.loads(proc.stdout)["violations"]}


@pytest.mark.parametrize(("stack", "expected"), [("dev", set()), ("latest", {"img-pinned"})])
def test_team_preview_through_the_real_engine(
    team_repo: Path, driver, tmp_path: Path, stack: str, expected: set[str]
) -> None:
    python = team_repo / ".venv" / "bin" / "python"
    assert (team_repo / ".venv" / "bin" / "platform-components-analyzer").is_file()
    assert offline_violations(team_repo, stack) == expected
    run = driver("preview", team_repo, stack, tmp_path / "work", python=python)
    assert run.rule_ids("mandatory") == expected, run.error
    assert run.ok is (not expected), run.error
    if not expected:
        assert run.changes.get("create", 0) > 0
    shutil.rmtree(tmp_path / "work", ignore_errors=True)
