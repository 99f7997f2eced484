"""Tenancy and service mesh: namespace guard rails, mesh mTLS and authorisation, Gateway API routes.

Resource rules look at one Namespace or PeerAuthentication; stack rules relate a Namespace to the
objects that must accompany it in the same stack (default-deny NetworkPolicy, PeerAuthentication,
AuthorizationPolicy, ResourceQuota and LimitRange) and an HTTPRoute to its parents and backends, in
the stack or declared external by the route's component (:mod:`platform_components.policies.refs`).

Namespaces are identified by ``metadata.name`` (falling back to the Pulumi logical name); namespaced
objects relate to a Namespace through ``metadata.namespace``. A *team* Namespace carries
:data:`TEAM_LABEL`; a Namespace is *Istio-meshed* when labelled ``istio.io/dataplane-mode=ambient``
(ambient) or ``istio-injection=enabled`` (sidecars), *Linkerd-meshed* when annotated
``linkerd.io/inject: enabled``.

Sidecar init containers (``istio-init``, ``linkerd-init``) program iptables and need ``NET_ADMIN`` and
``NET_RAW``, which Pod Security *restricted* forbids. A namespace that enforces restricted and injects
sidecars must therefore run the mesh's CNI plugin, which the platform records with
:data:`MESH_CNI_ANNOTATION` ``"true"`` on the Namespace (or use Istio ambient mode, which needs no
sidecar).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from platform_components.kube import labels as lbl
from platform_components.policies._pod import (
    DEPLOYMENT,
    LIMIT_RANGE,
    NETWORK_POLICY,
    RESOURCE_QUOTA,
    ROLLOUT,
    SERVICE,
    STATEFULSET,
    as_map,
    dig,
    dig_map,
    is_true,
    labels,
    maps,
    namespace,
    object_name,
    pod_view,
    selector_is_empty,
    selector_matches,
    show,
    strings,
    text,
)
from platform_components.policies.base import CelCheck, Enforcement, Resource, Rule, Severity, StackRule
from platform_components.policies.refs import declared_externals

M, A = Enforcement.MANDATORY, Enforcement.ADVISORY
Finding = tuple[Resource, str]

# --- labels and annotations the components set ---------------------------------------------------------

PSA_PREFIX = "pod-security.kubernetes.io/"
PSA_MODES: tuple[str, ...] = ("enforce", "audit", "warn")
PSA_ENFORCE = f"{PSA_PREFIX}enforce"
PSA_ENFORCE_VERSION = f"{PSA_PREFIX}enforce-version"
PSA_AUDIT = f"{PSA_PREFIX}audit"
PSA_AUDIT_VERSION = f"{PSA_PREFIX}audit-version"
PSA_WARN = f"{PSA_PREFIX}warn"
PSA_WARN_VERSION = f"{PSA_PREFIX}warn-version"
PSA_LEVELS: tuple[str, ...] = ("privileged", "baseline", "restricted")
PSA_RESTRICTED = "restricted"
PSA_VERSION_PATTERN = re.compile(r"v\d+\.\d+|latest")
"""A pinned ``-version`` value: ``v1.35`` or ``latest``."""

MESH_ANNOTATION = "platform-components.io/mesh"
"""On a SecureWorkload's Deployment/Rollout or a StatefulDatabase's StatefulSets: the mesh mode the
component was given for a namespace this program does not declare (``mesh=NamespaceRef(...)`` or a
``MeshMode``); absent when the namespace's MeshNamespace was passed (its Namespace shows the mode)."""
MESH_CNI_ANNOTATION = "platform-components.io/mesh-cni"
"""``"true"`` when the cluster runs the Istio CNI / Linkerd CNI plugin (no NET_ADMIN init containers)."""
TEAM_LABEL = "platform-components.io/team"
"""Set on every team Namespace."""

ISTIO_DATAPLANE_LABEL = "istio.io/dataplane-mode"
ISTIO_INJECTION_LABEL = "istio-injection"
LINKERD_INJECT_ANNOTATION = "linkerd.io/inject"

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
ISTIO_ROOT_NAMESPACE = "istio-system"
"""Istio's default root namespace: a selector-less PeerAuthentication there applies mesh-wide."""

# --- type tokens ---------------------------------------------------------------------------------------

