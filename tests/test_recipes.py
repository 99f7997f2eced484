"""The platform recipes under docs/recipes/ work as written: their commands run, in order, in a copy of
this repository's Pulumi project (``Pulumi.yaml``, ``platform/``, ``stacks/``), and their stack
snippets preview clean. The team-repository recipes (GitHub Actions, GitLab CI) run in
tests/test_team_repo.py; restoring a database needs a cluster and AWS (its page says so)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _project import copy_project, run_bash, uv_executable
from _readme import RECIPES, ROOT, blocks, command_lines, section


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project, where ``.tools/bin/uv run`` runs this checkout's installed environment."""
    root = copy_project(tmp_path / "platform-components")
    (root / ".tools" / "bin").mkdir(parents=True)
    (root / ".tools" / "bin" / "uv").symlink_to(uv_executable())
    return root


def run_commands(project: Path, commands: list[str]) -> list[str]:
    """Run each command with bash in ``project``; return their outputs."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env |= {"UV_PROJECT": str(ROOT), "UV_NO_SYNC": "1", "UV_FROZEN": "1", "NO_COLOR": "1"}
    return [run_bash(command, project, env, timeout=600) for command in commands]


def assert_clean(output: str) -> None:
    assert "0 violations, 0 warnings, 0 schema errors" in output, output[-3000:]


def test_a_new_team(project: Path) -> None:
    page = (RECIPES / "new-team.md").read_text(encoding="utf-8")
    stack = project / "stacks" / "Pulumi.dev.yaml"
    text = stack.read_text(encoding="utf-8")
    for snippet in blocks(page, "yaml"):
        key, entries = snippet.split("\n", 1)
        assert key in ("    teams:", "    workloads:") and text.count(f"{key}\n") == 1, key
        text = text.replace(f"{key}\n", f"{key}\n{entries}", 1)
    stack.write_text(text, encoding="utf-8")
    (command,) = command_lines(
        blocks(section("## 3. Preview, then apply", RECIPES / "new-team.md"), "bash")[0]
    )
    (output,) = run_commands(project, [command])
    assert_clean(output)
    manifests = project / "out" / "dev" / "manifests"
    assert (manifests / "_cluster" / "namespace-search.yaml").is_file()
    assert (manifests / "search" / "deployment-search-api.yaml").is_file()


def test_a_new_environment(project: Path) -> None:
    commands = command_lines(
        blocks(section("## 1. Copy the closest stack", RECIPES / "new-environment.md"), "bash")[0]
    )
    assert commands[0].startswith("cp stacks/") and "preview --stack qa" in commands[1]
    _, output = run_commands(project, commands)
    assert (project / "stacks" / "Pulumi.qa.yaml").is_file()
    assert_clean(output)


def test_upgrading_the_kubernetes_minor(project: Path) -> None:
    page = RECIPES / "kubernetes-upgrade.md"
    (check,) = command_lines(
        blocks(section("## 1. Check that the release supports the minor", page), "bash")[0]
    )
    upgrade = command_lines(
        blocks(section("## 2. Preview against the next minor's schema, then switch", page), "bash")[0]
    )
    supported, before, _, after = run_commands(project, [check, *upgrade])
    assert "1.36" in supported.split()
    assert_clean(before)
    assert 'kubernetes_version: "1.36"' in (project / "stacks" / "Pulumi.dev.yaml").read_text(
        encoding="utf-8"
    )
    assert_clean(after)
