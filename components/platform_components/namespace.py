"""MeshNamespace: a team's namespace, hardened and enrolled in the chosen service mesh.

Usage::

    team = MeshNamespace("payments", MeshNamespaceArgs(mesh=MeshMode.ISTIO_AMBIENT, waypoint=True,
                                                       group="payments-developers"))
    SecureWorkload("api", SecureWorkloadArgs(namespace="payments", ...), mesh=team)

Children (``<name>-<role>``): ``-namespace`` Namespace (Pod Security Admission enforce/audit/warn
labels pinned to a version, restricted by default), ``-quota`` ResourceQuota and ``-limits``
LimitRange (presets per size, overridable), ``-role`` Role + ``-binding`` RoleBinding for the
team's group (explicit verbs and resources, no wildcards), ``-default-deny`` NetworkPolicy (deny
all both ways except DNS to kube-dns and what the mesh itself needs), and per mesh mode:

* ``istio-ambient``: label ``istio.io/dataplane-mode=ambient``; HBONE (TCP 15008) and the ztunnel
  health-probe source 169.254.7.127 allowed; ``-mtls`` PeerAuthentication STRICT; ``-deny-all``
  AuthorizationPolicy (allow nothing unless a workload policy allows it); optional ``-waypoint``
  Gateway API Gateway of class ``istio-waypoint`` plus ``istio.io/use-waypoint`` on the namespace.
* ``istio-sidecar``: label ``istio-injection=enabled`` (refused under PSA restricted unless the
  cluster runs the Istio CNI: the istio-init container needs NET_ADMIN and NET_RAW); egress to
  istiod (15012); STRICT PeerAuthentication and deny-all AuthorizationPolicy.
* ``linkerd``: annotation ``linkerd.io/inject: enabled`` (same CNI rule) and
  ``config.linkerd.io/default-inbound-policy: deny``; egress to the Linkerd control plane.
* ``cilium``: no injection (Cilium enforces the same NetworkPolicies; mutual authentication is a
  cluster-level Cilium setting).
* ``none``: nothing mesh-specific.

With ``cluster=`` (an :class:`~platform_components.cluster.EksCluster`) every owner IAM principal gets an EKS
access entry mapped to the team's group, with the read-only EKS access policy scoped to this
namespace.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import pulumi
from pydantic import Field, field_validator, model_validator

from ._base import StrictModel
from ._optional import ensure_loaded, lazy_module
from .context import labelled
from .errors import ConfigError
from .kube import labels as lbl
from .kube.names import check_dns1123_label
from .kube.netpol import NAMESPACE_NAME_LABEL, default_deny_spec
from .kube.objects import add_annotations, create_object
from .kube.quantity import check_quantity
from .policies.base import exemption_annotations
from .policies.tenancy import MESH_CNI_ANNOTATION, TEAM_LABEL

if TYPE_CHECKING:
    import pulumi_aws as aws
else:
    aws = lazy_module("pulumi_aws", "MeshNamespace EKS access entries")

TYPE_TOKEN = "platform:index:MeshNamespace"
PSA_MODES = ("enforce", "audit", "warn")
HBONE_PORT = 15008
ZTUNNEL_PROBE_SOURCE = "169.254.7.127/32"
WAYPOINT_NAME = "waypoint"


class MeshMode(enum.StrEnum):
    NONE = "none"
    ISTIO_AMBIENT = "istio-ambient"
    ISTIO_SIDECAR = "istio-sidecar"
    LINKERD = "linkerd"
    CILIUM = "cilium"

    @property
    def istio(self) -> bool:
        return self in (MeshMode.ISTIO_AMBIENT, MeshMode.ISTIO_SIDECAR)

    @property
    def sidecar(self) -> bool:
        return self in (MeshMode.ISTIO_SIDECAR, MeshMode.LINKERD)


class PodSecurityLevel(enum.StrEnum):
    RESTRICTED = "restricted"
    BASELINE = "baseline"
    PRIVILEGED = "privileged"


class Size(enum.StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


QUOTA_PRESETS: dict[Size, dict[str, str]] = {
    Size.SMALL: {
        "requests.cpu": "4",
        "requests.memory": "8Gi",
        "limits.memory": "16Gi",
        "pods": "40",
        "services": "20",
        "persistentvolumeclaims": "10",
        "requests.storage": "100Gi",
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    },
    Size.MEDIUM: {
        "requests.cpu": "16",
        "requests.memory": "32Gi",
        "limits.memory": "64Gi",
        "pods": "150",
        "services": "50",
        "persistentvolumeclaims": "30",
        "requests.storage": "500Gi",
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    },
    Size.LARGE: {
        "requests.cpu": "64",
        "requests.memory": "128Gi",
        "limits.memory": "256Gi",
        "pods": "500",
        "services": "100",
        "persistentvolumeclaims": "100",
        "requests.storage": "2Ti",
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    },
}
"""ResourceQuota per team size. No load balancers or node ports: traffic enters through the Gateway."""

TEAM_RULES: list[dict[str, Any]] = [
    {
        "apiGroups": [""],
        "resources": [
            "pods",
            "pods/log",
            "services",
            "endpoints",
            "configmaps",
            "persistentvolumeclaims",
            "events",
        ],
        "verbs": ["get", "list", "watch"],
    },
    {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create", "update", "patch", "delete"]},
    {
        "apiGroups": ["apps"],
        "resources": ["deployments", "statefulsets", "replicasets"],
        "verbs": ["get", "list", "watch"],
    },
    {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["get", "update", "patch"]},
    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]},
    {
        "apiGroups": ["batch"],
        "resources": ["jobs", "cronjobs"],
        "verbs": ["get", "list", "watch", "delete"],
    },
    {
        "apiGroups": ["autoscaling"],
        "resources": ["horizontalpodautoscalers"],
        "verbs": ["get", "list", "watch"],
    },
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": ["get", "list", "watch"]},
    {
        "apiGroups": ["gateway.networking.k8s.io"],
        "resources": ["httproutes", "grpcroutes"],
        "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
    },
]
"""What a team may do in its namespace: read its workloads, restart and scale deployments, clean up
jobs, manage its routes; no exec, no pod or job creation (that is GitOps' job), no secrets, no RBAC,
no wildcards."""


class MeshNamespaceArgs(StrictModel):
    """Arguments of :class:`MeshNamespace`."""

    mesh: MeshMode = Field(default=MeshMode.NONE, description="Service mesh enrolment of the namespace.")
    waypoint: bool = Field(default=False, description="Istio ambient: deploy a waypoint for L7 policy.")
    mesh_cni: bool = Field(
        default=False,
        description="The cluster runs the mesh's CNI plugin (required for sidecars under restricted).",
    )
    pod_security: PodSecurityLevel = Field(
        default=PodSecurityLevel.RESTRICTED,
        description="PSA level (enforce, audit, warn); a lower one is an explicit opt-out the policy pack reports.",
    )
    policy_exemptions: dict[str, str] = Field(
        default_factory=dict,
        description="rule id -> reason: an explicit, reported exemption of the namespace.",
    )
    pod_security_version: str = Field(default="v1.35", description="PSA policy version the labels pin.")
    size: Size = Field(default=Size.SMALL, description="Quota preset: small, medium or large.")
    quota: dict[str, str] = Field(
        default_factory=dict, description="ResourceQuota overrides (key -> quantity)."
    )
    group: str | None = Field(
        default=None, description="Kubernetes group bound to the team Role (default <name>-developers)."
    )
    owners: list[str] = Field(
        default_factory=list,
        description="IAM role/user ARNs given namespace access through EKS access entries.",
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Extra namespace labels.")

    @field_validator("pod_security_version")
    @classmethod
    def _psa_version(cls, value: str) -> str:
        import re

        if value != "latest" and not re.match(r"^v1\.[0-9]+$", value):
            raise ValueError(f"pod_security_version {value!r} must look like 'v1.35' (or 'latest')")
        return value

    @field_validator("quota")
    @classmethod
    def _quota(cls, value: dict[str, str]) -> dict[str, str]:
        for key, amount in value.items():
            try:
                check_quantity(str(amount), positive=False)
            except ValueError as exc:
                raise ValueError(f"quota {key}: {exc}") from None
        return value

    @field_validator("owners")
    @classmethod
    def _owners(cls, value: list[str]) -> list[str]:
        from .cluster import _IAM_PRINCIPAL

        for arn in value:
            if not _IAM_PRINCIPAL.match(arn):
                raise ValueError(f"owner {arn!r} is not an IAM role or user ARN")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> MeshNamespaceArgs:
        if self.waypoint and self.mesh is not MeshMode.ISTIO_AMBIENT:
            raise ValueError("waypoint is an Istio ambient feature; set mesh: istio-ambient or drop waypoint")
        if self.mesh.sidecar and self.pod_security is PodSecurityLevel.RESTRICTED and not self.mesh_cni:
            raise ValueError(
                f"mesh {self.mesh.value} injects an init container that needs NET_ADMIN and NET_RAW, which Pod "
                "Security 'restricted' forbids; run the mesh CNI plugin in the cluster (set mesh_cni: true) "
                "or use mesh: istio-ambient"
            )
        return self


class MeshNamespace(pulumi.ComponentResource):
    """A team namespace with PSA labels, quotas, RBAC, default-deny networking and mesh enrolment."""

    if TYPE_CHECKING:  # outputs for type checkers and the docs (see SecureWorkload)
        namespace: pulumi.Output[str]
        """The namespace name (the component name)."""
        name: str
        """The namespace name as a plain value (what ``mesh=team`` of a workload checks)."""
        mesh: MeshMode
        """The mesh mode workloads in this namespace must derive their authorization for."""

    def __init__(
        self,
        name: str,
        args: MeshNamespaceArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        cluster: Any | None = None,
    ) -> None:
        try:
            check_dns1123_label(name)
        except ValueError as exc:
            raise ConfigError(f"MeshNamespace name: {exc}") from None
        if cluster is None and args.owners:  # refused before anything is registered
            raise ConfigError(
                f"MeshNamespace {name}: owners need an EKS cluster (access entries); drop them or add a cluster"
            )
        if cluster is not None and args.owners:
            ensure_loaded(aws)  # the owners' EKS access entries
        args = args.model_copy(update={"labels": labelled(args.labels)})  # platform:environment
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.name = name
        self.mesh = args.mesh
        manifests = render_namespace(name, args)
        namespace = self._namespace_objects(name, manifests)
        if cluster is not None:
            self._owner_access(name, args, cluster)
        self.namespace = namespace.metadata.apply(lambda m: (m.name if m else None) or name)
        self.register_outputs({"namespace": self.namespace})

    def _namespace_objects(self, name: str, manifests: dict[str, dict[str, Any]]) -> Any:
        """``-namespace`` first; its quota, limits, role, binding, default-deny policy and mesh
        objects (those the manifests hold) after it. Returns the Namespace."""
        namespace = create_object(
            f"{name}-namespace", manifests["Namespace"], pulumi.ResourceOptions(parent=self)
        )
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        create_object(f"{name}-quota", manifests["ResourceQuota"], in_ns)
        create_object(f"{name}-limits", manifests["LimitRange"], in_ns)
        role = create_object(f"{name}-role", manifests["Role"], in_ns)
        create_object(
            f"{name}-binding",
            manifests["RoleBinding"],
            pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )
        create_object(f"{name}-default-deny", manifests["NetworkPolicy"], in_ns)
        for kind, role_suffix in (
            ("PeerAuthentication", "mtls"),
            ("AuthorizationPolicy", "deny-all"),
            ("Gateway", "waypoint"),
        ):
            if kind in manifests:
                create_object(f"{name}-{role_suffix}", manifests[kind], in_ns)
        return namespace

    def _owner_access(self, name: str, args: MeshNamespaceArgs, cluster: Any) -> None:
        """``-owner-<i>`` and ``-owner-<i>-view``: an EKS access entry per owner, in the team's
        group, with the view policy scoped to this namespace."""
        group = args.group or f"{name}-developers"
        for index, owner in enumerate(args.owners):
            entry = aws.eks.AccessEntry(
                f"{name}-owner-{index}",
                cluster_name=cluster.cluster_name,
                principal_arn=owner,
                kubernetes_groups=[group],
                type="STANDARD",
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.eks.AccessPolicyAssociation(
                f"{name}-owner-{index}-view",
                cluster_name=cluster.cluster_name,
                principal_arn=owner,
                policy_arn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                access_scope={"type": "namespace", "namespaces": [name]},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
            )


def psa_labels(level: PodSecurityLevel, version: str) -> dict[str, str]:
    """Pod Security Admission enforce/audit/warn labels at one level, each pinned to ``version``."""
    labels: dict[str, str] = {}
    for mode in PSA_MODES:
        labels[f"pod-security.kubernetes.io/{mode}"] = level.value
        labels[f"pod-security.kubernetes.io/{mode}-version"] = version
    return labels


def render_namespace(name: str, args: MeshNamespaceArgs) -> dict[str, dict[str, Any]]:
    """The Kubernetes objects of a MeshNamespace, keyed by kind (pure, no Pulumi)."""
    out: dict[str, dict[str, Any]] = {
        "Namespace": team_namespace(name, args),
        "ResourceQuota": _typed("v1", "ResourceQuota", team_quota(name, args)),
        "LimitRange": _typed("v1", "LimitRange", team_limit_range(name)),
        "Role": _typed(RBAC, "Role", team_role(name)),
        "RoleBinding": _typed(RBAC, "RoleBinding", team_role_binding(name, args)),
        "NetworkPolicy": _typed(
            "networking.k8s.io/v1",
            "NetworkPolicy",
            {"metadata": team_metadata(name, "default-deny"), "spec": _default_deny(args.mesh)},
        ),
        **istio_policies(name, args.mesh),
    }
    if args.waypoint:
        out["Gateway"] = waypoint_gateway(name)
    # a rule may fire on any child (the quota, the default-deny policy ...), so each carries them
    add_annotations(out.values(), exemption_annotations(args.policy_exemptions))
    return out


# -- render_namespace's builders: the args in, one object (or its labels or annotations) out --------


def team_namespace_labels(name: str, args: MeshNamespaceArgs) -> dict[str, str]:
    """The namespace's labels: the caller's, then managed-by, team and name, Pod Security Admission,
    and the mesh's enrolment label (Istio ambient, with its waypoint, or sidecar injection)."""
    labels: dict[str, str] = {
        **args.labels,
        lbl.MANAGED_BY_KEY: lbl.MANAGED_BY,
        TEAM_LABEL: name,
        NAMESPACE_NAME_LABEL: name,
    }
    labels.update(psa_labels(args.pod_security, args.pod_security_version))
    if args.mesh is MeshMode.ISTIO_AMBIENT:
        labels["istio.io/dataplane-mode"] = "ambient"
        if args.waypoint:
            labels["istio.io/use-waypoint"] = WAYPOINT_NAME
    elif args.mesh is MeshMode.ISTIO_SIDECAR:
        labels["istio-injection"] = "enabled"
    return labels


def team_namespace_annotations(args: MeshNamespaceArgs) -> dict[str, str]:
    """The namespace's annotations: Linkerd's injection and default-deny inbound policy, the mesh CNI
    marker, and the policy exemptions."""
    annotations: dict[str, str] = {}
    if args.mesh is MeshMode.LINKERD:
        annotations["linkerd.io/inject"] = "enabled"
        annotations["config.linkerd.io/default-inbound-policy"] = "deny"
    if args.mesh_cni:
        annotations[MESH_CNI_ANNOTATION] = "true"
    annotations.update(exemption_annotations(args.policy_exemptions))
    return annotations


def team_namespace(name: str, args: MeshNamespaceArgs) -> dict[str, Any]:
    """The Namespace (no ``annotations`` key when there are none)."""
    metadata: dict[str, Any] = {"name": name, "labels": team_namespace_labels(name, args)}
    annotations = team_namespace_annotations(args)
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}


