"""The backup and restore-test jobs of a database: their ServiceAccounts, NetworkPolicies and CronJobs.

Pure builders from the database's names and arguments to manifests. The AWS-derived values (bucket,
key) are the placeholders ``${bucket}`` and ``${key_arn}``; the component replaces them with Outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..kube import labels as lbl
from ..kube.netpol import network_policy_spec
from ..kube.security import pod_security_context
from ..namespace import MeshMode
from ..versions import AWS_CLI_IMAGE
from .args import StatefulDatabaseArgs
from .config_files import BACKUP_UPLOAD_SCRIPT, RESTORE_DOWNLOAD_SCRIPT
from .constants import BACKUP_USER, CONFIG_DIR, POD_IDENTITY_AGENT, PORT, POSTGRES_UID, SECRETS_DIR
from .hardening import checkov_skips, restricted
from .names import Names

Rule = tuple[dict[str, Any], list[dict[str, Any]]]
"""A NetworkPolicy peer and its ports, as network_policy_spec takes them."""


@dataclass(frozen=True)
class JobContainer:
    """One container of a job; each also mounts the job's scratch volume and ``/tmp``."""

    name: str
    image: str
    command: list[str]
    env: list[dict[str, Any]]
    extra_mounts: list[dict[str, Any]] = field(default_factory=list)
    uid: int = POSTGRES_UID


@dataclass(frozen=True)
class ScratchVolume:
    """The job's ephemeral volume (``WORK_DIR``), provisioned from the database's storage class."""

    name: str
    path: str
    size: str
    storage_class: str


def job_labels(job: str, component: str, args: StatefulDatabaseArgs) -> dict[str, str]:
    return lbl.standard_labels(
        job, component=component, part_of=args.namespace, version=args.version.value, extra=args.labels
    )


def aws_env(names: Names) -> list[dict[str, Any]]:
    """The environment of the AWS CLI containers (``backup-upload.sh``, ``restore-download.sh``)."""
    return [
        {"name": "BUCKET", "value": "${bucket}"},
        {"name": "PREFIX", "value": names.prefix},
        {"name": "KMS_KEY_ARN", "value": "${key_arn}"},
        {"name": "DB_NAME", "value": names.database},
        {"name": "HOME", "value": "/tmp"},
        {"name": "AWS_RETRY_MODE", "value": "standard"},
        {"name": "AWS_MAX_ATTEMPTS", "value": "10"},
    ]


def dump_env(names: Names) -> list[dict[str, Any]]:
    """The environment of ``backup-dump.sh``."""
    return [
        {"name": "PGPORT", "value": str(PORT)},
        {"name": "DB_NAME", "value": names.database},
        {"name": "DB_HOST", "value": names.host},
        {"name": "BACKUP_USER", "value": BACKUP_USER},
        {"name": "SECRETS_DIR", "value": SECRETS_DIR},
        {"name": "HOME", "value": "/tmp"},
    ]


def check_env(names: Names, args: StatefulDatabaseArgs) -> list[dict[str, Any]]:
    """The environment of ``restore-check.sh`` (``CHECK_QUERY`` only when there is one)."""
    test = args.backup.restore_test
    env = [
        {"name": "DB_NAME", "value": names.database},
        {"name": "MAX_AGE_HOURS", "value": str(test.max_age_hours)},
        {"name": "HOME", "value": "/tmp"},
    ]
    if test.check_query:
        env.append({"name": "CHECK_QUERY", "value": test.check_query})
    return env


def job_egress(names: Names, suffix: str) -> list[Rule]:
    """HTTPS anywhere (S3, STS), the Pod Identity agent, and for the backup job the database itself."""
    egress: list[Rule] = [
        ({"ipBlock": {"cidr": "0.0.0.0/0"}}, [{"port": 443, "protocol": "TCP"}]),
        ({"ipBlock": {"cidr": "::/0"}}, [{"port": 443, "protocol": "TCP"}]),
        *[({"ipBlock": {"cidr": cidr}}, [{"port": 80, "protocol": "TCP"}]) for cidr in POD_IDENTITY_AGENT],
    ]
    if suffix == "backup":
        database = {"podSelector": {"matchLabels": lbl.selector_labels(names.name)}}
        egress.insert(0, (database, [{"port": PORT, "protocol": "TCP"}]))
    return egress


