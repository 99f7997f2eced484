"""MeshNamespace and SecureWorkload traffic: labels per mesh mode, default deny, callers in both layers."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components import ExternalRef, ProbeArgs, SecureWorkload, SecureWorkloadArgs
from platform_components.errors import ConfigError
from platform_components.namespace import (
    MeshMode,
    MeshNamespace,
    MeshNamespaceArgs,
    PodSecurityLevel,
    render_namespace,
)
from platform_components.testing import preview_function
from platform_components.workload import render_mesh, render_workload


def namespace(mode: MeshMode, **extra: Any) -> dict[str, dict[str, Any]]:
    args = MeshNamespaceArgs(mesh=mode, mesh_cni=mode in (MeshMode.ISTIO_SIDECAR, MeshMode.LINKERD), **extra)
    return render_namespace("team-a", args)


def test_psa_labels_are_restricted_and_pinned_by_default() -> None:
    labels = namespace(MeshMode.NONE)["Namespace"]["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "v1.35"
    assert labels["platform-components.io/team"] == "team-a"


@pytest.mark.parametrize(
    ("mode", "labels", "annotations", "kinds"),
    [
        (MeshMode.NONE, {}, {}, set()),
        (
            MeshMode.ISTIO_AMBIENT,
            {"istio.io/dataplane-mode": "ambient"},
            {},
            {"PeerAuthentication", "AuthorizationPolicy"},
        ),
        (
            MeshMode.ISTIO_SIDECAR,
            {"istio-injection": "enabled"},
            {"platform-components.io/mesh-cni": "true"},
            {"PeerAuthentication", "AuthorizationPolicy"},
        ),
        (
            MeshMode.LINKERD,
            {},
            {"linkerd.io/inject": "enabled", "config.linkerd.io/default-inbound-policy": "deny"},
            set(),
        ),
        (MeshMode.CILIUM, {}, {}, set()),
    ],
)
def test_each_mesh_mode_renders_its_labels_and_objects(
    mode: MeshMode, labels: dict[str, str], annotations: dict[str, str], kinds: set[str]
) -> None:
    rendered = namespace(mode)
    meta = rendered["Namespace"]["metadata"]
    assert labels.items() <= meta["labels"].items()
    assert annotations.items() <= meta.get("annotations", {}).items()
    mesh_kinds = set(rendered) - {
        "Namespace",
        "ResourceQuota",
        "LimitRange",
        "Role",
        "RoleBinding",
        "NetworkPolicy",
    }
    assert mesh_kinds == kinds
    if "PeerAuthentication" in rendered:
        assert rendered["PeerAuthentication"]["spec"] == {"mtls": {"mode": "STRICT"}}
        assert rendered["AuthorizationPolicy"]["spec"] == {}  # allow nothing


def test_waypoint_is_a_gateway_of_class_istio_waypoint() -> None:
    rendered = namespace(MeshMode.ISTIO_AMBIENT, waypoint=True)
    assert rendered["Namespace"]["metadata"]["labels"]["istio.io/use-waypoint"] == "waypoint"
    gateway = rendered["Gateway"]
    assert gateway["spec"]["gatewayClassName"] == "istio-waypoint"
    assert gateway["spec"]["listeners"] == [{"name": "mesh", "port": 15008, "protocol": "HBONE"}]


def test_ambient_default_deny_allows_hbone_and_dns_and_nothing_else() -> None:
    policy = namespace(MeshMode.ISTIO_AMBIENT)["NetworkPolicy"]["spec"]
    assert policy["podSelector"] == {} and policy["policyTypes"] == ["Ingress", "Egress"]
    ingress_ports = [p for rule in policy["ingress"] for p in rule.get("ports", [])]
    assert ingress_ports == [{"port": 15008, "protocol": "TCP"}]
    # the only port-less ingress rule is ztunnel's health-probe source address
    assert [r["from"] for r in policy["ingress"] if "ports" not in r] == [
        [{"ipBlock": {"cidr": "169.254.7.127/32"}}]
    ]
    egress_ports = sorted((p["port"], p["protocol"]) for rule in policy["egress"] for p in rule["ports"])
    assert egress_ports == [(53, "TCP"), (53, "UDP"), (15008, "TCP")]


def test_no_mesh_default_deny_allows_only_dns() -> None:
    policy = namespace(MeshMode.NONE)["NetworkPolicy"]["spec"]
    assert policy["ingress"] == []
    assert [p["port"] for rule in policy["egress"] for p in rule["ports"]] == [53, 53]


def test_sidecar_under_restricted_without_cni_is_refused_clearly() -> None:
    with pytest.raises(ConfigError, match=r"needs NET_ADMIN and NET_RAW.*set mesh_cni: true.*istio-ambient"):
        MeshNamespaceArgs(mesh=MeshMode.ISTIO_SIDECAR)
    with pytest.raises(ConfigError, match="linkerd injects an init container"):
        MeshNamespaceArgs(mesh=MeshMode.LINKERD)
    assert MeshNamespaceArgs(mesh=MeshMode.ISTIO_SIDECAR, pod_security=PodSecurityLevel.BASELINE).mesh.sidecar


def test_team_role_has_no_wildcards_and_no_exec() -> None:
    rules = namespace(MeshMode.NONE)["Role"]["rules"]
    for rule in rules:
        for field in ("apiGroups", "resources", "verbs"):
            assert "*" not in rule[field]
        assert "pods/exec" not in rule["resources"] and "secrets" not in rule["resources"]
    binding = namespace(MeshMode.NONE)["RoleBinding"]
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "team-a-developers"}
    ]


def test_quota_presets_and_overrides() -> None:
    small = namespace(MeshMode.NONE)["ResourceQuota"]["spec"]["hard"]
    assert small["requests.cpu"] == "4" and small["services.loadbalancers"] == "0"
    large = namespace(MeshMode.NONE, size="large", quota={"pods": "900"})["ResourceQuota"]["spec"]["hard"]
    assert large["requests.cpu"] == "64" and large["pods"] == "900"
    with pytest.raises(ConfigError, match="quota pods: 'many' is not a Kubernetes quantity"):
        MeshNamespaceArgs(quota={"pods": "many"})


# --------------------------------------------------------------------------------------------------
# Callers: the NetworkPolicy and the mesh authorization admit exactly the declared ones.

CALLERS = [
    {"workload": "web", "ports": ["http"]},  # caller A: same namespace
    {"namespace": "team-b", "workload": "worker", "ports": ["http"]},  # caller B: another team
]

CALLER_PROGRAMS = [ExternalRef(name="web"), ExternalRef(namespace="team-b", name="worker")]
"""The callers are deployed by other programs."""


def api_args(callers: list[dict[str, Any]]) -> SecureWorkloadArgs:
    return SecureWorkloadArgs(
        namespace="team-a",
        image="ghcr.io/acme/api:1.0.0",
        readiness=ProbeArgs(path="/readyz"),
        liveness=ProbeArgs(path="/livez"),
        network={"ingress": callers},
    )


def netpol_admits(policy: dict[str, Any], *, namespace: str, labels: dict[str, str], port: int) -> bool:
    for rule in policy["ingress"]:
        if port not in [p["port"] for p in rule.get("ports", [])]:
            continue
        for peer in rule["from"]:
            ns = (
                peer.get("namespaceSelector", {})
                .get("matchLabels", {})
                .get("kubernetes.io/metadata.name", "team-a")
            )
            pods = peer.get("podSelector", {}).get("matchLabels", {})
            if ns == namespace and pods.items() <= labels.items():
                return True
    return False


def istio_admits(policy: dict[str, Any], *, principal: str, namespace: str, port: int) -> bool:
    for rule in policy["spec"]["rules"]:
        source = rule["from"][0]["source"]
        ports = rule["to"][0]["operation"]["ports"]
        if str(port) in ports and (
            principal in source.get("principals", []) or namespace in source.get("namespaces", [])
        ):
            return True
    return False


def labels_of(workload: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": workload, "app.kubernetes.io/instance": workload}


@pytest.mark.parametrize("mode", [MeshMode.ISTIO_AMBIENT, MeshMode.ISTIO_SIDECAR])
def test_declared_callers_are_exactly_those_of_netpol_and_istio_authz(mode: MeshMode) -> None:
    args = api_args(CALLERS)
    netpol = render_workload("api", args)["NetworkPolicy"]["spec"]
    ((_suffix, authz),) = render_mesh("api", args, mode)
    callers = {
        "A (team-a/web)": ("team-a", "web", True),
        "B (team-b/worker)": ("team-b", "worker", True),
        "undeclared (team-a/intruder)": ("team-a", "intruder", False),
        "undeclared (team-c/web)": ("team-c", "web", False),
    }
    for who, (ns, workload, allowed) in callers.items():
        principal = f"cluster.local/ns/{ns}/sa/{workload}"
        assert netpol_admits(netpol, namespace=ns, labels=labels_of(workload), port=8080) is allowed, who
        assert istio_admits(authz, principal=principal, namespace=ns, port=8080) is allowed, who
    assert [r["from"][0]["source"]["principals"] for r in authz["spec"]["rules"]] == [
        ["cluster.local/ns/team-a/sa/web"],
        ["cluster.local/ns/team-b/sa/worker"],
    ]
    assert authz["spec"]["selector"] == {"matchLabels": labels_of("api")}


def test_linkerd_authorizes_exactly_the_declared_identities() -> None:
    objects = dict(render_mesh("api", api_args(CALLERS), MeshMode.LINKERD))
    identities = objects["callers-http"]["spec"]["identities"]
    assert identities == [
        "web.team-a.serviceaccount.identity.linkerd.cluster.local",
        "worker.team-b.serviceaccount.identity.linkerd.cluster.local",
    ]
    assert objects["server-http"]["spec"]["port"] == "http"
    assert objects["authz-http"]["spec"]["targetRef"]["name"] == "api-http"


def test_no_callers_means_the_namespace_deny_all_applies() -> None:
    assert render_mesh("api", api_args([]), MeshMode.ISTIO_AMBIENT) == []
    assert render_workload("api", api_args([]))["NetworkPolicy"]["spec"]["ingress"] == []


def test_pod_label_callers_are_refused_in_a_meshed_namespace() -> None:
    args = api_args([{"pod_labels": {"app": "legacy"}, "ports": ["http"]}])
    with pytest.raises(ConfigError, match="pod_labels, which have no mesh identity"):
        render_mesh("api", args, MeshMode.ISTIO_AMBIENT)
    assert render_mesh("api", args, MeshMode.NONE) == []


@pytest.mark.parametrize("mode", [MeshMode.ISTIO_AMBIENT, MeshMode.ISTIO_SIDECAR, MeshMode.LINKERD])
def test_meshed_team_with_a_workload_previews_clean_against_the_crds(mode: MeshMode) -> None:
    def program() -> None:
        team = MeshNamespace(
            "team-a",
            MeshNamespaceArgs(mesh=mode, mesh_cni=mode.sidecar, waypoint=mode is MeshMode.ISTIO_AMBIENT),
        )
        SecureWorkload("api", api_args(CALLERS), mesh=team.mesh, externals=CALLER_PROGRAMS)

    result = preview_function(program)
    assert result.clean, result.problems()
    assert not result.warnings, result.problems()