RBAC = "rbac.authorization.k8s.io/v1"


def _typed(api_version: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as a whole manifest: ``apiVersion`` and ``kind`` first."""
    return {"apiVersion": api_version, "kind": kind, **body}


def team_metadata(name: str, object_name: str) -> dict[str, Any]:
    """The metadata of an object in the team's namespace ``name``: managed-by and team labels."""
    return {
        "name": object_name,
        "namespace": name,
        "labels": {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY, TEAM_LABEL: name},
    }


def team_quota(name: str, args: MeshNamespaceArgs) -> dict[str, Any]:
    """The ResourceQuota: the size's preset with the args' overrides."""
    return {
        "metadata": team_metadata(name, "team-quota"),
        "spec": {"hard": {**QUOTA_PRESETS[args.size], **args.quota}},
    }


def team_limit_range(name: str) -> dict[str, Any]:
    """The LimitRange: container memory defaults and ceiling, volume claim size bounds."""
    return {
        "metadata": team_metadata(name, "team-limits"),
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                    "default": {"memory": "256Mi"},
                    "max": {"memory": "16Gi"},
                },
                {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "1Ti"}},
            ]
        },
    }


def team_role(name: str) -> dict[str, Any]:
    """The team's Role (:data:`TEAM_RULES`)."""
    return {"metadata": team_metadata(name, "team-developer"), "rules": [dict(rule) for rule in TEAM_RULES]}


