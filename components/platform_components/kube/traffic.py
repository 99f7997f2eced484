"""North-south routes (Gateway API ``HTTPRoute``) and mesh authorization derived from declared callers.

The NetworkPolicy (:mod:`platform_components.kube.netpol`) and the mesh authorization below are both
derived from the same :class:`~platform_components.kube.netpol.IngressRule` list, so they cannot disagree:
a caller that is not declared is denied by the network layer and by the mesh.

Caller identities: a ``workload`` caller is the ServiceAccount of that SecureWorkload (its name) in
the caller's namespace (default: the callee's); a ``namespace``-only caller is every identity of
that namespace; ``cidr`` callers are IP blocks (Istio only). ``pod_labels`` callers have no mesh
identity, so they are refused in a meshed namespace.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from typing import Any

from pydantic import Field, field_validator, model_validator

from .._base import StrictModel
from .names import check_dns1123_label, check_dns1123_subdomain
from .netpol import IngressRule

TRUST_DOMAIN = "cluster.local"
LINKERD_IDENTITY_SUFFIX = "serviceaccount.identity.linkerd.cluster.local"


class PathMatchType(enum.StrEnum):
    PATH_PREFIX = "PathPrefix"
    EXACT = "Exact"


class ParentRef(StrictModel):
    """The Gateway (or, for mesh routes, Service) a route attaches to."""

    name: str = Field(description="Name of the parent Gateway.")
    namespace: str | None = Field(default=None, description="Its namespace (default: the route's).")
    section_name: str | None = Field(default=None, description="Listener name on the Gateway.")
    kind: str = Field(default="Gateway", description="Gateway (north-south) or Service (GAMMA east-west).")

    @field_validator("name", "namespace")
    @classmethod
    def _names(cls, value: str | None) -> str | None:
        return check_dns1123_label(value) if value is not None else None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in ("Gateway", "Service"):
            raise ValueError(f"parent kind {value!r} must be Gateway or Service")
        return value

    def render(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "group": "gateway.networking.k8s.io" if self.kind == "Gateway" else "",
            "kind": self.kind,
            "name": self.name,
        }
        if self.namespace is not None:
            out["namespace"] = self.namespace
        if self.section_name is not None:
            out["sectionName"] = self.section_name
        return out


class PathMatch(StrictModel):
    path: str = Field(default="/", description="Path to match.")
    type: PathMatchType = Field(default=PathMatchType.PATH_PREFIX, description="PathPrefix or Exact.")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"route path {value!r} must start with '/'")
        return value


class Backend(StrictModel):
    """A second backend (e.g. a canary Service) that gets part of the traffic."""

    service: str = Field(description="Service name in the route's namespace.")
    port: int = Field(ge=1, le=65535, description="Service port.")
    weight: int = Field(ge=0, le=1000, description="Relative weight.")

    @field_validator("service")
    @classmethod
    def _service(cls, value: str) -> str:
        return check_dns1123_label(value)


class RouteArgs(StrictModel):
    """An HTTPRoute sending traffic for ``hostnames``/``paths`` to this workload's Service."""

    parent: ParentRef = Field(description="The Gateway the route attaches to.")
    hostnames: list[str] = Field(default_factory=list, description="Host names (empty: the Gateway's).")
    paths: list[PathMatch] = Field(default_factory=lambda: [PathMatch()], description="Path matches.")
    port: str | int | None = Field(
        default=None, description="Workload port (name or number); default: the first exposed."
    )
    weight: int = Field(default=100, ge=0, le=1000, description="Weight of this workload's Service.")
    secondary: Backend | None = Field(
        default=None, description="A second weighted backend (canary, migration)."
    )
    timeout: str | None = Field(default=None, description="Request timeout, e.g. '10s'.")

    @field_validator("hostnames")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            check_dns1123_subdomain(host.removeprefix("*."))
        return value

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^([0-9]{1,5}(h|m|s|ms)){1,4}$", value):
            raise ValueError(f"timeout {value!r} must be a Gateway API duration such as '10s' or '1m30s'")
        return value

    @model_validator(mode="after")
    def _weights(self) -> RouteArgs:
        total = self.weight + (self.secondary.weight if self.secondary else 0)
        if total == 0:
            raise ValueError("route weights add up to 0: no backend would receive traffic")
        return self


