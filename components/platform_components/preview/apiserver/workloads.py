"""The workload kinds' own rules (Kubernetes 1.35): ``pkg/apis/apps/validation/validation.go``
(Deployment, ReplicaSet, StatefulSet, DaemonSet), ``pkg/apis/batch/validation/validation.go`` (Job,
CronJob) and ``pkg/apis/core/validation/validation.go`` (ReplicationController).

The manifest is checked as the API server receives it, before defaulting: an absent field takes
the ``apps/v1``/``batch/v1`` default where the rule depends on it (a Deployment's rolling update
defaults both maxSurge and maxUnavailable to 25%, a DaemonSet's to 0 and 1, progressDeadlineSeconds
to 600, a template's restartPolicy to Always ...). The template's pod spec itself (containers,
volumes, probes ...) is the ``pods`` family's, its labels and annotations the ``metadata`` family's.
"""

from __future__ import annotations

import itertools
import re
import zoneinfo
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, Final, TypeGuard

from ...kube.quantity import parse_quantity
from ..names import is_dns1123_label, is_dns1123_subdomain, regex_error
from . import register
from ._validation import (
    bad_value,
    forbidden,
    invalid,
    is_int,
    is_qualified_name,
    is_valid_percent,
    not_supported,
    required,
)
from .selectors import label_selector_errors, selector_matches

Errors = Iterator[tuple[str, str]]

NEGATIVE: Final = "must be greater than or equal to 0"
"""``IsNegativeErrorMsg``."""
SELECTOR_MISMATCH: Final = "`selector` does not match template `labels`"
_GO_INT: Final = re.compile(r"[+-]?[0-9]+")
"""What Go's ``strconv.Atoi`` accepts."""

# ---------------------------------------------------------------------------------------------
# small readers


def _is_int(value: Any) -> TypeGuard[int]:
    """A JSON integer (:func:`._validation.is_int`, typed for the checker)."""
    return is_int(value)


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _non_negative(value: Any, path: str) -> Errors:
    """``ValidateNonnegativeField``."""
    if _is_int(value) and value < 0:
        yield path, invalid(value, NEGATIVE)


# ---------------------------------------------------------------------------------------------
# IntOrString (apps validation's helpers)


def _int_or_percent_value(value: Any) -> int:
    """``getIntOrPercentValue``: the percent's number, an int's value, else ``IntValue()`` (a
    string's ``Atoi``, 0 when it is not a number)."""
    if _is_int(value):
        return int(value)
    if isinstance(value, str):
        if not is_valid_percent(value):
            return int(value[:-1])
        return int(value) if _GO_INT.fullmatch(value) else 0
    return 0


def positive_int_or_percent_errors(value: Any, path: str) -> Errors:
    """``ValidatePositiveIntOrPercent``: a percent string (``IsValidPercent``) or a non-negative int."""
    if isinstance(value, str):
        for message in is_valid_percent(value):
            yield path, invalid(value, message)
    elif _is_int(value):
        yield from _non_negative(value, path)


def not_more_than_100_percent_errors(value: Any, path: str) -> Errors:
    """``IsNotMoreThan100Percent``."""
    if isinstance(value, str) and not is_valid_percent(value) and int(value[:-1]) > 100:
        yield path, invalid(value, "must not be greater than 100%")


# ---------------------------------------------------------------------------------------------
# selectors and templates


def _selector_parses(selector: Any) -> bool:
    """Whether ``metav1.LabelSelectorAsSelector`` accepts ``selector`` (it refuses what
    ``ValidateLabelSelector`` refuses)."""
    return next(label_selector_errors(selector, ""), None) is None


def _selector_is_empty(selector: Mapping[str, Any]) -> bool:
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def _template_labels(template: Any) -> Any:
    return _map(_map(template).get("metadata")).get("labels")


def required_selector_errors(spec: Mapping[str, Any], kind: str, path: str, *, bad_parse: str) -> Errors:
    """The selector part of ``ValidateDeploymentSpec``/``ValidateReplicaSetSpec``/
    ``ValidateStatefulSetSpec``: required, valid (strictly), not empty, and then matching the
    template's labels (``ValidatePodTemplateSpecForReplicaSet``/``...ForStatefulSet``)."""
    selector = spec.get("selector")
    if selector is None:
        yield f"{path}.selector", required()
    elif isinstance(selector, Mapping):
        yield from label_selector_errors(selector, f"{path}.selector")
        if _selector_is_empty(selector):
            yield f"{path}.selector", invalid(dict(selector), f"empty selector is invalid for {kind}")
    else:
        return
    if selector is not None and not _selector_parses(selector):
        yield f"{path}.selector", invalid(dict(selector), bad_parse)
        return
    yield from template_match_errors(selector, spec.get("template"), f"{path}.template")


def template_match_errors(selector: Any, template: Any, path: str) -> Errors:
    """``selector.Matches(labels.Set(template.Labels))`` unless the selector is empty; an absent
    selector (``labels.Nothing()``) matches nothing."""
    if isinstance(selector, Mapping) and _selector_is_empty(selector):
        return
    labels = _template_labels(template)
    if selector is None or not selector_matches(selector, labels):
        yield (
            f"{path}.metadata.labels",
            invalid(labels if isinstance(labels, Mapping) else {}, SELECTOR_MISMATCH),
        )


