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
from platform_components.policies.base import CelCheck, Enforcement, Resource, Rule, Severity

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
CLUSTER_ADMIN = "cluster-admin"
WILDCARD_FIELDS = ("apiGroups", "resources", "verbs", "nonResourceURLs")
ALL_WILDCARD_FIELDS = ("apiGroups", "resources", "verbs")
"""A rule with ``"*"`` in each of these grants everything (cluster-admin equivalent)."""


# --- CEL forms: the admitted object's own fields --------------------------------------------------------


def _cel_rules(condition: str) -> str:
    """CEL: every entry ``r`` of ``object.rules`` satisfies ``condition``. A Role or ClusterRole without
    rules (an aggregated ClusterRole) reaches admission with ``rules: null`` (the field has no
    omitempty), which ``has()`` does not tell from a list."""
    return f"!has(object.rules) || dyn(object.rules) == null || object.rules.all(r, {condition})"


def _cel_contains(field_name: str, value: str) -> str:
    """CEL: the list ``r.<field_name>`` contains ``value``."""
    return f"(has(r.{field_name}) && {value!r} in r.{field_name})"


def _cel_any_of(field_name: str, values: frozenset[str]) -> str:
    """CEL: the list ``r.<field_name>`` contains one of ``values``."""
    return f"(has(r.{field_name}) && r.{field_name}.exists(v, v in {sorted(values)!r}))"


def _cel_subjects(condition: str) -> str:
    """CEL: no entry ``s`` of ``object.subjects`` satisfies ``condition``."""
    return f"!has(object.subjects) || !object.subjects.exists(s, {condition})"


