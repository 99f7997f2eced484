"""SecureWorkload behaviour: cross-field validation, network callers, extra containers, secrets,
and the component under Pulumi mocks (children, parenting, policy findings, exemptions, names)."""

from __future__ import annotations

from typing import Any

import pytest
from _workload_args import NAME, NAMESPACE, make_args
from platform_components import ConfigError, MeshMode, NamespaceRef, SecureWorkload
from platform_components.policies.base import EXEMPT_PREFIX
from platform_components.testing import Preview, preview_function
from platform_components.workload import CHECKOV_SKIP, TYPE_TOKEN, render_workload
from pydantic import ValidationError


def selector(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}


def pod_spec(manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = manifests["Deployment"]["spec"]["template"]["spec"]
    return spec


def preview_workload(name: str = NAME, **overrides: Any) -> Preview:
    args = make_args(**overrides)
    return preview_function(lambda: SecureWorkload(name, args))


# --------------------------------------------------------------------------------------------------
# Cross-field validation: a ValidationError with a message that says what to change

TWO_PORTS = [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"replicas": 3, "autoscaling": {"min_replicas": 2}},
            r"replicas and autoscaling are both set.*autoscaling\.min_replicas",
            id="replicas-and-autoscaling",
        ),
        pytest.param(
            {"autoscaling": {"min_replicas": 5, "max_replicas": 3}},
            r"max_replicas=3 is below min_replicas=5",
            id="max-below-min",
        ),
        pytest.param(
            {"autoscaling": {"target_cpu_utilization": None}},
            r"autoscaling needs target_cpu_utilization or target_memory_utilization",
            id="autoscaling-without-target",
        ),
        pytest.param(
            {"readiness": {"port": "admin"}},
            r"readiness\.port 'admin' is not a declared port; use one of \['8080', 'http'\]",
            id="readiness-port-undeclared",
        ),
        pytest.param(
            {"liveness": {"port": 9999}},
            r"liveness\.port 9999 is not a declared port",
            id="liveness-port-undeclared",
        ),
        pytest.param(
            {"startup": {"kind": "tcp", "port": "grpc"}},
            r"startup\.port 'grpc' is not a declared port",
            id="startup-port-undeclared",
        ),
        pytest.param(
            {"ports": [], "readiness": {"kind": "exec", "command": ["true"]}},
            r"liveness probe needs a port: declare one in 'ports' or set liveness\.port",
            id="probe-without-any-port",
        ),
        pytest.param(
            {"network": {"ingress": [{"workload": "web", "ports": ["admin"]}]}},
            r"network\.ingress\[0\]\.ports: 'admin' is not a declared port of this workload",
            id="ingress-port-undeclared",
        ),
        pytest.param(
            {"ports": TWO_PORTS, "network": {"ingress": [{"workload": "web", "ports": ["http", 9091]}]}},
            r"network\.ingress\[0\]\.ports: 9091 is not a declared port",
            id="ingress-port-number-undeclared",
        ),
        pytest.param(
            {"ports": [{"name": "http", "port": 8080}, {"name": "http", "port": 8081}]},
            r"port names must be unique, got \['http', 'http'\]",
            id="duplicate-port-names",
        ),
        pytest.param(
            {"ports": [{"name": "http", "port": 8080}, {"name": "admin", "port": 8080}]},
            r"container ports must be unique, got \[8080, 8080\]",
            id="duplicate-port-numbers",
        ),
        pytest.param(
            {"replicas": 3, "disruption": {"min_available": 3}},
            r"disruption\.min_available=3 is not below the 3 guaranteed replicas",
            id="min-available-equals-replicas",
        ),
        pytest.param(
            {"replicas": 3, "disruption": {"min_available": 4}},
            r"disruption\.min_available=4 is not below the 3 guaranteed replicas",
            id="min-available-above-replicas",
        ),
        pytest.param(
            {"autoscaling": {"min_replicas": 2}, "disruption": {"min_available": 2}},
            r"disruption\.min_available=2 is not below the 2 guaranteed replicas",
            id="min-available-equals-hpa-floor",
        ),
        pytest.param(
            {"disruption": {"min_available": "100%"}},
            r"min_available '100%' blocks every eviction",
            id="min-available-100-percent",
        ),
        pytest.param(
            {"disruption": {"max_unavailable": 0}},
            r"max_unavailable 0 blocks every eviction",
            id="max-unavailable-zero",
        ),
        pytest.param(
            {"disruption": {"max_unavailable": 1, "min_available": 1}},
            r"set either max_unavailable or min_available, not both",
            id="pdb-both",
        ),
        pytest.param(
            {"pre_stop_sleep_seconds": 30},
            r"pre_stop_sleep_seconds=30 must be shorter than termination_grace_period_seconds=30",
            id="prestop-equals-grace",
        ),
        pytest.param(
            {"pre_stop_sleep_seconds": 20, "termination_grace_period_seconds": 10},
            r"pre_stop_sleep_seconds=20 must be shorter than termination_grace_period_seconds=10",
            id="prestop-above-grace",
        ),
        pytest.param(
            {"resources": {"memory": "256Mi", "memory_limit": "128Mi"}},
            r"memory_limit 128Mi is below the memory request 256Mi",
            id="memory-limit-below-request",
        ),
        pytest.param(
            {"resources": {"cpu": "500m", "cpu_limit": "250m"}},
            r"cpu_limit 250m is below the cpu request 500m",
            id="cpu-limit-below-request",
        ),
        pytest.param(
            {"network": {"ingress": [{"workload": "web", "cidr": "10.0.0.0/8"}]}},
            r"a peer is either a 'cidr' or pods",
            id="peer-cidr-and-workload",
        ),
        pytest.param(
            {"network": {"egress": [{"namespace": "data", "cidr": "10.0.0.0/8"}]}},
            r"a peer is either a 'cidr' or pods",
            id="egress-peer-cidr-and-namespace",
        ),
        pytest.param(
            {"network": {"ingress": [{}]}},
            r"a peer needs 'workload', 'pod_labels', 'namespace' or 'cidr'; an empty peer would allow everything",
            id="empty-ingress-peer",
        ),
        pytest.param(
            {"network": {"egress": [{"ports": [{"port": 443}]}]}},
            r"an empty peer would allow everything",
            id="empty-egress-peer",
        ),
        pytest.param(
            {"network": {"ingress": [{"workload": "web", "pod_labels": {"app": "web"}}]}},
            r"give either 'workload' or 'pod_labels', not both",
            id="peer-workload-and-labels",
        ),
        pytest.param(
            {"network": {"egress": [{"cidr": "10.0.0.1/8"}]}},
            r"'10\.0\.0\.1/8' is not a CIDR block",
            id="peer-bad-cidr",
        ),
        pytest.param(
            {"network": {"egress": [{"workload": "db", "except_cidrs": ["10.0.0.0/24"]}]}},
            r"'except_cidrs' needs 'cidr'",
            id="except-without-cidr",
        ),
        pytest.param(
            {"security": {"seccomp_profile": "Localhost"}},
            r"seccomp_profile Localhost and localhost_profile go together",
            id="localhost-seccomp-without-profile",
        ),
        pytest.param(
            {"sidecars": [{"name": "app", "image": "ghcr.io/acme/proxy:1.0.0"}]},
            r"container names must be unique across main, init and sidecars",
            id="duplicate-container-names",
        ),
        pytest.param(
            {
                "secret_files": [{"name": "creds", "mount_path": "/etc/app"}],
                "config_files": [{"name": "cfg", "mount_path": "/etc/app"}],
            },
            r"mount paths must be unique",
            id="duplicate-mount-paths",
        ),
        pytest.param(
            {"writable_paths": ["/tmp"]},
            r"writable path '/tmp' must be absolute, not '/' and not '/tmp'",
            id="writable-tmp",
        ),
        pytest.param(
            {"labels": {"app.kubernetes.io/name": "other"}},
            r"labels \['app\.kubernetes\.io/name'\] are set by the platform",
            id="reserved-label",
        ),
        pytest.param({"image": "ghcr.io/Acme/API:1"}, r"is not an image reference", id="bad-image"),
        pytest.param({"namespace": "Shop"}, r"'Shop' is not a DNS-1123 label", id="bad-namespace"),
        pytest.param({"replicas": 0}, r"greater than or equal to 1", id="zero-replicas"),
        pytest.param({"replica": 2}, r"Extra inputs are not permitted", id="unknown-field"),
        pytest.param(
            {"readiness": {"kind": "exec"}},
            r"an exec probe needs a non-empty 'command'",
            id="exec-without-command",
        ),
        pytest.param(
            {"readiness": {"path": "readyz"}}, r"probe path 'readyz' must start with '/'", id="probe-path"
        ),
    ],
)
def test_invalid_args_raise_validation_error_with_a_clear_message(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        make_args(**overrides)


def test_autoscaling_without_explicit_replicas_is_fine() -> None:
    args = make_args(autoscaling={"min_replicas": 3, "max_replicas": 3})
    assert args.minimum_replicas == args.maximum_replicas == 3


def test_min_available_below_replicas_is_fine() -> None:
    assert make_args(replicas=3, disruption={"min_available": 2}).disruption.min_available == 2


def test_probe_may_name_a_declared_port_by_number() -> None:
    manifests = render_workload(NAME, make_args(ports=TWO_PORTS, liveness={"kind": "tcp", "port": 9090}))
    assert pod_spec(manifests)["containers"][0]["livenessProbe"]["tcpSocket"] == {"port": 9090}


def test_args_are_frozen() -> None:
    args = make_args()
    with pytest.raises(ValidationError):
        args.replicas = 5  # type: ignore[misc]


# --------------------------------------------------------------------------------------------------
# Declared callers -> NetworkPolicy ingress


def test_declared_callers_are_exactly_the_network_policy_ingress() -> None:
    network = {
        "ingress": [
            {"namespace": "edge", "workload": "gateway", "ports": ["http"]},
            {"namespace": "monitoring", "pod_labels": {"app": "prometheus"}, "ports": [9090]},
            {"workload": "web"},
            {"namespace": "batch"},
        ]
    }
    spec = render_workload(NAME, make_args(ports=TWO_PORTS, network=network))["NetworkPolicy"]["spec"]
    both = [{"port": 8080, "protocol": "TCP"}, {"port": 9090, "protocol": "TCP"}]
    assert spec["podSelector"] == {"matchLabels": selector(NAME)}
    assert spec["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "edge"}},
                    "podSelector": {"matchLabels": selector("gateway")},
                }
            ],
            "ports": [{"port": 8080, "protocol": "TCP"}],
        },
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                    "podSelector": {"matchLabels": {"app": "prometheus"}},
                }
            ],
            "ports": [{"port": 9090, "protocol": "TCP"}],
        },
        # no namespace: the workload's own namespace (a podSelector alone); no ports: every declared port
        {"from": [{"podSelector": {"matchLabels": selector("web")}}], "ports": both},
        # a namespace alone: every pod in it
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "batch"}}}],
            "ports": both,
        },
    ]