def always_restart_errors(template: Any, path: str, owner: str) -> Errors:
    """The template rules of ``ValidatePodTemplateSpecForReplicaSet`` and friends: restartPolicy
    ``Always`` (its default), no activeDeadlineSeconds."""
    pod_spec = _map(_map(template).get("spec"))
    policy = pod_spec.get("restartPolicy")
    if isinstance(policy, str) and policy not in ("", "Always"):
        yield f"{path}.spec.restartPolicy", not_supported(policy, ["Always"])
    if pod_spec.get("activeDeadlineSeconds") is not None:
        yield (
            f"{path}.spec.activeDeadlineSeconds",
            forbidden(f"activeDeadlineSeconds in {owner} is not Supported"),
        )


# ---------------------------------------------------------------------------------------------
# Deployment and ReplicaSet


def rolling_update_deployment_errors(rolling: Mapping[str, Any], path: str) -> Errors:
    """``ValidateRollingUpdateDeployment`` (absent values defaulted to 25%)."""
    max_unavailable = rolling.get("maxUnavailable", "25%")
    max_surge = rolling.get("maxSurge", "25%")
    max_unavailable = "25%" if max_unavailable is None else max_unavailable
    max_surge = "25%" if max_surge is None else max_surge
    yield from positive_int_or_percent_errors(max_unavailable, f"{path}.maxUnavailable")
    yield from positive_int_or_percent_errors(max_surge, f"{path}.maxSurge")
    if _int_or_percent_value(max_unavailable) == 0 and _int_or_percent_value(max_surge) == 0:
        yield f"{path}.maxUnavailable", invalid(max_unavailable, "may not be 0 when `maxSurge` is 0")
    yield from not_more_than_100_percent_errors(max_unavailable, f"{path}.maxUnavailable")


def deployment_strategy_errors(strategy: Any, path: str) -> Errors:
    """``ValidateDeploymentStrategy`` (type defaulted to RollingUpdate)."""
    strategy = _map(strategy)
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            yield (
                f"{path}.rollingUpdate",
                forbidden("may not be specified when strategy `type` is 'Recreate'"),
            )
    elif kind == "RollingUpdate":
        yield from rolling_update_deployment_errors(_map(rolling), f"{path}.rollingUpdate")
    elif isinstance(kind, str):
        yield path, not_supported(dict(strategy), ["Recreate", "RollingUpdate"])


@register(("apps", "Deployment"))
def check_deployment(manifest: Mapping[str, Any]) -> Errors:
    """``ValidateDeploymentSpec``."""
    spec = _map(manifest.get("spec"))
    yield from _non_negative(spec.get("replicas"), "spec.replicas")
    yield from required_selector_errors(spec, "deployment", "spec", bad_parse="invalid label selector")
    yield from always_restart_errors(spec.get("template"), "spec.template", "ReplicaSet")
    yield from deployment_strategy_errors(spec.get("strategy"), "spec.strategy")
    min_ready = spec.get("minReadySeconds")
    yield from _non_negative(min_ready, "spec.minReadySeconds")
    yield from _non_negative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
    deadline = spec.get("progressDeadlineSeconds")
    deadline = 600 if deadline is None else deadline
    if _is_int(deadline):
        yield from _non_negative(deadline, "spec.progressDeadlineSeconds")
        if deadline <= (min_ready if _is_int(min_ready) else 0):
            message = "must be greater than minReadySeconds"
            if spec.get("progressDeadlineSeconds") is None:
                message += " (progressDeadlineSeconds defaults to 600)"
            yield "spec.progressDeadlineSeconds", invalid(deadline, message)


@register(("apps", "ReplicaSet"))
def check_replica_set(manifest: Mapping[str, Any]) -> Errors:
    """``ValidateReplicaSetSpec`` (its empty-selector message says "deployment", as upstream's)."""
    spec = _map(manifest.get("spec"))
    yield from _non_negative(spec.get("replicas"), "spec.replicas")
    yield from _non_negative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    yield from required_selector_errors(spec, "deployment", "spec", bad_parse="invalid label selector")
    yield from always_restart_errors(spec.get("template"), "spec.template", "ReplicaSet")


@register(("", "ReplicationController"))
def check_replication_controller(manifest: Mapping[str, Any]) -> Errors:
    """``ValidateReplicationControllerSpec``: ``ValidateNonEmptySelector`` (the selector defaults to
    the template's labels) and ``ValidatePodTemplateSpecForRC``."""
    spec = _map(manifest.get("spec"))
    yield from _non_negative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    template = spec.get("template")
    selector = spec.get("selector")
    if not isinstance(selector, Mapping) or not selector:
        labels = _template_labels(template)
        selector = dict(labels) if isinstance(labels, Mapping) else {}
    if not selector:
        yield "spec.selector", required()
    yield from _non_negative(spec.get("replicas"), "spec.replicas")
    if template is None:
        yield "spec.template", required()
        return
    if selector:
        labels = _map(_template_labels(template))
        if any(labels.get(key) != value for key, value in selector.items()):
            yield "spec.template.metadata.labels", invalid(dict(labels), SELECTOR_MISMATCH)
    yield from always_restart_errors(template, "spec.template", "ReplicationController")


# ---------------------------------------------------------------------------------------------
# StatefulSet