def _rules(resource: Resource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, rule in maps(resource.props.get("rules")):
        yield f"rules[{index}]", rule


def _subjects(resource: Resource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, subject in maps(resource.props.get("subjects")):
        yield f"subjects[{index}]", subject


def _wildcards(resource: Resource) -> Iterator[str]:
    for path, rule in _rules(resource):
        for field_name in WILDCARD_FIELDS:
            if "*" in strings(rule.get(field_name)):
                yield f'{path}.{field_name} contains "*"; list the {field_name} explicitly (CIS EKS 4.1.3)'


def _cluster_admin(resource: Resource) -> Iterator[str]:
    if resource.type in BINDING_TYPES:
        ref_kind = text(dig(resource.props, "roleRef", "kind")) or "ClusterRole"
        if ref_kind == "ClusterRole" and dig(resource.props, "roleRef", "name") == CLUSTER_ADMIN:
            yield ("roleRef.name is cluster-admin; bind a least-privilege Role instead (CIS EKS 4.1.1)")
        return
    for path, rule in _rules(resource):
        if all("*" in strings(rule.get(f)) for f in ALL_WILDCARD_FIELDS):
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
        cel=(
            CelCheck(
                (_cel_rules(" && ".join(f"!{_cel_contains(f, '*')}" for f in WILDCARD_FIELDS)),),
                f'rules must not contain "*" in {", ".join(WILDCARD_FIELDS)}; list them explicitly '
                "(CIS EKS 4.1.3)",
            ),
        ),
        fix='Replace `"*"` in each rule\'s `apiGroups`, `resources`, `verbs` and `nonResourceURLs` with '
        "the names the subject needs.",
    ),
    Rule(
        "rbac-no-cluster-admin",
        "cluster-admin (or an all-wildcard rule) is unrestricted superuser access (CIS EKS 4.1.1; Polaris "
        "clusterrolebindingClusterAdmin).",
        Severity.HIGH,
        M,
        RBAC_TYPES,
        _cluster_admin,
        cel=(
            CelCheck(
                (_cel_rules("!(" + " && ".join(_cel_contains(f, "*") for f in ALL_WILDCARD_FIELDS) + ")"),),
                "no rule may grant every verb on every resource (cluster-admin equivalent); grant only what "
                "the workload needs (CIS EKS 4.1.1)",
                types=ROLE_TYPES,
            ),
            CelCheck(
                (
                    "!has(object.roleRef) || !has(object.roleRef.name) || "
                    f"object.roleRef.name != {CLUSTER_ADMIN!r} || (has(object.roleRef.kind) && "
                    "object.roleRef.kind != '' && object.roleRef.kind != 'ClusterRole')",
                ),
                f"roleRef must not name the ClusterRole {CLUSTER_ADMIN}; bind a least-privilege Role instead "
                "(CIS EKS 4.1.1)",
                types=BINDING_TYPES,
            ),
        ),
        fix="Bind a Role granting only what the subject needs instead of `roleRef.name: cluster-admin`, and "
        'replace rules with `"*"` in `apiGroups`, `resources` and `verbs` alike by explicit ones.',
    ),
    Rule(
        "rbac-no-escalation-verbs",
        "bind, escalate, impersonate and token creation let a subject gain permissions it was not "
        "granted (CIS EKS 4.1.8, 4.1.12).",
        Severity.HIGH,
        M,
        ROLE_TYPES,
        _escalation_verbs,
        cel=(
            CelCheck(
                (
                    _cel_rules(
                        f"!{_cel_any_of('verbs', ESCALATION_VERBS)} && "
                        f"!({_cel_contains('verbs', 'create')} && {_cel_contains('resources', 'serviceaccounts/token')})"
                    ),
                ),
                f"rules must not grant {', '.join(sorted(ESCALATION_VERBS))} or create on "
                "serviceaccounts/token (CIS EKS 4.1.8, 4.1.12)",
            ),
        ),
        fix="Remove `bind`, `escalate` and `impersonate` from each rule's `verbs`, and `create` on "
        "`serviceaccounts/token` from its `resources`.",
    ),
    Rule(
        "rbac-no-anonymous",
        "Bindings to system:anonymous or system:unauthenticated open the API to anyone (EKS BPG iam "
        '"Review and revoke unnecessary anonymous access").',
        Severity.HIGH,
        M,
        BINDING_TYPES,
        _anonymous,
        cel=(
            CelCheck(
                (
                    "(has(object.roleRef) && has(object.roleRef.name) && "
                    f"object.roleRef.name == {PUBLIC_INFO_VIEWER!r}) || "
                    + _cel_subjects(f"has(s.name) && s.name in {sorted(ANONYMOUS_SUBJECTS)!r}"),
                ),
                f"subjects must not include {' or '.join(sorted(ANONYMOUS_SUBJECTS))}; do not grant anything "
                "to unauthenticated users",
            ),
        ),
        fix="Remove `system:anonymous` and `system:unauthenticated` from the binding's `subjects`; name "
        "authenticated users, groups or ServiceAccounts.",
    ),
    Rule(
        "rbac-no-exec-create-pods",
        "exec, attach, node proxy and pod creation are paths to every ServiceAccount and secret of a "
        "namespace (CIS EKS 4.1.4, 4.1.10).",
        Severity.HIGH,
        A,
        ROLE_TYPES,
        _exec_create_pods,
        cel=(
            CelCheck(
                (
                    _cel_rules(
                        f"!({_cel_any_of('resources', EXEC_RESOURCES)} && has(r.verbs) && size(r.verbs) > 0) && "
                        f"!({_cel_any_of('resources', WORKLOAD_RESOURCES)} && {_cel_contains('verbs', 'create')})"
                    ),
                ),
                f"rules should not grant {', '.join(sorted(EXEC_RESOURCES))} or create on pods and workload "
                "resources (CIS EKS 4.1.4, 4.1.10)",
            ),
        ),
        fix="Remove `pods/exec`, `pods/attach` and `nodes/proxy` from each rule's `resources`, and the "
        "`create` verb on pods and workload resources (`deployments`, `jobs`, ...).",
    ),
    Rule(
        "rbac-no-secret-read",
        "Reading all secrets of a namespace exposes every credential in it (CIS EKS 4.1.2).",
        Severity.MEDIUM,
        A,
        ROLE_TYPES,
        _secret_read,
        cel=(
            CelCheck(
                (
                    _cel_rules(
                        f"!{_cel_contains('resources', 'secrets')} || "
                        "(has(r.resourceNames) && size(r.resourceNames) > 0) || "
                        f"!{_cel_any_of('verbs', SECRET_READ_VERBS)}"
                    ),
                ),
                f"rules should not allow {', '.join(sorted(SECRET_READ_VERBS))} on all secrets; restrict them "
                "with resourceNames (CIS EKS 4.1.2)",
            ),
        ),
        fix="Restrict `get`, `list` and `watch` on `secrets` with `resourceNames` listing the Secrets the "
        "subject must read.",
    ),
    Rule(
        "ns-default-sa-locked",
        "The default ServiceAccount must not mount a token or be granted permissions, so pods that forget "
        "serviceAccountName get nothing (CIS EKS 4.1.5; CKV_K8S_41, CKV_K8S_42).",
        Severity.MEDIUM,
        M,
        BINDING_TYPES | {SERVICE_ACCOUNT},
        _default_sa_locked,
        cel=(
            CelCheck(
                (
                    "!has(object.metadata.name) || object.metadata.name != 'default' || "
                    "(has(object.automountServiceAccountToken) && object.automountServiceAccountToken == false)",
                ),
                "the default ServiceAccount must set automountServiceAccountToken: false (CIS EKS 4.1.5)",
                types=frozenset({SERVICE_ACCOUNT}),
            ),
            CelCheck(
                (
                    _cel_subjects(
                        "has(s.kind) && s.kind == 'ServiceAccount' && has(s.name) && s.name == 'default'"
                    ),
                ),
                "subjects must not include the default ServiceAccount; bind a dedicated ServiceAccount "
                "(CIS EKS 4.1.5)",
                types=BINDING_TYPES,
            ),
        ),
        fix="Set `automountServiceAccountToken: false` on the namespace's `default` ServiceAccount, and "
        "list dedicated ServiceAccounts, never `default`, in bindings' `subjects`.",
    ),
)

__all__ = ["BINDING_TYPES", "RBAC_TYPES", "ROLE_TYPES", "RULES"]
