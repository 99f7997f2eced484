"""StatefulDatabase credentials: generated RandomPasswords by default, or the caller's passwords
(``credentials=DatabaseCredentialsArgs(...)``) with no ``random`` resource, kept secret and used
exactly where generated ones are; bad passwords are one clear line that never shows the value."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pulumi
import pytest
from platform_components import ConfigError, DatabaseCredentialsArgs, StatefulDatabase, StatefulDatabaseArgs
from platform_components.cli import main
from platform_components.database.constants import CREDENTIALS_ANNOTATION, CREDENTIALS_DIGEST_ANNOTATION
from platform_components.database.credentials import credentials_digest
from platform_components.preview.mocks import SECRET_MARKER, PreviewMocks, unwrap_secrets
from platform_components.testing import Preview, preview_function
from pulumi.runtime import MockResourceArgs

RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
APP = "AppPassword0123456789xyz"
REPLICATION = "ReplicationPassword0123"
BACKUP = "BackupPassword0123456789"


class CapturingMocks(PreviewMocks):
    """The offline engine's mocks, keeping what each resource provider would receive (plaintext)."""

    def __init__(self) -> None:
        super().__init__(aws=False)
        self.received: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        self.received[args.name] = unwrap_secrets(args.inputs)
        return super().new_resource(args)


def supplied(**overrides: Any) -> dict[str, Any]:
    return {"app_password": APP, "replication_password": REPLICATION, "backup_password": BACKUP, **overrides}


def run(args: StatefulDatabaseArgs, mocks: PreviewMocks | None = None) -> Preview:
    def program() -> None:
        StatefulDatabase("orders", args)

    return preview_function(program, mocks=mocks)


def no_backup(**fields: Any) -> StatefulDatabaseArgs:
    return StatefulDatabaseArgs(namespace="shop", backup={"enabled": False}, **fields)


def pod_annotations(preview: Preview) -> dict[str, str]:
    return dict(
        preview.manifest("StatefulSet", "orders", "shop")["spec"]["template"]["metadata"]["annotations"]
    )


# --------------------------------------------------------------------------------------------------
# The default: generated passwords


def test_by_default_three_random_passwords_are_generated_and_credentials_version_rolls_the_pods() -> None:
    preview = run(no_backup(credentials_version=3))
    assert preview.clean, preview.problems()
    generated = preview.of_type(RANDOM_PASSWORD)
    assert sorted(r.name for r in generated) == [
        "orders-app-password",
        "orders-backup-password",
        "orders-replication-password",
    ]
    assert all(r.inputs["keepers"] == {"credentials_version": "3"} for r in generated)
    assert all(r.inputs["length"] == 32 and r.inputs["special"] is False for r in generated)
    annotations = pod_annotations(preview)
    assert annotations[CREDENTIALS_ANNOTATION] == "3"
    assert CREDENTIALS_DIGEST_ANNOTATION not in annotations


# --------------------------------------------------------------------------------------------------
# Caller-supplied passwords


def test_supplied_passwords_create_no_random_resource_and_go_into_the_secrets_exactly() -> None:
    mocks = CapturingMocks()
    preview = run(no_backup(credentials=supplied()), mocks)
    assert preview.clean, preview.problems()
    assert [r for r in preview.resources if r.type.startswith(("random:", "pulumi:providers:random"))] == []
    app = mocks.received["orders-app-credentials"]["stringData"]
    assert app["password"] == APP
    assert app["uri"] == f"postgresql://orders:{APP}@orders.shop.svc.cluster.local:5432/orders"
    assert app["username"] == "orders" and app["database"] == "orders" and app["port"] == "5432"
    assert mocks.received["orders-replication-credentials"]["stringData"] == {
        "username": "replicator",
        "password": REPLICATION,
    }
    assert mocks.received["orders-backup-credentials"]["stringData"] == {
        "username": "backup",
        "password": BACKUP,
    }


def test_plain_string_passwords_are_made_secret_and_never_recorded() -> None:
    preview = run(no_backup(credentials=supplied()))
    for role in ("app", "replication", "backup"):
        record = preview.resource("kubernetes:core/v1:Secret", f"orders-{role}-credentials")
        assert record.has_secrets and record.inputs["stringData"]["password"] == SECRET_MARKER, role
    recorded = json.dumps([r.as_dict() for r in preview.resources]) + json.dumps(preview.manifests)
    for password in (APP, REPLICATION, BACKUP):
        assert password not in recorded


