"""The ``workloads`` family: ``pkg/apis/apps/validation`` (ValidateDeploymentSpec,
ValidateReplicaSetSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec), ``pkg/apis/batch/validation``
(validateJobSpec, ValidateJobSpec, validateGeneratedSelector, validateCronJobSpec) and core's
ValidateReplicationControllerSpec, on manifests as sent (before defaulting)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from platform_components.preview.apiserver.workloads import (
    check_cron_job,
    check_daemon_set,
    check_deployment,
    check_job,
    check_replica_set,
    check_replication_controller,
    check_stateful_set,
    cron_schedule_error,
    indexes_format_total,
    time_zone_errors,
)
from platform_components.preview.schema import validate_manifest

POD = {"containers": [{"name": "app", "image": "nginx:1.27"}]}


def _apps(kind: str, **spec: Any) -> dict[str, Any]:
    base = {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": copy.deepcopy(POD)},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": "web", "namespace": "n"},
        "spec": base | spec,
    }


def _paths(errors: Any) -> list[str]:
    return [path for path, _ in errors]


# ---- Deployment ---------------------------------------------------------------------------


def test_deployment_selector_mismatch_through_validate_manifest() -> None:
    """ValidatePodTemplateSpecForReplicaSet: the selector must match the template's labels (wired)."""
    manifest = _apps("Deployment", selector={"matchLabels": {"app": "api"}})
    errors = validate_manifest(manifest, "1.35", display="d")
    assert [(e.path, e.message) for e in errors] == [
        (
            "spec.template.metadata.labels",
            'Invalid value: {"app":"web"}: `selector` does not match template `labels`',
        )
    ]
    assert validate_manifest(_apps("Deployment"), "1.35", display="d") == []


def test_deployment_selector_required_and_not_empty() -> None:
    """ValidateDeploymentSpec: selector required, not empty; an invalid one is 'invalid label selector'."""
    manifest = _apps("Deployment")
    del manifest["spec"]["selector"]
    assert _paths(check_deployment(manifest)) == ["spec.selector", "spec.template.metadata.labels"]
    errors = list(check_deployment(_apps("Deployment", selector={})))
    assert errors == [("spec.selector", "Invalid value: {}: empty selector is invalid for deployment")]
    bad = {"matchExpressions": [{"key": "app", "operator": "In"}]}
    assert _paths(check_deployment(_apps("Deployment", selector=bad))) == [
        "spec.selector.matchExpressions[0].values",
        "spec.selector",
    ]
    expressions = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}
    assert list(check_deployment(_apps("Deployment", selector=expressions))) == []


def test_deployment_counts_validate_nonnegative_field() -> None:
    """ValidateDeploymentSpec: replicas, minReadySeconds, revisionHistoryLimit >= 0."""
    manifest = _apps("Deployment", replicas=-1, minReadySeconds=-1, revisionHistoryLimit=-1)
    assert _paths(check_deployment(manifest)) == [
        "spec.replicas",
        "spec.minReadySeconds",
        "spec.revisionHistoryLimit",
    ]
    assert list(check_deployment(_apps("Deployment", replicas=0, revisionHistoryLimit=0))) == []


def test_deployment_progress_deadline_after_min_ready() -> None:
    """ValidateDeploymentSpec: progressDeadlineSeconds (default 600) > minReadySeconds."""
    (error,) = check_deployment(_apps("Deployment", minReadySeconds=30, progressDeadlineSeconds=30))
    assert error == (
        "spec.progressDeadlineSeconds",
        "Invalid value: 30: must be greater than minReadySeconds",
    )
    (error,) = check_deployment(_apps("Deployment", minReadySeconds=600))
    assert error[1].startswith(
        "Invalid value: 600: must be greater than minReadySeconds (progressDeadlineSeconds defaults"
    )
    assert list(check_deployment(_apps("Deployment", minReadySeconds=599))) == []


