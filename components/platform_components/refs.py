"""References to what a program does not declare itself: :class:`ExternalRef` and :class:`NamespaceRef`.

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
from pydantic import Field, field_validator

from ._base import StrictModel
from .errors import ConfigError
from .kube.names import check_dns1123_label
from .namespace import MeshMode, MeshNamespace
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


class NamespaceRef(StrictModel):
    """A namespace that another program creates (the platform stack's team namespace), as the program
    of a workload in it sees it: its name and its mesh mode.

    The mesh mode decides which objects a SecureWorkload or StatefulDatabase renders (an Istio
    AuthorizationPolicy, Linkerd Servers ...), so it must be a plain value while the program runs: a
    Pulumi preview cannot register resources from a value it does not know yet, such as a
    StackReference output. The platform stack exports each namespace's mode (``pulumi stack output
    meshes``); keep it in the team's stack config (``config.require("mesh")``). Without any mesh
    information (no ``mesh=``) a workload in an Istio or Linkerd namespace has no mesh authorization,
    so the namespace's allow-nothing policy denies every caller; ``mesh-mode-known`` warns about it.
    """

    name: str = Field(description="Name of the namespace; the component's namespace must be this one.")
    mesh: MeshMode = Field(description="Mesh mode of the namespace, as its MeshNamespace declares it.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_label(value)


MeshSource = MeshMode | NamespaceRef | MeshNamespace
"""What ``mesh=`` accepts: a mode, a reference to a namespace created elsewhere, or the MeshNamespace."""


def resolve_mesh(mesh: MeshSource | None, namespace: str, component: str) -> tuple[MeshMode, MeshMode | None]:
    """The mesh mode to render for a component in ``namespace``, and the mode to record on its workload
    (annotation ``platform-components.io/mesh``) for the policy pack.

    A MeshNamespace of the same program records nothing: its Namespace, in the same stack, shows the
    mode. A mode or a NamespaceRef is recorded, since the policy pack cannot see that namespace. No
    mesh information renders no mesh objects and records nothing (``mesh-mode-known`` warns when the
    namespace is not in the program, or is meshed and nothing admits the declared callers).
    """
    if mesh is None:
        return MeshMode.NONE, None
    if isinstance(mesh, MeshNamespace | NamespaceRef) and mesh.name != namespace:
        raise ConfigError(
            f"{component}: mesh= refers to namespace {mesh.name!r} but the component is in {namespace!r}; "
            "pass the reference of its own namespace"
        )
    if isinstance(mesh, MeshNamespace):
        return mesh.mesh, None
    mode = mesh.mesh if isinstance(mesh, NamespaceRef) else MeshMode(mesh)
    return mode, mode


__all__ = [
    "ROUTE_KINDS",
    "ExternalKind",
    "ExternalRef",
    "MeshSource",
    "NamespaceRef",
    "externals_annotations",
    "resolve_mesh",
]
