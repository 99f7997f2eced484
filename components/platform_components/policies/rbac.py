"""RBAC rules for Roles, ClusterRoles and their bindings (policy-anchors §1I), plus ``ns-default-sa-locked``.

Rule scans visit **every** entry of ``rules`` (checkov CKV_K8S_49 only looks at ``rules[0]``). A ``"*"``
verb or resource is reported once, by ``rbac-no-wildcards``; the other rules look for the explicit
names so one wildcard does not produce a cascade of findings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from platform_components.policies._pod import (
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    ROLE,
    ROLE_BINDING,
    SERVICE_ACCOUNT,
    dig,
    is_false,
    is_set,
    maps,
    one_of,
    strings,
    text,
)
from platform_components.policies.base import Enforcement, Resource, Rule, Severity

M, A = Enforcement.MANDATORY, Enforcement.ADVISORY

ROLE_TYPES = frozenset({ROLE, CLUSTER_ROLE})
BINDING_TYPES = frozenset({ROLE_BINDING, CLUSTER_ROLE_BINDING})
RBAC_TYPES = ROLE_TYPES | BINDING_TYPES

ESCALATION_VERBS = frozenset({"bind", "escalate", "impersonate"})
EXEC_RESOURCES = frozenset({"pods/exec", "pods/attach", "nodes/proxy"})
WORKLOAD_RESOURCES = frozenset(
    {
        "pods",
        "deployments",
        "statefulsets",
        "daemonsets",
        "replicasets",
        "jobs",
        "cronjobs",
        "replicationcontrollers",
    }
)
SECRET_READ_VERBS = frozenset({"get", "list", "watch"})
ANONYMOUS_SUBJECTS = frozenset({"system:anonymous", "system:unauthenticated"})
PUBLIC_INFO_VIEWER = "system:public-info-viewer"


def _rules(resource: Resource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, rule in maps(resource.props.get("rules")):
        yield f"rules[{index}]", rule


def _subjects(resource: Resource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, subject in maps(resource.props.get("subjects")):
        yield f"subjects[{index}]", subject


def _wildcards(resource: Resource) -> Iterator[str]:
    for path, rule in _rules(resource):
        for field_name in ("apiGroups", "resources", "verbs", "nonResourceURLs"):
            if "*" in strings(rule.get(field_name)):
                yield f'{path}.{field_name} contains "*"; list the {field_name} explicitly (CIS EKS 4.1.3)'


def _cluster_admin(resource: Resource) -> Iterator[str]:
    if resource.type in BINDING_TYPES:
        ref_kind = text(dig(resource.props, "roleRef", "kind")) or "ClusterRole"
        if ref_kind == "ClusterRole" and dig(resource.props, "roleRef", "name") == "cluster-admin":
            yield ("roleRef.name is cluster-admin; bind a least-privilege Role instead (CIS EKS 4.1.1)")
        return
    for path, rule in _rules(resource):
        if all("*" in strings(rule.get(f)) for f in ("apiGroups", "resources", "verbs")):
            yield (
                f"{path} grants every verb on every resource (cluster-admin equivalent); grant only what "
                "the workload needs (CIS EKS 4.1.1)"
            )


def _escalation_verbs(resource: Resource) -> Iterator[str]:
    for path, rule in _rules(resource):
        verbs = set(strings(rule.get("verbs")))
        bad = sorted(verbs & ESCALATION_VERBS)
        if bad:
            yield (
                f"{path}.verbs contains {', '.join(bad)}; remove these verbs (privilege escalation, "
                "CIS EKS 4.1.8)"
            )
        if "create" in verbs and "serviceaccounts/token" in strings(rule.get("resources")):
            yield (
                f"{path} allows create on serviceaccounts/token; remove it (token minting, CIS EKS 4.1.12)"
            )


def _exec_create_pods(resource: Resource) -> Iterator[str]:
    for path, rule in _rules(resource):
        resources = set(strings(rule.get("resources")))
        verbs = set(strings(rule.get("verbs")))
        exec_resources = sorted(resources & EXEC_RESOURCES)
        if exec_resources and verbs:
            yield (
                f"{path}.resources contains {', '.join(exec_resources)}; remove interactive access "
                "(CIS EKS 4.1.4, 4.1.10)"
            )
        created = sorted(resources & WORKLOAD_RESOURCES)
        if created and "create" in verbs:
            yield (
                f"{path} allows create on {', '.join(created)}; whoever can create pods can run as any "
                "ServiceAccount of the namespace (CIS EKS 4.1.4)"
            )


def _secret_read(resource: Resource) -> Iterator[str]:
    for path, rule in _rules(resource):
        if "secrets" not in strings(rule.get("resources")) or is_set(rule.get("resourceNames")):
            continue
        verbs = sorted(set(strings(rule.get("verbs"))) & SECRET_READ_VERBS)
        if verbs:
            yield (
                f"{path} allows {', '.join(verbs)} on all secrets; restrict it with resourceNames "
                "(CIS EKS 4.1.2)"
            )


def _anonymous(resource: Resource) -> Iterator[str]:
    if dig(resource.props, "roleRef", "name") == PUBLIC_INFO_VIEWER:
        return
    for path, subject in _subjects(resource):
        name = subject.get("name")
        if one_of(name, ANONYMOUS_SUBJECTS):
            yield f"{path} is {name}; do not grant anything to unauthenticated users"


def _default_sa_locked(resource: Resource) -> Iterator[str]:
    if resource.type == SERVICE_ACCOUNT:
        if resource.metadata.get("name") == "default" and not is_false(
            resource.props.get("automountServiceAccountToken")
        ):
            yield (
                "automountServiceAccountToken is not false on the default ServiceAccount; set it to false "
                "(CIS EKS 4.1.5)"
            )
        return
    for path, subject in _subjects(resource):
        if subject.get("kind") == "ServiceAccount" and subject.get("name") == "default":
            yield (
                f"{path} binds the default ServiceAccount; bind a dedicated ServiceAccount instead "
                "(CIS EKS 4.1.5)"
            )


RULES: tuple[Rule, ...] = (
    Rule(
        "rbac-no-wildcards",
        "Wildcards grant access to resources and verbs that do not exist yet; scan every rule, not only "
        "rules[0] like CKV_K8S_49 (CIS EKS 4.1.3).",
        Severity.HIGH,
        M,
        ROLE_TYPES,
        _wildcards,
    ),
    Rule(
        "rbac-no-cluster-admin",
        "cluster-admin (or an all-wildcard rule) is unrestricted superuser access (CIS EKS 4.1.1; Polaris "
        "clusterrolebindingClusterAdmin).",
        Severity.HIGH,
        M,
        RBAC_TYPES,
        _cluster_admin,
    ),
    Rule(
        "rbac-no-escalation-verbs",
        "bind, escalate, impersonate and token creation let a subject gain permissions it was not "
        "granted (CIS EKS 4.1.8, 4.1.12).",
        Severity.HIGH,
        M,
        ROLE_TYPES,
        _escalation_verbs,
    ),
    Rule(
        "rbac-no-anonymous",
        "Bindings to system:anonymous or system:unauthenticated open the API to anyone (EKS BPG iam "
        '"Review and revoke unnecessary anonymous access").',
        Severity.HIGH,
        M,
        BINDING_TYPES,
        _anonymous,
    ),
    Rule(
        "rbac-no-exec-create-pods",
        "exec, attach, node proxy and pod creation are paths to every ServiceAccount and secret of a "
        "namespace (CIS EKS 4.1.4, 4.1.10).",
        Severity.HIGH,
        A,
        ROLE_TYPES,
        _exec_create_pods,
    ),
    Rule(
        "rbac-no-secret-read",
        "Reading all secrets of a namespace exposes every credential in it (CIS EKS 4.1.2).",
        Severity.MEDIUM,
        A,
        ROLE_TYPES,
        _secret_read,
    ),
    Rule(
        "ns-default-sa-locked",
        "The default ServiceAccount must not mount a token or be granted permissions, so pods that forget "
        "serviceAccountName get nothing (CIS EKS 4.1.5; CKV_K8S_41, CKV_K8S_42).",
        Severity.MEDIUM,
        M,
        BINDING_TYPES | {SERVICE_ACCOUNT},
        _default_sa_locked,
    ),
)

__all__ = ["BINDING_TYPES", "RBAC_TYPES", "ROLE_TYPES", "RULES"]
