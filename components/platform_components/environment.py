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

from typing import TYPE_CHECKING, Any, NamedTuple

import pulumi

from ._optional import ensure_loaded, lazy_module
from .admission_policies import AdmissionPolicies, admission_documents
from .cluster import EksCluster
from .config import DatabaseConfig, GatewayConfig, PlatformConfig, TeamConfig, WorkloadConfig
from .database import StatefulDatabase, StatefulDatabaseArgs
from .gitops import GitOpsBootstrap, GitOpsEngine
from .karpenter import Karpenter, KarpenterNodePool
from .kube import labels as lbl
from .kube.awaiting import skip_await_transformation
from .kube.netpol import default_deny_spec
from .kube.objects import create_object
from .namespace import TEAM_LABEL, MeshMode, MeshNamespace, MeshNamespaceArgs, PodSecurityLevel, psa_labels
from .workload import SecureWorkload, SecureWorkloadArgs

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


# --------------------------------------------------------------------------------------------------
# The component's builders (pure): the config in, the arguments of one group of children out


def priority_classes() -> dict[str, dict[str, Any]]:
    """The PriorityClasses by class name (:data:`PRIORITY_CLASSES`); none is the default."""
    return {
        class_name: {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": class_name, "labels": {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}},
            "value": value,
            "preemptionPolicy": preemption,
            "globalDefault": False,
            "description": description,
        }
        for class_name, (value, preemption, description) in PRIORITY_CLASSES.items()
    }


def platform_namespace(namespace: str, environment: str, kubernetes_version: str) -> dict[str, Any]:
    """A Namespace the environment creates (no team's): restricted, pinned to the cluster minor."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": namespace,
            "labels": namespace_labels(namespace, environment, kubernetes_version),
        },
    }


def team_args(config: PlatformConfig, team: TeamConfig) -> MeshNamespaceArgs:
    """A team's MeshNamespace arguments: the stack's mesh CNI and Kubernetes minor, the environment label."""
    args = team.to_args(mesh_cni=config.mesh_cni, kubernetes_version=config.kubernetes_version)
    return args.model_copy(update={"labels": {**args.labels, lbl.ENVIRONMENT: config.environment.value}})


def other_namespaces(config: PlatformConfig) -> list[str]:
    """The workloads' and databases' namespaces that are no team's (the environment creates them)."""
    teams = {team.name for team in config.teams}
    return [namespace for namespace in config.namespaces if namespace not in teams]


def namespace_default_deny(namespace: str, environment: str) -> dict[str, Any]:
    """The ``default-deny`` NetworkPolicy of a namespace that is no team's: every pod isolated both
    ways but DNS, as in a team namespace (the workloads' own policies allow the rest)."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": "default-deny",
            "namespace": namespace,
            "labels": {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY, lbl.ENVIRONMENT: environment},
        },
        "spec": default_deny_spec(),
    }


def workload_args(config: PlatformConfig, workload: WorkloadConfig) -> SecureWorkloadArgs:
    """A declared workload's arguments, with the environment label."""
    args = workload.to_args()
    labels: dict[str, Any] = {**args.labels, lbl.ENVIRONMENT: config.environment.value}
    return args.model_copy(update={"labels": labels})


def database_args(config: PlatformConfig, database: DatabaseConfig) -> StatefulDatabaseArgs:
    """A declared database's arguments, with the environment label."""
    args = database.to_args()
    return args.model_copy(update={"labels": {**args.labels, lbl.ENVIRONMENT: config.environment.value}})


def gitops_facts(config: PlatformConfig, platform: _AwsPlatform | None) -> dict[str, pulumi.Input[str]]:
    """The platform facts handed to GitOps: the environment, the Kubernetes minor and the team
    namespaces; with a cluster, also its name, region, VPC, OIDC issuer, node role and Karpenter queue."""
    facts: dict[str, pulumi.Input[str]] = {
        "environment": config.environment.value,
        "kubernetes_version": config.kubernetes_version,
        "team_namespaces": ",".join(sorted(team.name for team in config.teams)),
    }
    if platform is not None and config.cluster is not None:
        facts.update(
            cluster_name=platform.cluster.cluster_name,
            region=config.cluster.region,
            vpc_id=platform.cluster.vpc_id,
            oidc_issuer=platform.cluster.oidc_issuer,
            node_role_arn=platform.cluster.node_role_arn,
            karpenter_queue=platform.karpenter.queue_name,
        )
    return facts