def test_ingress_port_protocol_comes_from_the_declared_port() -> None:
    ports = [{"name": "dns", "port": 5353, "protocol": "UDP"}]
    exec_probe = {"kind": "exec", "command": ["/bin/check"]}
    args = make_args(
        ports=ports,
        readiness=exec_probe,
        liveness=exec_probe,
        network={"ingress": [{"namespace": "edge", "ports": ["dns"]}]},
    )
    spec = render_workload(NAME, args)["NetworkPolicy"]["spec"]
    assert spec["ingress"][0]["ports"] == [{"port": 5353, "protocol": "UDP"}]


def test_declared_destinations_follow_dns_in_the_egress() -> None:
    network = {
        "egress": [
            {"namespace": "data", "workload": "db", "ports": [{"port": 5432}]},
            {"cidr": "192.168.0.0/16", "except_cidrs": ["192.168.1.0/24"], "ports": [{"port": "https"}]},
        ]
    }
    spec = render_workload(NAME, make_args(network=network))["NetworkPolicy"]["spec"]
    assert len(spec["egress"]) == 3
    assert spec["egress"][0]["ports"] == [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    assert spec["egress"][1:] == [
        {
            "to": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}},
                    "podSelector": {"matchLabels": selector("db")},
                }
            ],
            "ports": [{"port": 5432, "protocol": "TCP"}],
        },
        {
            "to": [{"ipBlock": {"cidr": "192.168.0.0/16", "except": ["192.168.1.0/24"]}}],
            "ports": [{"port": "https", "protocol": "TCP"}],
        },
    ]


