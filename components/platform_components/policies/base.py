"""The policy model: rules are pure functions over ``(resource_type, props)``.

A :class:`Rule` looks at one resource; a :class:`StackRule` looks at all resources of a stack at once
(for checks such as "a PodDisruptionBudget selects this Deployment"). Both yield plain messages; the
:func:`evaluate` driver turns them into :class:`Violation` records, honouring explicit exemptions.

``props`` are the engine's camelCase properties, i.e. for Kubernetes objects the manifest itself
(``apiVersion``, ``kind``, ``metadata``, ``spec``). The same functions run under CrossGuard
(:mod:`platform_components.policies.crossguard`), in the offline engine and in tests.

Exemptions: a Kubernetes object may carry the annotation
``policy.platform-components.io/exempt.<rule-id>: "<reason>"`` on its own ``metadata``. The rule is
then not enforced for that object, and the exemption (with its reason) is reported instead. An
exemption without a reason does not count. The components write the exemptions of their
``policy_exemptions`` on every child object, since a rule may fire on any of them (the route, the
Service, the NetworkPolicy ...); ``policy-exemption-unused`` reports one that exempts nothing.

A stack rule with an ``after`` check judges the findings of the other rules (an unused exemption is
one that no finding used): :func:`evaluate` runs it last with the evaluation so far, while its
``check`` (what CrossGuard, which runs each policy on its own, calls) evaluates the pack itself.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

EXEMPT_PREFIX = "policy.platform-components.io/exempt."


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Enforcement(enum.StrEnum):
    """``mandatory`` violations fail a preview (exit 1); ``advisory`` ones are reported as warnings."""

    ADVISORY = "advisory"
    MANDATORY = "mandatory"


@dataclass(frozen=True)
class Resource:
    """What a rule sees: the Pulumi type token, the logical name, the camelCase props, the URN, the
    ``protect`` resource option (CrossGuard: ``args.opts.protect``) and the property dependencies.

    ``property_dependencies`` maps a (camelCase) property name to the URNs of the resources its value
    came from: ``BucketVersioning(bucket=bucket.id)`` depends through ``bucket`` on the bucket's URN,
    even during a preview, when the bucket's generated name is still unknown. Pass a plain dict of
    lists or tuples; it is stored read-only, with tuples. CrossGuard supplies it to stack policies
    only (``PolicyResource.property_dependencies``), the offline engine always; a resource built
    without it has none.

    ``secrets_masked`` says whether a Pulumi secret shows up in ``props`` as the marker ``"[secret]"``
    (the offline engine and tests: the default) or as its plaintext (CrossGuard: ``pulumi_policy``
    unwraps secrets before a validation runs, so a secret and a literal look the same there).

    ``parent`` is the URN of the resource's parent (a component such as a SecureWorkload, or the
    stack), ``""`` when unknown: the objects of one component share it.
    """

    type: str
    name: str
    props: Mapping[str, Any]
    urn: str = ""
    protect: bool = False
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict, repr=False)
    secrets_masked: bool = True
    parent: str = ""

    def __post_init__(self) -> None:
        frozen = MappingProxyType(
            {
                str(key): (urns,) if isinstance(urns, str) else tuple(str(urn) for urn in urns)
                for key, urns in self.property_dependencies.items()
            }
        )
        object.__setattr__(self, "property_dependencies", frozen)

    def depends_on(self, prop: str, urn: str) -> bool:
        """Whether the value of ``prop`` came (at least partly) from the resource ``urn``."""
        return bool(urn) and urn in self.property_dependencies.get(prop, ())

    @property
    def kind(self) -> str:
        """The Kubernetes kind (``Deployment``) or the last segment of a non-Kubernetes type token."""
        kind = self.props.get("kind") if self.type.startswith("kubernetes:") else None
        return str(kind) if kind else self.type.rsplit(":", 1)[-1]

    @property
    def metadata(self) -> Mapping[str, Any]:
        meta = self.props.get("metadata")
        return meta if isinstance(meta, Mapping) else {}

    @property
    def display(self) -> str:
        """``Deployment team-a/api`` when namespaced, else ``Namespace team-a`` / ``Cluster core``."""
        meta = self.metadata
        name = meta.get("name") or self.name
        namespace = meta.get("namespace")
        return f"{self.kind} {namespace}/{name}" if namespace else f"{self.kind} {name}"


ResourceCheck = Callable[[Resource], Iterable[str]]
StackCheck = Callable[[Sequence[Resource]], Iterable[tuple[Resource, str]]]
FindingsCheck = Callable[[Sequence[Resource], "Evaluation"], Iterable[tuple[Resource, str]]]


@dataclass(frozen=True)
class CelCheck:
    """A rule's admission form: CEL expressions, each true for an object the rule lets pass.

    :mod:`platform_components.policies.admission` turns it into ValidatingAdmissionPolicies, so the API
    server refuses (or warns about) what the preview refuses. The expressions read ``object`` (the
    admitted object, after the API server's defaulting) and, for the rules of pod-bearing kinds, the
    variables that resolve the pod template whatever the kind (see ``POD_VARIABLES`` there):
    ``variables.spec`` (the pod spec), ``variables.containers`` (init and regular containers) and
    ``variables.annotations`` (the pod template's annotations). Fields may be absent: guard them with
    ``has()``. ``message`` (prefixed with the rule id) says what to change.

    The Python ``check`` and this form are compared in the fast suite on every fixture of the rule and
    on generated objects; any disagreement fails (``tests/policies/test_admission_cel.py``).
    """

    expressions: tuple[str, ...]
    message: str
    types: frozenset[str] | None = None
    """The type tokens admission judges, when fewer than the rule's (default: the rule's)."""


@dataclass(frozen=True)
class Rule:
    """A per-resource rule.

    ``types`` are the Pulumi type tokens the rule applies to (for example
    ``kubernetes:apps/v1:Deployment``); ``check`` yields one message per problem, each naming the
    field and the fix (the driver prefixes the object, e.g. ``Deployment team-a/api: ``).

    ``cel`` is the rule's admission form (:class:`CelCheck`; several when kinds need different
    expressions, each with its ``types``); a rule on Kubernetes objects without one states in
    ``preview_only`` why it is judged at preview time only.

    ``fix`` (keyword-only) is what the rule asks of any object it fires on: one or two imperative
    sentences naming the field(s) to change and, where a component argument is the usual fix, that
    argument. The messages of ``check`` say the same for one concrete object; the rule catalogue
    (``platformctl rules``, the documentation site) shows ``fix``.
    """

    id: str
    description: str
    severity: Severity
    enforcement: Enforcement
    types: frozenset[str]
    check: ResourceCheck = field(repr=False)
    cel: tuple[CelCheck, ...] = field(default=(), repr=False)
    preview_only: str = field(default="", repr=False)
    fix: str = field(kw_only=True, repr=False)


@dataclass(frozen=True)
class StackRule:
    """A rule over every resource of a stack; ``check`` yields ``(offending resource, message)``.

    ``after``, when set, judges the findings of the other rules: :func:`evaluate` calls it last with
    the evaluation so far instead of ``check`` (which must then evaluate the other rules itself, for
    CrossGuard). ``fix`` is as for :class:`Rule`.
    """

    id: str
    description: str
    severity: Severity
    enforcement: Enforcement
    check: StackCheck = field(repr=False)
    after: FindingsCheck | None = field(default=None, repr=False)
    admitted: bool = field(default=False, repr=False)
    """Also enforced at admission, by policies the stack itself installs (``img-allowed-registries``)."""
    fix: str = field(kw_only=True, repr=False)


@dataclass(frozen=True)
class Violation:
    rule_id: str
    severity: Severity
    enforcement: Enforcement
    resource: str
    urn: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule_id,
            "severity": self.severity.value,
            "enforcement": self.enforcement.value,
            "resource": self.resource,
            "urn": self.urn,
            "message": self.message,
        }


@dataclass(frozen=True)
class Exemption:
    rule_id: str
    resource: str
    urn: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule_id, "resource": self.resource, "urn": self.urn, "reason": self.reason}


@dataclass
class Evaluation:
    violations: list[Violation] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement is Enforcement.MANDATORY]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement is Enforcement.ADVISORY]


STACK_TYPE = "pulumi:pulumi:Stack"


def component_key(resource: Resource) -> str:
    """What groups the objects of one component: its URN as their ``parent`` (a SecureWorkload, a
    StatefulDatabase ...); an object whose parent is the stack, or unknown, stands alone (its URN, or
    its display name without one)."""
    parent = resource.parent
    if parent and f"::{STACK_TYPE}::" not in parent:
        return parent
    return resource.urn or resource.display


def exemption_annotations(exemptions: Mapping[str, str]) -> dict[str, str]:
    """The annotations exempting an object from each rule of ``exemptions`` (rule id -> reason), by id."""
    return {EXEMPT_PREFIX + rule_id: reason for rule_id, reason in sorted(exemptions.items())}


def exemptions_of(resource: Resource) -> dict[str, str]:
    """Every exemption an object carries (rule id -> reason); annotations without a reason do not count."""
    annotations = resource.metadata.get("annotations")
    if not isinstance(annotations, Mapping):
        return {}
    found: dict[str, str] = {}
    for key, reason in annotations.items():
        if (
            isinstance(key, str)
            and key.startswith(EXEMPT_PREFIX)
            and isinstance(reason, str)
            and reason.strip()
        ):
            found[key.removeprefix(EXEMPT_PREFIX)] = reason.strip()
    return found


def exemption_reason(resource: Resource, rule_id: str) -> str | None:
    """The reason of an explicit exemption of ``resource`` from ``rule_id``, or ``None``."""
    annotations = resource.metadata.get("annotations")
    if not isinstance(annotations, Mapping):
        return None
    reason = annotations.get(EXEMPT_PREFIX + rule_id)
    return reason.strip() if isinstance(reason, str) and reason.strip() else None


def _record(out: Evaluation, rule: Rule | StackRule, resource: Resource, message: str) -> None:
    reason = exemption_reason(resource, rule.id)
    if reason is not None:
        out.exemptions.append(Exemption(rule.id, resource.display, resource.urn, reason))
        return
    out.violations.append(
        Violation(
            rule_id=rule.id,
            severity=rule.severity,
            enforcement=rule.enforcement,
            resource=resource.display,
            urn=resource.urn,
            message=f"{resource.display}: {message}",
        )
    )


def index_rules(rules: Iterable[Rule]) -> dict[str, list[Rule]]:
    """Rules grouped by the type tokens they apply to (one dict lookup per resource)."""
    table: dict[str, list[Rule]] = {}
    for rule in rules:
        for type_ in rule.types:
            table.setdefault(type_, []).append(rule)
    return table


def evaluate(
    resources: Sequence[Resource],
    rules: Iterable[Rule],
    stack_rules: Iterable[StackRule] = (),
) -> Evaluation:
    """Run ``rules`` over every resource and ``stack_rules`` over the whole set."""
    out = Evaluation()
    table = index_rules(rules)
    for resource in resources:
        for rule in table.get(resource.type, ()):
            for message in rule.check(resource):
                _record(out, rule, resource, message)
    later: list[tuple[StackRule, FindingsCheck]] = []
    for stack_rule in stack_rules:
        if stack_rule.after is not None:
            later.append((stack_rule, stack_rule.after))
            continue
        for resource, message in stack_rule.check(resources):
            _record(out, stack_rule, resource, message)
    for stack_rule, after in later:
        for resource, message in after(resources, out):
            _record(out, stack_rule, resource, message)
    return out


def iter_messages(rule: Rule, resource: Resource) -> Iterator[str]:
    """Messages of one rule on one resource, ignoring exemptions (a helper for tests)."""
    if resource.type in rule.types:
        yield from rule.check(resource)


__all__ = [
    "EXEMPT_PREFIX",
    "CelCheck",
    "Enforcement",
    "Evaluation",
    "Exemption",
    "FindingsCheck",
    "Resource",
    "ResourceCheck",
    "Rule",
    "Severity",
    "StackCheck",
    "StackRule",
    "Violation",
    "component_key",
    "evaluate",
    "exemption_annotations",
    "exemption_reason",
    "exemptions_of",
]
