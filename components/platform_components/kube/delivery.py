"""Delivery and operations add-ons of a workload: progressive delivery (Argo Rollouts), event-driven
scaling (KEDA), right-sizing recommendations (VPA), monitoring (prometheus-operator) and secrets
synced from AWS Secrets Manager (External Secrets Operator).

Everything here is pure: args models and builders returning plain manifests. Field names follow the
upstream CRDs shipped in ``components/platform_components/schemas/`` (the offline engine validates every object against
them), so these builders never invent a field.

Progressive delivery, in short: a ``Rollout`` replaces the Deployment and moves the new version in
through ``canary.steps`` (``setWeight`` then ``pause``). Without a traffic router (no
``trafficRouting``: the Service keeps selecting every pod), the weight is approximated by replica
counts: at ``setWeight: 25`` with 4 replicas one pod of 4 runs the new version, and it receives
about a quarter of the requests because the Service balances over all ready pods. With few
replicas the approximation is coarse (2 replicas: any weight of 1-50 is one new pod of two).
"""

from __future__ import annotations

import enum
import itertools
import re
from decimal import Decimal
from typing import Any, Final

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .._base import StrictModel
from .labels import RESERVED
from .names import check_dns1123_label, check_dns1123_subdomain, check_labels, check_port_name
from .quantity import check_quantity, parse_quantity

ROLLOUTS_API: Final = "argoproj.io/v1alpha1"
KEDA_API: Final = "keda.sh/v1alpha1"
VPA_API: Final = "autoscaling.k8s.io/v1"
MONITORING_API: Final = "monitoring.coreos.com/v1"
EXTERNAL_SECRETS_API: Final = "external-secrets.io/v1"

#: Argo Rollouts labels the pods of each revision with this key (Deployments use ``pod-template-hash``).
ROLLOUT_HASH_LABEL: Final = "rollouts-pod-template-hash"
DEPLOYMENT_HASH_LABEL: Final = "pod-template-hash"

DEFAULT_PROMETHEUS_ADDRESS: Final = "http://prometheus-operated.monitoring.svc.cluster.local:9090"
DEFAULT_SECRET_STORE: Final = "aws-secrets-manager"
#: The only ``{{args.*}}`` the AnalysisTemplate declares (and the Rollout passes).
ANALYSIS_ARGS: Final = ("service", "namespace")

