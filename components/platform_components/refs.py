"""References to what a program does not declare itself: :class:`ExternalRef`.

A team's program names its peers (``network.ingress``/``egress``, a database's ``clients``, a route's
``parent``). The policy pack resolves every such reference against what the same program declares,
so that a typo fails the preview instead of becoming a NetworkPolicy that silently drops traffic
(rules ``ref-resolves`` and ``ref-mutual``, :mod:`platform_components.policies.refs`). What lives
elsewhere (the platform's shared Gateway in the platform stack, a shared database, a service of the
team deployed by another program, Prometheus in ``monitoring``) is declared external on the
component that references it, once, in one list that reads like the program's imports::

    platform = pulumi.StackReference("acme/platform-components/prod")
    SecureWorkload(
        "payments-api",
        SecureWorkloadArgs(..., route=RouteArgs(parent=ParentRef(name="public", namespace="gateway"))),
        externals=[
            ExternalRef(name="ledger"),                                  # same namespace, another program
            ExternalRef(namespace="edge", name="gateway"),               # a workload of another namespace
            ExternalRef(kind=ExternalKind.NAMESPACE, namespace="monitoring"),  # anything in monitoring
            ExternalRef(kind=ExternalKind.GATEWAY, namespace="gateway", name=platform.get_output("gateway")),
        ],
    )

The declarations are recorded on the component's NetworkPolicy (all of them) and HTTPRoute (its
Gateways and Services), in the annotation ``platform-components.io/externals``, so ``platformctl
preview`` and CrossGuard read the same thing, and the preview summary lists them. A namespace
external covers pods (NetworkPolicy peers), not route parents. A name may come from a StackReference output: then it is checked
against what the other stack exports (a rename there fails here); while it is unknown (an offline
preview without that stack's outputs) the declaration covers any name of its kind in its namespace.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .errors import ConfigError
from .kube.names import check_dns1123_label
from .policies.refs import EXTERNAL_NAME_PREFIX, EXTERNALS_ANNOTATION


class ExternalKind(enum.StrEnum):
    """What an external reference names."""

    WORKLOAD = "workload"
    """Pods of a SecureWorkload (``app.kubernetes.io/name`` and ``instance`` = the name) deployed by
    another program: a NetworkPolicy peer ``workload=...``."""
    DATABASE = "database"
    """A StatefulDatabase of another program (its pods, like a workload)."""
    NAMESPACE = "namespace"
    """Every pod of a namespace this program does not declare: a peer ``namespace=...`` alone or
    with ``pod_labels``."""
    GATEWAY = "gateway"
    """A Gateway API Gateway a route attaches to (``route.parent``), e.g. the platform's shared one."""
    SERVICE = "service"
    """A Service: a GAMMA route parent, or a route's ``secondary`` backend."""


@dataclass(frozen=True)
class ExternalRef:
    """Something a component references that another program (or stack) declares.

    ``namespace`` defaults to the component's own namespace. ``name`` names the workload, database,
    Gateway or Service (none for ``ExternalKind.NAMESPACE``); it may be an Output, typically
    ``pulumi.StackReference(...).get_output(...)``, so that the declaration follows what the other
    stack exports.
    """

    name: pulumi.Input[str] | None = None
    namespace: str | None = None
    kind: ExternalKind = ExternalKind.WORKLOAD

    def __post_init__(self) -> None:
        kind = ExternalKind(self.kind)
        object.__setattr__(self, "kind", kind)
        try:
            if self.namespace is not None:
                check_dns1123_label(self.namespace)
            if kind is ExternalKind.NAMESPACE:
                if self.name is not None or self.namespace is None:
                    raise ValueError("a namespace external takes namespace= and no name")
            elif self.name is None:
                raise ValueError(f"a {kind.value} external needs its name")
            elif isinstance(self.name, str):
                check_dns1123_label(self.name)
        except ValueError as exc:
            raise ConfigError(f"ExternalRef(kind={kind.value}): {exc}") from None


ROUTE_KINDS = frozenset({ExternalKind.GATEWAY, ExternalKind.SERVICE})
"""What an HTTPRoute references (its parents and backends)."""


def externals_annotations(
    refs: Sequence[ExternalRef], namespace: str, *, kinds: frozenset[ExternalKind] | None = None
) -> dict[str, Any]:
    """The annotations recording ``refs`` (only those of ``kinds`` when given; namespaces default to
    ``namespace``); empty without refs.

    Plain names go into the JSON list of :data:`EXTERNALS_ANNOTATION`; a name that is an Output goes
    into an annotation of its own, which the list entry points to (``name_from``), so that the list
    stays readable while that name is still unknown.
    """
    entries: list[dict[str, Any]] = []
    outputs: dict[str, Any] = {}
    for ref in refs:
        if kinds is not None and ref.kind not in kinds:
            continue
        entry: dict[str, Any] = {"kind": ref.kind.value, "namespace": ref.namespace or namespace}
        if ref.kind is ExternalKind.NAMESPACE:
            pass
        elif isinstance(ref.name, str):
            entry["name"] = ref.name
        else:
            key = f"{EXTERNAL_NAME_PREFIX}{len(outputs)}"
            outputs[key] = pulumi.Output.from_input(ref.name)
            entry["name_from"] = key
        if entry not in entries:
            entries.append(entry)
    if not entries:
        return {}
    entries.sort(key=lambda e: (e["kind"], e["namespace"], str(e.get("name", e.get("name_from", "")))))
    return {EXTERNALS_ANNOTATION: json.dumps(entries), **outputs}


__all__ = ["ROUTE_KINDS", "ExternalKind", "ExternalRef", "externals_annotations"]
