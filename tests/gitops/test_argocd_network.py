"""Argo CD under default-deny: every connection its components make is allowed, per stack.

The argo-cd chart's own NetworkPolicies are rendered by Helm in the cluster, not by this library, so
they are modelled here as data, each from the chart template it is read from, under the conditions
that template checks, evaluated against the Helm values the component renders. The policies the
library renders come from the stack's preview. :mod:`platform_components.policies.reachability`
decides each connection.

Chart sources: the pinned argo-cd chart (``ARGOCD_CHART_VERSION``, 10.3.3) is not readable in the
reference index; the templates below are read from the nearest readable version, argo-cd 10.1.1
(argoproj/argo-helm, tag ``argo-cd-10.1.1``), and its redis-ha dependency 4.38.0
(DandyDeveloper/charts, tag ``redis-ha-4.38.0``). Paths are relative to the chart directories.
Release name ``argo-cd`` (the component's), the chart's ``nameOverride: argocd``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from platform_components.gitops import (
    ARGOCD_RELEASE,
    GitOpsBootstrapArgs,
    GitOpsEngine,
    argocd_network_policies,
    namespace_network_policies,
)
from platform_components.policies.reachability import Connection, ContainerPort, Pod, evaluate
from platform_components.testing import Preview, preview_project

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "argocd"
ARGOCD_STACKS = ("staging", "prod")


def _argocd_pod(name: str, ports: dict[str, int]) -> Pod:
    """A pod of the argo-cd chart: labels from ``argo-cd.labels`` (templates/_common.tpl)."""
    return Pod(
        name,
        NAMESPACE,
        {
            "app.kubernetes.io/name": f"argocd-{name}",
            "app.kubernetes.io/instance": ARGOCD_RELEASE,
            "app.kubernetes.io/component": name,
            "app.kubernetes.io/part-of": "argocd",
        },
        tuple(ContainerPort(port, port_name) for port_name, port in ports.items()),
    )


# Pods and their declared container ports, each from its template
SERVER = _argocd_pod("server", {"server": 8080, "metrics": 8083})  # argocd-server/deployment.yaml
REPO_SERVER = _argocd_pod(
    "repo-server", {"repo-server": 8081, "metrics": 8084}
)  # argocd-repo-server/deployment.yaml
CONTROLLER = _argocd_pod(
    "application-controller", {"metrics": 8082}
)  # argocd-application-controller/statefulset.yaml
APPSET = _argocd_pod(
    "applicationset-controller", {"metrics": 8080, "probe": 8081, "webhook": 7000}
)  # argocd-applicationset/deployment.yaml
NOTIFICATIONS = _argocd_pod(
    "notifications-controller", {"metrics": 9001}
)  # argocd-notifications/deployment.yaml
REDIS = _argocd_pod("redis", {"redis": 6379})  # redis/deployment.yaml (exporter off)
# redis-ha: redis-haproxy-deployment.yaml (labels app/release/component plus the argo-cd chart's
# redis-ha.haproxy.labels; ports probe, redis, metrics-port) and redis-ha-statefulset.yaml (labels
# app/release/<fullname>: replica; ports redis and sentinel)
HAPROXY = Pod(
    "redis-ha-haproxy",
    NAMESPACE,
    {
        "app": "redis-ha-haproxy",
        "release": ARGOCD_RELEASE,
        "component": "haproxy",
        "app.kubernetes.io/name": "argocd-redis-ha-haproxy",
    },
    (ContainerPort(8888, "probe"), ContainerPort(6379, "redis"), ContainerPort(9101, "metrics-port")),
)
REDIS_HA = Pod(
    "redis-ha-server",
    NAMESPACE,
    {"app": "redis-ha", "release": ARGOCD_RELEASE, f"{ARGOCD_RELEASE}-redis-ha": "replica"},
    (ContainerPort(6379, "redis"), ContainerPort(26379, "sentinel")),
)
GATEWAY = Pod("gateway", "gateway", {"app": "istio-gateway"})  # any caller from another namespace


@dataclass(frozen=True)
class Needed:
    src: Pod
    dst: Pod
    port: int
    source: str
    """The chart template the connection is read from."""

    def __str__(self) -> str:
        return f"{self.src.name} -> {self.dst.name}:{self.port} ({self.source})"


def needed_connections(values: dict[str, Any]) -> list[Needed]:
    """Every in-cluster connection between the chart's pods, for these Helm values."""
    ha = values["redis-ha"]["enabled"]
    redis = HAPROXY if ha else REDIS
    # argo-cd.redis.server (templates/_helpers.tpl): the HAProxy Service with redis-ha, else argocd-redis
    redis_source = (
        "argo-cd/templates/_helpers.tpl (argo-cd.redis.server) via argocd-cmd-params-cm redis.server"
    )
    out = [
        # repo.server preset (templates/_helpers.tpl), read through argocd-cmd-params-cm
        Needed(
            SERVER,
            REPO_SERVER,
            8081,
            "argo-cd/templates/argocd-server/deployment.yaml (ARGOCD_SERVER_REPO_SERVER)",
        ),
        Needed(
            CONTROLLER,
            REPO_SERVER,
            8081,
            "argo-cd/templates/argocd-application-controller/statefulset.yaml (ARGOCD_APPLICATION_CONTROLLER_REPO_SERVER)",
        ),
        Needed(
            APPSET,
            REPO_SERVER,
            8081,
            "argo-cd/templates/argocd-applicationset/deployment.yaml (ARGOCD_APPLICATIONSET_CONTROLLER_REPO_SERVER)",
        ),
        Needed(
            SERVER,
            redis,
            6379,
            f"argo-cd/templates/argocd-server/deployment.yaml (REDIS_SERVER); {redis_source}",
        ),
        Needed(
            REPO_SERVER,
            redis,
            6379,
            f"argo-cd/templates/argocd-repo-server/deployment.yaml (REDIS_SERVER); {redis_source}",
        ),
        Needed(
            CONTROLLER,
            redis,
            6379,
            f"argo-cd/templates/argocd-application-controller/statefulset.yaml (REDIS_SERVER); {redis_source}",
        ),
        # the UI and API: through an HTTPRoute or a port-forward, from outside the namespace
        Needed(
            GATEWAY,
            SERVER,
            8080,
            "argo-cd/templates/argocd-server/deployment.yaml (--port, containerPort server)",
        ),
    ]
    if values["notifications"]["enabled"]:
        out.append(
            Needed(
                NOTIFICATIONS,
                REPO_SERVER,
                8081,
                "argo-cd/templates/argocd-notifications/deployment.yaml (--argocd-repo-server)",
            )
        )
    if ha:
        out += [
            # HAProxy's Sentinel health checks and Redis backend (haproxy.cfg)
            Needed(
                HAPROXY,
                REDIS_HA,
                26379,
                "redis-ha/templates/_configs.tpl (backend check_if_redis_is_master, :26379)",
            ),
            Needed(HAPROXY, REDIS_HA, 6379, "redis-ha/templates/_configs.tpl (backend bk_redis_master)"),
            # replication and Sentinel between the replicas
            Needed(
                REDIS_HA, REDIS_HA, 6379, "redis-ha/templates/_configs.tpl (redis.conf replicaof, init.sh)"
            ),
            Needed(REDIS_HA, REDIS_HA, 26379, "redis-ha/templates/_configs.tpl (sentinel.conf, init.sh)"),
        ]
    return out