NAMESPACE = "kubernetes:core/v1:Namespace"
NAMESPACE_PATCH = "kubernetes:core/v1:NamespacePatch"
PEER_AUTHENTICATION_TYPES = frozenset(
    {
        "kubernetes:security.istio.io/v1:PeerAuthentication",
        "kubernetes:security.istio.io/v1beta1:PeerAuthentication",
    }
)
ISTIO_AUTHORIZATION_TYPES = frozenset(
    {
        "kubernetes:security.istio.io/v1:AuthorizationPolicy",
        "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy",
    }
)
LINKERD_AUTHORIZATION_TYPES = frozenset(
    {
        "kubernetes:policy.linkerd.io/v1alpha1:AuthorizationPolicy",
        "kubernetes:policy.linkerd.io/v1beta1:AuthorizationPolicy",
    }
)
GATEWAY_GROUP = "gateway.networking.k8s.io"
GATEWAY_TYPES = frozenset(
    {f"kubernetes:{GATEWAY_GROUP}/v1:Gateway", f"kubernetes:{GATEWAY_GROUP}/v1beta1:Gateway"}
)
HTTP_ROUTE_TYPES = frozenset(
    {f"kubernetes:{GATEWAY_GROUP}/v1:HTTPRoute", f"kubernetes:{GATEWAY_GROUP}/v1beta1:HTTPRoute"}
)

STRICT_MODES = frozenset({"UNSET", "STRICT"})
"""PeerAuthentication modes that do not weaken mTLS (UNSET inherits from the parent scope)."""


# --- helpers -------------------------------------------------------------------------------------------


def _labels(resource: Resource) -> dict[str, str]:
    return labels(resource.metadata.get("labels"))


def _annotations(resource: Resource) -> Mapping[str, object]:
    return as_map(resource.metadata.get("annotations"))


def _ns_name(resource: Resource) -> str:
    """The name of a Namespace object."""
    return object_name(resource.props, resource.name)


def is_istio_ambient(ns: Resource) -> bool:
    return _labels(ns).get(ISTIO_DATAPLANE_LABEL) == "ambient"


def is_istio_sidecar(ns: Resource) -> bool:
    return _labels(ns).get(ISTIO_INJECTION_LABEL) == "enabled"


def is_istio_meshed(ns: Resource) -> bool:
    return is_istio_ambient(ns) or is_istio_sidecar(ns)


def is_linkerd_meshed(ns: Resource) -> bool:
    return text(_annotations(ns).get(LINKERD_INJECT_ANNOTATION)) == "enabled"


def is_team_namespace(ns: Resource) -> bool:
    return TEAM_LABEL in _labels(ns)


def _mode(value: object) -> str:
    """A PeerAuthentication mode, upper-cased; ``"UNSET"`` when not set, ``""`` when not a string."""
    if value is None:
        return "UNSET"
    return value.strip().upper() if isinstance(value, str) else ""


def _namespaces(resources: Iterable[Resource]) -> Iterator[Resource]:
    for resource in resources:
        if resource.type == NAMESPACE:
            yield resource


def _in_namespace(resources: Iterable[Resource], types: Iterable[str], name: str) -> list[Resource]:
    wanted = frozenset(types)
    return [r for r in resources if r.type in wanted and namespace(r.props) == name]


# --- CEL forms: the admitted object's own fields --------------------------------------------------------


def _cel_has_label(key: str) -> str:
    return f"(has(object.metadata.labels) && {key!r} in object.metadata.labels)"


def _cel_label(key: str) -> str:
    return f"object.metadata.labels[{key!r}]"


def _cel_has_annotation(key: str) -> str:
    return f"(has(object.metadata.annotations) && {key!r} in object.metadata.annotations)"


def _cel_annotation(key: str) -> str:
    return f"object.metadata.annotations[{key!r}]"


def _cel_psa_labels() -> str:
    """CEL of :func:`_psa_labels`: every mode's level and pinned version (system namespaces aside)."""
    version = "^(?:" + PSA_VERSION_PATTERN.pattern + ")$"
    checks = []
    for mode in PSA_MODES:
        key, version_key = f"{PSA_PREFIX}{mode}", f"{PSA_PREFIX}{mode}-version"
        level = (
            f"{_cel_label(key)} == {PSA_RESTRICTED!r}"
            if mode == "enforce"
            else (f"{_cel_label(key)} in {list(PSA_LEVELS)!r}")
        )
        checks.append(f"{_cel_has_label(key)} && {level}")
        checks.append(f"{_cel_has_label(version_key)} && {_cel_label(version_key)}.matches({version!r})")
    system = f"(has(object.metadata.name) && object.metadata.name in {sorted(SYSTEM_NAMESPACES)!r})"
    return f"{system} || ({' && '.join(checks)})"


