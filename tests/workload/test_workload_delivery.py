"""SecureWorkload delivery and scaling options: canary (Argo Rollouts), KEDA, VPA, monitoring
(ServiceMonitor + PrometheusRule) and external secrets.

Each feature is previewed through the offline engine, which validates every custom resource against
the upstream CRD schemas in ``components/platform_components/schemas/`` (structural schema and CEL rules), so
``preview.clean`` means the objects would be accepted by the API server and pass the platform
policies. Field-level assertions follow, then transitions (HPA -> KEDA, Deployment -> Rollout) and
the validation errors.
"""

from __future__ import annotations

from typing import Any

import pytest
from _workload_args import NAME, NAMESPACE, SQS_TRIGGER, make_args
from platform_components import ExternalRef, SecureWorkload
from platform_components.kube.delivery import DEFAULT_ERROR_RATE_QUERY, error_rate_expr
from platform_components.namespace import MeshMode
from platform_components.policies.base import EXEMPT_PREFIX
from platform_components.testing import Preview, preview_function
from platform_components.workload import TYPE_TOKEN, render_mesh, render_workload
from pydantic import ValidationError

SELECTOR = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": NAME}
ROLLOUT_REF = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": NAME}
DEPLOYMENT_REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": NAME}
METRICS_PORTS = [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}]


def preview_workload(*, externals: list[ExternalRef] | None = None, **overrides: Any) -> Preview:
    args = make_args(**overrides)
    return preview_function(lambda: SecureWorkload(NAME, args, externals=externals or ()))


def children(result: Preview) -> dict[str, str]:
    """Logical name -> type token of the component's children."""
    component = result.resource(TYPE_TOKEN, NAME)
    return {r.name: r.type for r in result.resources if r.parent == component.urn}


def clean(result: Preview) -> Preview:
    assert result.clean, result.problems()
    return result


# --------------------------------------------------------------------------------------------------
# Canary: an Argo Rollout instead of the Deployment


def test_canary_renders_a_valid_rollout_and_analysis_template_and_no_deployment() -> None:
    result = clean(preview_workload(canary={}))
    kids = children(result)
    assert kids[f"{NAME}-rollout"] == "kubernetes:argoproj.io/v1alpha1:Rollout"
    assert kids[f"{NAME}-analysis"] == "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate"
    assert f"{NAME}-deployment" not in kids
    assert not [m for m in result.manifests if m["kind"] == "Deployment"]
    rollout = result.manifest("Rollout", NAME, NAMESPACE)
    assert rollout["apiVersion"] == "argoproj.io/v1alpha1"


def test_rollout_keeps_the_pod_template_replicas_and_history_of_the_deployment() -> None:
    plain = render_workload(NAME, make_args(replicas=3, min_ready_seconds=10))["Deployment"]
    rollout = render_workload(NAME, make_args(replicas=3, min_ready_seconds=10, canary={}))["Rollout"]
    spec = rollout["spec"]
    assert spec["selector"] == plain["spec"]["selector"] == {"matchLabels": SELECTOR}
    assert spec["replicas"] == 3
    assert spec["minReadySeconds"] == 10
    assert spec["revisionHistoryLimit"] == plain["spec"]["revisionHistoryLimit"]
    assert spec["progressDeadlineSeconds"] == plain["spec"]["progressDeadlineSeconds"]
    assert "rollingUpdate" not in str(spec["strategy"])
    # the pod template is the Deployment's, except that topology spread names the revision label of
    # Argo Rollouts (Rollout pods carry rollouts-pod-template-hash, not pod-template-hash)
    template = spec["template"]
    expected = plain["spec"]["template"]
    constraints = template["spec"].pop("topologySpreadConstraints")
    deployment_constraints = expected["spec"].pop("topologySpreadConstraints")
    assert template == expected
    assert [c["matchLabelKeys"] for c in constraints] == [["rollouts-pod-template-hash"]] * 2
    for ours, theirs in zip(constraints, deployment_constraints, strict=True):
        assert {**ours, "matchLabelKeys": theirs["matchLabelKeys"]} == theirs


def test_rollout_carries_the_deployment_annotations_and_policy_exemptions() -> None:
    reason = "vendor image only published as latest; tracked in SEC-123"
    overrides: dict[str, Any] = {
        "image": "ghcr.io/acme/api:latest",
        "policy_exemptions": {"img-pinned": reason},
        "env_from_secrets": ["api-env"],
    }
    plain = render_workload(NAME, make_args(**overrides))["Deployment"]["metadata"]
    result = clean(preview_workload(canary={}, **overrides))
    rollout = result.manifest("Rollout", NAME)
    assert rollout["metadata"]["annotations"] == plain["annotations"]
    assert rollout["metadata"]["annotations"][EXEMPT_PREFIX + "img-pinned"] == reason
    assert rollout["metadata"]["labels"] == plain["labels"]


