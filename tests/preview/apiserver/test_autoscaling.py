"""The ``autoscaling`` family: ``pkg/apis/autoscaling/validation`` (ValidateHorizontalPodAutoscaler,
validateMetricSpec, validateMetricTarget, validateScalingRules ...) and ``pkg/apis/policy/validation``
(ValidatePodDisruptionBudgetSpec)."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components.preview.apiserver.autoscaling import (
    HPA_SCALE_TO_ZERO,
    check_horizontal_pod_autoscaler,
    check_pod_disruption_budget,
    container_resource_name_errors,
)
from platform_components.preview.schema import validate_manifest

TARGET = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
CPU = {
    "type": "Resource",
    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
}


def _hpa(**spec: Any) -> dict[str, Any]:
    base = {"scaleTargetRef": TARGET, "minReplicas": 2, "maxReplicas": 5, "metrics": [CPU]}
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "n"},
        "spec": base | spec,
    }


def _errors(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return list(check_horizontal_pod_autoscaler(manifest))


def _paths(errors: Any) -> list[str]:
    return [path for path, _ in errors]


def test_hpa_replicas_through_validate_manifest() -> None:
    """validateHorizontalPodAutoscalerSpec: maxReplicas >= minReplicas (wired through validate_manifest)."""
    errors = validate_manifest(_hpa(minReplicas=6), "1.35", display="hpa")
    assert [(e.path, e.message) for e in errors] == [
        ("spec.maxReplicas", "Invalid value: 5: must be greater than or equal to `minReplicas`")
    ]
    assert validate_manifest(_hpa(minReplicas=5), "1.35", display="hpa") == []


def test_hpa_min_replicas_scale_to_zero_gate_off() -> None:
    """validateHorizontalPodAutoscalerSpec: minReplicas >= 1 (HPAScaleToZero is alpha, off in 1.35); absent is 1."""
    assert HPA_SCALE_TO_ZERO is False
    assert _errors(_hpa(minReplicas=0)) == [
        ("spec.minReplicas", "Invalid value: 0: must be greater than or equal to 1"),
        (
            "spec.metrics",
            "Forbidden: must specify at least one Object or External metric to support scaling to zero replicas",
        ),
    ]
    manifest = _hpa(maxReplicas=1)
    del manifest["spec"]["minReplicas"]
    assert _errors(manifest) == []
    assert _errors(_hpa(maxReplicas=0, minReplicas=1)) == [
        ("spec.maxReplicas", "Invalid value: 0: must be greater than 0"),
        ("spec.maxReplicas", "Invalid value: 0: must be greater than or equal to `minReplicas`"),
    ]


def test_hpa_scale_target_ref_validate_cross_version_object_reference() -> None:
    """ValidateCrossVersionObjectReference: kind and name required, valid path segments."""
    assert _errors(_hpa(scaleTargetRef={"apiVersion": "apps/v1", "name": "a/b"})) == [
        ("spec.scaleTargetRef.kind", "Required value"),
        ("spec.scaleTargetRef.name", "Invalid value: \"a/b\": may not contain '/'"),
    ]


def test_hpa_metric_type_and_source_validate_metric_spec() -> None:
    """validateMetricSpec: type supported, its source present and only it."""
    errors = _errors(_hpa(metrics=[{"type": "Cpu"}]))
    assert errors == [
        (
            "spec.metrics[0].type",
            'Unsupported value: "Cpu": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
        )
    ]
    assert _errors(_hpa(metrics=[{"type": "Pods"}])) == [
        ("spec.metrics[0].pods", "Required value: must populate information for the given metric source")
    ]
    both = {
        **CPU,
        "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}},
    }
    assert _paths(_errors(_hpa(metrics=[both]))) == ["spec.metrics[0].pods"]


def test_hpa_metric_target_validate_metric_target() -> None:
    """validateMetricTarget and the sources' target rules (validateResourceSource, validatePodsSource, validateExternalSource)."""
    bad = {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Percent", "averageUtilization": 0}},
    }
    assert _errors(_hpa(metrics=[bad])) == [
        (
            "spec.metrics[0].resource.target.type",
            'Invalid value: "Percent": must be either Utilization, Value, or AverageValue',
        ),
        ("spec.metrics[0].resource.target.averageUtilization", "Invalid value: 0: must be greater than 0"),
    ]
    both = {
        "type": "Resource",
        "resource": {
            "name": "memory",
            "target": {"type": "AverageValue", "averageValue": "1Gi", "averageUtilization": 50},
        },
    }
    assert _paths(_errors(_hpa(metrics=[both]))) == ["spec.metrics[0].resource.target.averageValue"]
    pods = {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "Value", "value": "-1"}}}
    assert _errors(_hpa(metrics=[pods])) == [
        ("spec.metrics[0].pods.target.value", 'Invalid value: "-1": must be positive'),
        (
            "spec.metrics[0].pods.target.averageValue",
            "Required value: must specify a positive target averageValue",
        ),
    ]
    external = {
        "type": "External",
        "external": {
            "metric": {"name": "queue"},
            "target": {"type": "Value", "value": "30", "averageValue": "5"},
        },
    }
    assert _paths(_errors(_hpa(metrics=[external]))) == ["spec.metrics[0].external.target.value"]
    good = [
        CPU,
        {
            "type": "Pods",
            "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "100m"}},
        },
        {
            "type": "Object",
            "object": {
                "describedObject": TARGET,
                "metric": {"name": "hits"},
                "target": {"type": "Value", "value": "10"},
            },
        },
        {
            "type": "ContainerResource",
            "containerResource": {
                "name": "cpu",
                "container": "app",
                "target": {"type": "Utilization", "averageUtilization": 60},
            },
        },
    ]
    assert _errors(_hpa(metrics=good)) == []


