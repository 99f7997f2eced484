"""Every default documented in ``components/platform_components/workload.py`` (and ``components/platform_components/kube/probes.py``), asserted.

Two layers:

* a table of every ``Field`` default of every args model, checked against the models themselves and
  checked for completeness (a new defaulted field without an entry here fails
  :func:`test_every_defaulted_field_is_in_the_table`);
* assertions on the manifests rendered by :func:`render_workload` from the minimal arguments
  (namespace, image, readiness, liveness), one test per documented behaviour.
"""

from __future__ import annotations

from typing import Any

import pytest
from _workload_args import IMAGE, NAME, NAMESPACE, make_args
from platform_components.kube.delivery import (
    DEFAULT_ERROR_RATE_QUERY,
    DEFAULT_PROMETHEUS_ADDRESS,
    CanaryArgs,
    CanaryStepArgs,
    ExternalSecretArgs,
    ExternalSecretDataArgs,
    KedaArgs,
    KedaTriggerArgs,
    MonitoringArgs,
    SecretStoreKind,
    VpaArgs,
    VpaBoundsArgs,
)
from platform_components.kube.netpol import EgressRule, IngressRule, Peer, PortRef, Protocol
from platform_components.kube.probes import ProbeArgs, ProbeKind
from platform_components.kube.security import DEFAULT_UID
from platform_components.kube.traffic import ParentRef, PathMatch, PathMatchType, RouteArgs
from platform_components.workload import (
    CHECKOV_SKIP,
    DEFAULT_PRIORITY_CLASS,
    AutoscalingArgs,
    ContainerArgs,
    DisruptionArgs,
    ImagePullPolicy,
    MountArgs,
    NetworkArgs,
    PortArgs,
    ResourcesArgs,
    SeccompProfile,
    SecureWorkloadArgs,
    SecurityArgs,
    ServiceArgs,
    ServiceType,
    SpreadArgs,
    WhenUnsatisfiable,
    render_workload,
)
from pydantic import BaseModel

DIGEST = "sha256:" + "ab" * 32
SELECTOR = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": NAME}
RECOMMENDED = {
    "app.kubernetes.io/name": NAME,
    "app.kubernetes.io/instance": NAME,
    "app.kubernetes.io/component": "server",
    "app.kubernetes.io/part-of": NAMESPACE,
    "app.kubernetes.io/managed-by": "platform-components",
    "app.kubernetes.io/version": "1.4.2",
}
DNS_EGRESS = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
}


def render(**overrides: Any) -> dict[str, dict[str, Any]]:
    return render_workload(NAME, make_args(**overrides))


