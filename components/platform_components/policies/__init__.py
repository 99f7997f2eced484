"""The platform policy pack: Pod Security Standards, workload hardening, network, RBAC, AWS, tenancy,
GitOps and stack rules.

The same pure rules run under CrossGuard (:mod:`platform_components.policies.crossguard`), in the offline preview
engine and in tests::

    from platform_components.policies import Resource, check

    evaluation = check([Resource("kubernetes:apps/v1:Deployment", "api", manifest)])
    for violation in evaluation.mandatory:
        print(violation.message)

Exempt one object from one rule with the annotation
``policy.platform-components.io/exempt.<rule-id>: "<reason>"`` (see :mod:`platform_components.policies.base`).
"""

from __future__ import annotations

from collections.abc import Sequence

from platform_components.policies import (
    aws,
    exemptions,
    gitops,
    images,
    network,
    pss,
    rbac,
    refs,
    stack,
    tenancy,
    workload,
)
from platform_components.policies._pod import kind_of
from platform_components.policies.base import (
    EXEMPT_PREFIX,
    Enforcement,
    Evaluation,
    Exemption,
    Resource,
    Rule,
    Severity,
    StackRule,
    Violation,
    evaluate,
)

#: Every per-resource rule, sorted by id.
RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *pss.RULES,
            *workload.RULES,
            *network.RULES,
            *rbac.RULES,
            *aws.RULES,
            *tenancy.RULES,
            *gitops.RULES,
        ),
        key=lambda rule: rule.id,
    )
)
#: Every stack rule, sorted by id.
STACK_RULES: tuple[StackRule, ...] = tuple(
    sorted(
        (
            *stack.STACK_RULES,
            *tenancy.STACK_RULES,
            *aws.STACK_RULES,
            *refs.STACK_RULES,
            *exemptions.STACK_RULES,
            *images.STACK_RULES,
        ),
        key=lambda rule: rule.id,
    )
)
#: Kinds each stack rule reports on or reads.
_STACK_RULE_KINDS: dict[str, tuple[str, ...]] = {
    **stack.STACK_RULE_KINDS,
    **tenancy.STACK_RULE_KINDS,
    **aws.STACK_RULE_KINDS,
    **refs.STACK_RULE_KINDS,
    **exemptions.STACK_RULE_KINDS,
    **images.STACK_RULE_KINDS,
}


def rule_catalogue() -> list[dict[str, object]]:
    """One entry per rule (resource and stack), sorted by id.

    Keys: ``id``, ``kind`` (``"resource"`` or ``"stack"``), ``severity``, ``enforcement``,
    ``enforced_at`` (``preview + admission`` or ``preview only``), ``preview_only`` (why a rule is
    not enforced at admission; empty when it is), ``description``, ``fix`` (what to change: the
    rule's :attr:`~platform_components.policies.base.Rule.fix`) and ``applies_to`` (sorted Kubernetes
    kinds).
    """
    from platform_components.policies.admission import preview_only_reason

    entries: list[dict[str, object]] = [
        {
            "id": rule.id,
            "kind": "resource",
            "severity": rule.severity.value,
            "enforcement": rule.enforcement.value,
            "enforced_at": "preview + admission" if rule.cel else "preview only",
            "preview_only": preview_only_reason(rule),
            "description": rule.description,
            "fix": rule.fix,
            "applies_to": sorted({kind_of(type_) for type_ in rule.types}),
        }
        for rule in RULES
    ]
    entries += [
        {
            "id": rule.id,
            "kind": "stack",
            "severity": rule.severity.value,
            "enforcement": rule.enforcement.value,
            "enforced_at": "preview + admission" if rule.admitted else "preview only",
            "preview_only": ""
            if rule.admitted
            else "a stack rule: it reads several objects of the stack, admission sees one",
            "description": rule.description,
            "fix": rule.fix,
            "applies_to": sorted(_STACK_RULE_KINDS.get(rule.id, ())),
        }
        for rule in STACK_RULES
    ]
    return sorted(entries, key=lambda entry: str(entry["id"]))


def check(resources: Sequence[Resource]) -> Evaluation:
    """Run every rule of the pack over ``resources``."""
    return evaluate(resources, RULES, STACK_RULES)


__all__ = [
    "EXEMPT_PREFIX",
    "RULES",
    "STACK_RULES",
    "Enforcement",
    "Evaluation",
    "Exemption",
    "Resource",
    "Rule",
    "Severity",
    "StackRule",
    "Violation",
    "check",
    "evaluate",
    "rule_catalogue",
]
