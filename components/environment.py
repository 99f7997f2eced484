"""PlatformEnvironment: composes one environment's platform from a validated :class:`PlatformConfig`.

With a ``cluster`` in the config it creates an :class:`~components.cluster.EksCluster` (through an
explicit AWS provider for the configured region), Karpenter and every declared
:class:`~components.karpenter.KarpenterNodePool`, and deploys everything in-cluster through the
cluster's Kubernetes provider. Without one (the ``local`` stack) it targets an existing cluster
(the ambient kubeconfig context or the stack's ``kubernetes:context``) and creates no AWS
resources. In-cluster, it creates:

* the platform PriorityClasses (``platform-critical``, ``-high``, ``-medium``, ``-low``) that
  :class:`~components.workload.SecureWorkload` refers to by default;
* one Namespace per workload namespace, labelled for Pod Security Admission *restricted*
  (enforce, audit and warn, pinned to the target Kubernetes minor);
* every declared workload as a :class:`~components.workload.SecureWorkload`.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .cluster import EksCluster
from .config import PlatformConfig
from .karpenter import Karpenter, KarpenterNodePool
from .kube import labels as lbl
from .workload import SecureWorkload

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

PSA_MODES = ("enforce", "audit", "warn")


def namespace_labels(namespace: str, environment: str, kubernetes_version: str) -> dict[str, str]:
    labels = {
        lbl.MANAGED_BY_KEY: lbl.MANAGED_BY,
        lbl.ENVIRONMENT: environment,
        "kubernetes.io/metadata.name": namespace,
    }
    for mode in PSA_MODES:
        labels[f"pod-security.kubernetes.io/{mode}"] = "restricted"
        labels[f"pod-security.kubernetes.io/{mode}-version"] = f"v{kubernetes_version}"
    return labels


class PlatformEnvironment(pulumi.ComponentResource):
    """Everything one stack declares (see the module docstring)."""

    namespaces: pulumi.Output[list[str]]
    """Namespaces created for the declared workloads."""
    workloads: dict[str, SecureWorkload]
    """The SecureWorkloads by name."""

    cluster: EksCluster | None
    """The EKS cluster (None when deploying into an existing cluster)."""

    def __init__(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
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
        namespace_resources: dict[str, k8s.core.v1.Namespace] = {}
        for namespace in config.namespaces:
            namespace_resources[namespace] = k8s.core.v1.Namespace(
                f"{name}-ns-{namespace}",
                metadata={
                    "name": namespace,
                    "labels": namespace_labels(namespace, environment, config.kubernetes_version),
                },
                opts=in_cluster,
            )
        self.workloads = {}
        for workload in config.workloads:
            args = workload.to_args()
            extra_labels: dict[str, Any] = {**args.labels, lbl.ENVIRONMENT: environment}
            self.workloads[workload.name] = SecureWorkload(
                workload.name,
                args.model_copy(update={"labels": extra_labels}),
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[namespace_resources[workload.namespace]]
                ),
            )
        self.namespaces = pulumi.Output.from_input(config.namespaces)
        self.register_outputs({"namespaces": self.namespaces})