def rolling_update_stateful_set_errors(rolling: Mapping[str, Any], path: str) -> Errors:
    """``validateRollingUpdateStatefulSet``: partition >= 0; maxUnavailable int or percent, not 0,
    at most 100%."""
    yield from _non_negative(rolling.get("partition"), f"{path}.partition")
    max_unavailable = rolling.get("maxUnavailable")
    if max_unavailable is not None:
        yield from positive_int_or_percent_errors(max_unavailable, f"{path}.maxUnavailable")
        if _int_or_percent_value(max_unavailable) == 0:
            yield f"{path}.maxUnavailable", invalid(max_unavailable, "cannot be 0")
        yield from not_more_than_100_percent_errors(max_unavailable, f"{path}.maxUnavailable")


def _claim_template_errors(claim: Any, path: str) -> Errors:
    """The basics of ``ValidatePersistentVolumeClaimSpec`` on a volume claim template: at least one
    access mode, a storage request, and that request greater than zero."""
    spec = _map(_map(claim).get("spec"))
    modes = spec.get("accessModes")
    if not modes:
        yield f"{path}.spec.accessModes", required("at least 1 access mode is required")
    requests = _map(_map(spec.get("resources")).get("requests"))
    storage = requests.get("storage")
    if storage is None:
        yield f"{path}.spec.resources[storage]", required()
    elif isinstance(storage, (str, int, float)) and not isinstance(storage, bool):
        try:
            amount = parse_quantity(storage)
        except ValueError:
            return  # the schema's quantity pattern reports it
        if amount <= 0:
            yield f"{path}.spec.resources[storage]", invalid(storage, "must be greater than zero")


@register(("apps", "StatefulSet"))
def check_stateful_set(manifest: Mapping[str, Any]) -> Errors:
    """``ValidateStatefulSetSpec`` (1.35, create)."""
    spec = _map(manifest.get("spec"))
    policy = spec.get("podManagementPolicy")
    if isinstance(policy, str) and policy not in ("", "OrderedReady", "Parallel"):
        yield "spec.podManagementPolicy", invalid(policy, "must be 'OrderedReady' or 'Parallel'")
    strategy = _map(spec.get("updateStrategy"))
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "OnDelete":
        if rolling is not None:
            yield (
                "spec.updateStrategy.rollingUpdate",
                invalid(rolling, "only allowed for updateStrategy 'RollingUpdate'"),
            )
    elif kind == "RollingUpdate":
        if isinstance(rolling, Mapping):
            yield from rolling_update_stateful_set_errors(rolling, "spec.updateStrategy.rollingUpdate")
    elif isinstance(kind, str):
        yield "spec.updateStrategy", invalid(dict(strategy), "must be 'RollingUpdate' or 'OnDelete'")
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if isinstance(retention, Mapping):
        for key in ("whenDeleted", "whenScaled"):
            value = retention.get(key)
            if isinstance(value, str) and value not in ("", "Retain", "Delete"):
                yield (
                    f"spec.persistentVolumeClaimRetentionPolicy.{key}",
                    not_supported(value, ["Retain", "Delete"]),
                )
    claims = spec.get("volumeClaimTemplates")
    if isinstance(claims, list):
        for index, claim in enumerate(claims):
            yield from _claim_template_errors(claim, f"spec.volumeClaimTemplates[{index}]")
    yield from _non_negative(spec.get("replicas"), "spec.replicas")
    yield from _non_negative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    yield from _non_negative(_map(spec.get("ordinals")).get("start"), "spec.ordinals.start")
    service_name = spec.get("serviceName")
    if isinstance(service_name, str) and service_name:
        for message in is_dns1123_label(service_name):
            yield "spec.serviceName", invalid(service_name, message)
    yield from required_selector_errors(spec, "statefulset", "spec", bad_parse="")
    yield from always_restart_errors(spec.get("template"), "spec.template", "StatefulSet")


# ---------------------------------------------------------------------------------------------
# DaemonSet


def rolling_update_daemon_set_errors(rolling: Mapping[str, Any], path: str) -> Errors:
    """``ValidateRollingUpdateDaemonSet`` (maxUnavailable defaults to 1, maxSurge to 0): each an int
    or percent at most 100%, exactly one of them non-zero."""
    max_unavailable = rolling.get("maxUnavailable")
    max_surge = rolling.get("maxSurge")
    max_unavailable = 1 if max_unavailable is None else max_unavailable
    max_surge = 0 if max_surge is None else max_surge
    yield from positive_int_or_percent_errors(max_unavailable, f"{path}.maxUnavailable")
    yield from positive_int_or_percent_errors(max_surge, f"{path}.maxSurge")
    yield from not_more_than_100_percent_errors(max_unavailable, f"{path}.maxUnavailable")
    yield from not_more_than_100_percent_errors(max_surge, f"{path}.maxSurge")
    has_unavailable = _int_or_percent_value(max_unavailable) != 0
    has_surge = _int_or_percent_value(max_surge) != 0
    if has_unavailable and has_surge:
        yield f"{path}.maxSurge", invalid(max_surge, "may not be set when maxUnavailable is non-zero")
    elif not has_unavailable and not has_surge:
        yield f"{path}.maxUnavailable", required("cannot be 0 when maxSurge is 0")