def _cel_mode_ok(setting: str) -> str:
    """CEL: the ``mode`` of a PeerAuthentication mTLS setting is in :data:`STRICT_MODES` (unset counts)."""
    return f"(!has({setting}.mode) || {setting}.mode.trim().upperAscii() in {sorted(STRICT_MODES)!r})"


# --- ns-psa-labels -------------------------------------------------------------------------------------


def _psa_labels(resource: Resource) -> Iterator[str]:
    name = _ns_name(resource)
    if name in SYSTEM_NAMESPACES:
        return
    ns_labels = resource.metadata.get("labels")
    values = as_map(ns_labels)
    for mode in PSA_MODES:
        key, version_key = f"{PSA_PREFIX}{mode}", f"{PSA_PREFIX}{mode}-version"
        level = values.get(key)
        if level is None:
            yield (
                f'metadata.labels["{key}"] is not set on namespace {name}; set it to "{PSA_RESTRICTED}" '
                f'with metadata.labels["{version_key}"] pinned to the cluster minor (e.g. "v1.35")'
            )
        elif not isinstance(level, str) or level not in PSA_LEVELS:
            yield (
                f'metadata.labels["{key}"] is {show(level)} on namespace {name}, not a Pod Security level; '
                f'set it to "{PSA_RESTRICTED}"'
            )
        elif mode == "enforce" and level != PSA_RESTRICTED:
            yield (
                f'metadata.labels["{key}"] is "{level}" on namespace {name}, weaker than "{PSA_RESTRICTED}"; '
                f'set it to "{PSA_RESTRICTED}", or justify the downgrade with the annotation '
                f'"policy.platform-components.io/exempt.ns-psa-labels: <reason>"'
            )
        version = values.get(version_key)
        if version is None:
            yield (
                f'metadata.labels["{version_key}"] is not set on namespace {name}, so the policy floats to '
                '"latest" implicitly; pin it to the cluster minor (e.g. "v1.35") or set "latest" explicitly'
            )
        elif not isinstance(version, str) or not PSA_VERSION_PATTERN.fullmatch(version):
            yield (
                f'metadata.labels["{version_key}"] is {show(version)} on namespace {name}; use "vX.Y" '
                '(e.g. "v1.35") or "latest"'
            )


# --- mesh-strict-mtls ----------------------------------------------------------------------------------


def _strict_mtls(resource: Resource) -> Iterator[str]:
    mode = dig(resource.props, "spec", "mtls", "mode")
    if _mode(mode) not in STRICT_MODES:
        yield (
            f"spec.mtls.mode is {show(mode)}, which accepts plaintext traffic; set it to STRICT "
            "(or leave it unset to inherit)"
        )
    for port, setting in sorted(
        dig_map(resource.props, "spec", "portLevelMtls").items(), key=lambda i: str(i[0])
    ):
        port_mode = dig(setting, "mode")
        if _mode(port_mode) not in STRICT_MODES:
            yield (
                f"spec.portLevelMtls[{port}].mode is {show(port_mode)}, which accepts plaintext traffic on "
                "that port; set it to STRICT or remove the entry"
            )


# --- mesh-sidecar-cni ----------------------------------------------------------------------------------


def _sidecar_cni(resource: Resource) -> Iterator[str]:
    ns_labels = _labels(resource)
    if ns_labels.get(PSA_ENFORCE) != PSA_RESTRICTED:
        return
    if is_true(_annotations(resource).get(MESH_CNI_ANNOTATION)):
        return
    if is_istio_sidecar(resource):
        how = f'metadata.labels["{ISTIO_INJECTION_LABEL}"] is "enabled"'
    elif is_linkerd_meshed(resource):
        how = f'metadata.annotations["{LINKERD_INJECT_ANNOTATION}"] is "enabled"'
    else:
        return
    yield (
        f'{how} while metadata.labels["{PSA_ENFORCE}"] is "{PSA_RESTRICTED}": sidecar init containers need '
        "NET_ADMIN/NET_RAW, which PSS restricted forbids; run the mesh CNI plugin (annotate "
        f'metadata.annotations["{MESH_CNI_ANNOTATION}"] = "true") or use ambient mode '
        f"({ISTIO_DATAPLANE_LABEL}=ambient)"
    )


# --- stack rules ---------------------------------------------------------------------------------------


