"""Pod-spec validation (``preview/apiserver/pods.py``): one firing and one silent fixture per rule,
each named after the ``k8s.io/kubernetes/pkg/apis/core/validation`` function it mirrors."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from platform_components.preview.apiserver import object_errors
from platform_components.preview.apiserver.pods import pod_spec_errors
from platform_components.preview.schema import validate_manifest

BASE: dict[str, Any] = {
    "containers": [
        {
            "name": "app",
            "image": "nginx:1.27",
            "ports": [{"name": "http", "containerPort": 8080}],
        }
    ]
}


def spec_with(**changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(BASE)
    spec.update(changes)
    return spec


def container_with(**changes: Any) -> dict[str, Any]:
    container = copy.deepcopy(BASE["containers"][0])
    container.update(changes)
    return spec_with(containers=[container])


def errors(spec: Any, *, is_pod: bool = True) -> list[tuple[str, str]]:
    return list(pod_spec_errors(spec, "spec", is_pod=is_pod, is_template=not is_pod))


def pod(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": spec,
    }


def deployment(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "d"}},
            "template": {"metadata": {"labels": {"app": "d"}}, "spec": spec},
        },
    }


def assert_fires(found: list[tuple[str, str]], path: str, fragment: str) -> None:
    assert any(p == path and fragment in m for p, m in found), found


def test_base_spec_is_clean() -> None:
    assert errors(BASE) == []
    assert errors(BASE, is_pod=False) == []


# --- group 1: containers ----------------------------------------------------------------------


def test_validate_containers_requires_one_container() -> None:
    """validateContainers: an empty list is "Required value" (absence is the schema's)."""
    assert errors({"containers": []}) == [("spec.containers", "Required value")]
    assert errors({}) == []


def test_validate_container_common_name_dns_label() -> None:
    """validateContainerCommon -> ValidateDNS1123Label on the container name."""
    assert_fires(errors(container_with(name="App_1")), "spec.containers[0].name", "RFC 1123 label")
    assert errors(container_with(name="app-1")) == []


def test_container_names_unique_across_lists() -> None:
    """validateContainers / validateInitContainers: names unique over containers and init containers."""
    spec = spec_with(initContainers=[{"name": "app", "image": "busybox"}])
    assert ("spec.initContainers[0].name", 'Duplicate value: "app"') in errors(spec)
    assert errors(spec_with(initContainers=[{"name": "init", "image": "busybox"}])) == []


def test_validate_ephemeral_containers_names_and_create() -> None:
    """validateEphemeralContainers (duplicate names, targetContainerName) and ValidatePodCreate /
    ValidatePodTemplateSpec (ephemeral containers cannot be set)."""
    spec = spec_with(ephemeralContainers=[{"name": "app", "image": "busybox", "targetContainerName": "nope"}])
    found = errors(spec)
    assert ("spec.ephemeralContainers[0].name", 'Duplicate value: "app"') in found
    assert ("spec.ephemeralContainers[0].targetContainerName", 'Not found: "nope"') in found
    assert ("spec.ephemeralContainers", "Forbidden: cannot be set on create") in found
    assert (
        "spec.ephemeralContainers",
        "Forbidden: ephemeral containers not allowed in pod template",
    ) in errors(spec, is_pod=False)


def test_validate_container_common_image_required() -> None:
    """validateContainerCommon: image required; validateContainerOnlyForPod: no padding (Pod only)."""
    assert ("spec.containers[0].image", "Required value") in errors(container_with(image=""))
    no_image = copy.deepcopy(BASE)
    del no_image["containers"][0]["image"]
    assert ("spec.containers[0].image", "Required value") in errors(no_image)
    assert_fires(errors(container_with(image=" nginx")), "spec.containers[0].image", "leading or trailing")
    assert errors(container_with(image=" nginx"), is_pod=False) == []


@pytest.mark.parametrize(
    ("port", "path", "fragment"),
    [
        ({"containerPort": 70000}, "containerPort", "must be between 1 and 65535, inclusive"),
        ({"containerPort": 0}, "containerPort", "Required value"),
        ({"containerPort": 80, "hostPort": -1}, "hostPort", "must be between 1 and 65535"),
        ({"containerPort": 80, "protocol": "HTTP"}, "protocol", 'Unsupported value: "HTTP"'),
        ({"containerPort": 80, "name": "Http"}, "name", "must contain only alpha-numeric"),
        (
            {"containerPort": 80, "name": "a-very-long-port-name"},
            "name",
            "must be no more than 15 characters",
        ),
    ],
)
def test_validate_container_ports_fires(port: dict[str, Any], path: str, fragment: str) -> None:
    """validateContainerPorts."""
    assert_fires(errors(container_with(ports=[port])), f"spec.containers[0].ports[0].{path}", fragment)


def test_validate_container_ports_silent_and_duplicate_names() -> None:
    """validateContainerPorts: hostPort 0, SCTP, a valid IANA name are fine; a name used twice in
    one pod is a Duplicate value."""
    ok = [{"containerPort": 53, "hostPort": 0, "protocol": "SCTP", "name": "dns-1"}]
    assert errors(container_with(ports=ok)) == []
    dup = [{"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"}]
    assert ("spec.containers[0].ports[1].name", 'Duplicate value: "http"') in errors(
        container_with(ports=dup)
    )


def test_check_host_port_conflicts() -> None:
    """checkHostPortConflicts: one hostPort/protocol/hostIP per pod (protocol defaulted to TCP)."""
    second = {
        "name": "side",
        "image": "x",
        "ports": [{"containerPort": 9, "hostPort": 8080, "protocol": "TCP"}],
    }
    first = {"name": "app", "image": "x", "ports": [{"containerPort": 8, "hostPort": 8080}]}
    found = errors({"containers": [first, second]})
    assert ("spec.containers[1].ports[0].hostPort", 'Duplicate value: "TCP//8080"') in found
    second["ports"][0]["protocol"] = "UDP"
    assert errors({"containers": [first, second]}) == []


def test_validate_pod_host_network_deps() -> None:
    """validatePodHostNetworkDeps: with hostNetwork a hostPort must equal the containerPort."""
    spec = container_with(ports=[{"containerPort": 80, "hostPort": 81}])
    spec["hostNetwork"] = True
    assert_fires(errors(spec), "spec.containers[0].ports[0].hostPort", "must match `containerPort`")
    spec["containers"][0]["ports"][0]["hostPort"] = 80
    assert errors(spec) == []


def test_validate_env_names_are_relaxed_in_135() -> None:
    """ValidateEnv: IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is GA in 1.34)."""
    assert errors(container_with(env=[{"name": "1.weird-NAME:x", "value": "v"}])) == []
    assert_fires(
        errors(container_with(env=[{"name": "A=B", "value": "v"}])), "spec.containers[0].env[0].name", "'='"
    )
    assert ("spec.containers[0].env[0].name", "Required value") in errors(container_with(env=[{"name": ""}]))


def test_validate_env_var_value_from_sources() -> None:
    """validateEnvVarValueFrom: exactly one source, not together with a value."""
    none = [{"name": "A", "valueFrom": {}}]
    assert_fires(
        errors(container_with(env=none)), "spec.containers[0].env[0].valueFrom", "must specify one of"
    )
    both = [{"name": "A", "value": "x", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]
    assert_fires(
        errors(container_with(env=both)), "spec.containers[0].env[0].valueFrom", "`value` is not empty"
    )
    two = [
        {
            "name": "A",
            "valueFrom": {
                "secretKeyRef": {"name": "s", "key": "k"},
                "configMapKeyRef": {"name": "c", "key": "k"},
            },
        }
    ]
    assert_fires(
        errors(container_with(env=two)), "spec.containers[0].env[0].valueFrom", "more than one field"
    )
    one = [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]
    assert errors(container_with(env=one)) == []


def test_validate_secret_key_selector_key() -> None:
    """validateSecretKeySelector / validateConfigMapKeySelector: the key is a config key."""
    bad = [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "a/b"}}}]
    assert_fires(
        errors(container_with(env=bad)),
        "spec.containers[0].env[0].valueFrom.configMapKeyRef.key",
        "config key",
    )
    good = [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "app.conf"}}}]
    assert errors(container_with(env=good)) == []


