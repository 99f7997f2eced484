"""EksCluster: a production EKS cluster from ``pulumi_aws`` primitives (no Node.js runtime needed).

Usage::

    cluster = EksCluster("platform-prod", EksClusterArgs(
        kubernetes_version="1.35",
        region="eu-west-1",
        availability_zones=["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        admin_principals=["arn:aws:iam::123456789012:role/platform-admins"],
    ))
    # cluster.k8s_provider deploys everything in-cluster

Children (logical names ``<name>-<role>``): VPC with a private and a public subnet per zone,
internet gateway, NAT gateways (one per zone or a single one), route tables; a KMS key (rotation
on) for secrets encryption; the control-plane log group; the cluster IAM role; the EKS cluster
(private endpoint, ``authentication_mode=API``, no creator admin, STANDARD upgrade policy); the
OIDC provider; an access entry + cluster-admin policy association per admin principal; the managed
add-ons vpc-cni (network policy on), kube-proxy, coredns, aws-ebs-csi-driver and
eks-pod-identity-agent pinned per Kubernetes minor (``platform_components.versions``), each with its own IAM
role through the cluster's identity switch (Pod Identity by default, IRSA as the fallback); a
small system managed node group (AL2023, IMDSv2 hop limit 1, encrypted gp3 root volume) tainted
``CriticalAddonsOnly`` for add-ons and the Karpenter controller; a Kubernetes provider built from
the cluster's outputs; and an encrypted gp3 ``WaitForFirstConsumer`` default StorageClass.

With ``protect=True`` (prod) the cluster, its KMS key and its log group are protected from
deletion and replacement by Pulumi, and ``deletion_protection`` protects the cluster in AWS too.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
from typing import TYPE_CHECKING, Any, NamedTuple

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field, field_validator, model_validator

from ._base import StrictModel, plain
from ._optional import ensure_loaded, lazy_module
from .errors import ConfigError
from .kube import labels as lbl
from .kube.names import check_cidr
from .kube.objects import create_object
from .versions import EKS_ADDONS, SUPPORTED_KUBERNETES_VERSIONS, check_kubernetes_version

if TYPE_CHECKING:
    import pulumi_aws as aws
else:
    aws = lazy_module("pulumi_aws", "EksCluster (and ClusterRef)")

TYPE_TOKEN = "platform:index:EksCluster"

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
"""The retention values CloudWatch Logs accepts."""

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
SYSTEM_NODE_LABEL = "platform-components.io/system"
SYSTEM_TAINT = {"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}
DISCOVERY_TAG = "karpenter.sh/discovery"
ENVIRONMENT_TAG = lbl.ENVIRONMENT
_IAM_PRINCIPAL = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}$")
_AZ = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d[a-z]$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


class Identity(enum.StrEnum):
    """How pods get AWS credentials: EKS Pod Identity (default) or IRSA (OIDC web identity)."""

    POD_IDENTITY = "pod_identity"
    IRSA = "irsa"


class NatMode(enum.StrEnum):
    PER_AZ = "per_az"
    SINGLE = "single"


class EndpointArgs(StrictModel):
    """API server endpoint exposure: private always; public only by opt-in with an allow-list."""

    public: bool = Field(default=False, description="Expose the API server publicly (opt-in).")
    public_cidrs: list[str] = Field(
        default_factory=list, description="CIDRs allowed to reach the public endpoint (required when public)."
    )

    @field_validator("public_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        return [check_cidr(cidr) for cidr in value]

    @model_validator(mode="after")
    def _allow_list(self) -> EndpointArgs:
        if self.public and not self.public_cidrs:
            raise ValueError("a public endpoint needs public_cidrs (an allow-list of office/VPN CIDRs)")
        if not self.public and self.public_cidrs:
            raise ValueError("public_cidrs is set but public is false; set public: true or drop the list")
        return self


class NodeGroupArgs(StrictModel):
    """The system managed node group (add-ons and the Karpenter controller run here)."""

    instance_types: list[str] = Field(
        default_factory=lambda: ["m7i.large"], description="Instance types; small, on-demand."
    )
    ami_type: str = Field(
        default="AL2023_x86_64_STANDARD", description="EKS-optimised AL2023 (IMDSv2 by default)."
    )
    min_size: int = Field(default=2, ge=1, le=100, description="At least 2: survives a zone or node loss.")
    max_size: int = Field(default=3, ge=1, le=100, description="Upper bound.")
    desired_size: int = Field(default=2, ge=1, le=100, description="Initial size.")
    disk_size_gib: int = Field(default=40, ge=20, le=1000, description="Encrypted gp3 root volume size.")

    @field_validator("instance_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("instance_types needs at least one instance type")
        for item in value:
            if not re.match(r"^[a-z0-9-]+\.[a-z0-9]+$", item):
                raise ValueError(f"{item!r} is not an EC2 instance type such as 'm7i.large'")
        return value

    @model_validator(mode="after")
    def _sizes(self) -> NodeGroupArgs:
        if self.max_size < self.min_size:
            raise ValueError(f"max_size={self.max_size} is below min_size={self.min_size}; raise max_size")
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"desired_size={self.desired_size} must be between min_size={self.min_size} and "
                f"max_size={self.max_size}"
            )
        return self


class ClusterSettings(StrictModel):
    """What a stack file says about its cluster (everything but the Kubernetes minor and tags)."""

    region: str = Field(description="AWS region, e.g. eu-west-1.")
    availability_zones: list[str] = Field(description="Zones for subnets (2 or 3; 3 recommended).")
    admin_principals: list[str] = Field(
        description="IAM role/user ARNs granted cluster admin through access entries (explicit, stable)."
    )
    vpc_cidr: str = Field(
        default="10.0.0.0/16", description="VPC CIDR; /16 gives /18 private subnets for pod IPs."
    )
    nat: NatMode = Field(
        default=NatMode.PER_AZ, description="NAT gateway per zone (no cross-zone SPOF) or single."
    )
    endpoint: EndpointArgs = Field(default_factory=EndpointArgs, description="API endpoint exposure.")
    log_types: list[str] = Field(
        default_factory=lambda: ["api", "audit", "authenticator"],
        description="Control-plane log types sent to CloudWatch.",
    )
    log_retention_days: int = Field(default=90, description="Retention of the control-plane log group.")
    deletion_protection: bool = Field(default=False, description="EKS deletion protection (on in prod).")
    protect: bool = Field(
        default=False, description="Pulumi protect on the cluster, its KMS key and log group (on in prod)."
    )
    identity: Identity = Field(
        default=Identity.POD_IDENTITY, description="Pod Identity, or IRSA as fallback."
    )
    system_node_group: NodeGroupArgs = Field(default_factory=NodeGroupArgs, description="System node group.")
    kms_deletion_window_days: int = Field(default=30, ge=7, le=30, description="KMS key deletion window.")

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not _REGION.match(value):
            raise ValueError(f"{value!r} is not an AWS region such as 'eu-west-1'")
        return value

    @field_validator("admin_principals")
    @classmethod
    def _admins(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one admin principal is needed (the creator gets no implicit access)")
        for arn in value:
            if not _IAM_PRINCIPAL.match(arn):
                raise ValueError(
                    f"{arn!r} is not an IAM role or user ARN such as 'arn:aws:iam::123456789012:role/platform-admins'"
                )
        if len(set(value)) != len(value):
            raise ValueError("admin_principals has duplicates")
        return value

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc(cls, value: str) -> str:
        network = ipaddress.ip_network(check_cidr(value))
        if network.version != 4 or not 16 <= network.prefixlen <= 20:
            raise ValueError(f"vpc_cidr {value} must be an IPv4 block from /16 to /20")
        return str(network)

    @field_validator("log_types")
    @classmethod
    def _log_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(LOG_TYPES))
        if unknown:
            raise ValueError(f"unknown log types {unknown}; use {', '.join(LOG_TYPES)}")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"CloudWatch accepts only {', '.join(map(str, LOG_RETENTION_DAYS))} days, got {value}"
            )
        return value

    @model_validator(mode="after")
    def _zones(self) -> ClusterSettings:
        zones = self.availability_zones
        if not 2 <= len(zones) <= 3:
            raise ValueError(f"give 2 or 3 availability_zones (EKS needs two), got {len(zones)}")
        if len(set(zones)) != len(zones):
            raise ValueError(f"availability_zones has duplicates: {zones}")
        for zone in zones:
            if not _AZ.match(zone) or not zone.startswith(self.region):
                raise ValueError(f"availability zone {zone!r} is not a zone of region {self.region}")
        return self

    def subnet_plan(self) -> tuple[list[str], list[str]]:
        """(private CIDRs, public CIDRs), one of each per zone, carved from ``vpc_cidr``."""
        vpc = ipaddress.IPv4Network(self.vpc_cidr)
        quarters = list(vpc.subnets(prefixlen_diff=2))
        private = [str(q) for q in quarters[: len(self.availability_zones)]]
        public = [str(s) for s in list(quarters[3].subnets(prefixlen_diff=2))[: len(self.availability_zones)]]
        return private, public


class EksClusterArgs(ClusterSettings):
    """Arguments of :class:`EksCluster`."""

    kubernetes_version: str = Field(description="Kubernetes minor of the control plane.")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags on every AWS resource.")

    @field_validator("kubernetes_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return check_kubernetes_version(value)


def _policy(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def assume_role_policy(service: str) -> str:
    actions = (
        ["sts:AssumeRole", "sts:TagSession"] if service == "pods.eks.amazonaws.com" else ["sts:AssumeRole"]
    )
    return _policy([{"Effect": "Allow", "Principal": {"Service": service}, "Action": actions}])


def irsa_trust_policy(oidc_arn: str, issuer: str, namespace: str, service_account: str) -> str:
    host = issuer.removeprefix("https://")
    return _policy(
        [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{host}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        f"{host}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ]
    )


# --------------------------------------------------------------------------------------------------
# Pure builders of EksCluster's children: arguments in, plain values out (unit tested on their own)


def cluster_tags(name: str, extra: dict[str, str]) -> dict[str, str]:
    """Tags on every AWS resource of the cluster: the caller's, managed-by, and cluster ownership."""
    return {**extra, lbl.MANAGED_BY_KEY: lbl.MANAGED_BY, f"kubernetes.io/cluster/{name}": "owned"}


