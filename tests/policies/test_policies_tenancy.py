"""Tenancy, service mesh and Gateway API rules (platform_components.policies.tenancy): the edge cases.

The bad/good case of every rule lives in the meta-test registry (test_policies_rules.py); here are PSA
downgrades and their exemption, mesh mTLS modes, sidecars under PSS restricted, default-deny shapes and
HTTPRoute parents (Gateways and GAMMA Services) and backends.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest
from platform_components.policies import (
    EXEMPT_PREFIX,
    RULES,
    STACK_RULES,
    Resource,
    Violation,
    check,
    evaluate,
    rule_catalogue,
)
from platform_components.policies.tenancy import (
    MESH_CNI_ANNOTATION,
    PSA_ENFORCE,
    PSA_ENFORCE_VERSION,
    PSA_WARN,
    TEAM_LABEL,
)
from platform_components.policies.tenancy import RULES as TENANCY_RULES
from platform_components.policies.tenancy import STACK_RULES as TENANCY_STACK_RULES

if TYPE_CHECKING:
    from conftest import Kit

NS = "team-a"
RULES_BY_ID = {rule.id: rule for rule in RULES}
STACK_BY_ID = {rule.id: rule for rule in STACK_RULES}
PSA_LABELS = {
    f"pod-security.kubernetes.io/{mode}{suffix}": value
    for mode in ("enforce", "audit", "warn")
    for suffix, value in (("", "restricted"), ("-version", "v1.35"))
}
SEC = "security.istio.io/v1"
GW = "gateway.networking.k8s.io/v1"


def namespace(name: str = NS, **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {TEAM_LABEL: "shop", **PSA_LABELS, **labels}},
    }


def obj(api_version: str, kind: str, name: str, spec: dict[str, Any], ns: str = NS) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def default_deny(**spec: Any) -> dict[str, Any]:
    return obj(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        "default-deny",
        {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], **spec},
    )


def peer_auth(mode: str | None = "STRICT", ns: str = NS, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {**spec}
    if mode is not None:
        body["mtls"] = {"mode": mode}
    return obj(SEC, "PeerAuthentication", "default", body, ns)


def gateway(name: str = "web", ns: str = NS) -> dict[str, Any]:
    return obj(GW, "Gateway", name, {"gatewayClassName": "istio", "listeners": []}, ns)


def route(*parents: dict[str, Any], backends: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    rules = [{"backendRefs": backends}] if backends is not None else []
    return obj(GW, "HTTPRoute", "api", {"parentRefs": list(parents), "rules": rules})


def run(kit: Kit, objects: list[dict[str, Any]], rule_id: str) -> list[Violation]:
    resources = kit.resources(*objects)
    if rule_id in STACK_BY_ID:
        return evaluate(resources, [], [STACK_BY_ID[rule_id]]).violations
    return evaluate(resources, [RULES_BY_ID[rule_id]]).violations


def test_module_rules_are_registered() -> None:
    assert set(TENANCY_RULES) <= set(RULES)
    assert set(TENANCY_STACK_RULES) <= set(STACK_RULES)
    by_id = {entry["id"]: entry for entry in rule_catalogue()}
    assert by_id["ns-default-deny"]["applies_to"] == ["Namespace", "NamespacePatch", "NetworkPolicy"]
    assert by_id["route-parent-exists"]["kind"] == "stack"
    assert by_id["mesh-strict-mtls"]["applies_to"] == ["PeerAuthentication"]


def test_compliant_team_namespace_passes_every_rule(kit: Kit) -> None:
    objects = [
        namespace(**{"istio.io/dataplane-mode": "ambient"}),
        default_deny(),
        obj("v1", "ResourceQuota", "quota", {}),
        obj("v1", "LimitRange", "limits", {}),
        peer_auth(),
        obj(SEC, "AuthorizationPolicy", "allow-nothing", {}),
    ]
    evaluation = check(kit.resources(*objects))
    assert [v.message for v in evaluation.violations] == []


# --- ns-psa-labels -------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["baseline", "privileged"])
def test_psa_downgrade_names_the_namespace_label_and_fix(kit: Kit, level: str) -> None:
    ns = namespace(**{PSA_ENFORCE: level})
    (violation,) = run(kit, [ns], "ns-psa-labels")
    assert violation.resource == "Namespace team-a"
    assert violation.message.startswith("Namespace team-a: ")
    assert f'metadata.labels["{PSA_ENFORCE}"] is "{level}" on namespace team-a' in violation.message
    assert 'set it to "restricted"' in violation.message
    assert EXEMPT_PREFIX + "ns-psa-labels" in violation.message


def test_psa_downgrade_with_exemption_is_reported_as_exemption(kit: Kit) -> None:
    ns = namespace(**{PSA_ENFORCE: "privileged"})
    ns["metadata"]["annotations"] = {EXEMPT_PREFIX + "ns-psa-labels": "node agents need host access"}
    evaluation = evaluate(kit.resources(ns), [RULES_BY_ID["ns-psa-labels"]])
    assert evaluation.violations == []
    assert [(e.rule_id, e.resource, e.reason) for e in evaluation.exemptions] == [
        ("ns-psa-labels", "Namespace team-a", "node agents need host access")
    ]


def test_psa_exemption_without_reason_does_not_count(kit: Kit) -> None:
    ns = namespace(**{PSA_ENFORCE: "baseline"})
    ns["metadata"]["annotations"] = {EXEMPT_PREFIX + "ns-psa-labels": " "}
    assert run(kit, [ns], "ns-psa-labels")


def test_missing_psa_labels_are_each_named(kit: Kit) -> None:
    ns = namespace()
    del ns["metadata"]["labels"][PSA_WARN]
    del ns["metadata"]["labels"][PSA_ENFORCE_VERSION]
    messages = [v.message for v in run(kit, [ns], "ns-psa-labels")]
    assert len(messages) == 2
    assert any(f'metadata.labels["{PSA_WARN}"] is not set on namespace team-a' in m for m in messages)
    assert any(f'metadata.labels["{PSA_ENFORCE_VERSION}"] is not set' in m for m in messages)


@pytest.mark.parametrize(
    ("version", "ok"), [("v1.35", True), ("latest", True), ("1.35", False), ("v1", False)]
)
def test_psa_version_must_be_pinned(kit: Kit, version: str, ok: bool) -> None:
    violations = run(kit, [namespace(**{PSA_ENFORCE_VERSION: version})], "ns-psa-labels")
    assert (violations == []) is ok


def test_audit_and_warn_levels_must_be_valid(kit: Kit) -> None:
    (violation,) = run(kit, [namespace(**{PSA_WARN: "strict"})], "ns-psa-labels")
    assert "not a Pod Security level" in violation.message


@pytest.mark.parametrize("name", ["kube-system", "kube-public", "kube-node-lease"])
def test_system_namespaces_are_skipped(kit: Kit, name: str) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    assert run(kit, [ns], "ns-psa-labels") == []


# --- ns-default-deny -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("netpol", "ok"),
    [
        (default_deny(), True),
        (default_deny(podSelector={"matchLabels": {}}), True),
        (default_deny(egress=[{"ports": [{"port": 53, "protocol": "UDP"}]}]), True),
        (default_deny(podSelector={"matchLabels": {"app": "api"}}), False),
        (default_deny(policyTypes=["Ingress"]), False),
        (default_deny(ingress=[{}]), False),
        (default_deny(policyTypes="[secret]"), False),
    ],
)
def test_default_deny_shapes(kit: Kit, netpol: dict[str, Any], ok: bool) -> None:
    assert (run(kit, [namespace(), netpol], "ns-default-deny") == []) is ok


def test_default_deny_is_reported_on_the_namespace(kit: Kit) -> None:
    other_ns = copy.deepcopy(default_deny())
    other_ns["metadata"]["namespace"] = "team-b"
    (violation,) = run(kit, [namespace(), other_ns], "ns-default-deny")
    assert violation.resource == "Namespace team-a"
    assert "spec.podSelector: {}" in violation.message


def _plain(name: str = "shop") -> dict[str, Any]:
    """A namespace the program creates that is not a team's (GitOps, add-on, a workload's)."""
    ns = namespace(name)
    del ns["metadata"]["labels"][TEAM_LABEL]
    return ns


def test_every_namespace_needs_a_default_deny_not_only_team_ones(kit: Kit) -> None:
    (violation,) = run(kit, [_plain("argocd")], "ns-default-deny")
    assert violation.resource == "Namespace argocd"
    assert violation.message.startswith("Namespace argocd: namespace argocd has no default-deny")
    assert "exempt.ns-default-deny" in violation.message
    assert run(kit, [_plain()], "ns-quota") == []  # quotas stay a team-namespace rule


def test_a_plain_namespace_with_a_default_deny_passes(kit: Kit) -> None:
    netpol = default_deny()
    netpol["metadata"]["namespace"] = "argocd"
    assert run(kit, [_plain("argocd"), netpol], "ns-default-deny") == []
    # one in another namespace does not count
    assert len(run(kit, [_plain("flux-system"), netpol], "ns-default-deny")) == 1


def test_a_namespace_patch_counts_as_a_namespace_the_program_takes_over(kit: Kit) -> None:
    """Flux's namespace is created by its install manifest and labelled by a NamespacePatch."""
    patch = Resource(
        "kubernetes:core/v1:NamespacePatch",
        "gitops-namespace-labels",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}},
        urn="urn:pulumi:test::platform::kubernetes:core/v1:NamespacePatch::gitops-namespace-labels",
    )
    (violation,) = evaluate([patch], [], [STACK_BY_ID["ns-default-deny"]]).violations
    assert violation.resource == "Namespace flux-system"
    netpol = default_deny()
    netpol["metadata"]["namespace"] = "flux-system"
    assert evaluate([patch, *kit.resources(netpol)], [], [STACK_BY_ID["ns-default-deny"]]).violations == []