def test_validate_object_field_selector() -> None:
    """validateObjectFieldSelector: the env downward API field paths, subscripts only on labels and
    annotations."""
    unsupported = [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "status.phase"}}}]
    assert_fires(
        errors(container_with(env=unsupported)),
        "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath",
        'Unsupported value: "status.phase"',
    )
    unknown = [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "spec.nope"}}}]
    assert_fires(
        errors(container_with(env=unknown)),
        "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath",
        "field label not supported: spec.nope",
    )
    good = [
        {"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app.kubernetes.io/name']"}}},
        {"name": "B", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
    ]
    assert errors(container_with(env=good)) == []


def test_validate_container_resource_field_selector() -> None:
    """validateContainerResourceFieldSelector / validateContainerResourceDivisor."""
    bad = [{"name": "A", "valueFrom": {"resourceFieldRef": {"resource": "limits.gpu"}}}]
    assert_fires(
        errors(container_with(env=bad)),
        "spec.containers[0].env[0].valueFrom.resourceFieldRef.resource",
        "Unsupported",
    )
    divisor = [{"name": "A", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "2"}}}]
    assert_fires(
        errors(container_with(env=divisor)),
        "spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor",
        "1m and 1",
    )
    good = [{"name": "A", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}}]
    assert errors(container_with(env=good)) == []


def test_validate_env_from() -> None:
    """ValidateEnvFrom: one source per entry, relaxed prefix, prefix-mode names."""
    assert_fires(
        errors(container_with(envFrom=[{"prefix": "X_"}])),
        "spec.containers[0].envFrom",
        "must specify one of",
    )
    assert_fires(
        errors(container_with(envFrom=[{"prefix": "A=", "configMapRef": {"name": "c"}}])),
        "spec.containers[0].envFrom[0].prefix",
        "'='",
    )
    assert errors(container_with(envFrom=[{"prefix": "1_", "secretRef": {"name": "s"}}])) == []


@pytest.mark.parametrize(
    ("resources", "path", "fragment"),
    [
        ({"limits": {"cpu": "lots"}}, "limits[cpu]", "quantities must match the regular expression"),
        ({"requests": {"memory": "-1Gi"}}, "requests[memory]", "must be greater than or equal to 0"),
        (
            {"requests": {"cpu": "2"}, "limits": {"cpu": "500m"}},
            "requests",
            "must be less than or equal to cpu limit of 500m",
        ),
        ({"limits": {"gpu": "1"}}, "limits[gpu]", "must be a standard resource"),
        ({"limits": {"example.com/gpu": "1.5"}}, "limits[example.com/gpu]", "must be an integer"),
        (
            {"requests": {"example.com/gpu": "1"}},
            "limits",
            "Limit must be set for non overcommitable resources",
        ),
        (
            {"requests": {"example.com/gpu": "1"}, "limits": {"example.com/gpu": "2"}},
            "requests",
            "must be equal to example.com/gpu limit of 2",
        ),
        (
            {"limits": {"hugepages-2Mi": "1Mi", "memory": "1Gi"}},
            "limits[hugepages-2Mi]",
            "not positive integer multiple",
        ),
        ({"limits": {"hugepages-2Mi": "2Mi"}}, "resources", "HugePages require cpu or memory"),
    ],
)
def test_validate_resource_requirements_fires(resources: dict[str, Any], path: str, fragment: str) -> None:
    """ValidateContainerResourceRequirements / validateResourceRequirements / ValidateResourceQuantityValue."""
    found = errors(container_with(resources=resources))
    full = "spec.containers[0].resources" + ("" if path == "resources" else f".{path}")
    assert_fires(found, full, fragment)


def test_validate_resource_requirements_silent() -> None:
    """ValidateContainerResourceRequirements: requests up to the limit, equal extended resources,
    whole huge pages with memory are all accepted."""
    resources = {
        "requests": {"cpu": "250m", "memory": "128Mi", "example.com/gpu": "1", "hugepages-2Mi": "4Mi"},
        "limits": {"cpu": "0.25", "memory": "1Gi", "example.com/gpu": "1", "hugepages-2Mi": "4Mi"},
    }
    assert errors(container_with(resources=resources)) == []


