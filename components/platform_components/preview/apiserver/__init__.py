"""The Kubernetes API server's validation of core kinds, offline, beyond the OpenAPI schema.

The schema says which fields exist and their types; the API server then runs each kind's
``Validate<Kind>`` (``k8s.io/kubernetes/pkg/apis/<group>/validation``, with the helpers of
``k8s.io/apimachinery/pkg/api/validation`` and ``.../util/validation``) and refuses, among others,
bad label keys, selectors that do not match their template, unparseable quantities, duplicate
port names and a probe with two handlers. This package mirrors those functions, one module per
family of rules:

=================  ============================================================================
module             what it checks (upstream)
=================  ============================================================================
``metadata``       label and annotation keys and values, total annotation size, finalizers,
                   owner references (every kind), and the metadata of pod templates
``selectors``      label selectors: operators and values, match labels
``pods``           pod specs wherever they appear (Pod and every workload template): containers,
                   ports, env, resources, probes, lifecycle, volumes and mounts, security context,
                   restart policy
``workloads``      Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
                   CronJob: selector against
                   the template's labels, strategies, counts, schedule and time zone
``autoscaling``    HorizontalPodAutoscaler and PodDisruptionBudget numbers
``services``       Service ports and types
``networking``     NetworkPolicy peers, CIDRs and port ranges
``rbac``           Role/ClusterRole rules, RoleBinding/ClusterRoleBinding references and subjects
``configdata``     ConfigMap and Secret keys, sizes and Secret types
``scheduling``     PriorityClass values, LimitRange and ResourceQuota quantities
=================  ============================================================================

Each rule yields ``(field path, message)``; the messages are upstream's wording where it has one.
Where the server admits an object but would refuse what its controller creates from it (a
StatefulSet's Pods, the Jobs of a CronJob, the ReplicaSets of an Argo Rollout), the check goes on to
those objects and its message says so. A value of the wrong type is the schema's error and is left
alone here (every check reads the
object defensively), so a check never raises on a malformed object.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, Final

Check = Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]]
"""One rule family's validation of a whole object: yields ``(field path, message)``."""

ANY_KIND: Final = ("*", "*")

_CHECKS: dict[tuple[str, str], list[Check]] = {}

FAMILIES: Final = (
    "metadata",
    "selectors",
    "pods",
    "workloads",
    "autoscaling",
    "services",
    "networking",
    "rbac",
    "configdata",
    "scheduling",
)
"""The family modules, in the order their errors are reported."""


def register(*kinds: tuple[str, str]) -> Callable[[Check], Check]:
    """Register a check for ``(group, kind)`` pairs (``""`` is the core group; :data:`ANY_KIND`
    applies to every object, custom resources included)."""

    def decorate(check: Check) -> Check:
        for key in kinds:
            _CHECKS.setdefault(key, []).append(check)
        return check

    return decorate


@lru_cache(maxsize=1)
def _load_families() -> None:
    for family in FAMILIES:
        importlib.import_module(f"{__name__}.{family}")


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def checks_for(api_version: str, kind: str) -> list[Check]:
    _load_families()
    return _CHECKS.get(ANY_KIND, []) + _CHECKS.get((group_of(api_version), kind), [])


def object_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(field path, message)`` for everything the API server's validation of ``manifest``'s kind
    refuses beyond its schema and its name (:mod:`platform_components.preview.names`)."""
    for check in checks_for(str(manifest.get("apiVersion") or ""), str(manifest.get("kind") or "")):
        yield from check(manifest)


__all__ = ["ANY_KIND", "FAMILIES", "Check", "checks_for", "group_of", "object_errors", "register"]