def _is_default_deny(netpol: Resource) -> bool:
    """A NetworkPolicy selecting every pod, isolating both directions, without an allow-all rule."""
    spec = dig_map(netpol.props, "spec")
    selector = spec.get("podSelector")
    if selector is not None and not isinstance(selector, Mapping):
        return False
    if not selector_is_empty(selector):
        return False
    if not {"Ingress", "Egress"} <= set(strings(spec.get("policyTypes"))):
        return False
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for _, rule in maps(spec.get(direction)):
            if not rule.get(peers) and not rule.get("ports"):
                return False  # an empty rule allows all traffic in that direction
    return True


def _managed_namespaces(resources: Iterable[Resource]) -> Iterator[Resource]:
    """Every namespace the program creates (a Namespace) or takes over (a NamespacePatch, e.g. of the
    namespace Flux's install manifest creates), except Kubernetes' own system namespaces."""
    for resource in resources:
        if resource.type in (NAMESPACE, NAMESPACE_PATCH) and _ns_name(resource) not in SYSTEM_NAMESPACES:
            yield resource


def _default_deny(resources: Sequence[Resource]) -> Iterator[Finding]:
    for ns in _managed_namespaces(resources):
        name = _ns_name(ns)
        if not any(_is_default_deny(p) for p in _in_namespace(resources, (NETWORK_POLICY,), name)):
            kind = "team namespace" if is_team_namespace(ns) else "namespace"
            yield (
                ns,
                f"{kind} {name} has no default-deny NetworkPolicy in this stack; add one in "
                f"namespace {name} with spec.podSelector: {{}} and spec.policyTypes [Ingress, Egress] "
                "(then allow traffic with narrower policies), or justify the exception with the annotation "
                '"policy.platform-components.io/exempt.ns-default-deny: <reason>"',
            )


def _is_namespace_wide_strict(peer_auth: Resource) -> bool | None:
    """Whether a namespace-wide PeerAuthentication is STRICT; ``None`` for a workload-scoped one.

    Istio treats a missing selector and one with empty ``matchLabels`` alike: namespace-wide.
    """
    selector = dig(peer_auth.props, "spec", "selector")
    if selector is not None and (not isinstance(selector, Mapping) or as_map(selector.get("matchLabels"))):
        return None
    return _mode(dig(peer_auth.props, "spec", "mtls", "mode")) == "STRICT"


def _peer_authentication(resources: Sequence[Resource]) -> Iterator[Finding]:
    root = [
        strict
        for strict in (
            _is_namespace_wide_strict(p)
            for p in _in_namespace(resources, PEER_AUTHENTICATION_TYPES, ISTIO_ROOT_NAMESPACE)
        )
        if strict is not None
    ]
    for ns in _namespaces(resources):
        if not is_istio_meshed(ns):
            continue
        name = _ns_name(ns)
        local = [
            strict
            for strict in (
                _is_namespace_wide_strict(p)
                for p in _in_namespace(resources, PEER_AUTHENTICATION_TYPES, name)
            )
            if strict is not None
        ]
        # A namespace-wide policy overrides the mesh-wide one of the root namespace.
        effective = local or root
        if effective and all(effective):
            continue
        yield (
            ns,
            f"Istio-meshed namespace {name} has no namespace-wide STRICT PeerAuthentication in this stack; "
            f"add a PeerAuthentication in namespace {name} without spec.selector and with "
            "spec.mtls.mode: STRICT",
        )


def _authz_default(resources: Sequence[Resource]) -> Iterator[Finding]:
    for ns in _namespaces(resources):
        name = _ns_name(ns)
        if is_istio_meshed(ns) and not _in_namespace(resources, ISTIO_AUTHORIZATION_TYPES, name):
            yield (
                ns,
                f"Istio-meshed namespace {name} has no AuthorizationPolicy (security.istio.io) in this "
                "stack, so every workload of the mesh may call its services; add one (for example an "
                "allow-nothing policy plus explicit ALLOW rules)",
            )
        if is_linkerd_meshed(ns) and not _in_namespace(resources, LINKERD_AUTHORIZATION_TYPES, name):
            yield (
                ns,
                f"Linkerd-meshed namespace {name} has no AuthorizationPolicy (policy.linkerd.io) in this "
                "stack, so every meshed client may call its servers; add Server and AuthorizationPolicy "
                "resources that name the allowed clients",
            )


