"""PlatformEnvironment: composes one environment's platform from a validated :class:`PlatformConfig`.

With a ``cluster`` in the config it creates an :class:`~platform_components.cluster.EksCluster` (through an
explicit AWS provider for the configured region), Karpenter and every declared
:class:`~platform_components.karpenter.KarpenterNodePool`, and deploys everything in-cluster through the
cluster's Kubernetes provider. Without one (the ``local`` stack) it targets an existing cluster
(the ambient kubeconfig context or the stack's ``kubernetes:context``) and creates no AWS
resources. In-cluster, it creates:

* the platform PriorityClasses (``platform-critical``, ``-high``, ``-medium``, ``-low``) that
  :class:`~platform_components.workload.SecureWorkload` refers to by default;
* one Namespace per workload namespace, labelled for Pod Security Admission *restricted*
  (enforce, audit and warn, pinned to the target Kubernetes minor), with a ``default-deny``
  NetworkPolicy (every pod isolated both ways, DNS to kube-dns allowed; the workloads' and
  databases' own policies allow the rest);
* every declared workload as a :class:`~platform_components.workload.SecureWorkload`;
* every declared database as a :class:`~platform_components.database.StatefulDatabase` (backed up to S3
  through the cluster's workload identity);
* the pack's rules as ValidatingAdmissionPolicies
  (:class:`~platform_components.admission_policies.AdmissionPolicies`, stack key ``admission``), which
  leave the GitOps controller's namespace alone;
* the declared :class:`~platform_components.gitops.GitOpsBootstrap` (Argo CD or Flux), handed the platform
  facts (cluster name, region, VPC, OIDC issuer, node role, Karpenter queue, team namespaces).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s

from ._base import plain
from ._optional import ensure_loaded, lazy_module
from .admission_policies import AdmissionPolicies, admission_documents
from .cluster import EksCluster
from .config import PlatformConfig
from .database import StatefulDatabase
from .gitops import GitOpsBootstrap, GitOpsEngine
from .karpenter import Karpenter, KarpenterNodePool
from .kube import labels as lbl
from .kube.awaiting import skip_await_transformation
from .kube.netpol import default_deny_spec
from .kube.objects import create_object
from .namespace import TEAM_LABEL, MeshMode, MeshNamespace, MeshNamespaceArgs, PodSecurityLevel, psa_labels
from .workload import SecureWorkload

if TYPE_CHECKING:
    import pulumi_aws as aws
else:
    aws = lazy_module("pulumi_aws", "a PlatformEnvironment with AWS resources")

TYPE_TOKEN = "platform:index:PlatformEnvironment"

PRIORITY_CLASSES: dict[str, tuple[int, str, str]] = {
    "platform-critical": (
        1_000_000,
        "PreemptLowerPriority",
        "Platform add-ons the cluster cannot run without.",
    ),
    "platform-high": (100_000, "PreemptLowerPriority", "User-facing services with strict SLOs."),
    "platform-medium": (10_000, "PreemptLowerPriority", "Default for SecureWorkload: regular services."),
    "platform-low": (1_000, "Never", "Batch and best-effort work; never preempts others."),
}
"""name -> (value, preemption policy, description). Values stay far below system-* (2e9)."""


def namespace_labels(namespace: str, environment: str, kubernetes_version: str) -> dict[str, str]:
    labels = {
        lbl.MANAGED_BY_KEY: lbl.MANAGED_BY,
        lbl.ENVIRONMENT: environment,
        "kubernetes.io/metadata.name": namespace,
    }
    labels.update(psa_labels(PodSecurityLevel.RESTRICTED, f"v{kubernetes_version}"))
    return labels


def controller_namespaces(config: PlatformConfig) -> dict[str, str]:
    """The GitOps controller's namespace, which the admission policies leave alone, with the reason."""
    if config.gitops is None:
        return {}
    source = "Argo CD Helm chart" if config.gitops.engine is GitOpsEngine.ARGOCD else "Flux install manifest"
    return {
        config.gitops.controller_namespace: f"the {source}'s controllers: objects the platform does not "
        "render, which the admission policies have not been verified against (Pod Security Admission "
        "restricted still applies)"
    }


def stack_admission_documents(config: PlatformConfig) -> list[dict[str, Any]]:
    """The ValidatingAdmissionPolicies and bindings a stack installs (``platformctl admission``)."""
    return admission_documents(config.admission, controller_namespaces(config))


