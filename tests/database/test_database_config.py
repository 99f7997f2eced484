"""Databases in the stack file: bad input exits 2 with one line naming file, line, path and fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from platform_components.config import PlatformConfig
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]
DEV_STACK = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8")
ERROR_PREFIX = "platformctl: error: stacks/Pulumi.dev.yaml"


def modified(old: str, new: str) -> str:
    assert old in DEV_STACK, f"the dev stack no longer contains {old!r}; update the test"
    return DEV_STACK.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


BAD = [
    pytest.param(
        modified("        storage: {size: 10Gi}\n", "        storage: {size: ten}\n"),
        "storage: {size: ten}",
        ["platform.databases[0].storage.size='ten'", "not a Kubernetes quantity"],
        id="storage-size-not-a-quantity",
    ),
    pytest.param(
        modified('        version: "18"\n', '        version: "13"\n'),
        'version: "13"',
        ["platform.databases[0].version='13'", "PostgreSQL '13' is not supported", "15, 16, 17, 18"],
        id="unsupported-major",
    ),
    pytest.param(
        modified('          schedule: "17 2 * * *"\n', '          schedule: "at two every night"\n'),
        "at two every night",
        ["platform.databases[0].backup.schedule='at two every night'", "not a cron schedule"],
        id="schedule-not-cron",
    ),
    pytest.param(
        modified("          retention_days: 7\n", "          retention_days: 0\n"),
        "retention_days: 0",
        ["platform.databases[0].backup.retention_days=0", "under one day", "retention_days >= 1"],
        id="retention-under-a-day",
    ),
    pytest.param(
        modified('        version: "18"\n', '        version: "18"\n        replicas: 0\n'),
        "replicas: 0",
        ["platform.databases[0].replicas=0", "greater than or equal to 1"],
        id="replicas-zero",
    ),
    pytest.param(
        modified(
            "          - {workload: api}\n        backup:", "          - {workload: apii}\n        backup:"
        ),
        "{workload: apii}",
        ["platform.databases[0].clients[0].workload: 'apii' is not a workload of namespace shop"],
        id="undeclared-client",
    ),
    pytest.param(
        modified("        storage: {size: 10Gi}\n", "        storage: {size: 10Gi, sise: 20Gi}\n"),
        "sise",
        ["platform.databases[0].storage.sise", "did you mean 'size'?"],
        id="typo-in-storage",
    ),
]


@pytest.mark.parametrize(("text", "needle", "fragments"), BAD)
def test_bad_database_input_exits_2_with_one_line(
    stack_error: Callable[[str], str], text: str, needle: str, fragments: list[str]
) -> None:
    line = stack_error(text)
    assert line.startswith(f"{ERROR_PREFIX}:{line_of(text, needle)}: "), line
    for fragment in fragments:
        assert fragment in line, line


def _config(**changes: Any) -> dict[str, Any]:
    data = yaml.safe_load(DEV_STACK)["config"]["platform-components:platform"]
    data.update(changes)
    return dict(data)


def test_staging_and_prod_databases_must_be_backed_up_and_restore_tested() -> None:
    data = _config(environment="prod")
    for pool in data["node_pools"]:
        pool["node_class"]["ami_alias"] = "al2023@v20251117"
    data["databases"][0]["backup"] = {"enabled": False}
    with pytest.raises(ValidationError, match="prod databases must be backed up and restore-tested"):
        PlatformConfig.model_validate(data)
    data["databases"][0]["backup"] = {"restore_test": {"enabled": False}}
    with pytest.raises(ValidationError, match="restore-tested"):
        PlatformConfig.model_validate(data)


def test_backups_need_a_cluster_in_the_stack() -> None:
    data = _config()
    del data["cluster"], data["node_pools"]
    for team in data["teams"]:
        team.pop("owners", None)
    with pytest.raises(ValidationError, match="backups need the stack's EKS cluster"):
        PlatformConfig.model_validate(data)


def test_database_names_are_unique_and_do_not_reuse_workload_names() -> None:
    data = _config()
    data["databases"].append(dict(data["databases"][0]))
    with pytest.raises(ValidationError, match="database 'orders' is declared twice"):
        PlatformConfig.model_validate(data)
    data = _config()
    data["databases"][0] = {**data["databases"][0], "name": "api", "clients": []}
    with pytest.raises(ValidationError, match="reuse the Kubernetes name 'api'"):
        PlatformConfig.model_validate(data)


def test_a_database_of_an_undeclared_team_is_refused() -> None:
    data = _config()
    data["databases"][0] = {**data["databases"][0], "team": "billing", "clients": []}
    with pytest.raises(ValidationError, match="not a declared team"):
        PlatformConfig.model_validate(data)