# --------------------------------------------------------------------------------------------------
# Extra containers, secrets


def test_native_sidecars_are_init_containers_with_restart_policy_always_and_the_same_hardening() -> None:
    sidecar = {
        "name": "proxy",
        "image": "ghcr.io/acme/proxy:1.0.0",
        "args": ["--listen=:15000"],
        "env": {"LOG_LEVEL": "info"},
        "ports": [{"name": "proxy-admin", "port": 15000}],
        "readiness": {"path": "/ready"},
    }
    init = {"name": "migrate", "image": "ghcr.io/acme/migrate:1.0.0", "command": ["/migrate"]}
    manifests = render_workload(NAME, make_args(init_containers=[init], sidecars=[sidecar]))
    spec = pod_spec(manifests)
    main_ctx = spec["containers"][0]["securityContext"]
    assert [c["name"] for c in spec["containers"]] == ["app"]
    first, second = spec["initContainers"]
    assert first["name"] == "migrate"
    assert "restartPolicy" not in first  # a plain init container runs to completion
    assert first["command"] == ["/migrate"]
    assert second["name"] == "proxy"
    assert second["restartPolicy"] == "Always"
    assert second["args"] == ["--listen=:15000"]
    assert second["env"] == [{"name": "LOG_LEVEL", "value": "info"}]
    assert second["ports"] == [{"name": "proxy-admin", "containerPort": 15000, "protocol": "TCP"}]
    assert second["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "proxy-admin", "scheme": "HTTP"}
    for container in (first, second):
        assert container["securityContext"] == main_ctx
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]


