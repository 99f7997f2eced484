"""Every stack previews clean, and checkov (an outside suite) finds nothing on the rendered manifests."""

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from platform_components.preview.engine import preview
from platform_components.preview.report import write_outputs

ROOT = Path(__file__).resolve().parents[1]
EXCLUDE_NEWER = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["exclude-newer"]
CHECKOV = "checkov==3.3.30"
"""Pinned, and run in an environment of its own: it pins packaging<24, which current pulumi (>= 26)
cannot share."""
STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


@pytest.fixture(scope="module", params=STACKS)
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    stack = request.param
    result = preview(ROOT, stack)
    assert result.clean, [v.message for v in result.violations] + [str(e) for e in result.schema_errors]
    assert not result.warnings, [v.message for v in result.warnings]
    out = tmp_path_factory.mktemp(stack)
    write_outputs(result, out)
    return stack, out


def test_outputs_are_written(rendered: tuple[str, Path]) -> None:
    _stack, out = rendered
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["violations"] == 0
    assert report["summary"]["schema_errors"] == 0
    resources = json.loads((out / "resources.json").read_text())
    assert len(resources) == report["summary"]["resources"]
    assert sorted((out / "manifests").rglob("*.yaml"))


def test_checkov_finds_no_failed_check(rendered: tuple[str, Path]) -> None:
    _stack, out = rendered
    uv = os.environ.get("UV") or shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv, "checkov runs through uv (`uv tool run`); run the tests with `uv run pytest`"
    proc = subprocess.run(
        [
            uv,
            "tool",
            "run",
            "--exclude-newer",
            EXCLUDE_NEWER,
            "--from",
            CHECKOV,
            "checkov",
            "-d",
            str(out / "manifests"),
            "--framework",
            "kubernetes",
            "-o",
            "json",
            "--compact",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    data = json.loads(proc.stdout)
    data = data if isinstance(data, dict) else data[0]
    failed = [(c["check_id"], c["resource"]) for c in data["results"]["failed_checks"]]
    assert failed == [], failed
    assert data["summary"]["parsing_errors"] == 0
    assert data["summary"]["passed"] > 0
    for skipped in data["results"]["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment", "")
        assert reason and reason != "No comment provided", skipped["check_id"]