def subnet_specs(
    name: str, args: ClusterSettings, tags: dict[str, str]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Per zone, the (private, public) Subnet arguments but the VPC id (``resource_name`` is the
    logical name); private subnets carry the internal-ELB role and Karpenter's discovery tag."""
    private_cidrs, public_cidrs = args.subnet_plan()
    specs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for index, zone in enumerate(args.availability_zones):
        suffix = zone[-1]
        private = {
            "resource_name": f"{name}-private-{suffix}",
            "cidr_block": private_cidrs[index],
            "availability_zone": zone,
            "map_public_ip_on_launch": False,
            "tags": {
                **tags,
                "Name": f"{name}-private-{suffix}",
                "kubernetes.io/role/internal-elb": "1",
                DISCOVERY_TAG: name,
            },
        }
        public = {
            "resource_name": f"{name}-public-{suffix}",
            "cidr_block": public_cidrs[index],
            "availability_zone": zone,
            "map_public_ip_on_launch": False,
            "tags": {**tags, "Name": f"{name}-public-{suffix}", "kubernetes.io/role/elb": "1"},
        }
        specs.append((private, public))
    return specs


def nat_plan(args: ClusterSettings) -> tuple[list[str], list[int]]:
    """(zones that get a NAT gateway, for each zone the index of the NAT gateway its private subnet
    routes through): one per zone, or a single one in the first zone."""
    if args.nat is NatMode.PER_AZ:
        return list(args.availability_zones), list(range(len(args.availability_zones)))
    return list(args.availability_zones[:1]), [0] * len(args.availability_zones)


def secrets_key_policy(partition: str, account: str) -> str:
    """Key policy of the secrets-encryption KMS key: the account administers it."""
    return _policy(
        [
            {
                "Sid": "AccountAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
    )


def cluster_trust_policy() -> str:
    """Trust policy of the cluster IAM role (EKS assumes it and tags the session)."""
    return _policy(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ]
    )


def endpoint_access(endpoint: EndpointArgs) -> dict[str, Any]:
    """The endpoint part of the cluster's ``vpc_config``: private always, public only by opt-in."""
    return {
        "endpoint_private_access": True,
        "endpoint_public_access": endpoint.public,
        "public_access_cidrs": list(endpoint.public_cidrs) if endpoint.public else None,
    }


def system_launch_template_args(name: str, group: NodeGroupArgs, tags: dict[str, str]) -> dict[str, Any]:
    """LaunchTemplate arguments of the system nodes: IMDSv2 only, hop limit 1, encrypted gp3 root."""
    return {
        "description": f"System nodes of {name}: IMDSv2 only, hop limit 1, encrypted gp3",
        "metadata_options": {
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": 1,
            "instance_metadata_tags": "disabled",
        },
        "block_device_mappings": [
            {
                "device_name": "/dev/xvda",
                "ebs": {
                    "volume_size": group.disk_size_gib,
                    "volume_type": "gp3",
                    "encrypted": "true",
                    "delete_on_termination": "true",
                },
            }
        ],
        "tag_specifications": [{"resource_type": "instance", "tags": {**tags, "Name": f"{name}-system"}}],
        "tags": tags,
    }


def system_node_group_args(name: str, group: NodeGroupArgs, tags: dict[str, str]) -> dict[str, Any]:
    """NodeGroup arguments of the system nodes but its references (cluster, role, subnets, launch
    template): on-demand, labelled and tainted ``CriticalAddonsOnly``."""
    return {
        "node_group_name": f"{name}-system",
        "ami_type": group.ami_type,
        "capacity_type": "ON_DEMAND",
        "instance_types": list(group.instance_types),
        "scaling_config": plain(
            {"min_size": group.min_size, "max_size": group.max_size, "desired_size": group.desired_size}
        ),
        "update_config": plain({"max_unavailable": 1}),
        "labels": {SYSTEM_NODE_LABEL: "true"},
        "taints": plain([SYSTEM_TAINT]),
        "tags": tags,
    }


SYSTEM_NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
)
"""AWS-managed policies of the system node role."""

VPC_CNI_CONFIGURATION: dict[str, Any] = {
    "enableNetworkPolicy": "true",
    "env": {"ENABLE_PREFIX_DELEGATION": "true"},
}
"""The vpc-cni add-on's configuration: network policy enforcement on, prefix delegation."""


def addon_args(
    name: str, addon: str, version: str, configuration: dict[str, Any] | None, tags: dict[str, str]
) -> dict[str, Any]:
    """Addon arguments but the cluster and the add-on's IAM role (``resource_name`` is the logical name)."""
    return {
        "resource_name": f"{name}-{addon}",
        "addon_name": addon,
        "addon_version": version,
        "configuration_values": json.dumps(configuration) if configuration else None,
        "resolve_conflicts_on_create": "OVERWRITE",
        "resolve_conflicts_on_update": "OVERWRITE",
        "tags": tags,
    }


def default_storage_class() -> dict[str, Any]:
    """The default StorageClass: encrypted gp3, bound when a pod is scheduled."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": "gp3-encrypted",
            "labels": {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY},
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"},
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
        "reclaimPolicy": "Delete",
    }


class _Network(NamedTuple):
    """The VPC and its subnets, one of each kind per zone (in zone order)."""

    vpc: aws.ec2.Vpc
    private_subnets: list[aws.ec2.Subnet]
    public_subnets: list[aws.ec2.Subnet]


class _ControlPlane(NamedTuple):
    """The EKS cluster with its OIDC provider and issuer (what IRSA roles trust)."""

    cluster: aws.eks.Cluster
    oidc: aws.iam.OpenIdConnectProvider
    issuer: pulumi.Output[str]


class _AddonContext(NamedTuple):
    """What every managed add-on of one cluster is registered with."""

    name: str
    versions: dict[str, str]
    identity: Identity
    tags: dict[str, str]
    partition: pulumi.Output[str]
    control: _ControlPlane


class EksCluster(pulumi.ComponentResource):
    """An EKS cluster with its VPC, encryption, logging, access entries, add-ons and system nodes."""

    if TYPE_CHECKING:  # outputs for type checkers and the docs (see SecureWorkload)
        cluster_name: pulumi.Output[str]
        """Physical EKS cluster name (the component name)."""
        endpoint: pulumi.Output[str]
        """API server endpoint."""
        oidc_issuer: pulumi.Output[str]
        """OIDC issuer URL (IRSA)."""
        oidc_provider_arn: pulumi.Output[str]
        """ARN of the IAM OIDC provider (IRSA)."""
        vpc_id: pulumi.Output[str]
        private_subnet_ids: pulumi.Output[list[str]]
        node_security_group_id: pulumi.Output[str]
        """The cluster security group (EKS attaches it to managed nodes; Karpenter discovers it by tag)."""
        kms_key_arn: pulumi.Output[str]
        kubeconfig: pulumi.Output[str]
        """A kubeconfig using ``aws eks get-token`` (secret)."""

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        ensure_loaded(aws)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.args = args
        self.name = name
        tags = cluster_tags(name, args.tags)
        self._tags = tags
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        account = identity.account_id
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition

        network = self._vpc(name, args, tags)
        igw = self._public_routes(name, args, tags, network)
        self._private_routes(name, args, tags, network, igw)
        key = self._secrets_key(name, args, tags, partition, account)
        log_group = self._control_plane_logs(name, args, tags)
        cluster_role, cluster_policy = self._cluster_role(name, tags, partition)
        cluster = self._control_plane(
            name, args, tags, network, key, cluster_role, [log_group, cluster_policy]
        )
        control = self._oidc_provider(name, tags, cluster)
        self._admin_access(name, args, tags, partition, cluster)
        addons = _AddonContext(
            name, EKS_ADDONS[args.kubernetes_version], args.identity, tags, partition, control
        )
        before_nodes = self._addons_before_nodes(addons)
        node_role, node_group = self._system_nodes(
            name, args, tags, partition, network, cluster, before_nodes
        )
        coredns, ebs_csi = self._addons_on_nodes(addons, node_group)
        kubeconfig = kubeconfig_output(cluster, args.region)
        k8s_provider = self._kubernetes_provider(name, kubeconfig, coredns)
        self._default_storage_class(name, k8s_provider, ebs_csi)

        self.cluster_name = cluster.name
        self._cluster = cluster
        self._oidc = control.oidc
        self._issuer = control.issuer
        self.endpoint = cluster.endpoint
        self.oidc_issuer = control.issuer
        self.oidc_provider_arn = control.oidc.arn
        self.vpc_id = network.vpc.id
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in network.private_subnets]).apply(list)
        self.node_security_group_id = cluster.vpc_config.apply(lambda c: c.cluster_security_group_id or "")
        self.kms_key_arn = key.arn
        self.kubeconfig = kubeconfig
        self.node_role_arn = node_role.arn
        self.k8s_provider = k8s_provider
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "endpoint": self.endpoint,
                "oidc_issuer": self.oidc_issuer,
                "oidc_provider_arn": self.oidc_provider_arn,
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "node_security_group_id": self.node_security_group_id,
                "kms_key_arn": self.kms_key_arn,
                "kubeconfig": self.kubeconfig,
            }
        )

    # -- steps: each registers one group of children --------------------------------------------------
    def _vpc(self, name: str, args: EksClusterArgs, tags: dict[str, str]) -> _Network:
        """The VPC and a private and a public subnet per zone."""
        child = pulumi.ResourceOptions(parent=self)
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": f"{name}"},
            opts=child,
        )
        private_subnets: list[aws.ec2.Subnet] = []
        public_subnets: list[aws.ec2.Subnet] = []
        for private, public in subnet_specs(name, args, tags):
            private_subnets.append(aws.ec2.Subnet(vpc_id=vpc.id, opts=child, **private))
            public_subnets.append(aws.ec2.Subnet(vpc_id=vpc.id, opts=child, **public))
        return _Network(vpc, private_subnets, public_subnets)

    def _public_routes(
        self, name: str, args: EksClusterArgs, tags: dict[str, str], network: _Network
    ) -> aws.ec2.InternetGateway:
        """The internet gateway and the public subnets' route table."""
        child = pulumi.ResourceOptions(parent=self)
        vpc = network.vpc
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags={**tags, "Name": name}, opts=child)
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            tags={**tags, "Name": f"{name}-public"},
            opts=child,
        )
        for subnet, zone in zip(network.public_subnets, args.availability_zones, strict=True):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{zone[-1]}", subnet_id=subnet.id, route_table_id=public_rt.id, opts=child
            )
        return igw

    def _private_routes(
        self,
        name: str,
        args: EksClusterArgs,
        tags: dict[str, str],
        network: _Network,
        igw: aws.ec2.InternetGateway,
    ) -> None:
        """The NAT gateways (with their Elastic IPs) and the private subnets' route tables."""
        child = pulumi.ResourceOptions(parent=self)
        nat_zones, nat_of_zone = nat_plan(args)
        nats: list[aws.ec2.NatGateway] = []
        for index, zone in enumerate(nat_zones):
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{zone[-1]}",
                domain="vpc",
                tags={**tags, "Name": f"{name}-nat-{zone[-1]}"},
                opts=child,
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{zone[-1]}",
                    allocation_id=eip.id,
                    subnet_id=network.public_subnets[index].id,
                    tags={**tags, "Name": f"{name}-nat-{zone[-1]}"},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )
        zones = zip(network.private_subnets, args.availability_zones, nat_of_zone, strict=True)
        for subnet, zone, nat_index in zones:
            rt = aws.ec2.RouteTable(
                f"{name}-private-rt-{zone[-1]}",
                vpc_id=network.vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nats[nat_index].id}],
                tags={**tags, "Name": f"{name}-private-{zone[-1]}"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-rta-{zone[-1]}", subnet_id=subnet.id, route_table_id=rt.id, opts=child
            )

    def _secrets_key(
        self,
        name: str,
        args: EksClusterArgs,
        tags: dict[str, str],
        partition: pulumi.Output[str],
        account: pulumi.Output[str],
    ) -> aws.kms.Key:
        """The KMS key (rotation on) for secrets envelope encryption, and its alias."""
        key = aws.kms.Key(
            f"{name}-secrets-key",
            description=f"EKS secrets envelope encryption for {name}",
            enable_key_rotation=True,
            deletion_window_in_days=args.kms_deletion_window_days,
            policy=pulumi.Output.all(partition, account).apply(lambda pa: secrets_key_policy(pa[0], pa[1])),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect),
        )
        aws.kms.Alias(
            f"{name}-secrets-key-alias",
            name=f"alias/{name}-eks-secrets",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key

    def _control_plane_logs(
        self, name: str, args: EksClusterArgs, tags: dict[str, str]
    ) -> aws.cloudwatch.LogGroup:
        """The control plane's CloudWatch log group."""
        return aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=f"/aws/eks/{name}/cluster",
            retention_in_days=args.log_retention_days,
            deletion_protection_enabled=args.protect,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect),
        )

    def _cluster_role(
        self, name: str, tags: dict[str, str], partition: pulumi.Output[str]
    ) -> tuple[aws.iam.Role, aws.iam.RolePolicyAttachment]:
        """The cluster IAM role and its AmazonEKSClusterPolicy attachment."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-cluster-role", assume_role_policy=cluster_trust_policy(), tags=tags, opts=child
        )
        policy = aws.iam.RolePolicyAttachment(
            f"{name}-cluster-policy",
            role=role.name,
            policy_arn=partition.apply(lambda p: f"arn:{p}:iam::aws:policy/AmazonEKSClusterPolicy"),
            opts=child,
        )
        return role, policy

    def _control_plane(
        self,
        name: str,
        args: EksClusterArgs,
        tags: dict[str, str],
        network: _Network,
        key: aws.kms.Key,
        role: aws.iam.Role,
        depends_on: list[pulumi.Resource],
    ) -> aws.eks.Cluster:
        """The EKS control plane: private endpoint, API authentication, encrypted secrets."""
        return aws.eks.Cluster(
            f"{name}-cluster",
            name=name,
            version=args.kubernetes_version,
            role_arn=role.arn,
            vpc_config=plain(
                {"subnet_ids": [s.id for s in network.private_subnets], **endpoint_access(args.endpoint)}
            ),
            access_config=plain(
                {"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False}
            ),
            encryption_config=plain({"resources": ["secrets"], "provider": {"key_arn": key.arn}}),
            enabled_cluster_log_types=list(args.log_types),
            upgrade_policy=plain({"support_type": "STANDARD"}),
            bootstrap_self_managed_addons=False,
            deletion_protection=args.deletion_protection,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, retain_on_delete=args.protect, depends_on=depends_on
            ),
        )

    def _oidc_provider(self, name: str, tags: dict[str, str], cluster: aws.eks.Cluster) -> _ControlPlane:
        """The IAM OIDC provider of the cluster's issuer (IRSA)."""
        issuer: pulumi.Output[str] = cluster.identities.apply(_issuer_of)
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=issuer,
            client_id_lists=["sts.amazonaws.com"],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return _ControlPlane(cluster, oidc, issuer)

    def _admin_access(
        self,
        name: str,
        args: EksClusterArgs,
        tags: dict[str, str],
        partition: pulumi.Output[str],
        cluster: aws.eks.Cluster,
    ) -> None:
        """An access entry and a cluster-admin policy association per admin principal."""
        for index, principal in enumerate(args.admin_principals):
            entry = aws.eks.AccessEntry(
                f"{name}-admin-{index}",
                cluster_name=cluster.name,
                principal_arn=principal,
                type="STANDARD",
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.eks.AccessPolicyAssociation(
                f"{name}-admin-{index}-policy",
                cluster_name=cluster.name,
                principal_arn=principal,
                policy_arn=partition.apply(
                    lambda p: f"arn:{p}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
                ),
                access_scope={"type": "cluster"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
            )

    def _addons_before_nodes(self, addons: _AddonContext) -> list[pulumi.Resource]:
        """The add-ons nodes need to join and network: eks-pod-identity-agent, vpc-cni, kube-proxy
        (returned in the order the system node group depends on them)."""
        pod_identity_agent = self._addon(addons, "eks-pod-identity-agent")
        vpc_cni = self._addon(
            addons,
            "vpc-cni",
            configuration=VPC_CNI_CONFIGURATION,
            role_policy="AmazonEKS_CNI_Policy",
            service_account=("kube-system", "aws-node"),
            depends_on=[pod_identity_agent],
        )
        kube_proxy = self._addon(addons, "kube-proxy")
        return [vpc_cni, kube_proxy, pod_identity_agent]

    def _system_nodes(
        self,
        name: str,
        args: EksClusterArgs,
        tags: dict[str, str],
        partition: pulumi.Output[str],
        network: _Network,
        cluster: aws.eks.Cluster,
        addons: list[pulumi.Resource],
    ) -> tuple[aws.iam.Role, aws.eks.NodeGroup]:
        """The system node group with its IAM role (and policy attachments) and launch template."""
        child = pulumi.ResourceOptions(parent=self)
        node_role = aws.iam.Role(
            f"{name}-system-node-role",
            assume_role_policy=assume_role_policy("ec2.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-system-node-{policy_name.lower()}",
                role=node_role.name,
                policy_arn=managed_policy_arn(partition, policy_name),
                opts=child,
            )
            for policy_name in SYSTEM_NODE_POLICIES
        ]
        group = args.system_node_group
        launch_template = aws.ec2.LaunchTemplate(
            f"{name}-system-lt", opts=child, **system_launch_template_args(name, group, tags)
        )
        node_group = aws.eks.NodeGroup(
            f"{name}-system-nodes",
            cluster_name=cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=[s.id for s in network.private_subnets],
            launch_template=plain(
                {"id": launch_template.id, "version": launch_template.latest_version.apply(str)}
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*addons, *attachments],
                ignore_changes=["scalingConfig.desiredSize"],
            ),
            **system_node_group_args(name, group, tags),
        )
        return node_role, node_group

    def _addons_on_nodes(
        self, addons: _AddonContext, node_group: aws.eks.NodeGroup
    ) -> tuple[aws.eks.Addon, aws.eks.Addon]:
        """The add-ons that run on the system nodes: coredns and aws-ebs-csi-driver."""
        coredns = self._addon(addons, "coredns", depends_on=[node_group])
        ebs_csi = self._addon(
            addons,
            "aws-ebs-csi-driver",
            role_policy="service-role/AmazonEBSCSIDriverPolicy",
            service_account=("kube-system", "ebs-csi-controller-sa"),
            depends_on=[node_group],
        )
        return coredns, ebs_csi

    def _kubernetes_provider(
        self, name: str, kubeconfig: pulumi.Output[str], coredns: aws.eks.Addon
    ) -> k8s.Provider:
        """The Kubernetes provider for everything in-cluster (once DNS runs)."""
        return k8s.Provider(
            f"{name}-k8s",
            kubeconfig=kubeconfig,
            enable_server_side_apply=True,
            delete_unreachable=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[coredns]),
        )

    def _default_storage_class(self, name: str, provider: k8s.Provider, ebs_csi: aws.eks.Addon) -> None:
        """The default StorageClass (encrypted gp3), once the EBS CSI driver runs."""
        create_object(
            f"{name}-gp3",
            default_storage_class(),
            pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[ebs_csi]),
        )

    # ------------------------------------------------------------------------------------------------
    @property
    def identity(self) -> Identity:
        """The workload identity mechanism of the cluster's pods."""
        return self.args.identity

    def workload_role(
        self,
        role_name: str,
        *,
        namespace: str,
        service_account: str,
        policy_arns: list[pulumi.Input[str]] | None = None,
        inline_policy: pulumi.Input[str] | None = None,
        parent: pulumi.Resource | None = None,
    ) -> aws.iam.Role:
        """An IAM role for one service account, through the cluster's identity switch.

        Pod Identity: a role trusted by ``pods.eks.amazonaws.com`` plus a PodIdentityAssociation.
        IRSA: a role trusted by the cluster's OIDC provider, scoped to ``namespace``/``service_account``
        (annotate the service account with the role ARN).
        """
        return create_workload_role(
            role_name,
            owner=parent or self,
            identity=self.args.identity,
            cluster_name=self.cluster_name,
            oidc_provider_arn=self._oidc.arn,
            oidc_issuer=self._issuer,
            tags=self._tags,
            namespace=namespace,
            service_account=service_account,
            policy_arns=policy_arns,
            inline_policy=inline_policy,
        )

    def _addon(
        self,
        addons: _AddonContext,
        addon: str,
        *,
        configuration: dict[str, Any] | None = None,
        role_policy: str | None = None,
        service_account: tuple[str, str] | None = None,
        depends_on: list[pulumi.Resource] | None = None,
    ) -> aws.eks.Addon:
        """One managed add-on, with its IAM role through the identity switch when it needs AWS access."""
        name = addons.name
        extra: dict[str, Any] = {}
        if role_policy is not None and service_account is not None:
            policy_arn = managed_policy_arn(addons.partition, role_policy)
            if addons.identity is Identity.IRSA:
                role = create_workload_role(
                    f"{name}-{addon}-role",
                    owner=self,
                    identity=addons.identity,
                    cluster_name=addons.control.cluster.name,
                    oidc_provider_arn=addons.control.oidc.arn,
                    oidc_issuer=addons.control.issuer,
                    tags=addons.tags,
                    namespace=service_account[0],
                    service_account=service_account[1],
                    policy_arns=[policy_arn],
                )
                extra["service_account_role_arn"] = role.arn
            else:
                # The add-on creates the Pod Identity association itself.
                role = aws.iam.Role(
                    f"{name}-{addon}-role",
                    assume_role_policy=assume_role_policy("pods.eks.amazonaws.com"),
                    tags=addons.tags,
                    opts=pulumi.ResourceOptions(parent=self),
                )
                aws.iam.RolePolicyAttachment(
                    f"{name}-{addon}-role-attach-0",
                    role=role.name,
                    policy_arn=policy_arn,
                    opts=pulumi.ResourceOptions(parent=self),
                )
                extra["pod_identity_associations"] = [
                    {"role_arn": role.arn, "service_account": service_account[1]}
                ]
        return aws.eks.Addon(
            cluster_name=addons.control.cluster.name,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on or []),
            **addon_args(name, addon, addons.versions[addon], configuration, addons.tags),
            **extra,
        )