def team_role_binding(name: str, args: MeshNamespaceArgs) -> dict[str, Any]:
    """The RoleBinding of the team's Role to its group (default ``<name>-developers``)."""
    return {
        "metadata": team_metadata(name, "team-developer"),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "team-developer"},
        "subjects": [
            {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Group",
                "name": args.group or f"{name}-developers",
            }
        ],
    }


def istio_policies(name: str, mesh: MeshMode) -> dict[str, dict[str, Any]]:
    """Under Istio (ambient or sidecar): STRICT mTLS and an allow-nothing AuthorizationPolicy, by kind;
    none otherwise."""
    if not mesh.istio:
        return {}
    return {
        "PeerAuthentication": {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": team_metadata(name, "default"),
            "spec": {"mtls": {"mode": "STRICT"}},
        },
        "AuthorizationPolicy": {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": team_metadata(name, "deny-all"),
            "spec": {},
        },
    }


def waypoint_gateway(name: str) -> dict[str, Any]:
    """The Istio ambient waypoint: a Gateway of class ``istio-waypoint`` for the namespace's services."""
    metadata = team_metadata(name, WAYPOINT_NAME)
    metadata["labels"]["istio.io/waypoint-for"] = "service"
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": metadata,
        "spec": {
            "gatewayClassName": "istio-waypoint",
            "listeners": [{"name": "mesh", "port": HBONE_PORT, "protocol": "HBONE"}],
        },
    }


