"""RBAC validation (``pkg/apis/rbac/validation/validation.go``, Kubernetes 1.35): ``ValidateRole``,
``ValidateClusterRole``, ``ValidatePolicyRule``, ``ValidateRoleBinding``,
``ValidateClusterRoleBinding``, ``ValidateRoleBindingSubject``."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components.preview.apiserver import object_errors
from platform_components.preview.apiserver.rbac import policy_rule_errors, subject_errors
from platform_components.preview.schema import validate_manifest

RBAC = "rbac.authorization.k8s.io/v1"


def obj(kind: str, **fields: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "x"}
    if kind in ("Role", "RoleBinding"):
        metadata["namespace"] = "team"
    return {"apiVersion": RBAC, "kind": kind, "metadata": metadata, **fields}


def binding(kind: str, ref_kind: str = "ClusterRole", **fields: Any) -> dict[str, Any]:
    ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": "view"}
    return obj(kind, roleRef=ref, **fields)


def test_validate_role_through_validate_manifest() -> None:
    """ValidateRole -> ValidatePolicyRule runs in the preview: a rule without verbs."""
    role = obj("Role", rules=[{"apiGroups": [""], "resources": ["pods"], "verbs": []}])
    found = validate_manifest(role, "1.35", display="Role/x")
    assert [(e.path, e.message) for e in found] == [
        ("rules[0].verbs", "Required value: verbs must contain at least one value")
    ]
    ok = obj("Role", rules=[{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}])
    assert validate_manifest(ok, "1.35", display="Role/x") == []


def test_validate_policy_rule_resource_rules() -> None:
    """ValidatePolicyRule: a resource rule needs apiGroups and resources."""
    assert list(policy_rule_errors({"verbs": ["get"]}, True, "r")) == [
        ("r.apiGroups", "Required value: resource rules must supply at least one api group"),
        ("r.resources", "Required value: resource rules must supply at least one resource"),
    ]
    rule = {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"]}
    assert list(policy_rule_errors(rule, True, "r")) == []


def test_validate_policy_rule_non_resource_urls() -> None:
    """ValidatePolicyRule: nonResourceURLs only in ClusterRoles, not with resources."""
    rule = {"verbs": ["get"], "nonResourceURLs": ["/healthz"]}
    assert list(policy_rule_errors(rule, True, "r")) == [
        (
            "r.nonResourceURLs",
            'Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
        )
    ]
    assert list(policy_rule_errors(rule, False, "r")) == []
    mixed = {**rule, "resources": ["pods"]}
    assert list(policy_rule_errors(mixed, False, "r")) == [
        (
            "r.nonResourceURLs",
            'Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs',
        )
    ]


def test_validate_cluster_role_aggregation_rule() -> None:
    """ValidateClusterRole: aggregationRule needs selectors, each a valid label selector."""
    assert list(object_errors(obj("ClusterRole", aggregationRule={}))) == [
        (
            "aggregationRule.clusterRoleSelectors",
            "Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
        )
    ]
    bad = obj(
        "ClusterRole",
        aggregationRule={"clusterRoleSelectors": [{"matchExpressions": [{"key": "a", "operator": "Is"}]}]},
    )
    paths = [path for path, _ in object_errors(bad)]
    assert paths == [
        "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator",
        "aggregationRule.clusterRoleSelectors[0]",
    ]
    ok = obj(
        "ClusterRole",
        aggregationRule={
            "clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-view": "true"}}]
        },
    )
    assert list(object_errors(ok)) == []


def test_validate_role_binding_role_ref() -> None:
    """ValidateRoleBinding: roleRef apiGroup the RBAC group (empty is defaulted), kind Role or
    ClusterRole, a name that is a path segment."""
    manifest = binding("RoleBinding", "Role")
    manifest["roleRef"] = {"apiGroup": "rbac", "kind": "Roles", "name": "a/b"}
    assert list(object_errors(manifest)) == [
        ("roleRef.apiGroup", 'Unsupported value: "rbac": supported values: "rbac.authorization.k8s.io"'),
        ("roleRef.kind", 'Unsupported value: "Roles": supported values: "Role", "ClusterRole"'),
        ("roleRef.name", "Invalid value: \"a/b\": may not contain '/'"),
    ]
    manifest["roleRef"] = {"kind": "Role", "name": ""}
    assert list(object_errors(manifest)) == [("roleRef.name", "Required value")]
    manifest["roleRef"] = {"kind": "Role", "name": "edit:pods"}
    assert list(object_errors(manifest)) == []


def test_validate_cluster_role_binding_only_cluster_roles() -> None:
    """ValidateClusterRoleBinding: roleRef kind ClusterRole only."""
    assert list(object_errors(binding("ClusterRoleBinding", "Role"))) == [
        ("roleRef.kind", 'Unsupported value: "Role": supported values: "ClusterRole"')
    ]
    assert list(object_errors(binding("ClusterRoleBinding"))) == []


@pytest.mark.parametrize(
    ("subject", "namespaced", "expected"),
    [
        ({"kind": "ServiceAccount", "name": "app"}, False, [("s.namespace", "Required value")]),
        (
            {"kind": "ServiceAccount", "name": "app", "namespace": "t", "apiGroup": "v1"},
            True,
            [("s.apiGroup", 'Unsupported value: "v1": supported values: ""')],
        ),
        ({"kind": "ServiceAccount", "name": "App_1", "namespace": "t"}, True, [("s.name", None)]),
        (
            {"kind": "User", "name": "alice", "apiGroup": "v1"},
            True,
            [("s.apiGroup", 'Unsupported value: "v1": supported values: "rbac.authorization.k8s.io"')],
        ),
        ({"kind": "Group", "name": ""}, True, [("s.name", "Required value")]),
        (
            {"kind": "Team", "name": "a"},
            True,
            [("s.kind", 'Unsupported value: "Team": supported values: "ServiceAccount", "User", "Group"')],
        ),
    ],
)
def test_validate_role_binding_subject_fires(
    subject: dict[str, Any], namespaced: bool, expected: list[tuple[str, str | None]]
) -> None:
    """ValidateRoleBindingSubject: SA namespace (cluster bindings), SA apiGroup empty, SA name a
    DNS subdomain, User/Group apiGroup the RBAC group, a name, known kinds."""
    found = list(subject_errors(subject, namespaced, "s"))
    assert [path for path, _ in found] == [path for path, _ in expected]
    for (_, message), (_, wanted) in zip(found, expected, strict=True):
        if wanted is not None:
            assert message == wanted


@pytest.mark.parametrize(
    ("subject", "namespaced"),
    [
        ({"kind": "ServiceAccount", "name": "app"}, True),
        ({"kind": "ServiceAccount", "name": "app", "namespace": "t", "apiGroup": ""}, False),
        ({"kind": "User", "name": "alice@example.com"}, False),
        ({"kind": "Group", "name": "system:authenticated", "apiGroup": "rbac.authorization.k8s.io"}, False),
    ],
)
def test_validate_role_binding_subject_silent(subject: dict[str, Any], namespaced: bool) -> None:
    """ValidateRoleBindingSubject: the accepted cases (SA without namespace in a RoleBinding,
    User/Group apiGroup left to SetDefaults_Subject)."""
    assert list(subject_errors(subject, namespaced, "s")) == []


@pytest.mark.parametrize("kind", ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"])
def test_rbac_checks_never_raise_on_malformed_input(kind: str) -> None:
    """Wrong types are the schema's job."""
    for fields in (
        {"rules": "x"},
        {"rules": [None, {"verbs": 3}]},
        {"roleRef": [], "subjects": [None, 3]},
        {"aggregationRule": {"clusterRoleSelectors": [None]}},
        {"roleRef": {"name": 3, "kind": 4}},
    ):
        list(object_errors(obj(kind, **fields)))