def test_deployment_strategy_validate_deployment_strategy() -> None:
    """ValidateDeploymentStrategy: type supported; rollingUpdate forbidden with Recreate."""
    errors = list(check_deployment(_apps("Deployment", strategy={"type": "Canary"})))
    assert errors == [
        (
            "spec.strategy",
            'Unsupported value: {"type":"Canary"}: supported values: "Recreate", "RollingUpdate"',
        )
    ]
    errors = list(check_deployment(_apps("Deployment", strategy={"type": "Recreate", "rollingUpdate": {}})))
    assert errors == [
        ("spec.strategy.rollingUpdate", "Forbidden: may not be specified when strategy `type` is 'Recreate'")
    ]
    assert list(check_deployment(_apps("Deployment", strategy={"type": "Recreate"}))) == []


def test_deployment_rolling_update_validate_rolling_update_deployment() -> None:
    """ValidateRollingUpdateDeployment: int-or-percent >= 0, not both 0 (absent = 25%), maxUnavailable <= 100%."""
    both_zero = {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}}
    assert list(check_deployment(_apps("Deployment", strategy=both_zero))) == [
        (
            "spec.strategy.rollingUpdate.maxUnavailable",
            'Invalid value: "0%": may not be 0 when `maxSurge` is 0',
        )
    ]
    assert (
        list(check_deployment(_apps("Deployment", strategy={"rollingUpdate": {"maxUnavailable": 0}}))) == []
    )
    errors = list(
        check_deployment(
            _apps("Deployment", strategy={"rollingUpdate": {"maxUnavailable": "150%", "maxSurge": -1}})
        )
    )
    assert errors == [
        ("spec.strategy.rollingUpdate.maxSurge", "Invalid value: -1: must be greater than or equal to 0"),
        (
            "spec.strategy.rollingUpdate.maxUnavailable",
            'Invalid value: "150%": must not be greater than 100%',
        ),
    ]
    (error,) = check_deployment(_apps("Deployment", strategy={"rollingUpdate": {"maxSurge": "half"}}))
    assert error[0] == "spec.strategy.rollingUpdate.maxSurge" and "a valid percent string" in error[1]
    assert (
        list(check_deployment(_apps("Deployment", strategy={"rollingUpdate": {"maxUnavailable": "100%"}})))
        == []
    )


def test_deployment_template_validate_pod_template_spec_for_replica_set() -> None:
    """ValidatePodTemplateSpecForReplicaSet: restartPolicy Always (its default); no activeDeadlineSeconds."""
    manifest = _apps("Deployment")
    manifest["spec"]["template"]["spec"] |= {"restartPolicy": "Never", "activeDeadlineSeconds": 5}
    assert list(check_deployment(manifest)) == [
        ("spec.template.spec.restartPolicy", 'Unsupported value: "Never": supported values: "Always"'),
        (
            "spec.template.spec.activeDeadlineSeconds",
            "Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported",
        ),
    ]
    manifest["spec"]["template"]["spec"] = {"restartPolicy": "Always"}
    assert list(check_deployment(manifest)) == []


def test_replica_set_validate_replica_set_spec() -> None:
    """ValidateReplicaSetSpec: counts, selector (upstream's message says 'deployment'), template."""
    assert _paths(check_replica_set(_apps("ReplicaSet", replicas=-2, selector={}))) == [
        "spec.replicas",
        "spec.selector",
    ]
    assert (
        "empty selector is invalid for deployment"
        in next(iter(check_replica_set(_apps("ReplicaSet", selector={}))))[1]
    )
    assert list(check_replica_set(_apps("ReplicaSet", minReadySeconds=0))) == []


def test_replication_controller_validate_replication_controller_spec() -> None:
    """ValidateReplicationControllerSpec / ValidatePodTemplateSpecForRC (the selector defaults to the template's labels)."""
    rc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "rc"},
        "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": POD}},
    }
    assert list(check_replication_controller(rc)) == []
    rc["spec"]["selector"] = {"app": "db"}
    assert _paths(check_replication_controller(rc)) == ["spec.template.metadata.labels"]
    rc["spec"] = {"replicas": -1, "template": {"spec": {"restartPolicy": "OnFailure"}}}
    errors = list(check_replication_controller(rc))
    assert errors == [
        ("spec.selector", "Required value"),
        ("spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.template.spec.restartPolicy", 'Unsupported value: "OnFailure": supported values: "Always"'),
    ]
    assert _paths(
        check_replication_controller({"kind": "ReplicationController", "spec": {"selector": {"a": "b"}}})
    ) == ["spec.template"]