def test_canary_steps_default_weights_and_pauses() -> None:
    canary = render_workload(NAME, make_args(canary={}))["Rollout"]["spec"]["strategy"]["canary"]
    assert canary["steps"] == [
        {"setWeight": 10},
        {"pause": {"duration": "2m"}},
        {"setWeight": 25},
        {"pause": {"duration": "2m"}},
        {"setWeight": 50},
        {"pause": {"duration": "2m"}},
        {"setWeight": 100},
        {"pause": {"duration": "2m"}},
    ]
    assert canary["maxSurge"] == "25%"
    assert canary["maxUnavailable"] == 0
    assert "trafficRouting" not in canary  # weights are approximated by replica counts


def test_canary_custom_steps_and_an_explicit_indefinite_pause() -> None:
    steps = [{"weight": 20, "pause": "30s"}, {"weight": 60, "pause": None}, {"weight": 100, "pause": "1h"}]
    result = clean(preview_workload(canary={"steps": steps, "max_surge": 1, "max_unavailable": "10%"}))
    canary = result.manifest("Rollout", NAME)["spec"]["strategy"]["canary"]
    assert canary["steps"] == [
        {"setWeight": 20},
        {"pause": {"duration": "30s"}},
        {"setWeight": 60},
        {"pause": {}},  # waits for `kubectl argo rollouts promote`
        {"setWeight": 100},
        {"pause": {"duration": "1h"}},
    ]
    assert (canary["maxSurge"], canary["maxUnavailable"]) == (1, "10%")


def test_canary_background_analysis_references_the_template_and_passes_its_args() -> None:
    manifests = render_workload(NAME, make_args(canary={}))
    analysis = manifests["Rollout"]["spec"]["strategy"]["canary"]["analysis"]
    assert analysis == {
        "templates": [{"templateName": NAME}],
        "startingStep": 1,
        "args": [{"name": "service", "value": NAME}, {"name": "namespace", "value": NAMESPACE}],
    }
    template = manifests["AnalysisTemplate"]
    assert template["metadata"]["name"] == NAME
    assert template["spec"]["args"] == [{"name": "service"}, {"name": "namespace"}]
    (metric,) = template["spec"]["metrics"]
    assert metric == {
        "name": "error-rate",
        "interval": "1m",
        "successCondition": "result[0] <= 0.01",
        "failureLimit": 1,
        "provider": {
            "prometheus": {
                "address": "http://prometheus-operated.monitoring.svc.cluster.local:9090",
                "query": DEFAULT_ERROR_RATE_QUERY,
            }
        },
    }
    # the query only uses the args the Rollout passes
    assert "{{args.service}}" in metric["provider"]["prometheus"]["query"]
    assert "{{args.namespace}}" in metric["provider"]["prometheus"]["query"]


def test_canary_analysis_settings_are_configurable() -> None:
    query = 'sum(rate(errors_total{svc="{{args.service}}",ns="{{ args.namespace }}"}[1m]))'
    canary = {
        "max_error_rate": 0.005,
        "interval": "30s",
        "count": 10,
        "failure_limit": 3,
        "prometheus_address": "http://prometheus.obs.svc:9090",
        "error_rate_query": query,
    }
    result = clean(preview_workload(canary=canary))
    (metric,) = result.manifest("AnalysisTemplate", NAME)["spec"]["metrics"]
    assert metric["successCondition"] == "result[0] <= 0.005"
    assert (metric["interval"], metric["count"], metric["failureLimit"]) == ("30s", 10, 3)
    assert metric["provider"]["prometheus"] == {"address": "http://prometheus.obs.svc:9090", "query": query}


def test_enabling_canary_keeps_the_service_urn_and_manifest_and_the_other_children() -> None:
    overrides: dict[str, Any] = {"network": {"ingress": [{"namespace": "edge", "workload": "gateway"}]}}
    edge = [ExternalRef(namespace="edge", name="gateway")]
    before = clean(preview_workload(externals=edge, **overrides))
    after = clean(preview_workload(canary={}, externals=edge, **overrides))
    service_type = "kubernetes:core/v1:Service"
    assert (
        after.resource(service_type, f"{NAME}-service").urn
        == before.resource(service_type, f"{NAME}-service").urn
    )
    assert after.manifest("Service", NAME) == before.manifest("Service", NAME)
    assert after.manifest("Service", NAME)["spec"]["selector"] == SELECTOR
    for kind in ("PodDisruptionBudget", "NetworkPolicy", "ServiceAccount"):
        assert after.manifest(kind, NAME) == before.manifest(kind, NAME), kind
    # the HTTPRoute (its parent Gateway is not in this test stack, so it is compared rendered)
    route = {"parent": {"name": "public", "namespace": "edge"}}
    assert (
        render_workload(NAME, make_args(route=route, canary={}))["HTTPRoute"]
        == render_workload(NAME, make_args(route=route))["HTTPRoute"]
    )
    added = set(children(after)) - set(children(before))
    removed = set(children(before)) - set(children(after))
    assert added == {f"{NAME}-rollout", f"{NAME}-analysis"}
    assert removed == {f"{NAME}-deployment"}


