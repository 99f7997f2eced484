"""Roles and bindings, as ``k8s.io/kubernetes/pkg/apis/rbac/validation/validation.go`` (Kubernetes
1.35) validates them beyond their schema: ``ValidateRole``/``ValidateClusterRole`` (every rule,
``ValidatePolicyRule``; a ClusterRole's ``aggregationRule``) and ``ValidateRoleBinding``/
``ValidateClusterRoleBinding`` (the ``roleRef`` and every subject, ``ValidateRoleBindingSubject``).

The API server validates after ``rbac/v1`` defaulting: ``SetDefaults_RoleBinding`` and
``SetDefaults_ClusterRoleBinding`` give an empty ``roleRef.apiGroup`` the RBAC group and
``SetDefaults_Subject`` an empty ``apiGroup`` of a User or Group subject the RBAC group, so these
may be left out here too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from ..names import is_dns1123_subdomain, is_valid_path_segment_name
from . import register
from ._validation import invalid, not_supported, required
from .selectors import label_selector_errors

RBAC_GROUP: Final = "rbac.authorization.k8s.io"
SUBJECT_KINDS: Final = ["ServiceAccount", "User", "Group"]


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def policy_rule_errors(rule: Any, namespaced: bool, path: str) -> Iterator[tuple[str, str]]:
    """``ValidatePolicyRule``: verbs required; non-resource URLs only in ClusterRoles and never
    with API groups, resources or resource names; otherwise API groups and resources required."""
    if not isinstance(rule, Mapping):
        return
    if not _items(rule.get("verbs")):
        yield f"{path}.verbs", required("verbs must contain at least one value")
    urls = _items(rule.get("nonResourceURLs"))
    if urls:
        if namespaced:
            yield (
                f"{path}.nonResourceURLs",
                invalid(urls, "namespaced rules cannot apply to non-resource URLs"),
            )
        if any(_items(rule.get(key)) for key in ("apiGroups", "resources", "resourceNames")):
            yield (
                f"{path}.nonResourceURLs",
                invalid(urls, "rules cannot apply to both regular resources and non-resource URLs"),
            )
        return
    if not _items(rule.get("apiGroups")):
        yield f"{path}.apiGroups", required("resource rules must supply at least one api group")
    if not _items(rule.get("resources")):
        yield f"{path}.resources", required("resource rules must supply at least one resource")


def _rules(manifest: Mapping[str, Any], namespaced: bool) -> Iterator[tuple[str, str]]:
    for index, rule in enumerate(_items(manifest.get("rules"))):
        yield from policy_rule_errors(rule, namespaced, f"rules[{index}]")


@register((RBAC_GROUP, "Role"))
def role_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateRole``: every rule, namespaced."""
    yield from _rules(manifest, True)


@register((RBAC_GROUP, "ClusterRole"))
def cluster_role_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateClusterRole``: every rule; an ``aggregationRule`` has at least one selector,
    each a valid label selector."""
    yield from _rules(manifest, False)
    aggregation = manifest.get("aggregationRule")
    if not isinstance(aggregation, Mapping):
        return
    selectors = _items(aggregation.get("clusterRoleSelectors"))
    if not selectors:
        yield (
            "aggregationRule.clusterRoleSelectors",
            required("at least one clusterRoleSelector required if aggregationRule is non-nil"),
        )
    for index, selector in enumerate(selectors):
        path = f"aggregationRule.clusterRoleSelectors[{index}]"
        found = list(label_selector_errors(selector, path))
        yield from found
        if found:  # metav1.LabelSelectorAsSelector refuses what ValidateLabelSelector refuses
            yield path, invalid(selector, "invalid label selector.")


def subject_errors(subject: Any, namespaced: bool, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateRoleBindingSubject``: a name; a ServiceAccount's name a DNS-1123 subdomain
    (``ValidateServiceAccountName``), its ``apiGroup`` empty and, in a ClusterRoleBinding, a
    namespace; a User's or Group's ``apiGroup`` the RBAC group; no other kind."""
    if not isinstance(subject, Mapping):
        return
    raw = subject.get("name")
    if raw is None or raw == "":
        yield f"{path}.name", required()
    name = raw if isinstance(raw, str) else ""
    kind = subject.get("kind")
    group = subject.get("apiGroup")
    group = group if isinstance(group, str) else ""
    if kind == "ServiceAccount":
        for message in is_dns1123_subdomain(name) if name else []:
            yield f"{path}.name", invalid(name, message)
        if group:
            yield f"{path}.apiGroup", not_supported(group, [""])
        if not namespaced and not subject.get("namespace"):
            yield f"{path}.namespace", required()
    elif kind in ("User", "Group"):
        if group and group != RBAC_GROUP:  # SetDefaults_Subject fills an empty apiGroup in
            yield f"{path}.apiGroup", not_supported(group, [RBAC_GROUP])
    elif isinstance(kind, str) or kind is None:
        yield f"{path}.kind", not_supported(kind or "", SUBJECT_KINDS)


def _binding_errors(
    manifest: Mapping[str, Any], kinds: list[str], namespaced: bool
) -> Iterator[tuple[str, str]]:
    ref = manifest.get("roleRef")
    if isinstance(ref, Mapping):
        group = ref.get("apiGroup")
        if isinstance(group, str) and group and group != RBAC_GROUP:
            yield "roleRef.apiGroup", not_supported(group, [RBAC_GROUP])
        kind = ref.get("kind")
        if (isinstance(kind, str) or kind is None) and kind not in kinds:
            yield "roleRef.kind", not_supported(kind or "", kinds)
        name = ref.get("name")
        if name is None or name == "":
            yield "roleRef.name", required()
        elif isinstance(name, str):
            for message in is_valid_path_segment_name(name):
                yield "roleRef.name", invalid(name, message)
    for index, subject in enumerate(_items(manifest.get("subjects"))):
        yield from subject_errors(subject, namespaced, f"subjects[{index}]")


@register((RBAC_GROUP, "RoleBinding"))
def role_binding_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateRoleBinding``: ``roleRef`` to a Role or ClusterRole of the RBAC group by a path
    segment name; every subject."""
    yield from _binding_errors(manifest, ["Role", "ClusterRole"], True)


@register((RBAC_GROUP, "ClusterRoleBinding"))
def cluster_role_binding_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateClusterRoleBinding``: ``roleRef`` to a ClusterRole only; every subject, service
    accounts with a namespace."""
    yield from _binding_errors(manifest, ["ClusterRole"], False)


__all__ = [
    "cluster_role_binding_errors",
    "cluster_role_errors",
    "policy_rule_errors",
    "role_binding_errors",
    "role_errors",
    "subject_errors",
]
