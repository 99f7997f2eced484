"""SecureWorkload: a hardened Deployment with everything a production service needs around it.

Usage::

    from platform_components import SecureWorkload, SecureWorkloadArgs
    from platform_components.kube.probes import ProbeArgs

    api = SecureWorkload(
        "api",
        SecureWorkloadArgs(
            namespace="payments",
            image="ghcr.io/acme/api:1.4.2",
            readiness=ProbeArgs(path="/readyz"),
            liveness=ProbeArgs(path="/livez"),
            network={"ingress": [{"namespace": "edge", "workload": "gateway", "ports": ["http"]}]},
        ),
    )

Children (logical names ``<name>-<role>``): ``-sa`` ServiceAccount, ``-deployment`` Deployment,
``-service`` Service (when a port is exposed), ``-pdb`` PodDisruptionBudget (when more than one
replica is guaranteed), ``-hpa`` HorizontalPodAutoscaler (when ``autoscaling`` is set), ``-netpol``
NetworkPolicy. Every Kubernetes object is named ``<name>`` in ``args.namespace``.

Optional delivery and scaling children (each off by default; see :mod:`platform_components.kube.delivery`):
``canary`` renders ``-rollout`` (an Argo Rollout named ``<name>``) *instead of* ``-deployment``, plus
``-analysis`` (its AnalysisTemplate); ``keda`` renders ``-scaledobject`` instead of ``-hpa`` (the two
exclude each other); ``vpa`` renders ``-vpa`` (recommendations only); ``monitoring`` renders
``-servicemonitor`` and ``-alerts`` (a PrometheusRule) and admits Prometheus on the metrics port;
each of ``external_secrets`` renders ``-externalsecret-<target>`` (an ExternalSecret named
``<target>``). The Service, PDB, NetworkPolicy, HTTPRoute and mesh objects do not depend on
``canary``; the HPA, ScaledObject and VPA target the Rollout when it is on.

References (see :mod:`platform_components.refs`): ``mesh=`` gives the namespace's mesh mode (its
MeshNamespace, a ``NamespaceRef`` or a ``MeshMode``), ``externals=`` declares what the workload
references but another program deploys; the policy pack resolves every other reference against the
program. ``policy_exemptions`` are written on every child; the environment label comes from
``platform:environment`` (:mod:`platform_components.context`) unless ``labels`` name one.

Defaults (each asserted by ``tests/workload/test_workload_defaults.py``): PSS *restricted*
(UID/GID 65532, runAsNonRoot, drop ALL, seccomp RuntimeDefault, no privilege escalation, read-only
root filesystem with an emptyDir at /tmp), no service-account token, requests set, memory limit =
memory request, no CPU limit, 2 replicas, RollingUpdate maxUnavailable 0 / maxSurge 25%, PDB
maxUnavailable 1, topology spread over zones and hosts, priority class ``platform-medium``, 30 s
grace period with a 5 s preStop sleep, ``imagePullPolicy: Always``, default-deny NetworkPolicy with
DNS egress only.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import pulumi
from pydantic import Field, field_validator, model_validator

from ._base import StrictModel
from ._validators import validate_workload_name
from .context import labelled
from .errors import ConfigError
from .kube import labels as lbl
from .kube.delivery import (
    DEFAULT_ERROR_RATE_QUERY,
    EXTERNAL_SECRETS_API,
    KEDA_API,
    MONITORING_API,
    ROLLOUTS_API,
    VPA_API,
    CanaryArgs,
    ExternalSecretArgs,
    KedaArgs,
    MonitoringArgs,
    VpaArgs,
    analysis_template_spec,
    check_mount_path,
    external_secret_spec,
    hpa_behavior,
    prometheus_rule_spec,
    resolve_analysis_query,
    rollout_spec,
    scaled_object_spec,
    service_monitor_spec,
    vpa_spec,
)
from .kube.images import check_image, parse_image
from .kube.names import (
    check_dns1123_label,
    check_dns1123_subdomain,
    check_env_name,
    check_label_value,
    check_labels,
    check_port_name,
)
from .kube.netpol import EgressRule, IngressRule, Protocol, network_policy_spec
from .kube.objects import add_annotations, create_object
from .kube.probes import ProbeArgs, ProbeKind
from .kube.quantity import check_quantity, parse_quantity
from .kube.security import DEFAULT_UID, container_security_context, pod_security_context
from .kube.traffic import RouteArgs, http_route, istio_authorization, linkerd_authorization, linkerd_identity
from .namespace import MeshMode
from .policies.base import exemption_annotations
from .policies.tenancy import MESH_ANNOTATION
from .refs import ROUTE_KINDS, ExternalKind, ExternalRef, MeshSource, externals_annotations, resolve_mesh

TYPE_TOKEN = "platform:index:SecureWorkload"
DEFAULT_PRIORITY_CLASS = "platform-medium"
CHECKOV_SKIP = "checkov.io/skip"


class ImagePullPolicy(enum.StrEnum):
    ALWAYS = "Always"
    IF_NOT_PRESENT = "IfNotPresent"


class SeccompProfile(enum.StrEnum):
    RUNTIME_DEFAULT = "RuntimeDefault"
    LOCALHOST = "Localhost"
    UNCONFINED = "Unconfined"


class ServiceType(enum.StrEnum):
    CLUSTER_IP = "ClusterIP"
    NODE_PORT = "NodePort"
    LOAD_BALANCER = "LoadBalancer"


class WhenUnsatisfiable(enum.StrEnum):
    SCHEDULE_ANYWAY = "ScheduleAnyway"
    DO_NOT_SCHEDULE = "DoNotSchedule"


class PortArgs(StrictModel):
    """A container port; ``expose`` puts it on the Service."""

    name: str = Field(description="IANA service name (<= 15 chars); probes and rules refer to it.")
    port: int = Field(ge=1, le=65535, description="Container port; >= 1024 needs no capability.")
    protocol: Protocol = Field(default=Protocol.TCP, description="Transport protocol.")
    expose: bool = Field(default=True, description="Expose on the workload's Service.")
    service_port: int | None = Field(
        default=None, ge=1, le=65535, description="Port on the Service; defaults to the container port."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_port_name(value)


class ResourcesArgs(StrictModel):
    """Requests are always set; memory limit defaults to the request; no CPU limit unless asked."""

    cpu: str = Field(default="100m", description="CPU request: what the scheduler reserves.")
    memory: str = Field(default="128Mi", description="Memory request.")
    memory_limit: str | None = Field(
        default=None, description="Memory limit; defaults to the request so the pod is never overcommitted."
    )
    cpu_limit: str | None = Field(
        default=None, description="CPU limit; unset by default (limits cause CFS throttling, EKS BPG)."
    )

    @field_validator("cpu", "memory", "memory_limit", "cpu_limit")
    @classmethod
    def _quantity(cls, value: str | None) -> str | None:
        return check_quantity(value) if value is not None else None

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> ResourcesArgs:
        if self.memory_limit is not None and parse_quantity(self.memory_limit) < parse_quantity(self.memory):
            raise ValueError(
                f"memory_limit {self.memory_limit} is below the memory request {self.memory}; "
                "raise memory_limit or lower memory"
            )
        if self.cpu_limit is not None and parse_quantity(self.cpu_limit) < parse_quantity(self.cpu):
            raise ValueError(
                f"cpu_limit {self.cpu_limit} is below the cpu request {self.cpu}; raise cpu_limit"
            )
        return self

    def render(self) -> dict[str, Any]:
        limits = {"memory": self.memory_limit or self.memory}
        if self.cpu_limit is not None:
            limits["cpu"] = self.cpu_limit
        return {"requests": {"cpu": self.cpu, "memory": self.memory}, "limits": limits}


class SecurityArgs(StrictModel):
    """Pod Security Standard *restricted* by default; every relaxation is explicit and policy-flagged."""

    run_as_user: int = Field(default=DEFAULT_UID, ge=0, description="Numeric UID (non-root, >= 10000).")
    run_as_group: int = Field(default=DEFAULT_UID, ge=0, description="Numeric primary GID.")
    fs_group: int | None = Field(default=DEFAULT_UID, ge=0, description="Group owning mounted volumes.")
    run_as_non_root: bool = Field(default=True, description="Kubelet refuses to start a root container.")
    read_only_root_filesystem: bool = Field(default=True, description="Writable paths are emptyDirs only.")
    allow_privilege_escalation: bool = Field(default=False, description="No setuid escalation.")
    add_capabilities: list[str] = Field(
        default_factory=list,
        description="Capabilities to add after dropping ALL (restricted allows none but NET_BIND_SERVICE).",
    )
    seccomp_profile: SeccompProfile = Field(
        default=SeccompProfile.RUNTIME_DEFAULT, description="Syscall filter of the container runtime."
    )
    localhost_profile: str | None = Field(default=None, description="Profile file when seccomp is Localhost.")

    @model_validator(mode="after")
    def _localhost(self) -> SecurityArgs:
        if (self.seccomp_profile is SeccompProfile.LOCALHOST) != (self.localhost_profile is not None):
            raise ValueError(
                "seccomp_profile Localhost and localhost_profile go together; set both or neither"
            )
        return self


class MountArgs(StrictModel):
    """A Secret or ConfigMap mounted read-only as files (the safe way to hand over credentials)."""

    name: str = Field(description="Name of the Secret or ConfigMap in the workload's namespace.")
    mount_path: str = Field(description="Absolute directory path in the container.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_label(value)

    @field_validator("mount_path")
    @classmethod
    def _path(cls, value: str) -> str:
        return check_mount_path(value)


class ContainerArgs(StrictModel):
    """An init container or a native sidecar (init container with ``restartPolicy: Always``)."""

    name: str = Field(description="Container name (DNS-1123 label).")
    image: str = Field(description="Image reference, pinned by tag or digest.")
    command: list[str] | None = Field(default=None, description="Entrypoint override.")
    args: list[str] | None = Field(default=None, description="Arguments.")
    env: dict[str, str] = Field(default_factory=dict, description="Plain (non-secret) environment.")
    ports: list[PortArgs] = Field(default_factory=list, description="Ports (sidecars only; not exposed).")
    resources: ResourcesArgs = Field(
        default_factory=lambda: ResourcesArgs(cpu="10m", memory="32Mi"),
        description="Requests and limits; small by default (helpers, proxies).",
    )
    readiness: ProbeArgs | None = Field(default=None, description="Readiness probe (sidecars only).")

    @model_validator(mode="after")
    def _probe_port(self) -> ContainerArgs:
        probe = self.readiness
        if probe is None or probe.kind is ProbeKind.EXEC:
            return self
        known: set[str | int] = {p.name for p in self.ports} | {p.port for p in self.ports}
        if probe.port is None and not self.ports:
            raise ValueError(f"container {self.name!r}: readiness probe needs a port; declare one in 'ports'")
        if probe.port is not None and probe.port not in known:
            raise ValueError(
                f"container {self.name!r}: readiness.port {probe.port!r} is not a declared port; "
                f"use one of {sorted(map(str, known))}"
            )
        return self

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_label(value)

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        return check_image(value)

    @field_validator("env")
    @classmethod
    def _env(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            check_env_name(key)
        return value


class AutoscalingArgs(StrictModel):
    """HorizontalPodAutoscaler (autoscaling/v2); it owns ``spec.replicas`` when set."""

    min_replicas: int = Field(default=2, ge=1, le=1000, description="Floor; >= 2 keeps the PDB meaningful.")
    max_replicas: int = Field(default=10, ge=1, le=1000, description="Ceiling.")
    target_cpu_utilization: int | None = Field(
        default=70, ge=1, le=1000, description="Average CPU as % of the request."
    )
    target_memory_utilization: int | None = Field(
        default=None, ge=1, le=1000, description="Average memory as % of the request."
    )
    scale_down_stabilization_seconds: int = Field(
        default=300, ge=0, le=3600, description="Look-back window before scaling down (no flapping)."
    )

    @model_validator(mode="after")
    def _coherent(self) -> AutoscalingArgs:
        if self.max_replicas < self.min_replicas:
            raise ValueError(
                f"max_replicas={self.max_replicas} is below min_replicas={self.min_replicas}; raise max_replicas"
            )
        if self.target_cpu_utilization is None and self.target_memory_utilization is None:
            raise ValueError("autoscaling needs target_cpu_utilization or target_memory_utilization")
        return self


class DisruptionArgs(StrictModel):
    """PodDisruptionBudget; created when more than one replica is guaranteed."""

    max_unavailable: int | str | None = Field(
        default=1, description="Pods that may be evicted at once; 1 never blocks node drains."
    )
    min_available: int | str | None = Field(default=None, description="Alternative to max_unavailable.")

    @model_validator(mode="after")
    def _one_of(self) -> DisruptionArgs:
        if self.min_available is not None and "max_unavailable" in self.model_fields_set:
            raise ValueError("set either max_unavailable or min_available, not both")
        for field, value in (
            ("max_unavailable", self.max_unavailable),
            ("min_available", self.min_available),
        ):
            if isinstance(value, str) and not (value.endswith("%") and value[:-1].isdigit()):
                raise ValueError(f"{field} {value!r} must be a whole number or a percentage such as '25%'")
            if isinstance(value, int) and value < 0:
                raise ValueError(f"{field} must not be negative")
        if self.max_unavailable in (0, "0%") and self.min_available is None:
            raise ValueError("max_unavailable 0 blocks every eviction (node drains hang); use 1 or more")
        return self

    def render_policy(self) -> dict[str, Any]:
        if self.min_available is not None:
            return {"minAvailable": self.min_available}
        return {"maxUnavailable": self.max_unavailable}


class SpreadArgs(StrictModel):
    """Topology spread of replicas over zones and hosts (applied when more than one replica may run)."""

    enabled: bool = Field(default=True, description="Spread replicas at all.")
    zone: WhenUnsatisfiable = Field(
        default=WhenUnsatisfiable.SCHEDULE_ANYWAY, description="Zone spread; a hard rule can block scaling."
    )
    host: WhenUnsatisfiable = Field(default=WhenUnsatisfiable.SCHEDULE_ANYWAY, description="Host spread.")


class ServiceArgs(StrictModel):
    enabled: bool = Field(default=True, description="Create a Service for the exposed ports.")
    type: ServiceType = Field(
        default=ServiceType.CLUSTER_IP, description="ClusterIP: reach it via Gateway API."
    )
    annotations: dict[str, str] = Field(default_factory=dict, description="Service annotations.")


class NetworkArgs(StrictModel):
    """Default deny; only these callers and destinations are allowed (plus DNS)."""

    ingress: list[IngressRule] = Field(default_factory=list, description="Declared callers.")
    egress: list[EgressRule] = Field(default_factory=list, description="Declared destinations.")
    allow_dns: bool = Field(default=True, description="Allow UDP/TCP 53 to kube-dns in kube-system.")


class SecureWorkloadArgs(StrictModel):
    """Arguments of :class:`SecureWorkload`. Every field has a secure default except the few that must
    describe the application itself (namespace, image, readiness and liveness probes)."""

    namespace: str = Field(description="Namespace; explicit on every object (never 'default').")
    image: str = Field(description="Image, pinned by tag or digest ('latest' is a policy violation).")
    readiness: ProbeArgs = Field(description="Readiness probe: when the pod may receive traffic.")
    liveness: ProbeArgs = Field(description="Liveness probe: when the container must be restarted.")
    startup: ProbeArgs | None = Field(default=None, description="Startup probe for slow starters.")
    replicas: int = Field(default=2, ge=1, le=1000, description="Replicas; 2 survives a node loss.")
    ports: list[PortArgs] = Field(
        default_factory=lambda: [PortArgs(name="http", port=8080)],
        description="Container ports; 8080 needs no capability.",
    )
    command: list[str] | None = Field(default=None, description="Entrypoint override.")
    args: list[str] | None = Field(default=None, description="Arguments.")
    env: dict[str, str] = Field(default_factory=dict, description="Plain (non-secret) environment.")
    env_from_config_maps: list[str] = Field(default_factory=list, description="ConfigMaps loaded as env.")
    env_from_secrets: list[str] = Field(
        default_factory=list, description="Secrets loaded as env (prefer secret_files; policy-flagged)."
    )
    secret_files: list[MountArgs] = Field(default_factory=list, description="Secrets mounted as files.")
    config_files: list[MountArgs] = Field(default_factory=list, description="ConfigMaps mounted as files.")
    writable_paths: list[str] = Field(
        default_factory=list, description="Extra writable directories (emptyDir) besides /tmp."
    )
    tmp_size_limit: str = Field(default="256Mi", description="Size limit of the /tmp emptyDir.")
    resources: ResourcesArgs = Field(default_factory=ResourcesArgs, description="Requests and limits.")
    security: SecurityArgs = Field(default_factory=SecurityArgs, description="Security contexts.")
    image_pull_policy: ImagePullPolicy = Field(
        default=ImagePullPolicy.ALWAYS, description="Always: the registry's auth is checked on every start."
    )
    image_pull_secrets: list[str] = Field(default_factory=list, description="Registry credentials.")
    container_name: str = Field(default="app", description="Name of the main container.")
    version: str | None = Field(
        default=None, description="app.kubernetes.io/version; defaults to the image tag."
    )
    component: str = Field(default="server", description="app.kubernetes.io/component.")
    part_of: str | None = Field(
        default=None, description="app.kubernetes.io/part-of; defaults to the namespace."
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Extra labels on every object.")
    pod_annotations: dict[str, str] = Field(default_factory=dict, description="Extra pod annotations.")
    service_account_annotations: dict[str, str] = Field(
        default_factory=dict, description="ServiceAccount annotations (e.g. an IRSA role ARN)."
    )
    automount_service_account_token: bool = Field(
        default=False, description="Mount an API token; off unless the app talks to the API server."
    )
    service: ServiceArgs = Field(default_factory=ServiceArgs, description="The Service.")
    disruption: DisruptionArgs = Field(default_factory=DisruptionArgs, description="The PDB.")
    autoscaling: AutoscalingArgs | None = Field(default=None, description="HPA; owns replicas when set.")
    spread: SpreadArgs = Field(default_factory=SpreadArgs, description="Topology spread.")
    network: NetworkArgs = Field(default_factory=NetworkArgs, description="NetworkPolicy.")
    route: RouteArgs | None = Field(default=None, description="Gateway API HTTPRoute to the Service.")
    priority_class_name: str | None = Field(
        default=DEFAULT_PRIORITY_CLASS, description="PriorityClass (the platform stack creates platform-*)."
    )
    termination_grace_period_seconds: int = Field(
        default=30, ge=1, le=3600, description="Time between SIGTERM and SIGKILL."
    )
    pre_stop_sleep_seconds: int = Field(
        default=5, ge=0, le=600, description="preStop sleep so endpoints drain before SIGTERM (0: none)."
    )
    min_ready_seconds: int = Field(default=0, ge=0, le=3600, description="Readiness time before 'available'.")
    revision_history_limit: int = Field(default=5, ge=0, le=100, description="Old ReplicaSets kept.")
    progress_deadline_seconds: int = Field(default=600, ge=1, le=86400, description="Rollout deadline.")
    init_containers: list[ContainerArgs] = Field(default_factory=list, description="Run to completion first.")
    sidecars: list[ContainerArgs] = Field(
        default_factory=list, description="Native sidecars (init containers with restartPolicy Always)."
    )
    policy_exemptions: dict[str, str] = Field(
        default_factory=dict,
        description="rule id -> reason: an explicit, reported exemption from a platform policy rule.",
    )
    canary: CanaryArgs | None = Field(
        default=None,
        description="Progressive delivery: an Argo Rollout with an error-rate analysis replaces the Deployment.",
    )
    keda: KedaArgs | None = Field(
        default=None,
        description="Event-driven autoscaling (KEDA ScaledObject) instead of the HPA; owns replicas.",
    )
    vpa: VpaArgs | None = Field(
        default=None, description="Right-sizing recommendations (VPA, updateMode Off: it never evicts pods)."
    )
    monitoring: MonitoringArgs | None = Field(
        default=None,
        description="ServiceMonitor, availability alerts and Prometheus ingress on the metrics port.",
    )
    external_secrets: list[ExternalSecretArgs] = Field(
        default_factory=list,
        description="Secrets synced from AWS Secrets Manager (never in env; mounted as files when asked).",
    )

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return check_dns1123_label(value)

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        return check_image(value)

    @field_validator("container_name", "component")
    @classmethod
    def _label(cls, value: str) -> str:
        return check_dns1123_label(value)

    @field_validator("version", "part_of")
    @classmethod
    def _label_value(cls, value: str | None) -> str | None:
        return check_label_value(value) if value is not None else None

    @field_validator("priority_class_name")
    @classmethod
    def _priority_class(cls, value: str | None) -> str | None:
        return check_dns1123_subdomain(value) if value is not None else None

    @field_validator("tmp_size_limit")
    @classmethod
    def _tmp(cls, value: str) -> str:
        return check_quantity(value)

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        clash = sorted(lbl.RESERVED.intersection(value))
        if clash:
            raise ValueError(f"labels {clash} are set by the platform; remove them")
        return check_labels(value)

    @field_validator("env")
    @classmethod
    def _env(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            check_env_name(key)
        return value

    @field_validator("writable_paths")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        for path in value:
            if not path.startswith("/") or path in ("/", "/tmp"):
                raise ValueError(
                    f"writable path {path!r} must be absolute, not '/' and not '/tmp' (always there)"
                )
        if len(set(value)) != len(value):
            raise ValueError("writable_paths has duplicates")
        return value

    # Cross-field rules, one validator each; pydantic runs them in this order and reports the first
    # that fails.

    @model_validator(mode="after")
    def _unique_ports(self) -> SecureWorkloadArgs:
        names = [p.name for p in self.ports]
        if len(set(names)) != len(names):
            raise ValueError(f"port names must be unique, got {names}")
        numbers = [p.port for p in self.ports]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"container ports must be unique, got {numbers}")
        service_ports = [p.service_port or p.port for p in self.ports if p.expose]
        if len(set(service_ports)) != len(service_ports):
            raise ValueError(
                f"Service ports must be unique, got {service_ports}; set distinct service_port values"
            )
        return self

    def _declared_ports(self) -> set[str | int]:
        """The names and numbers a probe or a caller may refer to a port by."""
        return {p.name for p in self.ports} | {p.port for p in self.ports}

    @model_validator(mode="after")
    def _probes_on_declared_ports(self) -> SecureWorkloadArgs:
        known = self._declared_ports()
        for field, probe in (
            ("readiness", self.readiness),
            ("liveness", self.liveness),
            ("startup", self.startup),
        ):
            if probe is None or probe.kind is ProbeKind.EXEC:
                continue
            if probe.port is None and not self.ports:
                raise ValueError(f"{field} probe needs a port: declare one in 'ports' or set {field}.port")
            if probe.port is not None and probe.port not in known:
                raise ValueError(
                    f"{field}.port {probe.port!r} is not a declared port; use one of {sorted(map(str, known))}"
                )
        return self

    @model_validator(mode="after")
    def _callers_on_declared_ports(self) -> SecureWorkloadArgs:
        known = self._declared_ports()
        for index, rule in enumerate(self.network.ingress):
            for port in rule.ports:
                if port not in known:
                    raise ValueError(
                        f"network.ingress[{index}].ports: {port!r} is not a declared port of this workload; "
                        f"use one of {sorted(map(str, known))}"
                    )
        return self

    @model_validator(mode="after")
    def _one_owner_of_replicas(self) -> SecureWorkloadArgs:
        if self.autoscaling is not None and "replicas" in self.model_fields_set:
            raise ValueError(
                "replicas and autoscaling are both set; the HPA owns the replica count, "
                "so remove replicas and use autoscaling.min_replicas"
            )
        if self.autoscaling is not None and self.keda is not None:
            raise ValueError("autoscaling (HPA) and keda are both set; KEDA creates its own HPA, keep one")
        if self.keda is not None and "replicas" in self.model_fields_set:
            raise ValueError(
                "replicas and keda are both set; KEDA owns the replica count, "
                "so remove replicas and use keda.min_replicas"
            )
        return self

    @model_validator(mode="after")
    def _metrics_port(self) -> SecureWorkloadArgs:
        if self.monitoring is not None:
            self.monitoring_port  # noqa: B018  # raises ValueError when no exposed port serves metrics
        return self

    @model_validator(mode="after")
    def _evictable(self) -> SecureWorkloadArgs:
        minimum = self.minimum_replicas
        min_available = self.disruption.min_available
        if isinstance(min_available, int) and minimum > 1 and min_available >= minimum:
            raise ValueError(
                f"disruption.min_available={min_available} is not below the {minimum} guaranteed replicas, "
                "so no pod could ever be evicted; lower it or use max_unavailable"
            )
        if min_available == "100%":
            raise ValueError("disruption.min_available '100%' blocks every eviction; use max_unavailable: 1")
        return self

    @model_validator(mode="after")
    def _route_to_the_service(self) -> SecureWorkloadArgs:
        if self.route is None:
            return self
        exposed = [p for p in self.ports if p.expose]
        if not self.service.enabled or not exposed:
            raise ValueError("route needs the Service: keep service.enabled and expose a port")
        if self.route.port is not None and not any(self.route.port in (p.name, p.port) for p in exposed):
            raise ValueError(
                f"route.port {self.route.port!r} is not an exposed port; use one of {[p.name for p in exposed]}"
            )
        return self

    @model_validator(mode="after")
    def _drain_before_termination(self) -> SecureWorkloadArgs:
        if self.pre_stop_sleep_seconds >= self.termination_grace_period_seconds:
            raise ValueError(
                f"pre_stop_sleep_seconds={self.pre_stop_sleep_seconds} must be shorter than "
                f"termination_grace_period_seconds={self.termination_grace_period_seconds}"
            )
        return self

    @model_validator(mode="after")
    def _unique_containers_secrets_and_mounts(self) -> SecureWorkloadArgs:
        containers = [
            self.container_name,
            *(c.name for c in self.init_containers),
            *(c.name for c in self.sidecars),
        ]
        if len(set(containers)) != len(containers):
            raise ValueError(f"container names must be unique across main, init and sidecars: {containers}")
        targets = [secret.target for secret in self.external_secrets]
        if len(set(targets)) != len(targets):
            raise ValueError(
                f"external_secrets targets must be unique, got {targets}; each target is one Secret"
            )
        mounts = [
            "/tmp",
            *(m.mount_path for m in (*self.secret_files, *self.config_files)),
            *self.writable_paths,
            *(s.mount_path for s in self.external_secrets if s.mount_path is not None),
        ]
        if len(set(mounts)) != len(mounts):
            raise ValueError(f"mount paths must be unique: {mounts}")
        return self

    @property
    def minimum_replicas(self) -> int:
        """Replicas guaranteed at all times: the HPA or KEDA floor (0 when KEDA may scale to zero),
        or the fixed count."""
        if self.autoscaling is not None:
            return self.autoscaling.min_replicas
        if self.keda is not None:
            return self.keda.min_replicas
        return self.replicas

    @property
    def maximum_replicas(self) -> int:
        if self.autoscaling is not None:
            return self.autoscaling.max_replicas
        if self.keda is not None:
            return self.keda.max_replicas
        return self.replicas

    @property
    def workload_kind(self) -> str:
        """``Rollout`` with ``canary``, else ``Deployment``."""
        return "Rollout" if self.canary is not None else "Deployment"

    @property
    def scale_target(self) -> dict[str, str]:
        """The ``scaleTargetRef``/``targetRef`` of the HPA, ScaledObject and VPA (without the name)."""
        if self.canary is not None:
            return {"apiVersion": ROLLOUTS_API, "kind": "Rollout"}
        return {"apiVersion": "apps/v1", "kind": "Deployment"}

    @property
    def secret_mounts(self) -> list[MountArgs]:
        """``secret_files`` then the mounted ``external_secrets`` (one code path for both)."""
        return [
            *self.secret_files,
            *(
                MountArgs(name=s.target, mount_path=s.mount_path)
                for s in self.external_secrets
                if s.mount_path is not None
            ),
        ]

    @property
    def monitoring_port(self) -> PortArgs:
        """The exposed port Prometheus scrapes (``monitoring.port``, else 'metrics', else the first
        exposed one); ValueError when there is none."""
        monitoring = self.monitoring or MonitoringArgs()
        exposed = [p for p in self.ports if p.expose] if self.service.enabled else []
        if not exposed:
            raise ValueError(
                "monitoring scrapes through the Service: keep service.enabled and expose the metrics port"
            )
        by_name = {p.name: p for p in self.ports}
        wanted = monitoring.port
        if wanted is None and "metrics" in by_name:
            wanted = "metrics"
        if wanted is None:
            return exposed[0]
        port = by_name.get(wanted)
        if port is None:
            raise ValueError(
                f"monitoring.port {wanted!r} is not a declared port; use one of {[p.name for p in exposed]}"
            )
        if not port.expose:
            raise ValueError(
                f"monitoring.port {wanted!r} is not exposed on the Service; set expose: true on it "
                f"or scrape one of {[p.name for p in exposed]}"
            )
        return port

    @property
    def ingress_rules(self) -> list[IngressRule]:
        """The declared callers, plus Prometheus (a namespace caller) on the metrics port with monitoring."""
        rules = list(self.network.ingress)
        if self.monitoring is not None:
            rules.append(
                IngressRule(namespace=self.monitoring.prometheus_namespace, ports=[self.monitoring_port.name])
            )
        return rules


class SecureWorkload(pulumi.ComponentResource):
    """A hardened Deployment (or canary Rollout) + ServiceAccount + Service + PDB + HPA/KEDA + VPA +
    NetworkPolicy + monitoring + external secrets (see module docs)."""

    # The outputs are declared for type checkers and the docs only: at run time the Pulumi SDK
    # re-resolves a resource class's annotations on every registration (a new class and
    # ``typing.get_type_hints`` per instance, uncached), which a component's plain attributes do
    # not need; it was ~5% of a 500-workload program.
    if TYPE_CHECKING:
        namespace: pulumi.Output[str]
        """Namespace of every child object."""
        deployment_name: pulumi.Output[str | None]
        """Name of the Deployment, or None when a canary Rollout replaces it."""
        rollout_name: pulumi.Output[str | None]
        """Name of the Argo Rollout (with ``canary``), else None."""
        service_name: pulumi.Output[str | None]
        """Name of the Service, or None when no port is exposed."""
        service_account_name: pulumi.Output[str]
        """Name of the dedicated ServiceAccount (also the mesh identity)."""
        service_host: pulumi.Output[str | None]
        """In-cluster DNS name of the Service."""

    def __init__(
        self,
        name: str,
        args: SecureWorkloadArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        mesh: MeshSource | None = None,
        externals: Sequence[ExternalRef] = (),
    ) -> None:
        """``mesh`` is the mesh mode of the namespace: the MeshNamespace of this program, a
        :class:`~platform_components.refs.NamespaceRef` to a namespace created elsewhere, or a
        :class:`MeshMode`; it decides the mesh authorization of the declared callers. ``externals``
        declares what the workload references but this program does not declare (the platform's
        Gateway, a service of another program, a namespace): see
        :class:`~platform_components.refs.ExternalRef`."""
        try:
            validate_workload_name(name)
        except ValueError as exc:
            raise ConfigError(f"SecureWorkload name: {exc}") from None
        args = args.model_copy(update={"labels": labelled(args.labels)})  # platform:environment
        mode, recorded = resolve_mesh(mesh, args.namespace, f"SecureWorkload {name}")
        mesh_objects = render_mesh(name, args, mode)  # a ConfigError here comes before any registration
        super().__init__(TYPE_TOKEN, name, None, opts)
        manifests = render_workload(name, args, externals=externals, recorded_mesh=recorded)

        service_account = self._service_account(name, manifests)
        secrets = self._external_secrets(name, args, manifests)
        self._pods(name, manifests, before_pods=[service_account, *secrets])
        self._service(name, manifests)
        self._disruption_and_scaling(name, manifests)
        self._network(name, manifests)
        self._monitoring(name, manifests)
        self._mesh_authorization(name, mesh_objects)
        self._publish(workload_outputs(name, args, manifests))

    def _object(
        self,
        name: str,
        role: str,
        manifest: dict[str, Any],
        depends_on: Sequence[pulumi.Resource] | None = None,
    ) -> pulumi.Resource:
        """``<name>-<role>``: one rendered manifest, registered as this component's child."""
        return create_object(
            f"{name}-{role}", manifest, pulumi.ResourceOptions(parent=self, depends_on=depends_on)
        )

    def _service_account(self, name: str, manifests: dict[str, dict[str, Any]]) -> pulumi.Resource:
        """``-sa``: the workload's own identity, with no API token unless asked."""
        return self._object(name, "sa", manifests["ServiceAccount"])

    def _external_secrets(
        self, name: str, args: SecureWorkloadArgs, manifests: dict[str, dict[str, Any]]
    ) -> list[pulumi.Resource]:
        """``-externalsecret-<target>``: one per entry of ``external_secrets``, in their order."""
        return [
            self._object(
                name, f"externalsecret-{secret.target}", manifests[f"ExternalSecret/{secret.target}"]
            )
            for secret in args.external_secrets
        ]

    def _pods(
        self, name: str, manifests: dict[str, dict[str, Any]], *, before_pods: Sequence[pulumi.Resource]
    ) -> None:
        """``-deployment``, or with ``canary`` ``-analysis`` and ``-rollout``; the pods start after
        ``before_pods`` (the ServiceAccount and the Secrets they mount exist, or are being synced)."""
        if "Rollout" in manifests:
            analysis = self._object(name, "analysis", manifests["AnalysisTemplate"])
            self._object(name, "rollout", manifests["Rollout"], depends_on=[*before_pods, analysis])
            return
        self._object(name, "deployment", manifests["Deployment"], depends_on=list(before_pods))

    def _service(self, name: str, manifests: dict[str, dict[str, Any]]) -> None:
        """``-service``, when a port is exposed."""
        if "Service" in manifests:
            self._object(name, "service", manifests["Service"])

    def _disruption_and_scaling(self, name: str, manifests: dict[str, dict[str, Any]]) -> None:
        """``-pdb``, ``-hpa``, ``-scaledobject`` and ``-vpa``, those the manifests hold."""
        for kind, role in (
            ("PodDisruptionBudget", "pdb"),
            ("HorizontalPodAutoscaler", "hpa"),
            ("ScaledObject", "scaledobject"),
            ("VerticalPodAutoscaler", "vpa"),
        ):
            if kind in manifests:
                self._object(name, role, manifests[kind])

    def _network(self, name: str, manifests: dict[str, dict[str, Any]]) -> None:
        """``-netpol`` (always) and ``-route`` (with ``route``)."""
        self._object(name, "netpol", manifests["NetworkPolicy"])
        if "HTTPRoute" in manifests:
            self._object(name, "route", manifests["HTTPRoute"])

    def _monitoring(self, name: str, manifests: dict[str, dict[str, Any]]) -> None:
        """``-servicemonitor`` and ``-alerts`` (with ``monitoring``)."""
        if "ServiceMonitor" in manifests:
            self._object(name, "servicemonitor", manifests["ServiceMonitor"])
        if "PrometheusRule" in manifests:
            self._object(name, "alerts", manifests["PrometheusRule"])

    def _mesh_authorization(self, name: str, mesh_objects: list[tuple[str, dict[str, Any]]]) -> None:
        """The mesh's authorization of the declared callers (:func:`render_mesh`), by their role."""
        for role, manifest in mesh_objects:
            self._object(name, role, manifest)

    def _publish(self, outputs: dict[str, str | None]) -> None:
        """The outputs as attributes and registered (plain values: nothing to await)."""
        for key, value in outputs.items():
            setattr(self, key, pulumi.Output.from_input(value))
        self.register_outputs(outputs)