def test_secret_and_config_files_mount_read_only_volumes() -> None:
    manifests = render_workload(
        NAME,
        make_args(
            secret_files=[{"name": "db-creds", "mount_path": "/var/run/secrets/db"}],
            config_files=[{"name": "api-config", "mount_path": "/etc/api"}],
        ),
    )
    spec = pod_spec(manifests)
    mounts = {m["name"]: m for m in spec["containers"][0]["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert mounts["secret-0"] == {"name": "secret-0", "mountPath": "/var/run/secrets/db", "readOnly": True}
    assert volumes["secret-0"] == {
        "name": "secret-0",
        "secret": {"secretName": "db-creds", "defaultMode": 0o440},
    }
    assert mounts["config-0"] == {"name": "config-0", "mountPath": "/etc/api", "readOnly": True}
    assert volumes["config-0"] == {
        "name": "config-0",
        "configMap": {"name": "api-config", "defaultMode": 0o444},
    }
    # files are not environment variables: no envFrom, and no CKV_K8S_35 skip
    assert "envFrom" not in spec["containers"][0]
    annotations = manifests["Deployment"]["metadata"]["annotations"]
    assert not any(value.startswith("CKV_K8S_35") for value in annotations.values())


def test_env_from_secrets_adds_the_ckv_k8s_35_skip() -> None:
    manifests = render_workload(
        NAME, make_args(env_from_secrets=["api-env"], env_from_config_maps=["api-cm"])
    )
    container = pod_spec(manifests)["containers"][0]
    assert container["envFrom"] == [{"configMapRef": {"name": "api-cm"}}, {"secretRef": {"name": "api-env"}}]
    annotations = manifests["Deployment"]["metadata"]["annotations"]
    skips = [value for key, value in annotations.items() if key.startswith(CHECKOV_SKIP)]
    reasons = [value.partition("=")[2] for value in skips if value.startswith("CKV_K8S_35=")]
    assert len(reasons) == 1
    assert reasons[0].strip()


def test_plain_env_is_rendered_in_order() -> None:
    container = pod_spec(render_workload(NAME, make_args(env={"B": "2", "A": "1"})))["containers"][0]
    assert container["env"] == [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]


# --------------------------------------------------------------------------------------------------
# Under Pulumi mocks


CHILDREN = {
    f"{NAME}-sa": "kubernetes:core/v1:ServiceAccount",
    f"{NAME}-deployment": "kubernetes:apps/v1:Deployment",
    f"{NAME}-service": "kubernetes:core/v1:Service",
    f"{NAME}-pdb": "kubernetes:policy/v1:PodDisruptionBudget",
    f"{NAME}-hpa": "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    f"{NAME}-netpol": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
}


def test_children_have_role_names_and_are_parented_to_the_component() -> None:
    result = preview_workload(autoscaling={"min_replicas": 2, "max_replicas": 4})
    component = result.resource(TYPE_TOKEN, NAME)
    children = [r for r in result.resources if r.parent == component.urn]
    assert {r.name: r.type for r in children} == CHILDREN
    for child in children:
        qualified_type = child.urn.split("::")[2]
        assert f"{TYPE_TOKEN}$" in qualified_type, child.urn
        assert qualified_type.endswith(child.type)
        assert child.urn.endswith(f"::{child.name}")
    assert result.clean, result.problems()


def test_children_without_hpa_pdb_service() -> None:
    result = preview_workload(replicas=1, service={"enabled": False})
    component = result.resource(TYPE_TOKEN, NAME)
    names = {r.name for r in result.resources if r.parent == component.urn}
    assert names == {f"{NAME}-sa", f"{NAME}-deployment", f"{NAME}-netpol"}


def test_a_compliant_workload_previews_clean() -> None:
    args = make_args()
    mesh = NamespaceRef(name=args.namespace, mesh=MeshMode.NONE)  # the namespace is created elsewhere
    result = preview_function(lambda: SecureWorkload(NAME, args, mesh=mesh))
    assert result.violations == [], result.problems()
    assert result.warnings == []
    assert result.schema_errors == []
    assert result.clean


def test_previewed_manifests_are_the_rendered_ones() -> None:
    args = make_args()
    result = preview_function(lambda: SecureWorkload(NAME, args))
    rendered = render_workload(NAME, args)
    deployment = result.manifest("Deployment", NAME, NAMESPACE)
    assert deployment["apiVersion"] == "apps/v1"
    assert deployment["spec"] == rendered["Deployment"]["spec"]
    assert deployment["metadata"] == rendered["Deployment"]["metadata"]
    network_policy = result.manifest("NetworkPolicy", NAME, NAMESPACE)
    assert network_policy["spec"] == rendered["NetworkPolicy"]["spec"]
    service_account = result.manifest("ServiceAccount", NAME, NAMESPACE)
    assert service_account["automountServiceAccountToken"] is False


@pytest.mark.parametrize(
    ("overrides", "rule_id", "fragment"),
    [
        pytest.param({"image": "ghcr.io/acme/api:latest"}, "img-pinned", "latest", id="latest-tag"),
        pytest.param({"image": "ghcr.io/acme/api"}, "img-pinned", "no tag", id="no-tag"),
        pytest.param(
            {"security": {"read_only_root_filesystem": False}},
            "wl-readonly-rootfs",
            "readOnlyRootFilesystem",
            id="writable-rootfs",
        ),
    ],
)
def test_insecure_choices_are_mandatory_violations(
    overrides: dict[str, Any], rule_id: str, fragment: str
) -> None:
    result = preview_workload(**overrides)
    assert not result.clean
    matching = [v for v in result.violations if v.rule_id == rule_id]
    assert len(matching) == 1, result.problems()
    assert matching[0].resource == f"Deployment {NAMESPACE}/{NAME}"
    assert fragment in matching[0].message
    assert {v.rule_id for v in result.violations} == {rule_id}


def test_policy_exemption_replaces_the_violation() -> None:
    reason = "vendor image only published as latest; tracked in SEC-123"
    result = preview_workload(image="ghcr.io/acme/api:latest", policy_exemptions={"img-pinned": reason})
    assert result.clean, result.problems()
    assert "img-pinned" not in {v.rule_id for v in result.violations}
    exemptions = result.result.evaluation.exemptions
    assert [(e.rule_id, e.resource, e.reason) for e in exemptions] == [
        ("img-pinned", f"Deployment {NAMESPACE}/{NAME}", reason)
    ]
    deployment = result.manifest("Deployment", NAME)
    assert deployment["metadata"]["annotations"][EXEMPT_PREFIX + "img-pinned"] == reason


def test_an_exemption_for_another_rule_does_not_hide_the_violation() -> None:
    result = preview_workload(
        image="ghcr.io/acme/api:latest", policy_exemptions={"wl-readonly-rootfs": "n/a"}
    )
    assert "img-pinned" in {v.rule_id for v in result.violations}


@pytest.mark.parametrize("name", ["1api", "Api", "api_v2", "-api", "api-", "a" * 64, ""])
def test_invalid_workload_name_raises_config_error(name: str) -> None:
    args = make_args()
    with pytest.raises(ConfigError, match=r"SecureWorkload name: .* is not a DNS-1035 label"):
        SecureWorkload(name, args)


@pytest.mark.parametrize("name", ["1api", "Api"])
def test_invalid_workload_name_raises_config_error_under_mocks(name: str) -> None:
    args = make_args()
    with pytest.raises(ConfigError, match=rf"'{name}' is not a DNS-1035 label"):
        preview_function(lambda: SecureWorkload(name, args))


def test_component_outputs() -> None:
    def program() -> None:
        import pulumi

        workload = SecureWorkload(NAME, make_args())
        pulumi.export("host", workload.service_host)
        pulumi.export("sa", workload.service_account_name)
        pulumi.export("deployment", workload.deployment_name)

    result = preview_function(program)
    assert result.outputs == {
        "host": f"{NAME}.{NAMESPACE}.svc.cluster.local",
        "sa": NAME,
        "deployment": NAME,
    }


# --------------------------------------------------------------------------------------------------
# Values that reach the API server must be rejected at construction, not by the cluster.
# (These expose validation gaps in components/platform_components/workload.py; see the report.)


@pytest.mark.parametrize(
    "overrides",
    [
        # a Secret/ConfigMap mounted over /tmp duplicates the /tmp emptyDir mount: the API server
        # rejects the pod ("volumeMounts[1].mountPath: Invalid value: \"/tmp\": must be unique")
        pytest.param({"secret_files": [{"name": "creds", "mount_path": "/tmp"}]}, id="secret-file-at-tmp"),
        pytest.param({"config_files": [{"name": "cfg", "mount_path": "/tmp"}]}, id="config-file-at-tmp"),
        # two exposed ports on the same Service port: "spec.ports[1]: Duplicate value"
        pytest.param(
            {
                "ports": [
                    {"name": "http", "port": 8080, "service_port": 80},
                    {"name": "admin", "port": 9090, "service_port": 80},
                ]
            },
            id="duplicate-service-ports",
        ),
        # label values must be <= 63 chars of [-A-Za-z0-9_.]
        pytest.param({"version": "1.0 beta!"}, id="invalid-version-label"),
        pytest.param({"part_of": "Shop Team"}, id="invalid-part-of-label"),
        # priorityClassName must be a DNS-1123 subdomain
        pytest.param({"priority_class_name": "Platform_Medium"}, id="invalid-priority-class"),
    ],
)
def test_values_the_api_server_would_reject_are_validation_errors(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make_args(**overrides)


@pytest.mark.parametrize(
    "sidecar",
    [
        # the main container resolves a named grpc probe port to its number; a sidecar does not, and
        # render_workload raises a bare ValueError instead of the args raising a ValidationError
        pytest.param(
            {"ports": [{"name": "grpc", "port": 9000}], "readiness": {"kind": "grpc"}},
            id="sidecar-grpc-probe-on-named-port",
        ),
        # a readiness probe on a sidecar without ports cannot render
        pytest.param({"readiness": {"path": "/ready"}}, id="sidecar-probe-without-ports"),
        # a sidecar probe on a port the sidecar does not declare
        pytest.param(
            {"ports": [{"name": "admin", "port": 9000}], "readiness": {"port": "nope"}},
            id="sidecar-probe-on-undeclared-port",
        ),
    ],
)
def test_sidecar_probe_problems_are_caught_when_the_args_are_built(sidecar: dict[str, Any]) -> None:
    """Either the args are rejected (ValidationError) or they render a probe on a declared port."""
    container = {"name": "proxy", "image": "ghcr.io/acme/proxy:1.0.0", **sidecar}
    try:
        args = make_args(sidecars=[container])
    except ValidationError:
        return
    rendered = pod_spec(render_workload(NAME, args))["initContainers"][0]
    declared = {p["name"] for p in rendered.get("ports", [])} | {
        p["containerPort"] for p in rendered.get("ports", [])
    }
    probe = rendered["readinessProbe"]
    port = next(iter(probe.values()))["port"]
    assert port in declared