def create_workload_role(
    role_name: str,
    *,
    owner: pulumi.Resource | None,
    identity: Identity,
    cluster_name: pulumi.Input[str],
    oidc_provider_arn: pulumi.Input[str] | None,
    oidc_issuer: pulumi.Input[str] | None,
    tags: dict[str, str],
    namespace: str,
    service_account: str,
    policy_arns: list[pulumi.Input[str]] | None = None,
    inline_policy: pulumi.Input[str] | None = None,
) -> aws.iam.Role:
    """The IAM role (and Pod Identity association) of one service account; see EksCluster.workload_role."""
    opts = pulumi.ResourceOptions(parent=owner)
    if identity is Identity.POD_IDENTITY:
        trust: pulumi.Input[str] = assume_role_policy("pods.eks.amazonaws.com")
    else:
        if oidc_provider_arn is None or oidc_issuer is None:
            raise ConfigError(
                f"workload role {role_name}: IRSA needs the cluster's OIDC provider ARN and issuer; "
                "pass them or use Pod Identity"
            )
        trust = pulumi.Output.all(oidc_provider_arn, oidc_issuer).apply(
            lambda v: irsa_trust_policy(v[0], v[1], namespace, service_account)
        )
    role = aws.iam.Role(f"{role_name}", assume_role_policy=trust, tags=tags, opts=opts)
    for index, arn in enumerate(policy_arns or []):
        aws.iam.RolePolicyAttachment(f"{role_name}-attach-{index}", role=role.name, policy_arn=arn, opts=opts)
    if inline_policy is not None:
        aws.iam.RolePolicy(f"{role_name}-policy", role=role.id, policy=inline_policy, opts=opts)
    if identity is Identity.POD_IDENTITY:
        aws.eks.PodIdentityAssociation(
            f"{role_name}-pod-identity",
            cluster_name=cluster_name,
            namespace=namespace,
            service_account=service_account,
            role_arn=role.arn,
            tags=tags,
            opts=opts,
        )
    return role