def job_identity_objects(
    names: Names, args: StatefulDatabaseArgs, job: str, suffix: str
) -> dict[str, dict[str, Any]]:
    """The job's ServiceAccount (``<suffix>-sa``) and NetworkPolicy (``<suffix>-netpol``)."""
    labels = job_labels(job, suffix, args)
    metadata = {"name": job, "namespace": args.namespace, "labels": labels}
    return {
        f"{suffix}-sa": {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": dict(metadata),
            "automountServiceAccountToken": False,
        },
        f"{suffix}-netpol": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": dict(metadata),
            "spec": network_policy_spec(
                pod_labels=lbl.selector_labels(job),
                ingress=[],
                egress=job_egress(names, suffix),
                allow_dns=True,
            ),
        },
    }


def config_volume(names: Names, script: str) -> dict[str, Any]:
    """The ConfigMap volume carrying one script."""
    return {
        "name": "config",
        "configMap": {
            "name": names.config,
            "defaultMode": 0o444,
            "items": [{"key": script, "path": script}],
        },
    }


def backup_password_volume(names: Names) -> dict[str, Any]:
    """The backup role's password as a file, ``backup/password``."""
    return {
        "name": "secrets",
        "projected": {
            "defaultMode": 0o440,
            "sources": [
                {
                    "secret": {
                        "name": names.backup_secret,
                        "items": [{"key": "password", "path": "backup/password"}],
                    }
                }
            ],
        },
    }


def job_container(spec: JobContainer, scratch: ScratchVolume) -> dict[str, Any]:
    return {
        "name": spec.name,
        "image": spec.image,
        "imagePullPolicy": "Always",
        "command": spec.command,
        "env": [{"name": "WORK_DIR", "value": scratch.path}, *spec.env],
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
        "securityContext": restricted(uid=spec.uid),
        "volumeMounts": [
            {"name": scratch.name, "mountPath": scratch.path},
            {"name": "tmp", "mountPath": "/tmp"},
            *spec.extra_mounts,
        ],
    }


def scratch_volume(job: str, scratch: ScratchVolume) -> dict[str, Any]:
    """The ephemeral volume of one job run (deleted with its pod)."""
    return {
        "name": scratch.name,
        "ephemeral": {
            "volumeClaimTemplate": {
                "metadata": {"labels": lbl.selector_labels(job)},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": scratch.storage_class,
                    "resources": {"requests": {"storage": scratch.size}},
                },
            }
        },
    }


def job_pod_spec(
    job: str,
    args: StatefulDatabaseArgs,
    scratch: ScratchVolume,
    containers: tuple[JobContainer, JobContainer],
    volumes: list[dict[str, Any]],
) -> dict[str, Any]:
    """The job's pod: the first container as an init container, the second as the main one."""
    first, second = containers
    spec: dict[str, Any] = {
        "serviceAccountName": job,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "restartPolicy": "Never",
        "securityContext": {
            **pod_security_context(
                run_as_user=POSTGRES_UID, run_as_group=POSTGRES_UID, fs_group=POSTGRES_UID
            ),
        },
        "initContainers": [job_container(first, scratch)],
        "containers": [job_container(second, scratch)],
        "volumes": [
            scratch_volume(job, scratch),
            {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}},
            *volumes,
        ],
    }
    if args.backup_priority_class_name:
        spec["priorityClassName"] = args.backup_priority_class_name
    return spec


def job_pod_annotations(mesh: MeshMode) -> dict[str, str]:
    """Jobs must finish even in a sidecar mesh: run the proxy as a native sidecar (it stops with the job)."""
    if mesh is MeshMode.ISTIO_SIDECAR:
        return {"sidecar.istio.io/nativeSidecar": "true"}
    if mesh is MeshMode.LINKERD:
        return {"config.alpha.linkerd.io/proxy-enable-native-sidecar": "true"}
    return {}


