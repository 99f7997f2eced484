"""Scheduling and namespace budgets, as the API server validates them beyond their schema
(Kubernetes 1.35):

- PriorityClass: ``ValidatePriorityClass`` (``k8s.io/kubernetes/pkg/apis/scheduling/validation``):
  the ``system-`` name prefix is reserved for the built-in classes
  (``schedulingapiv1.IsKnownSystemPriorityClass``: their exact value and ``globalDefault``), other
  classes' values are at most ``HighestUserDefinablePriority``, and the preemption policy is
  supported (core's ``ValidatePreemptionPolicy``). An absent ``value`` is 0 and an absent
  ``globalDefault`` false, as the API server decodes them.
- LimitRange: ``ValidateLimitRange`` (``pkg/apis/core/validation``): limit types standard or
  qualified and distinct, no defaults for ``Pod`` limits, a storage bound for
  ``PersistentVolumeClaim`` limits, and the quantities in order (min <= defaultRequest <= default
  <= max, ratio >= 1 and <= max/min). Resource names are not checked here.
- ResourceQuota: ``ValidateResourceQuotaSpec``'s quantities (``ValidateResourceQuantityValue``:
  non-negative, whole numbers for object counts and extended resources). Resource names and
  scopes are not checked here.

Quantities are compared exactly (:func:`platform_components.kube.quantity.parse_quantity`); an
unparseable one is the schema's error and is skipped. Messages print quantities as written, where
upstream prints their canonical form.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Final

from ...kube.quantity import parse_quantity
from . import register
from ._resources import INTEGER_RESOURCES, is_extended_resource_name
from ._validation import duplicate, forbidden, invalid, is_int, is_qualified_name, not_supported, required

HIGHEST_USER_DEFINABLE_PRIORITY: Final = 1_000_000_000
"""``scheduling.HighestUserDefinablePriority``."""
SYSTEM_PRIORITY_CLASS_PREFIX: Final = "system-"
SYSTEM_PRIORITY_CLASSES: Final = {
    "system-node-critical": 2 * HIGHEST_USER_DEFINABLE_PRIORITY + 1000,
    "system-cluster-critical": 2 * HIGHEST_USER_DEFINABLE_PRIORITY,
}
"""``schedulingapiv1.SystemPriorityClasses``: name -> value (neither is the global default)."""
PREEMPTION_POLICIES: Final = ["Never", "PreemptLowerPriority"]


def known_system_priority_class_error(name: str, value: int, global_default: bool) -> str | None:
    """``IsKnownSystemPriorityClass``: ``None`` for a built-in class as the API server creates it,
    else its error."""
    if name not in SYSTEM_PRIORITY_CLASSES:
        return f"{name} is not a known system priority class"
    if SYSTEM_PRIORITY_CLASSES[name] != value:
        return f"value of {name} PriorityClass must be {SYSTEM_PRIORITY_CLASSES[name]}"
    if global_default:
        return f"globalDefault of {name} PriorityClass must be false"
    return None


@register(("scheduling.k8s.io", "PriorityClass"))
def priority_class_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidatePriorityClass``."""
    metadata = manifest.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    value = manifest.get("value", 0)
    global_default = manifest.get("globalDefault") is True
    if isinstance(name, str) and name.startswith(SYSTEM_PRIORITY_CLASS_PREFIX):
        if is_int(value) and (error := known_system_priority_class_error(name, value, global_default)):
            yield (
                "metadata.name",
                forbidden(
                    f"priority class names with '{SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system "
                    f"use only. error: {error}"
                ),
            )
    elif is_int(value) and value > HIGHEST_USER_DEFINABLE_PRIORITY:
        yield (
            "value",
            forbidden(
                f"maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"
            ),
        )
    policy = manifest.get("preemptionPolicy")
    if isinstance(policy, str) and policy not in PREEMPTION_POLICIES:
        yield "preemptionPolicy", not_supported(policy, PREEMPTION_POLICIES)


LIMIT_TYPES: Final = ("Pod", "Container", "PersistentVolumeClaim")
"""``helper.IsStandardLimitRangeType``."""
"""``helper.integerResources``."""


