"""The StatefulSet spec of the primary and of the replicas, built from named pure steps.

Each step takes the database's names and arguments (and the instance role, ``primary`` or
``replica``) and returns one part of the spec as plain dicts; :func:`statefulset_spec` puts them
together.
"""

from __future__ import annotations

from typing import Any

from ..kube.security import pod_security_context
from .args import StatefulDatabaseArgs
from .constants import (
    BACKUP_USER,
    CONFIG_DIR,
    CREDENTIALS_ANNOTATION,
    CREDENTIALS_DIGEST_ANNOTATION,
    DATA_MOUNT,
    DO_NOT_DISRUPT,
    PGDATA,
    PORT,
    POSTGRES_UID,
    REPLICATION_USER,
    ROLE_LABEL,
    RUN_DIR,
    SECRETS_DIR,
    SUPERUSER,
)
from .hardening import restricted
from .names import Names


def server_env() -> list[dict[str, Any]]:
    """The environment of the server container (and the start of the init container's)."""
    return [
        {"name": "PGDATA", "value": PGDATA},
        {"name": "PGPORT", "value": str(PORT)},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]


def init_env(names: Names, args: StatefulDatabaseArgs, role: str) -> list[dict[str, Any]]:
    """The environment ``init-data.sh`` reads (it is not a template: every value comes from here)."""
    return [
        *server_env(),
        {"name": "ROLE", "value": role},
        {"name": "EXPECTED_MAJOR", "value": args.version.value},
        {"name": "RUN_DIR", "value": RUN_DIR},
        {"name": "SECRETS_DIR", "value": SECRETS_DIR},
        {"name": "SUPERUSER", "value": SUPERUSER},
        {"name": "APP_USER", "value": names.username},
        {"name": "APP_DATABASE", "value": names.database},
        {"name": "REPLICATION_USER", "value": REPLICATION_USER},
        {"name": "BACKUP_USER", "value": BACKUP_USER},
        {"name": "PRIMARY_HOST", "value": names.host},
    ]


def data_mounts() -> list[dict[str, Any]]:
    """The mounts the init container and the server share."""
    return [
        {"name": "data", "mountPath": DATA_MOUNT},
        {"name": "run", "mountPath": RUN_DIR},
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
        {"name": "secrets", "mountPath": SECRETS_DIR, "readOnly": True},
    ]


def server_args(names: Names, role: str) -> list[str]:
    """The ``postgres`` arguments; a replica streams from the primary with the replication passfile."""
    out = ["-D", PGDATA, "-c", f"config_file={CONFIG_DIR}/postgresql.conf"]
    if role == "replica":
        conninfo = (
            f"host={names.host} port={PORT} user={REPLICATION_USER} "
            f"passfile={RUN_DIR}/replication.pgpass application_name=$(POD_NAME)"
        )
        out += ["-c", f"primary_conninfo={conninfo}"]
    return out


def server_probes_and_lifecycle(args: StatefulDatabaseArgs) -> dict[str, Any]:
    """The server's startup, readiness and liveness probes and its preStop hook."""
    ready = ["pg_isready", "--quiet", f"--host={RUN_DIR}", f"--port={PORT}", "--dbname=postgres"]
    stop_timeout = max(5, args.termination_grace_period_seconds - 10)
    return {
        "startupProbe": {
            # listening (even while recovering) is enough to start: crash recovery may take long
            "exec": {
                "command": ["bash", "-c", f"pg_isready --quiet --host={RUN_DIR} --port={PORT}; [ $? -ne 2 ]"]
            },
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": 360,
        },
        "readinessProbe": {
            "exec": {"command": ready},
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": 3,
        },
        "livenessProbe": {
            # a busy server answers TCP even when it cannot take a connection: restart only a dead one
            "tcpSocket": {"port": "postgres"},
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": 6,
        },
        "lifecycle": {
            # Kubernetes sends SIGTERM (a "smart" shutdown that waits for clients): ask for a fast one
            "preStop": {
                "exec": {
                    "command": [
                        "bash",
                        "-c",
                        f"pg_ctl --pgdata={PGDATA} --mode=fast --wait --timeout={stop_timeout} stop",
                    ]
                }
            }
        },
    }


def server_container(names: Names, args: StatefulDatabaseArgs, role: str) -> dict[str, Any]:
    """The ``postgres`` container."""
    return {
        "name": "postgres",
        "image": args.image_ref,
        "imagePullPolicy": "Always",
        "command": ["postgres"],
        "args": server_args(names, role),
        "env": server_env(),
        "ports": [{"name": "postgres", "containerPort": PORT, "protocol": "TCP"}],
        "resources": args.resources.render(),
        "securityContext": restricted(uid=POSTGRES_UID),
        **server_probes_and_lifecycle(args),
        "volumeMounts": [*data_mounts(), {"name": "shm", "mountPath": "/dev/shm"}],
    }