def _default_deny(mesh: MeshMode) -> dict[str, Any]:
    """Deny everything in both directions except DNS and the mesh's own traffic."""
    any_pod: dict[str, Any] = {"namespaceSelector": {}}
    ingress: list[dict[str, Any]] = []
    egress: list[dict[str, Any]] = []
    if mesh is MeshMode.ISTIO_AMBIENT:
        hbone = [{"port": HBONE_PORT, "protocol": "TCP"}]
        ingress.append({"from": [any_pod], "ports": hbone})
        ingress.append({"from": [{"ipBlock": {"cidr": ZTUNNEL_PROBE_SOURCE}}]})
        egress.append({"to": [any_pod], "ports": hbone})
    elif mesh is MeshMode.ISTIO_SIDECAR:
        egress.append(
            {
                "to": [{"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "istio-system"}}}],
                "ports": [{"port": 15012, "protocol": "TCP"}],
            }
        )
    elif mesh is MeshMode.LINKERD:
        egress.append(
            {
                "to": [{"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "linkerd"}}}],
                "ports": [{"port": port, "protocol": "TCP"} for port in (8080, 8086, 8090)],
            }
        )
    return default_deny_spec(ingress=ingress, egress=egress)


__all__ = [
    "MESH_CNI_ANNOTATION",
    "TEAM_LABEL",
    "MeshMode",
    "MeshNamespace",
    "MeshNamespaceArgs",
    "PodSecurityLevel",
    "Size",
]
