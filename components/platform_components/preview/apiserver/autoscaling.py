"""HorizontalPodAutoscaler and PodDisruptionBudget numbers (Kubernetes 1.35):
``pkg/apis/autoscaling/validation/validation.go`` (``ValidateHorizontalPodAutoscaler``) and
``pkg/apis/policy/validation/validation.go`` (``ValidatePodDisruptionBudgetSpec``).

Checked before defaulting, as the API server receives the object: an absent ``minReplicas`` is 1,
absent ``metrics`` are the default 80% CPU utilization, an absent behavior's rules (or an absent
rule's policies) the defaults; only an explicitly empty ``policies`` list is refused.

The ``HPAScaleToZero`` feature gate is alpha and off by default in 1.35 (``pkg/features/
kube_features.go``), so ``minReplicas`` must be at least 1.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final, TypeGuard

from ...kube.quantity import parse_quantity
from ..names import is_dns1123_label, is_valid_path_segment_name
from . import register
from ._resources import STANDARD_CONTAINER_RESOURCES, STANDARD_RESOURCES
from ._validation import forbidden, invalid, is_int, is_qualified_name, not_supported, required
from .selectors import label_selector_errors
from .workloads import not_more_than_100_percent_errors, positive_int_or_percent_errors

Errors = Iterator[tuple[str, str]]

HPA_SCALE_TO_ZERO: Final = False
"""The ``HPAScaleToZero`` gate's 1.35 default (alpha)."""
MAX_PERIOD_SECONDS: Final = 1800
MAX_STABILIZATION_WINDOW_SECONDS: Final = 3600

_METRIC_SOURCE_TYPES: Final = ["ContainerResource", "External", "Object", "Pods", "Resource"]
_METRIC_SOURCE_FIELDS: Final = (
    ("object", "Object"),
    ("external", "External"),
    ("pods", "Pods"),
    ("resource", "Resource"),
    ("containerResource", "ContainerResource"),
)
_SELECT_POLICIES: Final = ["Disabled", "Max", "Min"]
_POLICY_TYPES: Final = ["Percent", "Pods"]
_EXTENDED_PREFIX: Final = "requests."


def _is_int(value: Any) -> TypeGuard[int]:
    return is_int(value)


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def cross_version_object_reference_errors(ref: Any, path: str) -> Errors:
    """``ValidateCrossVersionObjectReference``: kind and name required, each a valid path segment."""
    ref = _map(ref)
    for key in ("kind", "name"):
        value = ref.get(key)
        if not value:
            yield f"{path}.{key}", required()
        elif isinstance(value, str):
            for message in is_valid_path_segment_name(value):
                yield f"{path}.{key}", invalid(value, message)


def _positive_quantity(value: Any) -> bool | None:
    """Whether a quantity is > 0 (None when it does not parse: the schema's error)."""
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        return parse_quantity(value) > 0
    except ValueError:
        return None


def metric_target_errors(target: Any, path: str) -> Errors:
    """``validateMetricTarget``."""
    target = _map(target)
    kind = target.get("type")
    if not kind:
        yield f"{path}.type", required("must specify a metric target type")
    if kind not in ("Utilization", "Value", "AverageValue"):
        yield (
            f"{path}.type",
            invalid(
                kind if isinstance(kind, str) else "", "must be either Utilization, Value, or AverageValue"
            ),
        )
    for key in ("value", "averageValue"):
        if _positive_quantity(target.get(key)) is False:
            yield f"{path}.{key}", invalid(target[key], "must be positive")
    utilization = target.get("averageUtilization")
    if _is_int(utilization) and utilization < 1:
        yield f"{path}.averageUtilization", invalid(utilization, "must be greater than 0")


def metric_identifier_errors(metric: Any, path: str) -> Errors:
    """``validateMetricIdentifier``: a name that is a valid path segment."""
    name = _map(metric).get("name")
    if not name:
        yield f"{path}.name", required("must specify a metric name")
    elif isinstance(name, str):
        for message in is_valid_path_segment_name(name):
            yield f"{path}.name", invalid(name, message)


def container_resource_name_errors(name: str, path: str) -> Errors:
    """``ValidateContainerResourceName`` (core/v1): ``ValidateResourceName`` (a qualified name, a
    standard resource unless prefixed) and a resource containers can request."""
    messages = is_qualified_name(name)
    for message in messages:
        yield path, invalid(name, message)
    if "/" not in name:
        if not messages and name not in STANDARD_RESOURCES and not name.startswith("hugepages-"):
            yield path, invalid(name, "must be a standard resource type or fully qualified")
        if name not in STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            yield path, invalid(name, "must be a standard resource for containers")
    elif "kubernetes.io/" not in name and (
        name.startswith(_EXTENDED_PREFIX) or is_qualified_name(_EXTENDED_PREFIX + name)
    ):
        yield path, invalid(name, "doesn't have a valid extended resource name")