@register(("apps", "DaemonSet"))
def check_daemon_set(manifest: Mapping[str, Any]) -> Errors:
    """``ValidateDaemonSetSpec`` and ``ValidateDaemonSetUpdateStrategy``."""
    spec = _map(manifest.get("spec"))
    selector = spec.get("selector")
    yield from label_selector_errors(selector, "spec.selector")
    if selector is None or (isinstance(selector, Mapping) and _selector_parses(selector)):
        yield from template_match_errors(selector, spec.get("template"), "spec.template")
    if isinstance(selector, Mapping) and _selector_is_empty(selector):
        yield "spec.selector", invalid(dict(selector), "empty selector is invalid for daemonset")
    yield from always_restart_errors(spec.get("template"), "spec.template", "DaemonSet")
    yield from _non_negative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    strategy = _map(spec.get("updateStrategy"))
    kind = strategy.get("type") or "RollingUpdate"
    if kind == "RollingUpdate":
        yield from rolling_update_daemon_set_errors(
            _map(strategy.get("rollingUpdate")), "spec.updateStrategy.rollingUpdate"
        )
    elif kind != "OnDelete" and isinstance(kind, str):
        yield "spec.updateStrategy", not_supported(dict(strategy), ["RollingUpdate", "OnDelete"])
    yield from _non_negative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")


# ---------------------------------------------------------------------------------------------
# Job

MAX_PARALLELISM_FOR_INDEXED_JOB: Final = 100_000
MAX_FAILED_INDEXES_FOR_INDEXED_JOB: Final = 100_000
COMPLETIONS_SOFT_LIMIT: Final = 100_000
PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS: Final = 10_000
MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS: Final = 10_000
MAX_POD_FAILURE_POLICY_RULES: Final = 20
MAX_ON_EXIT_CODES_VALUES: Final = 255
MAX_ON_POD_CONDITIONS_PATTERNS: Final = 20
MAX_MANAGED_BY_LENGTH: Final = 63
MAX_SUCCEEDED_INDEXES_LENGTH: Final = 64 * 1024
MAX_SUCCESS_POLICY_RULES: Final = 20

_POD_FAILURE_ACTIONS: Final = ["Count", "FailIndex", "FailJob", "Ignore"]
_EXIT_CODES_OPERATORS: Final = ["In", "NotIn"]
_CONDITION_STATUSES: Final = ["False", "True", "Unknown"]
_HTTP_PATH_FMT: Final = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"
_HTTP_PATH: Final = re.compile(_HTTP_PATH_FMT)
_LEGACY_JOB_NAME: Final = "job-name"
_LEGACY_CONTROLLER_UID: Final = "controller-uid"
_JOB_NAME: Final = "batch.kubernetes.io/job-name"
_CONTROLLER_UID: Final = "batch.kubernetes.io/controller-uid"
_UNKNOWN_UID: Final = "\x00uid"
"""Stands for the uid the API server gives the Job (no user value equals it)."""


def _too_many(actual: int, limit: int) -> str:
    """``field.TooMany``'s body."""
    return f"Too many: {actual}: must have at most {limit} items"


def _quoted_list(values: list[str]) -> str:
    """Go's ``%q`` of a ``[]string``."""
    return "[" + " ".join(bad_value(value) for value in values) + "]"


def domain_prefixed_path_errors(value: str, path: str) -> Errors:
    """``validation.IsDomainPrefixedPath``."""
    if not value:
        yield path, required()
        return
    host, slash, rest = value.partition("/")
    if not slash or not host or not rest:
        yield path, invalid(value, 'must be a domain-prefixed path (such as "acme.io/foo")')
        return
    for message in is_dns1123_subdomain(host):
        yield path, invalid(host, message)
    if not _HTTP_PATH.fullmatch(rest):
        yield path, invalid(rest, regex_error("Invalid path", _HTTP_PATH_FMT))


def _index_interval(text: str, completions: int) -> tuple[int, int]:
    """``parseIndexInterval``; raises ValueError with upstream's message."""
    limits = text.split("-")
    if len(limits) > 2:
        raise ValueError(
            f"the fragment {bad_value(text)} violates the requirement that an index interval can have "
            "at most two parts separated by '-'"
        )
    numbers = []
    for limit in limits:
        if not _GO_INT.fullmatch(limit):
            raise ValueError(f"cannot convert string to integer for index: {bad_value(limit)}")
        if int(limit) >= completions:
            raise ValueError(f"too large index: {bad_value(limit)}")
        numbers.append(int(limit))
    if len(numbers) == 2 and numbers[0] >= numbers[1]:
        raise ValueError(f"non-increasing order, previous: {numbers[0]}, current: {numbers[1]}")
    return numbers[0], numbers[-1]


def indexes_format_total(text: str, completions: int) -> int:
    """``validateIndexesFormat``: the number of indexes; raises ValueError with upstream's message."""
    if not text:
        return 0
    last: int | None = None
    total = 0
    for interval in text.split(","):
        low, high = _index_interval(interval, completions)
        if last is not None and last >= low:
            raise ValueError(f"non-increasing order, previous: {last}, current: {low}")
        total += high - low + 1
        last = high
    return total