def _ref_namespace(ref: Mapping[str, object], route: Resource) -> str:
    return text(ref.get("namespace")) or namespace(route.props)


def _exists(resources: Sequence[Resource], types: Iterable[str], name: str, ns: str) -> bool:
    return any(object_name(r.props, r.name) == name for r in _in_namespace(resources, types, ns))


def _routes(resources: Sequence[Resource]) -> Iterator[Resource]:
    for resource in resources:
        if resource.type in HTTP_ROUTE_TYPES:
            yield resource


def _parent_problem(resources: Sequence[Resource], route: Resource, ref: Mapping[str, object]) -> str | None:
    """Why one parentRef of ``route`` names no parent of the stack, or ``None``."""
    kind = text(ref.get("kind")) or "Gateway"
    group = text(ref.get("group")) if "group" in ref else GATEWAY_GROUP
    name = text(ref.get("name"))
    ns = _ref_namespace(ref, route)
    where = f"namespace {ns}" if ns else "the route's namespace"
    if not name:
        return "has no name; name the parent Gateway (or Service)"
    externals = declared_externals(route)
    if kind == "Gateway" and group == GATEWAY_GROUP:
        if _exists(resources, GATEWAY_TYPES, name, ns):
            return None
        if any(e.covers_object("gateway", ns, name) for e in externals):
            return None  # declared external: another stack owns it (listed in the preview summary)
        return (
            f"names Gateway {name}, which is not in this stack in {where}; fix the name or namespace, "
            "add the Gateway, or, when another stack owns it (the platform's shared Gateway), declare it "
            f"on the component: externals=[ExternalRef(kind=ExternalKind.GATEWAY, namespace='{ns}', "
            f"name='{name}')]"
        )
    if kind == "Service":
        if group not in ("", "core"):
            return (
                f'names kind Service in group "{group}" (parentRef group defaults to {GATEWAY_GROUP}); '
                'set group: "" for a GAMMA mesh route'
            )
        if _exists(resources, (SERVICE,), name, ns) or any(
            e.covers_object("service", ns, name) for e in externals
        ):
            return None
        return (
            f"names Service {name} (a GAMMA mesh route), which is not in this stack in {where}; fix the "
            "name or namespace, add the Service, or declare it external: "
            f"externals=[ExternalRef(kind=ExternalKind.SERVICE, namespace='{ns}', name='{name}')]"
        )
    return None  # other parent kinds are implementation-specific and cannot be checked here


def _route_parents(resources: Sequence[Resource]) -> Iterator[Finding]:
    for route in _routes(resources):
        refs = list(maps(dig(route.props, "spec", "parentRefs")))
        if not refs:
            yield (
                route,
                "spec.parentRefs is empty, so the route attaches to nothing; reference a Gateway "
                "(or a Service for a GAMMA mesh route)",
            )
        for index, ref in refs:
            problem = _parent_problem(resources, route, ref)
            if problem is not None:
                yield route, f"spec.parentRefs[{index}] {problem}"


def _route_backends(resources: Sequence[Resource]) -> Iterator[Finding]:
    for route in _routes(resources):
        externals = declared_externals(route)
        for rule_index, rule in maps(dig(route.props, "spec", "rules")):
            for index, ref in maps(rule.get("backendRefs")):
                kind = text(ref.get("kind")) or "Service"
                group = text(ref.get("group"))
                if kind != "Service" or group not in ("", "core"):
                    continue  # ServiceImport and implementation-specific backends are not checked
                name = text(ref.get("name"))
                path = f"spec.rules[{rule_index}].backendRefs[{index}]"
                ns = _ref_namespace(ref, route)
                where = f"namespace {ns}" if ns else "the route's namespace"
                if not name:
                    yield route, f"{path}.name is not set; name the backend Service"
                elif not _exists(resources, (SERVICE,), name, ns) and not any(
                    e.covers_object("service", ns, name) for e in externals
                ):
                    yield (
                        route,
                        f"{path} names Service {name}, which is not in this stack in {where}; fix the name "
                        "or namespace (traffic to a missing backend gets HTTP 500)",
                    )


LINKERD_SERVER_GROUP = "policy.linkerd.io/"
COMPONENT_TYPES = {DEPLOYMENT: "SecureWorkload", ROLLOUT: "SecureWorkload", STATEFULSET: "StatefulDatabase"}


