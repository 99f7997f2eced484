"""Upgrade safety, for real: ``pulumi up`` with the previous release, then HEAD previews no change.

The previous release (``PREVIOUS_RELEASE``, the last commit before the real engine entered the test
suite) is extracted with ``git archive`` and installed the way the platform team installs a release
(``uv sync --frozen`` from its own lock). It runs ``pulumi up`` of the local stack through the real
engine; HEAD then previews on the same state: every step is ``same`` except the changes listed in
``INTENDED`` with their reason, and nothing is replaced or deleted.

The previous release generates database passwords only with the ``random`` provider, which cannot be
built here (tools/README.md), so both runs use the local stack without its database (and without the
API's link to it): every other object of the stack is covered.
"""

from __future__ import annotations

import copy
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.real_engine

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS_RELEASE = "be6664d"
STACK = "local"
# What HEAD deliberately changes on the previous release's state: (step, resource name) -> why.
# A name ending in "*" stands for every resource whose name starts with the rest.
INTENDED = {
    (
        "create",
        "local-ns-shop-default-deny",
    ): "default-deny in every namespace the platform creates (issue 14)",
    (
        "create",
        "admission*",
    ): "the pack's rules as ValidatingAdmissionPolicies with their bindings (issue 15)",
    ("update", "frontend-deployment"): "checkov's CKV_K8S_43 skip annotation removed: no tag-immutability "
    "claim (issue 15); Deployment metadata only, the pods do not roll",
    ("update", "api-deployment"): "the same annotation change",
}
CONFIG_KEY = "platform-components:platform"


def without_database(stack_file: Path) -> dict[str, Any]:
    """Config overrides: the local stack's platform value with no database, secrets dropped."""
    data = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
    config = data["config"]
    platform = copy.deepcopy(config[CONFIG_KEY])
    names = {db["name"] for db in platform.pop("databases", [])}
    for workload in platform.get("workloads", []):
        network = workload.get("network") or {}
        network["egress"] = [e for e in network.get("egress", []) if e.get("workload") not in names]
        workload["secret_files"] = [
            f for f in workload.get("secret_files", []) if not any(f["name"].startswith(n) for n in names)
        ]
    overrides: dict[str, Any] = {CONFIG_KEY: platform}
    overrides.update(
        {key: None for key, value in config.items() if isinstance(value, dict) and "secure" in value}
    )
    return overrides


def uv() -> str:
    candidate = os.environ.get("UV") or str(Path(sys.executable).parent / "uv")
    if not Path(candidate).exists():
        candidate = str(ROOT / ".tools" / "bin" / "uv")
    assert Path(candidate).exists(), "uv is needed to install the previous release"
    return candidate


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", PREVIOUS_RELEASE],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    subprocess.run(
        [uv(), "sync", "--frozen", "--quiet", "--no-dev", "--all-extras", "--python", sys.executable],
        cwd=tree,
        env=env,
        check=True,
        timeout=900,
    )
    return tree


def test_head_previews_no_change_over_the_previous_release(
    previous_release: Path, driver, tmp_path: Path
) -> None:
    workdir = tmp_path / "work"
    old_config = without_database(previous_release / "stacks" / f"Pulumi.{STACK}.yaml")
    new_config = without_database(ROOT / "stacks" / f"Pulumi.{STACK}.yaml")
    python = previous_release / ".venv" / "bin" / "python"
    # The previous release ships no executable pack launcher: its run is the program alone.
    up = driver("up", previous_release, STACK, workdir, python=python, config=old_config, policy=False)
    assert up.ok, up.error
    created = {
        urn.rsplit("::", 1)[-1] for op, urn in up.steps if op == "create" and "apps/v1:Deployment" in urn
    }
    assert {"frontend-deployment", "api-deployment"} <= created, up.steps

    head = driver("preview", ROOT, STACK, workdir, config=new_config)
    assert head.ok, head.error
    changed = {(op, urn.rsplit("::", 1)[-1]) for op, urn in head.steps if op != "same"}

    def intended(step: tuple[str, str]) -> tuple[str, str] | None:
        op, name = step
        for key in INTENDED:
            if key[0] == op and (key[1] == name or (key[1].endswith("*") and name.startswith(key[1][:-1]))):
                return key
        return None

    unlisted = sorted(step for step in changed if intended(step) is None)
    assert unlisted == [], f"changes not listed as intended: {unlisted}"
    assert {intended(step) for step in changed} == set(INTENDED), "intended changes that did not happen"
    assert not {op for op, _ in changed} & {"delete", "replace", "create-replacement", "delete-replaced"}
    kept = head.changes.get("same", 0) + head.changes.get("update", 0)  # updates: only the intended ones
    assert kept == up.changes["create"], head.changes
    assert head.rule_ids("mandatory") == set()