def _container_names(template: Any) -> set[str]:
    pod_spec = _map(_map(template).get("spec"))
    names: set[str] = set()
    for key in ("containers", "initContainers"):
        containers = pod_spec.get(key)
        if isinstance(containers, list):
            for container in containers:
                name = _map(container).get("name")
                if isinstance(name, str):
                    names.add(name)
    return names


def pod_failure_policy_errors(spec: Mapping[str, Any], path: str) -> Errors:
    """``validatePodFailurePolicy`` and its rule validators."""
    rules = _map(spec.get("podFailurePolicy")).get("rules")
    if not isinstance(rules, list):
        return
    if len(rules) > MAX_POD_FAILURE_POLICY_RULES:
        yield f"{path}.rules", _too_many(len(rules), MAX_POD_FAILURE_POLICY_RULES)
    containers = _container_names(spec.get("template"))
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        rule_path = f"{path}.rules[{index}]"
        action = rule.get("action")
        if not action:
            yield f"{rule_path}.action", required(f"valid values: {_quoted_list(_POD_FAILURE_ACTIONS)}")
        elif action == "FailIndex":
            if spec.get("backoffLimitPerIndex") is None:
                yield f"{rule_path}.action", invalid(action, "requires the backoffLimitPerIndex to be set")
        elif action not in _POD_FAILURE_ACTIONS:
            yield f"{rule_path}.action", not_supported(action, _POD_FAILURE_ACTIONS)
        on_exit_codes = rule.get("onExitCodes")
        if isinstance(on_exit_codes, Mapping):
            yield from _on_exit_codes_errors(on_exit_codes, f"{rule_path}.onExitCodes", containers)
        conditions = rule.get("onPodConditions")
        if isinstance(conditions, list) and conditions:
            yield from _on_pod_conditions_errors(conditions, f"{rule_path}.onPodConditions")
        has_conditions = isinstance(conditions, list) and bool(conditions)
        if on_exit_codes is not None and has_conditions:
            yield rule_path, "Invalid value: specifying both OnExitCodes and OnPodConditions is not supported"
        if on_exit_codes is None and not has_conditions:
            yield rule_path, "Invalid value: specifying one of OnExitCodes and OnPodConditions is required"


def _on_exit_codes_errors(requirement: Mapping[str, Any], path: str, containers: set[str]) -> Errors:
    """``validatePodFailurePolicyRuleOnExitCodes``."""
    operator = requirement.get("operator")
    if not operator:
        yield f"{path}.operator", required(f"valid values: {_quoted_list(_EXIT_CODES_OPERATORS)}")
    elif operator not in _EXIT_CODES_OPERATORS:
        yield f"{path}.operator", not_supported(operator, _EXIT_CODES_OPERATORS)
    container = requirement.get("containerName")
    if isinstance(container, str) and container not in containers:
        yield (
            f"{path}.containerName",
            invalid(container, "must be one of the container or initContainer names in the pod template"),
        )
    values = requirement.get("values")
    values = [v for v in values if _is_int(v)] if isinstance(values, list) else []
    if not values:
        yield f"{path}.values", invalid(values, "at least one value is required")
    elif len(values) > MAX_ON_EXIT_CODES_VALUES:
        yield f"{path}.values", _too_many(len(values), MAX_ON_EXIT_CODES_VALUES)
    seen: set[int] = set()
    for index, value in enumerate(values):
        if operator == "In" and value == 0:
            yield f"{path}.values[{index}]", invalid(value, "must not be 0 for the In operator")
        if value in seen:
            yield f"{path}.values[{index}]", f"Duplicate value: {value}"
        seen.add(value)
    if any(earlier > later for earlier, later in itertools.pairwise(values)):
        yield f"{path}.values", invalid(values, "must be ordered")


def _on_pod_conditions_errors(patterns: list[Any], path: str) -> Errors:
    """``validatePodFailurePolicyRuleOnPodConditions``."""
    if len(patterns) > MAX_ON_POD_CONDITIONS_PATTERNS:
        yield path, _too_many(len(patterns), MAX_ON_POD_CONDITIONS_PATTERNS)
    for index, pattern in enumerate(patterns):
        if not isinstance(pattern, Mapping):
            continue
        condition_type = pattern.get("type")
        if isinstance(condition_type, str):
            for message in is_qualified_name(condition_type):
                yield f"{path}[{index}].type", invalid(condition_type, message)
        status = pattern.get("status")
        if not status:
            yield f"{path}[{index}].status", required(f"valid values: {_quoted_list(_CONDITION_STATUSES)}")
        elif status not in _CONDITION_STATUSES:
            yield f"{path}[{index}].status", not_supported(status, _CONDITION_STATUSES)


