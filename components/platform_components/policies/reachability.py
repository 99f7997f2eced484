"""NetworkPolicy reachability: may this pod open this connection to that pod, given these policies?

The evaluator follows the Kubernetes NetworkPolicy semantics (API reference ``networking.k8s.io/v1``
NetworkPolicy, and https://kubernetes.io/docs/concepts/services-networking/network-policies/):

* A policy applies to the pods of **its own namespace** that its ``spec.podSelector`` selects (an
  empty selector selects every pod of the namespace).
* ``spec.policyTypes`` says which directions the policy isolates. Unset, it is ``[Ingress]`` plus
  ``Egress`` when the policy has an ``egress`` section ("all policies (whether or not they contain
  an ingress section) are assumed to affect ingress").
* A pod is **isolated** for a direction when at least one policy selecting it has that type; a pod
  that no such policy selects allows everything in that direction. Policies are additive: an
  isolated pod allows what the union of the rules of the policies selecting it allows.
* A connection is allowed only if the **egress** side of the source pod and the **ingress** side of
  the destination pod both allow it.
* A rule with no ``from`` / ``to`` (or an empty list) matches every peer; with peers, any one peer
  must match. A peer's ``podSelector`` alone selects pods of the policy's namespace; its
  ``namespaceSelector`` alone every pod of the matching namespaces; both together the matching pods
  in the matching namespaces. ``ipBlock`` matches a pod only when the pod's IP is given, lies in
  ``cidr`` and in none of ``except`` (the docs leave ipBlock for pod IPs to the implementation and
  advise cluster-external IPs: without an IP, the peer does not match).
* A rule with no ``ports`` (or an empty list) matches every port and protocol; otherwise any entry
  must match: ``protocol`` (default TCP), ``port`` absent (every port of the protocol), a number
  (with ``endPort``: the inclusive range), or a name, resolved against the **destination** pod's
  container ports (name and protocol), for ingress and egress alike.
* Label selectors: ``matchLabels`` and ``matchExpressions`` are ANDed; operators ``In``, ``NotIn``
  (a pod without the key matches), ``Exists`` and ``DoesNotExist``; an empty selector matches all.
  Namespaces always carry ``kubernetes.io/metadata.name`` (set by the API server since 1.22).

Usage::

    verdict = evaluate(policies, Connection(src, dst, 6379))
    assert verdict.allowed, verdict.reason
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})


class PolicyError(ValueError):
    """A NetworkPolicy the API server would refuse (the evaluator does not guess its meaning)."""


@dataclass(frozen=True)
class ContainerPort:
    """A port a pod's containers declare (``ports[]`` of a container)."""

    port: int
    name: str | None = None
    protocol: str = "TCP"


@dataclass(frozen=True)
class Pod:
    """A pod as the evaluator sees it: namespace, labels, declared ports and (optionally) its IP."""

    name: str
    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)
    ports: Sequence[ContainerPort] = ()
    ip: str | None = None

    def named_port(self, name: str, protocol: str) -> int | None:
        for port in self.ports:
            if port.name == name and port.protocol == protocol:
                return port.port
        return None

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Connection:
    """``src`` opens a connection to ``dst`` on ``port`` (the destination pod's port) over ``protocol``."""

    src: Pod
    dst: Pod
    port: int
    protocol: str = "TCP"

    def __str__(self) -> str:
        return f"{self.src} -> {self.dst}:{self.port}/{self.protocol}"


@dataclass(frozen=True)
class Verdict:
    """Whether the connection is allowed, and why (the policies that isolate and allow each side)."""

    allowed: bool
    egress_allowed: bool
    ingress_allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