def pod_spec(manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = manifests["Deployment"]["spec"]["template"]["spec"]
    return spec


def main_container(manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    containers = pod_spec(manifests)["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def checkov_skips(manifests: dict[str, dict[str, Any]]) -> dict[str, str]:
    """check id -> reason, from the ``checkov.io/skipN`` annotations of the Deployment."""
    annotations = manifests["Deployment"]["metadata"].get("annotations") or {}
    out = {}
    for key, value in annotations.items():
        if key.startswith(CHECKOV_SKIP):
            check, _, reason = value.partition("=")
            out[check] = reason
    return out


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, Any]]:
    return render()


# --------------------------------------------------------------------------------------------------
# The table of every Field default


DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {
    PortArgs: {"protocol": Protocol.TCP, "expose": True, "service_port": None},
    ResourcesArgs: {"cpu": "100m", "memory": "128Mi", "memory_limit": None, "cpu_limit": None},
    SecurityArgs: {
        "run_as_user": 65532,
        "run_as_group": 65532,
        "fs_group": 65532,
        "run_as_non_root": True,
        "read_only_root_filesystem": True,
        "allow_privilege_escalation": False,
        "add_capabilities": [],
        "seccomp_profile": SeccompProfile.RUNTIME_DEFAULT,
        "localhost_profile": None,
    },
    MountArgs: {},
    RouteArgs: {
        "hostnames": [],
        "paths": [PathMatch(path="/", type=PathMatchType.PATH_PREFIX)],
        "port": None,
        "weight": 100,
        "secondary": None,
        "timeout": None,
    },
    ParentRef: {"namespace": None, "section_name": None, "kind": "Gateway"},
    PathMatch: {"path": "/", "type": PathMatchType.PATH_PREFIX},
    ContainerArgs: {
        "command": None,
        "args": None,
        "env": {},
        "ports": [],
        "resources": ResourcesArgs(cpu="10m", memory="32Mi"),
        "readiness": None,
    },
    AutoscalingArgs: {
        "min_replicas": 2,
        "max_replicas": 10,
        "target_cpu_utilization": 70,
        "target_memory_utilization": None,
        "scale_down_stabilization_seconds": 300,
    },
    DisruptionArgs: {"max_unavailable": 1, "min_available": None},
    SpreadArgs: {
        "enabled": True,
        "zone": WhenUnsatisfiable.SCHEDULE_ANYWAY,
        "host": WhenUnsatisfiable.SCHEDULE_ANYWAY,
    },
    ServiceArgs: {"enabled": True, "type": ServiceType.CLUSTER_IP, "annotations": {}},
    NetworkArgs: {"ingress": [], "egress": [], "allow_dns": True},
    ProbeArgs: {
        "kind": ProbeKind.HTTP,
        "path": "/healthz",
        "port": None,
        "command": [],
        "initial_delay_seconds": 0,
        "period_seconds": 10,
        "timeout_seconds": 2,
        "failure_threshold": 3,
    },
    PortRef: {"protocol": Protocol.TCP},
    Peer: {"namespace": None, "workload": None, "pod_labels": {}, "cidr": None, "except_cidrs": []},
    IngressRule: {
        "namespace": None,
        "workload": None,
        "pod_labels": {},
        "cidr": None,
        "except_cidrs": [],
        "ports": [],
    },
    EgressRule: {
        "namespace": None,
        "workload": None,
        "pod_labels": {},
        "cidr": None,
        "except_cidrs": [],
        "ports": [],
    },
    SecureWorkloadArgs: {
        "startup": None,
        "replicas": 2,
        "ports": [PortArgs(name="http", port=8080)],
        "command": None,
        "args": None,
        "env": {},
        "env_from_config_maps": [],
        "env_from_secrets": [],
        "secret_files": [],
        "config_files": [],
        "writable_paths": [],
        "tmp_size_limit": "256Mi",
        "resources": ResourcesArgs(),
        "security": SecurityArgs(),
        "image_pull_policy": ImagePullPolicy.ALWAYS,
        "image_pull_secrets": [],
        "container_name": "app",
        "version": None,
        "component": "server",
        "part_of": None,
        "labels": {},
        "pod_annotations": {},
        "service_account_annotations": {},
        "automount_service_account_token": False,
        "service": ServiceArgs(),
        "disruption": DisruptionArgs(),
        "autoscaling": None,
        "spread": SpreadArgs(),
        "network": NetworkArgs(),
        "route": None,
        "priority_class_name": "platform-medium",
        "termination_grace_period_seconds": 30,
        "pre_stop_sleep_seconds": 5,
        "min_ready_seconds": 0,
        "revision_history_limit": 5,
        "progress_deadline_seconds": 600,
        "init_containers": [],
        "sidecars": [],
        "policy_exemptions": {},
        "canary": None,
        "keda": None,
        "vpa": None,
        "monitoring": None,
        "external_secrets": [],
    },
    CanaryStepArgs: {"pause": "2m"},
    CanaryArgs: {
        "steps": [
            CanaryStepArgs(weight=10),
            CanaryStepArgs(weight=25),
            CanaryStepArgs(weight=50),
            CanaryStepArgs(weight=100),
        ],
        "max_surge": "25%",
        "max_unavailable": 0,
        "max_error_rate": 0.01,
        "interval": "1m",
        "count": None,
        "failure_limit": 1,
        "prometheus_address": "http://prometheus-operated.monitoring.svc.cluster.local:9090",
        "error_rate_query": DEFAULT_ERROR_RATE_QUERY,
    },
    KedaTriggerArgs: {"metadata": {}, "authentication": None, "metric_type": None},
    KedaArgs: {
        "min_replicas": 2,
        "max_replicas": 10,
        "polling_interval": 30,
        "cooldown_period": 300,
        "scale_down_stabilization_seconds": 300,
    },
    VpaBoundsArgs: {"cpu": None, "memory": None},
    VpaArgs: {"min_allowed": None, "max_allowed": None},
    MonitoringArgs: {
        "port": None,
        "path": "/metrics",
        "interval": "30s",
        "scrape_timeout": "10s",
        "labels": {},
        "prometheus_namespace": "monitoring",
        "alerts": True,
        "alert_error_rate": 0.05,
    },
    ExternalSecretDataArgs: {"property": None, "version": None},
    ExternalSecretArgs: {
        "store": "aws-secrets-manager",
        "store_kind": SecretStoreKind.CLUSTER_SECRET_STORE,
        "refresh_interval": "1h",
        "data": [],
        "data_from_key": None,
        "mount_path": None,
    },
}
REQUIRED: dict[type[BaseModel], set[str]] = {
    PortArgs: {"name", "port"},
    MountArgs: {"name", "mount_path"},
    ContainerArgs: {"name", "image"},
    PortRef: {"port"},
    RouteArgs: {"parent"},
    ParentRef: {"name"},
    SecureWorkloadArgs: {"namespace", "image", "readiness", "liveness"},
    CanaryStepArgs: {"weight"},
    KedaTriggerArgs: {"type"},
    KedaArgs: {"triggers"},
    ExternalSecretDataArgs: {"secret_key", "remote_key"},
    ExternalSecretArgs: {"target"},
}


@pytest.mark.parametrize("model", list(DEFAULTS), ids=lambda m: m.__name__)
def test_every_defaulted_field_is_in_the_table(model: type[BaseModel]) -> None:
    defaulted = {name for name, field in model.model_fields.items() if not field.is_required()}
    required = {name for name, field in model.model_fields.items() if field.is_required()}
    assert defaulted == set(DEFAULTS[model]), "add the new field's default to DEFAULTS and assert it below"
    assert required == REQUIRED.get(model, set())


@pytest.mark.parametrize(
    ("model", "field"),
    [(model, field) for model, fields in DEFAULTS.items() for field in fields],
    ids=lambda x: x if isinstance(x, str) else x.__name__,
)
def test_field_default_value(model: type[BaseModel], field: str) -> None:
    default = model.model_fields[field].get_default(call_default_factory=True)
    assert default == DEFAULTS[model][field]


@pytest.mark.parametrize("model", list(DEFAULTS), ids=lambda m: m.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    undocumented = [name for name, field in model.model_fields.items() if not field.description]
    assert undocumented == []


def test_default_uid_constant() -> None:
    assert DEFAULT_UID == 65532
    assert DEFAULT_PRIORITY_CLASS == "platform-medium"


def test_delivery_default_constants() -> None:
    assert DEFAULT_PROMETHEUS_ADDRESS == "http://prometheus-operated.monitoring.svc.cluster.local:9090"
    # 5xx over all requests of http_requests_total for the workload's Service, 0 without traffic
    assert DEFAULT_ERROR_RATE_QUERY == (
        '(sum(rate(http_requests_total{namespace="{{args.namespace}}",service="{{args.service}}",'
        'code=~"5.."}[2m])) or on() vector(0)) / (sum(rate(http_requests_total{'
        'namespace="{{args.namespace}}",service="{{args.service}}"}[2m])) > 0) or on() vector(0)'
    )


def test_no_delivery_objects_by_default(rendered: dict[str, dict[str, Any]]) -> None:
    # canary, keda, vpa, monitoring and external secrets are all off: none of their objects
    for kind in ("Rollout", "AnalysisTemplate", "ScaledObject", "VerticalPodAutoscaler"):
        assert kind not in rendered, kind
    for kind in ("ServiceMonitor", "PrometheusRule"):
        assert kind not in rendered, kind
    assert not [key for key in rendered if key.startswith("ExternalSecret")]


# --------------------------------------------------------------------------------------------------
# Children and metadata


def test_minimal_args_render_exactly_the_documented_children(rendered: dict[str, dict[str, Any]]) -> None:
    # replicas 2 -> a PDB; no autoscaling -> no HPA; a port exposed -> a Service.
    assert set(rendered) == {
        "ServiceAccount",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "NetworkPolicy",
    }


def test_every_object_is_named_like_the_workload_in_the_explicit_namespace() -> None:
    manifests = render(autoscaling={})
    assert "HorizontalPodAutoscaler" in manifests
    for kind, manifest in manifests.items():
        assert manifest["metadata"]["name"] == NAME, kind
        assert manifest["metadata"]["namespace"] == NAMESPACE, kind


def test_recommended_labels_on_every_object_and_the_pod_template(rendered: dict[str, dict[str, Any]]) -> None:
    for kind, manifest in rendered.items():
        assert manifest["metadata"]["labels"] == RECOMMENDED, kind
    assert rendered["Deployment"]["spec"]["template"]["metadata"]["labels"] == RECOMMENDED


def test_version_label_comes_from_the_image_tag() -> None:
    labels = render(image="ghcr.io/acme/api:2.0.1-rc.1")["Deployment"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/version"] == "2.0.1-rc.1"


def test_version_label_from_the_tag_even_with_a_digest() -> None:
    labels = render(image=f"{IMAGE}@{DIGEST}")["Deployment"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/version"] == "1.4.2"


def test_no_version_label_for_a_digest_only_image() -> None:
    labels = render(image=f"ghcr.io/acme/api@{DIGEST}")["Deployment"]["metadata"]["labels"]
    assert "app.kubernetes.io/version" not in labels


def test_explicit_version_component_and_part_of_override_the_defaults() -> None:
    labels = render(version="v7", component="worker", part_of="checkout")["Deployment"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/version"] == "v7"
    assert labels["app.kubernetes.io/component"] == "worker"
    assert labels["app.kubernetes.io/part-of"] == "checkout"


def test_part_of_defaults_to_the_namespace() -> None:
    labels = render(namespace="payments")["Service"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/part-of"] == "payments"


def test_extra_labels_are_added_to_every_object() -> None:
    manifests = render(labels={"team": "checkout"})
    for kind, manifest in manifests.items():
        assert manifest["metadata"]["labels"]["team"] == "checkout", kind
    # ... but never to a selector (that would orphan running pods)
    assert manifests["Deployment"]["spec"]["selector"]["matchLabels"] == SELECTOR


def test_no_annotations_by_default(rendered: dict[str, dict[str, Any]]) -> None:
    for kind in ("ServiceAccount", "Service", "PodDisruptionBudget", "NetworkPolicy"):
        assert "annotations" not in rendered[kind]["metadata"], kind
    assert "annotations" not in rendered["Deployment"]["spec"]["template"]["metadata"]


# --------------------------------------------------------------------------------------------------
# checkov skip annotations


def test_checkov_skips_only_the_cpu_limit_with_its_reason(rendered: dict[str, dict[str, Any]]) -> None:
    skips = checkov_skips(rendered)
    assert set(skips) == {"CKV_K8S_11"}
    assert all(reason.strip() for reason in skips.values())
    assert "CFS throttling" in skips["CKV_K8S_11"]
    # the only Deployment annotations are the skips (no exemption without policy_exemptions)
    assert all(k.startswith(CHECKOV_SKIP) for k in rendered["Deployment"]["metadata"]["annotations"])


def test_an_image_pinned_by_tag_is_not_excused() -> None:
    """A tag can be moved in a registry the platform does not control: checkov's CKV_K8S_43 (image by
    digest) stays a finding, with or without a digest nothing claims otherwise."""
    for image in (IMAGE, f"{IMAGE}@{DIGEST}"):
        assert "CKV_K8S_43" not in checkov_skips(render(image=image))


def test_no_cpu_limit_skip_when_cpu_limit_is_set() -> None:
    assert checkov_skips(render(resources={"cpu_limit": "500m"})) == {}


def test_no_skip_annotations_at_all_with_digest_and_cpu_limit() -> None:
    manifests = render(image=f"{IMAGE}@{DIGEST}", resources={"cpu_limit": "1"})
    assert "annotations" not in manifests["Deployment"]["metadata"]


# --------------------------------------------------------------------------------------------------
# Pod Security Standard restricted


def test_pod_security_context(rendered: dict[str, dict[str, Any]]) -> None:
    ctx = pod_spec(rendered)["securityContext"]
    assert ctx["runAsUser"] == 65532
    assert ctx["runAsGroup"] == 65532
    assert ctx["fsGroup"] == 65532
    assert ctx["runAsNonRoot"] is True
    assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}


def test_no_fs_group_when_set_to_none() -> None:
    ctx = pod_spec(render(security={"fs_group": None}))["securityContext"]
    assert "fsGroup" not in ctx


def test_container_security_context(rendered: dict[str, dict[str, Any]]) -> None:
    ctx = main_container(rendered)["securityContext"]
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["runAsNonRoot"] is True
    assert ctx["capabilities"] == {"drop": ["ALL"]}  # nothing added back
    assert ctx.get("privileged", False) is False


def test_added_capabilities_come_after_dropping_all() -> None:
    ctx = main_container(render(security={"add_capabilities": ["NET_BIND_SERVICE"]}))["securityContext"]
    assert ctx["capabilities"] == {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}


def test_localhost_seccomp_profile() -> None:
    ctx = pod_spec(
        render(security={"seccomp_profile": "Localhost", "localhost_profile": "profiles/api.json"})
    )
    assert ctx["securityContext"]["seccompProfile"] == {
        "type": "Localhost",
        "localhostProfile": "profiles/api.json",
    }


def test_tmp_is_an_emptydir_with_a_size_limit(rendered: dict[str, dict[str, Any]]) -> None:
    assert pod_spec(rendered)["volumes"] == [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}]
    assert main_container(rendered)["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]


def test_tmp_size_limit_is_configurable() -> None:
    assert pod_spec(render(tmp_size_limit="1Gi"))["volumes"][0]["emptyDir"] == {"sizeLimit": "1Gi"}


def test_writable_paths_are_extra_emptydirs() -> None:
    manifests = render(writable_paths=["/var/cache/app"])
    assert {"name": "writable-0", "emptyDir": {}} in pod_spec(manifests)["volumes"]
    assert {"name": "writable-0", "mountPath": "/var/cache/app"} in main_container(manifests)["volumeMounts"]


# --------------------------------------------------------------------------------------------------
# Service account


def test_dedicated_service_account_without_token(rendered: dict[str, dict[str, Any]]) -> None:
    assert rendered["ServiceAccount"]["metadata"]["name"] == NAME
    assert rendered["ServiceAccount"]["automountServiceAccountToken"] is False
    spec = pod_spec(rendered)
    assert spec["serviceAccountName"] == NAME
    assert spec["automountServiceAccountToken"] is False


def test_token_automount_when_asked() -> None:
    manifests = render(automount_service_account_token=True)
    assert manifests["ServiceAccount"]["automountServiceAccountToken"] is True
    assert pod_spec(manifests)["automountServiceAccountToken"] is True


def test_service_account_annotations() -> None:
    arn = "arn:aws:iam::123456789012:role/api"
    manifests = render(service_account_annotations={"eks.amazonaws.com/role-arn": arn})
    assert manifests["ServiceAccount"]["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": arn}


# --------------------------------------------------------------------------------------------------
# Resources


def test_requests_set_memory_limit_equals_request_no_cpu_limit(rendered: dict[str, dict[str, Any]]) -> None:
    resources = main_container(rendered)["resources"]
    assert resources["requests"] == {"cpu": "100m", "memory": "128Mi"}
    assert resources["limits"] == {"memory": "128Mi"}
    assert "cpu" not in resources["limits"]


def test_memory_limit_follows_a_custom_memory_request() -> None:
    resources = main_container(render(resources={"memory": "1Gi"}))["resources"]
    assert resources["requests"]["memory"] == "1Gi"
    assert resources["limits"] == {"memory": "1Gi"}


def test_explicit_limits() -> None:
    resources = main_container(render(resources={"memory_limit": "256Mi", "cpu_limit": "1"}))["resources"]
    assert resources["limits"] == {"memory": "256Mi", "cpu": "1"}
    assert resources["requests"] == {"cpu": "100m", "memory": "128Mi"}


# --------------------------------------------------------------------------------------------------
# Deployment


def test_two_replicas_and_a_safe_rolling_update(rendered: dict[str, dict[str, Any]]) -> None:
    spec = rendered["Deployment"]["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"},
    }
    assert spec["selector"] == {"matchLabels": SELECTOR}
    assert spec["minReadySeconds"] == 0
    assert spec["revisionHistoryLimit"] == 5
    assert spec["progressDeadlineSeconds"] == 600


def test_priority_class_grace_period_and_prestop(rendered: dict[str, dict[str, Any]]) -> None:
    spec = pod_spec(rendered)
    assert spec["priorityClassName"] == "platform-medium"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert main_container(rendered)["lifecycle"] == {"preStop": {"sleep": {"seconds": 5}}}


def test_no_priority_class_when_none() -> None:
    assert "priorityClassName" not in pod_spec(render(priority_class_name=None))


def test_no_prestop_hook_when_sleep_is_zero() -> None:
    assert "lifecycle" not in main_container(render(pre_stop_sleep_seconds=0))


def test_main_container_defaults(rendered: dict[str, dict[str, Any]]) -> None:
    container = main_container(rendered)
    assert container["name"] == "app"
    assert container["image"] == IMAGE
    assert container["imagePullPolicy"] == "Always"
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    for absent in ("command", "args", "env", "envFrom", "startupProbe"):
        assert absent not in container, absent


def test_pod_defaults(rendered: dict[str, dict[str, Any]]) -> None:
    spec = pod_spec(rendered)
    assert spec["enableServiceLinks"] is False
    for absent in ("initContainers", "imagePullSecrets"):
        assert absent not in spec, absent


# --------------------------------------------------------------------------------------------------
# Probes


def test_probe_defaults_http_get_on_the_first_port(rendered: dict[str, dict[str, Any]]) -> None:
    container = main_container(rendered)
    for key, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/livez")):
        assert container[key] == {
            "httpGet": {"path": path, "port": "http", "scheme": "HTTP"},
            "initialDelaySeconds": 0,
            "periodSeconds": 10,
            "timeoutSeconds": 2,
            "failureThreshold": 3,
            "successThreshold": 1,
        }, key


def test_probe_default_path_is_healthz() -> None:
    probe = main_container(render(liveness={}))["livenessProbe"]
    assert probe["httpGet"] == {"path": "/healthz", "port": "http", "scheme": "HTTP"}


def test_probe_port_defaults_to_the_first_declared_port() -> None:
    ports = [{"name": "web", "port": 9000}, {"name": "admin", "port": 9001}]
    container = main_container(render(ports=ports))
    assert container["readinessProbe"]["httpGet"]["port"] == "web"
    assert container["livenessProbe"]["httpGet"]["port"] == "web"


def test_tcp_probe_defaults_to_the_first_port() -> None:
    probe = main_container(render(readiness={"kind": "tcp"}))["readinessProbe"]
    assert probe["tcpSocket"] == {"port": "http"}
    assert probe["periodSeconds"] == 10
    assert probe["timeoutSeconds"] == 2
    assert probe["failureThreshold"] == 3


def test_grpc_probe_defaults_to_the_first_port_as_a_number() -> None:
    probe = main_container(render(readiness={"kind": "grpc"}))["readinessProbe"]
    assert probe["grpc"] == {"port": 8080}


def test_startup_probe_only_when_set() -> None:
    container = main_container(render(startup={"failure_threshold": 30}))
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http", "scheme": "HTTP"}
    assert container["startupProbe"]["failureThreshold"] == 30
    assert container["startupProbe"]["periodSeconds"] == 10


# --------------------------------------------------------------------------------------------------
# Ports and Service


def test_service_clusterip_with_named_target_port(rendered: dict[str, dict[str, Any]]) -> None:
    spec = rendered["Service"]["spec"]
    assert spec == {
        "type": "ClusterIP",
        "selector": SELECTOR,
        "ports": [{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}],
    }


def test_service_port_defaults_to_the_container_port_and_can_differ() -> None:
    spec = render(ports=[{"name": "http", "port": 8080, "service_port": 80}])["Service"]["spec"]
    assert spec["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]


def test_unexposed_ports_stay_off_the_service() -> None:
    ports = [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090, "expose": False}]
    manifests = render(ports=ports)
    assert [p["name"] for p in manifests["Service"]["spec"]["ports"]] == ["http"]
    assert [p["name"] for p in main_container(manifests)["ports"]] == ["http", "metrics"]


def test_no_service_without_exposed_ports() -> None:
    manifests = render(ports=[{"name": "http", "port": 8080, "expose": False}])
    assert "Service" not in manifests


def test_no_service_when_disabled() -> None:
    assert "Service" not in render(service={"enabled": False})


def test_service_type_and_annotations() -> None:
    manifests = render(service={"type": "LoadBalancer", "annotations": {"a.example.com/x": "y"}})
    assert manifests["Service"]["spec"]["type"] == "LoadBalancer"
    assert manifests["Service"]["metadata"]["annotations"] == {"a.example.com/x": "y"}


# --------------------------------------------------------------------------------------------------
# PDB, HPA, topology spread


def test_pdb_max_unavailable_one_and_always_allow(rendered: dict[str, dict[str, Any]]) -> None:
    assert rendered["PodDisruptionBudget"]["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": SELECTOR},
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


def test_no_pdb_with_one_replica() -> None:
    assert "PodDisruptionBudget" not in render(replicas=1)


def test_no_pdb_when_the_hpa_floor_is_one() -> None:
    manifests = render(autoscaling={"min_replicas": 1, "max_replicas": 3})
    assert "PodDisruptionBudget" not in manifests
    assert "HorizontalPodAutoscaler" in manifests


def test_pdb_with_min_available() -> None:
    spec = render(replicas=3, disruption={"min_available": 2})["PodDisruptionBudget"]["spec"]
    assert spec["minAvailable"] == 2
    assert "maxUnavailable" not in spec


def test_no_hpa_without_autoscaling(rendered: dict[str, dict[str, Any]]) -> None:
    assert "HorizontalPodAutoscaler" not in rendered


def test_hpa_defaults_and_no_replicas_on_the_deployment() -> None:
    manifests = render(autoscaling={})
    assert "replicas" not in manifests["Deployment"]["spec"]
    spec = manifests["HorizontalPodAutoscaler"]["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": NAME}
    assert spec["minReplicas"] == 2
    assert spec["maxReplicas"] == 10
    assert spec["metrics"] == [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
        }
    ]
    assert spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    # the HPA floor of 2 is guaranteed, so the PDB exists
    assert manifests["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1


def test_hpa_memory_target() -> None:
    spec = render(autoscaling={"target_cpu_utilization": None, "target_memory_utilization": 80})[
        "HorizontalPodAutoscaler"
    ]["spec"]
    assert [m["resource"]["name"] for m in spec["metrics"]] == ["memory"]


def test_topology_spread_over_zones_and_hosts(rendered: dict[str, dict[str, Any]]) -> None:
    constraints = pod_spec(rendered)["topologySpreadConstraints"]
    assert [(c["topologyKey"], c["whenUnsatisfiable"]) for c in constraints] == [
        ("topology.kubernetes.io/zone", "ScheduleAnyway"),
        ("kubernetes.io/hostname", "ScheduleAnyway"),
    ]
    for constraint in constraints:
        assert constraint["maxSkew"] == 1
        assert constraint["labelSelector"] == {"matchLabels": SELECTOR}


def test_no_topology_spread_with_one_replica() -> None:
    assert "topologySpreadConstraints" not in pod_spec(render(replicas=1))


def test_topology_spread_when_the_hpa_may_add_replicas() -> None:
    spec = pod_spec(render(autoscaling={"min_replicas": 1, "max_replicas": 3}))
    assert len(spec["topologySpreadConstraints"]) == 2


def test_no_topology_spread_when_the_hpa_cannot_exceed_one() -> None:
    spec = pod_spec(render(autoscaling={"min_replicas": 1, "max_replicas": 1}))
    assert "topologySpreadConstraints" not in spec


def test_no_topology_spread_when_disabled() -> None:
    assert "topologySpreadConstraints" not in pod_spec(render(spread={"enabled": False}))


def test_hard_topology_spread_when_asked() -> None:
    constraints = pod_spec(render(spread={"zone": "DoNotSchedule"}))["topologySpreadConstraints"]
    assert [c["whenUnsatisfiable"] for c in constraints] == ["DoNotSchedule", "ScheduleAnyway"]


# --------------------------------------------------------------------------------------------------
# NetworkPolicy


def test_network_policy_default_deny_with_dns_egress_only(rendered: dict[str, dict[str, Any]]) -> None:
    assert rendered["NetworkPolicy"]["spec"] == {
        "podSelector": {"matchLabels": SELECTOR},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [],
        "egress": [DNS_EGRESS],
    }


def test_network_policy_without_dns() -> None:
    spec = render(network={"allow_dns": False})["NetworkPolicy"]["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["egress"] == []


def test_ingress_rule_without_ports_allows_every_declared_port() -> None:
    ports = [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}]
    spec = render(ports=ports, network={"ingress": [{"workload": "web"}]})["NetworkPolicy"]["spec"]
    assert spec["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": dict.fromkeys(SELECTOR, "web")}}],
            "ports": [{"port": 8080, "protocol": "TCP"}, {"port": 9090, "protocol": "TCP"}],
        }
    ]