def success_policy_errors(spec: Mapping[str, Any], path: str) -> Errors:
    """``validateSuccessPolicy`` and ``validateSuccessPolicyRule`` (an Indexed Job's)."""
    rules = _map(spec.get("successPolicy")).get("rules")
    rules = rules if isinstance(rules, list) else []
    if not rules:
        yield (
            f"{path}.rules",
            required("at least one rules must be specified when the successPolicy is specified"),
        )
    if len(rules) > MAX_SUCCESS_POLICY_RULES:
        yield f"{path}.rules", _too_many(len(rules), MAX_SUCCESS_POLICY_RULES)
    completions = spec.get("completions")
    if not _is_int(completions):
        return  # required for an Indexed Job: reported by the completion-mode rules
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        rule_path = f"{path}.rules[{index}]"
        count, indexes = rule.get("succeededCount"), rule.get("succeededIndexes")
        if count is None and indexes is None:
            yield rule_path, required("at least one of succeededCount or succeededIndexes must be specified")
        total = 0
        if isinstance(indexes, str):
            if len(indexes) > MAX_SUCCEEDED_INDEXES_LENGTH:
                yield (
                    f"{rule_path}.succeededIndexes",
                    f"Too long: may not be more than {MAX_SUCCEEDED_INDEXES_LENGTH} bytes",
                )
            try:
                total = indexes_format_total(indexes, completions)
            except ValueError as error:
                yield (
                    f"{rule_path}.succeededIndexes",
                    invalid(indexes, f"error parsing succeededIndexes: {error}"),
                )
        if _is_int(count):
            yield from _non_negative(count, f"{rule_path}.succeededCount")
            if count > completions:
                yield (
                    f"{rule_path}.succeededCount",
                    invalid(
                        count,
                        f"must be less than or equal to {completions} (the number of specified completions)",
                    ),
                )
            if isinstance(indexes, str) and count > total:
                yield (
                    f"{rule_path}.succeededCount",
                    invalid(
                        count,
                        f"must be less than or equal to {total} (the number of indexes in the specified "
                        "succeededIndexes field)",
                    ),
                )


def job_spec_errors(spec: Mapping[str, Any], path: str) -> Errors:
    """``validateJobSpec``: the rules a Job and a CronJob's job template share."""
    for key in (
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ):
        yield from _non_negative(spec.get(key), f"{path}.{key}")
    parallelism, completions = spec.get("parallelism"), spec.get("completions")
    per_index, max_failed = spec.get("backoffLimitPerIndex"), spec.get("maxFailedIndexes")
    if max_failed is not None and per_index is None:
        yield f"{path}.backoffLimitPerIndex", required("when maxFailedIndexes is specified")
    managed_by = spec.get("managedBy")
    if isinstance(managed_by, str):
        yield from domain_prefixed_path_errors(managed_by, f"{path}.managedBy")
        if len(managed_by) > MAX_MANAGED_BY_LENGTH:
            yield f"{path}.managedBy", f"Too long: may not be more than {MAX_MANAGED_BY_LENGTH} bytes"
    mode = spec.get("completionMode")
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        yield f"{path}.completionMode", not_supported(mode, ["NonIndexed", "Indexed"])
    if mode == "Indexed":
        if completions is None:
            yield f"{path}.completions", required("when completion mode is Indexed")
        if _is_int(parallelism) and parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB:
            yield (
                f"{path}.parallelism",
                invalid(
                    parallelism,
                    f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed",
                ),
            )
        if _is_int(completions) and _is_int(max_failed) and max_failed > completions:
            yield f"{path}.maxFailedIndexes", invalid(max_failed, "must be less than or equal to completions")
        if _is_int(max_failed) and max_failed > MAX_FAILED_INDEXES_FOR_INDEXED_JOB:
            yield (
                f"{path}.maxFailedIndexes",
                invalid(max_failed, f"must be less than or equal to {MAX_FAILED_INDEXES_FOR_INDEXED_JOB}"),
            )
        if _is_int(completions) and completions > COMPLETIONS_SOFT_LIMIT and per_index is not None:
            suffix = (
                f"when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"
            )
            if max_failed is None:
                yield (
                    f"{path}.maxFailedIndexes",
                    required(f"must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}"),
                )
            if _is_int(parallelism) and parallelism > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS:
                yield (
                    f"{path}.parallelism",
                    invalid(
                        parallelism,
                        f"must be less than or equal to {PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} {suffix}",
                    ),
                )
            if _is_int(max_failed) and max_failed > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS:
                yield (
                    f"{path}.maxFailedIndexes",
                    invalid(
                        max_failed,
                        f"must be less than or equal to {MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS} {suffix}",
                    ),
                )
    if mode is None or mode == "NonIndexed":
        if per_index is not None:
            yield f"{path}.backoffLimitPerIndex", invalid(per_index, "requires indexed completion mode")
        if max_failed is not None:
            yield f"{path}.maxFailedIndexes", invalid(max_failed, "requires indexed completion mode")
    if spec.get("podFailurePolicy") is not None:
        yield from pod_failure_policy_errors(spec, f"{path}.podFailurePolicy")
    if spec.get("successPolicy") is not None:
        if mode != "Indexed":
            yield f"{path}.successPolicy", invalid(spec["successPolicy"], "requires indexed completion mode")
        else:
            yield from success_policy_errors(spec, f"{path}.successPolicy")
    replacement = spec.get("podReplacementPolicy")
    if isinstance(replacement, str):
        if spec.get("podFailurePolicy") is not None:
            if replacement != "Failed":
                yield f"{path}.podReplacementPolicy", not_supported(replacement, ["Failed"])
        elif replacement not in ("Failed", "TerminatingOrFailed"):
            yield (
                f"{path}.podReplacementPolicy",
                not_supported(replacement, ["Failed", "TerminatingOrFailed"]),
            )
    restart = _map(_map(spec.get("template")).get("spec")).get("restartPolicy")
    restart_path = f"{path}.template.spec.restartPolicy"
    if restart is None or restart in ("", "Always"):
        yield restart_path, required('valid values: "OnFailure", "Never"')
    elif restart not in ("OnFailure", "Never"):
        yield restart_path, not_supported(restart, ["OnFailure", "Never"])
    elif spec.get("podFailurePolicy") is not None and restart != "Never":
        yield restart_path, invalid(restart, 'only "Never" is supported when podFailurePolicy is specified')