def _source_errors(field: str, source: Mapping[str, Any], path: str) -> Errors:
    """``validateObjectSource``, ``validateExternalSource``, ``validatePodsSource``,
    ``validateResourceSource``, ``validateContainerResourceSource``."""
    target = _map(source.get("target"))
    target_path = f"{path}.target"
    has = {key: target.get(key) is not None for key in ("value", "averageValue", "averageUtilization")}
    if field == "object":
        yield from cross_version_object_reference_errors(
            source.get("describedObject"), f"{path}.describedObject"
        )
    if field == "containerResource":
        name = source.get("name")
        if not name:
            yield f"{path}.name", required("must specify a resource name")
        elif isinstance(name, str):
            yield from container_resource_name_errors(name, f"{path}.name")
        container = source.get("container")
        if not container:
            yield f"{path}.container", required("must specify a container")
        elif isinstance(container, str):
            for message in is_dns1123_label(container):
                yield f"{path}.container", invalid(container, message)
    if field == "resource" and not source.get("name"):
        yield f"{path}.name", required("must specify a resource name")
    if field in ("object", "external", "pods"):
        yield from metric_identifier_errors(source.get("metric"), f"{path}.metric")
    yield from metric_target_errors(target, target_path)
    if field == "object" and not has["value"] and not has["averageValue"]:
        yield f"{target_path}.averageValue", required("must set either a target value or averageValue")
    elif field == "external":
        if not has["value"] and not has["averageValue"]:
            yield (
                f"{target_path}.averageValue",
                required("must set either a target value for metric or a per-pod target"),
            )
        if has["value"] and has["averageValue"]:
            yield (
                f"{target_path}.value",
                forbidden("may not set both a target value for metric and a per-pod target"),
            )
    elif field == "pods" and not has["averageValue"]:
        yield f"{target_path}.averageValue", required("must specify a positive target averageValue")
    elif field in ("resource", "containerResource"):
        if not has["averageUtilization"] and not has["averageValue"]:
            yield (
                f"{target_path}.averageUtilization",
                required("must set either a target raw value or a target utilization"),
            )
        if has["averageUtilization"] and has["averageValue"]:
            yield (
                f"{target_path}.averageValue",
                forbidden("may not set both a target raw value and a target utilization"),
            )


def metric_spec_errors(metric: Mapping[str, Any], path: str) -> Errors:
    """``validateMetricSpec``: a supported type, its source present and only it (the first source
    present is validated)."""
    kind = metric.get("type")
    if not kind:
        yield f"{path}.type", required("must specify a metric source type")
    if kind not in _METRIC_SOURCE_TYPES:
        yield f"{path}.type", not_supported(kind if isinstance(kind, str) else "", _METRIC_SOURCE_TYPES)
    present = [field for field, _ in _METRIC_SOURCE_FIELDS if metric.get(field) is not None]
    if present and isinstance(metric.get(present[0]), Mapping):
        yield from _source_errors(present[0], metric[present[0]], f"{path}.{present[0]}")
    expected = next((field for field, source_type in _METRIC_SOURCE_FIELDS if source_type == kind), None)
    if expected is not None and metric.get(expected) is None:
        yield f"{path}.{expected}", required("must populate information for the given metric source")
    if len(present) != 1:
        for field in present:
            if field != expected:
                yield f"{path}.{field}", forbidden("must populate the given metric source only")