def http_route(
    name: str, namespace: str, route: RouteArgs, *, service_port: int, labels: dict[str, str]
) -> dict[str, Any]:
    backends: list[dict[str, Any]] = [{"name": name, "port": service_port, "weight": route.weight}]
    if route.secondary is not None:
        backends.append(
            {"name": route.secondary.service, "port": route.secondary.port, "weight": route.secondary.weight}
        )
    rule: dict[str, Any] = {
        "matches": [{"path": {"type": m.type.value, "value": m.path}} for m in route.paths],
        "backendRefs": backends,
    }
    if route.timeout is not None:
        rule["timeouts"] = {"request": route.timeout}
    spec: dict[str, Any] = {"parentRefs": [route.parent.render()], "rules": [rule]}
    if route.hostnames:
        spec["hostnames"] = list(route.hostnames)
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": spec,
    }


def caller_principal(rule: IngressRule, own_namespace: str) -> str | None:
    """The SPIFFE principal of a workload caller, None for namespace-wide or CIDR callers."""
    if rule.workload is None:
        return None
    return f"{TRUST_DOMAIN}/ns/{rule.namespace or own_namespace}/sa/{rule.workload}"


def istio_authorization(
    name: str,
    namespace: str,
    rules: Sequence[IngressRule],
    ports_of: Any,
    *,
    selector: dict[str, str],
    labels: dict[str, str],
) -> dict[str, Any]:
    """An ALLOW AuthorizationPolicy admitting exactly the declared callers on their ports.

    ``ports_of(rule)`` returns the port numbers a rule opens. Together with the namespace's
    allow-nothing policy, everything else is denied.
    """
    allow: list[dict[str, Any]] = []
    for rule in rules:
        source: dict[str, Any]
        principal = caller_principal(rule, namespace)
        if principal is not None:
            source = {"principals": [principal]}
        elif rule.cidr is not None:
            source = {"ipBlocks": [rule.cidr]}
        else:
            source = {"namespaces": [rule.namespace or namespace]}
        allow.append(
            {"from": [{"source": source}], "to": [{"operation": {"ports": [str(p) for p in ports_of(rule)]}}]}
        )
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {"selector": {"matchLabels": dict(selector)}, "action": "ALLOW", "rules": allow},
    }


def linkerd_identity(rule: IngressRule, own_namespace: str) -> str:
    namespace = rule.namespace or own_namespace
    account = rule.workload or "*"
    return f"{account}.{namespace}.{LINKERD_IDENTITY_SUFFIX}"


def linkerd_authorization(
    name: str,
    namespace: str,
    port_name: str,
    identities: Sequence[str],
    *,
    selector: dict[str, str],
    labels: dict[str, str],
) -> list[tuple[str, dict[str, Any]]]:
    """Server + MeshTLSAuthentication + AuthorizationPolicy for one port: only ``identities`` may call it."""
    base = f"{name}-{port_name}"
    meta = {"namespace": namespace, "labels": dict(labels)}
    return [
        (
            f"server-{port_name}",
            {
                "apiVersion": "policy.linkerd.io/v1beta3",
                "kind": "Server",
                "metadata": {"name": base, **meta},
                "spec": {"podSelector": {"matchLabels": dict(selector)}, "port": port_name},
            },
        ),
        (
            f"callers-{port_name}",
            {
                "apiVersion": "policy.linkerd.io/v1alpha1",
                "kind": "MeshTLSAuthentication",
                "metadata": {"name": f"{base}-callers", **meta},
                "spec": {"identities": sorted(set(identities))},
            },
        ),
        (
            f"authz-{port_name}",
            {
                "apiVersion": "policy.linkerd.io/v1alpha1",
                "kind": "AuthorizationPolicy",
                "metadata": {"name": base, **meta},
                "spec": {
                    "targetRef": {"group": "policy.linkerd.io", "kind": "Server", "name": base},
                    "requiredAuthenticationRefs": [
                        {
                            "group": "policy.linkerd.io",
                            "kind": "MeshTLSAuthentication",
                            "name": f"{base}-callers",
                        }
                    ],
                },
            },
        ),
    ]


__all__ = [
    "Backend",
    "ParentRef",
    "PathMatch",
    "PathMatchType",
    "RouteArgs",
    "http_route",
    "istio_authorization",
    "linkerd_authorization",
    "linkerd_identity",
]
