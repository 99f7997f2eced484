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


def limit_range(*limits: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "l", "namespace": "t"},
        "spec": {"limits": list(limits)},
    }


def test_validate_limit_range_through_validate_manifest() -> None:
    """ValidateLimitRange runs in the preview: a default request above the default limit."""
    container = {"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "1"}}
    found = validate_manifest(limit_range(container), "1.35", display="LimitRange/l")
    assert [(e.path, e.message) for e in found] == [
        (
            "spec.limits[0].defaultRequest[cpu]",
            'Invalid value: "1": default request value 1 is greater than default limit value 500m',
        )
    ]
    ok = {
        "type": "Container",
        "default": {"cpu": "1"},
        "defaultRequest": {"cpu": "1000m"},
        "max": {"cpu": "2"},
    }
    assert validate_manifest(limit_range(ok), "1.35", display="LimitRange/l") == []


def test_validate_limit_range_order_of_quantities() -> None:
    """ValidateLimitRange: min <= max, min <= defaultRequest <= max, min <= default <= max."""
    limit = {
        "type": "Container",
        "min": {"memory": "1Gi"},
        "max": {"memory": "512Mi"},
        "default": {"memory": "2Gi"},
        "defaultRequest": {"memory": "256Mi"},
    }
    assert [path for path, _ in errors(limit_range(limit))] == [
        "spec.limits[0].min[memory]",
        "spec.limits[0].defaultRequest[memory]",
        "spec.limits[0].default[memory]",
    ]


def test_validate_limit_range_ratio() -> None:
    """ValidateLimitRange: maxLimitRequestRatio at least 1 and at most max/min."""
    assert errors(limit_range({"type": "Container", "maxLimitRequestRatio": {"cpu": "500m"}})) == [
        ("spec.limits[0].maxLimitRequestRatio[cpu]", 'Invalid value: "500m": ratio 500m is less than 1')
    ]
    limit = {
        "type": "Container",
        "min": {"cpu": "1"},
        "max": {"cpu": "2"},
        "maxLimitRequestRatio": {"cpu": "3"},
    }
    assert errors(limit_range(limit)) == [
        (
            "spec.limits[0].maxLimitRequestRatio[cpu]",
            'Invalid value: "3": ratio 3 is greater than max/min = 2.000000',
        )
    ]
    limit["maxLimitRequestRatio"] = {"cpu": "2"}
    assert errors(limit_range(limit)) == []


def test_validate_limit_range_types() -> None:
    """ValidateLimitRange / validateLimitRangeTypeName: standard or qualified types, each once; no
    defaults for Pod; PersistentVolumeClaim needs a storage bound."""
    found = errors(limit_range({"type": "Node"}, {"type": "Pod", "default": {"cpu": "1"}}, {"type": "Pod"}))
    assert found == [
        ("spec.limits[0].type", 'Invalid value: "Node": must be a standard limit type or fully qualified'),
        ("spec.limits[1].default", "Forbidden: may not be specified when `type` is 'Pod'"),
        ("spec.limits[2].type", 'Duplicate value: "Pod"'),
    ]
    assert errors(limit_range({"type": "PersistentVolumeClaim", "max": {"cpu": "1"}})) == [
        (
            "spec.limits[0].limits",
            "Required value: either minimum or maximum storage value is required, but neither was provided",
        )
    ]
    assert (
        errors(
            limit_range(
                {"type": "PersistentVolumeClaim", "max": {"storage": "10Gi"}}, {"type": "example.com/gpu"}
            )
        )
        == []
    )


def resource_quota(**hard: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "q", "namespace": "t"},
        "spec": {"hard": hard},
    }


def test_validate_resource_quantity_value_in_resource_quota() -> None:
    """ValidateResourceQuotaSpec -> ValidateResourceQuantityValue: non-negative; whole numbers for
    object counts and extended resources (count/*, example.com/gpu)."""
    found = errors(resource_quota(**{"requests.cpu": "-1", "pods": "1.5", "count/deployments.apps": "500m"}))
    assert found == [
        ("spec.hard[requests.cpu]", 'Invalid value: "-1": must be greater than or equal to 0'),
        ("spec.hard[pods]", 'Invalid value: "1.5": must be an integer'),
        ("spec.hard[count/deployments.apps]", 'Invalid value: "500m": must be an integer'),
    ]
    ok = {"requests.cpu": "1500m", "limits.memory": "4Gi", "pods": "20", "requests.nvidia.com/gpu": "0.5"}
    assert errors(resource_quota(**ok)) == []


def test_limit_range_and_quota_never_raise_on_malformed_input() -> None:
    """Wrong types are the schema's job."""
    for spec in (
        None,
        {"limits": "x"},
        {"limits": [None, {"type": 3, "max": [1]}]},
        {"hard": {"cpu": "lots"}},
    ):
        list(object_errors({**limit_range(), "spec": spec}))
        list(object_errors({**resource_quota(), "spec": spec}))