class ClusterRef:
    """An existing EKS cluster, as a team's own Pulumi program sees it (for example from a
    StackReference to the platform stack): enough to create workload roles through the same
    identity switch as :meth:`EksCluster.workload_role`, e.g. for ``StatefulDatabase(cluster=...)``.

    ::

        platform = pulumi.StackReference("acme/platform-components/prod")
        cluster = ClusterRef(platform.get_output("clusterName"))
    """

    def __init__(
        self,
        cluster_name: pulumi.Input[str],
        *,
        identity: Identity = Identity.POD_IDENTITY,
        oidc_provider_arn: pulumi.Input[str] | None = None,
        oidc_issuer: pulumi.Input[str] | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        if identity is Identity.IRSA and (oidc_provider_arn is None or oidc_issuer is None):
            raise ConfigError(
                "ClusterRef: IRSA needs oidc_provider_arn and oidc_issuer; pass both or use Pod Identity"
            )
        self.cluster_name = pulumi.Output.from_input(cluster_name)
        self._identity = identity
        self._oidc_provider_arn = oidc_provider_arn
        self._oidc_issuer = oidc_issuer
        self._tags = {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY, **(tags or {})}

    @property
    def identity(self) -> Identity:
        return self._identity

    def workload_role(
        self,
        role_name: str,
        *,
        namespace: str,
        service_account: str,
        policy_arns: list[pulumi.Input[str]] | None = None,
        inline_policy: pulumi.Input[str] | None = None,
        parent: pulumi.Resource | None = None,
    ) -> aws.iam.Role:
        return create_workload_role(
            role_name,
            owner=parent,
            identity=self._identity,
            cluster_name=self.cluster_name,
            oidc_provider_arn=self._oidc_provider_arn,
            oidc_issuer=self._oidc_issuer,
            tags=self._tags,
            namespace=namespace,
            service_account=service_account,
            policy_arns=policy_arns,
            inline_policy=inline_policy,
        )


def _issuer_of(identities: Any) -> str:
    first = identities[0]
    oidcs = first["oidcs"] if isinstance(first, dict) else first.oidcs
    oidc = oidcs[0]
    return str(oidc["issuer"] if isinstance(oidc, dict) else oidc.issuer)


def managed_policy_arn(partition: pulumi.Output[str], policy: str) -> pulumi.Output[str]:
    """ARN of an AWS-managed IAM policy in the current partition."""
    return partition.apply(lambda p: f"arn:{p}:iam::aws:policy/{policy}")


def kubeconfig_output(cluster: aws.eks.Cluster, region: str) -> pulumi.Output[str]:
    """The cluster's kubeconfig (``aws eks get-token``) as a secret Output."""
    return pulumi.Output.secret(
        pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority).apply(
            lambda v: _kubeconfig(v[0], v[1], v[2]["data"] if isinstance(v[2], dict) else v[2].data, region)
        )
    )


def _kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster_name,
                                "--region",
                                region,
                                "--output",
                                "json",
                            ],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        }
    )


__all__ = [
    "SUPPORTED_KUBERNETES_VERSIONS",
    "ClusterRef",
    "ClusterSettings",
    "ConfigError",
    "EksCluster",
    "EksClusterArgs",
    "EndpointArgs",
    "Identity",
    "NatMode",
    "NodeGroupArgs",
]