# ---- StatefulSet --------------------------------------------------------------------------


def test_stateful_set_policies_validate_stateful_set_spec() -> None:
    """ValidateStatefulSetSpec: podManagementPolicy, updateStrategy, persistentVolumeClaimRetentionPolicy."""
    manifest = _apps(
        "StatefulSet",
        podManagementPolicy="Random",
        updateStrategy={"type": "Rolling"},
        persistentVolumeClaimRetentionPolicy={"whenDeleted": "Keep", "whenScaled": "Delete"},
    )
    assert list(check_stateful_set(manifest)) == [
        ("spec.podManagementPolicy", "Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"),
        (
            "spec.updateStrategy",
            "Invalid value: {\"type\":\"Rolling\"}: must be 'RollingUpdate' or 'OnDelete'",
        ),
        (
            "spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
            'Unsupported value: "Keep": supported values: "Retain", "Delete"',
        ),
    ]
    fine = _apps("StatefulSet", podManagementPolicy="Parallel", updateStrategy={"type": "OnDelete"})
    assert list(check_stateful_set(fine)) == []


def test_stateful_set_rolling_update_validate_rolling_update_stateful_set() -> None:
    """validateRollingUpdateStatefulSet: partition >= 0, maxUnavailable not 0 and <= 100%; rollingUpdate only with RollingUpdate."""
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"partition": -1, "maxUnavailable": 0}}
    assert list(check_stateful_set(_apps("StatefulSet", updateStrategy=strategy))) == [
        (
            "spec.updateStrategy.rollingUpdate.partition",
            "Invalid value: -1: must be greater than or equal to 0",
        ),
        ("spec.updateStrategy.rollingUpdate.maxUnavailable", "Invalid value: 0: cannot be 0"),
    ]
    (error,) = check_stateful_set(
        _apps("StatefulSet", updateStrategy={"rollingUpdate": {"maxUnavailable": "101%"}})
    )
    assert error[1].endswith("must not be greater than 100%")
    on_delete = {"type": "OnDelete", "rollingUpdate": {"partition": 1}}
    (error,) = check_stateful_set(_apps("StatefulSet", updateStrategy=on_delete))
    assert error == (
        "spec.updateStrategy.rollingUpdate",
        "Invalid value: {\"partition\":1}: only allowed for updateStrategy 'RollingUpdate'",
    )
    good = {"rollingUpdate": {"partition": 0, "maxUnavailable": "50%"}}
    assert list(check_stateful_set(_apps("StatefulSet", updateStrategy=good))) == []