def cronjob(
    job: str,
    args: StatefulDatabaseArgs,
    labels: dict[str, str],
    mesh: MeshMode,
    *,
    schedule: str,
    pod_spec: dict[str, Any],
) -> dict[str, Any]:
    """A CronJob around a job pod: UTC, never concurrent, bounded in time and history."""
    template_meta: dict[str, Any] = {"labels": dict(labels)}
    pod_annotations = job_pod_annotations(mesh)
    if pod_annotations:
        template_meta["annotations"] = pod_annotations
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": job,
            "namespace": args.namespace,
            "labels": dict(labels),
            "annotations": checkov_skips(args),
        },
        "spec": {
            "schedule": schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "backoffLimit": 2,
                    "activeDeadlineSeconds": 6 * 3600,
                    "ttlSecondsAfterFinished": 7 * 86400,
                    "template": {"metadata": template_meta, "spec": pod_spec},
                },
            },
        },
    }


def backup_cronjob(names: Names, args: StatefulDatabaseArgs, mesh: MeshMode) -> dict[str, Any]:
    """``pg_dump`` into the scratch volume (PostgreSQL image), then the upload (AWS CLI image)."""
    scratch = ScratchVolume(
        "backup", "/backup", f"{max(1, args.storage.size_gib)}Gi", names.volume_storage_class
    )
    dump = JobContainer(
        name="dump",
        image=args.image_ref,
        command=["bash", f"{CONFIG_DIR}/backup-dump.sh"],
        env=dump_env(names),
        extra_mounts=[
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "secrets", "mountPath": SECRETS_DIR, "readOnly": True},
        ],
    )
    upload = JobContainer(
        name="upload",
        image=AWS_CLI_IMAGE,
        command=["/bin/sh", "-c", BACKUP_UPLOAD_SCRIPT],
        env=aws_env(names),
    )
    volumes = [config_volume(names, "backup-dump.sh"), backup_password_volume(names)]
    pod = job_pod_spec(names.backup, args, scratch, (dump, upload), volumes)
    labels = job_labels(names.backup, "backup", args)
    return cronjob(names.backup, args, labels, mesh, schedule=args.backup.schedule, pod_spec=pod)


def restore_test_cronjob(names: Names, args: StatefulDatabaseArgs, mesh: MeshMode) -> dict[str, Any]:
    """The download of the latest backup (AWS CLI image), then the restore and its checks."""
    scratch = ScratchVolume(
        "restore", "/restore", f"{max(2, 2 * args.storage.size_gib)}Gi", names.volume_storage_class
    )
    download = JobContainer(
        name="download",
        image=AWS_CLI_IMAGE,
        command=["/bin/sh", "-c", RESTORE_DOWNLOAD_SCRIPT],
        env=aws_env(names),
    )
    check = JobContainer(
        name="restore-check",
        image=args.image_ref,
        command=["bash", f"{CONFIG_DIR}/restore-check.sh"],
        env=check_env(names, args),
        extra_mounts=[{"name": "config", "mountPath": CONFIG_DIR, "readOnly": True}],
    )
    pod = job_pod_spec(
        names.restore_test, args, scratch, (download, check), [config_volume(names, "restore-check.sh")]
    )
    labels = job_labels(names.restore_test, "restore-test", args)
    schedule = args.backup.restore_test.schedule
    return cronjob(names.restore_test, args, labels, mesh, schedule=schedule, pod_spec=pod)


def backup_objects(names: Names, args: StatefulDatabaseArgs, mesh: MeshMode) -> dict[str, dict[str, Any]]:
    """Every object of the backup jobs, keyed by child role suffix, in creation order."""
    out: dict[str, dict[str, Any]] = {}
    for job, suffix in ((names.backup, "backup"), (names.restore_test, "restore-test")):
        out.update(job_identity_objects(names, args, job, suffix))
    out["backup"] = backup_cronjob(names, args, mesh)
    if args.backup.restore_test.enabled:
        out["restore-test"] = restore_test_cronjob(names, args, mesh)
    return out


__all__ = [
    "JobContainer",
    "Rule",
    "ScratchVolume",
    "aws_env",
    "backup_cronjob",
    "backup_objects",
    "backup_password_volume",
    "check_env",
    "config_volume",
    "cronjob",
    "dump_env",
    "job_container",
    "job_egress",
    "job_identity_objects",
    "job_labels",
    "job_pod_annotations",
    "job_pod_spec",
    "restore_test_cronjob",
    "scratch_volume",
]
