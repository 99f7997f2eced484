"""PriorityClass validation: ``ValidatePriorityClass`` (``pkg/apis/scheduling/validation/validation.go``,
Kubernetes 1.35), ``IsKnownSystemPriorityClass`` and ``ValidatePreemptionPolicy``."""

from __future__ import annotations

from typing import Any

from platform_components.preview.apiserver import object_errors
from platform_components.preview.schema import validate_manifest


def priority_class(name: str = "batch-low", **fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": name},
        **fields,
    }


def errors(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return list(object_errors(manifest))


def test_validate_priority_class_through_validate_manifest() -> None:
    """ValidatePriorityClass runs in the preview: a user class above HighestUserDefinablePriority."""
    found = validate_manifest(priority_class(value=1_000_000_001), "1.35", display="PriorityClass/batch-low")
    assert [(e.path, e.message) for e in found] == [
        ("value", "Forbidden: maximum allowed value of a user defined priority is 1000000000")
    ]
    assert validate_manifest(priority_class(value=1_000_000_000), "1.35", display="x") == []


def test_validate_priority_class_system_prefix_reserved() -> None:
    """ValidatePriorityClass / IsKnownSystemPriorityClass: the system- prefix is reserved."""
    assert errors(priority_class("system-high", value=10)) == [
        (
            "metadata.name",
            "Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
            "error: system-high is not a known system priority class",
        )
    ]
    assert errors(priority_class("system-cluster-critical", value=5))[0][1].endswith(
        "error: value of system-cluster-critical PriorityClass must be 2000000000"
    )
    assert errors(priority_class("system-node-critical", value=2000001000, globalDefault=True))[0][
        1
    ].endswith("error: globalDefault of system-node-critical PriorityClass must be false")
    assert errors(priority_class("system-node-critical", value=2000001000)) == []


def test_validate_preemption_policy() -> None:
    """ValidatePriorityClass -> ValidatePreemptionPolicy."""
    assert errors(priority_class(value=1, preemptionPolicy="Always")) == [
        ("preemptionPolicy", 'Unsupported value: "Always": supported values: "Never", "PreemptLowerPriority"')
    ]
    assert errors(priority_class(value=1, preemptionPolicy="Never")) == []


def test_validate_priority_class_never_raises_on_malformed_input() -> None:
    """Wrong types are the schema's job."""
    for fields in ({"value": "high"}, {"value": None, "preemptionPolicy": 3}, {"metadata": None}):
        list(object_errors({**priority_class("system-x"), **fields}))
