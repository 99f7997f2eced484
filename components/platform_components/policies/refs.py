"""References between the components of a program: each one resolves, and both sides agree.

A SecureWorkload or StatefulDatabase names its peers (``network.ingress``, ``network.egress``,
``clients``); its NetworkPolicy is where those names end up, so these rules read the rendered
NetworkPolicies (the same objects CrossGuard sees), not the program. A *component policy* is a
NetworkPolicy labelled ``app.kubernetes.io/managed-by: platform-components`` whose pod selector is a
workload's selector (``app.kubernetes.io/name`` and ``app.kubernetes.io/instance`` equal to its
name); hand-written policies are not judged, since their intent cannot be read from them.

Each peer of a component policy is a *reference*: the pods of a workload (the selector of that
name), pods with other labels, or every pod of a namespace, in the policy's namespace unless its
``namespaceSelector`` names another (``kubernetes.io/metadata.name``). IP blocks, cluster DNS
(kube-dns in kube-system) and selectors that name no single namespace are not references.

* ``ref-resolves``: a reference resolves when the program declares what it names: a pod template
  (Deployment, StatefulSet, CronJob ...) in that namespace whose labels include the selector, or,
  for a whole namespace, the program's own namespace or a Namespace object of the program. Anything
  else must be declared external by the component (``externals=[ExternalRef(...)]``, recorded in the
  annotation :data:`EXTERNALS_ANNOTATION`): a workload or database deployed by another program, or a
  whole namespace. Otherwise the preview fails, naming the closest declared name (``difflib``).
* ``ref-mutual``: between two component policies of the program, traffic needs both sides: A's
  egress to workload B needs an ingress rule of B admitting A on those ports, and B's ingress from A
  (a database's ``clients`` entry) needs an egress rule of A to B on one of the admitted ports.
  Otherwise one side's NetworkPolicy drops the traffic the other side declared.
* ``ref-external-unused`` (advisory): a declared external that no reference of its component uses,
  or that names something the program declares itself.

External declarations: :data:`EXTERNALS_ANNOTATION` holds a JSON list of ``{"kind", "namespace",
"name"}`` (no name for a namespace). A name taken from a StackReference output is recorded in its own
annotation (``"name_from": <key>``); while that value is unknown (an offline preview without the
other stack's outputs) the external stands for any name of its kind in its namespace.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from platform_components.kube.labels import INSTANCE, MANAGED_BY, MANAGED_BY_KEY, NAME
from platform_components.kube.netpol import DNS_NAMESPACE, DNS_POD_LABELS, NAMESPACE_NAME_LABEL
from platform_components.policies._pod import (
    DEPLOYMENT,
    NETWORK_POLICY,
    ROLLOUT,
    STATEFULSET,
    WORKLOAD_TYPES,
    as_list,
    as_map,
    dig,
    dig_map,
    kind_of,
    labels,
    maps,
    namespace,
    object_name,
    pod_view,
    text,
)
from platform_components.policies.base import Enforcement, Resource, Severity, StackRule, component_key

EXTERNALS_ANNOTATION = "platform-components.io/externals"
"""JSON list of the component's declared externals: ``[{"kind": "workload", "namespace": "payments",
"name": "ledger"}, ...]``."""
EXTERNAL_NAME_PREFIX = "platform-components.io/external-name-"
"""Annotations holding the names that come from a StackReference output (``name_from`` in the list)."""
EXTERNAL_KINDS = ("workload", "database", "namespace", "gateway", "service")
GATEWAY_GROUP = "gateway.networking.k8s.io"
UNKNOWN = "[unknown]"
"""How the offline engine shows a value that is unknown during a preview."""

Finding = tuple[Resource, str]
PortSet = frozenset[tuple[int | str, str]] | None
"""``(port, protocol)`` pairs; ``None`` means every port."""


def _known(values: Mapping[str, Any], key: str) -> str | None:
    """A string value that is known, else ``None`` (CrossGuard raises on reading an unknown value)."""
    try:
        value = values.get(key)
    except Exception:  # pulumi_policy's UnknownValueError during a preview
        return None
    return value if isinstance(value, str) and value != UNKNOWN else None


# --- declared externals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class External:
    """One declared external: ``kind`` (one of :data:`EXTERNAL_KINDS`), namespace and name (``None``
    for a namespace, or for a name from a stack output that this preview does not know)."""

    kind: str
    namespace: str
    name: str | None = None
    from_stack: bool = False

    def covers_pods(self, ns: str, name: str | None) -> bool:
        """Whether this declaration covers pods of namespace ``ns`` (of workload ``name``; ``None``
        for pods chosen by other labels or a whole namespace, which only a namespace covers)."""
        if self.namespace != ns:
            return False
        if self.kind == "namespace":
            return True
        if self.kind not in ("workload", "database") or name is None:
            return False
        return self.name is None or self.name == name

    def covers_object(self, kind: str, ns: str, name: str) -> bool:
        """Whether this declaration covers a ``gateway`` or ``service`` of that namespace and name."""
        return self.namespace == ns and self.kind == kind and self.name in (None, name)

    def __str__(self) -> str:
        if self.kind == "namespace":
            return f"namespace {self.namespace}"
        shown = self.name if self.name is not None else "<a stack output, unknown in this preview>"
        return f"{self.kind} {self.namespace}/{shown}"


def declared_externals(resource: Resource) -> list[External]:
    """The externals recorded on ``resource`` (malformed entries are skipped)."""
    return externals_in(resource.metadata)


def externals_in(metadata: Mapping[str, Any]) -> list[External]:
    """The externals recorded in an object's ``metadata`` (malformed entries are skipped)."""
    annotations = as_map(metadata.get("annotations"))
    raw = _known(annotations, EXTERNALS_ANNOTATION)
    if raw is None:
        return []
    try:
        entries = json.loads(raw)
    except ValueError:
        return []
    found: list[External] = []
    for entry in as_list(entries):
        if not isinstance(entry, Mapping):
            continue
        kind, ns = text(entry.get("kind")), text(entry.get("namespace"))
        if kind not in EXTERNAL_KINDS or not ns:
            continue
        if kind == "namespace":
            found.append(External(kind, ns))
            continue
        source = entry.get("name_from")
        if isinstance(source, str):
            found.append(External(kind, ns, _known(annotations, source), from_stack=True))
        elif isinstance(entry.get("name"), str) and entry["name"]:
            found.append(External(kind, ns, entry["name"]))
    return found


