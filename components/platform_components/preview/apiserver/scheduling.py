"""PriorityClass, as ``ValidatePriorityClass`` (``k8s.io/kubernetes/pkg/apis/scheduling/validation``,
Kubernetes 1.35) validates it beyond its schema: the ``system-`` name prefix is reserved for the
built-in classes (``schedulingapiv1.IsKnownSystemPriorityClass``: their exact value and
``globalDefault``), other classes' values are at most ``HighestUserDefinablePriority``, and the
preemption policy is supported (core's ``ValidatePreemptionPolicy``). An absent ``value`` is 0 and
an absent ``globalDefault`` false, as the API server decodes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from . import register
from ._validation import forbidden, is_int, not_supported

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


__all__ = ["HIGHEST_USER_DEFINABLE_PRIORITY", "known_system_priority_class_error", "priority_class_errors"]