def _policy(name: str, source: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": NAMESPACE, "annotations": {"source": source}},
        "spec": spec,
    }


def _select(pod: Pod) -> dict[str, Any]:
    """``argo-cd.selectorLabels`` (templates/_common.tpl): name and instance."""
    return {
        "matchLabels": {k: pod.labels[k] for k in ("app.kubernetes.io/name", "app.kubernetes.io/instance")}
    }


def chart_network_policies(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The argo-cd chart's NetworkPolicies for these values, each under its template's condition."""
    create = values["global"]["networkPolicy"]["create"]
    if not create:
        return []
    ingress_only = ["Ingress"]
    metrics_from_anywhere = {"from": [{"namespaceSelector": {}}], "ports": [{"port": "metrics"}]}
    out = []
    if values["global"]["networkPolicy"].get("defaultDenyIngress"):
        out.append(
            _policy(
                "argo-cd-default-deny",
                "argo-cd/templates/networkpolicy-default-deny.yaml",
                {"podSelector": {}, "policyTypes": ingress_only},
            )
        )
    out.append(
        _policy(
            "argo-cd-server",
            "argo-cd/templates/argocd-server/networkpolicy.yaml",
            {"podSelector": _select(SERVER), "policyTypes": ingress_only, "ingress": [{}]},
        )
    )
    repo_clients = (
        [SERVER, CONTROLLER] + ([NOTIFICATIONS] if values["notifications"]["enabled"] else []) + [APPSET]
    )
    out.append(
        _policy(
            "argo-cd-repo-server",
            "argo-cd/templates/argocd-repo-server/networkpolicy.yaml",
            {
                "podSelector": _select(REPO_SERVER),
                "policyTypes": ingress_only,
                "ingress": [
                    {
                        "from": [{"podSelector": _select(p)} for p in repo_clients],
                        "ports": [{"port": "repo-server", "protocol": "TCP"}],
                    },
                    metrics_from_anywhere,
                ],
            },
        )
    )
    out.append(
        _policy(
            "argo-cd-application-controller",
            "argo-cd/templates/argocd-application-controller/networkpolicy.yaml",
            {
                "podSelector": _select(CONTROLLER),
                "policyTypes": ingress_only,
                "ingress": [metrics_from_anywhere],
            },
        )
    )
    # argocd-applicationset/networkpolicy.yaml renders only with metrics, ingress or httproute enabled
    # (none is): the default-deny alone selects the ApplicationSet controller
    if values["notifications"]["enabled"]:
        out.append(
            _policy(
                "argo-cd-notifications-controller",
                "argo-cd/templates/argocd-notifications/networkpolicy.yaml",
                {
                    "podSelector": _select(NOTIFICATIONS),
                    "policyTypes": ingress_only,
                    "ingress": [metrics_from_anywhere],
                },
            )
        )
    if not values["redis-ha"]["enabled"]:  # redis/networkpolicy.yaml: skipped when redis-ha is on
        out.append(
            _policy(
                "argo-cd-redis",
                "argo-cd/templates/redis/networkpolicy.yaml",
                {
                    "podSelector": _select(REDIS),
                    "policyTypes": ingress_only,
                    "ingress": [
                        {
                            "from": [{"podSelector": _select(p)} for p in (SERVER, REPO_SERVER, CONTROLLER)],
                            "ports": [{"port": "redis", "protocol": "TCP"}],
                        }
                    ],
                },
            )
        )
    # redis-ha's own policies (redis-ha-network-policy.yaml, redis-haproxy-network-policy.yaml) render
    # only with redis-ha.networkPolicy.enabled / redis-ha.haproxy.networkPolicy.enabled (both false)
    assert not values["redis-ha"].get("networkPolicy", {}).get("enabled"), "model the sub-chart's policies"
    # dex (disabled) and the commit server (disabled) render no pods
    assert values["dex"]["enabled"] is False and not values.get("commitServer", {}).get("enabled")
    return out


@pytest.fixture(scope="module")
def previews() -> dict[str, Preview]:
    return {stack: preview_project(ROOT, stack=stack) for stack in ARGOCD_STACKS}


def _values(preview: Preview) -> dict[str, Any]:
    (release,) = [
        r for r in preview.resources if r.type == "kubernetes:helm.sh/v3:Release" and "GitOps" in r.urn
    ]
    values: dict[str, Any] = release.inputs["values"]
    return values


def _library_policies(preview: Preview) -> list[dict[str, Any]]:
    return [
        m
        for m in preview.manifests
        if m["kind"] == "NetworkPolicy" and m["metadata"]["namespace"] == NAMESPACE
    ]


@pytest.mark.parametrize("stack", ARGOCD_STACKS)
def test_every_argocd_connection_is_allowed_under_default_deny(
    previews: dict[str, Preview], stack: str
) -> None:
    preview = previews[stack]
    values = _values(preview)
    assert values["global"]["networkPolicy"]["defaultDenyIngress"] is True
    policies = chart_network_policies(values) + _library_policies(preview)
    denied = [
        f"{need}: {verdict.reason}"
        for need in needed_connections(values)
        if not (verdict := evaluate(policies, Connection(need.src, need.dst, need.port)))
    ]
    assert denied == []


def test_prod_runs_redis_ha_and_the_library_renders_its_policies(previews: dict[str, Preview]) -> None:
    """The case the chart leaves open: redis-ha under default-deny, closed by the library's policies."""
    preview = previews["prod"]
    values = _values(preview)
    assert values["redis-ha"]["enabled"] is True
    library = _library_policies(preview)
    assert {m["metadata"]["name"] for m in library} == {
        "argo-cd-redis-ha-haproxy",
        "argo-cd-redis-ha",
        "default-deny",
        "repository-egress",
    }
    chart_only = chart_network_policies(values)
    blocked = [
        str(need)
        for need in needed_connections(values)
        if not evaluate(chart_only, Connection(need.src, need.dst, need.port))
    ]
    # without them: every Redis connection is refused (this is what the evaluator caught)
    assert len(blocked) == 7, blocked
    assert all(need.dst in (HAPROXY, REDIS_HA) for need in needed_connections(values) if str(need) in blocked)


def test_the_library_policies_only_open_redis_ports_to_argocd_and_redis_ha() -> None:
    """Nothing else gets in: another pod of the namespace, a pod elsewhere, another port."""
    from platform_components.gitops import GitOpsBootstrapArgs

    args = GitOpsBootstrapArgs.model_validate(
        {
            "engine": "argocd",
            "repository": {"url": "https://github.com/a/b.git"},
            "environment": "prod",
            "argocd": {"ha": True},
        }
    )
    policies = list(argocd_network_policies(args).values())
    stranger = Pod("other", NAMESPACE, {"app": "other"})
    outsider = Pod(
        "api",
        "shop",
        {"app.kubernetes.io/name": "argocd-server", "app.kubernetes.io/instance": ARGOCD_RELEASE},
    )
    for src, dst, port in [
        (stranger, HAPROXY, 6379),
        (outsider, HAPROXY, 6379),
        (SERVER, HAPROXY, 9101),
        (SERVER, REDIS_HA, 6379),  # clients go through HAProxy
        (APPSET, HAPROXY, 6379),
        (NOTIFICATIONS, HAPROXY, 6379),
    ]:
        assert not evaluate(policies, Connection(src, dst, port)), (src, dst, port)
    assert evaluate(policies, Connection(SERVER, HAPROXY, 6379))
    no_ha = args.model_copy(update={"argocd": args.argocd.model_copy(update={"ha": False})})
    assert argocd_network_policies(no_ha) == {}


# --- the namespace's default-deny (egress too) and what the controllers need outside the namespace ---

# Outside the namespace: CoreDNS (kube-dns Service endpoints), the API server's endpoints (EKS: ENIs in
# the VPC; kind: the control-plane node), a Git host on the internet. None is selected by a policy
# here, so only the argocd pods' egress side decides.
COREDNS = Pod(
    "coredns",
    "kube-system",
    {"k8s-app": "kube-dns"},
    (ContainerPort(53, "dns", "UDP"), ContainerPort(53, "dns-tcp", "TCP")),
)
API_SERVER_EKS = Pod("kube-apiserver", "", ip="10.0.12.34")
API_SERVER_KIND = Pod("kube-apiserver-kind", "", ip="172.18.0.2")
GIT_HOST = Pod("github.com", "", ip="140.82.121.3")
SHOP_API = Pod("api", "shop", {"app.kubernetes.io/name": "api"}, (ContainerPort(8080, "http"),))

# argocd-application-controller, -server, -applicationset-controller and -notifications-controller
# watch or update Applications and cluster state; the repo server generates manifests only
API_CLIENTS = (SERVER, CONTROLLER, APPSET, NOTIFICATIONS)
# argocd-repo-server clones the repositories; the ApplicationSet controller's Git generators read them
REPO_CLIENTS = (REPO_SERVER, APPSET)


def external_connections(values: dict[str, Any]) -> list[Connection]:
    """What the controllers need beyond their own pods: DNS, the API server, the repositories."""
    pods = [SERVER, REPO_SERVER, CONTROLLER, APPSET] + (
        [NOTIFICATIONS] if values["notifications"]["enabled"] else []
    )
    pods += [HAPROXY, REDIS_HA] if values["redis-ha"]["enabled"] else [REDIS]
    out = [Connection(pod, COREDNS, 53, protocol) for pod in pods for protocol in ("UDP", "TCP")]
    for pod in API_CLIENTS:
        if pod in pods:
            out += [Connection(pod, API_SERVER_EKS, 443), Connection(pod, API_SERVER_KIND, 6443)]
    out += [Connection(pod, GIT_HOST, port) for pod in REPO_CLIENTS for port in (443, 22)]
    return out


@pytest.mark.parametrize("stack", ARGOCD_STACKS)
def test_the_namespace_is_default_deny_both_ways(previews: dict[str, Preview], stack: str) -> None:
    (deny,) = [m for m in _library_policies(previews[stack]) if m["metadata"]["name"] == "default-deny"]
    assert deny["spec"]["podSelector"] == {}
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert deny["spec"]["ingress"] == []


@pytest.mark.parametrize("stack", ARGOCD_STACKS)
def test_controllers_reach_dns_the_api_server_and_the_repositories(
    previews: dict[str, Preview], stack: str
) -> None:
    preview = previews[stack]
    values = _values(preview)
    policies = chart_network_policies(values) + _library_policies(preview)
    denied = [
        verdict.reason
        for connection in external_connections(values)
        if not (verdict := evaluate(policies, connection))
    ]
    assert denied == []


@pytest.mark.parametrize("stack", ARGOCD_STACKS)
def test_the_default_deny_closes_what_nobody_needs(previews: dict[str, Preview], stack: str) -> None:
    """Egress is really isolated: no database or other namespace, no SSH from non-repository pods,
    no arbitrary port outside; ingress from another namespace only where the chart allows it."""
    preview = previews[stack]
    values = _values(preview)
    policies = chart_network_policies(values) + _library_policies(preview)
    redis = HAPROXY if values["redis-ha"]["enabled"] else REDIS
    for connection in [
        Connection(SERVER, SHOP_API, 8080),  # another namespace's workload
        Connection(CONTROLLER, GIT_HOST, 22),  # SSH only for the repository clients
        Connection(SERVER, GIT_HOST, 22),
        Connection(redis, GIT_HOST, 22),
        Connection(REPO_SERVER, Pod("db", "", ip="10.0.40.5"), 5432),  # any other port outside
        Connection(redis, API_SERVER_EKS, 80),
        Connection(GATEWAY, REPO_SERVER, 8081),  # ingress: the chart admits only argocd's own callers
    ]:
        assert not evaluate(policies, connection), connection
    # without the library's namespace policies, egress would not be isolated at all
    chart_only = chart_network_policies(values)
    assert evaluate(chart_only, Connection(SERVER, SHOP_API, 8080)).egress_allowed


def flux_install_policies() -> list[dict[str, Any]]:
    """The NetworkPolicies of Flux's install manifest (fluxcd/flux2 ``manifests/policies/``:
    allow-egress.yaml, allow-scraping.yaml, allow-webhooks.yaml), in flux-system."""

    def policy(name: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": spec,
        }

    return [
        policy(
            "allow-egress",
            {
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [{"podSelector": {}}]}],
                "egress": [{}],
                "podSelector": {},
            },
        ),
        policy(
            "allow-scraping",
            {
                "policyTypes": ["Ingress"],
                "ingress": [
                    {"from": [{"namespaceSelector": {}}], "ports": [{"protocol": "TCP", "port": 8080}]}
                ],
                "podSelector": {},
            },
        ),
        policy(
            "allow-webhooks",
            {
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"namespaceSelector": {}}]}],
                "podSelector": {"matchLabels": {"app": "notification-controller"}},
            },
        ),
    ]