# --- references in component NetworkPolicies --------------------------------------------------------------


def workload_selector(name: str) -> dict[str, str]:
    return {NAME: name, INSTANCE: name}


@dataclass(frozen=True)
class Peer:
    """What a NetworkPolicy peer selects: pods with ``labels`` (``None``: every pod) in ``namespace``."""

    namespace: str
    labels: Mapping[str, str] | None

    @property
    def workload(self) -> str | None:
        """The workload (or database) this peer names by its selector, else ``None``."""
        name = (self.labels or {}).get(INSTANCE)
        return name if name and self.labels == workload_selector(name) else None

    def covers(self, ns: str, pod_labels: Mapping[str, str]) -> bool:
        if ns != self.namespace:
            return False
        return self.labels is None or all(pod_labels.get(k) == v for k, v in self.labels.items())

    def describe(self, own_namespace: str) -> str:
        where = "" if self.namespace == own_namespace else f" in namespace {self.namespace}"
        if self.labels is None:
            return f"every pod of namespace {self.namespace}"
        if self.workload is not None:
            return f"the pods of '{self.workload}'{where}"
        shown = ", ".join(f"{k}={v}" for k, v in sorted(self.labels.items()))
        return f"the pods labelled {shown}{where}"


def _is_dns(raw: Mapping[str, Any]) -> bool:
    """A peer selecting the cluster DNS pods (kube-dns in kube-system)."""
    ns = labels(dig(raw, "namespaceSelector", "matchLabels"))
    pods = labels(dig(raw, "podSelector", "matchLabels"))
    return ns == {NAMESPACE_NAME_LABEL: DNS_NAMESPACE} and pods == DNS_POD_LABELS