def test_mesh_objects_do_not_change_with_canary() -> None:
    network = {"ingress": [{"namespace": "edge", "workload": "gateway"}]}
    for mesh in (MeshMode.ISTIO_AMBIENT, MeshMode.LINKERD):
        assert render_mesh(NAME, make_args(network=network, canary={}), mesh) == render_mesh(
            NAME, make_args(network=network), mesh
        )


def test_hpa_targets_the_rollout_with_canary() -> None:
    result = clean(preview_workload(canary={}, autoscaling={"min_replicas": 3}))
    hpa = result.manifest("HorizontalPodAutoscaler", NAME)
    assert hpa["spec"]["scaleTargetRef"] == ROLLOUT_REF
    assert "replicas" not in result.manifest("Rollout", NAME)["spec"]  # the HPA owns it
    assert children(result)[f"{NAME}-hpa"] == "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"


def test_keda_targets_the_rollout_with_canary() -> None:
    result = clean(preview_workload(canary={}, keda={"triggers": [SQS_TRIGGER]}))
    assert result.manifest("ScaledObject", NAME)["spec"]["scaleTargetRef"] == ROLLOUT_REF
    assert "replicas" not in result.manifest("Rollout", NAME)["spec"]


def test_component_outputs_name_the_rollout() -> None:
    def program() -> None:
        import pulumi

        workload = SecureWorkload(NAME, make_args(canary={}))
        pulumi.export("rollout", workload.rollout_name)
        pulumi.export("deployment", workload.deployment_name)

    assert preview_function(program).outputs == {"rollout": NAME}  # deployment_name is None


def test_without_canary_the_outputs_name_the_deployment() -> None:
    def program() -> None:
        import pulumi

        workload = SecureWorkload(NAME, make_args())
        pulumi.export("rollout", workload.rollout_name)
        pulumi.export("deployment", workload.deployment_name)

    assert preview_function(program).outputs == {"deployment": NAME}  # rollout_name is None


# --------------------------------------------------------------------------------------------------
# KEDA


def test_keda_scaled_object_defaults() -> None:
    result = clean(preview_workload(keda={"triggers": [SQS_TRIGGER]}))
    assert children(result)[f"{NAME}-scaledobject"] == "kubernetes:keda.sh/v1alpha1:ScaledObject"
    spec = result.manifest("ScaledObject", NAME, NAMESPACE)["spec"]
    assert spec["scaleTargetRef"] == DEPLOYMENT_REF
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (2, 10)
    assert (spec["pollingInterval"], spec["cooldownPeriod"]) == (30, 300)
    assert spec["triggers"] == [
        {
            "type": "aws-sqs-queue",
            "metadata": SQS_TRIGGER["metadata"],
            "authenticationRef": {"name": "orders-queue"},
        }
    ]
    # the same scale-down stabilisation and policies as the HPA
    hpa = render_workload(NAME, make_args(autoscaling={}))["HorizontalPodAutoscaler"]["spec"]
    assert spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"] == hpa["behavior"]
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    # KEDA owns the replica count; a floor of 2 keeps the PDB
    assert "replicas" not in result.manifest("Deployment", NAME)["spec"]
    assert result.manifest("PodDisruptionBudget", NAME)["spec"]["maxUnavailable"] == 1


def test_keda_cpu_trigger_with_metric_type_and_custom_bounds() -> None:
    keda = {
        "triggers": [{"type": "cpu", "metric_type": "Utilization", "metadata": {"value": "60"}}],
        "min_replicas": 3,
        "max_replicas": 30,
        "polling_interval": 15,
        "cooldown_period": 120,
        "scale_down_stabilization_seconds": 600,
    }
    spec = clean(preview_workload(keda=keda)).manifest("ScaledObject", NAME)["spec"]
    assert spec["triggers"] == [{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "60"}}]
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (3, 30)
    assert (spec["pollingInterval"], spec["cooldownPeriod"]) == (15, 120)
    behavior = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
    assert behavior["scaleDown"]["stabilizationWindowSeconds"] == 600