def workload_outputs(
    name: str, args: SecureWorkloadArgs, manifests: dict[str, dict[str, Any]]
) -> dict[str, str | None]:
    """The outputs of a SecureWorkload: its namespace, the name of its Deployment or Rollout, its
    Service's name and in-cluster host (None without a Service), its ServiceAccount's name."""
    service_name = name if "Service" in manifests else None
    return {
        "namespace": args.namespace,
        "deployment_name": None if args.canary is not None else name,
        "rollout_name": name if args.canary is not None else None,
        "service_name": service_name,
        "service_account_name": name,
        "service_host": f"{name}.{args.namespace}.svc.cluster.local" if service_name else None,
    }


def render_workload(
    name: str,
    args: SecureWorkloadArgs,
    *,
    externals: Sequence[ExternalRef] = (),
    recorded_mesh: MeshMode | None = None,
) -> dict[str, dict[str, Any]]:
    """The Kubernetes objects of a SecureWorkload as plain manifests, keyed by kind (pure, no Pulumi).

    Every object is a whole manifest (``apiVersion``, ``kind``, ``metadata``, then the kind's fields).
    ExternalSecrets, of which there may be several, are keyed ``ExternalSecret/<target>``.

    The declared ``externals`` are recorded on the NetworkPolicy (all) and the HTTPRoute (Gateways and
    Services), the objects whose references the policy pack resolves; with ``monitoring``,
    Prometheus's namespace (a platform add-on) is declared external too. A name that is an Output
    (from a StackReference) stays an Output there. ``recorded_mesh`` (the mode given without the
    namespace's MeshNamespace) is recorded on the Deployment or Rollout for the policy pack.
    """
    meta = workload_meta(name, args)
    candidates: list[tuple[str, dict[str, Any] | None]] = [
        ("ServiceAccount", service_account(meta, args)),
        *external_secrets(meta, args),
        *pod_controller(meta, args, recorded_mesh),
        ("Service", service(meta, args)),
        ("PodDisruptionBudget", pod_disruption_budget(meta, args)),
        ("HorizontalPodAutoscaler", horizontal_pod_autoscaler(meta, args)),
        ("ScaledObject", scaled_object(meta, args)),
        ("VerticalPodAutoscaler", vertical_pod_autoscaler(meta, args)),
        ("NetworkPolicy", network_policy(meta, args)),
        ("HTTPRoute", route(meta, args)),
        ("ServiceMonitor", service_monitor(meta, args)),
        ("PrometheusRule", prometheus_rule(meta, args)),
    ]
    out = {kind: whole_manifest(kind, manifest) for kind, manifest in candidates if manifest is not None}
    add_policy_annotations(out, args, externals)
    return out


