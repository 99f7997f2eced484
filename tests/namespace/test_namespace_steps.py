"""render_namespace's builders, each on its own: a MeshNamespace's name and args in, one object (or the
namespace's labels or annotations) out; and the kinds render_namespace keys them by, in order."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components.kube import labels as lbl
from platform_components.kube.netpol import NAMESPACE_NAME_LABEL
from platform_components.namespace import (
    HBONE_PORT,
    MESH_CNI_ANNOTATION,
    QUOTA_PRESETS,
    TEAM_LABEL,
    TEAM_RULES,
    WAYPOINT_NAME,
    MeshMode,
    MeshNamespaceArgs,
    Size,
    istio_policies,
    render_namespace,
    team_limit_range,
    team_metadata,
    team_namespace,
    team_namespace_annotations,
    team_namespace_labels,
    team_quota,
    team_role,
    team_role_binding,
    waypoint_gateway,
)
from platform_components.policies.base import EXEMPT_PREFIX

TEAM = {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY, TEAM_LABEL: "shop"}


def ns_args(mesh: MeshMode = MeshMode.NONE, **overrides: Any) -> MeshNamespaceArgs:
    return MeshNamespaceArgs(mesh=mesh, mesh_cni=mesh.sidecar, **overrides)


def test_an_object_in_the_namespace_carries_the_managed_by_and_team_labels() -> None:
    assert team_metadata("shop", "x") == {"name": "x", "namespace": "shop", "labels": TEAM}
    first, second = team_metadata("shop", "x"), team_metadata("shop", "x")
    first["labels"]["extra"] = "1"
    assert second["labels"] == TEAM  # a fresh dict each time: objects do not share their labels


def test_the_namespace_labels_name_the_team_and_pin_pod_security() -> None:
    labels = team_namespace_labels(
        "shop", ns_args(labels={"cost-center": "42", TEAM_LABEL: "other"}, pod_security_version="v1.33")
    )
    assert labels["cost-center"] == "42"
    assert labels[TEAM_LABEL] == "shop"  # the platform's labels win over the caller's
    assert labels[NAMESPACE_NAME_LABEL] == "shop"
    assert labels[lbl.MANAGED_BY_KEY] == lbl.MANAGED_BY
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/warn-version"] == "v1.33"


@pytest.mark.parametrize(
    ("mesh", "waypoint", "enrolment"),
    [
        (MeshMode.NONE, False, {}),
        (MeshMode.CILIUM, False, {}),
        (MeshMode.LINKERD, False, {}),
        (MeshMode.ISTIO_SIDECAR, False, {"istio-injection": "enabled"}),
        (MeshMode.ISTIO_AMBIENT, False, {"istio.io/dataplane-mode": "ambient"}),
        (
            MeshMode.ISTIO_AMBIENT,
            True,
            {"istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": WAYPOINT_NAME},
        ),
    ],
)
def test_the_namespace_labels_enrol_it_in_an_istio_mesh(
    mesh: MeshMode, waypoint: bool, enrolment: dict[str, str]
) -> None:
    labels = team_namespace_labels("shop", ns_args(mesh, waypoint=waypoint))
    mesh_keys = {k: v for k, v in labels.items() if k.startswith("istio")}
    assert mesh_keys == enrolment


def test_the_namespace_annotations_hold_linkerd_the_mesh_cni_and_exemptions() -> None:
    assert team_namespace_annotations(ns_args()) == {}
    assert team_namespace_annotations(ns_args(MeshMode.LINKERD)) == {
        "linkerd.io/inject": "enabled",
        "config.linkerd.io/default-inbound-policy": "deny",
        MESH_CNI_ANNOTATION: "true",
    }
    exempt = team_namespace_annotations(ns_args(policy_exemptions={"b-rule": "why b", "a-rule": "why a"}))
    assert list(exempt.items()) == [(f"{EXEMPT_PREFIX}a-rule", "why a"), (f"{EXEMPT_PREFIX}b-rule", "why b")]


def test_the_namespace_has_annotations_only_when_there_are_some() -> None:
    plain = team_namespace("shop", ns_args())
    assert (plain["apiVersion"], plain["kind"]) == ("v1", "Namespace")
    assert set(plain["metadata"]) == {"name", "labels"}
    linkerd = team_namespace("shop", ns_args(MeshMode.LINKERD))
    assert linkerd["metadata"]["annotations"]["linkerd.io/inject"] == "enabled"


def test_the_quota_is_the_sizes_preset_with_the_overrides() -> None:
    quota = team_quota("shop", ns_args(size=Size.MEDIUM, quota={"pods": "7", "count/jobs.batch": "3"}))
    assert quota["metadata"] == team_metadata("shop", "team-quota")
    assert quota["spec"]["hard"] == {**QUOTA_PRESETS[Size.MEDIUM], "pods": "7", "count/jobs.batch": "3"}
    assert QUOTA_PRESETS[Size.MEDIUM]["pods"] == "150"  # the preset itself is left alone


def test_the_limit_range_bounds_containers_and_volume_claims() -> None:
    limits = team_limit_range("shop")
    assert limits["metadata"] == team_metadata("shop", "team-limits")
    container, claim = limits["spec"]["limits"]
    assert container["type"] == "Container"
    assert container["defaultRequest"] == {"cpu": "100m", "memory": "128Mi"}
    assert container["max"] == {"memory": "16Gi"}
    assert claim == {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "1Ti"}}


def test_the_role_grants_the_team_rules_as_copies() -> None:
    role = team_role("shop")
    assert role["metadata"] == team_metadata("shop", "team-developer")
    assert role["rules"] == TEAM_RULES
    assert all(copy is not rule for copy, rule in zip(role["rules"], TEAM_RULES, strict=True))


def test_the_role_binding_binds_the_group_or_the_default_developers_group() -> None:
    binding = team_role_binding("shop", ns_args())
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "team-developer",
    }
    assert [s["name"] for s in binding["subjects"]] == ["shop-developers"]
    assert team_role_binding("shop", ns_args(group="shoppers"))["subjects"][0]["name"] == "shoppers"


@pytest.mark.parametrize("mesh", list(MeshMode))
def test_istio_policies_are_strict_mtls_and_deny_all_under_istio_only(mesh: MeshMode) -> None:
    policies = istio_policies("shop", mesh)
    if not mesh.istio:
        assert policies == {}
        return
    assert list(policies) == ["PeerAuthentication", "AuthorizationPolicy"]
    assert policies["PeerAuthentication"]["spec"] == {"mtls": {"mode": "STRICT"}}
    assert policies["PeerAuthentication"]["metadata"] == team_metadata("shop", "default")
    assert policies["AuthorizationPolicy"]["spec"] == {}
    assert policies["AuthorizationPolicy"]["metadata"] == team_metadata("shop", "deny-all")


def test_the_waypoint_is_an_hbone_gateway_for_the_namespaces_services() -> None:
    gateway = waypoint_gateway("shop")
    assert gateway["metadata"]["name"] == WAYPOINT_NAME
    assert gateway["metadata"]["labels"] == {**TEAM, "istio.io/waypoint-for": "service"}
    assert gateway["spec"] == {
        "gatewayClassName": "istio-waypoint",
        "listeners": [{"name": "mesh", "port": HBONE_PORT, "protocol": "HBONE"}],
    }


def test_render_namespace_keys_the_objects_by_kind_in_registration_order() -> None:
    base = ["Namespace", "ResourceQuota", "LimitRange", "Role", "RoleBinding", "NetworkPolicy"]
    assert list(render_namespace("shop", ns_args())) == base
    assert list(render_namespace("shop", ns_args(MeshMode.ISTIO_SIDECAR))) == [
        *base,
        "PeerAuthentication",
        "AuthorizationPolicy",
    ]
    assert list(render_namespace("shop", ns_args(MeshMode.ISTIO_AMBIENT, waypoint=True))) == [
        *base,
        "PeerAuthentication",
        "AuthorizationPolicy",
        "Gateway",
    ]


def test_render_namespace_puts_the_exemptions_on_every_object() -> None:
    objects = render_namespace(
        "shop", ns_args(MeshMode.ISTIO_AMBIENT, waypoint=True, policy_exemptions={"a-rule": "why"})
    )
    for manifest in objects.values():
        assert manifest["metadata"]["annotations"] == {f"{EXEMPT_PREFIX}a-rule": "why"}


def test_every_object_is_a_whole_manifest() -> None:
    """One registration path (kube/objects.create_object) reads apiVersion and kind from the manifest."""
    args = ns_args(MeshMode.ISTIO_AMBIENT, waypoint=True)
    for kind, manifest in render_namespace("shop", args).items():
        assert manifest["kind"] == kind
        assert list(manifest)[:3] == ["apiVersion", "kind", "metadata"], kind


def test_owners_without_a_cluster_are_refused_before_anything_is_registered() -> None:
    import pulumi
    from platform_components import MeshNamespace
    from platform_components.errors import ConfigError
    from platform_components.preview.engine import run_program

    registered: list[str] = []

    def program() -> None:
        try:
            MeshNamespace("shop", MeshNamespaceArgs(owners=["arn:aws:iam::123456789012:role/shop"]))
        except ConfigError as exc:
            registered.append(str(exc))
        pulumi.export("done", True)

    run = run_program(program, project="p", stack="s")
    assert registered and "owners need an EKS cluster" in registered[0]
    assert [record.type for record in run.records if record.type != "pulumi:pulumi:Stack"] == []
