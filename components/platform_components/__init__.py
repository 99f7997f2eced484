"""platform-components: Pulumi components, a CrossGuard policy pack and an offline preview engine.

Public API (see the README for the component reference)::

    from platform_components import SecureWorkload, SecureWorkloadArgs, PlatformConfig, PlatformEnvironment
"""

from .cluster import ClusterRef, EksCluster, EksClusterArgs, EndpointArgs, Identity, NatMode, NodeGroupArgs
from .config import (
    DEFAULT_KUBERNETES_VERSION,
    SUPPORTED_KUBERNETES_VERSIONS,
    DatabaseConfig,
    Environment,
    PlatformConfig,
    WorkloadConfig,
    load_platform_config,
)
from .database import (
    BackupArgs,
    DatabaseCredentialsArgs,
    DatabaseResources,
    PostgresVersion,
    RestoreTestArgs,
    StatefulDatabase,
    StatefulDatabaseArgs,
    StorageArgs,
)
from .environment import PlatformEnvironment
from .errors import ConfigError, PlatformError, PreviewError
from .gitops import GitOpsBootstrap, GitOpsBootstrapArgs, GitOpsEngine
from .karpenter import (
    Budget,
    Karpenter,
    KarpenterArgs,
    KarpenterNodePool,
    NodeClassArgs,
    NodePoolArgs,
    Requirement,
)
from .kube.delivery import (
    CanaryArgs,
    CanaryStepArgs,
    ExternalSecretArgs,
    ExternalSecretDataArgs,
    KedaArgs,
    KedaTriggerArgs,
    MonitoringArgs,
    VpaArgs,
)
from .kube.netpol import EgressRule, IngressRule, PortRef
from .kube.probes import ProbeArgs, ProbeKind
from .kube.traffic import Backend, ParentRef, PathMatch, RouteArgs
from .namespace import MeshMode, MeshNamespace, MeshNamespaceArgs, PodSecurityLevel, Size
from .refs import ExternalKind, ExternalRef, NamespaceRef
from .workload import (
    AutoscalingArgs,
    ContainerArgs,
    DisruptionArgs,
    MountArgs,
    NetworkArgs,
    PortArgs,
    ResourcesArgs,
    SecureWorkload,
    SecureWorkloadArgs,
    SecurityArgs,
    ServiceArgs,
    SpreadArgs,
)

__all__ = [
    "DEFAULT_KUBERNETES_VERSION",
    "SUPPORTED_KUBERNETES_VERSIONS",
    "AutoscalingArgs",
    "Backend",
    "BackupArgs",
    "Budget",
    "CanaryArgs",
    "CanaryStepArgs",
    "ClusterRef",
    "ConfigError",
    "ContainerArgs",
    "DatabaseConfig",
    "DatabaseCredentialsArgs",
    "DatabaseResources",
    "DisruptionArgs",
    "EgressRule",
    "EksCluster",
    "EksClusterArgs",
    "EndpointArgs",
    "Environment",
    "ExternalKind",
    "ExternalRef",
    "ExternalSecretArgs",
    "ExternalSecretDataArgs",
    "GitOpsBootstrap",
    "GitOpsBootstrapArgs",
    "GitOpsEngine",
    "Identity",
    "IngressRule",
    "Karpenter",
    "KarpenterArgs",
    "KarpenterNodePool",
    "KedaArgs",
    "KedaTriggerArgs",
    "MeshMode",
    "MeshNamespace",
    "MeshNamespaceArgs",
    "MonitoringArgs",
    "MountArgs",
    "NamespaceRef",
    "NatMode",
    "NetworkArgs",
    "NodeClassArgs",
    "NodeGroupArgs",
    "NodePoolArgs",
    "ParentRef",
    "PathMatch",
    "PlatformConfig",
    "PlatformEnvironment",
    "PlatformError",
    "PodSecurityLevel",
    "PortArgs",
    "PortRef",
    "PostgresVersion",
    "PreviewError",
    "ProbeArgs",
    "ProbeKind",
    "Requirement",
    "ResourcesArgs",
    "RestoreTestArgs",
    "RouteArgs",
    "SecureWorkload",
    "SecureWorkloadArgs",
    "SecurityArgs",
    "ServiceArgs",
    "Size",
    "SpreadArgs",
    "StatefulDatabase",
    "StatefulDatabaseArgs",
    "StorageArgs",
    "VpaArgs",
    "WorkloadConfig",
    "load_platform_config",
]