def test_switching_from_hpa_to_keda_removes_the_hpa() -> None:
    hpa = clean(preview_workload(autoscaling={}))
    keda = clean(preview_workload(keda={"triggers": [SQS_TRIGGER]}))
    assert set(children(hpa)) - set(children(keda)) == {f"{NAME}-hpa"}
    assert set(children(keda)) - set(children(hpa)) == {f"{NAME}-scaledobject"}
    assert not [m for m in keda.manifests if m["kind"] == "HorizontalPodAutoscaler"]


def test_keda_scale_to_zero_drops_the_pdb_and_keeps_the_spread() -> None:
    trigger = {**SQS_TRIGGER}
    args = make_args(keda={"triggers": [trigger], "min_replicas": 0, "max_replicas": 5})
    assert args.minimum_replicas == 0
    assert args.maximum_replicas == 5
    manifests = render_workload(NAME, args)
    assert manifests["ScaledObject"]["spec"]["minReplicaCount"] == 0
    assert "PodDisruptionBudget" not in manifests  # 0 or 1 replicas may run: a PDB would block drains
    assert len(manifests["Deployment"]["spec"]["template"]["spec"]["topologySpreadConstraints"]) == 2
    clean(preview_function(lambda: SecureWorkload(NAME, args)))


def test_keda_floor_of_one_has_no_pdb() -> None:
    manifests = render_workload(NAME, make_args(keda={"triggers": [SQS_TRIGGER], "min_replicas": 1}))
    assert "PodDisruptionBudget" not in manifests


# --------------------------------------------------------------------------------------------------
# VPA (recommendations only)


def test_vpa_recommends_only() -> None:
    result = clean(preview_workload(vpa={}))
    assert children(result)[f"{NAME}-vpa"] == "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler"
    spec = result.manifest("VerticalPodAutoscaler", NAME, NAMESPACE)["spec"]
    assert spec == {
        "targetRef": DEPLOYMENT_REF,
        "updatePolicy": {"updateMode": "Off"},
        "resourcePolicy": {
            "containerPolicies": [{"containerName": "app", "controlledResources": ["cpu", "memory"]}]
        },
    }


def test_vpa_bounds_and_rollout_target() -> None:
    vpa = {"min_allowed": {"cpu": "50m", "memory": "64Mi"}, "max_allowed": {"memory": "2Gi"}}
    result = clean(preview_workload(vpa=vpa, canary={}, container_name="server"))
    spec = result.manifest("VerticalPodAutoscaler", NAME)["spec"]
    assert spec["targetRef"] == ROLLOUT_REF
    assert spec["updatePolicy"] == {"updateMode": "Off"}
    assert spec["resourcePolicy"]["containerPolicies"] == [
        {
            "containerName": "server",
            "controlledResources": ["cpu", "memory"],
            "minAllowed": {"cpu": "50m", "memory": "64Mi"},
            "maxAllowed": {"memory": "2Gi"},
        }
    ]


def test_vpa_offers_no_update_mode() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        make_args(vpa={"update_mode": "Auto"})


# --------------------------------------------------------------------------------------------------
# Monitoring


def test_monitoring_service_monitor_defaults_to_the_metrics_port() -> None:
    result = clean(preview_workload(ports=METRICS_PORTS, monitoring={}))
    kids = children(result)
    assert kids[f"{NAME}-servicemonitor"] == "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
    assert kids[f"{NAME}-alerts"] == "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
    monitor = result.manifest("ServiceMonitor", NAME, NAMESPACE)
    assert monitor["spec"] == {
        "selector": {"matchLabels": SELECTOR},
        "namespaceSelector": {"matchNames": [NAMESPACE]},
        "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "30s", "scrapeTimeout": "10s"}],
    }
    # the ServiceMonitor selects the Service by labels the Service carries
    service = result.manifest("Service", NAME)
    assert SELECTOR.items() <= service["metadata"]["labels"].items()
    assert "metrics" in [p["name"] for p in service["spec"]["ports"]]


def test_monitoring_defaults_to_the_first_exposed_port_without_a_metrics_port() -> None:
    manifests = render_workload(NAME, make_args(monitoring={}))
    assert manifests["ServiceMonitor"]["spec"]["endpoints"][0]["port"] == "http"


def test_monitoring_settings_and_selector_labels() -> None:
    monitoring = {
        "port": "http",
        "path": "/internal/metrics",
        "interval": "1m",
        "scrape_timeout": "20s",
        "labels": {"release": "kube-prometheus-stack"},
    }
    result = clean(preview_workload(ports=METRICS_PORTS, monitoring=monitoring))
    for kind in ("ServiceMonitor", "PrometheusRule"):
        labels = result.manifest(kind, NAME)["metadata"]["labels"]
        assert labels["release"] == "kube-prometheus-stack", kind
        assert labels["app.kubernetes.io/name"] == NAME, kind
    endpoint = result.manifest("ServiceMonitor", NAME)["spec"]["endpoints"][0]
    assert endpoint == {"port": "http", "path": "/internal/metrics", "interval": "1m", "scrapeTimeout": "20s"}


