"""Every documented default of the StatefulDatabase args models (the argument reference) is asserted,
and the defaults render what the module docstring promises."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components.database import (
    BackupArgs,
    DatabaseCredentialsArgs,
    DatabaseResources,
    PostgresVersion,
    RestoreTestArgs,
    StatefulDatabaseArgs,
    StorageArgs,
    render_database,
)
from platform_components.database.config_files import tuned_parameters
from platform_components.database.constants import (
    CREDENTIALS_ANNOTATION,
    DO_NOT_DISRUPT,
    PGDATA,
    POSTGRES_UID,
)
from platform_components.versions import AWS_CLI_IMAGE, DEFAULT_POSTGRES_VERSION, POSTGRES_IMAGES
from pydantic import BaseModel

DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {
    StatefulDatabaseArgs: {
        "version": PostgresVersion.V18,
        "image": None,
        "replicas": 1,
        "database": None,
        "username": None,
        "storage": StorageArgs(),
        "resources": DatabaseResources(),
        "max_connections": 100,
        "parameters": {},
        "clients": [],
        "backup": BackupArgs(),
        "credentials": None,  # generated passwords (RandomPassword)
        "credentials_version": 1,
        "priority_class_name": "platform-high",
        "backup_priority_class_name": "platform-low",
        "termination_grace_period_seconds": 60,
        "protect": True,
        "labels": {},
        "policy_exemptions": {},
    },
    StorageArgs: {"size": "20Gi", "storage_class": "gp3-encrypted", "iops": None, "throughput": None},
    DatabaseResources: {"cpu": "250m", "memory": "1Gi"},
    BackupArgs: {
        "enabled": True,
        "schedule": "17 2 * * *",
        "retention_days": 14,
        "noncurrent_days": 7,
        "restore_test": RestoreTestArgs(),
    },
    RestoreTestArgs: {"enabled": True, "schedule": "47 4 * * *", "max_age_hours": 36, "check_query": None},
    DatabaseCredentialsArgs: {},  # all three passwords are required
}


@pytest.mark.parametrize("model", list(DEFAULTS), ids=lambda m: m.__name__)
def test_defaults(model: type[BaseModel]) -> None:
    actual = {
        name: field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
        if not field.is_required()
    }
    assert actual == DEFAULTS[model]


@pytest.mark.parametrize("model", list(DEFAULTS), ids=lambda m: m.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    assert [name for name, field in model.model_fields.items() if not field.description] == []


def test_the_default_major_is_in_the_version_table_and_images_are_pinned() -> None:
    assert PostgresVersion.V18.value == DEFAULT_POSTGRES_VERSION
    assert sorted(POSTGRES_IMAGES) == [v.value for v in PostgresVersion]
    for major, image in POSTGRES_IMAGES.items():
        assert image.startswith(f"docker.io/library/postgres:{major}.") and image.endswith("-bookworm")
    assert ":latest" not in AWS_CLI_IMAGE and AWS_CLI_IMAGE.count(":") == 1


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, Any]]:
    return render_database("orders", StatefulDatabaseArgs(namespace="shop"))


def test_default_children(rendered: dict[str, dict[str, Any]]) -> None:
    assert sorted(rendered) == sorted(
        [
            "sa",
            "config",
            "app-credentials",
            "replication-credentials",
            "backup-credentials",
            "headless",
            "service",
            "primary",
            "pdb",
            "netpol",
            "backup-sa",
            "backup-netpol",
            "backup",
            "restore-test-sa",
            "restore-test-netpol",
            "restore-test",
        ]
    )


def test_default_statefulset_keeps_data_and_runs_restricted(rendered: dict[str, dict[str, Any]]) -> None:
    spec = rendered["primary"]["spec"]
    assert spec["replicas"] == 1
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    (claim,) = spec["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "gp3-encrypted"
    assert claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    template = spec["template"]
    assert template["metadata"]["annotations"] == {DO_NOT_DISRUPT: "true", CREDENTIALS_ANNOTATION: "1"}
    pod = template["spec"]
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": POSTGRES_UID,
        "runAsGroup": POSTGRES_UID,
        "fsGroup": POSTGRES_UID,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["automountServiceAccountToken"] is False
    assert pod["priorityClassName"] == "platform-high"
    assert "affinity" not in pod  # one instance: nothing to spread
    for container in [*pod["initContainers"], *pod["containers"]]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["runAsUser"] == POSTGRES_UID
        assert container["image"] == POSTGRES_IMAGES["18"]
        assert container["resources"] == {
            "requests": {"cpu": "250m", "memory": "1Gi"},
            "limits": {"memory": "1Gi"},
        }
    (postgres,) = pod["containers"]
    assert postgres["readinessProbe"]["exec"]["command"][0] == "pg_isready"
    assert postgres["livenessProbe"]["tcpSocket"] == {"port": "postgres"}
    assert postgres["readinessProbe"] != postgres["livenessProbe"]
    assert {"name": "PGDATA", "value": PGDATA} in postgres["env"]
    assert all("value" not in e or "PASSWORD" not in e["name"] for e in postgres["env"])
    writable = {m["mountPath"] for m in postgres["volumeMounts"] if not m.get("readOnly")}
    assert writable == {"/var/lib/postgresql/data", "/var/run/postgresql", "/tmp", "/dev/shm"}


def test_default_tuning_follows_the_memory() -> None:
    tuned = tuned_parameters(StatefulDatabaseArgs(namespace="shop"))
    assert tuned["shared_buffers"] == "256MB"  # a quarter of 1Gi
    assert tuned["effective_cache_size"] == "614MB"
    assert tuned["max_connections"] == "100"
    assert tuned["password_encryption"] == "'scram-sha-256'"
    big = tuned_parameters(
        StatefulDatabaseArgs(namespace="shop", resources={"memory": "8Gi"}, max_connections=200)
    )
    assert big["shared_buffers"] == "2048MB"
    assert big["maintenance_work_mem"] == "512MB"
    assert big["max_connections"] == "200"


def test_default_backup_and_restore_schedules(rendered: dict[str, dict[str, Any]]) -> None:
    backup = rendered["backup"]["spec"]
    assert backup["schedule"] == "17 2 * * *"
    assert backup["timeZone"] == "Etc/UTC"
    assert backup["concurrencyPolicy"] == "Forbid"
    assert backup["startingDeadlineSeconds"] == 3600
    assert rendered["restore-test"]["spec"]["schedule"] == "47 4 * * *"
    pod = backup["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["priorityClassName"] == "platform-low"
    assert pod["containers"][0]["image"] == AWS_CLI_IMAGE
    assert pod["initContainers"][0]["image"] == POSTGRES_IMAGES["18"]