def init_container(names: Names, args: StatefulDatabaseArgs, role: str) -> dict[str, Any]:
    """The ``init-data`` container running ``init-data.sh`` from the ConfigMap."""
    return {
        "name": "init-data",
        "image": args.image_ref,
        "imagePullPolicy": "Always",
        "command": ["bash", f"{CONFIG_DIR}/init-data.sh"],
        "env": init_env(names, args, role),
        "resources": args.resources.render(),
        "securityContext": restricted(uid=POSTGRES_UID),
        "volumeMounts": data_mounts(),
    }


def pod_volumes(names: Names, args: StatefulDatabaseArgs) -> list[dict[str, Any]]:
    """Scratch directories, shared memory, the config files and the three passwords as files."""
    secret_sources = [
        {"secret": {"name": secret, "items": [{"key": "password", "path": f"{folder}/password"}]}}
        for folder, secret in (
            ("app", names.app_secret),
            ("replication", names.replication_secret),
            ("backup", names.backup_secret),
        )
    ]
    shm_mib = max(64, args.resources.memory_mib // 4)
    return [
        {"name": "run", "emptyDir": {"sizeLimit": "64Mi"}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}},
        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": f"{shm_mib}Mi"}},
        {
            "name": "config",
            "configMap": {
                "name": names.config,
                "defaultMode": 0o444,
                "items": [
                    {"key": key, "path": key} for key in ("postgresql.conf", "pg_hba.conf", "init-data.sh")
                ],
            },
        },
        {"name": "secrets", "projected": {"defaultMode": 0o440, "sources": secret_sources}},
    ]


def anti_affinity(selector: dict[str, str]) -> dict[str, Any]:
    """Instances on different hosts (required) and zones (preferred)."""
    return {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "labelSelector": {"matchLabels": dict(selector)},
                    "topologyKey": "kubernetes.io/hostname",
                }
            ],
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": dict(selector)},
                        "topologyKey": "topology.kubernetes.io/zone",
                    },
                }
            ],
        }
    }


def pod_spec(names: Names, args: StatefulDatabaseArgs, selector: dict[str, str], role: str) -> dict[str, Any]:
    """The pod of one instance: non-root, no token, the init container and the server."""
    spec: dict[str, Any] = {
        "serviceAccountName": names.name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": pod_security_context(
            run_as_user=POSTGRES_UID, run_as_group=POSTGRES_UID, fs_group=POSTGRES_UID
        ),
        "terminationGracePeriodSeconds": args.termination_grace_period_seconds,
        "initContainers": [init_container(names, args, role)],
        "containers": [server_container(names, args, role)],
        "volumes": pod_volumes(names, args),
    }
    if args.priority_class_name:
        spec["priorityClassName"] = args.priority_class_name
    if args.replicas > 1:
        spec["affinity"] = anti_affinity(selector)
    return spec


def pod_annotations(args: StatefulDatabaseArgs) -> dict[str, str]:
    """Never disrupted by Karpenter; rolled when the credentials change.

    Generated passwords roll the pods when credentials_version is bumped; supplied ones when they
    change: the digest is the placeholder ``${credentials_digest}``, which the component fills in."""
    return {
        DO_NOT_DISRUPT: "true",
        **(
            {CREDENTIALS_ANNOTATION: str(args.credentials_version)}
            if args.credentials is None
            else {CREDENTIALS_DIGEST_ANNOTATION: "${credentials_digest}"}
        ),
    }


def volume_claim_template(
    names: Names, args: StatefulDatabaseArgs, selector: dict[str, str]
) -> dict[str, Any]:
    """The data volume of each instance."""
    return {
        "metadata": {"name": "data", "labels": dict(selector)},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": names.volume_storage_class,
            "resources": {"requests": {"storage": args.storage.size}},
        },
    }


def statefulset_spec(
    names: Names,
    args: StatefulDatabaseArgs,
    labels: dict[str, str],
    selector: dict[str, str],
    *,
    role: str,
    replicas: int,
) -> dict[str, Any]:
    """The spec of the ``primary`` or the ``replica`` StatefulSet (OrderedReady, PVCs retained)."""
    return {
        "replicas": replicas,
        "serviceName": names.headless,
        "podManagementPolicy": "OrderedReady",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "revisionHistoryLimit": 5,
        "minReadySeconds": 10,
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        "selector": {"matchLabels": {**selector, ROLE_LABEL: role}},
        "template": {
            "metadata": {"labels": {**labels, ROLE_LABEL: role}, "annotations": pod_annotations(args)},
            "spec": pod_spec(names, args, selector, role),
        },
        "volumeClaimTemplates": [volume_claim_template(names, args, selector)],
    }


__all__ = [
    "anti_affinity",
    "data_mounts",
    "init_container",
    "init_env",
    "pod_annotations",
    "pod_spec",
    "pod_volumes",
    "server_args",
    "server_container",
    "server_env",
    "server_probes_and_lifecycle",
    "statefulset_spec",
    "volume_claim_template",
]