BUILT_IN_API_VERSIONS = {
    "ServiceAccount": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "PodDisruptionBudget": "policy/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "NetworkPolicy": "networking.k8s.io/v1",
}
"""The API version of each built-in kind a SecureWorkload renders."""


def whole_manifest(kind: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """A built-in kind's ``{metadata, spec, ...}`` with ``apiVersion`` and ``kind`` first; custom
    resources are rendered whole already."""
    api_version = BUILT_IN_API_VERSIONS.get(kind)
    if api_version is None or "kind" in manifest:
        return manifest
    return {"apiVersion": api_version, "kind": kind, **manifest}


class WorkloadMeta(NamedTuple):
    """What every object of one workload shares: its name and namespace, the standard labels and the
    selector of its pods."""

    name: str
    namespace: str
    labels: dict[str, str]
    selector: dict[str, str]

    def metadata(self, annotations: dict[str, str] | None = None) -> dict[str, Any]:
        """An object's ``metadata``: the workload's name and namespace, a copy of the labels, and
        ``annotations`` when there are any."""
        out: dict[str, Any] = {"name": self.name, "namespace": self.namespace, "labels": dict(self.labels)}
        if annotations:
            out["annotations"] = annotations
        return out


def workload_meta(name: str, args: SecureWorkloadArgs) -> WorkloadMeta:
    """The standard labels (``version`` defaults to the image tag; ``part_of`` to the namespace) and the
    selector of the workload's pods."""
    image = parse_image(args.image)
    version = args.version or (lbl.label_safe(image.tag) if image.tag else None)
    labels = lbl.standard_labels(
        name,
        component=args.component,
        part_of=args.part_of or args.namespace,
        version=version,
        extra=args.labels,
    )
    return WorkloadMeta(name, args.namespace, labels, lbl.selector_labels(name))


def service_account(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any]:
    """The ServiceAccount: its annotations (an IRSA role ARN ...) and whether pods mount a token."""
    return {
        "metadata": meta.metadata(dict(args.service_account_annotations) or None),
        "automountServiceAccountToken": args.automount_service_account_token,
    }


def external_secrets(meta: WorkloadMeta, args: SecureWorkloadArgs) -> list[tuple[str, dict[str, Any]]]:
    """``ExternalSecret/<target>`` and its ExternalSecret (named ``<target>``), for each of
    ``external_secrets`` in order."""
    return [
        (
            f"ExternalSecret/{secret.target}",
            {
                "apiVersion": EXTERNAL_SECRETS_API,
                "kind": "ExternalSecret",
                "metadata": {**meta.metadata(), "name": secret.target},
                "spec": external_secret_spec(secret),
            },
        )
        for secret in args.external_secrets
    ]


def pod_controller(
    meta: WorkloadMeta, args: SecureWorkloadArgs, recorded_mesh: MeshMode | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """The Deployment; with ``canary``, the AnalysisTemplate and the Rollout that replaces it (the
    Deployment's spec as its template). The controller carries the checkov skips, the policy
    exemptions and ``recorded_mesh``."""
    annotations = _deployment_annotations(args)
    if recorded_mesh is not None:
        annotations[MESH_ANNOTATION] = recorded_mesh.value
    metadata = meta.metadata(annotations or None)
    spec = deployment_spec(meta, args)
    if args.canary is None:
        return [("Deployment", {"metadata": metadata, "spec": spec})]
    analysis = {
        "apiVersion": ROLLOUTS_API,
        "kind": "AnalysisTemplate",
        "metadata": meta.metadata(),
        "spec": analysis_template_spec(args.canary),
    }
    rollout = {
        "apiVersion": ROLLOUTS_API,
        "kind": "Rollout",
        "metadata": metadata,
        "spec": rollout_spec(meta.name, meta.namespace, args.canary, spec),
    }
    return [("AnalysisTemplate", analysis), ("Rollout", rollout)]


def service(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any] | None:
    """The Service of the exposed ports (each targeting its container port by name); None when the
    Service is disabled or no port is exposed."""
    exposed = [p for p in args.ports if p.expose]
    if not args.service.enabled or not exposed:
        return None
    ports = [
        {"name": p.name, "port": p.service_port or p.port, "targetPort": p.name, "protocol": p.protocol.value}
        for p in exposed
    ]
    return {
        "metadata": meta.metadata(dict(args.service.annotations) or None),
        "spec": {"type": args.service.type.value, "selector": dict(meta.selector), "ports": ports},
    }


def pod_disruption_budget(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any] | None:
    """The PodDisruptionBudget, when more than one replica is guaranteed; unhealthy pods may always be
    evicted (they never block a node drain)."""
    if args.minimum_replicas <= 1:
        return None
    return {
        "metadata": meta.metadata(),
        "spec": {
            **args.disruption.render_policy(),
            "selector": {"matchLabels": dict(meta.selector)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def _scale_target(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, str]:
    """The Deployment or the Rollout, as the HPA, ScaledObject and VPA refer to it."""
    return {**args.scale_target, "name": meta.name}


def horizontal_pod_autoscaler(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any] | None:
    """The HPA, with ``autoscaling``."""
    if args.autoscaling is None:
        return None
    return {"metadata": meta.metadata(), "spec": _hpa_spec(args.autoscaling, _scale_target(meta, args))}


def scaled_object(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any] | None:
    """KEDA's ScaledObject, with ``keda``."""
    if args.keda is None:
        return None
    return {
        "apiVersion": KEDA_API,
        "kind": "ScaledObject",
        "metadata": meta.metadata(),
        "spec": scaled_object_spec(args.keda, _scale_target(meta, args)),
    }


def vertical_pod_autoscaler(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any] | None:
    """The VPA (recommendations only), with ``vpa``."""
    if args.vpa is None:
        return None
    return {
        "apiVersion": VPA_API,
        "kind": "VerticalPodAutoscaler",
        "metadata": meta.metadata(),
        "spec": vpa_spec(args.vpa, _scale_target(meta, args), args.container_name),
    }


def network_policy(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any]:
    """The NetworkPolicy: default deny, the declared callers and destinations, DNS unless disabled."""
    return {"metadata": meta.metadata(), "spec": _netpol_spec(args, meta.selector)}


def route(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any] | None:
    """The HTTPRoute to the Service, with ``route``."""
    if args.route is None:
        return None
    return http_route(
        meta.name, meta.namespace, args.route, service_port=_route_port(args), labels=meta.labels
    )


def _monitoring_metadata(meta: WorkloadMeta, monitoring: MonitoringArgs) -> dict[str, Any]:
    """The metadata of the ServiceMonitor and the PrometheusRule: ``monitoring.labels`` (the labels
    Prometheus selects them by) and the standard ones."""
    return {**meta.metadata(), "labels": {**monitoring.labels, **meta.labels}}


def service_monitor(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any] | None:
    """The ServiceMonitor scraping the metrics port through the Service, with ``monitoring``."""
    if args.monitoring is None:
        return None
    return {
        "apiVersion": MONITORING_API,
        "kind": "ServiceMonitor",
        "metadata": _monitoring_metadata(meta, args.monitoring),
        "spec": service_monitor_spec(
            args.monitoring, namespace=meta.namespace, selector=meta.selector, port=args.monitoring_port.name
        ),
    }


def prometheus_rule(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any] | None:
    """The PrometheusRule of the availability alerts, with ``monitoring`` and its ``alerts``."""
    monitoring = args.monitoring
    if monitoring is None or not monitoring.alerts:
        return None
    spec = prometheus_rule_spec(
        meta.name,
        meta.namespace,
        monitoring,
        kind=args.workload_kind,
        container=args.container_name,
        error_rate=_error_rate(meta.name, args),
        may_scale_to_zero=args.minimum_replicas == 0,
    )
    return {
        "apiVersion": MONITORING_API,
        "kind": "PrometheusRule",
        "metadata": _monitoring_metadata(meta, monitoring),
        "spec": spec,
    }


def add_policy_annotations(
    manifests: dict[str, dict[str, Any]], args: SecureWorkloadArgs, externals: Sequence[ExternalRef]
) -> None:
    """In place: the policy exemptions on every object (a rule may fire on any child: the route, the
    Service, the NetworkPolicy ...); the declared and implied externals on the NetworkPolicy, and
    those a route refers to (Gateways, Services) on the HTTPRoute."""
    add_annotations(manifests.values(), exemption_annotations(args.policy_exemptions))
    declared = [*_implied_externals(args), *externals]
    add_annotations([manifests["NetworkPolicy"]], externals_annotations(declared, args.namespace))
    if "HTTPRoute" in manifests:
        add_annotations(
            [manifests["HTTPRoute"]], externals_annotations(declared, args.namespace, kinds=ROUTE_KINDS)
        )


def _implied_externals(args: SecureWorkloadArgs) -> list[ExternalRef]:
    """What the workload references through its own options: Prometheus's namespace with ``monitoring``
    (a platform add-on, installed through GitOps, never declared by a team's or the platform's program)."""
    monitoring = args.monitoring
    if monitoring is None or monitoring.prometheus_namespace == args.namespace:
        return []
    return [ExternalRef(kind=ExternalKind.NAMESPACE, namespace=monitoring.prometheus_namespace)]


def _error_rate(name: str, args: SecureWorkloadArgs) -> str:
    """The canary analysis query (default or custom) for this workload, as the error-rate alert uses it."""
    query = args.canary.error_rate_query if args.canary is not None else DEFAULT_ERROR_RATE_QUERY
    return resolve_analysis_query(query, service=name, namespace=args.namespace)


def _route_port(args: SecureWorkloadArgs) -> int:
    exposed = [p for p in args.ports if p.expose]
    wanted = args.route.port if args.route is not None else None
    port = next((p for p in exposed if wanted in (p.name, p.port)), exposed[0])
    return port.service_port or port.port


def _ingress_ports(args: SecureWorkloadArgs, rule: IngressRule) -> list[PortArgs]:
    by_name = {p.name: p for p in args.ports}
    by_number = {p.port: p for p in args.ports}
    return [by_name[p] if isinstance(p, str) else by_number[p] for p in rule.ports] or list(args.ports)


def render_mesh(name: str, args: SecureWorkloadArgs, mesh: MeshMode) -> list[tuple[str, dict[str, Any]]]:
    """Mesh authorization admitting exactly the declared callers (``network.ingress``).

    Raises ConfigError for callers the mesh cannot identify (pod labels; CIDRs under Linkerd).
    """
    if mesh not in (MeshMode.ISTIO_AMBIENT, MeshMode.ISTIO_SIDECAR, MeshMode.LINKERD):
        return []
    rules = args.ingress_rules  # declared callers, plus Prometheus with monitoring (a namespace caller)
    for index, rule in enumerate(rules):
        if rule.pod_labels:
            raise ConfigError(
                f"SecureWorkload {name}: network.ingress[{index}] names callers by pod_labels, which have no mesh "
                f"identity in a {mesh.value} namespace; name the caller's workload (or its namespace) instead"
            )
        if rule.cidr is not None and mesh is MeshMode.LINKERD:
            raise ConfigError(
                f"SecureWorkload {name}: network.ingress[{index}] is a CIDR; Linkerd authorizes mesh identities "
                "only, so name the caller's workload or namespace"
            )
    labels = lbl.standard_labels(
        name, component=args.component, part_of=args.part_of or args.namespace, extra=args.labels
    )
    selector = lbl.selector_labels(name)
    if not rules:
        return []  # the namespace's allow-nothing policy denies every caller
    objects: list[tuple[str, dict[str, Any]]] = []
    if mesh is not MeshMode.LINKERD:
        policy = istio_authorization(
            name,
            args.namespace,
            rules,
            lambda rule: [p.port for p in _ingress_ports(args, rule)],
            selector=selector,
            labels=labels,
        )
        objects.append(("authz", policy))
    else:
        identities: dict[str, list[str]] = {}
        for rule in rules:
            for port in _ingress_ports(args, rule):
                identities.setdefault(port.name, []).append(linkerd_identity(rule, args.namespace))
        for port_name, callers in identities.items():
            objects += linkerd_authorization(
                name, args.namespace, port_name, callers, selector=selector, labels=labels
            )
    add_annotations((manifest for _, manifest in objects), exemption_annotations(args.policy_exemptions))
    return objects


def _deployment_annotations(args: SecureWorkloadArgs) -> dict[str, str]:
    """checkov skip annotations for deliberate departures, each with its reason, plus policy exemptions.

    CKV_K8S_43 (image by digest) is not skipped: a tag can be moved in a registry the platform does not
    control, so an image pinned by tag stays a checkov finding until it is pinned by digest."""
    skips: list[str] = []
    if args.resources.cpu_limit is None:
        skips.append("CKV_K8S_11=no CPU limit by design: limits cause CFS throttling; the CPU request is set")
    if args.env_from_secrets:
        skips.append("CKV_K8S_35=secrets as env requested explicitly via env_from_secrets (policy-reported)")
    annotations = {f"{CHECKOV_SKIP}{i}": reason for i, reason in enumerate(skips, start=1)}
    annotations.update(exemption_annotations(args.policy_exemptions))
    return annotations


def deployment_spec(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any]:
    """The Deployment's spec (the Rollout's too): a surge-only rolling update, the pod template, and the
    replica count unless an HPA or KEDA owns it."""
    template_meta: dict[str, Any] = {"labels": dict(meta.labels)}
    if args.pod_annotations:
        template_meta["annotations"] = dict(args.pod_annotations)
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(meta.selector)},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
        "minReadySeconds": args.min_ready_seconds,
        "revisionHistoryLimit": args.revision_history_limit,
        "progressDeadlineSeconds": args.progress_deadline_seconds,
        "template": {"metadata": template_meta, "spec": pod_spec(meta, args)},
    }
    if args.autoscaling is None and args.keda is None:
        spec["replicas"] = args.replicas
    return spec


def pod_spec(meta: WorkloadMeta, args: SecureWorkloadArgs) -> dict[str, Any]:
    """The pod template's spec: the workload's ServiceAccount, the pod security context, the main
    container, init containers and native sidecars (the main container's security context each), the
    volumes, the priority class, registry credentials and the topology spread."""
    sec = args.security
    container_ctx = container_security_context(
        read_only_root_filesystem=sec.read_only_root_filesystem,
        allow_privilege_escalation=sec.allow_privilege_escalation,
        add_capabilities=sec.add_capabilities,
        run_as_non_root=sec.run_as_non_root,
    )
    volumes, mounts = pod_storage(args)
    init_containers = [_extra_container(c, args, container_ctx, sidecar=False) for c in args.init_containers]
    init_containers += [_extra_container(c, args, container_ctx, sidecar=True) for c in args.sidecars]
    spec: dict[str, Any] = {
        "serviceAccountName": meta.name,
        "automountServiceAccountToken": args.automount_service_account_token,
        "enableServiceLinks": False,
        "securityContext": pod_security_context(
            run_as_user=sec.run_as_user,
            run_as_group=sec.run_as_group,
            fs_group=sec.fs_group,
            run_as_non_root=sec.run_as_non_root,
            seccomp_profile=sec.seccomp_profile.value,
            localhost_profile=sec.localhost_profile,
        ),
        "terminationGracePeriodSeconds": args.termination_grace_period_seconds,
        "containers": [main_container(args, container_ctx, mounts)],
        "volumes": volumes,
    }
    if init_containers:
        spec["initContainers"] = init_containers
    if args.priority_class_name:
        spec["priorityClassName"] = args.priority_class_name
    if args.image_pull_secrets:
        spec["imagePullSecrets"] = [{"name": s} for s in args.image_pull_secrets]
    spread = topology_spread(args, meta.selector)
    if spread:
        spec["topologySpreadConstraints"] = spread
    return spec


def pod_storage(args: SecureWorkloadArgs) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The pod's volumes and the main container's mounts of them: the /tmp emptyDir, the
    ``writable_paths`` (emptyDirs), then read-only the Secrets (``secret_mounts``) and ConfigMaps."""
    mounts: list[dict[str, Any]] = [{"name": "tmp", "mountPath": "/tmp"}]
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {"sizeLimit": args.tmp_size_limit}}]
    for index, path in enumerate(args.writable_paths):
        mounts.append({"name": f"writable-{index}", "mountPath": path})
        volumes.append({"name": f"writable-{index}", "emptyDir": {}})
    for index, secret in enumerate(args.secret_mounts):
        mounts.append({"name": f"secret-{index}", "mountPath": secret.mount_path, "readOnly": True})
        volumes.append(
            {"name": f"secret-{index}", "secret": {"secretName": secret.name, "defaultMode": 0o440}}
        )
    for index, config in enumerate(args.config_files):
        mounts.append({"name": f"config-{index}", "mountPath": config.mount_path, "readOnly": True})
        volumes.append({"name": f"config-{index}", "configMap": {"name": config.name, "defaultMode": 0o444}})
    return volumes, mounts


def main_container(
    args: SecureWorkloadArgs, security_context: dict[str, Any], mounts: list[dict[str, Any]]
) -> dict[str, Any]:
    """The main container: image, ports, resources, ``security_context``, probes, ``mounts``, the
    command and environment when given, and the preStop sleep that lets endpoints drain."""
    container: dict[str, Any] = {
        "name": args.container_name,
        "image": args.image,
        "imagePullPolicy": args.image_pull_policy.value,
        "ports": [
            {"name": p.name, "containerPort": p.port, "protocol": p.protocol.value} for p in args.ports
        ],
        "resources": args.resources.render(),
        "securityContext": security_context,
        "readinessProbe": render_probe(args.readiness, args.ports),
        "livenessProbe": render_probe(args.liveness, args.ports),
        "volumeMounts": mounts,
    }
    if args.startup is not None:
        container["startupProbe"] = render_probe(args.startup, args.ports)
    if args.command is not None:
        container["command"] = list(args.command)
    if args.args is not None:
        container["args"] = list(args.args)
    if args.env:
        container["env"] = [{"name": k, "value": v} for k, v in args.env.items()]
    env_from = [{"configMapRef": {"name": c}} for c in args.env_from_config_maps]
    env_from += [{"secretRef": {"name": s}} for s in args.env_from_secrets]
    if env_from:
        container["envFrom"] = env_from
    if args.pre_stop_sleep_seconds:
        container["lifecycle"] = {"preStop": {"sleep": {"seconds": args.pre_stop_sleep_seconds}}}
    return container


def topology_spread(args: SecureWorkloadArgs, selector: dict[str, str]) -> list[dict[str, Any]]:
    """One constraint over zones and one over hosts (max skew 1, per ReplicaSet); none when spread is
    disabled or at most one replica may run."""
    if not args.spread.enabled or args.maximum_replicas <= 1:
        return []
    return [
        {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": when.value,
            "labelSelector": {"matchLabels": dict(selector)},
            "matchLabelKeys": ["pod-template-hash"],
        }
        for key, when in (
            ("topology.kubernetes.io/zone", args.spread.zone),
            ("kubernetes.io/hostname", args.spread.host),
        )
    ]


def render_probe(probe: ProbeArgs, ports: list[PortArgs]) -> dict[str, Any]:
    """A probe on the container's first port by default; gRPC probes get the port number (Kubernetes
    does not resolve names for them)."""
    default_port: str | None = ports[0].name if ports else None
    if probe.kind is ProbeKind.GRPC:
        numbers = {p.name: p.port for p in ports}
        port = probe.port if probe.port is not None else default_port
        probe = probe.model_copy(update={"port": numbers.get(str(port), port)})
    return probe.render(default_port)


def _extra_container(
    c: ContainerArgs, args: SecureWorkloadArgs, ctx: dict[str, Any], *, sidecar: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": c.name,
        "image": c.image,
        "imagePullPolicy": args.image_pull_policy.value,
        "resources": c.resources.render(),
        "securityContext": dict(ctx),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    if c.command is not None:
        out["command"] = list(c.command)
    if c.args is not None:
        out["args"] = list(c.args)
    if c.env:
        out["env"] = [{"name": k, "value": v} for k, v in c.env.items()]
    if sidecar:
        out["restartPolicy"] = "Always"
        if c.ports:
            out["ports"] = [
                {"name": p.name, "containerPort": p.port, "protocol": p.protocol.value} for p in c.ports
            ]
        if c.readiness is not None:
            out["readinessProbe"] = render_probe(c.readiness, c.ports)
    return out


def _hpa_spec(scaling: AutoscalingArgs, scale_target: dict[str, str]) -> dict[str, Any]:
    metrics: list[dict[str, Any]] = []
    for resource, target in (
        ("cpu", scaling.target_cpu_utilization),
        ("memory", scaling.target_memory_utilization),
    ):
        if target is not None:
            metrics.append(
                {
                    "type": "Resource",
                    "resource": {
                        "name": resource,
                        "target": {"type": "Utilization", "averageUtilization": target},
                    },
                }
            )
    return {
        "scaleTargetRef": dict(scale_target),
        "minReplicas": scaling.min_replicas,
        "maxReplicas": scaling.max_replicas,
        "metrics": metrics,
        "behavior": hpa_behavior(scaling.scale_down_stabilization_seconds),
    }


def _netpol_spec(args: SecureWorkloadArgs, selector: dict[str, str]) -> dict[str, Any]:
    def ingress_ports(rule: IngressRule) -> list[dict[str, Any]]:
        return [{"port": p.port, "protocol": p.protocol.value} for p in _ingress_ports(args, rule)]

    ingress = [(rule.render(), ingress_ports(rule)) for rule in args.ingress_rules]
    egress = [(rule.render(), [p.render() for p in rule.ports]) for rule in args.network.egress]
    return network_policy_spec(
        pod_labels=selector, ingress=ingress, egress=egress, allow_dns=args.network.allow_dns
    )


__all__ = [
    "AutoscalingArgs",
    "ContainerArgs",
    "DisruptionArgs",
    "ImagePullPolicy",
    "MountArgs",
    "NetworkArgs",
    "PortArgs",
    "ResourcesArgs",
    "SeccompProfile",
    "SecureWorkload",
    "SecureWorkloadArgs",
    "SecurityArgs",
    "ServiceArgs",
    "ServiceType",
    "SpreadArgs",
    "WhenUnsatisfiable",
    "render_mesh",
    "render_workload",
    "validate_workload_name",
]