SOURCE_CONTROLLER = Pod(
    "source-controller",
    "flux-system",
    {"app": "source-controller"},
    (ContainerPort(9090, "http"), ContainerPort(8080, "http-prom")),
)
KUSTOMIZE_CONTROLLER = Pod(
    "kustomize-controller",
    "flux-system",
    {"app": "kustomize-controller"},
    (ContainerPort(8080, "http-prom"),),
)
NOTIFICATION_CONTROLLER = Pod(
    "notification-controller",
    "flux-system",
    {"app": "notification-controller"},
    (ContainerPort(9292, "http-webhook"), ContainerPort(9090, "http")),
)
FLUX_ARGS = GitOpsBootstrapArgs.model_validate(
    {"repository": {"url": "https://github.com/a/b.git"}, "environment": "dev", "engine": "flux"}
)


def test_flux_namespace_policies_alone_allow_what_the_controllers_need() -> None:
    """The library's flux-system policies on their own (as if Flux's were absent): DNS, API server,
    repositories for the source controller, in-namespace egress; nothing else out."""
    policies = list(namespace_network_policies(FLUX_ARGS).values())
    assert policies[0]["metadata"] == {
        "name": "default-deny",
        "namespace": "flux-system",
        "labels": policies[0]["metadata"]["labels"],
    }
    for connection in [
        Connection(SOURCE_CONTROLLER, GIT_HOST, 22),
        Connection(SOURCE_CONTROLLER, GIT_HOST, 443),
        Connection(KUSTOMIZE_CONTROLLER, API_SERVER_KIND, 6443),
        Connection(KUSTOMIZE_CONTROLLER, API_SERVER_EKS, 443),
        Connection(KUSTOMIZE_CONTROLLER, COREDNS, 53, "UDP"),
    ]:
        assert evaluate(policies, connection), connection
    for connection in [
        Connection(KUSTOMIZE_CONTROLLER, GIT_HOST, 22),
        Connection(KUSTOMIZE_CONTROLLER, SHOP_API, 8080),
        Connection(SHOP_API, SOURCE_CONTROLLER, 9090),
    ]:
        assert not evaluate(policies, connection), connection
    # in-namespace: the egress side is the library's, the ingress side Flux's allow-egress
    assert evaluate(policies, Connection(KUSTOMIZE_CONTROLLER, SOURCE_CONTROLLER, 9090)).egress_allowed