def test_stateful_set_counts_service_name_and_selector() -> None:
    """ValidateStatefulSetSpec: replicas, minReadySeconds, ordinals.start >= 0; serviceName a DNS-1123 label; selector."""
    manifest = _apps(
        "StatefulSet", replicas=-1, minReadySeconds=-1, ordinals={"start": -1}, serviceName="Web_Svc"
    )
    assert _paths(check_stateful_set(manifest)) == [
        "spec.replicas",
        "spec.minReadySeconds",
        "spec.ordinals.start",
        "spec.serviceName",
    ]
    assert (
        list(check_stateful_set(_apps("StatefulSet", ordinals={"start": 0}, serviceName="web-headless")))
        == []
    )
    errors = list(check_stateful_set(_apps("StatefulSet", selector={})))
    assert errors == [("spec.selector", "Invalid value: {}: empty selector is invalid for statefulset")]
    manifest = _apps("StatefulSet")
    manifest["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 1
    assert list(check_stateful_set(manifest)) == [
        (
            "spec.template.spec.activeDeadlineSeconds",
            "Forbidden: activeDeadlineSeconds in StatefulSet is not Supported",
        )
    ]


def test_stateful_set_volume_claim_templates() -> None:
    """ValidatePersistentVolumeClaimSpec on volumeClaimTemplates: access modes, a positive storage request."""
    claims = [
        {"metadata": {"name": "a"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}}},
        {"metadata": {"name": "b"}, "spec": {"accessModes": ["ReadWriteOnce"]}},
        {
            "metadata": {"name": "c"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "0"}}},
        },
    ]
    assert list(check_stateful_set(_apps("StatefulSet", volumeClaimTemplates=claims))) == [
        (
            "spec.volumeClaimTemplates[0].spec.accessModes",
            "Required value: at least 1 access mode is required",
        ),
        ("spec.volumeClaimTemplates[1].spec.resources[storage]", "Required value"),
        (
            "spec.volumeClaimTemplates[2].spec.resources[storage]",
            'Invalid value: "0": must be greater than zero',
        ),
    ]
    good = [
        {
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
        }
    ]
    assert list(check_stateful_set(_apps("StatefulSet", volumeClaimTemplates=good))) == []


# ---- DaemonSet ----------------------------------------------------------------------------


def test_daemon_set_validate_daemon_set_spec() -> None:
    """ValidateDaemonSetSpec: selector match, empty selector, template rules, counts."""
    assert list(check_daemon_set(_apps("DaemonSet"))) == []
    errors = list(
        check_daemon_set(_apps("DaemonSet", selector={"matchLabels": {"app": "x"}}, minReadySeconds=-1))
    )
    assert _paths(errors) == ["spec.template.metadata.labels", "spec.minReadySeconds"]
    assert _paths(check_daemon_set(_apps("DaemonSet", selector={}))) == ["spec.selector"]


def test_daemon_set_update_strategy_validate_rolling_update_daemon_set() -> None:
    """ValidateDaemonSetUpdateStrategy / ValidateRollingUpdateDaemonSet (maxUnavailable defaults to 1, maxSurge to 0)."""
    surge_only = {"rollingUpdate": {"maxSurge": 1}}
    assert list(check_daemon_set(_apps("DaemonSet", updateStrategy=surge_only))) == [
        (
            "spec.updateStrategy.rollingUpdate.maxSurge",
            "Invalid value: 1: may not be set when maxUnavailable is non-zero",
        )
    ]
    assert (
        list(
            check_daemon_set(
                _apps("DaemonSet", updateStrategy={"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
            )
        )
        == []
    )
    zero = {"rollingUpdate": {"maxUnavailable": "0%"}}
    assert list(check_daemon_set(_apps("DaemonSet", updateStrategy=zero))) == [
        ("spec.updateStrategy.rollingUpdate.maxUnavailable", "Required value: cannot be 0 when maxSurge is 0")
    ]
    errors = list(check_daemon_set(_apps("DaemonSet", updateStrategy={"type": "Never"})))
    assert errors == [
        (
            "spec.updateStrategy",
            'Unsupported value: {"type":"Never"}: supported values: "RollingUpdate", "OnDelete"',
        )
    ]
    assert list(check_daemon_set(_apps("DaemonSet", updateStrategy={"type": "OnDelete"}))) == []
    over = {"rollingUpdate": {"maxSurge": "120%", "maxUnavailable": 0}}
    assert _paths(check_daemon_set(_apps("DaemonSet", updateStrategy=over))) == [
        "spec.updateStrategy.rollingUpdate.maxSurge"
    ]


# ---- Job ----------------------------------------------------------------------------------


def _job(**spec: Any) -> dict[str, Any]:
    base = {"template": {"spec": POD | {"restartPolicy": "Never"}}}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "migrate", "namespace": "n"},
        "spec": base | spec,
    }


