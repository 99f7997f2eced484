"""SecureWorkload's pure builders, each on its own: arguments in, the manifest (or part of one) out.

render_workload keys their results by kind; SecureWorkload registers one group of children from them
per step. What each object must say is asserted by test_workload_defaults.py and the other tests of
this folder; here, what each builder decides on its own (when it renders nothing, what it reads)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _workload_args import NAME, NAMESPACE, SQS_TRIGGER, make_args
from platform_components.kube.delivery import (
    EXTERNAL_SECRETS_API,
    KEDA_API,
    MONITORING_API,
    ROLLOUTS_API,
    VPA_API,
)
from platform_components.namespace import MeshMode
from platform_components.policies.base import EXEMPT_PREFIX
from platform_components.policies.refs import EXTERNALS_ANNOTATION
from platform_components.policies.tenancy import MESH_ANNOTATION
from platform_components.refs import ExternalKind, ExternalRef
from platform_components.workload import (
    CHECKOV_SKIP,
    SecureWorkloadArgs,
    WorkloadMeta,
    add_policy_annotations,
    deployment_spec,
    external_secrets,
    horizontal_pod_autoscaler,
    main_container,
    network_policy,
    pod_controller,
    pod_disruption_budget,
    pod_spec,
    pod_storage,
    prometheus_rule,
    render_workload,
    route,
    scaled_object,
    service,
    service_account,
    service_monitor,
    topology_spread,
    vertical_pod_autoscaler,
    workload_meta,
    workload_outputs,
)
from pydantic import ValidationError

SELECTOR = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": NAME}
TWO_PORTS = [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}]


def meta_of(args: SecureWorkloadArgs) -> WorkloadMeta:
    return workload_meta(NAME, args)


# --------------------------------------------------------------------------------------------------
# What every object shares


def test_workload_meta_takes_the_version_from_the_image_tag_and_part_of_from_the_namespace() -> None:
    meta = meta_of(make_args(labels={"team": "checkout"}))
    assert (meta.name, meta.namespace, meta.selector) == (NAME, NAMESPACE, SELECTOR)
    assert meta.labels == {
        "team": "checkout",
        **SELECTOR,
        "app.kubernetes.io/component": "server",
        "app.kubernetes.io/part-of": NAMESPACE,
        "app.kubernetes.io/managed-by": "platform-components",
        "app.kubernetes.io/version": "1.4.2",
    }


def test_workload_meta_prefers_the_given_version_and_part_of_and_has_none_without_a_tag() -> None:
    given = meta_of(make_args(version="v9", part_of="suite")).labels
    assert (given["app.kubernetes.io/version"], given["app.kubernetes.io/part-of"]) == ("v9", "suite")
    digest = "ghcr.io/acme/api@sha256:" + "ab" * 32
    assert "app.kubernetes.io/version" not in meta_of(make_args(image=digest)).labels


def test_metadata_copies_the_labels_and_sets_annotations_only_when_there_are_some() -> None:
    meta = meta_of(make_args())
    plain = meta.metadata()
    assert plain == {"name": NAME, "namespace": NAMESPACE, "labels": meta.labels}
    plain["labels"]["changed"] = "yes"
    assert "changed" not in meta.labels
    assert "annotations" not in meta.metadata({})
    assert meta.metadata({"a": "b"})["annotations"] == {"a": "b"}


# --------------------------------------------------------------------------------------------------
# One builder per object


def test_the_service_account_carries_its_annotations_and_mounts_no_token_by_default() -> None:
    default = service_account(meta_of(make_args()), make_args())
    assert default["automountServiceAccountToken"] is False
    assert "annotations" not in default["metadata"]
    role = {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/api"}
    args = make_args(service_account_annotations=role, automount_service_account_token=True)
    annotated = service_account(meta_of(args), args)
    assert annotated["metadata"]["annotations"] == role
    assert annotated["automountServiceAccountToken"] is True


def test_external_secrets_are_keyed_and_named_by_target_in_order() -> None:
    secrets = [{"target": "db-creds", "data_from_key": "prod/db"}, {"target": "keys", "data_from_key": "k"}]
    args = make_args(external_secrets=secrets)
    rendered = external_secrets(meta_of(args), args)
    assert [key for key, _ in rendered] == ["ExternalSecret/db-creds", "ExternalSecret/keys"]
    first = rendered[0][1]
    assert (first["apiVersion"], first["kind"]) == (EXTERNAL_SECRETS_API, "ExternalSecret")
    assert (first["metadata"]["name"], first["metadata"]["namespace"]) == ("db-creds", NAMESPACE)
    assert external_secrets(meta_of(make_args()), make_args()) == []


def test_the_pod_controller_is_a_deployment_with_its_checkov_skips_and_the_recorded_mesh() -> None:
    args = make_args()
    [(kind, deployment)] = pod_controller(meta_of(args), args, MeshMode.LINKERD)
    assert kind == "Deployment"
    annotations = deployment["metadata"]["annotations"]
    assert annotations[f"{CHECKOV_SKIP}1"].startswith("CKV_K8S_11=")
    assert annotations[MESH_ANNOTATION] == MeshMode.LINKERD.value
    assert deployment["spec"] == deployment_spec(meta_of(args), args)
    [(_, unrecorded)] = pod_controller(meta_of(args), args)
    assert MESH_ANNOTATION not in unrecorded["metadata"]["annotations"]


def test_with_canary_the_pod_controller_is_an_analysis_template_and_a_rollout() -> None:
    args = make_args(canary={})
    rendered = dict(pod_controller(meta_of(args), args, MeshMode.ISTIO_AMBIENT))
    assert list(rendered) == ["AnalysisTemplate", "Rollout"]
    assert {m["apiVersion"] for m in rendered.values()} == {ROLLOUTS_API}
    assert "annotations" not in rendered["AnalysisTemplate"]["metadata"]
    rollout = rendered["Rollout"]
    assert rollout["metadata"]["annotations"][MESH_ANNOTATION] == MeshMode.ISTIO_AMBIENT.value
    template = deployment_spec(meta_of(args), args)["template"]
    assert rollout["spec"]["template"]["spec"]["containers"] == template["spec"]["containers"]


def test_the_service_targets_container_ports_by_name_and_is_absent_without_an_exposed_port() -> None:
    ports = [
        {"name": "http", "port": 8080, "service_port": 80},
        {"name": "admin", "port": 9000, "expose": False},
    ]
    args = make_args(ports=ports, service={"type": "NodePort", "annotations": {"a": "b"}})
    rendered = service(meta_of(args), args)
    assert rendered is not None
    assert rendered["metadata"]["annotations"] == {"a": "b"}
    assert rendered["spec"] == {
        "type": "NodePort",
        "selector": SELECTOR,
        "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
    }
    disabled = make_args(service={"enabled": False})
    assert service(meta_of(disabled), disabled) is None
    hidden = make_args(ports=[{"name": "http", "port": 8080, "expose": False}])
    assert service(meta_of(hidden), hidden) is None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({}, {"maxUnavailable": 1}, id="two-replicas"),
        pytest.param({"replicas": 1}, None, id="one-replica"),
        pytest.param(
            {"replicas": 4, "disruption": {"min_available": 2}}, {"minAvailable": 2}, id="min-available"
        ),
        pytest.param({"keda": {"triggers": [SQS_TRIGGER], "min_replicas": 1}}, None, id="keda-floor-of-one"),
    ],
)
def test_the_pdb_exists_only_when_more_than_one_replica_is_guaranteed(
    overrides: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    args = make_args(**overrides)
    rendered = pod_disruption_budget(meta_of(args), args)
    if expected is None:
        assert rendered is None
        return
    assert rendered is not None
    assert rendered["spec"] == {
        **expected,
        "selector": {"matchLabels": SELECTOR},
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


def test_each_scaler_is_rendered_only_with_its_option() -> None:
    args = make_args()
    meta = meta_of(args)
    assert horizontal_pod_autoscaler(meta, args) is None
    assert scaled_object(meta, args) is None
    assert vertical_pod_autoscaler(meta, args) is None


def test_the_scalers_target_the_deployment_or_with_canary_the_rollout() -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "name": NAME}
    rollout = {"apiVersion": ROLLOUTS_API, "kind": "Rollout", "name": NAME}
    for canary, target in ((None, deployment), ({}, rollout)):
        hpa_args = make_args(autoscaling={"min_replicas": 3}, vpa={}, canary=canary)
        hpa = horizontal_pod_autoscaler(meta_of(hpa_args), hpa_args)
        assert hpa is not None and hpa["spec"]["scaleTargetRef"] == target
        assert "apiVersion" not in hpa  # a built-in kind: metadata and spec only
        vpa = vertical_pod_autoscaler(meta_of(hpa_args), hpa_args)
        assert vpa is not None and (vpa["apiVersion"], vpa["kind"]) == (VPA_API, "VerticalPodAutoscaler")
        assert vpa["spec"]["targetRef"] == target
        keda_args = make_args(keda={"triggers": [SQS_TRIGGER]}, canary=canary)
        keda = scaled_object(meta_of(keda_args), keda_args)
        assert keda is not None and (keda["apiVersion"], keda["kind"]) == (KEDA_API, "ScaledObject")
        assert keda["spec"]["scaleTargetRef"] == target


def test_the_network_policy_selects_the_workloads_pods() -> None:
    args = make_args()
    rendered = network_policy(meta_of(args), args)
    assert rendered["metadata"]["name"] == NAME
    assert rendered["spec"]["podSelector"] == {"matchLabels": SELECTOR}


def test_the_route_sends_to_the_service_port_of_the_chosen_port() -> None:
    assert route(meta_of(make_args()), make_args()) is None
    ports = [{"name": "http", "port": 8080, "service_port": 80}, {"name": "metrics", "port": 9090}]
    args = make_args(
        ports=ports, route={"parent": {"name": "public", "namespace": "edge"}, "port": "metrics"}
    )
    rendered = route(meta_of(args), args)
    assert rendered is not None
    assert rendered["kind"] == "HTTPRoute"
    assert [b["port"] for b in rendered["spec"]["rules"][0]["backendRefs"]] == [9090]


def test_monitoring_renders_a_service_monitor_and_with_alerts_a_rule_both_with_the_standard_labels() -> None:
    args = make_args(ports=TWO_PORTS, monitoring={"labels": {"release": "kps"}})
    meta = meta_of(args)
    monitor = service_monitor(meta, args)
    rule = prometheus_rule(meta, args)
    assert monitor is not None and rule is not None
    assert (monitor["apiVersion"], monitor["kind"]) == (MONITORING_API, "ServiceMonitor")
    assert (rule["apiVersion"], rule["kind"]) == (MONITORING_API, "PrometheusRule")
    for manifest in (monitor, rule):
        assert manifest["metadata"]["labels"] == {"release": "kps", **meta.labels}
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    quiet = make_args(ports=TWO_PORTS, monitoring={"alerts": False})
    assert service_monitor(meta_of(quiet), quiet) is not None
    assert prometheus_rule(meta_of(quiet), quiet) is None
    assert service_monitor(meta, make_args()) is None
    assert prometheus_rule(meta, make_args()) is None


def test_policy_annotations_exempt_every_object_and_record_externals_where_the_pack_reads_them() -> None:
    args = make_args(
        policy_exemptions={"some-rule": "why"},
        route={"parent": {"name": "public", "namespace": "edge"}},
    )
    manifests = {
        "ServiceAccount": {"metadata": {"name": NAME}},
        "NetworkPolicy": {"metadata": {"name": NAME}},
        "HTTPRoute": {"metadata": {"name": NAME}},
    }
    externals = [
        ExternalRef(kind=ExternalKind.NAMESPACE, namespace="edge"),
        ExternalRef(kind=ExternalKind.GATEWAY, name="public", namespace="edge"),
    ]
    add_policy_annotations(manifests, args, externals)
    for manifest in manifests.values():
        assert manifest["metadata"]["annotations"][EXEMPT_PREFIX + "some-rule"] == "why"
    assert EXTERNALS_ANNOTATION not in manifests["ServiceAccount"]["metadata"]["annotations"]
    recorded = json.loads(manifests["NetworkPolicy"]["metadata"]["annotations"][EXTERNALS_ANNOTATION])
    assert {entry["kind"] for entry in recorded} == {"namespace", "gateway"}
    on_route = json.loads(manifests["HTTPRoute"]["metadata"]["annotations"][EXTERNALS_ANNOTATION])
    assert [entry["kind"] for entry in on_route] == ["gateway"]


# --------------------------------------------------------------------------------------------------
# The Deployment's spec, piece by piece


def test_the_deployment_spec_leaves_replicas_to_an_autoscaler() -> None:
    fixed = make_args(replicas=3, pod_annotations={"a": "b"})
    spec = deployment_spec(meta_of(fixed), fixed)
    assert spec["replicas"] == 3
    assert spec["template"]["metadata"] == {"labels": meta_of(fixed).labels, "annotations": {"a": "b"}}
    assert spec["template"]["spec"] == pod_spec(meta_of(fixed), fixed)
    for scaled in (make_args(autoscaling={}), make_args(keda={"triggers": [SQS_TRIGGER]})):
        assert "replicas" not in deployment_spec(meta_of(scaled), scaled)


def test_the_pod_spec_runs_init_containers_before_sidecars_with_the_main_security_context() -> None:
    args = make_args(
        init_containers=[{"name": "migrate", "image": "ghcr.io/acme/migrate:1"}],
        sidecars=[{"name": "proxy", "image": "ghcr.io/acme/proxy:2"}],
        image_pull_secrets=["registry"],
        priority_class_name=None,
    )
    spec = pod_spec(meta_of(args), args)
    assert spec["serviceAccountName"] == NAME
    [main] = spec["containers"]
    assert [c["name"] for c in spec["initContainers"]] == ["migrate", "proxy"]
    assert [c.get("restartPolicy") for c in spec["initContainers"]] == [None, "Always"]
    assert all(c["securityContext"] == main["securityContext"] for c in spec["initContainers"])
    assert spec["imagePullSecrets"] == [{"name": "registry"}]
    assert "priorityClassName" not in spec
    assert spec["volumes"] == pod_storage(args)[0]


def test_pod_storage_mounts_tmp_writable_paths_then_secrets_then_config_maps() -> None:
    args = make_args(
        writable_paths=["/var/cache"],
        secret_files=[{"name": "tls", "mount_path": "/etc/tls"}],
        external_secrets=[{"target": "db", "data_from_key": "prod/db", "mount_path": "/etc/db"}],
        config_files=[{"name": "cfg", "mount_path": "/etc/cfg"}],
    )
    volumes, mounts = pod_storage(args)
    assert [(m["name"], m["mountPath"], m.get("readOnly", False)) for m in mounts] == [
        ("tmp", "/tmp", False),
        ("writable-0", "/var/cache", False),
        ("secret-0", "/etc/tls", True),
        ("secret-1", "/etc/db", True),
        ("config-0", "/etc/cfg", True),
    ]
    assert [v["name"] for v in volumes] == [m["name"] for m in mounts]
    assert volumes[0]["emptyDir"] == {"sizeLimit": "256Mi"}
    assert volumes[3]["secret"] == {"secretName": "db", "defaultMode": 0o440}
    assert volumes[4]["configMap"] == {"name": "cfg", "defaultMode": 0o444}


def test_the_main_container_sets_optional_fields_only_when_given() -> None:
    plain = main_container(make_args(pre_stop_sleep_seconds=0), {"ctx": 1}, [{"name": "tmp"}])
    assert plain["securityContext"] == {"ctx": 1}
    assert plain["volumeMounts"] == [{"name": "tmp"}]
    for absent in ("startupProbe", "command", "args", "env", "envFrom", "lifecycle"):
        assert absent not in plain
    args = make_args(
        command=["/app"],
        args=["--serve"],
        env={"MODE": "prod"},
        env_from_config_maps=["settings"],
        env_from_secrets=["legacy"],
        startup={"path": "/startz"},
    )
    full = main_container(args, {}, [])
    assert (full["command"], full["args"], full["env"]) == (
        ["/app"],
        ["--serve"],
        [{"name": "MODE", "value": "prod"}],
    )
    assert full["envFrom"] == [{"configMapRef": {"name": "settings"}}, {"secretRef": {"name": "legacy"}}]
    assert full["startupProbe"]["httpGet"]["path"] == "/startz"
    assert full["lifecycle"] == {"preStop": {"sleep": {"seconds": 5}}}


@pytest.mark.parametrize(
    ("overrides", "spread"),
    [
        pytest.param({}, True, id="two-replicas"),
        pytest.param({"replicas": 1}, False, id="one-replica"),
        pytest.param({"spread": {"enabled": False}}, False, id="disabled"),
        pytest.param({"keda": {"triggers": [SQS_TRIGGER], "min_replicas": 0}}, True, id="scale-to-zero"),
    ],
)
def test_topology_spread_applies_when_more_than_one_replica_may_run(
    overrides: dict[str, Any], spread: bool
) -> None:
    constraints = topology_spread(make_args(**overrides), SELECTOR)
    if not spread:
        assert constraints == []
        return
    assert [(c["topologyKey"], c["whenUnsatisfiable"]) for c in constraints] == [
        ("topology.kubernetes.io/zone", "ScheduleAnyway"),
        ("kubernetes.io/hostname", "ScheduleAnyway"),
    ]
    assert all(c["labelSelector"] == {"matchLabels": SELECTOR} for c in constraints)


# --------------------------------------------------------------------------------------------------
# The renderer and the outputs


def test_render_workload_keys_the_objects_by_kind_in_registration_order() -> None:
    args = make_args(
        ports=TWO_PORTS,
        external_secrets=[{"target": "db", "data_from_key": "prod/db"}],
        canary={},
        autoscaling={},
        vpa={},
        route={"parent": {"name": "public", "namespace": "edge"}},
        monitoring={},
    )
    assert list(render_workload(NAME, args)) == [
        "ServiceAccount",
        "ExternalSecret/db",
        "AnalysisTemplate",
        "Rollout",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "VerticalPodAutoscaler",
        "NetworkPolicy",
        "HTTPRoute",
        "ServiceMonitor",
        "PrometheusRule",
    ]
    exec_probe = {"kind": "exec", "command": ["true"]}
    bare = make_args(replicas=1, ports=[], readiness=exec_probe, liveness=exec_probe)
    assert list(render_workload(NAME, bare)) == ["ServiceAccount", "Deployment", "NetworkPolicy"]


def test_workload_outputs_name_the_controller_and_the_service() -> None:
    args = make_args()
    assert workload_outputs(NAME, args, render_workload(NAME, args)) == {
        "namespace": NAMESPACE,
        "deployment_name": NAME,
        "rollout_name": None,
        "service_name": NAME,
        "service_account_name": NAME,
        "service_host": f"{NAME}.{NAMESPACE}.svc.cluster.local",
    }
    hidden = make_args(canary={}, service={"enabled": False})
    outputs = workload_outputs(NAME, hidden, render_workload(NAME, hidden))
    assert (outputs["deployment_name"], outputs["rollout_name"]) == (None, NAME)
    assert (outputs["service_name"], outputs["service_host"]) == (None, None)


# --------------------------------------------------------------------------------------------------
# The cross-field validators: one rule each, the first that fails is reported


def test_the_first_failing_cross_field_rule_is_the_one_reported() -> None:
    clashing_ports = [{"name": "http", "port": 8080}, {"name": "http", "port": 8081}]
    with pytest.raises(ValidationError, match="port names must be unique") as caught:
        make_args(ports=clashing_ports, pre_stop_sleep_seconds=30, replicas=3, autoscaling={})
    assert len(caught.value.errors()) == 1
    with pytest.raises(ValidationError, match="replicas and autoscaling are both set"):
        make_args(pre_stop_sleep_seconds=30, replicas=3, autoscaling={})
    with pytest.raises(ValidationError, match="pre_stop_sleep_seconds=30 must be shorter"):
        make_args(pre_stop_sleep_seconds=30)


def test_every_object_is_a_whole_manifest() -> None:
    """One registration path (kube/objects.create_object) reads apiVersion and kind from the manifest."""
    manifests = render_workload("web", make_args(autoscaling={"min_replicas": 2, "max_replicas": 4}))
    assert {"ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler", "NetworkPolicy"} <= set(
        manifests
    )
    for key, manifest in manifests.items():
        assert manifest["kind"] == key.split("/")[0]
        assert list(manifest)[:3] == ["apiVersion", "kind", "metadata"], key
    assert manifests["Deployment"]["apiVersion"] == "apps/v1"
    assert manifests["HorizontalPodAutoscaler"]["apiVersion"] == "autoscaling/v2"