def test_hpa_container_resource_validate_container_resource_name() -> None:
    """validateContainerResourceSource / ValidateContainerResourceName."""
    source = {
        "type": "ContainerResource",
        "containerResource": {
            "name": "pods",
            "container": "App",
            "target": {"type": "Utilization", "averageUtilization": 60},
        },
    }
    errors = _errors(_hpa(metrics=[source]))
    assert errors[0] == (
        "spec.metrics[0].containerResource.name",
        'Invalid value: "pods": must be a standard resource for containers',
    )
    assert errors[1][0] == "spec.metrics[0].containerResource.container"
    assert errors[1][1].startswith('Invalid value: "App": a lowercase RFC 1123 label')
    assert len(errors) == 2
    assert list(container_resource_name_errors("hugepages-2Mi", "n")) == []
    assert list(container_resource_name_errors("nvidia.com/gpu", "n")) == []
    assert _paths(container_resource_name_errors("gpu", "n")) == ["n", "n"]


def test_hpa_behavior_validate_scaling_rules() -> None:
    """validateScalingRules / validateScalingPolicy: windows 0..3600, selectPolicy, policies non-empty, values and periods."""
    behavior = {
        "scaleUp": {"stabilizationWindowSeconds": 3601, "selectPolicy": "Average", "policies": []},
        "scaleDown": {
            "stabilizationWindowSeconds": -1,
            "policies": [
                {"type": "Nodes", "value": 0, "periodSeconds": 1801},
                {"type": "Pods", "value": 1, "periodSeconds": 0},
            ],
        },
    }
    assert _paths(_errors(_hpa(behavior=behavior))) == [
        "spec.behavior.scaleUp.stabilizationWindowSeconds",
        "spec.behavior.scaleUp.selectPolicy",
        "spec.behavior.scaleUp.policies",
        "spec.behavior.scaleDown.stabilizationWindowSeconds",
        "spec.behavior.scaleDown.policies[0].type",
        "spec.behavior.scaleDown.policies[0].value",
        "spec.behavior.scaleDown.policies[0].periodSeconds",
        "spec.behavior.scaleDown.policies[1].periodSeconds",
    ]
    good = {
        "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Disabled"},
        "scaleDown": {
            "stabilizationWindowSeconds": 3600,
            "policies": [{"type": "Percent", "value": 10, "periodSeconds": 1800}],
        },
    }
    assert _errors(_hpa(behavior=good)) == []


