"""platform-components: Pulumi components, a CrossGuard policy pack and an offline preview engine.

Public API (see the README for the component reference)::

    from components import SecureWorkload, SecureWorkloadArgs, PlatformConfig, PlatformEnvironment
"""

from .config import (
    DEFAULT_KUBERNETES_VERSION,
    SUPPORTED_KUBERNETES_VERSIONS,
    Environment,
    PlatformConfig,
    WorkloadConfig,
    load_platform_config,
)
from .environment import PlatformEnvironment
from .errors import ConfigError, PlatformError, PreviewError
from .kube.netpol import EgressRule, IngressRule, PortRef
from .kube.probes import ProbeArgs, ProbeKind
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
    "ConfigError",
    "ContainerArgs",
    "DisruptionArgs",
    "EgressRule",
    "Environment",
    "IngressRule",
    "MountArgs",
    "NetworkArgs",
    "PlatformConfig",
    "PlatformEnvironment",
    "PlatformError",
    "PortArgs",
    "PortRef",
    "PreviewError",
    "ProbeArgs",
    "ProbeKind",
    "ResourcesArgs",
    "SecureWorkload",
    "SecureWorkloadArgs",
    "SecurityArgs",
    "ServiceArgs",
    "SpreadArgs",
    "WorkloadConfig",
    "load_platform_config",
]
