"""The versions the real-engine tests run are the ones tools/versions.env records.

The CLI prints its stamp; the Kubernetes provider's version is read from the engine itself: a
program asks for an impossible provider version, and the engine names the version it loaded.
"""

from __future__ import annotations

import re
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

pytestmark = pytest.mark.real_engine

ROOT = Path(__file__).resolve().parents[2]
LOADED = re.compile(r"resource plugin kubernetes is expected to have version >=999\.0\.0, but has (\S+?);")


def pins() -> dict[str, str]:
    lines = (ROOT / "tools" / "versions.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))


def test_the_cli_is_the_pinned_version(real_tools: Path) -> None:
    out = subprocess.run([str(real_tools / "pulumi"), "version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"v{pins()['PULUMI_VERSION']}"


def test_the_engine_loads_the_pinned_provider(driver, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: provider-version\nruntime: python\n")
    (project / "__main__.py").write_text(
        "import pulumi\nimport pulumi_kubernetes as k8s\n\n"
        'k8s.Provider("k", render_yaml_to_directory="out", opts=pulumi.ResourceOptions(version="999.0.0"))\n'
    )
    run = driver("preview", project, "dev", tmp_path / "work", policy=False)
    loaded = {m.group(1) for _, message in run.diagnostics if (m := LOADED.search(message))}
    assert loaded == {pins()["KUBERNETES_PROVIDER_VERSION"]}, run.diagnostics


def test_the_sdks_are_the_recorded_ones() -> None:
    """The lock's SDKs, with the provider skew that versions.env lists."""
    assert version("pulumi") == pins()["REAL_ENGINE_PULUMI_SDK"]
    assert version("pulumi-kubernetes") == pins()["REAL_ENGINE_KUBERNETES_SDK"]
