"""Register a rendered manifest as the matching ``pulumi_kubernetes`` resource.

Components render plain manifests first (pure, testable, checked before anything is registered)
and then register them here. Top-level manifest fields become the SDK's keyword arguments
(``automountServiceAccountToken`` -> ``automount_service_account_token``); values may be Outputs.
Kinds without a typed SDK class here are registered as ``CustomResource`` (``spec`` only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

TYPED: dict[str, Any] = {
    "ServiceAccount": k8s.core.v1.ServiceAccount,
    "ConfigMap": k8s.core.v1.ConfigMap,
    "Secret": k8s.core.v1.Secret,
    "Service": k8s.core.v1.Service,
    "Namespace": k8s.core.v1.Namespace,
    "ResourceQuota": k8s.core.v1.ResourceQuota,
    "LimitRange": k8s.core.v1.LimitRange,
    "Deployment": k8s.apps.v1.Deployment,
    "StatefulSet": k8s.apps.v1.StatefulSet,
    "CronJob": k8s.batch.v1.CronJob,
    "PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "NetworkPolicy": k8s.networking.v1.NetworkPolicy,
    "StorageClass": k8s.storage.v1.StorageClass,
    "PriorityClass": k8s.scheduling.v1.PriorityClass,
    "Role": k8s.rbac.v1.Role,
    "RoleBinding": k8s.rbac.v1.RoleBinding,
}
"""Core kinds by ``kind`` (each in the one API version the components render)."""

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def create_object(logical: str, manifest: Mapping[str, Any], opts: pulumi.ResourceOptions) -> pulumi.Resource:
    """Register ``manifest`` under the logical name ``logical``."""
    kind = manifest["kind"]
    sdk = TYPED.get(kind)
    if sdk is None:
        return k8s.apiextensions.CustomResource(
            logical,
            api_version=manifest["apiVersion"],
            kind=kind,
            metadata=manifest["metadata"],
            spec=manifest["spec"],
            opts=opts,
        )
    fields = {
        _CAMEL.sub("_", key).lower(): value
        for key, value in manifest.items()
        if key not in ("apiVersion", "kind")
    }
    resource: pulumi.Resource = sdk(logical, **fields, opts=opts)
    return resource


def add_annotations(manifests: Iterable[Mapping[str, Any]], annotations: Mapping[str, Any]) -> None:
    """Merge ``annotations`` into ``metadata.annotations`` of every manifest, in place (keys already
    there keep their position)."""
    if not annotations:
        return
    for manifest in manifests:
        metadata = manifest["metadata"]
        metadata["annotations"] = {**(metadata.get("annotations") or {}), **annotations}


__all__ = ["TYPED", "add_annotations", "create_object"]
