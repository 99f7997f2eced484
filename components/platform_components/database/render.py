"""Rendering: the arguments of a StatefulDatabase to its Kubernetes manifests (pure; no Pulumi).

:func:`render_database` lists the objects in creation order; each comes from a builder here, from
:mod:`.statefulset` (the StatefulSet specs) or from :mod:`.backup_jobs` (the backup CronJobs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError
from ..kube import labels as lbl
from ..kube.netpol import IngressRule, network_policy_spec
from ..kube.objects import add_annotations
from ..kube.traffic import istio_authorization, linkerd_authorization, linkerd_identity
from ..namespace import MeshMode
from ..policies.base import exemption_annotations
from ..policies.tenancy import MESH_ANNOTATION
from ..refs import ExternalRef, externals_annotations
from .args import StatefulDatabaseArgs
from .backup_jobs import backup_objects
from .config_files import BACKUP_DUMP_SCRIPT, INIT_SCRIPT, PG_HBA, RESTORE_CHECK_SCRIPT, postgresql_conf
from .constants import PORT, ROLE_LABEL
from .hardening import checkov_skips
from .names import Names
from .statefulset import statefulset_spec


def metadata(
    name: str, args: StatefulDatabaseArgs, labels: dict[str, str], annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    """Name, namespace, a copy of the labels, and the annotations when there are any."""
    out: dict[str, Any] = {"name": name, "namespace": args.namespace, "labels": dict(labels)}
    if annotations:
        out["annotations"] = annotations
    return out


def service_account(names: Names, args: StatefulDatabaseArgs, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(names.name, args, labels),
        "automountServiceAccountToken": False,
    }


def config_map(names: Names, args: StatefulDatabaseArgs, labels: dict[str, str]) -> dict[str, Any]:
    """``<name>-config``: postgresql.conf, pg_hba.conf and the scripts the PostgreSQL image runs."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(names.config, args, labels),
        "data": {
            "postgresql.conf": postgresql_conf(args),
            "pg_hba.conf": PG_HBA,
            "init-data.sh": INIT_SCRIPT,
            "backup-dump.sh": BACKUP_DUMP_SCRIPT,
            "restore-check.sh": RESTORE_CHECK_SCRIPT,
        },
    }


def credential_secrets(
    names: Names, args: StatefulDatabaseArgs, labels: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """The three Secrets, without data (the component fills it with Pulumi secrets)."""
    return {
        suffix: {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata(secret_name, args, labels),
            "type": "Opaque",
        }
        for suffix, secret_name in (
            ("app-credentials", names.app_secret),
            ("replication-credentials", names.replication_secret),
            ("backup-credentials", names.backup_secret),
        )
    }


def headless_service(
    names: Names, args: StatefulDatabaseArgs, labels: dict[str, str], selector: dict[str, str]
) -> dict[str, Any]:
    """The stable identities of every instance (both StatefulSets)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(names.headless, args, labels),
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": dict(selector),
            "ports": [{"name": "postgres", "port": PORT, "targetPort": "postgres", "protocol": "TCP"}],
        },
    }


def client_service(
    name: str, args: StatefulDatabaseArgs, labels: dict[str, str], selector: dict[str, str]
) -> dict[str, Any]:
    """A ClusterIP Service the clients connect to (the primary, or the read-only replicas)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(name, args, labels),
        "spec": {
            "type": "ClusterIP",
            "selector": selector,
            "ports": [{"name": "postgres", "port": PORT, "targetPort": "postgres", "protocol": "TCP"}],
        },
    }


def dedicated_storage_class(
    names: Names, args: StatefulDatabaseArgs, labels: dict[str, str]
) -> dict[str, Any]:
    """The encrypted gp3 class with the requested IOPS and throughput (reclaim policy Retain)."""
    parameters = {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}
    if args.storage.iops is not None:
        parameters["iops"] = str(args.storage.iops)
    if args.storage.throughput is not None:
        parameters["throughput"] = str(args.storage.throughput)
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": names.storage_class, "labels": dict(labels)},
        "provisioner": "ebs.csi.aws.com",
        "parameters": parameters,
        "reclaimPolicy": "Retain",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


def statefulset_annotations(args: StatefulDatabaseArgs, recorded_mesh: MeshMode | None) -> dict[str, str]:
    """The checkov skips, and the mesh mode when it was given without the namespace's MeshNamespace."""
    annotations = checkov_skips(args)
    if recorded_mesh is not None:
        annotations[MESH_ANNOTATION] = recorded_mesh.value
    return annotations


def statefulsets(
    names: Names,
    args: StatefulDatabaseArgs,
    labels: dict[str, str],
    selector: dict[str, str],
    annotations: dict[str, str],
) -> dict[str, dict[str, Any]]:
    """``primary`` (one instance) and, with ``replicas > 1``, ``replica`` (the others)."""
    roles = [("primary", names.primary, 1)]
    if args.replicas > 1:
        roles.append(("replica", names.replica, args.replicas - 1))
    return {
        role: {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": metadata(object_name, args, labels, annotations),
            "spec": statefulset_spec(names, args, labels, selector, role=role, replicas=replicas),
        }
        for role, object_name, replicas in roles
    }


def pod_disruption_budget(
    names: Names, args: StatefulDatabaseArgs, labels: dict[str, str], selector: dict[str, str]
) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(names.name, args, labels),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(selector)}},
    }


