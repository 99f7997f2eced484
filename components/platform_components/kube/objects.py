"""Register a rendered manifest as the matching ``pulumi_kubernetes`` resource.

Components render plain manifests first (pure, testable, checked before anything is registered)
and then register them here. Top-level manifest fields become the SDK's keyword arguments
(``automountServiceAccountToken`` -> ``automount_service_account_token``); values may be Outputs.
Kinds without a typed SDK class here are registered as ``CustomResource`` (``spec`` only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import pulumi
import pulumi_kubernetes as k8s

_TYPED_CLASSES: Final = {
    "ServiceAccount": "core.v1",
    "ConfigMap": "core.v1",
    "Secret": "core.v1",
    "Service": "core.v1",
    "Namespace": "core.v1",
    "ResourceQuota": "core.v1",
    "LimitRange": "core.v1",
    "Deployment": "apps.v1",
    "StatefulSet": "apps.v1",
    "CronJob": "batch.v1",
    "PodDisruptionBudget": "policy.v1",
    "HorizontalPodAutoscaler": "autoscaling.v2",
    "NetworkPolicy": "networking.v1",
    "StorageClass": "storage.v1",
    "PriorityClass": "scheduling.v1",
    "Role": "rbac.v1",
    "RoleBinding": "rbac.v1",
}


class _TypedKinds(Mapping[str, Any]):
    """``kind`` -> its ``pulumi_kubernetes`` class, imported on first use: each API group's module
    costs 30-100 ms to import (its typed Args and outputs), and a program that renders no
    ``CronJob`` or ``Role`` never pays for ``batch/v1`` or ``rbac/v1``."""

    def __getitem__(self, kind: str) -> Any:
        module: Any = k8s
        for part in _TYPED_CLASSES[kind].split("."):
            module = getattr(module, part)
        return getattr(module, kind)

    def __iter__(self) -> Iterator[str]:
        return iter(_TYPED_CLASSES)

    def __len__(self) -> int:
        return len(_TYPED_CLASSES)


TYPED: Mapping[str, Any] = _TypedKinds()
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