def test_flux_with_its_install_policies() -> None:
    """With Flux's own policies: the controllers fetch artifacts from each other, Prometheus scrapes,
    webhooks reach the notification controller; another namespace reaches nothing else. Flux's
    allow-egress (egress: [{}]) opens egress to anywhere, which the default-deny cannot take back
    (policies are additive): documented in docs/guide/tenancy.md."""
    policies = flux_install_policies() + list(namespace_network_policies(FLUX_ARGS).values())
    prometheus = Pod("prometheus", "monitoring", {"app": "prometheus"})
    for connection in [
        Connection(KUSTOMIZE_CONTROLLER, SOURCE_CONTROLLER, 9090),
        Connection(SOURCE_CONTROLLER, GIT_HOST, 22),
        Connection(KUSTOMIZE_CONTROLLER, API_SERVER_EKS, 443),
        Connection(prometheus, KUSTOMIZE_CONTROLLER, 8080),
        Connection(GATEWAY, NOTIFICATION_CONTROLLER, 9292),
    ]:
        assert evaluate(policies, connection), connection
    assert not evaluate(policies, Connection(SHOP_API, SOURCE_CONTROLLER, 9090))
    # the known gap: Flux's allow-egress lets every flux-system pod out
    assert evaluate(policies, Connection(KUSTOMIZE_CONTROLLER, GIT_HOST, 22))


def test_namespace_policies_are_the_same_default_deny_for_both_engines() -> None:
    argocd = FLUX_ARGS.model_copy(update={"engine": GitOpsEngine.ARGOCD})
    flux_policies = namespace_network_policies(FLUX_ARGS)
    argocd_policies = namespace_network_policies(argocd)
    assert flux_policies["default-deny"]["spec"] == argocd_policies["default-deny"]["spec"]
    assert argocd_policies["default-deny"]["metadata"]["namespace"] == "argocd"
    assert (
        flux_policies["repository-egress"]["spec"]["podSelector"]
        != (argocd_policies["repository-egress"]["spec"]["podSelector"])
    )
