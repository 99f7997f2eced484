"""Workload, network and RBAC rules: edge cases beyond the bad/good registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from platform_components.policies import RULES, Resource, Violation, evaluate
from platform_components.policies.workload import NAMESPACED_TYPES, image_problem, is_sensitive_name

if TYPE_CHECKING:
    from conftest import Kit

RULES_BY_ID = {rule.id: rule for rule in RULES}


def run(kit: Kit, obj: dict[str, Any], rule_id: str) -> list[Violation]:
    return evaluate([kit.resource(obj)], [RULES_BY_ID[rule_id]]).violations


# --- images -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("nginx", False),
        ("nginx:latest", False),
        ("nginx:", False),
        ("", False),
        ("registry.local:5000/app", False),
        ("registry.local:5000/team/app:latest", False),
        ("registry.local:5000/app:1.2.3", True),
        ("nginx:1.27-alpine", True),
        ("ghcr.io/org/app@sha256:" + "a" * 64, True),
        ("ghcr.io/org/app:latest@sha256:" + "b" * 64, True),
        ("ghcr.io/org/app@sha256:short", False),
        ("localhost:5000/app@sha256:" + "c" * 64, True),
    ],
)
def test_image_pinning(image: str, pinned: bool) -> None:
    assert (image_problem(image) is None) is pinned


@pytest.mark.parametrize("image", [None, 42, {"repo": "x"}, "[secret]"])
def test_odd_images_are_not_pinned(image: object) -> None:
    assert image_problem(image) is not None


# --- secrets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sensitive"),
    [
        ("DB_PASSWORD", True),
        ("POSTGRES_PASSWD", True),
        ("api_token", True),
        ("CLIENT_SECRET", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("AZURE_STORAGE_KEY", True),
        ("STRIPE_API_KEY", True),
        ("AUTH_BEARER", True),
        ("POSTGRES_PASSWORD", True),
        ("PGPASSWORD", True),
        ("password", True),
        ("pgpass", True),
        (".pgpass", True),
        ("POSTGRES_PASSWORD_FILE", False),
        ("PGPASSWORD_FILE", False),
        ("PGPASSFILE", False),
        ("TOKEN_PATH", False),
        ("LOG_LEVEL", False),
        ("KEYCLOAK_URL", False),
    ],
)
def test_sensitive_names(name: str, sensitive: bool) -> None:
    assert is_sensitive_name(name) is sensitive


def test_plaintext_secret_never_echoes_the_value(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["env"] = [{"name": "DB_PASSWORD", "value": "correct-horse-battery"}]
    (violation,) = run(kit, dep, "wl-no-plaintext-secret")
    assert "correct-horse-battery" not in violation.message
    assert "env[0] (DB_PASSWORD)" in violation.message


def test_plaintext_secret_in_configmap(kit: Kit) -> None:
    bad = kit.config_map({"LOG_LEVEL": "info", "db_password": "correct-horse-battery"})
    (violation,) = run(kit, bad, "wl-no-plaintext-secret")
    assert violation.message.startswith(
        'ConfigMap team-a/api-config: data["db_password"] looks like a credential'
    )
    assert "correct-horse-battery" not in violation.message
    assert run(kit, kit.config_map(), "wl-no-plaintext-secret") == []


def test_plaintext_secret_in_cronjob_env(kit: Kit) -> None:
    """A backup CronJob's pod template is judged like any other; file and secretKeyRef forms stay clean."""
    job = kit.workload("CronJob")
    container = kit.pod_spec_of(job)["containers"][0]
    container["env"] = [
        {"name": "PGHOST", "value": "db.team-a.svc"},
        {"name": "PGPASSWORD", "value": "correct-horse-battery"},
    ]
    (violation,) = run(kit, job, "wl-no-plaintext-secret")
    assert violation.message.startswith(
        "CronJob team-a/api: spec.jobTemplate.spec.template.spec.containers[0] (api).env[1] (PGPASSWORD) "
        "has a literal value"
    )
    assert "correct-horse-battery" not in violation.message
    container["env"] = [
        {"name": "POSTGRES_PASSWORD_FILE", "value": "/etc/secrets/password"},
        {"name": "PGPASSFILE", "value": "/etc/secrets/.pgpass"},
        {"name": "PGPASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
    ]
    assert run(kit, job, "wl-no-plaintext-secret") == []


def test_database_credentials_in_a_configmap(kit: Kit) -> None:
    bad = kit.config_map(
        {"password": "x", "POSTGRES_PASSWORD": "x", ".pgpass": "db:5432:*:app:x", "PGHOST": "db"}
    )
    keys = [v.message.split('data["', 1)[1].split('"', 1)[0] for v in run(kit, bad, "wl-no-plaintext-secret")]
    assert keys == ["password", "POSTGRES_PASSWORD", ".pgpass"]
    fine = kit.config_map({"POSTGRES_PASSWORD_FILE": "/etc/secrets/password", "PGPASSFILE": "/etc/pgpass"})
    assert run(kit, fine, "wl-no-plaintext-secret") == []


def test_secret_env_from_is_flagged(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["envFrom"] = [{"secretRef": {"name": "db"}}]
    (violation,) = run(kit, dep, "wl-no-secret-env")
    assert "envFrom[0].secretRef" in violation.message


# --- service accounts ----------------------------------------------------------------------------------


def test_dedicated_sa_missing_and_deprecated_field(kit: Kit) -> None:
    dep = kit.deployment()
    spec = kit.pod_spec_of(dep)
    del spec["serviceAccountName"]
    spec["serviceAccount"] = "api"
    found = [v.message for v in run(kit, dep, "wl-dedicated-sa")]
    assert len(found) == 2
    assert "serviceAccountName is not set" in found[0]
    assert "serviceAccount is deprecated" in found[1]


def test_default_sa_in_bindings(kit: Kit) -> None:
    binding = kit.binding(subjects=[{"kind": "ServiceAccount", "name": "default", "namespace": "team-a"}])
    (violation,) = run(kit, binding, "ns-default-sa-locked")
    assert "subjects[0] binds the default ServiceAccount" in violation.message


# --- probes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Job", "CronJob"])
def test_probes_not_required_for_batch(kit: Kit, kind: str) -> None:
    obj = kit.workload(kind)
    container = kit.pod_spec_of(obj)["containers"][0]
    del container["livenessProbe"], container["readinessProbe"]
    assert run(kit, obj, "avail-liveness-probe") == []
    assert run(kit, obj, "avail-readiness-probe") == []


def test_probes_not_required_on_init_containers(kit: Kit) -> None:
    dep = kit.deployment()
    init = kit.container()
    init["name"] = "migrate"
    del init["livenessProbe"], init["readinessProbe"]
    kit.pod_spec_of(dep)["initContainers"] = [init]
    assert run(kit, dep, "avail-liveness-probe") == []
    assert run(kit, dep, "avail-readiness-probe") == []


def test_named_probe_port_must_exist(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/", "port": "metrics"}}
    (violation,) = run(kit, dep, "avail-probe-port-exposed")
    assert 'readinessProbe.httpGet.port "metrics" is not one of the container\'s ports' in violation.message


def test_exec_probes_have_no_port(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["livenessProbe"] = {"exec": {"command": ["true"]}}
    assert run(kit, dep, "avail-probe-port-exposed") == []


# --- controllers and metadata ---------------------------------------------------------------------------


def test_selector_missing(kit: Kit) -> None:
    dep = kit.deployment()
    del dep["spec"]["selector"]
    (violation,) = run(kit, dep, "wl-selector-matches")
    assert "spec.selector is not set" in violation.message


def test_cronjob_restart_policy(kit: Kit) -> None:
    cron = kit.workload("CronJob")
    kit.pod_spec_of(cron)["restartPolicy"] = "Always"
    (violation,) = run(kit, cron, "cronjob-deadline")
    assert 'spec.jobTemplate.spec.template.spec.restartPolicy is "Always"' in violation.message


def test_recommended_labels_do_not_require_version_or_component(kit: Kit) -> None:
    dep = kit.deployment()
    assert "app.kubernetes.io/version" not in dep["metadata"]["labels"]
    assert run(kit, dep, "meta-recommended-labels") == []
    dep["metadata"]["labels"] = {}
    (violation,) = run(kit, dep, "meta-recommended-labels")
    for label in ("name", "instance", "managed-by", "part-of"):
        assert f"app.kubernetes.io/{label}" in violation.message


def test_ns_not_default_covers_every_namespaced_kind() -> None:
    kinds = {token.rsplit(":", 1)[1] for token in NAMESPACED_TYPES}
    assert {
        "Deployment",
        "Service",
        "ServiceAccount",
        "ConfigMap",
        "Secret",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "Role",
        "RoleBinding",
    } <= kinds
    assert "kubernetes:autoscaling/v2:HorizontalPodAutoscaler" in NAMESPACED_TYPES
    assert "ClusterRole" not in kinds


@pytest.mark.parametrize(
    "factory", ["service", "service_account", "pdb", "hpa", "network_policy", "config_map"]
)
@pytest.mark.parametrize("namespace", [None, "default"])
def test_ns_not_default_on_other_kinds(kit: Kit, factory: str, namespace: str | None) -> None:
    obj = getattr(kit, factory)()
    if namespace is None:
        del obj["metadata"]["namespace"]
    else:
        obj["metadata"]["namespace"] = namespace
    assert run(kit, obj, "ns-not-default")


def test_ns_not_default_on_secret_and_rbac(kit: Kit) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "stringData": "[secret]"}
    assert run(kit, secret, "ns-not-default")
    role = kit.role()
    del role["metadata"]["namespace"]
    assert run(kit, role, "ns-not-default")
    assert run(kit, kit.role(kind="ClusterRole"), "ns-not-default") == []


# --- network and RBAC -----------------------------------------------------------------------------------


def test_legacy_internal_lb_annotation(kit: Kit) -> None:
    svc = kit.service()
    svc["spec"]["type"] = "LoadBalancer"
    svc["metadata"]["annotations"] = {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}
    assert run(kit, svc, "svc-no-public-lb") == []


def test_net_policy_types_rejects_unknown_type(kit: Kit) -> None:
    netpol = kit.network_policy()
    netpol["spec"]["policyTypes"] = ["Ingress", "ingress"]
    (violation,) = run(kit, netpol, "net-policy-types")
    assert "contains ingress" in violation.message


def test_rbac_wildcards_scan_every_rule_and_field(kit: Kit) -> None:
    role = kit.role(
        rules=[
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]},
            {"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]},
        ]
    )
    found = [v.message for v in run(kit, role, "rbac-no-wildcards")]
    assert len(found) == 2
    assert "rules[1].apiGroups" in found[0]
    assert "rules[2].verbs" in found[1]


def test_all_wildcard_role_is_cluster_admin_equivalent(kit: Kit) -> None:
    role = kit.role(kind="ClusterRole", rules=[{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
    (violation,) = run(kit, role, "rbac-no-cluster-admin")
    assert "cluster-admin equivalent" in violation.message


def test_token_creation_is_an_escalation(kit: Kit) -> None:
    role = kit.role(rules=[{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}])
    (violation,) = run(kit, role, "rbac-no-escalation-verbs")
    assert "serviceaccounts/token" in violation.message


def test_create_on_workloads_is_flagged(kit: Kit) -> None:
    role = kit.role(
        rules=[{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create", "patch"]}]
    )
    (violation,) = run(kit, role, "rbac-no-exec-create-pods")
    assert "allows create on deployments" in violation.message


# --- StatefulSets that keep data ------------------------------------------------------------------------

RETENTION = "persistentVolumeClaimRetentionPolicy"
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"


@pytest.mark.parametrize(
    "policy",
    [
        None,
        {},
        {"whenDeleted": "Retain"},
        {"whenScaled": "Retain"},
        {"whenDeleted": "Retain", "whenScaled": None},
    ],
)
def test_retained_or_default_claims_are_compliant(kit: Kit, policy: dict[str, Any] | None) -> None:
    sts = kit.database()
    if policy is not None:
        sts["spec"][RETENTION] = policy
    assert run(kit, sts, "sts-pvc-retention") == []


def test_claims_deleted_with_the_statefulset(kit: Kit) -> None:
    sts = kit.database()
    sts["spec"][RETENTION] = {"whenDeleted": "Delete", "whenScaled": "Retain"}
    (violation,) = run(kit, sts, "sts-pvc-retention")
    assert violation.message == (
        f'StatefulSet team-a/api: spec.{RETENTION}.whenDeleted is "Delete"; set it to Retain (or leave it '
        "unset) so deleting the StatefulSet never deletes the PersistentVolumeClaims of "
        "spec.volumeClaimTemplates"
    )


def test_claims_deleted_on_scale_down(kit: Kit) -> None:
    sts = kit.database()
    sts["spec"][RETENTION] = {"whenScaled": "Delete"}
    (violation,) = run(kit, sts, "sts-pvc-retention")
    assert f"spec.{RETENTION}.whenScaled is " in violation.message
    assert "so scaling it down never deletes" in violation.message
    sts["spec"][RETENTION]["whenDeleted"] = "Delete"
    assert len(run(kit, sts, "sts-pvc-retention")) == 2


@pytest.mark.parametrize("claims", [None, []])
def test_statefulset_without_claims_is_not_judged(kit: Kit, claims: list[Any] | None) -> None:
    sts = kit.workload("StatefulSet")
    sts["spec"][RETENTION] = {"whenDeleted": "Delete", "whenScaled": "Delete"}
    if claims is not None:
        sts["spec"]["volumeClaimTemplates"] = claims
    assert run(kit, sts, "sts-pvc-retention") == []
    assert run(kit, sts, "db-do-not-disrupt") == []


@pytest.mark.parametrize(
    ("annotations", "shown"),
    [({}, "not set"), ({DO_NOT_DISRUPT: "false"}, '"false"'), ({DO_NOT_DISRUPT: True}, "true")],
)
def test_database_pods_must_not_be_disrupted(kit: Kit, annotations: dict[str, Any], shown: str) -> None:
    sts = kit.database()
    sts["spec"]["template"]["metadata"]["annotations"] = annotations
    (violation,) = run(kit, sts, "db-do-not-disrupt")
    assert violation.message == (
        f'StatefulSet team-a/api: spec.template.metadata.annotations["{DO_NOT_DISRUPT}"] is {shown}; set it '
        'to "true" so Karpenter never consolidates or drifts the node under a database pod'
    )


def test_do_not_disrupt_on_the_statefulset_itself_does_not_count(kit: Kit) -> None:
    sts = kit.database()
    sts["spec"]["template"]["metadata"].pop("annotations")
    sts["metadata"]["annotations"] = {DO_NOT_DISRUPT: "true"}
    assert run(kit, sts, "db-do-not-disrupt")


def test_database_statefulset_passes_every_resource_rule(kit: Kit) -> None:
    assert [v.message for v in evaluate([kit.resource(kit.database())], RULES).violations] == []


def test_resource_rules_ignore_other_types() -> None:
    bogus = Resource("aws:ec2/vpc:Vpc", "core", {"kind": "Deployment", "spec": {"hostNetwork": True}})
    assert evaluate([bogus], RULES).violations == []