def all_namespaces(config: PlatformConfig) -> list[str]:
    """Every namespace the environment creates: the teams' and the workloads' and databases', sorted."""
    return sorted({*config.namespaces, *(team.name for team in config.teams)})


def namespace_meshes(config: PlatformConfig) -> dict[str, MeshMode]:
    """The mesh mode of each of :func:`all_namespaces`: its team's, none for the others."""
    meshes = {team.name: team.mesh for team in config.teams}
    return {namespace: meshes.get(namespace, MeshMode.NONE) for namespace in all_namespaces(config)}


def gateway_spec(gateway: GatewayConfig) -> dict[str, Any]:
    """The shared Gateway's spec: one HTTPS listener terminating TLS, routes from team namespaces only."""
    return {
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
    }


def gateway_objects(gateway: GatewayConfig) -> dict[str, dict[str, Any]]:
    """The shared Gateway and the NetworkPolicy letting traffic reach its pods, by their role."""
    labels = {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}
    return {
        "gateway": {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": gateway.name, "namespace": gateway.namespace, "labels": labels},
            "spec": gateway_spec(gateway),
        },
        "gateway-netpol": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
                "name": f"{gateway.name}-gateway",
                "namespace": gateway.namespace,
                "labels": dict(labels),
            },
            "spec": gateway_network_policy_spec(gateway),
        },
    }


def gateway_network_policy_spec(gateway: GatewayConfig) -> dict[str, Any]:
    """The Gateway's pods: HTTPS in from anywhere; out to team namespaces and to istiod (xDS)."""
    return {
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
                    {"namespaceSelector": {"matchExpressions": [{"key": TEAM_LABEL, "operator": "Exists"}]}}
                ]
            },
            {
                "to": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}}
                ],
                "ports": [{"port": 15012, "protocol": "TCP"}],
            },
        ],
    }


# --------------------------------------------------------------------------------------------------
# The component