@pytest.mark.parametrize("name", ["kube-system", "kube-public", "kube-node-lease"])
def test_system_namespaces_need_no_default_deny(kit: Kit, name: str) -> None:
    assert run(kit, [_plain(name)], "ns-default-deny") == []


def test_an_exempted_namespace_is_reported_with_its_reason(kit: Kit) -> None:
    ns = _plain("legacy")
    ns["metadata"]["annotations"] = {
        f"{EXEMPT_PREFIX}ns-default-deny": "hostNetwork add-on: NetworkPolicies do not apply to its pods"
    }
    result = evaluate(kit.resources(ns), [], [STACK_BY_ID["ns-default-deny"]])
    assert result.violations == []
    (exemption,) = result.exemptions
    assert (exemption.rule_id, exemption.resource) == ("ns-default-deny", "Namespace legacy")
    assert exemption.reason.startswith("hostNetwork add-on")
    # an exemption without a reason does not count
    ns["metadata"]["annotations"] = {f"{EXEMPT_PREFIX}ns-default-deny": " "}
    assert len(run(kit, [ns], "ns-default-deny")) == 1


# --- mesh: mTLS and PeerAuthentication -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "ok"), [("STRICT", True), ("UNSET", True), (None, True), ("PERMISSIVE", False)]
)
def test_ambient_namespace_needs_a_strict_peer_authentication(kit: Kit, mode: str | None, ok: bool) -> None:
    objects = [namespace(**{"istio.io/dataplane-mode": "ambient"}), peer_auth(mode)]
    assert (run(kit, objects, "mesh-peer-authentication") == []) is (mode == "STRICT")
    assert (run(kit, objects, "mesh-strict-mtls") == []) is ok


