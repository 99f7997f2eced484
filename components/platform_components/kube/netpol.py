"""NetworkPolicy building blocks: declared peers become policy rules, and nothing else is allowed.

A peer is one caller or destination: pods of a named workload, pods with given labels, a whole
namespace, or a CIDR. Namespaces are matched on ``kubernetes.io/metadata.name``, the label the API
server sets on every namespace (Kubernetes >= 1.22), so a peer cannot be spoofed by relabelling.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import Field, field_validator, model_validator

from .._base import StrictModel
from .labels import selector_labels
from .names import check_cidr, check_dns1123_label, check_labels, check_port_name

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS = {"k8s-app": "kube-dns"}


class Protocol(enum.StrEnum):
    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


class PortRef(StrictModel):
    """A destination port (number or name) and protocol."""

    port: int | str = Field(description="Port number, or a named port of the destination pods.")
    protocol: Protocol = Field(default=Protocol.TCP, description="Transport protocol.")

    @field_validator("port")
    @classmethod
    def _port(cls, value: int | str) -> int | str:
        if isinstance(value, int):
            if not 1 <= value <= 65535:
                raise ValueError(f"port {value} must be between 1 and 65535")
            return value
        return check_port_name(value)

    def render(self) -> dict[str, Any]:
        return {"port": self.port, "protocol": self.protocol.value}


class Peer(StrictModel):
    """Who: a workload, pods with labels, a namespace (alone: every pod in it), or a CIDR."""

    namespace: str | None = Field(
        default=None, description="Namespace of the peer; omitted means the workload's own namespace."
    )
    workload: str | None = Field(
        default=None, description="Name of a SecureWorkload (matches its app.kubernetes.io/name + instance)."
    )
    pod_labels: dict[str, str] = Field(default_factory=dict, description="Pods carrying all these labels.")
    cidr: str | None = Field(default=None, description="An IP block (egress to outside the cluster).")
    except_cidrs: list[str] = Field(default_factory=list, description="Holes in 'cidr'.")

    @field_validator("namespace", "workload")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        return check_dns1123_label(value) if value is not None else None

    @field_validator("pod_labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        return check_labels(value)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str | None) -> str | None:
        return check_cidr(value) if value is not None else None

    @field_validator("except_cidrs")
    @classmethod
    def _excepts(cls, value: list[str]) -> list[str]:
        return [check_cidr(item) for item in value]

    @model_validator(mode="after")
    def _one_kind(self) -> Peer:
        selects_pods = self.namespace is not None or self.workload is not None or bool(self.pod_labels)
        if self.cidr is not None and selects_pods:
            raise ValueError("a peer is either a 'cidr' or pods (namespace/workload/pod_labels), not both")
        if self.cidr is None and not selects_pods:
            raise ValueError(
                "a peer needs 'workload', 'pod_labels', 'namespace' or 'cidr'; "
                "an empty peer would allow everything"
            )
        if self.except_cidrs and self.cidr is None:
            raise ValueError("'except_cidrs' needs 'cidr'")
        if self.workload is not None and self.pod_labels:
            raise ValueError("give either 'workload' or 'pod_labels', not both")
        return self

    def render(self) -> dict[str, Any]:
        if self.cidr is not None:
            block: dict[str, Any] = {"cidr": self.cidr}
            if self.except_cidrs:
                block["except"] = list(self.except_cidrs)
            return {"ipBlock": block}
        peer: dict[str, Any] = {}
        if self.namespace is not None:
            peer["namespaceSelector"] = {"matchLabels": {NAMESPACE_NAME_LABEL: self.namespace}}
        labels = selector_labels(self.workload) if self.workload is not None else dict(self.pod_labels)
        if labels:
            peer["podSelector"] = {"matchLabels": labels}
        return peer


class IngressRule(Peer):
    """One declared caller and the ports of this workload it may reach (empty: every declared port)."""

    ports: list[int | str] = Field(default_factory=list, description="Workload port names or numbers.")


class EgressRule(Peer):
    """One declared destination and the ports it may be reached on (empty: any port)."""

    ports: list[PortRef] = Field(default_factory=list, description="Destination ports.")


def dns_egress() -> dict[str, Any]:
    """Egress to cluster DNS (CoreDNS pods in kube-system) on UDP and TCP 53."""
    return {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: DNS_NAMESPACE}},
                "podSelector": {"matchLabels": dict(DNS_POD_LABELS)},
            }
        ],
        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
    }


API_SERVER_PORTS = (443, 6443)
"""The Kubernetes API server's ports: 443 (EKS, the ``kubernetes`` Service) and 6443 (kubeadm, kind)."""
ANYWHERE = "0.0.0.0/0"
"""The API server's endpoints and Git/Helm/OCI hosts lie outside the pod CIDRs and have no stable
address a policy could name at render time (EKS endpoint ENIs change), so their allows are ipBlocks on
every address, narrowed by port and by the pods they select."""
REPOSITORY_PORTS = (443, 22)
"""Git over HTTPS and SSH, Helm and OCI registries over HTTPS."""