def test_validate_pull_and_termination_message_policies() -> None:
    """validatePullPolicy / validateContainerCommon's terminationMessagePolicy (not schema enums)."""
    found = errors(container_with(imagePullPolicy="Sometimes", terminationMessagePolicy="Log"))
    assert_fires(found, "spec.containers[0].imagePullPolicy", 'Unsupported value: "Sometimes"')
    assert_fires(found, "spec.containers[0].terminationMessagePolicy", 'Unsupported value: "Log"')
    ok = container_with(imagePullPolicy="IfNotPresent", terminationMessagePolicy="FallbackToLogsOnError")
    assert errors(ok) == []


def test_group1_through_validate_manifest() -> None:
    """The wiring: a Deployment's template container port error reaches validate_manifest."""
    spec = container_with(ports=[{"containerPort": 70000}])
    found = validate_manifest(deployment(spec), "1.35", display="Deployment/d")
    assert any(
        e.path == "spec.template.spec.containers[0].ports[0].containerPort"
        and "between 1 and 65535" in e.message
        for e in found
    ), found
    assert validate_manifest(deployment(copy.deepcopy(BASE)), "1.35", display="Deployment/d") == []


# --- group 2: probes, lifecycle, volumes, security, pod-level ------------------------------------------


def test_validate_handler_counts() -> None:
    """validateHandler: "must specify a handler type" / "may not specify more than 1 handler type"."""
    assert ("spec.containers[0].livenessProbe", "Required value: must specify a handler type") in errors(
        container_with(livenessProbe={"periodSeconds": 5})
    )
    two = {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}}
    assert (
        "spec.containers[0].readinessProbe.tcpSocket",
        "Forbidden: may not specify more than 1 handler type",
    ) in errors(container_with(readinessProbe=two))
    assert errors(container_with(readinessProbe={"tcpSocket": {"port": "http"}})) == []


def test_validate_http_get_action() -> None:
    """validateHTTPGetAction / ValidatePortNumOrName: port number or IANA name, scheme HTTP/HTTPS."""
    found = errors(container_with(livenessProbe={"httpGet": {"port": "8080", "scheme": "FTP"}}))
    assert_fires(found, "spec.containers[0].livenessProbe.httpGet.port", "at least one letter")
    assert_fires(found, "spec.containers[0].livenessProbe.httpGet.scheme", 'Unsupported value: "FTP"')
    assert (
        errors(
            container_with(livenessProbe={"httpGet": {"port": 8080, "path": "/healthz", "scheme": "HTTPS"}})
        )
        == []
    )


def test_validate_grpc_and_tcp_socket_actions() -> None:
    """validateGRPCAction / validateTCPSocketAction: valid port numbers."""
    assert_fires(
        errors(container_with(startupProbe={"grpc": {"port": 0}})),
        "spec.containers[0].startupProbe.grpc.port",
        "between 1",
    )
    assert errors(container_with(startupProbe={"grpc": {"port": 9090}, "failureThreshold": 30})) == []


def test_validate_probe_thresholds() -> None:
    """validateProbe (non-negative fields, terminationGracePeriodSeconds > 0),
    validateLivenessProbe/validateStartupProbe (successThreshold 1), validateReadinessProbe."""
    probe = {
        "exec": {"command": ["true"]},
        "periodSeconds": -1,
        "successThreshold": 2,
        "terminationGracePeriodSeconds": 0,
    }
    found = errors(container_with(livenessProbe=probe))
    assert_fires(
        found, "spec.containers[0].livenessProbe.periodSeconds", "must be greater than or equal to 0"
    )
    assert_fires(found, "spec.containers[0].livenessProbe.successThreshold", "must be 1")
    assert_fires(
        found, "spec.containers[0].livenessProbe.terminationGracePeriodSeconds", "must be greater than 0"
    )
    ready = {"exec": {"command": ["true"]}, "terminationGracePeriodSeconds": 5}
    assert_fires(
        errors(container_with(readinessProbe=ready)),
        "spec.containers[0].readinessProbe.terminationGracePeriodSeconds",
        "must not be set for readinessProbes",
    )
    ok = {"exec": {"command": ["true"]}, "successThreshold": 3, "initialDelaySeconds": 0}
    assert errors(container_with(readinessProbe=ok)) == []


def test_validate_lifecycle_and_sleep_action() -> None:
    """validateLifecycle / validateSleepAction: 0 <= seconds <= terminationGracePeriodSeconds
    (PodLifecycleSleepActionAllowZero is GA in 1.34; the grace period defaults to 30)."""
    found = errors(container_with(lifecycle={"preStop": {"sleep": {"seconds": 31}}}))
    assert_fires(found, "spec.containers[0].lifecycle.preStop.sleep", "terminationGracePeriodSeconds (30)")
    assert errors(container_with(lifecycle={"preStop": {"sleep": {"seconds": 0}}})) == []
    assert_fires(
        errors(container_with(lifecycle={"postStart": {"exec": {"command": []}}})),
        "spec.containers[0].lifecycle.postStart.exec.command",
        "Required value",
    )


