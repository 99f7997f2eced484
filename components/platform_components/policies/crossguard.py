"""CrossGuard adapters: every rule of the pack as a ``pulumi_policy`` policy.

:func:`build_policies` only builds policy objects; it never constructs a ``PolicyPack`` (whose
constructor starts a gRPC server and blocks). The pack entry point is ``pack/__main__.py``.

Resource policies only look at resources whose type token the rule applies to, so unknown preview
values of unrelated resources never reach a rule. Stack policies also receive each resource's property
dependencies (as URNs), which is how a bucket's configuration resources are matched to it while the
bucket's generated name is still unknown. An exempted resource
(``policy.platform-components.io/exempt.<rule-id>: "<reason>"``) is skipped silently.

``pulumi_policy`` deserialises the analyzer's properties without its secrets proxy, so a Pulumi secret
reaches a validation as its plaintext, indistinguishable from a literal; resources are therefore built
with ``secrets_masked=False`` (rules that accept a secret but refuse a literal, such as
``gitops-repo-credentials``, cannot judge such values here; the offline engine, which masks secrets as
``"[secret]"``, does).
"""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import Severity as PulumiSeverity

from platform_components.policies import RULES, STACK_RULES
from platform_components.policies.base import (
    Enforcement,
    Resource,
    Rule,
    Severity,
    StackRule,
    exemption_reason,
)

ENFORCEMENT_LEVELS: dict[Enforcement, EnforcementLevel] = {
    Enforcement.ADVISORY: EnforcementLevel.ADVISORY,
    Enforcement.MANDATORY: EnforcementLevel.MANDATORY,
}
SEVERITIES: dict[Severity, PulumiSeverity] = {
    Severity.LOW: PulumiSeverity.LOW,
    Severity.MEDIUM: PulumiSeverity.MEDIUM,
    Severity.HIGH: PulumiSeverity.HIGH,
    Severity.CRITICAL: PulumiSeverity.CRITICAL,
}


def _resource_validator(rule: Rule) -> ResourceValidation:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        resource = Resource(
            type=args.resource_type,
            name=args.name,
            props=args.props,
            urn=args.urn,
            protect=bool(getattr(args.opts, "protect", False)),
            secrets_masked=False,
        )
        if exemption_reason(resource, rule.id) is not None:
            return
        for message in rule.check(resource):
            report(f"{resource.display}: {message}", args.urn)

    validate.__name__ = f"validate_{rule.id.replace('-', '_')}"
    return validate


def _property_dependencies(item: PolicyResource) -> dict[str, tuple[str, ...]]:
    """``PolicyResource.property_dependencies`` (property -> the resources its value came from) as
    property -> URNs. The analyzer keeps only dependencies on resources of the stack."""
    raw = getattr(item, "property_dependencies", None) or {}
    return {
        str(prop): tuple(urn for urn in (getattr(dep, "urn", None) for dep in deps or ()) if urn)
        for prop, deps in raw.items()
    }


def _stack_validator(rule: StackRule) -> StackValidation:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources: Sequence[Resource] = [
            Resource(
                type=item.resource_type,
                name=item.name,
                props=item.props,
                urn=item.urn,
                protect=bool(getattr(getattr(item, "opts", None), "protect", False)),
                property_dependencies=_property_dependencies(item),
                secrets_masked=False,
                parent=str(getattr(getattr(item, "parent", None), "urn", None) or ""),
            )
            for item in args.resources
        ]
        for resource, message in rule.check(resources):
            if exemption_reason(resource, rule.id) is None:
                report(f"{resource.display}: {message}", resource.urn or None)

    validate.__name__ = f"validate_{rule.id.replace('-', '_')}"
    return validate


def resource_policy(rule: Rule) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=_resource_validator(rule),
        enforcement_level=ENFORCEMENT_LEVELS[rule.enforcement],
        severity=SEVERITIES[rule.severity],
    )


def stack_policy(rule: StackRule) -> StackValidationPolicy:
    return StackValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=_stack_validator(rule),
        enforcement_level=ENFORCEMENT_LEVELS[rule.enforcement],
        severity=SEVERITIES[rule.severity],
    )


def build_policies() -> list[Policy]:
    """One policy per rule of the pack, resource policies first, each group sorted by id."""
    policies: list[Policy] = [resource_policy(rule) for rule in RULES]
    policies += [stack_policy(rule) for rule in STACK_RULES]
    return policies


__all__ = ["build_policies", "resource_policy", "stack_policy"]
