"""Generated objects for the side-by-side test of the rules' Python checks and CEL forms.

:func:`pod_bearing` draws schema-valid Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
Jobs, CronJobs and Argo Rollouts whose pod specs combine, at random, the fields the pod rules read: host
namespaces, security contexts (pod and container), capabilities, seccomp, AppArmor, SELinux,
sysctls, procMount, Windows options, images and pull policies, ports, probes and lifecycle hooks,
env, resources, volumes, service accounts and template annotations; and the fields of the objects
themselves that the controller rules read: labels, selectors, StatefulSet volume claim templates and
claim retention, Deployment strategy, CronJob deadline. The values come from small
vocabularies that straddle each rule's boundary (a safe and an unsafe sysctl, port 0 and 8080,
``latest`` and a digest ...), so that both verdicts of every rule are drawn often.

Ephemeral containers are never drawn: the API server refuses them on create (they are added
through the ``pods/ephemeralcontainers`` subresource), so admission never sees them in a created
object.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

BOOLS = st.sampled_from([None, True, False])
NAMES = ["api", "worker", "init", "sidecar"]
IMAGES = [
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4.2",
    "registry.example.com:5000/shop/api",
    "nginx:latest",
    "nginx",
    "ghcr.io/acme/api@sha256:" + "a" * 64,
    "ghcr.io/acme/api:1.0@sha256:" + "b" * 64,
]
CAPABILITIES = ["ALL", "NET_BIND_SERVICE", "CHOWN", "SYS_ADMIN", "NET_ADMIN", "NET_RAW", "KILL"]
SYSCTLS = [
    "net.ipv4.tcp_keepalive_time",
    "kernel.shm_rmid_forced",
    "kernel.msgmax",
    "net.ipv4.tcp_notsent_lowat",
]
HOST_PATHS = ["/var/log", "/run/containerd/containerd.sock", "/var/run/docker.sock/", "/run/crio/crio.sock"]
ENV_NAMES = [
    "LOG_LEVEL",
    "DB_PASSWORD",
    "API_TOKEN",
    "PGPASSWORD",
    "SECRET_KEY_FILE",
    "PORT",
    "PGPASSFILE",
    "my-pgpass",
]


def _maybe(draw: st.DrawFn, value: Any, probability: float = 0.5) -> Any:
    return value if draw(st.floats(0, 1)) < probability else None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


@st.composite
def seccomp(draw: st.DrawFn) -> dict[str, Any] | None:
    kind = draw(st.sampled_from([None, "RuntimeDefault", "Localhost", "Unconfined"]))
    if kind is None:
        return None
    profile: dict[str, Any] = {"type": kind}
    if kind == "Localhost":
        profile["localhostProfile"] = "profiles/api.json"
    return profile


@st.composite
def apparmor(draw: st.DrawFn) -> dict[str, Any] | None:
    kind = draw(st.sampled_from([None, "RuntimeDefault", "Localhost", "Unconfined"]))
    if kind is None:
        return None
    profile: dict[str, Any] = {"type": kind}
    if kind == "Localhost":
        profile["localhostProfile"] = "k8s-api"
    return profile


@st.composite
def selinux(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    options: dict[str, Any] = {}
    _put(options, "type", draw(st.sampled_from([None, "", "container_t", "spc_t", "container_init_t"])))
    _put(options, "user", draw(st.sampled_from([None, "", "system_u"])))
    _put(options, "role", draw(st.sampled_from([None, "", "system_r"])))
    _put(options, "level", draw(st.sampled_from([None, "s0:c123,c456"])))
    return options


@st.composite
def windows(draw: st.DrawFn) -> dict[str, Any] | None:
    host_process = draw(BOOLS)
    return None if host_process is None else {"hostProcess": host_process}


@st.composite
def container_context(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.floats(0, 1)) < 0.1:
        return None
    context: dict[str, Any] = {}
    for key in ("privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem", "runAsNonRoot"):
        _put(context, key, draw(BOOLS))
    _put(context, "runAsUser", draw(st.sampled_from([None, 0, 1000])))
    _put(context, "runAsGroup", draw(st.sampled_from([None, 0, 1000])))
    _put(context, "procMount", draw(st.sampled_from([None, "Default", "Unmasked"])))
    _put(context, "seccompProfile", draw(seccomp()))
    _put(context, "appArmorProfile", draw(apparmor()))
    _put(context, "seLinuxOptions", draw(selinux()))
    _put(context, "windowsOptions", draw(windows()))
    if draw(st.booleans()):
        capabilities: dict[str, Any] = {}
        _put(capabilities, "drop", draw(st.none() | st.lists(st.sampled_from(CAPABILITIES), max_size=2)))
        _put(capabilities, "add", draw(st.none() | st.lists(st.sampled_from(CAPABILITIES), max_size=2)))
        context["capabilities"] = capabilities
    return context


@st.composite
def handler(draw: st.DrawFn, port_names: list[str]) -> dict[str, Any]:
    port = draw(st.sampled_from([8080, 9090, *port_names]))
    kind = draw(st.sampled_from(["httpGet", "tcpSocket", "exec", "grpc"]))
    if kind == "exec":
        return {"exec": {"command": ["true"]}}
    if kind == "grpc":
        return {"grpc": {"port": draw(st.sampled_from([8080, 9090]))}}
    body: dict[str, Any] = {"port": port}
    _put(body, "host", draw(st.sampled_from([None, "", "10.0.0.1", "127.0.0.1"])))
    if kind == "httpGet":
        body["path"] = draw(st.sampled_from(["/ready", "/live"]))
    return {kind: body}


@st.composite
def container(draw: st.DrawFn, name: str, *, init: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "image": draw(st.sampled_from(IMAGES))}
    _put(body, "imagePullPolicy", draw(st.sampled_from([None, "Always", "IfNotPresent", "Never"])))
    ports: list[dict[str, Any]] = []
    for index, number in enumerate(
        draw(st.lists(st.sampled_from([8080, 22, 9090, 443]), max_size=2, unique=True))
    ):
        port: dict[str, Any] = {"containerPort": number, "name": f"p{index}-{number}"}
        _put(port, "hostPort", draw(st.sampled_from([None, 0, number])))
        ports.append(port)
    if ports:
        body["ports"] = ports
    port_names = [port["name"] for port in ports]
    if not init:
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if draw(st.booleans()):
                body[probe] = {**draw(handler(port_names)), "periodSeconds": draw(st.sampled_from([5, 10]))}
        if draw(st.floats(0, 1)) < 0.2:
            body["lifecycle"] = {"preStop": draw(handler(port_names).filter(lambda h: "grpc" not in h))}
    env: list[dict[str, Any]] = []
    for env_name in draw(st.lists(st.sampled_from(ENV_NAMES), max_size=3)):
        if draw(st.booleans()):
            env.append({"name": env_name, "value": draw(st.sampled_from(["info", "hunter2-not-real", ""]))})
        else:
            env.append({"name": env_name, "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}})
    if env:
        body["env"] = env
    if draw(st.booleans()):
        resources: dict[str, Any] = {}
        requests = {
            k: v
            for k, v in {
                "cpu": draw(st.sampled_from([None, "100m"])),
                "memory": draw(st.sampled_from([None, "128Mi"])),
            }.items()
            if v
        }
        limits = {k: v for k, v in {"memory": draw(st.sampled_from([None, "256Mi"]))}.items() if v}
        _put(resources, "requests", requests or None)
        _put(resources, "limits", limits or None)
        body["resources"] = resources
    if draw(st.floats(0, 1)) < 0.8:
        _put(body, "securityContext", draw(container_context()))
    return body


@st.composite
def volume(draw: st.DrawFn, index: int) -> dict[str, Any]:
    name = f"v{index}"
    sources: dict[str, Any] = {
        "emptyDir": {},
        "configMap": {"name": "cfg"},
        "secret": {"secretName": "tls"},
        "projected": {"sources": []},
        "hostPath": {"path": draw(st.sampled_from(HOST_PATHS))},
        "nfs": {"server": "10.0.0.2", "path": "/"},
        "persistentVolumeClaim": {"claimName": "data"},
        "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]},
        "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True},
        "ephemeral": {
            "volumeClaimTemplate": {
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
            }
        },
        "gitRepo": {"repository": "https://git.example.com/config.git"},
        "azureFile": {"secretName": "azure", "shareName": "data"},
    }
    kind = draw(st.sampled_from(list(sources)))
    return {"name": name, kind: sources[kind]}


@st.composite
def pod_spec(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True))
    spec: dict[str, Any] = {"containers": [draw(container(name)) for name in names]}
    if draw(st.floats(0, 1)) < 0.3:
        spec["initContainers"] = [draw(container("setup", init=True))]
    for key in ("hostNetwork", "hostPID", "hostIPC", "hostUsers", "automountServiceAccountToken"):
        _put(spec, key, draw(BOOLS))
    _put(spec, "serviceAccountName", draw(st.sampled_from([None, "default", "api"])))
    _put(spec, "priorityClassName", draw(st.sampled_from([None, "platform-standard"])))
    if draw(st.floats(0, 1)) < 0.15:
        spec["os"] = {"name": draw(st.sampled_from(["windows", "linux"]))}
    context: dict[str, Any] = {}
    for key in ("runAsNonRoot",):
        _put(context, key, draw(BOOLS))
    for key in ("runAsUser", "runAsGroup", "fsGroup"):
        _put(context, key, draw(st.sampled_from([None, 0, 1000])))
    if draw(st.booleans()):
        context["supplementalGroups"] = draw(st.lists(st.sampled_from([0, 1000, 2000]), max_size=2))
    _put(context, "seccompProfile", draw(seccomp()))
    _put(context, "appArmorProfile", draw(apparmor()))
    _put(context, "seLinuxOptions", draw(selinux()))
    _put(context, "windowsOptions", draw(windows()))
    if draw(st.floats(0, 1)) < 0.3:
        context["sysctls"] = [
            {"name": name, "value": "1"}
            for name in draw(st.lists(st.sampled_from(SYSCTLS), min_size=1, max_size=2, unique=True))
        ]
    if context or draw(st.booleans()):
        spec["securityContext"] = context
    volumes = [draw(volume(index)) for index in range(draw(st.integers(0, 2)))]
    if volumes:
        spec["volumes"] = volumes
    return spec


@st.composite
def template_annotations(draw: st.DrawFn, container_names: list[str]) -> dict[str, str] | None:
    if draw(st.booleans()):
        return None
    annotations: dict[str, str] = {}
    for name in draw(st.lists(st.sampled_from(container_names), max_size=1)):
        key = f"container.apparmor.security.beta.kubernetes.io/{name}"
        annotations[key] = draw(st.sampled_from(["runtime/default", "localhost/k8s-api", "unconfined", ""]))
    if draw(st.booleans()):
        annotations["karpenter.sh/do-not-disrupt"] = draw(st.sampled_from(["true", "false"]))
    return annotations


KINDS = {
    "Pod": "v1",
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "Rollout": "argoproj.io/v1alpha1",
}
LABELS = {"app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api"}
#: The object's own labels: some, all or (an empty value) not quite all of the recommended labels.
OBJECT_LABELS = [
    LABELS,
    {**LABELS, "app.kubernetes.io/managed-by": "platform-components", "app.kubernetes.io/part-of": "shop"},
    {**LABELS, "app.kubernetes.io/managed-by": "platform-components", "app.kubernetes.io/part-of": ""},
]
#: Selectors that select the pod template's labels (:data:`LABELS`), in every form of a LabelSelector.
MATCHING_SELECTORS: list[dict[str, Any]] = [
    {"matchLabels": LABELS},
    {
        "matchLabels": {"app.kubernetes.io/name": "api"},
        "matchExpressions": [{"key": "app.kubernetes.io/instance", "operator": "Exists"}],
    },
    {
        "matchExpressions": [
            {"key": "app.kubernetes.io/name", "operator": "In", "values": ["api", "web"]},
            {"key": "tier", "operator": "DoesNotExist"},
        ]
    },
    {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["web"]}]},
]
#: Selectors that do not (unset, empty, another label value, each operator failing, an unknown operator):
#: drawn for Rollouts only, as the API server refuses them on the apps/v1 kinds (a Rollout is a custom
#: resource, which its CRD's schema alone validates).
MISMATCHING_SELECTORS: list[dict[str, Any] | None] = [
    None,
    {},
    {"matchLabels": {"app.kubernetes.io/name": "web"}},
    {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["web"]}]},
    {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["api"]}]},
    {"matchExpressions": [{"key": "tier", "operator": "Exists"}]},
    {"matchExpressions": [{"key": "app.kubernetes.io/instance", "operator": "DoesNotExist"}]},
    {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "Equals", "values": ["api"]}]},
]


@st.composite
def pod_bearing(draw: st.DrawFn) -> dict[str, Any]:
    """One pod-bearing object (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Rollout)."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    spec = draw(pod_spec())
    names = [c["name"] for c in spec["containers"]] + [c["name"] for c in spec.get("initContainers", [])]
    pod_metadata: dict[str, Any] = {"labels": dict(LABELS)}
    _put(pod_metadata, "annotations", draw(template_annotations(names)))
    metadata: dict[str, Any] = {"name": "api", "namespace": draw(st.sampled_from(["team-a", "default"]))}
    if draw(st.booleans()):
        metadata["labels"] = dict(draw(st.sampled_from(OBJECT_LABELS)))
    obj: dict[str, Any] = {"apiVersion": KINDS[kind], "kind": kind, "metadata": metadata}
    if kind == "Pod":
        metadata.update(pod_metadata)
        if "labels" in pod_metadata:
            metadata["labels"] = {**pod_metadata["labels"], **metadata.get("labels", {})}
        obj["spec"] = spec
        return obj
    if kind in ("Job", "CronJob"):
        spec["restartPolicy"] = draw(st.sampled_from(["Never", "OnFailure"]))
    template = {"metadata": pod_metadata, "spec": spec}
    if kind == "Job":
        obj["spec"] = {"template": template}
    elif kind == "CronJob":
        obj["spec"] = {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template}}}
        _put(obj["spec"], "startingDeadlineSeconds", draw(st.sampled_from([None, 300])))
    else:
        selectors = MATCHING_SELECTORS + (MISMATCHING_SELECTORS if kind == "Rollout" else [])
        obj["spec"] = {"template": template}
        _put(obj["spec"], "selector", copy.deepcopy(draw(st.sampled_from(selectors))))
        if kind == "StatefulSet" and draw(st.booleans()):
            obj["spec"]["volumeClaimTemplates"] = [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "10Gi"}},
                    },
                }
            ]
        if kind == "StatefulSet" and draw(st.booleans()):
            retention: dict[str, Any] = {}
            for field in ("whenDeleted", "whenScaled"):
                _put(retention, field, draw(st.sampled_from([None, "Retain", "Delete"])))
            obj["spec"]["persistentVolumeClaimRetentionPolicy"] = retention
        if kind in ("Deployment", "StatefulSet", "ReplicaSet"):
            _put(obj["spec"], "replicas", draw(st.sampled_from([None, 1, 3])))
        if kind == "Deployment" and draw(st.booleans()):
            obj["spec"]["strategy"] = {"type": draw(st.sampled_from(["Recreate", "RollingUpdate"]))}
    return obj