def test_validate_init_containers_probes_and_restart_policy() -> None:
    """validateInitContainers: probes and lifecycle only on sidecars (restartPolicy Always);
    validateInitContainerRestartPolicy with ContainerRestartRules on (1.35): Never and OnFailure
    are checked as a regular container's, Always takes no rules."""
    init = {"name": "init", "image": "busybox", "readinessProbe": {"exec": {"command": ["true"]}}}
    assert_fires(
        errors(spec_with(initContainers=[init])),
        "spec.initContainers[0].readinessProbe",
        "restartPolicy=Always",
    )
    sidecar = dict(init, restartPolicy="Always")
    assert errors(spec_with(initContainers=[sidecar])) == []
    plain = {"name": "init", "image": "busybox"}
    assert errors(spec_with(initContainers=[dict(plain, restartPolicy="Never")])) == []
    assert_fires(
        errors(spec_with(initContainers=[dict(plain, restartPolicy="Sometimes")])),
        "spec.initContainers[0].restartPolicy",
        'Unsupported value: "Sometimes"',
    )
    rules = [{"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}]
    assert_fires(
        errors(spec_with(initContainers=[dict(plain, restartPolicy="Always", restartPolicyRules=rules)])),
        "spec.initContainers[0].restartPolicyRules",
        "not allowed for init containers with restart policy Always",
    )


RESTART_RULES = [{"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}]


@pytest.mark.parametrize(
    ("fields", "path", "fragment"),
    [
        ({"restartPolicy": "Sometimes"}, "restartPolicy", 'Unsupported value: "Sometimes"'),
        (
            {"restartPolicyRules": RESTART_RULES},
            "restartPolicy",
            "must specify restartPolicy when restart rules",
        ),
        (
            {
                "restartPolicy": "Never",
                "restartPolicyRules": [{"action": "RestartAllContainers", "exitCodes": {"operator": "In"}}],
            },
            "restartPolicyRules[0].action",
            'Unsupported value: "RestartAllContainers"',
        ),
        (
            {"restartPolicy": "Never", "restartPolicyRules": [{"action": "Restart"}]},
            "restartPolicyRules[0].exitCodes",
            "Required value",
        ),
        (
            {
                "restartPolicy": "Never",
                "restartPolicyRules": [{"action": "Restart", "exitCodes": {"operator": "Is"}}],
            },
            "restartPolicyRules[0].exitCodes.operator",
            'Unsupported value: "Is"',
        ),
    ],
)
def test_validate_container_restart_policy_fires(fields: dict[str, Any], path: str, fragment: str) -> None:
    """validateContainerRestartPolicy (ContainerRestartRules, beta and on in 1.35): rules need a
    policy, a known action and operator, and exit codes."""
    assert_fires(errors(container_with(**fields)), f"spec.containers[0].{path}", fragment)


def test_validate_container_restart_policy_silent() -> None:
    """A regular container may set restartPolicy and restartPolicyRules in 1.35."""
    assert errors(container_with(restartPolicy="Never", restartPolicyRules=RESTART_RULES)) == []
    assert errors(container_with(restartPolicy="Always")) == []


def test_validate_volumes_names_and_sources() -> None:
    """ValidateVolumes / validateVolumeSource: DNS-label unique names, at most one source (none is
    an emptyDir: core/v1 SetDefaults_Volume runs first)."""
    volumes = [
        {"name": "data", "emptyDir": {}},
        {"name": "data", "emptyDir": {}},
        {"name": "Bad_Name", "emptyDir": {}},
        {"name": "none"},
        {"name": "two", "emptyDir": {}, "configMap": {"name": "c"}},
    ]
    found = errors(spec_with(volumes=volumes))
    assert ("spec.volumes[1].name", 'Duplicate value: "data"') in found
    assert_fires(found, "spec.volumes[2].name", "RFC 1123 label")
    assert [error for error in found if error[0].startswith("spec.volumes[3]")] == []
    assert ("spec.volumes[4].configMap", "Forbidden: may not specify more than 1 volume type") in found
    assert errors(spec_with(volumes=[{"name": "data", "emptyDir": {"sizeLimit": "1Gi"}}])) == []


def test_validate_key_to_path_and_modes() -> None:
    """validateConfigMapVolumeSource / validateSecretVolumeSource / validateKeyToPath:
    relative paths without '..', modes 0..0777; emptyDir sizeLimit non-negative."""
    volumes = [
        {
            "name": "a",
            "configMap": {"name": "c", "defaultMode": 1000, "items": [{"key": "k", "path": "../x"}]},
        },
        {"name": "b", "secret": {"secretName": "s", "items": [{"key": "k", "path": "/abs", "mode": -1}]}},
        {"name": "c", "emptyDir": {"sizeLimit": "-1Gi"}},
        {"name": "d", "persistentVolumeClaim": {"claimName": ""}},
    ]
    found = errors(spec_with(volumes=volumes))
    assert_fires(found, "spec.volumes[0].configMap.defaultMode", "between 0 and 0777")
    assert_fires(found, "spec.volumes[0].configMap.items[0].path", "must not contain '..'")
    assert_fires(found, "spec.volumes[1].secret.items[0].path", "must be a relative path")
    assert_fires(found, "spec.volumes[1].secret.items[0].mode", "between 0 and 0777")
    assert_fires(
        found, "spec.volumes[2].emptyDir.sizeLimit", "SizeLimit field must be a valid resource quantity"
    )
    assert ("spec.volumes[3].persistentVolumeClaim.claimName", "Required value") in found
    ok = [
        {
            "name": "a",
            "configMap": {"name": "c", "defaultMode": 0o644, "items": [{"key": "k", "path": "conf/k.yaml"}]},
        }
    ]
    assert errors(spec_with(volumes=ok)) == []


def test_validate_projection_sources() -> None:
    """validateProjectionSources: one type per source, no duplicate paths, token >= 10 minutes."""
    projected = {
        "sources": [
            {"configMap": {"name": "c", "items": [{"key": "k", "path": "p"}]}},
            {"secret": {"name": "s", "items": [{"key": "k", "path": "p"}]}},
            {"serviceAccountToken": {"path": "token", "expirationSeconds": 60}},
        ]
    }
    found = errors(spec_with(volumes=[{"name": "v", "projected": projected}]))
    assert_fires(found, "spec.volumes[0].projected", "conflicting duplicate paths")
    assert_fires(
        found, "spec.volumes[0].projected.sources[2].serviceAccountToken.expirationSeconds", "10 minutes"
    )
    ok = {
        "sources": [
            {"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}},
            {"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
        ]
    }
    assert errors(spec_with(volumes=[{"name": "v", "projected": ok}])) == []


def test_validate_volume_mounts() -> None:
    """ValidateVolumeMounts: declared volume ("Not found"), unique mountPath, subPath relative,
    subPath and subPathExpr exclusive, mountPropagation."""
    mounts = [
        {"name": "missing", "mountPath": "/a"},
        {"name": "data", "mountPath": "/a", "subPath": "../x"},
        {"name": "data", "mountPath": "/b", "subPath": "x", "subPathExpr": "$(POD)"},
        {"name": "data", "mountPath": "/c", "mountPropagation": "Bidirectional"},
        {"name": "data", "mountPath": "/d", "mountPropagation": "Sideways"},
    ]
    spec = container_with(volumeMounts=mounts)
    spec["volumes"] = [{"name": "data", "emptyDir": {}}]
    found = errors(spec)
    assert ("spec.containers[0].volumeMounts[0].name", 'Not found: "missing"') in found
    assert_fires(found, "spec.containers[0].volumeMounts[1].mountPath", "must be unique")
    assert_fires(found, "spec.containers[0].volumeMounts[1].subPath", "must not contain '..'")
    assert_fires(found, "spec.containers[0].volumeMounts[2].subPathExpr", "mutually exclusive")
    assert_fires(
        found, "spec.containers[0].volumeMounts[3].mountPropagation", "only to privileged containers"
    )
    assert_fires(
        found, "spec.containers[0].volumeMounts[4].mountPropagation", 'Unsupported value: "Sideways"'
    )
    ok = container_with(
        volumeMounts=[{"name": "data", "mountPath": "/data", "subPath": "app", "readOnly": True}]
    )
    ok["volumes"] = [{"name": "data", "emptyDir": {}}]
    assert errors(ok) == []


def test_mount_of_an_invalid_volume_is_not_found() -> None:
    """ValidateVolumes leaves an erroneous volume out of the map ValidateVolumeMounts checks against."""
    spec = container_with(volumeMounts=[{"name": "cfg", "mountPath": "/cfg"}])
    spec["volumes"] = [{"name": "cfg", "emptyDir": {}, "configMap": {"name": "cfg"}}]  # two sources
    assert ("spec.containers[0].volumeMounts[0].name", 'Not found: "cfg"') in errors(spec)


def test_validate_volume_devices() -> None:
    """ValidateVolumeDevices: only PVC/ephemeral volumes, declared, unique paths."""
    spec = container_with(volumeDevices=[{"name": "data", "devicePath": "/dev/xvda"}])
    spec["volumes"] = [{"name": "data", "emptyDir": {}}]
    assert_fires(
        errors(spec), "spec.containers[0].volumeDevices[0].name", "PersistentVolumeClaim or Ephemeral"
    )
    spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": "pvc"}}]
    assert errors(spec) == []


def test_validate_security_context_ranges_and_profiles() -> None:
    """validatePodSpecSecurityContext / ValidateSecurityContext: IsValidUserID/IsValidGroupID,
    validateSeccompProfileField, ValidateAppArmorProfileField, ValidateProcMountType."""
    spec = container_with(
        securityContext={
            "runAsUser": -1,
            "seccompProfile": {"type": "Localhost"},
            "appArmorProfile": {"type": "RuntimeDefault", "localhostProfile": "x"},
            "procMount": "Unmasked",
        }
    )
    spec["securityContext"] = {
        "fsGroup": 2**31,
        "supplementalGroups": [1, -5],
        "seccompProfile": {"type": "RuntimeDefault", "localhostProfile": "p"},
    }
    found = errors(spec)
    assert_fires(found, "spec.containers[0].securityContext.runAsUser", "between 0 and 2147483647")
    assert_fires(
        found,
        "spec.containers[0].securityContext.seccompProfile.localhostProfile",
        "must be set when seccomp type is Localhost",
    )
    assert_fires(
        found,
        "spec.containers[0].securityContext.appArmorProfile.localhostProfile",
        "can only be set when AppArmor type is Localhost",
    )
    assert_fires(found, "spec.containers[0].securityContext.procMount", "`hostUsers` must be false")
    assert_fires(found, "spec.securityContext.fsGroup", "between 0 and 2147483647")
    assert_fires(found, "spec.securityContext.supplementalGroups[1]", "between 0 and 2147483647")
    assert_fires(
        found,
        "spec.securityContext.seccompProfile.localhostProfile",
        "can only be set when seccomp type is Localhost",
    )
    ok = container_with(
        securityContext={
            "runAsUser": 1000,
            "runAsNonRoot": True,
            "seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/a.json"},
        }
    )
    ok["securityContext"] = {
        "runAsUser": 0,
        "fsGroup": 2147483647,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert errors(ok) == []


def test_validate_sysctls() -> None:
    """validateSysctls / ValidateHostSysctl: names, duplicates, no net.* with hostNetwork."""
    spec = spec_with(
        hostNetwork=True,
        securityContext={
            "sysctls": [
                {"name": "net.ipv4.ip_forward", "value": "1"},
                {"name": "net.ipv4.ip_forward", "value": "1"},
                {"name": "Bad!", "value": "1"},
            ]
        },
    )
    found = errors(spec)
    assert ("spec.securityContext.sysctls[1].name", 'Duplicate value: "net.ipv4.ip_forward"') in found
    assert_fires(
        found, "spec.securityContext.sysctls[0].name", "may not be specified when 'hostNetwork' is true"
    )
    assert_fires(found, "spec.securityContext.sysctls[2].name", "must have at most 253 characters")
    ok = spec_with(
        securityContext={
            "sysctls": [
                {"name": "kernel.shm_rmid_forced", "value": "1"},
                {"name": "net/ipv4/ping_group_range", "value": "0 1"},
            ]
        }
    )
    assert errors(ok) == []


def test_validate_windows_security_context_options() -> None:
    """validateWindowsSecurityContextOptions and validateLinux."""
    spec = container_with(securityContext={"windowsOptions": {"runAsUserName": "a\\b\\c"}})
    assert_fires(
        errors(spec),
        "spec.containers[0].securityContext.windowsOptions.runAsUserName",
        "more than one backslash",
    )
    spec["os"] = {"name": "linux"}
    assert_fires(
        errors(spec), "spec.containers[0].securityContext.windowsOptions", "cannot be set for a linux pod"
    )
    ok = container_with(
        securityContext={"windowsOptions": {"runAsUserName": "NT AUTHORITY\\NETWORK SERVICE"}}
    )
    assert errors(ok) == []


def test_pod_level_policies_and_numbers() -> None:
    """ValidatePodSpec: validateRestartPolicy, validateDNSPolicy, activeDeadlineSeconds,
    hostname/subdomain labels, serviceAccountName/priorityClassName subdomains."""
    spec = spec_with(
        restartPolicy="Sometimes",
        dnsPolicy="Google",
        activeDeadlineSeconds=0,
        hostname="Web_1",
        subdomain="a.b",
        serviceAccountName="Bad_SA",
        priorityClassName="High!",
    )
    found = errors(spec)
    assert_fires(found, "spec.restartPolicy", 'Unsupported value: "Sometimes"')
    assert_fires(found, "spec.dnsPolicy", 'Unsupported value: "Google"')
    assert_fires(found, "spec.activeDeadlineSeconds", "must be between 1 and 2147483647, inclusive")
    assert_fires(found, "spec.hostname", "RFC 1123 label")
    assert_fires(found, "spec.subdomain", "must not contain dots")
    assert_fires(found, "spec.serviceAccountName", "RFC 1123 subdomain")
    assert_fires(found, "spec.priorityClassName", "RFC 1123 subdomain")
    ok = spec_with(
        restartPolicy="OnFailure",
        dnsPolicy="ClusterFirstWithHostNet",
        activeDeadlineSeconds=1,
        hostname="web-1",
        subdomain="headless",
        serviceAccountName="app.sa",
        priorityClassName="system-cluster-critical",
        terminationGracePeriodSeconds=0,
    )
    assert errors(ok) == []


def test_validate_pod_dns_config() -> None:
    """validatePodDNSConfig: None needs nameservers, at most 3 valid canonical IPs, search paths
    (relaxed: underscores and '.' allowed in 1.35)."""
    assert ("spec.dnsConfig", "Required value: must provide `dnsConfig` when `dnsPolicy` is None") in errors(
        spec_with(dnsPolicy="None")
    )
    config = {"nameservers": ["1.1.1.1", "8.8.8.8", "9.9.9.9", "10.0.0.1"], "searches": ["Bad Domain"]}
    found = errors(spec_with(dnsConfig=config))
    assert_fires(found, "spec.dnsConfig.nameservers", "must not have more than 3 nameservers")
    assert_fires(found, "spec.dnsConfig.searches[0]", "RFC 1123 subdomain")
    assert_fires(
        errors(spec_with(dnsConfig={"nameservers": ["1.1.1"]})), "spec.dnsConfig.nameservers[0]", "valid IP"
    )
    assert_fires(
        errors(spec_with(dnsConfig={"nameservers": ["2001:DB8::1"]})),
        "spec.dnsConfig.nameservers[0]",
        "canonical form",
    )
    ok = {
        "nameservers": ["10.96.0.10", "2001:db8::1"],
        "searches": ["_sip._tcp.example.com.", "."],
        "options": [{"name": "ndots", "value": "2"}],
    }
    assert errors(spec_with(dnsPolicy="None", dnsConfig=ok)) == []


def test_group2_through_validate_manifest() -> None:
    """The wiring: a Pod's probe with two handlers and a CronJob's volume without a source."""
    spec = container_with(livenessProbe={"exec": {"command": ["true"]}, "httpGet": {"port": 80}})
    found = validate_manifest(pod(spec), "1.35", display="Pod/p")
    assert any(
        e.path == "spec.containers[0].livenessProbe.httpGet" and "more than 1 handler" in e.message
        for e in found
    )
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c", "namespace": "default"},
        "spec": {
            "schedule": "* * * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": spec_with(
                            restartPolicy="Never",
                            volumes=[{"name": "v", "emptyDir": {}, "configMap": {"name": "v"}}],
                        )
                    }
                }
            },
        },
    }
    assert list(object_errors(cron)) == [
        (
            "spec.jobTemplate.spec.template.spec.volumes[0].configMap",
            "Forbidden: may not specify more than 1 volume type",
        )
    ]
    assert validate_manifest(pod(copy.deepcopy(BASE)), "1.35", display="Pod/p") == []


# --- group 3: scheduling ------------------------------------------------------------------------------------


def test_node_selector_labels() -> None:
    """ValidatePodSpec -> ValidateLabels(spec.nodeSelector)."""
    assert_fires(errors(spec_with(nodeSelector={"bad key!": "x"})), "spec.nodeSelector", "name part")
    assert errors(spec_with(nodeSelector={"kubernetes.io/os": "linux"})) == []


def test_validate_tolerations() -> None:
    """ValidateTolerations: Exists takes no value, empty key needs Exists, tolerationSeconds only
    with NoExecute, supported effects."""
    tolerations = [
        {"key": "k", "operator": "Exists", "value": "v"},
        {"operator": "Equal", "value": "v"},
        {"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5},
        {"key": "k", "effect": "Sometimes"},
    ]
    found = errors(spec_with(tolerations=tolerations))
    assert_fires(found, "spec.tolerations[0].operator", "value must be empty when `operator` is 'Exists'")
    assert_fires(found, "spec.tolerations[1].operator", "operator must be Exists when `key` is empty")
    assert_fires(found, "spec.tolerations[2].effect", "effect must be 'NoExecute'")
    assert_fires(found, "spec.tolerations[3].effect", 'Unsupported value: "Sometimes"')
    ok = [
        {"operator": "Exists"},
        {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute", "tolerationSeconds": 300},
    ]
    assert errors(spec_with(tolerations=ok)) == []


def test_validate_affinity() -> None:
    """validateNodeAffinity / ValidateNodeSelectorRequirement / validatePodAffinityTerm /
    ValidatePreferredSchedulingTerms."""
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In"}]}]
            },
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0, "preference": {}}],
        },
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "x"}}, "topologyKey": ""}
            ]
        },
    }
    found = errors(spec_with(affinity=affinity))
    assert_fires(
        found,
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values",
        "must be specified when `operator` is 'In' or 'NotIn'",
    )
    assert_fires(
        found, "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", "1-100"
    )
    assert_fires(
        found,
        "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey",
        "can not be empty",
    )
    ok = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": {"app": "x"}},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }
    assert errors(spec_with(affinity=ok)) == []