def _generated_selector_errors(manifest: Mapping[str, Any], spec: Mapping[str, Any]) -> Errors:
    """``validateGeneratedSelector`` after the API server's ``generateSelector`` (a Job without
    ``manualSelector: true``): the template's job-name labels must be the Job's name, and a
    selector the user gave must select only the generated labels."""
    name = _map(manifest.get("metadata")).get("name")
    template_meta = _map(_map(spec.get("template")).get("metadata"))
    labels = _map(template_meta.get("labels"))
    for key, expected in (
        (_LEGACY_CONTROLLER_UID, None),
        (_LEGACY_JOB_NAME, name),
        (_CONTROLLER_UID, None),
        (_JOB_NAME, name),
    ):
        if key in labels and isinstance(expected, str) and labels[key] != expected:
            yield f"spec.template.metadata.labels[{key}]", invalid(dict(labels), f"must be '{expected}'")
        if key in labels and expected is None:
            yield (
                f"spec.template.metadata.labels[{key}]",
                invalid(dict(labels), "must be the Job's uid, which the API server sets: remove this label"),
            )
    selector = spec.get("selector")
    if isinstance(selector, Mapping) and _selector_parses(selector):
        expected_labels = {_LEGACY_CONTROLLER_UID: _UNKNOWN_UID, _CONTROLLER_UID: _UNKNOWN_UID}
        if isinstance(name, str):
            expected_labels |= {_LEGACY_JOB_NAME: name, _JOB_NAME: name}
        if not selector_matches(selector, expected_labels):
            yield (
                "spec.selector",
                invalid(
                    dict(selector), "`selector` not auto-generated (set manualSelector: true to choose it)"
                ),
            )


@register(("batch", "Job"))
def check_job(manifest: Mapping[str, Any]) -> Errors:
    """``ValidateJob``: ``validateGeneratedSelector``, ``ValidateJobSpec`` (the selector and its
    match when ``manualSelector`` is true) and the Indexed Job's pod hostname."""
    spec = _map(manifest.get("spec"))
    if spec.get("manualSelector") is True:
        selector = spec.get("selector")
        if selector is None:
            yield "spec.selector", required()
        else:
            yield from label_selector_errors(selector, "spec.selector")
            if isinstance(selector, Mapping) and _selector_parses(selector):
                yield from template_match_errors(selector, spec.get("template"), "spec.template")
    else:
        yield from _generated_selector_errors(manifest, spec)
    yield from job_spec_errors(spec, "spec")
    name = _map(manifest.get("metadata")).get("name")
    completions = spec.get("completions")
    if (
        spec.get("completionMode") == "Indexed"
        and _is_int(completions)
        and completions > 0
        and isinstance(name, str)
    ):
        hostname = f"{name}-{completions - 1}"
        if is_dns1123_label(hostname):
            yield (
                "metadata.name",
                invalid(name, f"will not able to create pod with invalid DNS label: {hostname}"),
            )


# ---------------------------------------------------------------------------------------------
# CronJob: robfig/cron v3's standard parser


class _Bounds:
    __slots__ = ("high", "low", "names")

    def __init__(self, low: int, high: int, names: Mapping[str, int] | None = None) -> None:
        self.low, self.high, self.names = low, high, names


_CRON_FIELDS: Final = (
    _Bounds(0, 59),  # minute
    _Bounds(0, 23),  # hour
    _Bounds(1, 31),  # day of month
    _Bounds(
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
            )
        },
    ),
    _Bounds(0, 6, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}),
)
_CRON_DESCRIPTORS: Final = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_GO_DURATION: Final = re.compile(r"[-+]?(0|([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+)")