# --------------------------------------------------------------------------------------------------
# Selectors


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A ``LabelSelector`` against labels; ``{}`` matches everything. ``None`` is not a selector."""
    if selector is None:
        raise PolicyError("a missing selector matches nothing; callers decide what absence means")
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key = expression.get("key")
        operator = expression.get("operator")
        values = list(expression.get("values") or [])
        if not key or operator not in _OPERATORS:
            raise PolicyError(
                f"matchExpressions entry {expression!r}: key and operator In/NotIn/Exists/DoesNotExist"
            )
        if operator in ("In", "NotIn") and not values:
            raise PolicyError(f"matchExpressions entry {expression!r}: {operator} needs values")
        if operator in ("Exists", "DoesNotExist") and values:
            raise PolicyError(f"matchExpressions entry {expression!r}: {operator} takes no values")
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


# --------------------------------------------------------------------------------------------------
# Policies


def _spec(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    if policy.get("kind") != "NetworkPolicy":
        raise PolicyError(f"not a NetworkPolicy: {policy.get('kind')!r}")
    spec = policy.get("spec")
    if not isinstance(spec, Mapping) or not isinstance(spec.get("podSelector"), Mapping):
        raise PolicyError(f"NetworkPolicy {_name(policy)}: spec.podSelector is required")
    return spec


def _name(policy: Mapping[str, Any]) -> str:
    metadata = policy.get("metadata") or {}
    return f"{metadata.get('namespace', '?')}/{metadata.get('name', '?')}"


def _namespace(policy: Mapping[str, Any]) -> str:
    namespace = (policy.get("metadata") or {}).get("namespace")
    if not namespace:
        raise PolicyError(f"NetworkPolicy {_name(policy)}: metadata.namespace is required")
    return str(namespace)


def policy_types(policy: Mapping[str, Any]) -> set[str]:
    """The directions the policy isolates (``policyTypes``, or its documented default)."""
    spec = _spec(policy)
    declared = spec.get("policyTypes")
    if declared:
        unknown = set(declared) - {"Ingress", "Egress"}
        if unknown:
            raise PolicyError(f"NetworkPolicy {_name(policy)}: policyTypes {sorted(unknown)}")
        return set(declared)
    return {"Ingress", "Egress"} if spec.get("egress") is not None else {"Ingress"}


def selects(policy: Mapping[str, Any], pod: Pod) -> bool:
    """The policy applies to the pod (same namespace, podSelector matches)."""
    return _namespace(policy) == pod.namespace and selector_matches(_spec(policy)["podSelector"], pod.labels)


def _namespace_labels(pod: Pod, namespaces: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    return {**namespaces.get(pod.namespace, {}), NAMESPACE_NAME_LABEL: pod.namespace}


def _in_block(block: Mapping[str, Any], ip: str | None) -> bool:
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    cidr = ipaddress.ip_network(block["cidr"], strict=False)
    if address.version != cidr.version or address not in cidr:
        return False
    return not any(
        address.version == ipaddress.ip_network(e, strict=False).version
        and address in ipaddress.ip_network(e, strict=False)
        for e in block.get("except") or []
    )


def peer_matches(
    peer: Mapping[str, Any],
    policy_namespace: str,
    pod: Pod,
    namespaces: Mapping[str, Mapping[str, str]],
) -> bool:
    """One ``NetworkPolicyPeer`` of a policy in ``policy_namespace`` against the other pod."""
    pods, spaces, block = peer.get("podSelector"), peer.get("namespaceSelector"), peer.get("ipBlock")
    if block is not None:
        if pods is not None or spaces is not None:
            raise PolicyError(f"peer {peer!r}: ipBlock cannot be combined with selectors")
        return _in_block(block, pod.ip)
    if pods is None and spaces is None:
        raise PolicyError(f"peer {peer!r}: needs podSelector, namespaceSelector or ipBlock")
    if spaces is None:
        in_namespace = pod.namespace == policy_namespace
    else:
        in_namespace = selector_matches(spaces, _namespace_labels(pod, namespaces))
    return in_namespace and (pods is None or selector_matches(pods, pod.labels))


def port_matches(entry: Mapping[str, Any], connection: Connection) -> bool:
    """One ``NetworkPolicyPort`` against the connection (named ports resolve on the destination pod)."""
    protocol = entry.get("protocol") or "TCP"
    if protocol != connection.protocol:
        return False
    port, end = entry.get("port"), entry.get("endPort")
    if port is None:
        if end is not None:
            raise PolicyError(f"port entry {entry!r}: endPort needs port")
        return True
    if isinstance(port, str) and not port.isdigit():
        if end is not None:
            raise PolicyError(f"port entry {entry!r}: endPort needs a numeric port")
        return connection.dst.named_port(port, protocol) == connection.port
    first = int(port)
    if end is None:
        return connection.port == first
    if int(end) < first:
        raise PolicyError(f"port entry {entry!r}: endPort below port")
    return first <= connection.port <= int(end)


def _rule_matches(
    rule: Mapping[str, Any],
    peers_key: str,
    policy_namespace: str,
    other: Pod,
    connection: Connection,
    namespaces: Mapping[str, Mapping[str, str]],
) -> bool:
    peers = rule.get(peers_key) or []
    ports = rule.get("ports") or []
    peer_ok = not peers or any(peer_matches(p, policy_namespace, other, namespaces) for p in peers)
    port_ok = not ports or any(port_matches(p, connection) for p in ports)
    return peer_ok and port_ok


def _side(
    policies: Sequence[Mapping[str, Any]],
    direction: str,
    pod: Pod,
    other: Pod,
    connection: Connection,
    namespaces: Mapping[str, Mapping[str, str]],
) -> tuple[bool, str]:
    rules_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    isolating = [p for p in policies if direction in policy_types(p) and selects(p, pod)]
    if not isolating:
        return True, f"{direction.lower()} of {pod} not isolated"
    for policy in isolating:
        namespace = _namespace(policy)
        for rule in _spec(policy).get(rules_key) or []:
            if _rule_matches(rule, peers_key, namespace, other, connection, namespaces):
                return True, f"{direction.lower()} of {pod} allowed by {_name(policy)}"
    names = ", ".join(_name(p) for p in isolating)
    return False, f"{direction.lower()} of {pod} isolated by {names} and no rule allows it"


def evaluate(
    policies: Iterable[Mapping[str, Any]],
    connection: Connection,
    namespaces: Mapping[str, Mapping[str, str]] | None = None,
) -> Verdict:
    """Whether ``connection`` is allowed by ``policies`` (NetworkPolicy manifests of any namespace).

    ``namespaces`` gives namespace labels for namespaceSelectors (``kubernetes.io/metadata.name`` is
    always present)."""
    policies = [p for p in policies if p.get("kind") == "NetworkPolicy"]
    labels = namespaces or {}
    egress, why_egress = _side(policies, "Egress", connection.src, connection.dst, connection, labels)
    ingress, why_ingress = _side(policies, "Ingress", connection.dst, connection.src, connection, labels)
    return Verdict(
        allowed=egress and ingress,
        egress_allowed=egress,
        ingress_allowed=ingress,
        reason=f"{connection}: {why_egress}; {why_ingress}",
    )


__all__ = [
    "NAMESPACE_NAME_LABEL",
    "Connection",
    "ContainerPort",
    "Pod",
    "PolicyError",
    "Verdict",
    "evaluate",
    "peer_matches",
    "policy_types",
    "port_matches",
    "selector_matches",
    "selects",
]