def _mesh_admits(resources: Sequence[Resource], ns: Resource, pod_labels: Mapping[str, str]) -> bool:
    """Whether a mesh authorization of the namespace selects these pods (Istio ALLOW policy with a
    workload selector, or a Linkerd Server)."""
    name = _ns_name(ns)
    for resource in resources:
        if namespace(resource.props) != name:
            continue
        if resource.type in ISTIO_AUTHORIZATION_TYPES:
            selector = dig(resource.props, "spec", "selector")
            action = text(dig(resource.props, "spec", "action")) or "ALLOW"
            if (
                action == "ALLOW"
                and not selector_is_empty(selector)
                and selector_matches(selector, pod_labels)
            ):
                return True
        is_server = resource.kind == "Server" and text(resource.props.get("apiVersion")).startswith(
            LINKERD_SERVER_GROUP
        )
        if is_server and selector_matches(dig(resource.props, "spec", "podSelector"), pod_labels):
            return True
    return False


def _has_callers(resources: Sequence[Resource], ns: str, owner: str) -> bool:
    """Whether the component's own NetworkPolicy (selecting its pods by name) admits anybody."""
    selector = {lbl.NAME: owner, lbl.INSTANCE: owner}
    for resource in resources:
        if (
            resource.type == NETWORK_POLICY
            and namespace(resource.props) == ns
            and labels(dig(resource.props, "spec", "podSelector", "matchLabels")) == selector
            and any(True for _ in maps(dig(resource.props, "spec", "ingress")))
        ):
            return True
    return False


def _mesh_mode_known(resources: Sequence[Resource]) -> Iterator[Finding]:
    namespaces = {_ns_name(ns): ns for ns in _namespaces(resources)}
    for resource in resources:
        component = COMPONENT_TYPES.get(resource.type)
        meta_labels = _labels(resource)
        owner = meta_labels.get(lbl.INSTANCE, "")
        if component is None or meta_labels.get(lbl.MANAGED_BY_KEY) != lbl.MANAGED_BY or not owner:
            continue
        if object_name(resource.props, resource.name) != owner:
            continue  # a database's replica StatefulSet: judged with its primary
        if MESH_ANNOTATION in _annotations(resource):
            continue
        name = namespace(resource.props)
        ns = namespaces.get(name)
        keyword = f"{component}(..., mesh=NamespaceRef(name='{name}', mesh=MeshMode.ISTIO_AMBIENT))"
        if ns is None:
            yield (
                resource,
                f"{component} {owner} runs in namespace {name}, which this program does not declare, and was "
                "given no mesh information: in an Istio or Linkerd namespace it renders no mesh "
                "authorization, so the namespace's allow-nothing policy denies every caller; pass the "
                f"namespace's mode with the mesh= keyword, e.g. {keyword} (or mesh=MeshMode.NONE)",
            )
            continue
        meshed = is_istio_meshed(ns) or is_linkerd_meshed(ns)
        view = pod_view(resource.type, resource.props)
        pod_labels = view.labels if view is not None else {}
        if meshed and _has_callers(resources, name, owner) and not _mesh_admits(resources, ns, pod_labels):
            yield (
                resource,
                f"{component} {owner} runs in the meshed namespace {name} but no mesh authorization admits "
                "its declared callers, so the namespace's allow-nothing policy denies them; pass the "
                f"namespace's MeshNamespace with the mesh= keyword ({component}(..., mesh=<the MeshNamespace>))",
            )


def _quota(resources: Sequence[Resource]) -> Iterator[Finding]:
    for ns in _namespaces(resources):
        if not is_team_namespace(ns):
            continue
        name = _ns_name(ns)
        for type_, kind, why in (
            (RESOURCE_QUOTA, "ResourceQuota", "caps the team's total CPU, memory and object counts"),
            (LIMIT_RANGE, "LimitRange", "gives containers default requests and limits"),
        ):
            if not _in_namespace(resources, (type_,), name):
                yield (
                    ns,
                    f"team namespace {name} has no {kind} in this stack; add one in namespace {name} "
                    f"(a {kind} {why})",
                )


