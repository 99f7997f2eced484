"""Default-deny in every namespace the platform creates (issue 14): per stack and example, the
namespaces the program creates (a Namespace) or takes over (a NamespacePatch: Flux's, created by its
install manifest), each with a default-deny NetworkPolicy in the rendered manifests (every pod,
Ingress and Egress, no allow-all rule), and the allows each namespace kind carries."""

from __future__ import annotations

from typing import Any

import pytest
from _targets import TARGETS
from platform_components.testing import Preview, preview_project

NAMESPACE_TYPES = ("kubernetes:core/v1:Namespace", "kubernetes:core/v1:NamespacePatch")

#: target -> namespace -> what creates it
CREATED: dict[str, dict[str, str]] = {
    "dev": {
        "payments": "team (MeshNamespace)",
        "shop": "team (MeshNamespace)",
        "gateway": "the shared Gateway's (MeshNamespace)",
        "flux-system": "GitOps: Flux's install manifest, taken over by a NamespacePatch",
    },
    "staging": {
        "payments": "team (MeshNamespace)",
        "shop": "team (MeshNamespace)",
        "gateway": "the shared Gateway's (MeshNamespace)",
        "argocd": "GitOps: Argo CD (GitOpsBootstrap)",
    },
    "prod": {
        "payments": "team (MeshNamespace)",
        "shop": "team (MeshNamespace)",
        "gateway": "the shared Gateway's (MeshNamespace)",
        "argocd": "GitOps: Argo CD (GitOpsBootstrap)",
    },
    "local": {"shop": "created implicitly for the declared workloads and database"},
    # the example deploys into its team's namespace, declared by the platform program (NamespaceRef)
    "team-service": {},
}

DNS_53 = [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
API_SERVER = {
    "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
    "ports": [{"port": 443, "protocol": "TCP"}, {"port": 6443, "protocol": "TCP"}],
}


@pytest.fixture(scope="module", params=sorted(TARGETS))
def previewed(request: pytest.FixtureRequest) -> tuple[str, Preview]:
    project, stack = TARGETS[request.param]
    return request.param, preview_project(project, stack)


def created_namespaces(preview: Preview) -> set[str]:
    out = set()
    for record in preview.resources:
        if record.type in NAMESPACE_TYPES:
            out.add(record.inputs["metadata"]["name"])
    return out


def is_default_deny(policy: dict[str, Any]) -> bool:
    spec = policy["spec"]
    if spec.get("podSelector") not in ({}, {"matchLabels": {}}):
        return False
    if not {"Ingress", "Egress"} <= set(spec.get("policyTypes") or []):
        return False
    return all(
        rule.get(peers) or rule.get("ports")
        for direction, peers in (("ingress", "from"), ("egress", "to"))
        for rule in spec.get(direction) or []
    )


def default_denies(preview: Preview, namespace: str) -> list[dict[str, Any]]:
    return [
        m
        for m in preview.manifests
        if m["kind"] == "NetworkPolicy" and m["metadata"]["namespace"] == namespace and is_default_deny(m)
    ]


def test_the_namespaces_each_target_creates(previewed: tuple[str, Preview]) -> None:
    target, preview = previewed
    assert created_namespaces(preview) == set(CREATED[target])


def test_every_created_namespace_has_a_default_deny(previewed: tuple[str, Preview]) -> None:
    target, preview = previewed
    missing = [ns for ns in sorted(created_namespaces(preview)) if not default_denies(preview, ns)]
    assert missing == [], f"{target}: namespaces without a default-deny NetworkPolicy"
    # every one allows DNS to kube-dns out, and nothing in but what narrower policies allow
    for ns in created_namespaces(preview):
        (deny,) = default_denies(preview, ns)
        assert deny["metadata"]["name"] == "default-deny"
        assert any(rule.get("ports") == DNS_53 for rule in deny["spec"]["egress"]), ns


def test_the_stack_previews_clean_and_exempts_no_default_deny(previewed: tuple[str, Preview]) -> None:
    target, preview = previewed
    assert preview.violations == [] and preview.schema_errors == [], target
    assert [e for e in preview.result.evaluation.exemptions if e.rule_id == "ns-default-deny"] == []


def test_gitops_namespaces_allow_the_api_server_and_repositories(previewed: tuple[str, Preview]) -> None:
    target, preview = previewed
    for ns in ("argocd", "flux-system"):
        if ns not in CREATED[target]:
            continue
        (deny,) = default_denies(preview, ns)
        assert API_SERVER in deny["spec"]["egress"]
        assert {"to": [{"podSelector": {}}]} in deny["spec"]["egress"]
        (repository,) = [
            m
            for m in preview.manifests
            if m["kind"] == "NetworkPolicy"
            and (m["metadata"]["namespace"], m["metadata"]["name"]) == (ns, "repository-egress")
        ]
        assert repository["spec"]["egress"] == [
            {
                "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                "ports": [{"port": 443, "protocol": "TCP"}, {"port": 22, "protocol": "TCP"}],
            }
        ]