@pytest.mark.parametrize("mode", ["PERMISSIVE", "DISABLE", "permissive"])
def test_weak_mtls_mode_fails(kit: Kit, mode: str) -> None:
    (violation,) = run(kit, [peer_auth(mode)], "mesh-strict-mtls")
    assert violation.resource == "PeerAuthentication team-a/default"
    assert "spec.mtls.mode" in violation.message
    assert "STRICT" in violation.message


def test_port_level_permissive_fails(kit: Kit) -> None:
    pa = peer_auth(
        selector={"matchLabels": {"app": "api"}},
        portLevelMtls={"8080": {"mode": "PERMISSIVE"}, "9090": {"mode": "STRICT"}},
    )
    (violation,) = run(kit, [pa], "mesh-strict-mtls")
    assert "spec.portLevelMtls[8080].mode" in violation.message


def test_v1beta1_peer_authentication_is_checked(kit: Kit) -> None:
    pa = peer_auth("DISABLE")
    pa["apiVersion"] = "security.istio.io/v1beta1"
    assert run(kit, [pa], "mesh-strict-mtls")


def test_workload_scoped_peer_authentication_does_not_cover_the_namespace(kit: Kit) -> None:
    objects = [
        namespace(**{"istio-injection": "enabled"}),
        peer_auth(selector={"matchLabels": {"app": "api"}}),
    ]
    (violation,) = run(kit, objects, "mesh-peer-authentication")
    assert violation.resource == "Namespace team-a"
    assert "without spec.selector" in violation.message


def test_mesh_wide_strict_policy_in_the_root_namespace_counts(kit: Kit) -> None:
    ambient = namespace(**{"istio.io/dataplane-mode": "ambient"})
    assert run(kit, [ambient, peer_auth(ns="istio-system")], "mesh-peer-authentication") == []
    # ... unless the namespace overrides it with a weaker namespace-wide policy
    objects = [ambient, peer_auth(ns="istio-system"), peer_auth("PERMISSIVE")]
    assert run(kit, objects, "mesh-peer-authentication")


def test_unmeshed_namespace_needs_no_peer_authentication(kit: Kit) -> None:
    assert run(kit, [namespace()], "mesh-peer-authentication") == []
    assert run(kit, [namespace()], "mesh-authz-default") == []


# --- mesh: authorization -------------------------------------------------------------------------------


def test_istio_namespace_without_authorization_policy_is_advised(kit: Kit) -> None:
    (violation,) = run(kit, [namespace(**{"istio-injection": "enabled"})], "mesh-authz-default")
    assert violation.enforcement.value == "advisory"
    assert "AuthorizationPolicy (security.istio.io)" in violation.message