def _tcp(ports: Iterable[int]) -> list[dict[str, Any]]:
    return [{"port": port, "protocol": "TCP"} for port in ports]


def api_server_egress(cidr: str = ANYWHERE) -> dict[str, Any]:
    """Egress to the Kubernetes API server (TCP 443 and 6443) for controllers that watch the cluster."""
    return {"to": [{"ipBlock": {"cidr": cidr}}], "ports": _tcp(API_SERVER_PORTS)}


def repository_egress(cidr: str = ANYWHERE) -> dict[str, Any]:
    """Egress to Git, Helm and OCI repositories (TCP 443 and 22)."""
    return {"to": [{"ipBlock": {"cidr": cidr}}], "ports": _tcp(REPOSITORY_PORTS)}


def same_namespace_egress() -> dict[str, Any]:
    """Egress to every pod of the policy's own namespace (its receivers keep their ingress policies)."""
    return {"to": [{"podSelector": {}}]}


def default_deny_spec(
    *,
    ingress: Iterable[Mapping[str, Any]] = (),
    egress: Iterable[Mapping[str, Any]] = (),
    allow_dns: bool = True,
) -> dict[str, Any]:
    """A namespace's default-deny: every pod (empty podSelector) isolated both ways, allowing only
    DNS to kube-dns (unless ``allow_dns`` is false) and the given rules."""
    egress_rules = [dict(rule) for rule in egress]
    if allow_dns:
        egress_rules.insert(0, dns_egress())
    return {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [dict(rule) for rule in ingress],
        "egress": egress_rules,
    }


def network_policy_spec(
    *,
    pod_labels: Mapping[str, str],
    ingress: Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
    egress: Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
    allow_dns: bool,
) -> dict[str, Any]:
    """A policy selecting ``pod_labels`` that denies all traffic except the listed (peer, ports) pairs.

    Both policy types are always listed, so an empty ``ingress``/``egress`` list means deny-all in
    that direction, never allow-all.
    """
    ingress_rules = [_rule("from", peer, ports) for peer, ports in ingress]
    egress_rules = [_rule("to", peer, ports) for peer, ports in egress]
    if allow_dns:
        egress_rules.insert(0, dns_egress())
    return {
        "podSelector": {"matchLabels": dict(pod_labels)},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": ingress_rules,
        "egress": egress_rules,
    }


def _rule(direction: str, peer: Mapping[str, Any], ports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    rule: dict[str, Any] = {direction: [dict(peer)]}
    if ports:
        rule["ports"] = [dict(p) for p in ports]
    return rule


__all__ = [
    "ANYWHERE",
    "DNS_NAMESPACE",
    "DNS_POD_LABELS",
    "NAMESPACE_NAME_LABEL",
    "EgressRule",
    "IngressRule",
    "Peer",
    "PortRef",
    "Protocol",
    "api_server_egress",
    "default_deny_spec",
    "network_policy_spec",
    "repository_egress",
    "same_namespace_egress",
]
