"""An exemption that exempts nothing: ``policy-exemption-unused``.

The components write the exemptions of their ``policy_exemptions`` on every child object, because a
rule may fire on any of them (the HTTPRoute, the Service, the NetworkPolicy ...). An exemption is
*used* when it suppressed at least one finding on one object of its group; a group is the objects of
one component (same parent URN), or a single object outside any component. An unused exemption is
reported, once per group, on the component's workload (or Namespace) when it has one:

* its rule id may be a typo (it then never matched; the message suggests the closest rule id);
* or the finding it was written for is gone, and the stale exemption would silently swallow the
  next, possibly different, finding of that rule on any of the component's objects.

Advisory, not mandatory: an unused exemption weakens nothing today, it only hides tomorrow's finding.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from platform_components.policies._pod import DEPLOYMENT, ROLLOUT, STATEFULSET
from platform_components.policies.base import (
    EXEMPT_PREFIX,
    Enforcement,
    Evaluation,
    Resource,
    Severity,
    StackRule,
    component_key,
    evaluate,
    exemptions_of,
)

RULE_ID = "policy-exemption-unused"
NAMESPACE = "kubernetes:core/v1:Namespace"
MAIN_TYPES = (DEPLOYMENT, ROLLOUT, STATEFULSET, NAMESPACE)
"""Where a component's unused exemption is reported, in this order of preference."""

Finding = tuple[Resource, str]


def _key(resource: Resource) -> str:
    return resource.urn or resource.display


def _rule_ids() -> list[str]:
    from platform_components.policies import RULES, STACK_RULES

    return [rule.id for rule in RULES] + [rule.id for rule in STACK_RULES]


def unused(resources: Sequence[Resource], evaluation: Evaluation) -> Iterator[Finding]:
    """One finding per exemption (rule id) of a group that no finding of ``evaluation`` used."""
    used = {(exemption.urn or exemption.resource, exemption.rule_id) for exemption in evaluation.exemptions}
    groups: dict[str, dict[str, list[Resource]]] = {}
    for resource in resources:
        for rule_id in exemptions_of(resource):
            groups.setdefault(component_key(resource), {}).setdefault(rule_id, []).append(resource)
    known = _rule_ids()
    found: list[Finding] = []
    for by_rule in groups.values():
        for rule_id, carriers in by_rule.items():
            if rule_id == RULE_ID or any((_key(c), rule_id) in used for c in carriers):
                continue
            target = min(
                carriers,
                key=lambda c: MAIN_TYPES.index(c.type) if c.type in MAIN_TYPES else len(MAIN_TYPES),
            )
            annotation = f'metadata.annotations["{EXEMPT_PREFIX}{rule_id}"]'
            others = len(carriers) - 1
            where = (
                f"this object or the {others} other object(s) of its component" if others else "this object"
            )
            if rule_id not in known:
                close = difflib.get_close_matches(rule_id, known, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else "; see `platformctl rules`"
                found.append((target, f"{annotation} names no rule of the policy pack ('{rule_id}'){hint}"))
                continue
            found.append(
                (
                    target,
                    f"{annotation} exempts nothing: rule {rule_id} has no finding on {where}; remove it from "
                    "policy_exemptions, or it will silently hide the next finding of that rule",
                )
            )
    # registration order varies between runs; findings do not
    yield from sorted(found, key=lambda finding: (finding[0].display, finding[1]))


def _check(resources: Sequence[Resource]) -> Iterator[Finding]:
    """The rule on its own (CrossGuard runs each policy separately): evaluate the pack first."""
    from platform_components.policies import RULES, STACK_RULES

    others = [rule for rule in STACK_RULES if rule.after is None]
    yield from unused(resources, evaluate(resources, RULES, others))


STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        RULE_ID,
        "An exemption that matches no finding of its rule on any object of its component (or names no "
        "rule at all) is stale paperwork: it hides nothing today and will silently hide the next finding "
        "of that rule; remove it (DESIGN: a justified exception is explicit, never silent).",
        Severity.LOW,
        Enforcement.ADVISORY,
        _check,
        unused,
        fix="Remove the rule id from the component's `policy_exemptions` (or the "
        "`policy.platform-components.io/exempt.<rule-id>` annotation), or correct a misspelt rule id.",
    ),
)

#: Kinds the rule reports on or reads (any annotated object; these are where it reports).
STACK_RULE_KINDS = {RULE_ID: ("Deployment", "Namespace", "Rollout", "StatefulSet")}

__all__ = ["RULE_ID", "STACK_RULES", "STACK_RULE_KINDS", "unused"]