def test_job_restart_policy_validate_job_spec() -> None:
    """validateJobSpec: restartPolicy OnFailure or Never (absent defaults to Always: refused)."""
    manifest = _job()
    del manifest["spec"]["template"]["spec"]["restartPolicy"]
    errors = validate_manifest(manifest, "1.35", display="job")
    assert [(e.path, e.message) for e in errors] == [
        ("spec.template.spec.restartPolicy", 'Required value: valid values: "OnFailure", "Never"')
    ]
    assert validate_manifest(_job(), "1.35", display="job") == []
    manifest["spec"]["template"]["spec"]["restartPolicy"] = "Sometimes"
    assert list(check_job(manifest)) == [
        (
            "spec.template.spec.restartPolicy",
            'Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
        )
    ]


def test_job_counts_validate_job_spec() -> None:
    """validateJobSpec: parallelism, completions, activeDeadlineSeconds, backoffLimit, ttlSecondsAfterFinished >= 0."""
    manifest = _job(
        parallelism=-1, completions=-1, activeDeadlineSeconds=-1, backoffLimit=-1, ttlSecondsAfterFinished=-1
    )
    assert _paths(check_job(manifest)) == [
        "spec.parallelism",
        "spec.completions",
        "spec.activeDeadlineSeconds",
        "spec.backoffLimit",
        "spec.ttlSecondsAfterFinished",
    ]
    assert (
        list(check_job(_job(parallelism=0, completions=0, backoffLimit=0, ttlSecondsAfterFinished=0))) == []
    )


def test_job_completion_mode_and_per_index_limits() -> None:
    """validateJobSpec: completionMode supported; backoffLimitPerIndex/maxFailedIndexes need Indexed; Indexed needs completions."""
    (error,) = check_job(_job(completionMode="Sometimes"))
    assert error[0] == "spec.completionMode"
    assert _paths(check_job(_job(backoffLimitPerIndex=1, maxFailedIndexes=1))) == [
        "spec.backoffLimitPerIndex",
        "spec.maxFailedIndexes",
    ]
    assert _paths(check_job(_job(completionMode="Indexed", maxFailedIndexes=1))) == [
        "spec.backoffLimitPerIndex",
        "spec.completions",
    ]
    indexed = _job(completionMode="Indexed", completions=3, backoffLimitPerIndex=1, maxFailedIndexes=4)
    assert list(check_job(indexed)) == [
        ("spec.maxFailedIndexes", "Invalid value: 4: must be less than or equal to completions")
    ]
    assert (
        list(
            check_job(
                _job(completionMode="Indexed", completions=3, backoffLimitPerIndex=1, maxFailedIndexes=3)
            )
        )
        == []
    )


def test_job_indexed_pod_hostname() -> None:
    """ValidateJob: an Indexed Job's last pod hostname (name-<completions-1>) must be a DNS-1123 label."""
    manifest = _job(completionMode="Indexed", completions=100)
    manifest["metadata"]["name"] = "x" * 62
    (error,) = check_job(manifest)
    assert error[0] == "metadata.name" and "will not able to create pod with invalid DNS label" in error[1]
    manifest["metadata"]["name"] = "x" * 60
    assert list(check_job(manifest)) == []


def test_job_selector_validate_generated_selector() -> None:
    """validateGeneratedSelector / ValidateJobSpec: a selector needs manualSelector: true, which then must match."""
    (error,) = check_job(_job(selector={"matchLabels": {"app": "x"}}))
    assert error[0] == "spec.selector" and "`selector` not auto-generated" in error[1]
    assert list(check_job(_job(selector={"matchLabels": {"batch.kubernetes.io/job-name": "migrate"}}))) == []
    manual = _job(manualSelector=True, selector={"matchLabels": {"app": "x"}})
    assert _paths(check_job(manual)) == ["spec.template.metadata.labels"]
    manual["spec"]["template"]["metadata"] = {"labels": {"app": "x"}}
    assert list(check_job(manual)) == []
    assert list(check_job(_job(manualSelector=True))) == [("spec.selector", "Required value")]
    labelled = _job()
    labelled["spec"]["template"]["metadata"] = {"labels": {"job-name": "other"}}
    assert list(check_job(labelled)) == [
        (
            "spec.template.metadata.labels[job-name]",
            'Invalid value: {"job-name":"other"}: must be \'migrate\'',
        )
    ]
    labelled["spec"]["template"]["metadata"] = {"labels": {"job-name": "migrate"}}
    assert list(check_job(labelled)) == []


