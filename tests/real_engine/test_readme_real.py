"""The "What CI runs with the real engine" commands of docs/guide/running.md, executed as written.

The build command runs for real (with the cache of this run, it reuses the binaries); the two
pytest selections are the ones ``scripts/test`` runs, and together they are the whole suite.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from _readme import GUIDE, section_commands

pytestmark = pytest.mark.real_engine

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    return section_commands("## What CI runs with the real engine", GUIDE / "running.md")


def collected(args: list[str]) -> set[str]:
    proc = subprocess.run(
        [*args, "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    return {line for line in proc.stdout.splitlines() if "::" in line}


def test_the_build_command_builds_or_reuses_the_tools(real_tools: Path) -> None:
    build, _, _ = readme_commands()
    assert build == "tools/build-real-tools"
    proc = subprocess.run(
        [str(ROOT / build)], cwd=ROOT, capture_output=True, text=True, check=False, timeout=3600
    )
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^pulumi: (built|reused) \(v[\d.]+\)", proc.stderr, re.MULTILINE), proc.stderr


def test_the_two_selections_are_what_scripts_test_runs_and_cover_the_suite() -> None:
    _, offline, real = readme_commands()
    script = (ROOT / "scripts" / "test").read_text()
    for command in (offline, real):
        selection = command.split(" pytest ", 1)[1]
        assert f"pytest {selection}" in script, f"scripts/test does not run {command!r}"
    offline_ids = collected(shlex.split(offline))
    real_ids = collected(shlex.split(real))
    assert real_ids and offline_ids
    assert not offline_ids & real_ids
    assert all("tests/real_engine/" in test for test in real_ids)
    everything = collected([str(ROOT / ".tools" / "bin" / "uv"), "run", "--frozen", "--no-sync", "pytest"])
    assert offline_ids | real_ids == everything
