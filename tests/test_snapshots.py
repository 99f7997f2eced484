"""Every target's ``resources.json`` and ``report.json`` are the recorded snapshots, byte for byte
(``tests/_snapshots.py`` says what a snapshot holds and how a meant change is recorded).

The engine's speed-ups (the collector, inline monitor calls, URNs and plain data built directly)
must leave every resource's type, parent, provider, options, dependencies and non-Kubernetes inputs,
and every finding, exemption, stack output and count of the report, exactly as they were.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest
from _previews import preview_of
from _snapshots import REPORT, RESOURCES, SNAPSHOTS, snapshot_files
from _targets import ROOT, TARGETS
from platform_components.preview.report import write_outputs

RECORD = "tests/_snapshots.py"


def _first_differences(recorded: str, current: str, name: str, limit: int = 30) -> str:
    diff = difflib.unified_diff(
        recorded.splitlines(),
        current.splitlines(),
        f"recorded {name}",
        f"this run's {name}",
        lineterm="",
        n=0,
    )
    return "\n".join(line[:400] for line in list(diff)[:limit])


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_the_outputs_are_the_snapshot(target: str, tmp_path: Path) -> None:
    write_outputs(preview_of(target), tmp_path)
    for name, text in snapshot_files(tmp_path).items():
        recorded = (SNAPSHOTS / target / name).read_text(encoding="utf-8")
        assert text == recorded, (
            f"{target}: {name} differs from tests/snapshots/{target}/{name}; when the change is meant, "
            f"record it with `.venv/bin/python {RECORD} {target}` and say why in the commit\n"
            + _first_differences(recorded, text, name)
        )


def test_every_target_has_a_snapshot_and_nothing_else_does() -> None:
    assert sorted(p.name for p in SNAPSHOTS.iterdir()) == sorted(TARGETS)
    for target in TARGETS:
        assert sorted(p.name for p in (SNAPSHOTS / target).iterdir()) == sorted([REPORT, RESOURCES])


def _record(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, RECORD, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_the_record_command_writes_the_snapshot(tmp_path: Path) -> None:
    """The command this module's failure message names, run as shown, on the smallest target."""
    result = _record("local", "--into", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in (RESOURCES, REPORT):
        assert (tmp_path / "local" / name).read_text(encoding="utf-8") == (
            SNAPSHOTS / "local" / name
        ).read_text(encoding="utf-8")


def test_an_unknown_target_is_one_line_naming_the_targets(tmp_path: Path) -> None:
    result = _record("qa", "--into", str(tmp_path))
    assert result.returncode == 2
    assert "unknown target qa: use one of dev, staging, prod, local, team-service" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_a_kubernetes_objects_inputs_are_left_to_the_manifests() -> None:
    """A Kubernetes object's inputs are its manifest (tests/test_golden.py); every other resource
    keeps them, e.g. the EKS cluster's settings and the IAM policies."""
    lines = (SNAPSHOTS / "dev" / RESOURCES).read_text(encoding="utf-8").splitlines()
    kubernetes = [line for line in lines if '"type":"kubernetes:' in line]
    others = [line for line in lines if '"type":"kubernetes:' not in line]
    assert kubernetes and others
    assert not any('"inputs":' in line for line in kubernetes)
    assert all('"inputs":' in line for line in others)