def _peer(raw: Mapping[str, Any], own_namespace: str) -> Peer | None:
    """The reference a NetworkPolicy peer makes, or ``None`` (IP block, DNS, no single namespace)."""
    if "ipBlock" in raw:
        return None
    ns = own_namespace
    if "namespaceSelector" in raw:
        selector = as_map(raw.get("namespaceSelector"))
        match = as_map(selector.get("matchLabels"))
        if set(selector) - {"matchLabels"} or set(match) != {NAMESPACE_NAME_LABEL}:
            return None  # every namespace, or a set of them: not a reference to one thing
        ns = text(match[NAMESPACE_NAME_LABEL])
    pod_labels: Mapping[str, str] | None = None
    if "podSelector" in raw:
        selector = as_map(raw.get("podSelector"))
        if set(selector) - {"matchLabels"}:
            return None  # expressions: cannot be resolved to declared objects
        pod_labels = labels(selector.get("matchLabels")) or None
    elif "namespaceSelector" not in raw:
        return None
    if _is_dns(raw):
        return None  # cluster DNS: always there
    return Peer(ns, pod_labels)


@dataclass(frozen=True)
class Ref:
    """One peer of one rule of a component policy."""

    policy: ComponentPolicy
    direction: str
    rule: int
    index: int
    peer: Peer
    ports: tuple[Mapping[str, Any], ...]

    @property
    def path(self) -> str:
        return f"spec.{self.direction}[{self.rule}].{'from' if self.direction == 'ingress' else 'to'}[{self.index}]"


@dataclass(frozen=True)
class ComponentPolicy:
    """A NetworkPolicy rendered by a SecureWorkload or StatefulDatabase for the pods of ``owner``."""

    resource: Resource
    namespace: str
    owner: str
    externals: tuple[External, ...]
    component: str = ""
    """``SecureWorkload``, ``StatefulDatabase`` or ``""`` (e.g. a database's backup job)."""

    def refs(self) -> Iterator[Ref]:
        spec = dig_map(self.resource.props, "spec")
        for direction, key in (("ingress", "from"), ("egress", "to")):
            for rule_index, rule in maps(spec.get(direction)):
                ports = tuple(port for _, port in maps(rule.get("ports")))
                for index, raw in maps(rule.get(key)):
                    peer = _peer(raw, self.namespace)
                    if peer is not None:
                        yield Ref(self, direction, rule_index, index, peer, ports)

    @property
    def dns_first(self) -> bool:
        """Whether the first egress rule is the cluster-DNS rule (``network.allow_dns``)."""
        first = next(iter(maps(dig(self.resource.props, "spec", "egress"))), None)
        peers = [raw for _, raw in maps(first[1].get("to"))] if first is not None else []
        return bool(peers) and all(_is_dns(raw) for raw in peers)

    def field(self, ref: Ref) -> str:
        """The component argument a reference comes from, e.g. ``network.egress[0]`` or ``clients[1]``."""
        if self.component == "SecureWorkload":
            if ref.direction == "ingress":
                return f"network.ingress[{ref.rule}]"
            return f"network.egress[{ref.rule - (1 if self.dns_first else 0)}]"
        if self.component == "StatefulDatabase" and ref.direction == "ingress":
            return f"clients[{ref.rule}]"
        return ""

    @property
    def title(self) -> str:
        return f"{self.component} {self.owner}" if self.component else self.resource.display