def test_job_managed_by_is_domain_prefixed_path() -> None:
    """validateJobSpec: managedBy is a domain-prefixed path (IsDomainPrefixedPath) of at most 63 characters."""
    (error,) = check_job(_job(managedBy="kueue"))
    assert error == (
        "spec.managedBy",
        'Invalid value: "kueue": must be a domain-prefixed path (such as "acme.io/foo")',
    )
    assert list(check_job(_job(managedBy="kueue.x-k8s.io/multikueue"))) == []


def test_job_pod_failure_policy() -> None:
    """validatePodFailurePolicy and its rules: actions, onExitCodes, onPodConditions; restartPolicy Never."""
    policy = {
        "rules": [
            {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [0, 3, 2, 2]}},
            {"action": "Explode", "onPodConditions": [{"type": "DisruptionTarget"}]},
            {"action": "Ignore"},
            {
                "action": "Count",
                "onExitCodes": {"containerName": "ghost", "operator": "NotIn", "values": [1]},
            },
        ]
    }
    errors = list(check_job(_job(podFailurePolicy=policy)))
    assert _paths(errors) == [
        "spec.podFailurePolicy.rules[0].onExitCodes.values[0]",
        "spec.podFailurePolicy.rules[0].onExitCodes.values[3]",
        "spec.podFailurePolicy.rules[0].onExitCodes.values",
        "spec.podFailurePolicy.rules[1].action",
        "spec.podFailurePolicy.rules[1].onPodConditions[0].status",
        "spec.podFailurePolicy.rules[2]",
        "spec.podFailurePolicy.rules[3].onExitCodes.containerName",
    ]
    good = {
        "rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]
    }
    assert list(check_job(_job(podFailurePolicy=good))) == []
    on_failure = _job(podFailurePolicy=good)
    on_failure["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    assert list(check_job(on_failure)) == [
        (
            "spec.template.spec.restartPolicy",
            'Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
        )
    ]
    assert _paths(check_job(_job(podFailurePolicy=good, podReplacementPolicy="TerminatingOrFailed"))) == [
        "spec.podReplacementPolicy"
    ]


def test_job_success_policy() -> None:
    """validateSuccessPolicy / validateSuccessPolicyRule / validateIndexesFormat."""
    (error,) = check_job(_job(successPolicy={"rules": [{"succeededCount": 1}]}))
    assert error == (
        "spec.successPolicy",
        'Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode',
    )
    indexed = {"completionMode": "Indexed", "completions": 5}
    rules = [
        {},
        {"succeededIndexes": "0-2,1", "succeededCount": 6},
        {"succeededIndexes": "0,2-4", "succeededCount": 4},
    ]
    errors = list(check_job(_job(successPolicy={"rules": rules}, **indexed)))
    assert _paths(errors) == [
        "spec.successPolicy.rules[0]",
        "spec.successPolicy.rules[1].succeededIndexes",
        "spec.successPolicy.rules[1].succeededCount",
        "spec.successPolicy.rules[1].succeededCount",
    ]
    assert "non-increasing order, previous: 2, current: 1" in errors[1][1]
    assert (
        list(
            check_job(
                _job(successPolicy={"rules": [{"succeededIndexes": "0,2-4", "succeededCount": 4}]}, **indexed)
            )
        )
        == []
    )
    assert indexes_format_total("0,2-4", 5) == 4


# ---- CronJob ------------------------------------------------------------------------------


def _cron(**spec: Any) -> dict[str, Any]:
    base = {
        "schedule": "*/5 * * * *",
        "jobTemplate": {"spec": {"template": {"spec": POD | {"restartPolicy": "OnFailure"}}}},
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c", "namespace": "n"},
        "spec": base | spec,
    }