def test_validate_topology_spread_constraints() -> None:
    """validateTopologySpreadConstraints: maxSkew > 0, whenUnsatisfiable, minDomains only with
    DoNotSchedule, no repeated {topologyKey, whenUnsatisfiable}."""
    constraints = [
        {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "minDomains": 2},
        {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway"},
        {"maxSkew": 1, "topologyKey": "host", "whenUnsatisfiable": "Maybe"},
    ]
    found = errors(spec_with(topologySpreadConstraints=constraints))
    assert_fires(found, "spec.topologySpreadConstraints[0].maxSkew", "must be greater than zero")
    assert_fires(
        found,
        "spec.topologySpreadConstraints[0].minDomains",
        "can only use minDomains if whenUnsatisfiable=DoNotSchedule",
    )
    assert (
        "spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}",
        'Duplicate value: "{zone, ScheduleAnyway}"',
    ) in found
    assert_fires(found, "spec.topologySpreadConstraints[2].whenUnsatisfiable", 'Unsupported value: "Maybe"')
    ok = [
        {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "minDomains": 3},
        {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway"},
    ]
    assert errors(spec_with(topologySpreadConstraints=ok)) == []


def test_validate_host_aliases() -> None:
    """ValidateHostAliases: valid IPs and DNS subdomain host names."""
    found = errors(spec_with(hostAliases=[{"ip": "300.1.1.1", "hostnames": ["Bad_Host"]}]))
    assert_fires(found, "spec.hostAliases[0].ip", "valid IP")
    assert_fires(found, "spec.hostAliases[0].hostnames[0]", "RFC 1123 subdomain")
    assert errors(spec_with(hostAliases=[{"ip": "127.0.0.1", "hostnames": ["foo.local"]}])) == []


def test_group3_through_validate_manifest() -> None:
    """The wiring: an Argo Rollout's template toleration."""
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {
            "template": {"spec": spec_with(tolerations=[{"key": "k", "operator": "Exists", "value": "v"}])}
        },
    }
    assert list(object_errors(rollout)) == [
        (
            "spec.template.spec.tolerations[0].operator",
            "the Rollout is admitted but the API server refuses its ReplicaSets: "
            "Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
        )
    ]


# --- robustness and wiring ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        None,
        [],
        "x",
        {"containers": "x"},
        {"containers": [None, 1, "x", {"name": 1, "image": [], "ports": "x", "env": {}, "resources": []}]},
        {"containers": [{"name": "a", "image": "b", "resources": {"limits": [], "requests": {"cpu": None}}}]},
        {"volumes": [{"name": None, "configMap": "x", "secret": {"items": "x"}}], "containers": []},
        {"containers": [{"name": "a", "image": "b", "livenessProbe": "x", "lifecycle": {"preStop": 1}}]},
        {
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": []}},
            "tolerations": [None],
        },
        {"dnsConfig": {"nameservers": [1], "searches": "x"}, "securityContext": {"sysctls": [{"name": 5}]}},
    ],
)
def test_malformed_input_never_raises(spec: Any) -> None:
    """Wrong types are the schema's errors: the checks read defensively."""
    errors(spec)
    errors(spec, is_pod=False)


