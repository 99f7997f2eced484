"""Helpers the tests share to work on copies of this project and to run shell steps as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_project(root: Path) -> Path:
    """Copy this Pulumi project (Pulumi.yaml, platform/, stacks/) into ``root`` (created)."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "platform", root / "platform", ignore=ignore)
    shutil.copytree(ROOT / "stacks", root / "stacks", ignore=ignore)
    return root


def uv_executable() -> str:
    """The uv that runs these tests (``$UV``, else the one beside this Python)."""
    uv = os.environ.get("UV") or str(Path(sys.executable).parent / "uv")
    assert Path(uv).exists(), "these tests run through uv; run them with `uv run pytest`"
    return uv


def run_bash(command: str, cwd: Path, env: dict[str, str], timeout: int) -> str:
    """Run ``command`` with ``bash -euo pipefail`` and return its stdout; a failure names the command."""
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout
