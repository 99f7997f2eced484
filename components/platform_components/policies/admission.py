"""The pack's rules as ValidatingAdmissionPolicies: the same rules at preview time and in the cluster.

The policy pack judges what Pulumi deploys; everything Argo CD or Flux applies from Git, or a person
applies with kubectl, reaches the cluster without a preview. Every rule that reads only the admitted
object's own fields therefore also has a CEL form (:class:`~platform_components.policies.base.CelCheck`,
defined next to its Python check), and :func:`admission_policies` turns each form into a
``ValidatingAdmissionPolicy`` and its ``ValidatingAdmissionPolicyBinding``
(``admissionregistration.k8s.io/v1``, GA since Kubernetes 1.30). The fast suite runs the Python
check and the CEL form side by side on every fixture of the rule and on generated objects, so the
two cannot drift (``tests/policies/test_admission_cel.py``); the real-engine suite creates the
policies on a real API server and sends each rule's fixtures through admission.

One policy per action and group of kinds, named ``platform-components.<action>.<group>`` (e.g.
``platform-components.deny.pod-templates``), with one validation per expression of each rule; the
validation's message starts with the rule id, and the policy's ``policy.platform-components.io/rules``
annotation lists its rules. A few dozen policies instead of one per rule keep what a stack installs
(and what a preview renders and checks) small.

* pod rules are written once against ``variables.spec``, ``variables.containers`` and
  ``variables.annotations``; the generator defines those variables for each layout (``pods``: a
  Pod; ``pod-templates``: ``spec.template`` of Deployments, StatefulSets, DaemonSets, ReplicaSets,
  Jobs and Argo Rollouts; ``cronjobs``: ``spec.jobTemplate.spec.template`` of CronJobs), because the
  API server type-checks every expression against every kind a policy matches (so a rule that
  judges only some kinds of a layout, e.g. StatefulSets, is in a policy of those kinds);
* a Pod with a controller owner reference is not judged again: its controller's template was
  judged when the controller was admitted (an exemption written on a Deployment would otherwise
  not reach its pods). Pod Security Admission, enforced on every namespace, still judges each pod
  against the Pod Security Standards;
* ephemeral containers are only added through the ``pods/ephemeralcontainers`` subresource (the
  API server refuses them on create), which the policies do not match: Pod Security Admission
  judges them.

An object exempt from a rule (the pack's annotation ``policy.platform-components.io/exempt.<rule id>``
with a reason, as at preview time) passes that rule's validations (``variables.exemptions``). An
object being deleted is not judged (removing a finalizer must never be refused), nor a request of the
control plane itself (:data:`CONTROL_PLANE_USERS`, the service accounts of kube-system: bootstrap RBAC,
each namespace's ``default`` ServiceAccount, the ReplicaSets of Deployments). Only ``CREATE`` and
``UPDATE`` are matched.

Bindings (:class:`Binding`): mandatory rules bind with ``Deny`` and ``Audit``, advisory ones with
``Warn`` and ``Audit``; a stack may change a rule's action (``Action``), e.g. dev warns where prod
denies. Every binding excludes the namespaces of :data:`EXCLUDED_NAMESPACES` (and the stack's own
additions), each with its reason. ``failurePolicy`` is ``Fail`` for the denying policies (a rule
the server cannot evaluate must not let the object through) and ``Ignore`` for the warning ones (a
warning is not worth refusing a request for); the reason is written on each policy.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from platform_components.policies._pod import CRONJOB, POD, POD_TEMPLATE_PATHS
from platform_components.policies.base import EXEMPT_PREFIX, CelCheck, Enforcement, Rule

__all__ = [
    "ADMISSION_API_VERSION",
    "EXCLUDED_NAMESPACES",
    "POLICY_PREFIX",
    "Action",
    "Binding",
    "PolicyGroup",
    "admission_policies",
    "enforcement_point",
    "policy_groups",
    "resource_of",
]

ADMISSION_API_VERSION = "admissionregistration.k8s.io/v1"
POLICY_PREFIX = "platform-components."
RULES_ANNOTATION = "policy.platform-components.io/rules"
"""On each policy: the ids of the rules it enforces, comma-separated."""
FAILURE_POLICY_REASON_ANNOTATION = "policy.platform-components.io/failure-policy-reason"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

#: Namespaces every binding leaves alone, with the reason (stack data may add more).
EXCLUDED_NAMESPACES: Mapping[str, str] = {
    "kube-system": (
        "EKS managed add-ons (vpc-cni, kube-proxy, coredns, ebs-csi, pod identity agent) and the "
        "Helm-installed Karpenter controller run here with host networking and privileges they need; "
        "refusing them takes the cluster down"
    ),
    "kube-node-lease": "node heartbeats (Lease objects) only; nothing the rules judge is created here",
    "kube-public": "cluster-public information (the cluster-info ConfigMap) owned by the control plane",
}

FAILURE_POLICY_REASONS: Mapping[Enforcement, tuple[str, str]] = {
    Enforcement.MANDATORY: (
        "Fail",
        "a mandatory rule the server cannot evaluate must not let the object through (the forms are "
        "evaluated on minimal and generated objects in the tests, so an error is a bug, not a routine)",
    ),
    Enforcement.ADVISORY: (
        "Ignore",
        "an advisory rule only warns; a warning is not worth refusing a request for",
    ),
}


class Action(enum.StrEnum):
    """What a binding does with a rule's failures (a stack may override a rule's default)."""

    DENY = "deny"
    """Refuse the request (``Deny``) and record it in the audit log (``Audit``)."""
    WARN = "warn"
    """Admit it with a warning to the client (``Warn``) and record it in the audit log (``Audit``)."""
    OFF = "off"
    """No policy for the rule (e.g. a rule a stack judges at preview time only)."""

    @classmethod
    def default_for(cls, rule: Rule) -> Action:
        return cls.DENY if rule.enforcement is Enforcement.MANDATORY else cls.WARN

    @property
    def validation_actions(self) -> list[str]:
        return ["Deny", "Audit"] if self is Action.DENY else ["Warn", "Audit"]


@dataclass(frozen=True)
class Binding:
    """How the policies bind: per-rule actions and the namespaces left alone (name -> reason)."""

    actions: Mapping[str, Action] = field(default_factory=dict)
    excluded_namespaces: Mapping[str, str] = field(default_factory=lambda: dict(EXCLUDED_NAMESPACES))

    def action(self, rule: Rule) -> Action:
        return self.actions.get(rule.id, Action.default_for(rule))


# --- kinds and layouts -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"^kubernetes:(?P<group>[^/:]+)/(?P<version>[^/:]+):(?P<kind>[A-Za-z0-9]+)$")


def _plural(kind: str) -> str:
    lower = kind.lower()
    if lower.endswith("y"):
        return lower[:-1] + "ies"
    if lower.endswith(("s", "x")):
        return lower + "es"
    return lower + "s"


def resource_of(api_version: str, kind: str) -> tuple[str, str, str]:
    """``(group, version, resource)`` of a kind: ``("apps", "v1", "deployments")``."""
    group, _, version = api_version.rpartition("/")
    return group, version, _plural(kind)


def _token_resource(type_token: str) -> tuple[str, str, str]:
    match = _TOKEN.match(type_token)
    if match is None:
        raise ValueError(f"{type_token} is not a Kubernetes type token")
    group = "" if match["group"] == "core" else match["group"]
    return group, match["version"], _plural(match["kind"])


@dataclass(frozen=True)
class _Layout:
    """Where the pod template of a group of kinds lives, as CEL selections on ``object``."""

    name: str
    template: str
    """The pod template (``object`` for a Pod): its ``spec`` and ``metadata`` are the pod's."""
    present: str
    """True when the object has a pod template (a Rollout may borrow one through workloadRef)."""


_LAYOUTS: Mapping[str, _Layout] = {
    "pod": _Layout("pod", "object", "true"),
    "template": _Layout(
        "template",
        "object.spec.template",
        "has(object.spec.template) && has(object.spec.template.spec)",
    ),
    "cronjob": _Layout(
        "cronjob",
        "object.spec.jobTemplate.spec.template",
        "has(object.spec.jobTemplate.spec) && has(object.spec.jobTemplate.spec.template.spec)",
    ),
}


def _layout_of(type_token: str) -> str | None:
    if type_token not in POD_TEMPLATE_PATHS:
        return None
    return "pod" if type_token == POD else "cronjob" if type_token == CRONJOB else "template"


def _pod_variables(layout: _Layout) -> list[dict[str, str]]:
    spec = f"{layout.template}.spec"
    meta = f"{layout.template}.metadata"
    return [
        {"name": "spec", "expression": spec},
        {
            "name": "containers",
            "expression": "variables.spec.containers + "
            "(has(variables.spec.initContainers) ? variables.spec.initContainers : [])",
        },
        {
            "name": "annotations",
            "expression": f"has({meta}) && has({meta}.annotations) ? {meta}.annotations : {{}}"
            if layout.name != "pod"
            else "has(object.metadata.annotations) ? object.metadata.annotations : {}",
        },
    ]


@dataclass(frozen=True)
class PolicyGroup:
    """One policy to generate: the CEL forms of the rules that share an action and a group of kinds
    (a pod-template layout, or the exact kinds of a form), one validation per expression."""

    name: str
    action: Action
    types: tuple[str, ...]
    layout: str | None
    """``pod``, ``template`` or ``cronjob`` for pod-bearing kinds; ``None`` for other kinds."""
    forms: tuple[tuple[Rule, CelCheck], ...]