def test_monitoring_admits_prometheus_in_the_network_policy_on_the_metrics_port_only() -> None:
    network = {"ingress": [{"namespace": "edge", "workload": "gateway", "ports": ["http"]}]}
    spec = render_workload(NAME, make_args(ports=METRICS_PORTS, network=network, monitoring={}))[
        "NetworkPolicy"
    ]["spec"]
    assert spec["ingress"][-1] == {
        "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
        "ports": [{"port": 9090, "protocol": "TCP"}],
    }
    assert len(spec["ingress"]) == 2  # the declared caller is unchanged
    other = render_workload(
        NAME, make_args(ports=METRICS_PORTS, monitoring={"prometheus_namespace": "observability"})
    )["NetworkPolicy"]["spec"]["ingress"]
    assert other[0]["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "observability"
    }


def test_monitoring_admits_prometheus_in_the_mesh() -> None:
    args = make_args(ports=METRICS_PORTS, monitoring={})
    ((_suffix, authz),) = render_mesh(NAME, args, MeshMode.ISTIO_AMBIENT)
    assert {
        "from": [{"source": {"namespaces": ["monitoring"]}}],
        "to": [{"operation": {"ports": ["9090"]}}],
    } in (authz["spec"]["rules"])
    objects = dict(render_mesh(NAME, args, MeshMode.LINKERD))
    assert objects["callers-metrics"]["spec"]["identities"] == [
        "*.monitoring.serviceaccount.identity.linkerd.cluster.local"
    ]
    assert objects["server-metrics"]["spec"]["port"] == "metrics"
    assert "server-http" not in objects  # no caller declared on http: the namespace deny-all applies


def test_monitoring_in_a_meshed_namespace_previews_clean() -> None:
    args = make_args(ports=METRICS_PORTS, monitoring={})
    for mesh in (MeshMode.ISTIO_AMBIENT, MeshMode.LINKERD):
        clean(preview_function(lambda mesh=mesh: SecureWorkload(NAME, args, mesh=mesh)))


def test_prometheus_rule_has_the_availability_alerts() -> None:
    result = clean(preview_workload(ports=METRICS_PORTS, monitoring={}))
    (group,) = result.manifest("PrometheusRule", NAME, NAMESPACE)["spec"]["groups"]
    rules = {rule["alert"]: rule for rule in group["rules"]}
    assert list(rules) == ["ApiTargetDown", "ApiCrashLooping", "ApiReplicasUnavailable", "ApiHighErrorRate"]
    for rule in rules.values():
        assert rule["for"]
        assert rule["labels"]["severity"] in ("critical", "warning")
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["description"]
    up = 'up{job="api",namespace="shop"}'
    assert rules["ApiTargetDown"]["expr"] == f"sum({up}) == 0 or absent({up})"
    assert "kube_pod_container_status_restarts_total" in rules["ApiCrashLooping"]["expr"]
    assert 'container="app"' in rules["ApiCrashLooping"]["expr"]
    assert rules["ApiReplicasUnavailable"]["expr"] == (
        'kube_deployment_spec_replicas{namespace="shop",deployment="api"} - '
        'kube_deployment_status_replicas_available{namespace="shop",deployment="api"} > 0'
    )
    # the error-rate alert uses the canary analysis expression, for this Service, at 5%
    assert rules["ApiHighErrorRate"]["expr"] == f"({error_rate_expr(NAME, NAMESPACE)}) > 0.05"


def test_alerts_follow_the_rollout_and_a_custom_canary_query() -> None:
    query = 'sum(rate(errors_total{svc="{{args.service}}",ns="{{args.namespace}}"}[1m]))'
    manifests = render_workload(
        NAME,
        make_args(monitoring={"alert_error_rate": 0.1}, canary={"error_rate_query": query}),
    )
    rules = {r["alert"]: r for r in manifests["PrometheusRule"]["spec"]["groups"][0]["rules"]}
    assert rules["ApiReplicasUnavailable"]["expr"].startswith(
        'rollout_info_replicas_desired{namespace="shop",name="api"}'
    )
    assert rules["ApiHighErrorRate"]["expr"] == '(sum(rate(errors_total{svc="api",ns="shop"}[1m]))) > 0.1'