def test_hpa_v1_target_cpu() -> None:
    """autoscaling/v1: targetCPUUtilizationPercentage converts to a Resource metric's averageUtilization (> 0)."""
    manifest = _hpa()
    manifest["apiVersion"] = "autoscaling/v1"
    manifest["spec"] = {"scaleTargetRef": TARGET, "maxReplicas": 3, "targetCPUUtilizationPercentage": 0}
    assert _errors(manifest) == [
        ("spec.targetCPUUtilizationPercentage", "Invalid value: 0: must be greater than 0")
    ]
    manifest["spec"]["targetCPUUtilizationPercentage"] = 80
    assert _errors(manifest) == []


def _pdb(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web", "namespace": "n"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}} | spec,
    }


def test_pdb_exclusive_through_validate_manifest() -> None:
    """ValidatePodDisruptionBudgetSpec: minAvailable and maxUnavailable cannot be both set (wired)."""
    errors = validate_manifest(_pdb(minAvailable=1, maxUnavailable=1), "1.35", display="pdb")
    assert [e.path for e in errors] == ["spec"]
    assert errors[0].message.endswith("minAvailable and maxUnavailable cannot be both set")
    assert validate_manifest(_pdb(maxUnavailable=1), "1.35", display="pdb") == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "Invalid value: -1: must be greater than or equal to 0"),
        ("150%", 'Invalid value: "150%": must not be greater than 100%'),
        ("half", None),
    ],
)
def test_pdb_int_or_percent(value: Any, message: str | None) -> None:
    """ValidatePositiveIntOrPercent and IsNotMoreThan100Percent on minAvailable/maxUnavailable."""
    (error,) = check_pod_disruption_budget(_pdb(minAvailable=value))
    assert error[0] == "spec.minAvailable"
    if message is not None:
        assert error[1] == message
    else:
        assert "a valid percent string" in error[1]


def test_pdb_accepted_edges() -> None:
    """ValidatePodDisruptionBudgetSpec: 0, 100% and an empty selector are accepted."""
    assert list(check_pod_disruption_budget(_pdb(minAvailable=0))) == []
    assert list(check_pod_disruption_budget(_pdb(maxUnavailable="100%", selector={}))) == []


def test_pdb_selector_and_eviction_policy() -> None:
    """ValidatePodDisruptionBudgetSpec: selector valid (ValidateLabelSelector); unhealthyPodEvictionPolicy supported."""
    manifest = _pdb(
        selector={"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]},
        unhealthyPodEvictionPolicy="Never",
    )
    assert list(check_pod_disruption_budget(manifest)) == [
        (
            "spec.selector.matchExpressions[0].values",
            "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
        (
            "spec.unhealthyPodEvictionPolicy",
            'Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
        ),
    ]
    assert list(check_pod_disruption_budget(_pdb(unhealthyPodEvictionPolicy="AlwaysAllow"))) == []


@pytest.mark.parametrize(
    "spec",
    [
        None,
        [],
        {"metrics": {}, "behavior": [], "scaleTargetRef": "x"},
        {"metrics": [None, {"type": "Pods", "pods": []}]},
    ],
)
def test_malformed_never_raises(spec: Any) -> None:
    """Wrong types are the schema's: nothing raises."""
    list(check_horizontal_pod_autoscaler({"apiVersion": "autoscaling/v2", "spec": spec}))
    list(check_pod_disruption_budget({"spec": spec}))