@pytest.mark.parametrize(
    ("manifest", "path"),
    [
        (
            {"apiVersion": "v1", "kind": "PodTemplate", "template": {"spec": {"containers": []}}},
            "template.spec.containers",
        ),
        (
            {
                "apiVersion": "v1",
                "kind": "ReplicationController",
                "spec": {"template": {"spec": {"containers": []}}},
            },
            "spec.template.spec.containers",
        ),
        *[
            (
                {"apiVersion": api, "kind": kind, "spec": {"template": {"spec": {"containers": []}}}},
                "spec.template.spec.containers",
            )
            for api, kind in [
                ("apps/v1", "Deployment"),
                ("apps/v1", "StatefulSet"),
                ("apps/v1", "DaemonSet"),
                ("apps/v1", "ReplicaSet"),
                ("batch/v1", "Job"),
                ("argoproj.io/v1alpha1", "Rollout"),
            ]
        ],
        (
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}},
            },
            "spec.jobTemplate.spec.template.spec.containers",
        ),
    ],
)
def test_every_kind_finds_its_pod_spec(manifest: dict[str, Any], path: str) -> None:
    """One check per kind: the pod spec is found where the kind keeps it (ValidatePodTemplateSpec)."""
    prefix = {
        "StatefulSet": "the StatefulSet is admitted but the API server refuses its Pods: ",
        "Rollout": "the Rollout is admitted but the API server refuses its ReplicaSets: ",
    }.get(manifest["kind"], "")
    assert (path, prefix + "Required value") in list(object_errors(manifest))