class PlatformEnvironment(pulumi.ComponentResource):
    """Everything one stack declares (see the module docstring)."""

    if TYPE_CHECKING:  # outputs for type checkers and the docs (see SecureWorkload)
        namespaces: pulumi.Output[list[str]]
        """Namespaces created for the declared workloads."""
        meshes: dict[str, MeshMode]
        """The mesh mode of each of those namespaces (exported for team programs: ``NamespaceRef``)."""
        workloads: dict[str, SecureWorkload]
        """The SecureWorkloads by name."""
        teams: dict[str, MeshNamespace]
        """The team namespaces by team name."""
        databases: dict[str, StatefulDatabase]
        """The StatefulDatabases by name."""
        gitops: GitOpsBootstrap | None
        """The GitOps controller handed the cluster (None when the stack declares none)."""
        admission: AdmissionPolicies
        """The ValidatingAdmissionPolicies of the pack's rules (none when ``admission.enabled`` is off)."""

        cluster: EksCluster | None
        """The EKS cluster (None when deploying into an existing cluster)."""

    def __init__(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        if config.cluster is not None:
            ensure_loaded(aws)
        if config.skip_await:  # inherited by every child: kube/awaiting.py
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[skip_await_transformation])
            )
        super().__init__(TYPE_TOKEN, name, None, opts)
        environment = config.environment.value
        tags = {lbl.ENVIRONMENT: environment, lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}
        in_cluster = pulumi.ResourceOptions(parent=self)
        self.cluster = None
        if config.cluster is not None:
            aws_provider = aws.Provider(
                f"{name}-aws", region=config.cluster.region, opts=pulumi.ResourceOptions(parent=self)
            )
            aws_opts = pulumi.ResourceOptions(parent=self, providers={"aws": aws_provider})
            self.cluster = EksCluster(
                f"platform-{environment}",
                config.cluster.to_args(config.kubernetes_version, tags),
                opts=aws_opts,
            )
            karpenter = Karpenter(
                f"{name}-karpenter", config.karpenter_args, opts=aws_opts, cluster=self.cluster
            )
            for pool in config.node_pools:
                KarpenterNodePool(pool.name, pool.to_args(), opts=aws_opts, karpenter=karpenter)
            in_cluster = pulumi.ResourceOptions(
                parent=self, providers={"aws": aws_provider, "kubernetes": self.cluster.k8s_provider}
            )
        for class_name, (value, preemption, description) in PRIORITY_CLASSES.items():
            k8s.scheduling.v1.PriorityClass(
                f"{name}-{class_name}",
                metadata={"name": class_name, "labels": {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}},
                value=value,
                preemption_policy=preemption,
                global_default=False,
                description=description,
                opts=in_cluster,
            )
        teams: dict[str, MeshNamespace] = {}
        for team in config.teams:
            team_args = team.to_args(mesh_cni=config.mesh_cni, kubernetes_version=config.kubernetes_version)
            teams[team.name] = MeshNamespace(
                team.name,
                team_args.model_copy(update={"labels": {**team_args.labels, lbl.ENVIRONMENT: environment}}),
                opts=in_cluster,
                cluster=self.cluster,
            )
        if config.gateway is not None:
            self._gateway(name, config, in_cluster)
        namespace_resources: dict[str, pulumi.Resource] = dict(teams)
        for namespace in config.namespaces:
            if namespace in teams:
                continue
            created = k8s.core.v1.Namespace(
                f"{name}-ns-{namespace}",
                metadata={
                    "name": namespace,
                    "labels": namespace_labels(namespace, environment, config.kubernetes_version),
                },
                opts=in_cluster,
            )
            # deny-all both ways but DNS, as in a team namespace: the workloads' own policies allow the rest
            create_object(
                f"{name}-ns-{namespace}-default-deny",
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "NetworkPolicy",
                    "metadata": {
                        "name": "default-deny",
                        "namespace": namespace,
                        "labels": {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY, lbl.ENVIRONMENT: environment},
                    },
                    "spec": default_deny_spec(),
                },
                pulumi.ResourceOptions.merge(in_cluster, pulumi.ResourceOptions(depends_on=[created])),
            )
            namespace_resources[namespace] = created
        self.workloads = {}
        for workload in config.workloads:
            args = workload.to_args()
            extra_labels: dict[str, Any] = {**args.labels, lbl.ENVIRONMENT: environment}
            team_namespace = teams.get(workload.namespace)
            self.workloads[workload.name] = SecureWorkload(
                workload.name,
                args.model_copy(update={"labels": extra_labels}),
                opts=pulumi.ResourceOptions.merge(
                    in_cluster, pulumi.ResourceOptions(depends_on=[namespace_resources[workload.namespace]])
                ),
                mesh=team_namespace,  # the MeshNamespace of this program: its Namespace shows the mode
            )
        self.databases = {}
        for database in config.databases:
            db_args = database.to_args()
            self.databases[database.name] = StatefulDatabase(
                database.name,
                db_args.model_copy(update={"labels": {**db_args.labels, lbl.ENVIRONMENT: environment}}),
                opts=pulumi.ResourceOptions.merge(
                    in_cluster, pulumi.ResourceOptions(depends_on=[namespace_resources[database.namespace]])
                ),
                mesh=teams.get(database.namespace),
                cluster=self.cluster,
            )
        self.admission = AdmissionPolicies(
            "admission", config.admission, opts=in_cluster, excluded_namespaces=controller_namespaces(config)
        )
        self.gitops = None
        if config.gitops is not None:
            facts: dict[str, pulumi.Input[str]] = {
                "environment": environment,
                "kubernetes_version": config.kubernetes_version,
                "team_namespaces": ",".join(sorted(teams)),
            }
            if self.cluster is not None and config.cluster is not None:
                facts.update(
                    cluster_name=self.cluster.cluster_name,
                    region=config.cluster.region,
                    vpc_id=self.cluster.vpc_id,
                    oidc_issuer=self.cluster.oidc_issuer,
                    node_role_arn=self.cluster.node_role_arn,
                    karpenter_queue=karpenter.queue_name,
                )
            self.gitops = GitOpsBootstrap(
                "gitops",
                config.gitops,
                opts=in_cluster,
                facts=facts,
                depends_on_teams=list(teams.values()),
            )
        self.teams = teams
        self.namespaces = pulumi.Output.from_input(sorted({*config.namespaces, *teams}))
        self.meshes = {
            namespace: teams[namespace].mesh if namespace in teams else MeshMode.NONE
            for namespace in sorted({*config.namespaces, *teams})
        }
        self.register_outputs({"namespaces": self.namespaces})

    def _gateway(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions) -> None:
        """The shared ingress Gateway, its namespace, and the NetworkPolicy letting traffic reach it."""
        gateway = config.gateway
        assert gateway is not None
        namespace = MeshNamespace(
            gateway.namespace,
            MeshNamespaceArgs(pod_security_version=f"v{config.kubernetes_version}"),
            opts=opts,
        )
        after_namespace = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[namespace]))
        labels = {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}
        k8s.apiextensions.CustomResource(
            f"{name}-gateway",
            api_version="gateway.networking.k8s.io/v1",
            kind="Gateway",
            metadata={"name": gateway.name, "namespace": gateway.namespace, "labels": labels},
            spec={
                "gatewayClassName": gateway.class_name,
                "listeners": [
                    {
                        "name": "https",
                        "port": 443,
                        "protocol": "HTTPS",
                        "hostname": gateway.hostname,
                        "tls": {
                            "mode": "Terminate",
                            "certificateRefs": [{"kind": "Secret", "name": gateway.certificate_secret}],
                        },
                        "allowedRoutes": {
                            "namespaces": {
                                "from": "Selector",
                                "selector": {"matchExpressions": [{"key": TEAM_LABEL, "operator": "Exists"}]},
                            }
                        },
                    }
                ],
            },
            opts=after_namespace,
        )
        spec: Any = {
            "podSelector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": gateway.name}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {
                    "from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}],
                    "ports": [{"port": 443, "protocol": "TCP"}],
                }
            ],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchExpressions": [{"key": TEAM_LABEL, "operator": "Exists"}]
                            }
                        }
                    ]
                },
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "istio-system"}
                            }
                        }
                    ],
                    "ports": [{"port": 15012, "protocol": "TCP"}],
                },
            ],
        }
        k8s.networking.v1.NetworkPolicy(
            f"{name}-gateway-netpol",
            metadata=plain(
                {"name": f"{gateway.name}-gateway", "namespace": gateway.namespace, "labels": labels}
            ),
            spec=spec,
            opts=after_namespace,
        )


__all__ = ["PRIORITY_CLASSES", "PlatformEnvironment", "stack_admission_documents"]