def test_egress_rule_without_ports_allows_any_port_and_port_protocol_defaults_to_tcp() -> None:
    egress = [{"namespace": "data", "workload": "db"}, {"cidr": "10.0.0.0/8", "ports": [{"port": 443}]}]
    spec = render(network={"egress": egress})["NetworkPolicy"]["spec"]
    assert spec["egress"][0] == DNS_EGRESS
    assert spec["egress"][1] == {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}},
                "podSelector": {"matchLabels": dict.fromkeys(SELECTOR, "db")},
            }
        ]
    }
    assert spec["egress"][2] == {
        "to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}],
        "ports": [{"port": 443, "protocol": "TCP"}],
    }


# --------------------------------------------------------------------------------------------------
# Extra containers (ContainerArgs defaults)


def test_container_args_defaults_render() -> None:
    extra = {"name": "helper", "image": "ghcr.io/acme/helper:1.0.0"}
    manifests = render(init_containers=[extra], sidecars=[{**extra, "name": "proxy"}])
    init, sidecar = pod_spec(manifests)["initContainers"]
    for container in (init, sidecar):
        assert container["resources"] == {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"memory": "32Mi"},
        }
        assert container["imagePullPolicy"] == "Always"
        assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
        for absent in ("command", "args", "env", "ports", "readinessProbe"):
            assert absent not in container, absent
    assert "restartPolicy" not in init
    assert sidecar["restartPolicy"] == "Always"


def test_image_pull_policy_if_not_present_applies_to_every_container() -> None:
    extra = {"name": "proxy", "image": "ghcr.io/acme/proxy:1.0.0"}
    manifests = render(image_pull_policy="IfNotPresent", sidecars=[extra])
    assert main_container(manifests)["imagePullPolicy"] == "IfNotPresent"
    assert pod_spec(manifests)["initContainers"][0]["imagePullPolicy"] == "IfNotPresent"
