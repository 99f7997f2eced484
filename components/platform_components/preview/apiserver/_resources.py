"""Resource names, as ``k8s.io/kubernetes/pkg/apis/core/helper`` classifies them (shared by the
container resources of pods, HPA container-resource metrics and ResourceQuota/LimitRange values)."""

from __future__ import annotations

from typing import Final

from ._validation import is_qualified_name

STANDARD_CONTAINER_RESOURCES: Final = frozenset({"cpu", "memory", "ephemeral-storage"})
"""``helper.standardContainerResources``."""
INTEGER_RESOURCES: Final = frozenset(
    {
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    }
)
"""``helper.integerResources``: counted in whole objects."""
STANDARD_RESOURCES: Final = (
    STANDARD_CONTAINER_RESOURCES
    | INTEGER_RESOURCES
    | frozenset(
        {
            "requests.cpu",
            "requests.memory",
            "requests.ephemeral-storage",
            "limits.cpu",
            "limits.memory",
            "limits.ephemeral-storage",
            "storage",
            "requests.storage",
        }
    )
)
"""``helper.standardResources``."""


def is_native_resource(name: str) -> bool:
    """``helper.IsNativeResource``: no domain, or a ``kubernetes.io/`` one."""
    return "/" not in name or "kubernetes.io/" in name


def is_extended_resource_name(name: str) -> bool:
    """``helper.IsExtendedResourceName``: not native, not ``requests.``-prefixed, and
    ``requests.<name>`` a qualified name."""
    if is_native_resource(name) or name.startswith("requests."):
        return False
    return not is_qualified_name("requests." + name)


def is_overcommit_allowed(name: str) -> bool:
    """``helper.IsOvercommitAllowed``: native and not huge pages."""
    return is_native_resource(name) and not name.startswith("hugepages-")


__all__ = [
    "INTEGER_RESOURCES",
    "STANDARD_CONTAINER_RESOURCES",
    "STANDARD_RESOURCES",
    "is_extended_resource_name",
    "is_native_resource",
    "is_overcommit_allowed",
]