def test_supplied_credentials_never_import_pulumi_random() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        from platform_components import StatefulDatabase, StatefulDatabaseArgs
        from platform_components.testing import preview_function

        def program():
            StatefulDatabase("orders", StatefulDatabaseArgs(
                namespace="shop", backup={{"enabled": False}}, credentials={supplied()!r}))

        result = preview_function(program)
        assert result.clean, result.problems()
        print("pulumi_random" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_changed_password_changes_the_pod_template_and_nothing_shows_the_values() -> None:
    first = pod_annotations(run(no_backup(credentials=supplied())))
    same = pod_annotations(run(no_backup(credentials=supplied())))
    changed = pod_annotations(run(no_backup(credentials=supplied(backup_password="Other" + BACKUP))))
    assert CREDENTIALS_ANNOTATION not in first  # credentials_version is for generated passwords
    assert first == same
    assert first[CREDENTIALS_DIGEST_ANNOTATION] != changed[CREDENTIALS_DIGEST_ANNOTATION]
    assert first[CREDENTIALS_DIGEST_ANNOTATION] == credentials_digest(
        "shop", "orders", [APP, REPLICATION, BACKUP]
    )
    assert all(p not in first[CREDENTIALS_DIGEST_ANNOTATION] for p in (APP, REPLICATION, BACKUP))


def test_secret_outputs_from_config_are_accepted() -> None:
    mocks = CapturingMocks()

    def program() -> None:
        config = pulumi.Config()
        credentials = DatabaseCredentialsArgs(
            app_password=config.require_secret("app"),
            replication_password=config.require_secret("replication"),
            backup_password=config.require_secret("backup"),
        )
        StatefulDatabase("orders", no_backup(credentials=credentials))

    config = {"app": APP, "replication": REPLICATION, "backup": BACKUP}
    preview = preview_function(program, config=config, mocks=mocks)
    assert preview.clean, preview.problems()
    assert mocks.received["orders-app-credentials"]["stringData"]["password"] == APP
    assert preview.of_type(RANDOM_PASSWORD) == []


# --------------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize("missing", ["app_password", "replication_password", "backup_password"])
def test_all_three_passwords_are_required(missing: str) -> None:
    partial = supplied()
    del partial[missing]
    with pytest.raises(ConfigError, match=rf"credentials\.{missing}: missing required field '{missing}'"):
        no_backup(credentials=partial)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Short1", "is 6 characters, shorter than the minimum of 16"),
        ("has-a-dash-and-is-long", "characters other than A-Z, a-z and 0-9"),
        ("Umlaut" + "\u00e4" * 12, "characters other than A-Z, a-z and 0-9"),
        ("with space inside1234", "characters other than A-Z, a-z and 0-9"),
    ],
)
def test_a_plain_password_the_init_scripts_would_refuse_is_one_line_without_the_value(
    password: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        no_backup(credentials=supplied(replication_password=password))
    message = str(caught.value)
    assert message.startswith("StatefulDatabaseArgs.credentials: replication_password "), message
    assert problem in message and "openssl rand -hex 24" in message
    assert "\n" not in message and password not in message


def test_an_output_password_is_checked_once_known_and_preview_prints_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "not-alphanumeric-but-long"
    (tmp_path / "Pulumi.yaml").write_text("name: team\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        f"config:\n  team:app: {bad}\n  team:replication: {REPLICATION}\n  team:backup: {BACKUP}\n"
    )
    (tmp_path / "__main__.py").write_text(
        textwrap.dedent(
            """
            import pulumi
            from platform_components import StatefulDatabase, StatefulDatabaseArgs

            config = pulumi.Config()
            StatefulDatabase("orders", StatefulDatabaseArgs(
                namespace="shop",
                backup={"enabled": False},
                credentials={role: config.require_secret(key) for role, key in (
                    ("app_password", "app"),
                    ("replication_password", "replication"),
                    ("backup_password", "backup"),
                )},
            ))
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    assert main(["preview", "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("platformctl: error:")]
    assert errors == [
        "platformctl: error: StatefulDatabase orders: credentials.app_password holds characters other than "
        "A-Z, a-z and 0-9, which the init scripts refuse; use at least 16 letters and digits only, e.g. "
        "the output of `openssl rand -hex 24`"
    ], err
    assert "Traceback" not in err and bad not in err


def test_credentials_version_with_credentials_is_refused_naming_the_field() -> None:
    with pytest.raises(ConfigError, match="credentials_version rotates generated passwords only") as caught:
        no_backup(credentials=supplied(), credentials_version=2)
    assert "remove credentials_version" in str(caught.value)
    with pytest.raises(ConfigError, match="credentials_version"):
        no_backup(credentials=supplied(), credentials_version=1)  # set at all, not only bumped
    assert no_backup(credentials=supplied()).credentials is not None


def test_a_password_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"credentials\.app_password=42: expected a str or a pulumi Output"):
        no_backup(credentials=supplied(app_password=42))


def test_pydantic_errors_never_print_a_password() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        StatefulDatabaseArgs.model_validate(
            {"namespace": "shop", "credentials": supplied(app_password="leaky-password-value-1")}
        )
    assert "leaky-password-value-1" not in str(caught.value)
    assert APP not in repr(DatabaseCredentialsArgs(**supplied()))
    assert APP not in repr(no_backup(credentials=supplied()))