def test_alert_names_are_camel_case_and_scale_to_zero_drops_absent() -> None:
    name = "order-worker"
    args = make_args(monitoring={}, keda={"triggers": [SQS_TRIGGER], "min_replicas": 0})
    rules = render_workload(name, args)["PrometheusRule"]["spec"]["groups"][0]["rules"]
    assert rules[0]["alert"] == "OrderWorkerTargetDown"
    assert "absent" not in rules[0]["expr"]  # no pod at all is normal when scaled to zero


def test_monitoring_without_alerts() -> None:
    manifests = render_workload(NAME, make_args(monitoring={"alerts": False}))
    assert "ServiceMonitor" in manifests
    assert "PrometheusRule" not in manifests


# --------------------------------------------------------------------------------------------------
# External secrets


def test_external_secrets_render_valid_objects_and_mount_like_secret_files() -> None:
    external = [
        {
            "target": "db-creds",
            "data": [
                {"secret_key": "password", "remote_key": "prod/shop/db", "property": "password"},
                {
                    "secret_key": "username",
                    "remote_key": "prod/shop/db",
                    "property": "username",
                    "version": "AWSPREVIOUS",
                },
            ],
            "mount_path": "/var/run/secrets/db",
        },
        {"target": "api-keys", "data_from_key": "prod/shop/api-keys"},
    ]
    result = clean(
        preview_workload(
            secret_files=[{"name": "tls", "mount_path": "/etc/tls"}],
            external_secrets=external,
        )
    )
    kids = children(result)
    assert kids[f"{NAME}-externalsecret-db-creds"] == "kubernetes:external-secrets.io/v1:ExternalSecret"
    assert kids[f"{NAME}-externalsecret-api-keys"] == "kubernetes:external-secrets.io/v1:ExternalSecret"
    db = result.manifest("ExternalSecret", "db-creds", NAMESPACE)["spec"]
    assert db == {
        "refreshInterval": "1h",
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"},
        "target": {"name": "db-creds", "creationPolicy": "Owner", "deletionPolicy": "Retain"},
        "data": [
            {"secretKey": "password", "remoteRef": {"key": "prod/shop/db", "property": "password"}},
            {
                "secretKey": "username",
                "remoteRef": {"key": "prod/shop/db", "property": "username", "version": "AWSPREVIOUS"},
            },
        ],
    }
    keys = result.manifest("ExternalSecret", "api-keys", NAMESPACE)["spec"]
    assert keys["dataFrom"] == [{"extract": {"key": "prod/shop/api-keys"}}]
    assert "data" not in keys
    # mounted read-only after secret_files, exactly like them; never in the environment
    pod = result.manifest("Deployment", NAME)["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert {"name": "secret-1", "mountPath": "/var/run/secrets/db", "readOnly": True} in container[
        "volumeMounts"
    ]
    assert {"name": "secret-1", "secret": {"secretName": "db-creds", "defaultMode": 0o440}} in pod["volumes"]
    assert {"name": "secret-0", "secret": {"secretName": "tls", "defaultMode": 0o440}} in pod["volumes"]
    assert "api-keys" not in str(pod)  # not mounted: no mount_path
    assert "env" not in container
    assert "envFrom" not in container


def test_external_secret_store_settings() -> None:
    secret = {
        "target": "creds",
        "store": "team-store",
        "store_kind": "SecretStore",
        "refresh_interval": "15m",
        "data_from_key": "team/creds",
    }
    spec = clean(preview_workload(external_secrets=[secret])).manifest("ExternalSecret", "creds")["spec"]
    assert spec["secretStoreRef"] == {"kind": "SecretStore", "name": "team-store"}
    assert spec["refreshInterval"] == "15m"


def test_the_deployment_waits_for_the_external_secrets() -> None:
    result = preview_workload(
        external_secrets=[{"target": "creds", "data_from_key": "x", "mount_path": "/etc/c"}]
    )
    deployment = result.resource("kubernetes:apps/v1:Deployment", f"{NAME}-deployment")
    secret = result.resource(
        "kubernetes:external-secrets.io/v1:ExternalSecret", f"{NAME}-externalsecret-creds"
    )
    assert secret.urn in deployment.dependencies


# --------------------------------------------------------------------------------------------------
# Everything at once


def test_every_option_together_previews_clean() -> None:
    result = clean(
        preview_workload(
            ports=METRICS_PORTS,
            canary={"steps": [{"weight": 25}, {"weight": 100}]},
            keda={"triggers": [SQS_TRIGGER]},
            vpa={},
            monitoring={},
            external_secrets=[{"target": "creds", "data_from_key": "prod/creds", "mount_path": "/etc/creds"}],
            sidecars=[
                {
                    "name": "proxy",
                    "image": "ghcr.io/acme/proxy:1.0.0",
                    "ports": [{"name": "admin", "port": 15000}],
                }
            ],
            startup={"failure_threshold": 30},
        )
    )
    assert set(children(result)) == {
        f"{NAME}-{role}"
        for role in (
            "sa",
            "externalsecret-creds",
            "analysis",
            "rollout",
            "service",
            "pdb",
            "scaledobject",
            "vpa",
            "netpol",
            "servicemonitor",
            "alerts",
        )
    }


