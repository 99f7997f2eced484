"""The one version table: everything this release pins, per Kubernetes minor where it matters.

Bump versions here only (and run the tests): EKS managed add-ons per minor, the Karpenter chart
and the Kubernetes minors each Karpenter release supports. Add-on versions are the
``aws eks describe-addon-versions --kubernetes-version <minor>`` names; verify them with that
command when adding a minor.
"""

from __future__ import annotations

from typing import Final

EKS_ADDONS: Final[dict[str, dict[str, str]]] = {
    "1.32": {
        "vpc-cni": "v1.19.5-eksbuild.1",
        "coredns": "v1.11.4-eksbuild.14",
        "kube-proxy": "v1.32.6-eksbuild.2",
        "aws-ebs-csi-driver": "v1.46.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
    },
    "1.33": {
        "vpc-cni": "v1.20.0-eksbuild.1",
        "coredns": "v1.12.2-eksbuild.4",
        "kube-proxy": "v1.33.3-eksbuild.4",
        "aws-ebs-csi-driver": "v1.46.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
    },
    "1.34": {
        "vpc-cni": "v1.20.4-eksbuild.1",
        "coredns": "v1.12.4-eksbuild.1",
        "kube-proxy": "v1.34.1-eksbuild.2",
        "aws-ebs-csi-driver": "v1.50.1-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.9-eksbuild.3",
    },
    "1.35": {
        "vpc-cni": "v1.21.1-eksbuild.1",
        "coredns": "v1.13.1-eksbuild.1",
        "kube-proxy": "v1.35.0-eksbuild.2",
        "aws-ebs-csi-driver": "v1.53.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.1",
    },
    "1.36": {
        "vpc-cni": "v1.21.4-eksbuild.1",
        "coredns": "v1.13.2-eksbuild.1",
        "kube-proxy": "v1.36.0-eksbuild.1",
        "aws-ebs-csi-driver": "v1.55.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    },
}
"""Managed add-on versions per Kubernetes minor (one row per supported minor)."""

KARPENTER_CHART_REPOSITORY: Final = "oci://public.ecr.aws/karpenter"
KARPENTER_VERSION: Final = "1.14.1"
"""Karpenter chart (karpenter and karpenter-crd); matches the shipped CRD schemas (components/platform_components/schemas)."""

KARPENTER_KUBERNETES: Final[dict[str, tuple[str, ...]]] = {
    "1.14.1": ("1.32", "1.33", "1.34", "1.35", "1.36"),
}
"""Kubernetes minors each pinned Karpenter release supports (its compatibility matrix)."""


SUPPORTED_KUBERNETES_VERSIONS: Final[tuple[str, ...]] = tuple(EKS_ADDONS)
"""Kubernetes minors EKS supports that this release is tested against (one add-on row each)."""

DEFAULT_KUBERNETES_VERSION: Final = "1.35"
"""A current EKS minor in standard support."""


def check_kubernetes_version(value: object) -> str:
    """Validate a Kubernetes minor from config (a quoted string such as "1.35")."""
    if isinstance(value, float):  # YAML reads 1.30 as the number 1.3
        raise ValueError(
            'quote the Kubernetes version, e.g. "1.35": unquoted, YAML reads 1.30 as the number 1.3'
        )
    if value not in SUPPORTED_KUBERNETES_VERSIONS:
        raise ValueError(
            f"Kubernetes {value!r} is not supported; use one of {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}"
        )
    return str(value)


def minor_key(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


POSTGRES_IMAGES: Final[dict[str, str]] = {
    "15": "docker.io/library/postgres:15.18-bookworm",
    "16": "docker.io/library/postgres:16.14-bookworm",
    "17": "docker.io/library/postgres:17.10-bookworm",
    "18": "docker.io/library/postgres:18.4-bookworm",
}
"""The official PostgreSQL image per supported major (one minor release round). The Debian images run
as ``postgres`` (UID/GID 999). 14 reached end of life on 2026-11-12 and is not offered."""

DEFAULT_POSTGRES_VERSION: Final = "18"
"""The current major (supported until November 2030)."""

AWS_CLI_IMAGE: Final = "public.ecr.aws/aws-cli/aws-cli:2.32.9"
"""The AWS CLI used by database backup jobs (>= 2.15 understands EKS Pod Identity credentials)."""

ARGOCD_CHART_REPOSITORY: Final = "https://argoproj.github.io/argo-helm"
ARGOCD_CHART_VERSION: Final = "10.3.3"
ARGOCD_VERSION: Final = "v3.5.1"
"""argo-cd chart and the Argo CD release it installs (the shipped Argo CD CRD schemas are from the
same month, components/platform_components/schemas/argocd). A new chart version (argo-cd, karpenter)
needs its Helm values key list, components/platform_components/helm_keys/ (README, Cluster layer)."""

KYVERNO_CHART_REPOSITORY: Final = "https://kyverno.github.io/kyverno/"
KYVERNO_CHART_VERSION: Final = "3.7.2"
KYVERNO_VERSION: Final = "v1.17.2"
"""The kyverno chart and the Kyverno release it installs (1.17 supports Kubernetes 1.32 to 1.35), for
image signature verification (``admission.images.signed``). The release sets no chart values (so no
key list in helm_keys/); the ClusterPolicy it enforces is checked against the shipped kyverno.io CRD
(components/platform_components/schemas/kyverno)."""

FLUX_VERSION: Final = "2.9.4"
"""Flux release; the shipped Flux CRD schemas (components/platform_components/schemas/flux) are this release's."""
FLUX_INSTALL_URL: Final = f"https://github.com/fluxcd/flux2/releases/download/v{FLUX_VERSION}/install.yaml"
"""The release's own install manifest (what ``flux install`` applies: source, kustomize, helm and
notification controllers, their CRDs and NetworkPolicies)."""


__all__ = [
    "ARGOCD_CHART_REPOSITORY",
    "ARGOCD_CHART_VERSION",
    "ARGOCD_VERSION",
    "AWS_CLI_IMAGE",
    "DEFAULT_KUBERNETES_VERSION",
    "DEFAULT_POSTGRES_VERSION",
    "EKS_ADDONS",
    "FLUX_INSTALL_URL",
    "FLUX_VERSION",
    "KARPENTER_CHART_REPOSITORY",
    "KARPENTER_KUBERNETES",
    "KARPENTER_VERSION",
    "KYVERNO_CHART_REPOSITORY",
    "KYVERNO_CHART_VERSION",
    "KYVERNO_VERSION",
    "POSTGRES_IMAGES",
    "SUPPORTED_KUBERNETES_VERSIONS",
    "check_kubernetes_version",
]