def test_rollout_with_workload_ref_is_silent() -> None:
    """An Argo Rollout that references a Deployment (spec.workloadRef) has no template to check."""
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "spec": {"workloadRef": {"kind": "Deployment", "name": "d"}},
    }
    assert list(object_errors(rollout)) == []


def test_pod_spec_check_is_fast() -> None:
    """Well under a millisecond per typical object."""
    spec = container_with(
        env=[{"name": f"V{i}", "value": "x"} for i in range(10)],
        resources={"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        livenessProbe={"httpGet": {"port": "http", "path": "/"}},
        volumeMounts=[{"name": "data", "mountPath": "/data"}],
    )
    spec["volumes"] = [{"name": "data", "emptyDir": {}}]
    manifest = deployment(spec)
    start = time.perf_counter()
    for _ in range(200):
        list(object_errors(manifest))
    assert (time.perf_counter() - start) / 200 < 0.001


def test_statefulset_claim_templates_are_volumes() -> None:
    """ValidatePodTemplateSpecForStatefulSet skips the pod spec; the controller's pods (template plus
    one persistentVolumeClaim volume per volumeClaimTemplate, ``updateStorage``) go through
    ValidatePodCreate, so a mount of a claim template is found and any other missing volume is not."""
    spec = container_with(
        volumeMounts=[{"name": "data", "mountPath": "/data"}, {"name": "cache", "mountPath": "/c"}]
    )
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "spec": {"template": {"spec": spec}, "volumeClaimTemplates": [{"metadata": {"name": "data"}}]},
    }
    assert [e for e in object_errors(sts) if e[0].startswith("spec.template.spec")] == [
        (
            "spec.template.spec.containers[0].volumeMounts[1].name",
            'the StatefulSet is admitted but the API server refuses its Pods: Not found: "cache"',
        )
    ]


