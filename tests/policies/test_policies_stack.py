"""Stack rules: PodDisruptionBudgets, HPAs and NetworkPolicy coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from platform_components.policies import STACK_RULES, Violation, evaluate

if TYPE_CHECKING:
    from conftest import Kit

STACK_BY_ID = {rule.id: rule for rule in STACK_RULES}


def run(kit: Kit, objects: list[dict[str, Any]], rule_id: str) -> list[Violation]:
    return evaluate(kit.resources(*objects), [], [STACK_BY_ID[rule_id]]).violations


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(obj for obj in objects if obj["kind"] == kind)


# --- avail-pdb ------------------------------------------------------------------------------------------


def test_missing_pdb_is_reported_on_the_workload(kit: Kit) -> None:
    objects = [kit.deployment()]
    (violation,) = run(kit, objects, "avail-pdb")
    assert violation.resource == "Deployment team-a/api"
    assert violation.urn.endswith("::api")
    assert (
        "no PodDisruptionBudget in namespace team-a selects this Deployment (spec.replicas 2)"
        in violation.message
    )


@pytest.mark.parametrize(
    "budget",
    [{"maxUnavailable": 0}, {"maxUnavailable": "0%"}, {"minAvailable": "100%"}, {"minAvailable": 2}, {}],
)
def test_pdb_that_blocks_evictions(kit: Kit, budget: dict[str, Any]) -> None:
    pdb = kit.pdb()
    pdb["spec"] = {"selector": pdb["spec"]["selector"], **budget}
    (violation,) = run(kit, [kit.deployment(), pdb], "avail-pdb")
    assert violation.resource == "PodDisruptionBudget team-a/api"


@pytest.mark.parametrize("budget", [{"maxUnavailable": 1}, {"maxUnavailable": "25%"}, {"minAvailable": 1}])
def test_pdb_that_allows_evictions(kit: Kit, budget: dict[str, Any]) -> None:
    pdb = kit.pdb()
    pdb["spec"] = {"selector": pdb["spec"]["selector"], **budget}
    assert run(kit, [kit.deployment(), pdb], "avail-pdb") == []


def test_pdb_in_other_namespace_or_with_other_labels_does_not_count(kit: Kit) -> None:
    elsewhere = kit.pdb()
    elsewhere["metadata"]["namespace"] = "team-b"
    other_labels = kit.pdb()
    other_labels["spec"]["selector"] = {"matchLabels": {"app.kubernetes.io/name": "web"}}
    assert len(run(kit, [kit.deployment(), elsewhere, other_labels], "avail-pdb")) == 1


def test_single_replica_without_hpa_needs_no_pdb(kit: Kit) -> None:
    dep = kit.deployment()
    dep["spec"]["replicas"] = 1
    assert run(kit, [dep], "avail-pdb") == []


def test_hpa_with_min_above_one_requires_a_pdb(kit: Kit) -> None:
    dep = kit.deployment()
    del dep["spec"]["replicas"]
    (violation,) = run(kit, [dep, kit.hpa()], "avail-pdb")
    assert "(HPA minReplicas 2)" in violation.message


def test_statefulset_needs_a_pdb(kit: Kit) -> None:
    sts = kit.workload("StatefulSet")
    sts["spec"]["replicas"] = 3
    assert run(kit, [sts], "avail-pdb")
    assert run(kit, [sts, kit.pdb()], "avail-pdb") == []


# --- sts-pvc-pdb ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("replicas", [None, 1, 3])
def test_statefulset_with_claims_needs_a_pdb_at_any_scale(kit: Kit, replicas: int | None) -> None:
    sts = kit.database()
    if replicas is not None:
        sts["spec"]["replicas"] = replicas
    (violation,) = run(kit, [sts], "sts-pvc-pdb")
    assert violation.resource == "StatefulSet team-a/api"
    assert violation.urn.endswith("::api")
    assert violation.message == (
        "StatefulSet team-a/api: no PodDisruptionBudget in namespace team-a selects this StatefulSet, whose "
        "pods keep data in spec.volumeClaimTemplates; add one whose spec.selector.matchLabels are a subset "
        "of spec.template.metadata.labels, with spec.maxUnavailable: 1"
    )
    assert run(kit, [sts, kit.pdb()], "sts-pvc-pdb") == []


def test_pdb_for_claims_in_other_namespace_or_with_other_labels_does_not_count(kit: Kit) -> None:
    elsewhere = kit.pdb()
    elsewhere["metadata"]["namespace"] = "team-b"
    other_labels = kit.pdb()
    other_labels["spec"]["selector"] = {"matchLabels": {"app.kubernetes.io/name": "web"}}
    assert len(run(kit, [kit.database(), elsewhere, other_labels], "sts-pvc-pdb")) == 1


def test_pdb_for_claims_may_select_by_expression(kit: Kit) -> None:
    pdb = kit.pdb()
    pdb["spec"]["selector"] = {
        "matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["api"]}]
    }
    assert run(kit, [kit.database(), pdb], "sts-pvc-pdb") == []


def test_only_statefulsets_with_claims_need_a_pdb_for_their_data(kit: Kit) -> None:
    single = kit.deployment()
    single["spec"]["replicas"] = 1
    assert run(kit, [kit.workload("StatefulSet"), single, kit.deployment()], "sts-pvc-pdb") == []


def test_replicated_database_without_pdb_is_reported_by_both_pdb_rules(kit: Kit) -> None:
    sts = kit.database()
    sts["spec"]["replicas"] = 3
    reported = {v.rule_id for v in evaluate(kit.resources(sts), [], STACK_RULES).violations}
    assert {"avail-pdb", "sts-pvc-pdb"} <= reported


# --- avail-hpa-pdb --------------------------------------------------------------------------------------


def test_hpa_min_above_max(kit: Kit) -> None:
    objects = kit.stack()
    by_kind(objects, "HorizontalPodAutoscaler")["spec"].update({"minReplicas": 6, "maxReplicas": 5})
    (violation,) = run(kit, objects, "avail-hpa-pdb")
    assert "spec.minReplicas (6) is greater than spec.maxReplicas (5)" in violation.message
    assert violation.resource == "HorizontalPodAutoscaler team-a/api"


def test_hpa_min_not_above_pdb_min_available(kit: Kit) -> None:
    objects = kit.stack()
    by_kind(objects, "PodDisruptionBudget")["spec"] = {
        "minAvailable": 2,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "api"}},
    }
    (violation,) = run(kit, objects, "avail-hpa-pdb")
    assert (
        "spec.minReplicas (2) is not above PodDisruptionBudget api spec.minAvailable (2)" in violation.message
    )


def test_hpa_without_pdb_is_not_this_rules_concern(kit: Kit) -> None:
    objects = [obj for obj in kit.stack() if obj["kind"] != "PodDisruptionBudget"]
    by_kind(objects, "HorizontalPodAutoscaler")["spec"]["minReplicas"] = 1
    assert run(kit, objects, "avail-hpa-pdb") == []


# --- avail-replicas and hpa-target-exists -----------------------------------------------------------------


def test_unset_replicas_defaults_to_one(kit: Kit) -> None:
    dep = kit.deployment()
    del dep["spec"]["replicas"]
    (violation,) = run(kit, [dep], "avail-replicas")
    assert "spec.replicas is 1" in violation.message
    assert run(kit, [dep, kit.hpa()], "avail-replicas") == []


def test_hpa_target_in_other_namespace_or_kind(kit: Kit) -> None:
    objects = kit.stack()
    hpa = by_kind(objects, "HorizontalPodAutoscaler")
    hpa["metadata"]["namespace"] = "team-b"
    assert run(kit, objects, "hpa-target-exists")
    hpa["metadata"]["namespace"] = "team-a"
    hpa["spec"]["scaleTargetRef"]["kind"] = "StatefulSet"
    assert run(kit, objects, "hpa-target-exists")
    del hpa["spec"]["scaleTargetRef"]
    (violation,) = run(kit, objects, "hpa-target-exists")
    assert "scaleTargetRef kind or name is not set" in violation.message


def test_hpa_target_statefulset(kit: Kit) -> None:
    hpa = kit.hpa()
    hpa["spec"]["scaleTargetRef"]["kind"] = "StatefulSet"
    assert run(kit, [kit.workload("StatefulSet"), hpa], "hpa-target-exists") == []


# --- net-workload-policy --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Rollout"]
)
def test_every_pod_kind_needs_a_network_policy(kit: Kit, kind: str) -> None:
    (violation,) = run(kit, [kit.workload(kind)], "net-workload-policy")
    assert violation.resource == f"{kind} team-a/api"
    labels_path = kit.pod_spec_path(kind).removesuffix("spec") + "metadata.labels"
    assert f"spec.podSelector matches {labels_path}," in violation.message
    assert run(kit, [kit.workload(kind), kit.network_policy()], "net-workload-policy") == []


def test_empty_pod_selector_selects_everything(kit: Kit) -> None:
    netpol = kit.network_policy()
    netpol["spec"]["podSelector"] = {}
    assert run(kit, [kit.deployment(), netpol], "net-workload-policy") == []


def test_egress_only_or_foreign_policies_do_not_count(kit: Kit) -> None:
    egress_only = kit.network_policy()
    egress_only["spec"]["policyTypes"] = ["Egress"]
    elsewhere = kit.network_policy()
    elsewhere["metadata"]["namespace"] = "team-b"
    other = kit.network_policy()
    other["spec"]["podSelector"] = {"matchLabels": {"app.kubernetes.io/name": "web"}}
    assert run(kit, [kit.deployment(), egress_only, elsewhere, other], "net-workload-policy")


def test_match_expressions_are_honoured(kit: Kit) -> None:
    netpol = kit.network_policy()
    netpol["spec"]["podSelector"] = {
        "matchExpressions": [{"key": "app.kubernetes.io/part-of", "operator": "In", "values": ["shop"]}]
    }
    assert run(kit, [kit.deployment(), netpol], "net-workload-policy") == []
    netpol["spec"]["podSelector"]["matchExpressions"][0]["operator"] = "NotIn"
    assert run(kit, [kit.deployment(), netpol], "net-workload-policy")


# --- Argo Rollouts and KEDA in the existing rules ---------------------------------------------------------


def rollout_stack(kit: Kit) -> list[dict[str, Any]]:
    """The baseline stack with its Deployment replaced by a Rollout (the HPA scales the Rollout)."""
    objects = [obj for obj in kit.stack() if obj["kind"] != "Deployment"]
    by_kind(objects, "HorizontalPodAutoscaler")["spec"]["scaleTargetRef"] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "name": "api",
    }
    return [kit.rollout(), *objects]


def test_rollout_stack_is_compliant(kit: Kit) -> None:
    evaluation = evaluate(kit.resources(*rollout_stack(kit)), [], STACK_RULES)
    assert [v.message for v in evaluation.violations] == []


def test_hpa_may_target_a_rollout(kit: Kit) -> None:
    assert run(kit, rollout_stack(kit), "hpa-target-exists") == []
    objects = [obj for obj in rollout_stack(kit) if obj["kind"] != "Rollout"]
    (violation,) = run(kit, objects, "hpa-target-exists")
    assert "spec.scaleTargetRef Rollout/api is not a Deployment, StatefulSet or Rollout of this stack" in (
        violation.message
    )


def test_replicated_rollout_needs_a_pdb_and_a_network_policy(kit: Kit) -> None:
    (violation,) = run(kit, [kit.rollout()], "avail-pdb")
    assert violation.resource == "Rollout team-a/api"
    assert "selects this Rollout (spec.replicas 2)" in violation.message
    assert run(kit, [kit.rollout(), kit.pdb()], "avail-pdb") == []
    assert run(kit, [kit.rollout()], "net-workload-policy")


def test_single_replica_rollout(kit: Kit) -> None:
    rollout = kit.rollout()
    rollout["spec"]["replicas"] = 1
    (violation,) = run(kit, [rollout], "avail-replicas")
    assert "no HorizontalPodAutoscaler or ScaledObject targets this Rollout" in violation.message


def test_hpa_pdb_bounds_on_a_rollout(kit: Kit) -> None:
    objects = rollout_stack(kit)
    by_kind(objects, "HorizontalPodAutoscaler")["spec"]["minReplicas"] = 1
    (violation,) = run(kit, objects, "avail-hpa-pdb")
    assert "PodDisruptionBudget api selects Rollout team-a/api" in violation.message


def test_migration_rollout_uses_the_deployment_pod_labels(kit: Kit) -> None:
    """A Rollout with spec.workloadRef has the Deployment's pods: the NetworkPolicy and PDB that select
    them cover it; the Deployment at 0 replicas needs neither an HPA nor more replicas."""
    deployment = kit.deployment()
    deployment["spec"]["replicas"] = 0
    objects = [deployment, kit.migration_rollout(), kit.pdb(), kit.network_policy()]
    assert [v.message for v in evaluate(kit.resources(*objects), [], STACK_RULES).violations] == []
    (violation,) = run(kit, [deployment, kit.migration_rollout()], "avail-pdb")
    assert violation.resource == "Rollout team-a/api-rollout"
    assert "a subset of Deployment api spec.template.metadata.labels" in violation.message


def test_migration_rollout_without_its_deployment_is_not_indexed(kit: Kit) -> None:
    assert run(kit, [kit.migration_rollout("missing")], "net-workload-policy") == []


def test_scaled_object_counts_as_an_autoscaler(kit: Kit) -> None:
    dep = kit.deployment()
    dep["spec"]["replicas"] = 1
    assert run(kit, [dep, kit.scaled_object()], "avail-replicas") == []
    (violation,) = run(kit, [dep, kit.scaled_object()], "avail-pdb")
    assert "(ScaledObject minReplicaCount 2)" in violation.message


@pytest.mark.parametrize("low", [None, 0, 1])
def test_scaled_object_min_replica_count_against_a_pdb(kit: Kit, low: int | None) -> None:
    scaled = kit.scaled_object()
    if low is None:
        del scaled["spec"]["minReplicaCount"]  # KEDA's default is 0
    else:
        scaled["spec"]["minReplicaCount"] = low
    (violation,) = run(kit, [kit.deployment(), kit.pdb(), scaled], "avail-hpa-pdb")
    assert violation.resource == "ScaledObject team-a/api"
    assert f"spec.minReplicaCount is {low or 0} while PodDisruptionBudget api selects" in violation.message
    assert "set minReplicaCount to at least 2" in violation.message


def test_scaled_object_bounds(kit: Kit) -> None:
    scaled = kit.scaled_object()
    scaled["spec"].update({"minReplicaCount": 20})
    del scaled["spec"]["maxReplicaCount"]  # KEDA's default is 100
    assert run(kit, [kit.deployment(), scaled], "avail-hpa-pdb") == []
    scaled["spec"]["maxReplicaCount"] = 10
    (violation,) = run(kit, [kit.deployment(), scaled], "avail-hpa-pdb")
    assert "spec.minReplicaCount (20) is greater than spec.maxReplicaCount (10)" in violation.message


# --- scaling-single-owner -------------------------------------------------------------------------------


def test_hpa_and_scaled_object_on_the_same_deployment(kit: Kit) -> None:
    scaled = kit.scaled_object()  # scaleTargetRef without kind: a Deployment
    scaled["metadata"]["name"] = "api-keda"
    (violation,) = run(kit, [*kit.stack(), scaled], "scaling-single-owner")
    assert violation.resource == "HorizontalPodAutoscaler team-a/api"
    assert violation.message == (
        "HorizontalPodAutoscaler team-a/api: this HorizontalPodAutoscaler and ScaledObject team-a/api-keda "
        "both scale Deployment api in namespace team-a, so they fight over its replica count (KEDA creates "
        "and owns the HPA of a ScaledObject); keep one of them and delete the other"
    )


def test_autoscalers_of_different_workloads_or_namespaces(kit: Kit) -> None:
    other = kit.scaled_object("worker")
    elsewhere = kit.scaled_object()
    elsewhere["metadata"]["namespace"] = "team-b"
    rollout = kit.scaled_object(kind="Rollout")
    assert run(kit, [*kit.stack(), other, elsewhere, rollout], "scaling-single-owner") == []


def test_two_hpas_or_two_scaled_objects_on_one_target(kit: Kit) -> None:
    second = kit.hpa()
    second["metadata"]["name"] = "api-memory"
    (violation,) = run(kit, [kit.hpa(), second], "scaling-single-owner")
    assert violation.resource == "HorizontalPodAutoscaler team-a/api-memory"
    first, again = kit.scaled_object(), kit.scaled_object(kind="Deployment")
    again["metadata"]["name"] = "api-queue"
    (violation,) = run(kit, [first, again], "scaling-single-owner")
    assert violation.resource == "ScaledObject team-a/api-queue"
    assert "KEDA creates" in violation.message


# --- delivery-single-controller -------------------------------------------------------------------------


def test_rollout_and_deployment_with_the_same_name(kit: Kit) -> None:
    (violation,) = run(kit, [kit.deployment(), kit.rollout()], "delivery-single-controller")
    assert violation.resource == "Deployment team-a/api"
    assert violation.message == (
        "Deployment team-a/api: Rollout api in namespace team-a has the same name, so two controllers run "
        "the same workload; remove this Deployment (or, to migrate, reference it from the Rollout's "
        "spec.workloadRef and set its spec.replicas to 0)"
    )


def test_rollout_selecting_the_deployment_pods(kit: Kit) -> None:
    rollout = kit.rollout()
    rollout["metadata"]["name"] = "api-canary"
    (violation,) = run(kit, [kit.deployment(), rollout], "delivery-single-controller")
    assert "Rollout api-canary in namespace team-a selects its pod template labels" in violation.message


def test_unrelated_rollout_and_deployment(kit: Kit) -> None:
    rollout = kit.rollout()
    rollout["metadata"]["name"] = "web"
    rollout["spec"]["selector"] = {"matchLabels": {"app.kubernetes.io/name": "web"}}
    elsewhere = kit.rollout()
    elsewhere["metadata"]["namespace"] = "team-b"
    assert run(kit, [kit.deployment(), rollout, elsewhere], "delivery-single-controller") == []


def test_workload_ref_migration_with_zero_replicas(kit: Kit) -> None:
    deployment = kit.deployment()
    deployment["spec"]["replicas"] = 0
    assert run(kit, [deployment, kit.migration_rollout()], "delivery-single-controller") == []


@pytest.mark.parametrize("replicas", [None, 2])
def test_workload_ref_migration_with_the_deployment_still_running(kit: Kit, replicas: int | None) -> None:
    deployment = kit.deployment()
    if replicas is None:
        del deployment["spec"]["replicas"]
    else:
        deployment["spec"]["replicas"] = replicas
    (violation,) = run(kit, [deployment, kit.migration_rollout()], "delivery-single-controller")
    shown = "not set (1)" if replicas is None else str(replicas)
    assert violation.message == (
        "Deployment team-a/api: Rollout api-rollout takes its pod template from this Deployment "
        f"(spec.workloadRef) but spec.replicas is {shown}, so both run the pods; set spec.replicas to 0 (or "
        "remove the Deployment once the migration is done)"
    )