_PAUSE = re.compile(r"^\d+[smh]$")
_SCRAPE_DURATION = re.compile(r"^(\d+)(ms|s|m|h)$")
_GO_DURATION = re.compile(r"^(\d+(ns|us|ms|s|m|h))+$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_TEMPLATE_TAG = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_UNITS_MS: Final = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def error_rate_expr(service: str, namespace: str, *, window: str = "2m") -> str:
    """Share of 5xx responses among all requests of ``http_requests_total`` (label ``code``) for one
    Service, over ``window``; 0 when there were no requests, so a quiet period never looks like a
    failure (and never like a success that hides errors: with no requests there are no errors)."""
    selector = f'namespace="{namespace}",service="{service}"'
    errors = f'sum(rate(http_requests_total{{{selector},code=~"5.."}}[{window}]))'
    total = f"sum(rate(http_requests_total{{{selector}}}[{window}]))"
    return f"({errors} or on() vector(0)) / ({total} > 0) or on() vector(0)"


#: The default analysis query: the error ratio with the Rollouts args as placeholders.
DEFAULT_ERROR_RATE_QUERY: Final = error_rate_expr("{{args.service}}", "{{args.namespace}}")


def resolve_analysis_query(query: str, *, service: str, namespace: str) -> str:
    """``query`` with its ``{{args.service}}``/``{{args.namespace}}`` placeholders filled in."""
    values = {"args.service": service, "args.namespace": namespace}
    return _TEMPLATE_TAG.sub(lambda m: values[m.group(1)], query)


def check_mount_path(value: str) -> str:
    """An absolute directory other than '/' and '/tmp' (the /tmp emptyDir is always mounted)."""
    if not value.startswith("/") or value in ("/", "/tmp"):
        raise ValueError(
            f"mount_path {value!r} must be an absolute path other than '/' and '/tmp' (the /tmp emptyDir)"
        )
    return value


def _check_int_or_percent(field: str, value: int | str) -> int | str:
    if isinstance(value, str) and not (value.endswith("%") and value[:-1].isdigit()):
        raise ValueError(f"{field} {value!r} must be a whole number or a percentage such as '25%'")
    if isinstance(value, int) and value < 0:
        raise ValueError(f"{field} must not be negative")
    return value


def _is_zero(value: int | str) -> bool:
    return int(value[:-1]) == 0 if isinstance(value, str) else value == 0


def _scrape_ms(value: str) -> int:
    match = _SCRAPE_DURATION.match(value)
    if match is None:  # pragma: no cover - validated before
        raise ValueError(value)
    return int(match.group(1)) * _UNITS_MS[match.group(2)]


def _number(value: float) -> str:
    """A decimal literal without exponent ('0.01', not '1e-02'), for expressions."""
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def camel_case(name: str) -> str:
    """``api-server`` -> ``ApiServer`` (alert names)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-") if part)


def hpa_behavior(scale_down_stabilization_seconds: int) -> dict[str, Any]:
    """The HorizontalPodAutoscaler behaviour of every autoscaled workload (HPA and KEDA alike): scale
    up fast, scale down at most half the pods a minute after a stabilisation window."""
    return {
        "scaleDown": {
            "stabilizationWindowSeconds": scale_down_stabilization_seconds,
            "selectPolicy": "Max",
            "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}],
        },
        "scaleUp": {
            "stabilizationWindowSeconds": 0,
            "selectPolicy": "Max",
            "policies": [
                {"type": "Pods", "value": 4, "periodSeconds": 60},
                {"type": "Percent", "value": 100, "periodSeconds": 60},
            ],
        },
    }


# --------------------------------------------------------------------------------------------------
# Argo Rollouts


class CanaryStepArgs(StrictModel):
    """One canary step: move ``weight`` percent of the pods to the new version, then pause.

    The pause after the last step (weight 100) keeps the background analysis watching the new
    version under the full load before the rollout completes (an abort still scales the old
    version back up); give it a short duration such as '10s' to complete sooner.
    """

    weight: int = Field(
        description="Percent (1-100) of the pods on the new version; approximated by replica counts."
    )
    pause: str | None = Field(
        default="2m",
        description=(
            "How long to watch this step before the next ('30s', '2m', '1h'). null pauses until someone "
            "promotes the rollout by hand (kubectl argo rollouts promote): opt-in, never the default."
        ),
    )

    @field_validator("weight")
    @classmethod
    def _weight(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError(
                f"canary step weight {value} must be between 1 and 100 (percent of pods on the new version)"
            )
        return value

    @field_validator("pause")
    @classmethod
    def _pause(cls, value: str | None) -> str | None:
        if value is not None and not _PAUSE.match(value):
            raise ValueError(
                f"canary step pause {value!r} is not a duration: use a whole number with s, m or h "
                "such as '30s', '2m' or '1h' (or null to wait for a manual promotion)"
            )
        return value

    def render(self) -> list[dict[str, Any]]:
        pause: dict[str, Any] = {} if self.pause is None else {"duration": self.pause}
        return [{"setWeight": self.weight}, {"pause": pause}]


def _default_steps() -> list[CanaryStepArgs]:
    return [CanaryStepArgs(weight=weight) for weight in (10, 25, 50, 100)]


class CanaryArgs(StrictModel):
    """Progressive delivery with Argo Rollouts: a ``Rollout`` replaces the Deployment.

    The new version moves in through ``steps``; without a traffic router the weight is approximated
    by replica counts (see the module docs). A **background analysis** (an ``AnalysisTemplate`` with
    a Prometheus error-rate metric) runs from the first pause until the rollout completes and aborts
    it, scaling the new version away, as soon as ``failure_limit`` measurements are above
    ``max_error_rate``. Background rather than per-step analysis: it watches every step and every
    pause continuously (a regression at 10% is caught at 10%, not when the next analysis step comes),
    it never blocks a step waiting for a fixed number of measurements, and the steps stay a plain
    list of weights. The default query reads ``http_requests_total`` scraped through the Service (the
    ``service`` label a ServiceMonitor adds, see ``monitoring``); with no requests (or no such
    metric) the ratio is 0, so check that the metric exists before relying on the gate.
    """

    steps: list[CanaryStepArgs] = Field(
        default_factory=_default_steps,
        description="Weights rising strictly to 100, each followed by a pause (default 10, 25, 50, 100 / 2m).",
    )
    max_surge: int | str = Field(
        default="25%", description="Extra pods during the rollout (as the Deployment's maxSurge)."
    )
    max_unavailable: int | str = Field(
        default=0, description="Pods that may be unavailable during the rollout; 0 keeps full capacity."
    )
    max_error_rate: float = Field(
        default=0.01, ge=0, lt=1, description="Highest 5xx ratio (0-1) a measurement may show and pass."
    )
    interval: str = Field(default="1m", description="Time between two measurements of the analysis.")
    count: int | None = Field(
        default=None,
        ge=1,
        description="Measurements before the analysis ends; None measures until the rollout completes.",
    )
    failure_limit: int = Field(
        default=1, ge=0, description="Failed measurements tolerated; one more aborts the rollout."
    )
    prometheus_address: str = Field(
        default=DEFAULT_PROMETHEUS_ADDRESS, description="Prometheus the analysis queries (in-cluster URL)."
    )
    error_rate_query: str = Field(
        default=DEFAULT_ERROR_RATE_QUERY,
        description=(
            "PromQL returning one number, the error ratio; may use {{args.service}} and "
            "{{args.namespace}} (the workload's Service and namespace)."
        ),
    )

    @field_validator("max_surge", "max_unavailable")
    @classmethod
    def _surge(cls, value: int | str, info: ValidationInfo) -> int | str:
        return _check_int_or_percent(f"canary.{info.field_name}", value)

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        if not _PAUSE.match(value):
            raise ValueError(f"canary.interval {value!r} must be a duration such as '30s', '1m' or '1h'")
        return value

    @field_validator("prometheus_address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"canary.prometheus_address {value!r} must be an http:// or https:// URL")
        return value

    @field_validator("error_rate_query")
    @classmethod
    def _query(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("canary.error_rate_query is empty; give a PromQL expression or keep the default")
        unknown = sorted(
            {m.group(1) for m in _TEMPLATE_TAG.finditer(value)} - {f"args.{a}" for a in ANALYSIS_ARGS}
        )
        if unknown:
            raise ValueError(
                f"canary.error_rate_query uses {unknown}; only {{{{args.service}}}} and "
                "{{args.namespace}} are passed to the analysis"
            )
        return value

    @model_validator(mode="after")
    def _steps(self) -> CanaryArgs:
        if not self.steps:
            raise ValueError("canary.steps is empty; give at least one step, ending with weight 100")
        weights = [step.weight for step in self.steps]
        if any(later <= earlier for earlier, later in itertools.pairwise(weights)):
            raise ValueError(
                f"canary.steps weights {weights} must rise strictly (each step moves more pods to the new "
                "version); sort them and drop repeats"
            )
        if weights[-1] != 100:
            raise ValueError(
                f"canary.steps weights {weights} do not rise to 100; end with a step of weight 100"
            )
        if _is_zero(self.max_surge) and _is_zero(self.max_unavailable):
            raise ValueError(
                "canary.max_surge and canary.max_unavailable are both 0, so no pod could ever be replaced; "
                "keep max_surge '25%'"
            )
        return self


def rollout_spec(
    name: str, namespace: str, canary: CanaryArgs, deployment_spec: dict[str, Any]
) -> dict[str, Any]:
    """The Rollout replacing a Deployment of ``deployment_spec``: the same selector, pod template,
    replicas and history settings, with a canary strategy instead of the rolling update.

    One deliberate change to the pod template: topology spread ``matchLabelKeys`` name the revision
    label of Argo Rollouts (``rollouts-pod-template-hash``) instead of the Deployment's
    ``pod-template-hash``, which Rollout pods do not carry (each revision is spread on its own, as
    under the Deployment).
    """
    template = _with_rollout_hash(deployment_spec["template"])
    spec: dict[str, Any] = {k: deployment_spec[k] for k in ("replicas",) if k in deployment_spec}
    spec |= {
        "selector": deployment_spec["selector"],
        "template": template,
        "minReadySeconds": deployment_spec["minReadySeconds"],
        "revisionHistoryLimit": deployment_spec["revisionHistoryLimit"],
        "progressDeadlineSeconds": deployment_spec["progressDeadlineSeconds"],
        "strategy": {
            "canary": {
                "maxSurge": canary.max_surge,
                "maxUnavailable": canary.max_unavailable,
                "steps": [item for step in canary.steps for item in step.render()],
                "analysis": {
                    "templates": [{"templateName": name}],
                    # from the first pause on: the new pods of the first step exist
                    "startingStep": 1,
                    "args": [
                        {"name": "service", "value": name},
                        {"name": "namespace", "value": namespace},
                    ],
                },
            }
        },
    }
    return spec


def _with_rollout_hash(template: dict[str, Any]) -> dict[str, Any]:
    pod = template["spec"]
    constraints = pod.get("topologySpreadConstraints")
    if not constraints:
        return template
    swapped = [
        {
            **c,
            "matchLabelKeys": [
                ROLLOUT_HASH_LABEL if key == DEPLOYMENT_HASH_LABEL else key
                for key in c.get("matchLabelKeys", [])
            ],
        }
        if "matchLabelKeys" in c
        else c
        for c in constraints
    ]
    return {**template, "spec": {**pod, "topologySpreadConstraints": swapped}}


def analysis_template_spec(canary: CanaryArgs) -> dict[str, Any]:
    """The AnalysisTemplate of the background analysis: one Prometheus metric, the error ratio."""
    metric: dict[str, Any] = {
        "name": "error-rate",
        "interval": canary.interval,
        "successCondition": f"result[0] <= {_number(canary.max_error_rate)}",
        "failureLimit": canary.failure_limit,
        "provider": {"prometheus": {"address": canary.prometheus_address, "query": canary.error_rate_query}},
    }
    if canary.count is not None:
        metric["count"] = canary.count
    return {"args": [{"name": arg} for arg in ANALYSIS_ARGS], "metrics": [metric]}


# --------------------------------------------------------------------------------------------------
# KEDA


class KedaMetricType(enum.StrEnum):
    AVERAGE_VALUE = "AverageValue"
    VALUE = "Value"
    UTILIZATION = "Utilization"


#: Triggers that cannot wake a workload from zero replicas (they measure running pods).
RESOURCE_TRIGGERS: Final = frozenset({"cpu", "memory"})


class KedaTriggerArgs(StrictModel):
    """One KEDA scaler (``type`` and its ``metadata`` as in the KEDA scaler docs)."""

    type: str = Field(description="Scaler type, e.g. 'aws-sqs-queue', 'prometheus', 'cpu'.")
    metadata: dict[str, str] = Field(
        default_factory=dict, description="Scaler settings (all values are strings in KEDA)."
    )
    authentication: str | None = Field(
        default=None,
        description="TriggerAuthentication in the namespace holding the scaler's credentials (IRSA, secret).",
    )
    metric_type: KedaMetricType | None = Field(
        default=None, description="metricType; cpu and memory scalers need Utilization or AverageValue."
    )

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        if not re.match(r"^[a-z0-9][-a-z0-9.]*$", value):
            raise ValueError(
                f"keda trigger type {value!r} must be a KEDA scaler name such as 'aws-sqs-queue'"
            )
        return value

    @field_validator("authentication")
    @classmethod
    def _auth(cls, value: str | None) -> str | None:
        return check_dns1123_subdomain(value) if value is not None else None

    def render(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "metadata": dict(self.metadata)}
        if self.metric_type is not None:
            out["metricType"] = self.metric_type.value
        if self.authentication is not None:
            out["authenticationRef"] = {"name": self.authentication}
        return out


class KedaArgs(StrictModel):
    """Event-driven autoscaling with a KEDA ``ScaledObject`` (KEDA runs its own HPA; it owns replicas)."""

    triggers: list[KedaTriggerArgs] = Field(description="What drives the replica count (at least one).")
    min_replicas: int = Field(
        default=2,
        ge=0,
        le=1000,
        description="Floor; 2 keeps the PDB meaningful, 0 (explicit) scales to zero when idle.",
    )
    max_replicas: int = Field(default=10, ge=1, le=1000, description="Ceiling.")
    polling_interval: int = Field(default=30, ge=1, le=3600, description="Seconds between trigger checks.")
    cooldown_period: int = Field(
        default=300, ge=0, le=86400, description="Seconds after the last activity before scaling to zero."
    )
    scale_down_stabilization_seconds: int = Field(
        default=300, ge=0, le=3600, description="Look-back window before scaling down (as the HPA's)."
    )

    @model_validator(mode="after")
    def _coherent(self) -> KedaArgs:
        if not self.triggers:
            raise ValueError(
                "keda.triggers is empty; give at least one trigger (e.g. an aws-sqs-queue scaler)"
            )
        if self.max_replicas < self.min_replicas:
            raise ValueError(
                f"keda.max_replicas={self.max_replicas} is below keda.min_replicas={self.min_replicas}; "
                "raise max_replicas"
            )
        if self.min_replicas == 0 and all(t.type in RESOURCE_TRIGGERS for t in self.triggers):
            raise ValueError(
                "keda.min_replicas 0 (scale to zero) needs an event trigger: cpu and memory triggers "
                "measure running pods and cannot wake the workload; add one or set min_replicas >= 1"
            )
        return self


def scaled_object_spec(keda: KedaArgs, target: dict[str, str]) -> dict[str, Any]:
    return {
        "scaleTargetRef": dict(target),
        "pollingInterval": keda.polling_interval,
        "cooldownPeriod": keda.cooldown_period,
        "minReplicaCount": keda.min_replicas,
        "maxReplicaCount": keda.max_replicas,
        "advanced": {
            "horizontalPodAutoscalerConfig": {"behavior": hpa_behavior(keda.scale_down_stabilization_seconds)}
        },
        "triggers": [t.render() for t in keda.triggers],
    }


# --------------------------------------------------------------------------------------------------
# VPA


class VpaBoundsArgs(StrictModel):
    """CPU and memory bounds of the recommendations."""

    cpu: str | None = Field(default=None, description="CPU quantity, e.g. '50m'; None: unbounded.")
    memory: str | None = Field(default=None, description="Memory quantity, e.g. '64Mi'; None: unbounded.")

    @field_validator("cpu", "memory")
    @classmethod
    def _quantity(cls, value: str | None) -> str | None:
        return check_quantity(value) if value is not None else None

    def render(self) -> dict[str, str]:
        return {k: v for k, v in (("cpu", self.cpu), ("memory", self.memory)) if v is not None}


class VpaArgs(StrictModel):
    """A VerticalPodAutoscaler in recommendation mode (``updateMode: Off``): it suggests requests for
    the main container and never evicts or resizes pods. No other mode is offered: applying the
    recommendations would fight the HPA/KEDA, which scale on utilisation of those same requests."""

    min_allowed: VpaBoundsArgs | None = Field(
        default=None, description="Lowest recommendation (e.g. the app's known floor)."
    )
    max_allowed: VpaBoundsArgs | None = Field(
        default=None, description="Highest recommendation (e.g. what a node can hold)."
    )

    @model_validator(mode="after")
    def _bounds(self) -> VpaArgs:
        if self.min_allowed is None or self.max_allowed is None:
            return self
        for resource in ("cpu", "memory"):
            low, high = getattr(self.min_allowed, resource), getattr(self.max_allowed, resource)
            if low is not None and high is not None and parse_quantity(low) > parse_quantity(high):
                raise ValueError(
                    f"vpa.min_allowed.{resource} {low} is above vpa.max_allowed.{resource} {high}; swap them"
                )
        return self


def vpa_spec(vpa: VpaArgs, target: dict[str, str], container: str) -> dict[str, Any]:
    policy: dict[str, Any] = {"containerName": container, "controlledResources": ["cpu", "memory"]}
    for key, bounds in (("minAllowed", vpa.min_allowed), ("maxAllowed", vpa.max_allowed)):
        rendered = bounds.render() if bounds is not None else {}
        if rendered:
            policy[key] = rendered
    return {
        "targetRef": dict(target),
        "updatePolicy": {"updateMode": "Off"},
        "resourcePolicy": {"containerPolicies": [policy]},
    }


# --------------------------------------------------------------------------------------------------
# Monitoring


class MonitoringArgs(StrictModel):
    """A ServiceMonitor scraping the workload through its Service, a PrometheusRule with the standard
    availability alerts, and ingress for Prometheus (NetworkPolicy and mesh) on the metrics port."""

    port: str | None = Field(
        default=None,
        description="Exposed port (name) serving metrics; default the port 'metrics', else the first exposed.",
    )
    path: str = Field(default="/metrics", description="HTTP path of the metrics endpoint.")
    interval: str = Field(default="30s", description="Scrape interval.")
    scrape_timeout: str = Field(default="10s", description="Scrape timeout (not above the interval).")
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Labels the Prometheus serviceMonitorSelector/ruleSelector look for (e.g. release).",
    )
    prometheus_namespace: str = Field(
        default="monitoring", description="Namespace of the Prometheus pods allowed to scrape."
    )
    alerts: bool = Field(default=True, description="Render the PrometheusRule with the availability alerts.")
    alert_error_rate: float = Field(
        default=0.05, gt=0, lt=1, description="5xx ratio (0-1) above which the error-rate alert fires."
    )

    @field_validator("port")
    @classmethod
    def _port(cls, value: str | None) -> str | None:
        return check_port_name(value) if value is not None else None

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"monitoring.path {value!r} must start with '/'")
        return value

    @field_validator("interval", "scrape_timeout")
    @classmethod
    def _duration(cls, value: str, info: ValidationInfo) -> str:
        if not _SCRAPE_DURATION.match(value) or _scrape_ms(value) == 0:
            raise ValueError(
                f"monitoring.{info.field_name} {value!r} must be a positive duration such as '10s' or '1m'"
            )
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        clash = sorted(RESERVED.intersection(value))
        if clash:
            raise ValueError(f"monitoring.labels {clash} are set by the platform; remove them")
        return check_labels(value)

    @field_validator("prometheus_namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return check_dns1123_label(value)

    @model_validator(mode="after")
    def _timeout(self) -> MonitoringArgs:
        if _scrape_ms(self.scrape_timeout) > _scrape_ms(self.interval):
            raise ValueError(
                f"monitoring.scrape_timeout {self.scrape_timeout} is above monitoring.interval "
                f"{self.interval}; Prometheus refuses it, lower the timeout"
            )
        return self


def service_monitor_spec(
    monitoring: MonitoringArgs, *, namespace: str, selector: dict[str, str], port: str
) -> dict[str, Any]:
    return {
        "selector": {"matchLabels": dict(selector)},
        "namespaceSelector": {"matchNames": [namespace]},
        "endpoints": [
            {
                "port": port,
                "path": monitoring.path,
                "interval": monitoring.interval,
                "scrapeTimeout": monitoring.scrape_timeout,
            }
        ],
    }


def prometheus_rule_spec(
    name: str,
    namespace: str,
    monitoring: MonitoringArgs,
    *,
    kind: str,
    container: str,
    error_rate: str,
    may_scale_to_zero: bool,
) -> dict[str, Any]:
    """Availability alerts of one workload: no scrape target up, crash-looping containers, replicas
    unavailable, and a high 5xx ratio (``error_rate``: the canary analysis expression).

    ``kind`` picks the replica metrics: kube-state-metrics for a Deployment, the Argo Rollouts
    controller's ``rollout_info_*`` for a Rollout (kube-state-metrics does not know Rollouts).
    """
    alert = camel_case(name)
    where = f'namespace="{namespace}"'
    up = f'up{{job="{name}",{where}}}'
    target_down = f"sum({up}) == 0" if may_scale_to_zero else f"sum({up}) == 0 or absent({up})"
    # pods of a Deployment or Rollout revision are <name>-<template hash>-<suffix>
    restarts = (
        f'kube_pod_container_status_restarts_total{{{where},container="{container}",'
        f'pod=~"{name}-[a-z0-9]+-[a-z0-9]+"}}'
    )
    if kind == "Rollout":
        labels = f'{where},name="{name}"'
        unavailable = (
            f"rollout_info_replicas_desired{{{labels}}} - rollout_info_replicas_available{{{labels}}} > 0"
        )
    else:
        labels = f'{where},deployment="{name}"'
        unavailable = f"kube_deployment_spec_replicas{{{labels}}} - kube_deployment_status_replicas_available{{{labels}}} > 0"
    static = {"namespace": namespace, "workload": name}

    def rule(
        suffix: str, expr: str, duration: str, severity: str, summary: str, description: str
    ) -> dict[str, Any]:
        return {
            "alert": f"{alert}{suffix}",
            "expr": expr,
            "for": duration,
            "labels": {"severity": severity, **static},
            "annotations": {"summary": summary, "description": description},
        }

    rules = [
        rule(
            "TargetDown",
            target_down,
            "5m",
            "critical",
            f"{kind} {namespace}/{name} has no scrape target up",
            f"Prometheus has scraped no ready pod of {namespace}/{name} through Service {name} for 5 minutes: "
            "the workload is down, or its metrics endpoint is.",
        ),
        rule(
            "CrashLooping",
            f"increase({restarts}[15m]) > 2",
            "5m",
            "warning",
            f"Container {container} of {namespace}/{name} is crash-looping",
            "Pod {{ $labels.pod }} restarted {{ $value | humanize }} times in 15 minutes; "
            "check its logs and its liveness probe.",
        ),
        rule(
            "ReplicasUnavailable",
            unavailable,
            "15m",
            "warning",
            f"{kind} {namespace}/{name} runs fewer available replicas than desired",
            f"{{{{ $value }}}} replica(s) of {namespace}/{name} have been unavailable for 15 minutes "
            "(pending, failing readiness, or a stuck rollout).",
        ),
        rule(
            "HighErrorRate",
            f"({error_rate}) > {_number(monitoring.alert_error_rate)}",
            "5m",
            "critical",
            f"{namespace}/{name} answers too many requests with 5xx",
            f"{{{{ $value | humanizePercentage }}}} of the requests to Service {name} failed with a 5xx "
            f"status over 5 minutes (threshold {_number(monitoring.alert_error_rate)}).",
        ),
    ]
    return {"groups": [{"name": f"{namespace}.{name}.availability", "rules": rules}]}


# --------------------------------------------------------------------------------------------------
# External Secrets


class SecretStoreKind(enum.StrEnum):
    CLUSTER_SECRET_STORE = "ClusterSecretStore"
    SECRET_STORE = "SecretStore"


class ExternalSecretDataArgs(StrictModel):
    """One key of the target Secret, read from one secret (or one JSON property of it) in the store."""

    secret_key: str = Field(description="Key in the Kubernetes Secret (the file name when mounted).")
    remote_key: str = Field(description="Name (or ARN) of the secret in AWS Secrets Manager.")
    property: str | None = Field(
        default=None, description="JSON property of the remote secret; None takes the whole value."
    )
    version: str | None = Field(
        default=None, description="Version id or stage (e.g. 'AWSPREVIOUS'); None follows AWSCURRENT."
    )

    @field_validator("secret_key")
    @classmethod
    def _key(cls, value: str) -> str:
        if len(value) > 253 or not _SECRET_KEY.match(value):
            raise ValueError(f"secret_key {value!r} must be at most 253 characters of [-._a-zA-Z0-9]")
        return value

    @field_validator("remote_key")
    @classmethod
    def _remote(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("remote_key is empty; name the secret in AWS Secrets Manager")
        return value

    def render(self) -> dict[str, Any]:
        remote: dict[str, Any] = {"key": self.remote_key}
        if self.property is not None:
            remote["property"] = self.property
        if self.version is not None:
            remote["version"] = self.version
        return {"secretKey": self.secret_key, "remoteRef": remote}


class ExternalSecretArgs(StrictModel):
    """A Kubernetes Secret kept in sync with AWS Secrets Manager by the External Secrets Operator.

    Give ``data`` (chosen keys) or ``data_from_key`` (every property of one JSON secret). With
    ``mount_path`` the Secret is mounted read-only as files, like ``secret_files``; secrets are never
    put into the environment.
    """

    target: str = Field(description="Name of the Secret to create (and of the ExternalSecret).")
    store: str = Field(default=DEFAULT_SECRET_STORE, description="The (Cluster)SecretStore to read from.")
    store_kind: SecretStoreKind = Field(
        default=SecretStoreKind.CLUSTER_SECRET_STORE,
        description="ClusterSecretStore: one platform-managed store (IRSA) for every namespace.",
    )
    refresh_interval: str = Field(
        default="1h", description="How often to re-read the store (rotation delay vs. API calls)."
    )
    data: list[ExternalSecretDataArgs] = Field(default_factory=list, description="Keys to fetch one by one.")
    data_from_key: str | None = Field(
        default=None, description="A JSON secret whose every property becomes a key (dataFrom.extract)."
    )
    mount_path: str | None = Field(
        default=None, description="Mount the Secret read-only here as files; None: do not mount."
    )

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        return check_dns1123_label(value)

    @field_validator("store")
    @classmethod
    def _store(cls, value: str) -> str:
        return check_dns1123_subdomain(value)

    @field_validator("refresh_interval")
    @classmethod
    def _refresh(cls, value: str) -> str:
        if not _GO_DURATION.match(value):
            raise ValueError(f"refresh_interval {value!r} must be a duration such as '1h' or '15m'")
        return value

    @field_validator("mount_path")
    @classmethod
    def _mount(cls, value: str | None) -> str | None:
        return check_mount_path(value) if value is not None else None

    @model_validator(mode="after")
    def _source(self) -> ExternalSecretArgs:
        if bool(self.data) == (self.data_from_key is not None):
            raise ValueError(
                f"external secret {self.target!r}: give either 'data' (chosen keys) or 'data_from_key' "
                "(a whole JSON secret), exactly one"
            )
        keys = [d.secret_key for d in self.data]
        if len(set(keys)) != len(keys):
            raise ValueError(
                f"external secret {self.target!r}: data secret_key values must be unique, got {keys}"
            )
        return self


def external_secret_spec(secret: ExternalSecretArgs) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "refreshInterval": secret.refresh_interval,
        "secretStoreRef": {"kind": secret.store_kind.value, "name": secret.store},
        "target": {"name": secret.target, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
    }
    if secret.data:
        spec["data"] = [d.render() for d in secret.data]
    if secret.data_from_key is not None:
        spec["dataFrom"] = [{"extract": {"key": secret.data_from_key}}]
    return spec


__all__ = [
    "DEFAULT_ERROR_RATE_QUERY",
    "DEFAULT_PROMETHEUS_ADDRESS",
    "CanaryArgs",
    "CanaryStepArgs",
    "ExternalSecretArgs",
    "ExternalSecretDataArgs",
    "KedaArgs",
    "KedaMetricType",
    "KedaTriggerArgs",
    "MonitoringArgs",
    "SecretStoreKind",
    "VpaArgs",
    "VpaBoundsArgs",
    "analysis_template_spec",
    "camel_case",
    "error_rate_expr",
    "external_secret_spec",
    "hpa_behavior",
    "prometheus_rule_spec",
    "resolve_analysis_query",
    "rollout_spec",
    "scaled_object_spec",
    "service_monitor_spec",
    "vpa_spec",
]