# --------------------------------------------------------------------------------------------------
# Bad input: a ValidationError (a ValueError) naming the field and the fix


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"autoscaling": {}, "keda": {"triggers": [SQS_TRIGGER]}},
            r"autoscaling \(HPA\) and keda are both set; KEDA creates its own HPA, keep one",
            id="hpa-and-keda",
        ),
        pytest.param(
            {"replicas": 3, "keda": {"triggers": [SQS_TRIGGER]}},
            r"replicas and keda are both set.*keda\.min_replicas",
            id="replicas-and-keda",
        ),
        pytest.param(
            {"keda": {"triggers": []}},
            r"keda\.triggers is empty; give at least one trigger",
            id="keda-no-trigger",
        ),
        pytest.param(
            {"keda": {"triggers": [SQS_TRIGGER], "min_replicas": 5, "max_replicas": 3}},
            r"keda\.max_replicas=3 is below keda\.min_replicas=5",
            id="keda-max-below-min",
        ),
        pytest.param(
            {"keda": {"triggers": [{"type": "cpu", "metadata": {"value": "60"}}], "min_replicas": 0}},
            r"keda\.min_replicas 0 \(scale to zero\) needs an event trigger",
            id="keda-zero-with-cpu-only",
        ),
        pytest.param(
            {"canary": {"steps": [{"weight": 10}, {"weight": 50}]}},
            r"canary\.steps weights \[10, 50\] do not rise to 100; end with a step of weight 100",
            id="canary-not-ending-at-100",
        ),
        pytest.param(
            {"canary": {"steps": [{"weight": 50}, {"weight": 20}, {"weight": 100}]}},
            r"canary\.steps weights \[50, 20, 100\] must rise strictly",
            id="canary-weights-falling",
        ),
        pytest.param(
            {"canary": {"steps": [{"weight": 50}, {"weight": 50}, {"weight": 100}]}},
            r"canary\.steps weights \[50, 50, 100\] must rise strictly",
            id="canary-weights-repeated",
        ),
        pytest.param({"canary": {"steps": []}}, r"canary\.steps is empty", id="canary-no-steps"),
        pytest.param(
            {"canary": {"steps": [{"weight": 0}, {"weight": 100}]}},
            r"canary step weight 0 must be between 1 and 100",
            id="canary-weight-zero",
        ),
        pytest.param(
            {"canary": {"steps": [{"weight": 150}]}},
            r"canary step weight 150 must be between 1 and 100",
            id="canary-weight-above-100",
        ),
        pytest.param(
            {"canary": {"steps": [{"weight": 100, "pause": "2 minutes"}]}},
            r"canary step pause '2 minutes' is not a duration: use a whole number with s, m or h",
            id="canary-pause-not-a-duration",
        ),
        pytest.param(
            {"canary": {"steps": [{"weight": 100, "pause": "1m30s"}]}},
            r"canary step pause '1m30s' is not a duration",
            id="canary-pause-compound",
        ),
        pytest.param(
            {"canary": {"max_surge": 0, "max_unavailable": 0}},
            r"canary\.max_surge and canary\.max_unavailable are both 0",
            id="canary-no-surge-no-unavailable",
        ),
        pytest.param(
            {"canary": {"max_surge": "lots"}},
            r"canary\.max_surge 'lots' must be a whole number or a percentage",
            id="canary-bad-surge",
        ),
        pytest.param(
            {"canary": {"error_rate_query": 'sum(rate(x{app="{{args.app}}"}[1m]))'}},
            r"canary\.error_rate_query uses \['args\.app'\]; only \{\{args\.service\}\} and \{\{args\.namespace\}\}",
            id="canary-query-unknown-arg",
        ),
        pytest.param({"canary": {"max_error_rate": 1.5}}, r"max_error_rate", id="canary-error-rate-above-1"),
        pytest.param(
            {"ports": METRICS_PORTS, "monitoring": {"port": "admin"}},
            r"monitoring\.port 'admin' is not a declared port; use one of \['http', 'metrics'\]",
            id="monitoring-port-undeclared",
        ),
        pytest.param(
            {
                "ports": [{"name": "http", "port": 8080}, {"name": "admin", "port": 9000, "expose": False}],
                "monitoring": {"port": "admin"},
            },
            r"monitoring\.port 'admin' is not exposed on the Service; set expose: true on it",
            id="monitoring-port-not-exposed",
        ),
        pytest.param(
            {
                "ports": [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090, "expose": False}],
                "monitoring": {},
            },
            r"monitoring\.port 'metrics' is not exposed on the Service",
            id="monitoring-default-metrics-port-not-exposed",
        ),
        pytest.param(
            {"service": {"enabled": False}, "monitoring": {}},
            r"monitoring scrapes through the Service: keep service\.enabled",
            id="monitoring-without-service",
        ),
        pytest.param(
            {"monitoring": {"interval": "10s", "scrape_timeout": "30s"}},
            r"monitoring\.scrape_timeout 30s is above monitoring\.interval 10s",
            id="monitoring-timeout-above-interval",
        ),
        pytest.param(
            {"monitoring": {"interval": "30 seconds"}},
            r"monitoring\.interval '30 seconds' must be a positive duration",
            id="monitoring-bad-interval",
        ),
        pytest.param(
            {"monitoring": {"labels": {"app.kubernetes.io/name": "x"}}},
            r"monitoring\.labels \['app\.kubernetes\.io/name'\] are set by the platform",
            id="monitoring-reserved-label",
        ),
        pytest.param(
            {"vpa": {"min_allowed": {"cpu": "2"}, "max_allowed": {"cpu": "500m"}}},
            r"vpa\.min_allowed\.cpu 2 is above vpa\.max_allowed\.cpu 500m",
            id="vpa-min-above-max",
        ),
        pytest.param(
            {"vpa": {"max_allowed": {"memory": "lots"}}},
            r"is not a Kubernetes quantity",
            id="vpa-bad-quantity",
        ),
        pytest.param(
            {
                "external_secrets": [
                    {"target": "creds", "data_from_key": "a"},
                    {"target": "creds", "data_from_key": "b"},
                ]
            },
            r"external_secrets targets must be unique, got \['creds', 'creds'\]",
            id="external-secret-duplicate-target",
        ),
        pytest.param(
            {
                "external_secrets": [
                    {"target": "a", "data_from_key": "a", "mount_path": "/etc/creds"},
                    {"target": "b", "data_from_key": "b", "mount_path": "/etc/creds"},
                ]
            },
            r"mount paths must be unique",
            id="external-secret-duplicate-mount-path",
        ),
        pytest.param(
            {
                "secret_files": [{"name": "tls", "mount_path": "/etc/creds"}],
                "external_secrets": [{"target": "a", "data_from_key": "a", "mount_path": "/etc/creds"}],
            },
            r"mount paths must be unique",
            id="external-secret-mount-path-of-a-secret-file",
        ),
        pytest.param(
            {"external_secrets": [{"target": "a", "data_from_key": "a", "mount_path": "/tmp"}]},
            r"mount_path '/tmp' must be an absolute path other than '/' and '/tmp'",
            id="external-secret-mount-at-tmp",
        ),
        pytest.param(
            {"external_secrets": [{"target": "a"}]},
            r"external secret 'a': give either 'data' \(chosen keys\) or 'data_from_key'",
            id="external-secret-no-source",
        ),
        pytest.param(
            {
                "external_secrets": [
                    {"target": "a", "data_from_key": "a", "data": [{"secret_key": "k", "remote_key": "r"}]}
                ]
            },
            r"give either 'data' \(chosen keys\) or 'data_from_key' \(a whole JSON secret\), exactly one",
            id="external-secret-both-sources",
        ),
        pytest.param(
            {
                "external_secrets": [
                    {
                        "target": "a",
                        "data": [
                            {"secret_key": "k", "remote_key": "r"},
                            {"secret_key": "k", "remote_key": "s"},
                        ],
                    }
                ]
            },
            r"data secret_key values must be unique",
            id="external-secret-duplicate-key",
        ),
        pytest.param(
            {"external_secrets": [{"target": "a", "data": [{"secret_key": "a/b", "remote_key": "r"}]}]},
            r"secret_key 'a/b' must be at most 253 characters of \[-\._a-zA-Z0-9\]",
            id="external-secret-bad-key",
        ),
        pytest.param(
            {"external_secrets": [{"target": "a", "data_from_key": "a", "refresh_interval": "hourly"}]},
            r"refresh_interval 'hourly' must be a duration",
            id="external-secret-bad-refresh",
        ),
    ],
)
def test_bad_delivery_input_is_a_clear_validation_error(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        make_args(**overrides)
    assert isinstance(caught.value, ValidationError)


def test_an_indefinite_pause_is_opt_in() -> None:
    assert make_args(canary={"steps": [{"weight": 100}]}).canary.steps[0].pause == "2m"  # type: ignore[union-attr]
    explicit = make_args(canary={"steps": [{"weight": 100, "pause": None}]})
    assert explicit.canary is not None
    assert explicit.canary.steps[0].pause is None
