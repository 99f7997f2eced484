"""ValidatingAdmissionPolicies evaluated offline, as the API server's admission evaluates them.

:func:`evaluate` applies one ``ValidatingAdmissionPolicy`` (``admissionregistration.k8s.io/v1``) to
one object being created: the policy's ``matchConstraints.resourceRules`` (group, version, resource,
operation), its ``matchConditions``, its ``variables`` and its ``validations``, with the CEL
evaluator of :mod:`.cel` (the one that checks the CRDs' ``x-kubernetes-validations``). It is what the
fast suite uses to run the policies :mod:`platform_components.policies.admission` generates against
the rules' Python checks, and the fallback while no real API server is at hand.

``request`` carries the operation, the object's name, namespace, kind and resource, and the user
(``username``, default ``kubernetes-admin``). Not modelled: bindings (the namespace selector and the
actions are the caller's), ``paramKind``,
``auditAnnotations``, ``messageExpression``, the cost budget and the static type checker (an
expression with a type error fails when it is evaluated, not when the policy is created).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from celpy import celtypes

from platform_components.policies.admission import resource_of

from .cel import CELEvaluationError, compile_expression, to_cel

__all__ = ["CELEvaluationError", "Outcome", "compile_policy", "evaluate", "matches_resource"]


@dataclass(frozen=True)
class Outcome:
    """A policy's verdict on one object: the messages of the validations that failed."""

    policy: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def _expressions(policy: Mapping[str, Any]) -> list[str]:
    spec = policy.get("spec") or {}
    return [
        str(entry["expression"])
        for key in ("matchConditions", "variables", "validations")
        for entry in spec.get(key) or ()
    ]


def compile_policy(policy: Mapping[str, Any]) -> None:
    """Compile every expression of ``policy``; :class:`~.cel.CELCompileError` names the first bad one."""
    for expression in _expressions(policy):
        compile_expression(expression)


def matches_resource(
    policy: Mapping[str, Any], manifest: Mapping[str, Any], operation: str = "CREATE"
) -> bool:
    """Whether ``matchConstraints.resourceRules`` select the object's resource for ``operation``."""
    group, version, resource = resource_of(str(manifest.get("apiVersion", "")), str(manifest.get("kind", "")))
    for rule in (policy.get("spec") or {}).get("matchConstraints", {}).get("resourceRules") or ():
        if (
            _selects(rule.get("apiGroups"), group)
            and _selects(rule.get("apiVersions"), version)
            and _selects(rule.get("resources"), resource)
            and _selects(rule.get("operations"), operation)
        ):
            return True
    return False


def _selects(values: Any, value: str) -> bool:
    return isinstance(values, list) and ("*" in values or value in values)


def _true(value: Any, what: str) -> bool:
    if not isinstance(value, celtypes.BoolType | bool):
        raise CELEvaluationError(f"{what} evaluated to {type(value).__name__}, not a bool")
    return bool(value)


def _request(manifest: Mapping[str, Any], operation: str, username: str) -> dict[str, Any]:
    """The parts of the admission request (``request``) a policy may read."""
    metadata = manifest.get("metadata") or {}
    group, version, resource = resource_of(str(manifest.get("apiVersion", "")), str(manifest.get("kind", "")))
    return {
        "operation": operation,
        "userInfo": {"username": username, "groups": ["system:authenticated"]},
        "name": metadata.get("name", ""),
        "namespace": metadata.get("namespace", ""),
        "kind": {"group": group, "version": version, "kind": manifest.get("kind", "")},
        "resource": {"group": group, "version": version, "resource": resource},
        "dryRun": False,
    }


def evaluate(
    policy: Mapping[str, Any],
    manifest: Mapping[str, Any],
    operation: str = "CREATE",
    *,
    username: str = "kubernetes-admin",
) -> Outcome | None:
    """The policy's verdict on ``manifest`` sent by ``username``, or ``None`` when the policy does not
    apply to it.

    :class:`CELEvaluationError` when an expression fails to evaluate (the policy's ``failurePolicy``
    decides what the API server makes of that)."""
    if not matches_resource(policy, manifest, operation):
        return None
    spec = policy.get("spec") or {}
    activation: dict[str, Any] = {
        "object": to_cel(dict(manifest), {}),
        "oldObject": None,
        "request": to_cel(_request(manifest, operation, username), {}),
    }
    for condition in spec.get("matchConditions") or ():
        value = compile_expression(condition["expression"]).evaluate(activation)
        if not _true(value, f"matchCondition {condition['name']}"):
            return None
    variables: dict[Any, Any] = {}
    activation["variables"] = celtypes.MapType(variables)
    for variable in spec.get("variables") or ():
        value = compile_expression(variable["expression"]).evaluate(activation)
        variables[celtypes.StringType(variable["name"])] = value
        activation["variables"] = celtypes.MapType(variables)
    failures = [
        str(validation.get("message") or validation["expression"])
        for validation in spec.get("validations") or ()
        if not _true(compile_expression(validation["expression"]).evaluate(activation), "a validation")
    ]
    return Outcome(str(policy["metadata"]["name"]), tuple(failures))