def test_linkerd_namespace_needs_a_linkerd_authorization_policy(kit: Kit) -> None:
    ns = namespace()
    ns["metadata"]["annotations"] = {"linkerd.io/inject": "enabled"}
    istio_policy = obj(SEC, "AuthorizationPolicy", "x", {})
    (violation,) = run(kit, [ns, istio_policy], "mesh-authz-default")
    assert "policy.linkerd.io" in violation.message
    linkerd_policy = obj("policy.linkerd.io/v1alpha1", "AuthorizationPolicy", "x", {})
    assert run(kit, [ns, linkerd_policy], "mesh-authz-default") == []


# --- mesh-sidecar-cni ----------------------------------------------------------------------------------


def test_sidecar_injection_under_restricted_without_cni_fails(kit: Kit) -> None:
    (violation,) = run(kit, [namespace(**{"istio-injection": "enabled"})], "mesh-sidecar-cni")
    assert violation.resource == "Namespace team-a"
    assert "NET_ADMIN/NET_RAW, which PSS restricted forbids" in violation.message
    assert MESH_CNI_ANNOTATION in violation.message
    assert "ambient" in violation.message


@pytest.mark.parametrize("value", ["true", "True"])
def test_sidecar_injection_with_cni_annotation_passes(kit: Kit, value: str) -> None:
    ns = namespace(**{"istio-injection": "enabled"})
    ns["metadata"]["annotations"] = {MESH_CNI_ANNOTATION: value}
    assert run(kit, [ns], "mesh-sidecar-cni") == []


def test_linkerd_injection_under_restricted_without_cni_fails(kit: Kit) -> None:
    ns = namespace()
    ns["metadata"]["annotations"] = {"linkerd.io/inject": "enabled", MESH_CNI_ANNOTATION: "false"}
    (violation,) = run(kit, [ns], "mesh-sidecar-cni")
    assert "linkerd.io/inject" in violation.message


@pytest.mark.parametrize(
    "labels",
    [
        {"istio.io/dataplane-mode": "ambient"},
        {"istio-injection": "enabled", PSA_ENFORCE: "baseline"},
        {"istio-injection": "disabled"},
    ],
)
def test_sidecar_rule_ignores_ambient_and_non_restricted(kit: Kit, labels: dict[str, str]) -> None:
    assert run(kit, [namespace(**labels)], "mesh-sidecar-cni") == []


# --- Gateway API routes --------------------------------------------------------------------------------


def test_route_parent_missing_fails(kit: Kit) -> None:
    (violation,) = run(kit, [route({"name": "web"}), gateway("other")], "route-parent-exists")
    assert violation.resource == "HTTPRoute team-a/api"
    assert "spec.parentRefs[0] names Gateway web, which is not in this stack in namespace team-a" in (
        violation.message
    )


def test_route_parent_present_passes(kit: Kit) -> None:
    assert run(kit, [route({"name": "web"}), gateway()], "route-parent-exists") == []


def test_route_parent_namespace_is_honoured(kit: Kit) -> None:
    parent = {"name": "shared", "namespace": "gateways", "sectionName": "https"}
    assert run(kit, [route(parent), gateway("shared", ns="gateways")], "route-parent-exists") == []
    assert run(kit, [route(parent), gateway("shared")], "route-parent-exists")


def test_gamma_service_parent(kit: Kit) -> None:
    parent = {"group": "", "kind": "Service", "name": "api"}
    assert run(kit, [route(parent), kit.service()], "route-parent-exists") == []
    (violation,) = run(kit, [route(parent)], "route-parent-exists")
    assert "names Service api (a GAMMA mesh route)" in violation.message


def test_service_parent_without_core_group_is_flagged(kit: Kit) -> None:
    (violation,) = run(kit, [route({"kind": "Service", "name": "api"}), kit.service()], "route-parent-exists")
    assert 'set group: ""' in violation.message


def test_route_without_parents_or_with_unnamed_parent_fails(kit: Kit) -> None:
    assert run(kit, [route()], "route-parent-exists")
    assert run(kit, [route({"kind": "Gateway"})], "route-parent-exists")


def test_route_backend_must_exist(kit: Kit) -> None:
    backends = [
        {"name": "api", "port": 80},
        {"name": "gone", "port": 80},
        {"kind": "ServiceImport", "name": "x"},
    ]
    (violation,) = run(
        kit, [route({"name": "web"}, backends=backends), kit.service()], "route-backend-exists"
    )
    assert violation.enforcement.value == "advisory"
    assert "spec.rules[0].backendRefs[1] names Service gone" in violation.message


# --- ns-quota ------------------------------------------------------------------------------------------


def test_quota_names_each_missing_kind(kit: Kit) -> None:
    messages = [v.message for v in run(kit, [namespace()], "ns-quota")]
    assert len(messages) == 2
    assert any("no ResourceQuota" in m for m in messages)
    assert any("no LimitRange" in m for m in messages)
