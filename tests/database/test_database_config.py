"""Databases in the stack file: bad input exits 2 with one line naming file, line, path and fix."""

from __future__ import annotations

import json
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
    with pytest.raises(
        ValidationError, match=r"duplicate name 'orders' \(databases\[0\] and databases\[1\]\)"
    ):
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


# --------------------------------------------------------------------------------------------------
# Passwords from secret stack config (the local stack's orders database)

LOCAL_STACK = (ROOT / "stacks" / "Pulumi.local.yaml").read_text(encoding="utf-8")
LOCAL_ERROR_PREFIX = "platformctl: error: stacks/Pulumi.local.yaml"
APP_SECURE = "  platform-components:orders-app-password:\n    secure: "


def local_modified(old: str, new: str) -> str:
    assert old in LOCAL_STACK, f"the local stack no longer contains {old!r}; update the test"
    return LOCAL_STACK.replace(old, new, 1)


def without_app_secret() -> str:
    start = LOCAL_STACK.index(APP_SECURE)
    end = LOCAL_STACK.index("\n", start + len(APP_SECURE)) + 1
    return LOCAL_STACK[:start] + LOCAL_STACK[end:]


def test_the_local_stack_takes_its_passwords_from_secure_config() -> None:
    data = yaml.safe_load(LOCAL_STACK)
    credentials = data["config"]["platform-components:platform"]["databases"][0]["credentials"]
    keys = {field: ref["secret_config"] for field, ref in credentials.items()}
    assert keys == {
        "app_password": "orders-app-password",
        "replication_password": "orders-replication-password",
        "backup_password": "orders-backup-password",
    }
    for key in keys.values():
        value = data["config"][f"platform-components:{key}"]
        assert set(value) == {"secure"} and value["secure"].startswith("v1:"), key
    assert data["encryptionsalt"].startswith("v1:")


def test_the_local_stack_previews_clean_without_the_random_provider(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from platform_components.cli import main

    assert main(["preview", "--stack", "local"]) == 0
    out = capsys.readouterr().out
    assert "0 violations" in out and "0 schema errors" in out, out
    resources = json.loads((project / "out" / "local" / "resources.json").read_text())["resources"]
    assert [r["urn"] for r in resources if "random" in r["type"]] == []
    assert {r["name"] for r in resources} >= {"orders-app-credentials", "orders-primary"}


def test_a_missing_password_key_names_the_line_and_the_pulumi_command(
    stack_error: Callable[[str, str], str],
) -> None:
    text = without_app_secret()
    line = stack_error(text, "local")
    assert line == (
        f"{LOCAL_ERROR_PREFIX}:{line_of(text, 'app_password: {secret_config')}: "
        "platform.databases[0].credentials.app_password.secret_config='orders-app-password': stack config "
        "key 'platform-components:orders-app-password' is not set; set it with "
        "`pulumi config set --secret orders-app-password <value>`"
    )


def test_a_plaintext_password_key_is_refused(stack_error: Callable[[str, str], str]) -> None:
    text = without_app_secret().replace(
        "  platform-components:orders-replication-password:",
        "  platform-components:orders-app-password: PlaintextPassword0123456789\n"
        "  platform-components:orders-replication-password:",
    )
    line = stack_error(text, "local")
    assert line.startswith(f"{LOCAL_ERROR_PREFIX}:{line_of(text, 'app_password: {secret_config')}: "), line
    assert "stack config key 'platform-components:orders-app-password' holds a plaintext value" in line
    assert "passwords must be secrets" in line and "pulumi config set --secret orders-app-password" in line
    assert "PlaintextPassword0123456789" not in line


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        pytest.param(
            "app_password: {secret_config: orders-app-password}",
            "app_password: {secret_confg: orders-app-password}",
            ["credentials.app_password.secret_confg", "did you mean 'secret_config'?"],
            id="typo",
        ),
        pytest.param(
            "          backup_password: {secret_config: orders-backup-password}\n",
            "",
            ["credentials.backup_password: missing required field 'backup_password'"],
            id="one-missing",
        ),
        pytest.param(
            "backup_password: {secret_config: orders-backup-password}",
            "backup_password: {secret_config: orders-app-password}",
            ["name the same config key", "each role needs its own password"],
            id="same-key-twice",
        ),
        pytest.param(
            "app_password: {secret_config: orders-app-password}",
            "app_password: {secret_config: 'platform-components:orders-app-password'}",
            ["without its namespace ('orders-app-password')"],
            id="namespaced-key",
        ),
        pytest.param(
            "        protect: false ",
            "        credentials_version: 2\n        protect: false ",
            ["platform.databases[0]", "credentials_version rotates generated passwords only"],
            id="credentials-version",
        ),
    ],
)
def test_bad_credentials_blocks_exit_2_with_one_line(
    stack_error: Callable[[str, str], str], old: str, new: str, fragments: list[str]
) -> None:
    line = stack_error(local_modified(old, new), "local")
    assert line.startswith(f"{LOCAL_ERROR_PREFIX}:"), line
    for fragment in fragments:
        assert fragment in line, line


def test_a_secret_the_init_scripts_would_refuse_is_reported_without_its_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from platform_components import ConfigError, load_platform_config
    from platform_components.preview.engine import run_program

    monkeypatch.chdir(tmp_path)  # no project here: the message names the stack file alone
    platform = yaml.safe_load(LOCAL_STACK)["config"]["platform-components:platform"]
    keys = ["orders-app-password", "orders-replication-password", "orders-backup-password"]
    config = {f"platform-components:{key}": "Valid0123456789abcdef" for key in keys}
    config["platform-components:orders-backup-password"] = "has-dashes-0123456789"
    with pytest.raises(ConfigError) as caught:
        run_program(
            lambda: load_platform_config(platform),
            project="platform-components",
            stack="local",
            config=config,
            secret_keys=list(config),
        )
    message = str(caught.value)
    assert message.startswith(
        "Pulumi.local.yaml: platform.databases[0].credentials.backup_password.secret_config="
        "'orders-backup-password': the secret in 'platform-components:orders-backup-password' (not shown) "
        "holds characters other than A-Z, a-z and 0-9"
    ), message
    assert "has-dashes" not in message