def test_validate_volume_source_plugins() -> None:
    """validateHostPathVolumeSource / validateHostPathType, validateNFSVolumeSource,
    validateCSIVolumeSource (ValidateCSIDriverName), validateEphemeralVolumeSource,
    validateDownwardAPIVolumeFile."""
    volumes = [
        {"name": "a", "hostPath": {"path": "/var/../etc", "type": "Folder"}},
        {"name": "b", "nfs": {"server": "nfs", "path": "exports"}},
        {"name": "c", "csi": {"driver": "Bad_Driver"}},
        {"name": "d", "ephemeral": {}},
        {
            "name": "e",
            "downwardAPI": {
                "items": [{"path": "x", "fieldRef": {"fieldPath": "spec.nodeName"}}, {"path": "y"}]
            },
        },
    ]
    found = errors(spec_with(volumes=volumes))
    assert_fires(found, "spec.volumes[0].hostPath.path", "must not contain '..'")
    assert_fires(found, "spec.volumes[0].hostPath.type", 'Unsupported value: "Folder"')
    assert_fires(found, "spec.volumes[1].nfs.path", "must be an absolute path")
    assert_fires(found, "spec.volumes[2].csi.driver", "RFC 1123 subdomain")
    assert ("spec.volumes[3].ephemeral.volumeClaimTemplate", "Required value") in found
    assert_fires(
        found, "spec.volumes[4].downwardAPI.items[0].fieldRef.fieldPath", 'Unsupported value: "spec.nodeName"'
    )
    assert_fires(
        found, "spec.volumes[4].downwardAPI.items[1]", "one of fieldRef and resourceFieldRef is required"
    )
    ok = [
        {"name": "a", "hostPath": {"path": "/var/log", "type": "DirectoryOrCreate"}},
        {"name": "b", "nfs": {"server": "nfs", "path": "/exports"}},
        {"name": "c", "csi": {"driver": "secrets-store.csi.k8s.io"}},
        {"name": "d", "ephemeral": {"volumeClaimTemplate": {"spec": {}}}},
        {
            "name": "e",
            "downwardAPI": {
                "items": [
                    {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                    {
                        "path": "mem",
                        "resourceFieldRef": {"containerName": "app", "resource": "limits.memory"},
                    },
                ]
            },
        },
    ]
    assert errors(spec_with(volumes=ok)) == []


def test_pod_spec_gates_and_classes() -> None:
    """validateReadinessGates, validateSchedulingGates, ValidatePreemptionPolicy,
    ValidateRuntimeClassName, validateOS, validateFSGroupChangePolicy."""
    spec = spec_with(
        readinessGates=[{"conditionType": "bad type"}],
        schedulingGates=[{"name": "example.com/gate"}, {"name": "example.com/gate"}],
        preemptionPolicy="Always",
        runtimeClassName="Gvisor!",
        os={"name": "plan9"},
        securityContext={"fsGroupChangePolicy": "Sometimes"},
    )
    found = errors(spec)
    assert_fires(found, "spec.readinessGates[0].conditionType", "name part")
    assert ("spec.schedulingGates[1]", 'Duplicate value: "example.com/gate"') in found
    assert_fires(found, "spec.preemptionPolicy", 'Unsupported value: "Always"')
    assert_fires(found, "spec.runtimeClassName", "RFC 1123 subdomain")
    assert_fires(found, "spec.os", 'Unsupported value: "plan9"')
    assert_fires(found, "spec.securityContext.fsGroupChangePolicy", 'Unsupported value: "Sometimes"')
    ok = spec_with(
        readinessGates=[{"conditionType": "example.com/ready"}],
        schedulingGates=[{"name": "example.com/gate"}],
        preemptionPolicy="Never",
        runtimeClassName="gvisor",
        os={"name": "linux"},
        securityContext={"fsGroupChangePolicy": "OnRootMismatch"},
    )
    assert errors(ok) == []


def test_validate_host_users() -> None:
    """validateHostUsers: a user-namespaced pod (hostUsers false) cannot share host namespaces;
    ValidateSecurityContext: procMount Unmasked needs hostUsers false."""
    assert_fires(
        errors(spec_with(hostUsers=False, hostNetwork=True)),
        "spec.hostNetwork",
        "when `pod.Spec.HostUsers` is false",
    )
    assert (
        errors(
            spec_with(
                hostUsers=False,
                containers=[dict(BASE["containers"][0], securityContext={"procMount": "Unmasked"})],
            )
        )
        == []
    )


def test_validate_resource_claim_names() -> None:
    """validateResourceClaimNames: a container claim must name one of spec.resourceClaims."""
    spec = container_with(resources={"claims": [{"name": "gpu"}]})
    assert_fires(
        errors(spec),
        "spec.containers[0].resources.claims[0]",
        "must be one of the names in pod.spec.resourceClaims",
    )
    spec["resourceClaims"] = [{"name": "gpu", "resourceClaimTemplateName": "gpu-template"}]
    assert errors(spec) == []


def test_validate_path_no_backsteps_splits_on_slashes_only() -> None:
    """validatePathNoBacksteps: filepath.ToSlash on a Linux API server keeps backslashes, so only
    '/'-separated '..' elements are backsteps."""
    spec = container_with(volumeMounts=[{"name": "data", "mountPath": "/d", "subPath": "a\\..\\b"}])
    spec["volumes"] = [{"name": "data", "emptyDir": {}}]
    assert errors(spec) == []
    spec["containers"][0]["volumeMounts"][0]["subPath"] = "a/../b"
    assert_fires(errors(spec), "spec.containers[0].volumeMounts[0].subPath", "must not contain '..'")


def test_validate_match_label_keys() -> None:
    """validateMatchLabelKeysInTopologySpread / validateLabelKeys /
    validateMatchLabelKeysAndMismatchLabelKeys: label names, only with a label selector, not in
    both matchLabelKeys and mismatchLabelKeys."""
    constraints = [
        {
            "maxSkew": 1,
            "topologyKey": "zone",
            "whenUnsatisfiable": "DoNotSchedule",
            "matchLabelKeys": ["pod-template-hash"],
        }
    ]
    assert_fires(
        errors(spec_with(topologySpreadConstraints=constraints)),
        "spec.topologySpreadConstraints[0].matchLabelKeys",
        "must not be specified when labelSelector is not set",
    )
    constraints[0]["labelSelector"] = {"matchLabels": {"app": "x"}}
    assert errors(spec_with(topologySpreadConstraints=constraints)) == []
    term = {
        "labelSelector": {},
        "topologyKey": "zone",
        "matchLabelKeys": ["a", "bad key"],
        "mismatchLabelKeys": ["a"],
    }
    found = errors(
        spec_with(affinity={"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}})
    )
    path = "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys"
    assert_fires(found, f"{path}[1]", "name part")
    assert_fires(found, f"{path}[0]", "exists in both matchLabelKeys and mismatchLabelKeys")