_LAYOUT_GROUP_NAMES: Mapping[str, str] = {"pod": "pods", "template": "pod-templates", "cronjob": "cronjobs"}


def _resources(types: Iterable[str]) -> str:
    return "-".join(sorted({_token_resource(type_token)[2] for type_token in types}))


def _group_name(action: Action, layout: str | None, types: Sequence[str]) -> str:
    """``pod-templates``, ``pod-templates-except-jobs``, ``statefulsets-pod-templates``, ``services`` ..."""
    if layout is not None:
        group = _LAYOUT_GROUP_NAMES[layout]
        missing = [t for t in LAYOUT_TYPES[layout] if t not in types]
        if missing and len(missing) < len(types):
            group = f"{group}-except-{_resources(missing)}"
        elif missing:
            group = f"{_resources(types)}-{group}"
    else:
        group = _resources(types)
        if len(group) > 63:  # a DNS label
            group = group[:54] + "-" + hashlib.sha256(group.encode()).hexdigest()[:8]
    return f"{POLICY_PREFIX}{action.value}.{group}"


def policy_groups(rules: Iterable[Rule], binding: Binding | None = None) -> list[PolicyGroup]:
    """The policies the rules' CEL forms make under ``binding``'s actions, sorted by name."""
    binding = binding or Binding()
    grouped: dict[tuple[Action, str | None, tuple[str, ...]], list[tuple[Rule, CelCheck]]] = {}
    for rule in rules:
        action = binding.action(rule)
        if action is Action.OFF:
            continue
        for cel in rule.cel:
            types = sorted(cel.types if cel.types is not None else rule.types)
            # a form that reads neither the pod variables nor the template (object metadata only) judges
            # every object of its kinds, a Rollout that borrows its template through workloadRef included
            reads_pod = any(
                "variables." in expression or "spec.template" in expression for expression in cel.expressions
            )
            pod_types = [t for t in types if reads_pod and _layout_of(t) is not None]
            other = tuple(t for t in types if t not in pod_types)
            for layout in sorted({str(_layout_of(t)) for t in pod_types}):
                # the exact kinds: the server type-checks every expression against every matched kind
                in_layout = tuple(t for t in pod_types if _layout_of(t) == layout)
                grouped.setdefault((action, layout, in_layout), []).append((rule, cel))
            if other:
                grouped.setdefault((action, None, other), []).append((rule, cel))
    groups = [
        PolicyGroup(_group_name(action, layout, types), action, types, layout, tuple(forms))
        for (action, layout, types), forms in grouped.items()
    ]
    names = [group.name for group in groups]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"two groups of CEL forms make the same policy: {', '.join(duplicates)}")
    return sorted(groups, key=lambda group: group.name)


#: The kinds of each pod-template layout.
LAYOUT_TYPES: Mapping[str, tuple[str, ...]] = {
    layout: tuple(sorted(t for t in POD_TEMPLATE_PATHS if _layout_of(t) == layout)) for layout in _LAYOUTS
}


def _resource_rules(types: Sequence[str]) -> list[dict[str, Any]]:
    by_group: dict[tuple[str, str], list[str]] = {}
    for type_token in types:
        group, version, resource = _token_resource(type_token)
        by_group.setdefault((group, version), []).append(resource)
    return [
        {
            "apiGroups": [group],
            "apiVersions": [version],
            "resources": sorted(resources),
            "operations": ["CREATE", "UPDATE"],
            "scope": "*",
        }
        for (group, version), resources in sorted(by_group.items())
    ]


#: CEL: the annotation keys of the pack's exemptions that carry a reason (as :func:`exemption_reason`).
EXEMPTIONS_EXPRESSION = (
    "has(object.metadata.annotations) ? object.metadata.annotations.filter(k, "
    f"k.startsWith('{EXEMPT_PREFIX}') && object.metadata.annotations[k].trim() != '') : []"
)


#: Who makes objects the cluster needs for itself, which the policies must never refuse: the API server
#: (bootstrap RBAC, reconciled on every start), kube-controller-manager and kube-scheduler, and the
#: service accounts of kube-system (each controller of kube-controller-manager, e.g. the one that
#: creates every namespace's ``default`` ServiceAccount and the ReplicaSets of Deployments; the EKS
#: add-ons). What they create follows from objects the policies judged when a person or GitOps
#: applied them.
CONTROL_PLANE_USERS = ("system:apiserver", "system:kube-controller-manager", "system:kube-scheduler")
CONTROL_PLANE_ACCOUNTS = "system:serviceaccount:kube-system:"
NOT_THE_CONTROL_PLANE = (
    f"!(request.userInfo.username in {list(CONTROL_PLANE_USERS)!r} || "
    f"request.userInfo.username.startsWith('{CONTROL_PLANE_ACCOUNTS}'))"
)


def _match_conditions(group: PolicyGroup) -> list[dict[str, str]]:
    conditions = [
        {"name": "not-being-deleted", "expression": "!has(object.metadata.deletionTimestamp)"},
        {"name": "not-the-control-plane", "expression": NOT_THE_CONTROL_PLANE},
    ]
    if group.layout is not None:
        layout = _LAYOUTS[group.layout]
        if layout.present != "true":
            conditions.append({"name": "has-pod-template", "expression": layout.present})
    if group.layout == "pod":
        conditions.append(
            {
                "name": "not-controlled",
                "expression": "!has(object.metadata.ownerReferences) || "
                "!object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller)",
            }
        )
    return conditions


def _validation(rule: Rule, cel: CelCheck, expression: str) -> dict[str, str]:
    """One expression of a rule, passed by an object exempt from the rule."""
    return {
        "expression": f"'{EXEMPT_PREFIX}{rule.id}' in variables.exemptions || ({expression})",
        "message": f"{rule.id}: {cel.message}",
        "reason": "Forbidden",
    }


def _policy(group: PolicyGroup) -> dict[str, Any]:
    enforcement = Enforcement.MANDATORY if group.action is Action.DENY else Enforcement.ADVISORY
    failure_policy, reason = FAILURE_POLICY_REASONS[enforcement]
    variables = [{"name": "exemptions", "expression": EXEMPTIONS_EXPRESSION}]
    if group.layout is not None:
        variables += _pod_variables(_LAYOUTS[group.layout])
    return {
        "apiVersion": ADMISSION_API_VERSION,
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {
            "name": group.name,
            "labels": _labels(),
            "annotations": {
                RULES_ANNOTATION: ",".join(sorted({rule.id for rule, _ in group.forms})),
                FAILURE_POLICY_REASON_ANNOTATION: reason,
            },
        },
        "spec": {
            "failurePolicy": failure_policy,
            "matchConstraints": {"resourceRules": _resource_rules(group.types)},
            "matchConditions": _match_conditions(group),
            "variables": variables,
            "validations": [
                _validation(rule, cel, expression)
                for rule, cel in group.forms
                for expression in cel.expressions
            ],
        },
    }


def _labels() -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "platform-admission",
        "app.kubernetes.io/part-of": "platform-components",
        "app.kubernetes.io/managed-by": "platform-components",
    }


def _binding(group: PolicyGroup, excluded: Mapping[str, str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"policyName": group.name, "validationActions": group.action.validation_actions}
    if excluded:
        spec["matchResources"] = {
            "namespaceSelector": {
                "matchExpressions": [
                    {"key": NAMESPACE_NAME_LABEL, "operator": "NotIn", "values": sorted(excluded)}
                ]
            }
        }
    return {
        "apiVersion": ADMISSION_API_VERSION,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": group.name, "labels": _labels()},
        "spec": spec,
    }


def admission_policies(
    rules: Iterable[Rule] | None = None, binding: Binding | None = None
) -> list[dict[str, Any]]:
    """The ValidatingAdmissionPolicies and their bindings for ``rules`` (default: the whole pack), each
    policy followed by its binding; rules whose action is :attr:`Action.OFF` are left out."""
    if rules is None:
        from platform_components.policies import RULES

        rules = RULES
    binding = binding or Binding()
    out: list[dict[str, Any]] = []
    for group in policy_groups(rules, binding):
        out += [_policy(group), _binding(group, binding.excluded_namespaces)]
    return out


def _is_kubernetes(rule: Rule) -> bool:
    return all(type_token.startswith("kubernetes:") for type_token in rule.types)


def preview_only_reason(rule: Rule) -> str:
    """Why a rule is not enforced at admission (``""`` when it is)."""
    if rule.cel:
        return ""
    if not _is_kubernetes(rule):
        return "an AWS resource: nothing reaches the cluster's API server"
    return rule.preview_only


def enforcement_point(rule: Rule) -> str:
    """Where a rule is enforced: ``preview + admission`` or ``preview only (<reason>)``."""
    reason = preview_only_reason(rule)
    return f"preview only ({reason})" if reason else "preview + admission"


def missing_forms(rules: Iterable[Rule]) -> Iterator[str]:
    """Rules on Kubernetes objects with neither a CEL form nor a reason to be preview-only."""
    for rule in rules:
        if _is_kubernetes(rule) and not rule.cel and not rule.preview_only.strip():
            yield rule.id