def scaling_rules_errors(rules: Any, path: str) -> Errors:
    """``validateScalingRules`` and ``validateScalingPolicy`` (absent fields take the defaults)."""
    if not isinstance(rules, Mapping):
        return
    window = rules.get("stabilizationWindowSeconds")
    if _is_int(window) and window < 0:
        yield f"{path}.stabilizationWindowSeconds", invalid(window, "must be greater than or equal to zero")
    if _is_int(window) and window > MAX_STABILIZATION_WINDOW_SECONDS:
        yield (
            f"{path}.stabilizationWindowSeconds",
            invalid(window, f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"),
        )
    select = rules.get("selectPolicy")
    if isinstance(select, str) and select not in _SELECT_POLICIES:
        yield f"{path}.selectPolicy", not_supported(select, _SELECT_POLICIES)
    policies = rules.get("policies")
    if isinstance(policies, list) and not policies:
        yield f"{path}.policies", required("must specify at least one Policy")
    for index, policy in enumerate(policies if isinstance(policies, list) else []):
        if not isinstance(policy, Mapping):
            continue
        policy_path = f"{path}.policies[{index}]"
        kind = policy.get("type")
        if kind not in _POLICY_TYPES:
            yield f"{policy_path}.type", not_supported(kind if isinstance(kind, str) else "", _POLICY_TYPES)
        value, period = policy.get("value"), policy.get("periodSeconds")
        if _is_int(value) and value <= 0:
            yield f"{policy_path}.value", invalid(value, "must be greater than zero")
        if _is_int(period) and period <= 0:
            yield f"{policy_path}.periodSeconds", invalid(period, "must be greater than zero")
        if _is_int(period) and period > MAX_PERIOD_SECONDS:
            yield (
                f"{policy_path}.periodSeconds",
                invalid(period, f"must be less than or equal to {MAX_PERIOD_SECONDS}"),
            )


@register(("autoscaling", "HorizontalPodAutoscaler"))
def check_horizontal_pod_autoscaler(manifest: Mapping[str, Any]) -> Errors:
    """``ValidateHorizontalPodAutoscaler`` / ``validateHorizontalPodAutoscalerSpec`` (autoscaling/v2;
    for autoscaling/v1 the replica counts, the target reference and targetCPUUtilizationPercentage,
    which converts to a Resource metric's averageUtilization)."""
    spec = _map(manifest.get("spec"))
    lower_bound = 0 if HPA_SCALE_TO_ZERO else 1
    min_replicas = spec.get("minReplicas")
    min_replicas = 1 if min_replicas is None else min_replicas
    max_replicas = spec.get("maxReplicas")
    if _is_int(min_replicas) and min_replicas < lower_bound:
        yield "spec.minReplicas", invalid(min_replicas, f"must be greater than or equal to {lower_bound}")
    if _is_int(max_replicas):
        if max_replicas < 1:
            yield "spec.maxReplicas", invalid(max_replicas, "must be greater than 0")
        if _is_int(min_replicas) and max_replicas < min_replicas:
            yield "spec.maxReplicas", invalid(max_replicas, "must be greater than or equal to `minReplicas`")
    yield from cross_version_object_reference_errors(spec.get("scaleTargetRef"), "spec.scaleTargetRef")
    if str(manifest.get("apiVersion")) == "autoscaling/v1":
        cpu = spec.get("targetCPUUtilizationPercentage")
        if _is_int(cpu) and cpu < 1:
            yield "spec.targetCPUUtilizationPercentage", invalid(cpu, "must be greater than 0")
        return
    metrics = spec.get("metrics")
    metrics = metrics if isinstance(metrics, list) else []
    kinds: set[Any] = set()
    for index, metric in enumerate(metrics):
        if isinstance(metric, Mapping):
            yield from metric_spec_errors(metric, f"spec.metrics[{index}]")
            kinds.add(metric.get("type"))
    if _is_int(min_replicas) and min_replicas == 0 and not kinds & {"Object", "External"}:
        yield (
            "spec.metrics",
            forbidden(
                "must specify at least one Object or External metric to support scaling to zero replicas"
            ),
        )
    behavior = spec.get("behavior")
    if isinstance(behavior, Mapping):
        yield from scaling_rules_errors(behavior.get("scaleUp"), "spec.behavior.scaleUp")
        yield from scaling_rules_errors(behavior.get("scaleDown"), "spec.behavior.scaleDown")


@register(("policy", "PodDisruptionBudget"))
def check_pod_disruption_budget(manifest: Mapping[str, Any]) -> Errors:
    """``ValidatePodDisruptionBudgetSpec``: minAvailable and maxUnavailable exclusive, each a
    non-negative int or a percent at most 100%; the selector valid; unhealthyPodEvictionPolicy
    supported."""
    spec = _map(manifest.get("spec"))
    min_available, max_unavailable = spec.get("minAvailable"), spec.get("maxUnavailable")
    if min_available is not None and max_unavailable is not None:
        yield "spec", invalid(dict(spec), "minAvailable and maxUnavailable cannot be both set")
    for key, value in (("minAvailable", min_available), ("maxUnavailable", max_unavailable)):
        if value is not None:
            yield from positive_int_or_percent_errors(value, f"spec.{key}")
            yield from not_more_than_100_percent_errors(value, f"spec.{key}")
    yield from label_selector_errors(spec.get("selector"), "spec.selector")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if isinstance(policy, str) and policy not in ("IfHealthyBudget", "AlwaysAllow"):
        yield "spec.unhealthyPodEvictionPolicy", not_supported(policy, ["AlwaysAllow", "IfHealthyBudget"])


__all__ = [
    "HPA_SCALE_TO_ZERO",
    "check_horizontal_pod_autoscaler",
    "check_pod_disruption_budget",
    "container_resource_name_errors",
    "cross_version_object_reference_errors",
    "metric_spec_errors",
    "metric_target_errors",
    "scaling_rules_errors",
]
