"""PlatformEnvironment's pure builders, each on its own: the config in, the arguments of one group of
children (or one of the component's outputs) out."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from platform_components.config import GatewayConfig, PlatformConfig
from platform_components.environment import (
    PRIORITY_CLASSES,
    all_namespaces,
    database_args,
    gateway_network_policy_spec,
    gateway_objects,
    gateway_spec,
    gitops_facts,
    namespace_default_deny,
    namespace_meshes,
    other_namespaces,
    platform_namespace,
    priority_classes,
    team_args,
    workload_args,
)
from platform_components.kube import labels as lbl
from platform_components.kube.netpol import default_deny_spec
from platform_components.namespace import TEAM_LABEL, MeshMode

WORKLOAD: dict[str, Any] = {
    "image": "ghcr.io/acme/api@sha256:" + "a" * 64,
    "ports": [{"name": "http", "port": 8080}],
    "resources": {"cpu": "100m", "memory": "128Mi"},
    "readiness": {"path": "/ready"},
    "liveness": {"path": "/live"},
}
DATABASE: dict[str, Any] = {
    "resources": {"cpu": "100m", "memory": "512Mi"},
    "storage": {"size": "5Gi"},
    "backup": {"enabled": False},
}


def config(**overrides: Any) -> PlatformConfig:
    """A dev environment with two teams, a workload and a database in them (or what ``overrides`` says)."""
    base: dict[str, Any] = {
        "environment": "dev",
        "kubernetes_version": "1.34",
        "mesh_cni": True,
        "teams": [{"name": "shop", "mesh": "istio-ambient"}, {"name": "pay"}],
        "workloads": [{"name": "api", "namespace": "shop", "labels": {"tier": "web"}, **WORKLOAD}],
        "databases": [{"name": "ledger", "namespace": "pay", **DATABASE}],
    }
    return PlatformConfig.model_validate({**base, **overrides})


def without_teams() -> PlatformConfig:
    """A local environment: no teams, so the environment creates the workloads' and databases' namespaces."""
    return config(
        environment="local",
        teams=[],
        workloads=[{"name": "api", "namespace": "shop", **WORKLOAD}],
        databases=[{"name": "orders", "namespace": "data", **DATABASE}],
    )


def test_the_priority_classes_follow_the_table_and_none_is_the_default() -> None:
    classes = priority_classes()
    assert list(classes) == list(PRIORITY_CLASSES)
    for class_name, (value, preemption, description) in PRIORITY_CLASSES.items():
        assert classes[class_name] == {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": class_name, "labels": {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}},
            "value": value,
            "preemptionPolicy": preemption,
            "globalDefault": False,
            "description": description,
        }


def test_a_teams_args_take_the_stacks_mesh_cni_minor_and_environment() -> None:
    cfg = config()
    shop = team_args(cfg, cfg.teams[0])
    assert shop.mesh is MeshMode.ISTIO_AMBIENT
    assert shop.mesh_cni is True
    assert shop.pod_security_version == "v1.34"
    assert shop.labels == {lbl.ENVIRONMENT: "dev"}


def test_the_environment_creates_the_namespaces_that_are_no_teams() -> None:
    assert other_namespaces(config()) == []
    assert other_namespaces(without_teams()) == ["data", "shop"]


def test_a_namespace_that_is_no_teams_denies_everything_but_dns() -> None:
    policy = namespace_default_deny("data", "local")
    assert (policy["apiVersion"], policy["kind"]) == ("networking.k8s.io/v1", "NetworkPolicy")
    assert policy["metadata"] == {
        "name": "default-deny",
        "namespace": "data",
        "labels": {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY, lbl.ENVIRONMENT: "local"},
    }
    assert policy["spec"] == default_deny_spec()


def test_workloads_and_databases_get_the_environment_label_besides_their_own() -> None:
    cfg = config()
    assert workload_args(cfg, cfg.workloads[0]).labels == {"tier": "web", lbl.ENVIRONMENT: "dev"}
    assert database_args(cfg, cfg.databases[0]).labels == {lbl.ENVIRONMENT: "dev"}
    assert workload_args(cfg, cfg.workloads[0]).namespace == "shop"


def test_the_gitops_facts_without_a_cluster_are_the_environments() -> None:
    assert gitops_facts(config(), None) == {
        "environment": "dev",
        "kubernetes_version": "1.34",
        "team_namespaces": "pay,shop",
    }
    assert gitops_facts(without_teams(), None)["team_namespaces"] == ""


def test_the_gitops_facts_with_a_cluster_add_the_clusters_and_karpenters() -> None:
    cfg = config(
        cluster={
            "region": "eu-central-1",
            "availability_zones": ["eu-central-1a", "eu-central-1b"],
            "admin_principals": ["arn:aws:iam::123456789012:role/admins"],
        }
    )
    cluster = SimpleNamespace(
        cluster_name="c", vpc_id="vpc-1", oidc_issuer="https://oidc", node_role_arn="arn:node"
    )
    platform = cast(Any, SimpleNamespace(cluster=cluster, karpenter=SimpleNamespace(queue_name="q")))
    assert gitops_facts(cfg, platform) == {
        "environment": "dev",
        "kubernetes_version": "1.34",
        "team_namespaces": "pay,shop",
        "cluster_name": "c",
        "region": "eu-central-1",
        "vpc_id": "vpc-1",
        "oidc_issuer": "https://oidc",
        "node_role_arn": "arn:node",
        "karpenter_queue": "q",
    }


def test_every_namespace_has_its_teams_mesh_or_none() -> None:
    assert all_namespaces(config()) == ["pay", "shop"]
    assert namespace_meshes(config()) == {"pay": MeshMode.NONE, "shop": MeshMode.ISTIO_AMBIENT}
    assert namespace_meshes(without_teams()) == {"data": MeshMode.NONE, "shop": MeshMode.NONE}


def test_the_gateway_terminates_https_for_team_routes_only() -> None:
    gateway = GatewayConfig(hostname="*.example.com", certificate_secret="wildcard", class_name="cilium")
    spec = gateway_spec(gateway)
    assert spec["gatewayClassName"] == "cilium"
    (listener,) = spec["listeners"]
    assert (listener["port"], listener["protocol"], listener["hostname"]) == (443, "HTTPS", "*.example.com")
    assert listener["tls"]["certificateRefs"] == [{"kind": "Secret", "name": "wildcard"}]
    assert listener["allowedRoutes"]["namespaces"]["selector"] == {
        "matchExpressions": [{"key": TEAM_LABEL, "operator": "Exists"}]
    }


def test_the_gateways_pods_take_https_from_anywhere_and_reach_teams_and_istiod() -> None:
    spec = gateway_network_policy_spec(
        GatewayConfig(name="edge", hostname="a.example.com", certificate_secret="t")
    )
    assert spec["podSelector"] == {"matchLabels": {"gateway.networking.k8s.io/gateway-name": "edge"}}
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    (ingress,) = spec["ingress"]
    assert ingress["ports"] == [{"port": 443, "protocol": "TCP"}]
    assert [peer["ipBlock"]["cidr"] for peer in ingress["from"]] == ["0.0.0.0/0", "::/0"]
    teams, istiod = spec["egress"]
    assert teams == {
        "to": [{"namespaceSelector": {"matchExpressions": [{"key": TEAM_LABEL, "operator": "Exists"}]}}]
    }
    assert istiod["ports"] == [{"port": 15012, "protocol": "TCP"}]


def test_the_gateway_objects_are_whole_manifests_in_the_gateways_namespace() -> None:
    gateway = GatewayConfig(
        name="edge", namespace="ingress", hostname="a.example.com", certificate_secret="t"
    )
    objects = gateway_objects(gateway)
    assert list(objects) == ["gateway", "gateway-netpol"]
    assert [(o["apiVersion"], o["kind"]) for o in objects.values()] == [
        ("gateway.networking.k8s.io/v1", "Gateway"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
    ]
    assert [o["metadata"]["name"] for o in objects.values()] == ["edge", "edge-gateway"]
    assert {o["metadata"]["namespace"] for o in objects.values()} == {"ingress"}
    assert objects["gateway"]["spec"] == gateway_spec(gateway)
    assert objects["gateway-netpol"]["spec"] == gateway_network_policy_spec(gateway)


def test_a_namespace_of_no_team_is_restricted_and_pinned_to_the_minor() -> None:
    manifest = platform_namespace("data", "local", "1.34")
    assert (manifest["apiVersion"], manifest["kind"], manifest["metadata"]["name"]) == (
        "v1",
        "Namespace",
        "data",
    )
    labels = manifest["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/enforce-version"] == "v1.34"