@dataclass(frozen=True)
class Pods:
    """A pod template of the program: its object, namespace, labels and named container ports."""

    resource: Resource
    namespace: str
    labels: Mapping[str, str]
    ports: Mapping[str, tuple[int | str, str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.labels.get(INSTANCE) or self.labels.get(NAME) or object_name(self.resource.props)


def _pods(resource: Resource) -> Pods | None:
    view = pod_view(resource.type, resource.props)
    if view is None:
        return None
    named: dict[str, tuple[int | str, str]] = {}
    for container in view.containers():
        for _, port in maps(container.body.get("ports")):
            name, number = text(port.get("name")), port.get("containerPort")
            if name and isinstance(number, int):
                named[name] = (number, text(port.get("protocol")) or "TCP")
    return Pods(resource, namespace(resource.props), view.labels, named)


def _component_policy(resource: Resource, kinds: set[str]) -> ComponentPolicy | None:
    meta_labels = labels(resource.metadata.get("labels"))
    selector = as_map(dig(resource.props, "spec", "podSelector"))
    match = labels(selector.get("matchLabels"))
    owner = match.get(INSTANCE)
    if meta_labels.get(MANAGED_BY_KEY) != MANAGED_BY or not owner or match != workload_selector(owner):
        return None
    if set(selector) - {"matchLabels"}:
        return None
    component = ""
    if kinds & {DEPLOYMENT, ROLLOUT}:
        component = "SecureWorkload"
    elif STATEFULSET in kinds:
        component = "StatefulDatabase"
    return ComponentPolicy(
        resource, namespace(resource.props), owner, tuple(declared_externals(resource)), component
    )


class Program:
    """What a program declares: pod templates, Namespaces, component policies, routes, Gateways and
    Services, with the findings of the three rules (computed once per rule run)."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.pods: list[Pods] = [p for p in (_pods(r) for r in resources if r.type in WORKLOAD_TYPES) if p]
        # by namespace, and by namespace and label: a lookup costs the pods that can match
        self._pods_in: dict[str, list[Pods]] = {}
        self._pods_labelled: dict[tuple[str, str, str], list[Pods]] = {}
        for pod in self.pods:
            self._pods_in.setdefault(pod.namespace, []).append(pod)
            for key, value in pod.labels.items():
                self._pods_labelled.setdefault((pod.namespace, key, value), []).append(pod)
        self.namespaces = {object_name(r.props, r.name) for r in resources if r.kind == "Namespace"}
        self.objects = {
            (r.kind, namespace(r.props), object_name(r.props, r.name))
            for r in resources
            if r.kind in ("Gateway", "Service") and r.type.startswith("kubernetes:")
        }
        self.policies: list[ComponentPolicy] = []
        for resource in resources:
            if resource.type != NETWORK_POLICY:
                continue
            ns = namespace(resource.props)
            selector = as_map(dig(resource.props, "spec", "podSelector"))
            kinds = {p.resource.type for p in self._selected(ns, selector.get("matchLabels"))}
            policy = _component_policy(resource, kinds)
            if policy is not None:
                self.policies.append(policy)
        self.routes = [r for r in resources if r.kind == "HTTPRoute" and r.type.startswith("kubernetes:")]
        self.resources = resources
        self._policies_of: dict[tuple[str, str], list[ComponentPolicy]] = {}
        for policy in self.policies:
            self._policies_of.setdefault((policy.namespace, policy.owner), []).append(policy)

    # --- lookups ---

    def _selected(self, ns: str, selector: Any) -> list[Pods]:
        """The pods of ``ns`` whose labels hold every label of ``selector`` (none for an empty one)."""
        wanted = labels(selector)
        if not wanted:
            return []
        first = next(iter(wanted.items()))
        return [p for p in self._pods_labelled.get((ns, *first), ()) if _matches(wanted, p.labels)]

    def owner_pods(self, policy: ComponentPolicy) -> list[Pods]:
        selector = workload_selector(policy.owner)
        return self._selected(policy.namespace, selector)

    def label_sets(self, policy: ComponentPolicy) -> list[Mapping[str, str]]:
        return [p.labels for p in self.owner_pods(policy)] or [workload_selector(policy.owner)]

    def resolves(self, peer: Peer, own_namespace: str) -> bool:
        if peer.labels is None:
            return peer.namespace == own_namespace or peer.namespace in self.namespaces
        return any(peer.covers(p.namespace, p.labels) for p in self._pods_in.get(peer.namespace, ()))

    def suggestion(self, peer: Peer) -> str:
        if peer.labels is None:
            wanted, candidates = peer.namespace, sorted(self.namespaces)
        else:
            wanted = peer.workload or ""
            candidates = sorted({p.name for p in self._pods_in.get(peer.namespace, ())})
        close = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.6) if wanted else []
        return f" (did you mean '{close[0]}'?)" if close else ""

    def policies_of(self, ns: str, owner: str) -> list[ComponentPolicy]:
        return list(self._policies_of.get((ns, owner), ()))

    # --- ref-resolves ---

    def unresolved(self) -> Iterator[tuple[Ref, str]]:
        for policy in self.policies:
            for ref in policy.refs():
                if self.resolves(ref.peer, policy.namespace):
                    continue
                if any(e.covers_pods(ref.peer.namespace, ref.peer.workload) for e in policy.externals):
                    continue
                yield ref, self._unresolved_message(ref)

    def _unresolved_message(self, ref: Ref) -> str:
        policy, peer = ref.policy, ref.peer
        where = _where(policy, ref)
        what = peer.describe(policy.namespace)
        suggestion = self.suggestion(peer)
        own = peer.namespace == policy.namespace
        if peer.workload is not None:
            declare = (
                f"ExternalRef(name='{peer.workload}')"
                if own
                else f"ExternalRef(namespace='{peer.namespace}', name='{peer.workload}')"
            )
        else:
            declare = f"ExternalRef(kind=ExternalKind.NAMESPACE, namespace='{peer.namespace}')"
        if own and peer.workload is not None:
            problem = (
                f"but no workload or database of this program in namespace {peer.namespace} is named "
                f"'{peer.workload}'{suggestion}"
            )
        elif own:
            problem = (
                f"but no pod template of this program in namespace {peer.namespace} carries them{suggestion}"
            )
        else:
            problem = f"which this program does not declare{suggestion}"
        return (
            f"{ref.path}{where} selects {what}, {problem}; fix the reference or, if another program "
            f"deploys it, declare it on {policy.title}: externals=[{declare}]"
        )

    # --- ref-mutual ---

    def one_sided(self) -> Iterator[Finding]:
        for policy in self.policies:
            for ref in policy.refs():
                name = ref.peer.workload
                if name is None:
                    continue
                others = self.policies_of(ref.peer.namespace, name)
                if not others:
                    continue  # not a component of this program (or external): nothing to agree with
                if ref.direction == "egress":
                    message = self._egress_unmatched(policy, ref, others)
                else:
                    message = self._ingress_unmatched(policy, ref, others)
                if message is not None:
                    yield policy.resource, message

    def _egress_unmatched(
        self, caller: ComponentPolicy, ref: Ref, callees: list[ComponentPolicy]
    ) -> str | None:
        callee = callees[0]
        wanted = _port_set(ref.ports, self.owner_pods(callee))
        admitted: PortSet = frozenset()
        admits = False
        caller_labels = self.label_sets(caller)
        for policy in callees:
            for rule in policy.refs():
                if rule.direction != "ingress" or not any(
                    rule.peer.covers(caller.namespace, lbls) for lbls in caller_labels
                ):
                    continue
                admits = True
                ports = _port_set(rule.ports, self.owner_pods(callee))
                admitted = None if ports is None or admitted is None else admitted | ports
        missing = set() if admitted is None else set(wanted or ()) - set(admitted)
        if admits and not missing:
            return None
        on = f" on port {_show(missing)}" if admits else ""
        rule_text = f"workload='{caller.owner}'" + (f", ports=[{_show(wanted)}]" if wanted else "")
        fix = (
            f"add {{'workload': '{caller.owner}'}} to the clients of StatefulDatabase {callee.owner}"
            if callee.component == "StatefulDatabase"
            else f"add IngressRule({rule_text}) to the network.ingress of {callee.title}"
        )
        target = ref.peer.describe(caller.namespace) + (f" on port {_show(wanted)}" if wanted else "")
        return (
            f"{ref.path}{_where(caller, ref)} allows traffic to {target}, but {callee.resource.display} "
            f"does not admit '{caller.owner}'{on}, so that traffic is dropped; {fix}"
        )

    def _ingress_unmatched(
        self, callee: ComponentPolicy, ref: Ref, callers: list[ComponentPolicy]
    ) -> str | None:
        admitted = _port_set(ref.ports, self.owner_pods(callee))
        callee_labels = self.label_sets(callee)
        for policy in callers:
            for rule in policy.refs():
                if rule.direction != "egress" or not any(
                    rule.peer.covers(callee.namespace, lbls) for lbls in callee_labels
                ):
                    continue
                sent = _port_set(rule.ports, self.owner_pods(callee))
                if sent is None or admitted is None or sent & admitted:
                    return None
        caller = callers[0]
        ports = sorted(admitted or (), key=str)
        port_refs = ", ".join(f"PortRef(port={p!r})" for p, _ in ports) or "..."
        on = f" on port {_show(admitted)}" if admitted else ""
        fix = (
            f"add EgressRule(workload='{callee.owner}', ports=[{port_refs}]) to the network.egress of "
            f"{caller.title}"
            if caller.component == "SecureWorkload"
            else f"allow {caller.title} egress to '{callee.owner}'"
        )
        return (
            f"{ref.path}{_where(callee, ref)} admits {ref.peer.describe(callee.namespace)}, but "
            f"{caller.resource.display} allows no egress to '{callee.owner}'{on}, so that traffic is "
            f"dropped; {fix}"
        )

    # --- ref-external-unused ---

    def unused_externals(self) -> Iterator[Finding]:
        declared: dict[str, dict[External, Resource]] = {}
        for resource in self.resources:
            for external in declared_externals(resource):
                carriers = declared.setdefault(component_key(resource), {})
                if external not in carriers or resource.type == NETWORK_POLICY:
                    carriers[external] = resource
        if not declared:
            return
        used: dict[str, set[External]] = {}
        for policy in self.policies:
            group = used.setdefault(component_key(policy.resource), set())
            for ref in policy.refs():
                if not self.resolves(ref.peer, policy.namespace):
                    group |= {
                        e for e in policy.externals if e.covers_pods(ref.peer.namespace, ref.peer.workload)
                    }
        for route in self.routes:
            group = used.setdefault(component_key(route), set())
            externals = declared_externals(route)
            for kind, ns, name in route_targets(route):
                if (kind.capitalize(), ns, name) not in self.objects:
                    group |= {e for e in externals if e.covers_object(kind, ns, name)}
        for key, carriers in declared.items():
            for external, resource in sorted(carriers.items(), key=lambda item: str(item[0])):
                if external in used.get(key, set()):
                    continue
                yield resource, self._unused_message(external)

    def _unused_message(self, external: External) -> str:
        mine = (
            (external.kind == "namespace" and external.namespace in self.namespaces)
            or (
                external.kind in ("workload", "database")
                and any(p.name == external.name for p in self._pods_in.get(external.namespace, ()))
            )
            or (external.kind.capitalize(), external.namespace, external.name) in self.objects
        )
        if mine:
            return (
                f"the declared external {external} is declared by this program itself; remove it from "
                "externals (references to it resolve without it)"
            )
        return (
            f"the declared external {external} is used by no reference of this component; remove it from "
            "externals, or fix the reference it was meant for"
        )


def route_targets(route: Resource) -> Iterator[tuple[str, str, str]]:
    """``(kind, namespace, name)`` of each Gateway/Service an HTTPRoute's parentRefs and backendRefs
    name (kind ``gateway`` or ``service``; other kinds and groups are skipped)."""
    ns = namespace(route.props)
    for _, ref in maps(dig(route.props, "spec", "parentRefs")):
        kind = text(ref.get("kind")) or "Gateway"
        group = text(ref.get("group")) if "group" in ref else GATEWAY_GROUP
        if (kind, group) == ("Gateway", GATEWAY_GROUP) or (kind == "Service" and group in ("", "core")):
            yield kind.lower(), text(ref.get("namespace")) or ns, text(ref.get("name"))
    for _, rule in maps(dig(route.props, "spec", "rules")):
        for _, ref in maps(rule.get("backendRefs")):
            if (text(ref.get("kind")) or "Service") == "Service" and text(ref.get("group")) in ("", "core"):
                yield "service", text(ref.get("namespace")) or ns, text(ref.get("name"))


def _matches(selector: Any, pod_labels: Mapping[str, str]) -> bool:
    wanted = labels(selector)
    return bool(wanted) and all(pod_labels.get(k) == v for k, v in wanted.items())


def _where(policy: ComponentPolicy, ref: Ref) -> str:
    field_name = policy.field(ref)
    return f" ({policy.title} {field_name})" if field_name and policy.component else ""


def _port_set(specs: Sequence[Mapping[str, Any]], pods: Sequence[Pods]) -> PortSet:
    """The ports of a NetworkPolicy rule as ``(number, protocol)``; named ports resolve through the
    containers of ``pods``; ``None`` when the rule names no port (every port)."""
    if not specs:
        return None
    named: dict[str, tuple[int | str, str]] = {}
    for pod in pods:
        named.update(pod.ports)
    found: set[tuple[int | str, str]] = set()
    for spec in specs:
        port, protocol = spec.get("port"), text(spec.get("protocol")) or "TCP"
        if port is None:
            return None
        if isinstance(port, str) and not port.isdigit():
            found.add((named.get(port, (port, protocol))[0], protocol))
        else:
            found.add((int(port), protocol))
    return frozenset(found)


def _show(ports: Any) -> str:
    return ", ".join(str(number) for number, _ in sorted(ports or (), key=lambda p: (str(p[1]), str(p[0]))))


def _ref_resolves(resources: Sequence[Resource]) -> Iterator[Finding]:
    for ref, message in Program(resources).unresolved():
        yield ref.policy.resource, message


def _ref_mutual(resources: Sequence[Resource]) -> Iterator[Finding]:
    yield from Program(resources).one_sided()


def _ref_external_unused(resources: Sequence[Resource]) -> Iterator[Finding]:
    yield from Program(resources).unused_externals()


STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        "ref-resolves",
        "Every peer a SecureWorkload or StatefulDatabase names (network.ingress/egress, clients) must be "
        "a workload, database or namespace this program declares, or be declared external "
        "(ExternalRef); a typo otherwise becomes a NetworkPolicy that silently drops the traffic "
        "(project issue: broken links between a team's components preview clean).",
        Severity.MEDIUM,
        Enforcement.MANDATORY,
        _ref_resolves,
        fix="Fix the name or namespace in `network.ingress`, `network.egress` or `clients`, or declare a "
        "peer that another program deploys with `externals=[ExternalRef(...)]` on the component.",
    ),
    StackRule(
        "ref-mutual",
        "Traffic between two components needs both NetworkPolicies: A's egress to B with B's ingress from "
        "A on those ports, and a database's clients with each client's egress to it; a one-sided "
        "declaration is dropped by the other side's default deny (Kubernetes NetworkPolicy semantics).",
        Severity.MEDIUM,
        Enforcement.MANDATORY,
        _ref_mutual,
        fix="Declare both sides: for a `network.egress` entry to a component, add the matching "
        "`network.ingress` entry (or, for a StatefulDatabase, `clients` entry) on the callee on the same "
        "ports, and the other way round.",
    ),
    StackRule(
        "ref-external-unused",
        "A declared external that no reference of its component uses (or that the program declares "
        "itself) is stale: it would let a future typo in a reference to that name pass unnoticed.",
        Severity.LOW,
        Enforcement.ADVISORY,
        _ref_external_unused,
        fix="Remove the entry from the component's `externals`, or fix the reference in `network.ingress`, "
        "`network.egress`, `clients` or `route` it was meant for.",
    ),
)

#: Kinds each stack rule reports on or reads, for the rule catalogue.
STACK_RULE_KINDS: Mapping[str, tuple[str, ...]] = {
    "ref-resolves": tuple(sorted({"Namespace", "NetworkPolicy", *(kind_of(t) for t in WORKLOAD_TYPES)})),
    "ref-mutual": ("Deployment", "NetworkPolicy", "Rollout", "StatefulSet"),
    "ref-external-unused": ("Gateway", "HTTPRoute", "NetworkPolicy", "Service"),
}

__all__ = [
    "EXTERNALS_ANNOTATION",
    "EXTERNAL_KINDS",
    "EXTERNAL_NAME_PREFIX",
    "STACK_RULES",
    "STACK_RULE_KINDS",
    "External",
    "declared_externals",
    "externals_in",
    "route_targets",
]