@pytest.mark.parametrize(
    ("schedule", "error"),
    [
        ("0 3 * * 1-5", None),
        ("@hourly", None),
        ("@every 90m", None),
        ("0 0 1 jan,JUL ?", None),
        ("*/15 9-17 * * mon-fri", None),
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("0 24 * * *", "end of range (24) above maximum (23): 24"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("0 0 * * monday", 'failed to parse int from monday: strconv.Atoi: parsing "monday": invalid syntax'),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
        ("1/2/3 * * * *", "too many slashes: 1/2/3"),
    ],
)
def test_cron_schedule_parse_standard(schedule: str, error: str | None) -> None:
    """validateScheduleFormat: robfig/cron v3's ParseStandard ranges, names, steps and descriptors."""
    assert cron_schedule_error(schedule) == error


def test_cron_job_validate_cron_job_spec() -> None:
    """validateCronJobSpec: schedule, TZ in schedule, concurrencyPolicy, counts, the job template's spec."""
    assert validate_manifest(_cron(), "1.35", display="cron") == []
    errors = validate_manifest(_cron(schedule="0 25 * * *"), "1.35", display="cron")
    assert [(e.path, e.message) for e in errors] == [
        ("spec.schedule", 'Invalid value: "0 25 * * *": end of range (25) above maximum (23): 25')
    ]
    (error,) = check_cron_job(_cron(schedule="CRON_TZ=UTC 0 * * * *"))
    assert error[1].endswith("cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    manifest = _cron(
        concurrencyPolicy="Sometimes",
        startingDeadlineSeconds=-1,
        successfulJobsHistoryLimit=-1,
        failedJobsHistoryLimit=0,
    )
    assert _paths(check_cron_job(manifest)) == [
        "spec.startingDeadlineSeconds",
        "spec.concurrencyPolicy",
        "spec.successfulJobsHistoryLimit",
    ]
    template = _cron()
    template["spec"]["jobTemplate"]["spec"] |= {
        "selector": {"matchLabels": {"a": "b"}},
        "manualSelector": True,
        "backoffLimit": -1,
    }
    del template["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"]
    assert _paths(check_cron_job(template)) == [
        "spec.jobTemplate.spec.backoffLimit",
        "spec.jobTemplate.spec.template.spec.restartPolicy",
        "spec.jobTemplate.spec.selector",
        "spec.jobTemplate.spec.manualSelector",
    ]


def test_cron_job_time_zone_validate_time_zone() -> None:
    """validateTimeZone: non-empty, IANA characters, not Local, loadable (this machine's zone database)."""
    assert list(time_zone_errors("Europe/Berlin", "z")) == []
    assert list(time_zone_errors("Etc/GMT+5", "z")) == []
    assert list(time_zone_errors("", "z")) == [
        ("z", 'Invalid value: "": timeZone must be nil or non-empty string')
    ]
    assert list(time_zone_errors("Europe/Berlin Time", "z")) == [
        ("z", 'Invalid value: "Europe/Berlin Time": unknown time zone Europe/Berlin Time')
    ]
    assert _paths(time_zone_errors("Local", "z")) == ["z"]
    assert list(time_zone_errors("Mars/Olympus", "z")) == [
        ("z", 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus')
    ]
    assert _paths(check_cron_job(_cron(timeZone="Mars/Olympus"))) == ["spec.timeZone"]


@pytest.mark.parametrize(
    "check",
    [
        check_deployment,
        check_replica_set,
        check_stateful_set,
        check_daemon_set,
        check_job,
        check_cron_job,
        check_replication_controller,
    ],
)
@pytest.mark.parametrize(
    "spec",
    [
        None,
        [],
        "x",
        {"selector": [], "template": [], "strategy": "x", "updateStrategy": 3, "jobTemplate": []},
        {"template": {"spec": []}},
    ],
)
def test_malformed_specs_never_raise(check: Any, spec: Any) -> None:
    """Wrong types are the schema's: the checks read defensively and never raise."""
    list(check({"apiVersion": "apps/v1", "kind": "X", "metadata": None, "spec": spec}))