RULES: tuple[Rule, ...] = (
    Rule(
        "ns-psa-labels",
        "Every namespace must enforce Pod Security Standards restricted through Pod Security Admission "
        "labels (enforce, audit and warn, each with a pinned -version), so that a workload rule gap is "
        "still caught at admission (CIS EKS 4.2; Kyverno psa labels).",
        Severity.HIGH,
        M,
        frozenset({NAMESPACE}),
        _psa_labels,
        cel=(
            CelCheck(
                (_cel_psa_labels(),),
                f'metadata.labels["{PSA_ENFORCE}"] must be "{PSA_RESTRICTED}", the audit and warn labels a Pod '
                'Security level, and each "-version" label "vX.Y" or "latest"',
            ),
        ),
        fix="Label the Namespace `pod-security.kubernetes.io/enforce: restricted`, with `audit` and `warn` "
        "levels and each `-version` label pinned to the cluster minor (MeshNamespace: `pod_security`, "
        "`pod_security_version`); a weaker `enforce` level needs an exemption stating why.",
    ),
    Rule(
        "mesh-strict-mtls",
        "A PeerAuthentication in PERMISSIVE or DISABLE mode lets plaintext traffic reach meshed workloads, "
        "bypassing mesh identity and authorisation (Istio security best practices).",
        Severity.HIGH,
        M,
        PEER_AUTHENTICATION_TYPES,
        _strict_mtls,
        cel=(
            CelCheck(
                (
                    "!has(object.spec) || !has(object.spec.mtls) || " + _cel_mode_ok("object.spec.mtls"),
                    "!has(object.spec) || !has(object.spec.portLevelMtls) || object.spec.portLevelMtls.all(p, "
                    + _cel_mode_ok("object.spec.portLevelMtls[p]")
                    + ")",
                ),
                "spec.mtls.mode and every spec.portLevelMtls[*].mode must be STRICT or unset (no plaintext)",
            ),
        ),
        fix="Set the PeerAuthentication's `spec.mtls.mode` and every `spec.portLevelMtls[].mode` to "
        "`STRICT`, or leave them unset to inherit.",
    ),
    Rule(
        "mesh-sidecar-cni",
        "Sidecar injection in a namespace enforcing PSS restricted needs the mesh CNI plugin: the "
        "istio-init/linkerd-init container needs NET_ADMIN and NET_RAW, so every pod would be rejected.",
        Severity.HIGH,
        M,
        frozenset({NAMESPACE}),
        _sidecar_cni,
        cel=(
            CelCheck(
                (
                    f"!({_cel_has_label(PSA_ENFORCE)} && {_cel_label(PSA_ENFORCE)} == {PSA_RESTRICTED!r}) || "
                    f"({_cel_has_annotation(MESH_CNI_ANNOTATION)} && "
                    f"{_cel_annotation(MESH_CNI_ANNOTATION)}.trim().lowerAscii() == 'true') || "
                    f"!(({_cel_has_label(ISTIO_INJECTION_LABEL)} && {_cel_label(ISTIO_INJECTION_LABEL)} == 'enabled') || "
                    f"({_cel_has_annotation(LINKERD_INJECT_ANNOTATION)} && "
                    f"{_cel_annotation(LINKERD_INJECT_ANNOTATION)} == 'enabled'))",
                ),
                "a namespace enforcing PSS restricted must not inject sidecars without the mesh CNI plugin: "
                f'annotate metadata.annotations["{MESH_CNI_ANNOTATION}"] = "true" or use ambient mode',
            ),
        ),
        fix='Run the mesh CNI plugin and annotate the Namespace `platform-components.io/mesh-cni: "true"` '
        "(MeshNamespace: `mesh_cni`), or use Istio ambient mode (`mesh: istio-ambient`).",
    ),
)

STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        "mesh-authz-default",
        "A meshed namespace should have an AuthorizationPolicy, otherwise any workload of the mesh may "
        "call its services (Istio and Linkerd zero-trust guidance).",
        Severity.MEDIUM,
        A,
        _authz_default,
        fix="Add an AuthorizationPolicy to each meshed namespace: for Istio an allow-nothing policy plus "
        "ALLOW rules (a MeshNamespace with an Istio `mesh` adds the allow-nothing one), for Linkerd "
        "`Server` and `AuthorizationPolicy` resources naming the allowed clients.",
    ),
    StackRule(
        "mesh-mode-known",
        "A SecureWorkload or StatefulDatabase renders the mesh authorization of its declared callers only "
        "when it knows its namespace's mesh mode (mesh=); without it, in an Istio or Linkerd namespace "
        "every caller is denied by the namespace's allow-nothing policy (project issue: a team's "
        "workload in an ambient namespace created elsewhere). Advisory: the mode may really be none.",
        Severity.MEDIUM,
        A,
        _mesh_mode_known,
        fix="Pass the namespace's mesh with the component's `mesh=` keyword: its MeshNamespace, or "
        "`NamespaceRef(name=..., mesh=MeshMode...)` for a namespace created elsewhere (`MeshMode.NONE` when "
        "it has none).",
    ),
    StackRule(
        "mesh-peer-authentication",
        "An Istio-meshed namespace must have a namespace-wide STRICT PeerAuthentication so that its "
        "workloads only accept mutually authenticated traffic (Istio security best practices).",
        Severity.HIGH,
        M,
        _peer_authentication,
        fix="Add a PeerAuthentication without `spec.selector` and with `spec.mtls.mode: STRICT` to each "
        "Istio-meshed namespace (MeshNamespace does this).",
    ),
    StackRule(
        "ns-default-deny",
        "Every namespace the program creates (team, workload, GitOps and add-on namespaces; a "
        "NamespacePatch counts as taking one over) must have a default-deny NetworkPolicy (empty "
        "podSelector, Ingress and Egress), so that traffic is only allowed by explicit policies "
        "(CIS EKS 4.3.2; NSA/CISA hardening). Kubernetes' system namespaces are not the program's.",
        Severity.HIGH,
        M,
        _default_deny,
        fix="Add a NetworkPolicy with `spec.podSelector: {}` and `spec.policyTypes: [Ingress, Egress]` to "
        "every namespace the program creates (MeshNamespace does this), then allow traffic with narrower "
        "policies.",
    ),
    StackRule(
        "ns-quota",
        "A team namespace should have a ResourceQuota and a LimitRange, so that one team cannot exhaust "
        "the cluster and containers get default requests (CIS EKS 5.x tenancy; NSA/CISA hardening).",
        Severity.LOW,
        A,
        _quota,
        fix="Add a `ResourceQuota` and a `LimitRange` to each team namespace (MeshNamespace does this: "
        "`size`, `quota`).",
    ),
    StackRule(
        "route-backend-exists",
        "An HTTPRoute backendRef that names no Service of the stack (nor one declared external) sends "
        "traffic nowhere (HTTP 500); advisory since the Service may live outside the stack.",
        Severity.LOW,
        A,
        _route_backends,
        fix="Point each `spec.rules[].backendRefs[].name` at a Service of this stack in the right "
        "namespace, or declare a Service another stack owns with "
        "`externals=[ExternalRef(kind=ExternalKind.SERVICE, ...)]`.",
    ),
    StackRule(
        "route-parent-exists",
        "An HTTPRoute must attach to a Gateway (or, for GAMMA mesh routes, a Service) of the stack or one "
        "its component declares external (ExternalRef, e.g. the platform's shared Gateway in another "
        "stack); a dangling parentRef silently leaves the route unattached.",
        Severity.MEDIUM,
        M,
        _route_parents,
        fix="Point each of the route's `spec.parentRefs` at a Gateway (or, for a GAMMA mesh route, a "
        'Service with `group: ""`) of this stack, or declare the shared Gateway of another stack with '
        "`externals=[ExternalRef(kind=ExternalKind.GATEWAY, ...)]` (SecureWorkload: `route.parent`).",
    ),
)

#: Kinds each stack rule reports on or reads, for the rule catalogue.
STACK_RULE_KINDS: Mapping[str, tuple[str, ...]] = {
    "mesh-authz-default": ("AuthorizationPolicy", "Namespace"),
    "mesh-mode-known": ("AuthorizationPolicy", "Deployment", "Namespace", "Rollout", "Server", "StatefulSet"),
    "mesh-peer-authentication": ("Namespace", "PeerAuthentication"),
    "ns-default-deny": ("Namespace", "NamespacePatch", "NetworkPolicy"),
    "ns-quota": ("LimitRange", "Namespace", "ResourceQuota"),
    "route-backend-exists": ("HTTPRoute", "Service"),
    "route-parent-exists": ("Gateway", "HTTPRoute", "Service"),
}


__all__ = [
    "MESH_ANNOTATION",
    "MESH_CNI_ANNOTATION",
    "PSA_AUDIT",
    "PSA_AUDIT_VERSION",
    "PSA_ENFORCE",
    "PSA_ENFORCE_VERSION",
    "PSA_MODES",
    "PSA_PREFIX",
    "PSA_RESTRICTED",
    "PSA_WARN",
    "PSA_WARN_VERSION",
    "RULES",
    "STACK_RULES",
    "STACK_RULE_KINDS",
    "TEAM_LABEL",
    "is_istio_meshed",
    "is_linkerd_meshed",
    "is_team_namespace",
]