def _quantity(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        return parse_quantity(value)
    except (ValueError, ArithmeticError):
        return None


def _quantities(value: Any) -> dict[str, tuple[Any, Decimal]]:
    if not isinstance(value, Mapping):
        return {}
    parsed = {str(key): (raw, _quantity(raw)) for key, raw in value.items()}
    return {key: (raw, number) for key, (raw, number) in parsed.items() if number is not None}


def _shown(raw: Any) -> str:
    return str(raw)


def limit_type_errors(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``validateLimitRangeTypeName``: a qualified name, and a standard type unless prefixed."""
    if not isinstance(value, str):
        return
    messages = is_qualified_name(value)
    for message in messages:
        yield path, invalid(value, message)
    if not messages and "/" not in value and value not in LIMIT_TYPES:
        yield path, invalid(value, "must be a standard limit type or fully qualified")


def limit_errors(limit: Any, path: str) -> Iterator[tuple[str, str]]:
    """One item of ``ValidateLimitRange``'s loop (without the resource-name checks)."""
    if not isinstance(limit, Mapping):
        return
    kind = limit.get("type")
    yield from limit_type_errors(kind, f"{path}.type")
    maxs, mins = _quantities(limit.get("max")), _quantities(limit.get("min"))
    defaults, requests = _quantities(limit.get("default")), _quantities(limit.get("defaultRequest"))
    if kind == "Pod":
        if limit.get("default"):
            yield f"{path}.default", forbidden("may not be specified when `type` is 'Pod'")
        if limit.get("defaultRequest"):
            yield f"{path}.defaultRequest", forbidden("may not be specified when `type` is 'Pod'")
        defaults, requests = {}, {}
    if kind == "PersistentVolumeClaim" and not any(
        isinstance(bound, Mapping) and "storage" in bound for bound in (limit.get("min"), limit.get("max"))
    ):
        yield (
            f"{path}.limits",
            required("either minimum or maximum storage value is required, but neither was provided"),
        )
    ratios = _quantities(limit.get("maxLimitRequestRatio"))
    for key in sorted({*maxs, *mins, *defaults, *requests, *ratios}):
        low, high, default, request, ratio = (
            mins.get(key),
            maxs.get(key),
            defaults.get(key),
            requests.get(key),
            ratios.get(key),
        )
        if low and high and low[1] > high[1]:
            yield (
                f"{path}.min[{key}]",
                invalid(_shown(low[0]), f"min value {low[0]} is greater than max value {high[0]}"),
            )
        if request and low and low[1] > request[1]:
            yield (
                f"{path}.defaultRequest[{key}]",
                invalid(
                    _shown(request[0]),
                    f"min value {low[0]} is greater than default request value {request[0]}",
                ),
            )
        if request and high and request[1] > high[1]:
            yield (
                f"{path}.defaultRequest[{key}]",
                invalid(
                    _shown(request[0]),
                    f"default request value {request[0]} is greater than max value {high[0]}",
                ),
            )
        if request and default and request[1] > default[1]:
            yield (
                f"{path}.defaultRequest[{key}]",
                invalid(
                    _shown(request[0]),
                    f"default request value {request[0]} is greater than default limit value {default[0]}",
                ),
            )
        if default and low and low[1] > default[1]:
            yield (
                f"{path}.default[{key}]",
                invalid(_shown(low[0]), f"min value {low[0]} is greater than default value {default[0]}"),
            )
        if default and high and default[1] > high[1]:
            yield (
                f"{path}.default[{key}]",
                invalid(_shown(high[0]), f"default value {default[0]} is greater than max value {high[0]}"),
            )
        if ratio and ratio[1] < 1:
            yield (
                f"{path}.maxLimitRequestRatio[{key}]",
                invalid(_shown(ratio[0]), f"ratio {ratio[0]} is less than 1"),
            )
        if ratio and low and high and low[1] > 0 and ratio[1] > high[1] / low[1]:
            yield (
                f"{path}.maxLimitRequestRatio[{key}]",
                invalid(
                    _shown(ratio[0]),
                    f"ratio {ratio[0]} is greater than max/min = {float(high[1] / low[1]):f}",
                ),
            )


@register(("", "LimitRange"))
def limit_range_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateLimitRange``: every limit; no limit type twice."""
    spec = manifest.get("spec")
    limits = spec.get("limits") if isinstance(spec, Mapping) else None
    if not isinstance(limits, list):
        return
    seen: set[str] = set()
    for index, limit in enumerate(limits):
        path = f"spec.limits[{index}]"
        yield from limit_errors(limit, path)
        kind = limit.get("type") if isinstance(limit, Mapping) else None
        if isinstance(kind, str):
            if kind in seen:
                yield f"{path}.type", duplicate(kind)
            seen.add(kind)


@register(("", "ResourceQuota"))
def resource_quota_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateResourceQuotaSpec`` -> ``ValidateResourceQuantityValue`` on every hard limit:
    not negative, a whole number for object counts and extended resources."""
    spec = manifest.get("spec")
    hard = _quantities(spec.get("hard")) if isinstance(spec, Mapping) else {}
    for key, (raw, number) in hard.items():
        path = f"spec.hard[{key}]"
        if number < 0:
            yield path, invalid(_shown(raw), "must be greater than or equal to 0")
        if (key in INTEGER_RESOURCES or is_extended_resource_name(key)) and number % 1 != 0:
            yield path, invalid(_shown(raw), "must be an integer")


__all__ = [
    "HIGHEST_USER_DEFINABLE_PRIORITY",
    "known_system_priority_class_error",
    "limit_range_errors",
    "priority_class_errors",
    "resource_quota_errors",
]