def _cron_int(text: str) -> int:
    """robfig/cron's ``mustParseInt`` (``strconv.Atoi``, then no negative numbers)."""
    if not _GO_INT.fullmatch(text):
        raise ValueError(f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax')
    number = int(text)
    if number < 0:
        raise ValueError(f"negative number ({number}) not allowed: {text}")
    return number


def _cron_int_or_name(text: str, names: Mapping[str, int] | None) -> int:
    """robfig/cron's ``parseIntOrName``: month and weekday names, case-insensitive."""
    if names is not None and text.lower() in names:
        return names[text.lower()]
    return _cron_int(text)


def _cron_range(expr: str, bounds: _Bounds) -> None:
    """robfig/cron's ``getRange``; raises ValueError with its message."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = bounds.low, bounds.high
    else:
        start = _cron_int_or_name(low_and_high[0], bounds.names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _cron_int_or_name(low_and_high[1], bounds.names)
        else:
            raise ValueError(f"too many hyphens: {expr}")
    step = 1
    if len(range_and_step) == 2:
        step = _cron_int(range_and_step[1])
        if len(low_and_high) == 1:
            end = bounds.high
    elif len(range_and_step) > 2:
        raise ValueError(f"too many slashes: {expr}")
    if start < bounds.low:
        raise ValueError(f"beginning of range ({start}) below minimum ({bounds.low}): {expr}")
    if end > bounds.high:
        raise ValueError(f"end of range ({end}) above maximum ({bounds.high}): {expr}")
    if start > end:
        raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ValueError(f"step of range should be a positive number: {expr}")


@lru_cache(maxsize=256)
def cron_schedule_error(schedule: str) -> str | None:
    """``cron.ParseStandard`` (robfig/cron v3, as ``parsers.ParseCronScheduleWithPanicRecovery``
    calls it): five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day
    of week 0-6 or sun-sat; ``*``/``?``, lists, ranges, steps) or a descriptor (``@hourly``,
    ``@daily``/``@midnight``, ``@weekly``, ``@monthly``, ``@yearly``/``@annually``,
    ``@every <duration>``), optionally after ``TZ=``/``CRON_TZ=``. None when it parses, else the
    parser's message."""
    spec = schedule
    if not spec:
        return "empty spec string"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        location = spec[spec.find("=") + 1 : space] if space >= 0 else spec[spec.find("=") + 1 :]
        zone_error = _zone_error(location)
        if zone_error is not None:
            return f"provided bad location {location}: {zone_error}"
        spec = spec[space:].strip() if space >= 0 else ""
    if spec.startswith("@"):
        if spec in _CRON_DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            duration = spec[len("@every ") :]
            if _GO_DURATION.fullmatch(duration):
                return None
            return f'failed to parse duration {spec}: time: invalid duration "{duration}"'
        return f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    try:
        for field, bounds in zip(fields, _CRON_FIELDS, strict=True):
            for expr in (part for part in field.split(",") if part):
                _cron_range(expr, bounds)
    except ValueError as error:
        return str(error)
    return None


_TIME_ZONE_PART: Final = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")


@lru_cache(maxsize=1)
def _zone_data_available() -> bool:
    """Whether a time zone database is reachable (the system's or the ``tzdata`` package's)."""
    try:
        zoneinfo.ZoneInfo("UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=256)
def _zone_error(name: str) -> str | None:
    """Go's ``time.LoadLocation`` error for ``name`` ("" and "UTC" are UTC, "Local" the local
    zone), None when it loads. Without any zone database nothing is refused."""
    if name in ("", "UTC", "Local") or not _zone_data_available():
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return f"unknown time zone {name}"
    return None


def time_zone_errors(time_zone: Any, path: str) -> Errors:
    """``validateTimeZone``: non-empty, IANA name characters, not ``Local``, and loadable (checked
    against this machine's zone database: the system's, else the ``tzdata`` package's)."""
    if not isinstance(time_zone, str):
        return
    if not time_zone:
        yield path, invalid(time_zone, "timeZone must be nil or non-empty string")
        return
    for part in time_zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TIME_ZONE_PART.fullmatch(part):
            yield path, invalid(time_zone, f"unknown time zone {time_zone}")
            return
    if time_zone.lower() == "local":
        yield (
            path,
            invalid(
                time_zone,
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            ),
        )
    error = _zone_error(time_zone)
    if error is not None:
        yield path, invalid(time_zone, error)


@register(("batch", "CronJob"))
def check_cron_job(manifest: Mapping[str, Any]) -> Errors:
    """``validateCronJobSpec`` (create): ``validateScheduleFormat``, ``validateTimeZone``,
    ``validateConcurrencyPolicy`` (defaulted to Allow), ``ValidateJobTemplateSpec`` and the
    history limits."""
    spec = _map(manifest.get("spec"))
    schedule = spec.get("schedule")
    if schedule == "":
        yield "spec.schedule", required()
    elif isinstance(schedule, str):
        error = cron_schedule_error(schedule)
        if error is not None:
            yield "spec.schedule", invalid(schedule, error)
        if "TZ" in schedule:
            yield (
                "spec.schedule",
                invalid(schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
            )
    yield from _non_negative(spec.get("startingDeadlineSeconds"), "spec.startingDeadlineSeconds")
    yield from time_zone_errors(spec.get("timeZone"), "spec.timeZone")
    policy = spec.get("concurrencyPolicy")
    if isinstance(policy, str) and policy not in ("", "Allow", "Forbid", "Replace"):
        yield "spec.concurrencyPolicy", not_supported(policy, ["Allow", "Forbid", "Replace"])
    job_spec = _map(_map(spec.get("jobTemplate")).get("spec"))
    yield from job_spec_errors(job_spec, "spec.jobTemplate.spec")
    if job_spec.get("selector") is not None:
        yield (
            "spec.jobTemplate.spec.selector",
            invalid(job_spec["selector"], "`selector` will be auto-generated"),
        )
    if job_spec.get("manualSelector") is True:
        yield "spec.jobTemplate.spec.manualSelector", not_supported(True, ["nil", "false"])
    for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        yield from _non_negative(spec.get(key), f"spec.{key}")


__all__ = [
    "check_cron_job",
    "check_daemon_set",
    "check_deployment",
    "check_job",
    "check_replica_set",
    "check_replication_controller",
    "check_stateful_set",
    "cron_schedule_error",
    "indexes_format_total",
    "job_spec_errors",
    "not_more_than_100_percent_errors",
    "positive_int_or_percent_errors",
    "time_zone_errors",
]