class _AwsPlatform(NamedTuple):
    """The AWS side of an environment with a cluster: the region's provider, the cluster, Karpenter."""

    provider: aws.Provider
    cluster: EksCluster
    karpenter: Karpenter


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

        platform = self._aws_platform(name, config) if config.cluster is not None else None
        cluster = platform.cluster if platform is not None else None
        in_cluster = self._in_cluster(platform)
        self._priority_classes(name, in_cluster)
        teams = self._teams(config, in_cluster, cluster)
        if config.gateway is not None:
            self._gateway(name, config.gateway, config.kubernetes_version, in_cluster)
        # what each workload and database waits for: its team's MeshNamespace or its plain Namespace
        namespaces: dict[str, pulumi.Resource] = {**teams, **self._namespaces(name, config, in_cluster)}
        self.workloads = self._workloads(config, in_cluster, teams, namespaces)
        self.databases = self._databases(config, in_cluster, teams, namespaces, cluster)
        self.admission = AdmissionPolicies(
            "admission", config.admission, opts=in_cluster, excluded_namespaces=controller_namespaces(config)
        )
        self.gitops = self._gitops(config, in_cluster, teams, platform)

        self.cluster = cluster
        self.teams = teams
        self.namespaces = pulumi.Output.from_input(all_namespaces(config))
        self.meshes = namespace_meshes(config)
        self.register_outputs({"namespaces": self.namespaces})

    # -- steps: each registers one group of children --------------------------------------------------
    def _aws_platform(self, name: str, config: PlatformConfig) -> _AwsPlatform:
        """The region's AWS provider, the EKS cluster, Karpenter and every declared node pool."""
        assert config.cluster is not None
        environment = config.environment.value
        provider = aws.Provider(
            f"{name}-aws", region=config.cluster.region, opts=pulumi.ResourceOptions(parent=self)
        )
        aws_opts = pulumi.ResourceOptions(parent=self, providers={"aws": provider})
        tags = {lbl.ENVIRONMENT: environment, lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}
        cluster = EksCluster(
            f"platform-{environment}", config.cluster.to_args(config.kubernetes_version, tags), opts=aws_opts
        )
        karpenter = Karpenter(f"{name}-karpenter", config.karpenter_args, opts=aws_opts, cluster=cluster)
        for pool in config.node_pools:
            KarpenterNodePool(pool.name, pool.to_args(), opts=aws_opts, karpenter=karpenter)
        return _AwsPlatform(provider, cluster, karpenter)

    def _in_cluster(self, platform: _AwsPlatform | None) -> pulumi.ResourceOptions:
        """The options of every in-cluster child: the cluster's providers, or the ambient ones without."""
        if platform is None:
            return pulumi.ResourceOptions(parent=self)
        return pulumi.ResourceOptions(
            parent=self, providers={"aws": platform.provider, "kubernetes": platform.cluster.k8s_provider}
        )

    def _priority_classes(self, name: str, opts: pulumi.ResourceOptions) -> None:
        """The platform PriorityClasses."""
        for class_name, manifest in priority_classes().items():
            create_object(f"{name}-{class_name}", manifest, opts)

    def _teams(
        self, config: PlatformConfig, opts: pulumi.ResourceOptions, cluster: EksCluster | None
    ) -> dict[str, MeshNamespace]:
        """One MeshNamespace per team, by team name."""
        return {
            team.name: MeshNamespace(team.name, team_args(config, team), opts=opts, cluster=cluster)
            for team in config.teams
        }

    def _namespaces(
        self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions
    ) -> dict[str, pulumi.Resource]:
        """A restricted Namespace with its default-deny NetworkPolicy for each of :func:`other_namespaces`."""
        environment = config.environment.value
        created: dict[str, pulumi.Resource] = {}
        for namespace in other_namespaces(config):
            created[namespace] = create_object(
                f"{name}-ns-{namespace}",
                platform_namespace(namespace, environment, config.kubernetes_version),
                opts,
            )
            create_object(
                f"{name}-ns-{namespace}-default-deny",
                namespace_default_deny(namespace, environment),
                pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[created[namespace]])),
            )
        return created

    def _workloads(
        self,
        config: PlatformConfig,
        opts: pulumi.ResourceOptions,
        teams: dict[str, MeshNamespace],
        namespaces: dict[str, pulumi.Resource],
    ) -> dict[str, SecureWorkload]:
        """Every declared workload, after its namespace, by name."""
        return {
            workload.name: SecureWorkload(
                workload.name,
                workload_args(config, workload),
                opts=pulumi.ResourceOptions.merge(
                    opts, pulumi.ResourceOptions(depends_on=[namespaces[workload.namespace]])
                ),
                # the MeshNamespace of this program: its Namespace shows the mode
                mesh=teams.get(workload.namespace),
            )
            for workload in config.workloads
        }

    def _databases(
        self,
        config: PlatformConfig,
        opts: pulumi.ResourceOptions,
        teams: dict[str, MeshNamespace],
        namespaces: dict[str, pulumi.Resource],
        cluster: EksCluster | None,
    ) -> dict[str, StatefulDatabase]:
        """Every declared database, after its namespace, by name."""
        return {
            database.name: StatefulDatabase(
                database.name,
                database_args(config, database),
                opts=pulumi.ResourceOptions.merge(
                    opts, pulumi.ResourceOptions(depends_on=[namespaces[database.namespace]])
                ),
                mesh=teams.get(database.namespace),
                cluster=cluster,
            )
            for database in config.databases
        }

    def _gitops(
        self,
        config: PlatformConfig,
        opts: pulumi.ResourceOptions,
        teams: dict[str, MeshNamespace],
        platform: _AwsPlatform | None,
    ) -> GitOpsBootstrap | None:
        """The declared GitOps controller, after the team namespaces, handed the platform facts."""
        if config.gitops is None:
            return None
        return GitOpsBootstrap(
            "gitops",
            config.gitops,
            opts=opts,
            facts=gitops_facts(config, platform),
            depends_on_teams=list(teams.values()),
        )

    def _gateway(
        self, name: str, gateway: GatewayConfig, kubernetes_version: str, opts: pulumi.ResourceOptions
    ) -> None:
        """The shared ingress Gateway, its namespace, and the NetworkPolicy letting traffic reach it."""
        namespace = MeshNamespace(
            gateway.namespace,
            MeshNamespaceArgs(pod_security_version=f"v{kubernetes_version}"),
            opts=opts,
        )
        after_namespace = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[namespace]))
        for role, manifest in gateway_objects(gateway).items():
            create_object(f"{name}-{role}", manifest, after_namespace)


__all__ = ["PRIORITY_CLASSES", "PlatformEnvironment", "stack_admission_documents"]