def network_policy(
    names: Names, args: StatefulDatabaseArgs, labels: dict[str, str], selector: dict[str, str]
) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(names.name, args, labels),
        "spec": database_network_policy(names, args, selector),
    }


def database_network_policy(
    names: Names, args: StatefulDatabaseArgs, selector: dict[str, str]
) -> dict[str, Any]:
    """Port 5432 from the declared clients, the other instances and the backup job; nothing else."""
    port = [{"port": PORT, "protocol": "TCP"}]
    ingress: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [(c.render(), port) for c in args.clients]
    if args.replicas > 1:
        ingress.append(({"podSelector": {"matchLabels": dict(selector)}}, port))
    egress: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    if args.backup.enabled:
        ingress.append(({"podSelector": {"matchLabels": lbl.selector_labels(names.backup)}}, port))
    if args.replicas > 1:
        egress.append(({"podSelector": {"matchLabels": dict(selector)}}, port))
    return network_policy_spec(pod_labels=selector, ingress=ingress, egress=egress, allow_dns=True)


def callers(names: Names, args: StatefulDatabaseArgs) -> list[IngressRule]:
    """Everything that may connect to 5432, as mesh identities: clients, the database's own pods
    (replication) and the backup job."""
    rules = [
        IngressRule.model_validate({**c.model_dump(exclude_defaults=True), "ports": [PORT]})
        for c in args.clients
    ]
    if args.replicas > 1:
        rules.append(IngressRule(workload=names.name, ports=[PORT]))
    if args.backup.enabled:
        rules.append(IngressRule(workload=names.backup, ports=[PORT]))
    return rules


def mesh_objects(
    names: Names, args: StatefulDatabaseArgs, mesh: MeshMode, labels: dict[str, str], selector: dict[str, str]
) -> list[tuple[str, dict[str, Any]]]:
    """The mesh authorization of port 5432 (Istio or Linkerd), keyed by child role suffix."""
    if mesh not in (MeshMode.ISTIO_AMBIENT, MeshMode.ISTIO_SIDECAR, MeshMode.LINKERD):
        return []
    rules = callers(names, args)
    for index, client in enumerate(args.clients):
        if client.pod_labels:
            raise ConfigError(
                f"StatefulDatabase {names.name}: clients[{index}] names pods by pod_labels, which have no mesh "
                f"identity in a {mesh.value} namespace; name the client workload (or its namespace) instead"
            )
    if not rules:
        return []
    if mesh is not MeshMode.LINKERD:
        return [
            (
                "authz",
                istio_authorization(
                    names.name, args.namespace, rules, lambda _r: [PORT], selector=selector, labels=labels
                ),
            )
        ]
    identities = [linkerd_identity(rule, args.namespace) for rule in rules]
    return linkerd_authorization(
        names.name, args.namespace, "postgres", identities, selector=selector, labels=labels
    )


def render_database(
    name: str,
    args: StatefulDatabaseArgs,
    *,
    mesh: MeshMode = MeshMode.NONE,
    externals: Sequence[ExternalRef] = (),
    recorded_mesh: MeshMode | None = None,
) -> dict[str, dict[str, Any]]:
    """Every Kubernetes object of a StatefulDatabase as a manifest, keyed by child role suffix.

    Secrets are rendered without data (the component fills it with Pulumi secrets). Backup objects
    are included when ``args.backup.enabled``; their AWS-derived values (bucket, key, role) are
    placeholders ``${...}`` the component replaces with Outputs. The declared ``externals`` (clients
    deployed by other programs) are recorded on the NetworkPolicy, ``recorded_mesh`` (a mode given
    without the namespace's MeshNamespace) on the StatefulSets.
    """
    names = Names(name, args)
    common = lbl.standard_labels(
        name, component="database", part_of=args.namespace, version=args.version.value, extra=args.labels
    )
    selector = lbl.selector_labels(name)
    out: dict[str, dict[str, Any]] = {
        "sa": service_account(names, args, common),
        "config": config_map(names, args, common),
        **credential_secrets(names, args, common),
        "headless": headless_service(names, args, common, selector),
        "service": client_service(names.primary, args, common, {**selector, ROLE_LABEL: "primary"}),
    }
    if args.replicas > 1:
        out["ro-service"] = client_service(names.read_only, args, common, {**selector, ROLE_LABEL: "replica"})
    if args.storage.dedicated_class:
        out["storage-class"] = dedicated_storage_class(names, args, common)
    annotations = statefulset_annotations(args, recorded_mesh)
    out.update(statefulsets(names, args, common, selector, annotations))
    out["pdb"] = pod_disruption_budget(names, args, common, selector)
    out["netpol"] = network_policy(names, args, common, selector)
    out.update(mesh_objects(names, args, mesh, common, selector))
    if args.backup.enabled:
        out.update(backup_objects(names, args, mesh))
    # a rule may fire on any child (a Service, the NetworkPolicy, a CronJob ...), so each carries them
    add_annotations(out.values(), exemption_annotations(args.policy_exemptions))
    add_annotations([out["netpol"]], externals_annotations(externals, args.namespace))
    return out


__all__ = [
    "callers",
    "client_service",
    "config_map",
    "credential_secrets",
    "database_network_policy",
    "dedicated_storage_class",
    "headless_service",
    "mesh_objects",
    "metadata",
    "network_policy",
    "pod_disruption_budget",
    "render_database",
    "service_account",
    "statefulset_annotations",
    "statefulsets",
]
