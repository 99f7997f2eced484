"""Karpenter (v1) on an :class:`~platform_components.cluster.EksCluster`, and one component per node pool.

``Karpenter`` installs the controller and everything it needs: the ``karpenter-crd`` and
``karpenter`` Helm charts pinned in :mod:`platform_components.versions`, a least-privilege controller IAM
policy scoped to the cluster's tag (the upstream v1 policy), the controller's identity through the
cluster's switch (Pod Identity, or IRSA), an SQS interruption queue with SSE and a TLS-only policy,
EventBridge rules for spot interruptions, rebalance recommendations, instance state changes and
scheduled health events, and the node IAM role with its ``EC2_LINUX`` access entry.

``KarpenterNodePool`` is one ``NodePool`` + ``EC2NodeClass`` pair: requirements, limits, weight,
disruption (consolidation, budgets, ``consolidateAfter``), ``expireAfter``, taints and labels on
the pool; AMI alias, discovery-tag subnet selection, the cluster security group, IMDSv2 with hop
limit 1 and an encrypted gp3 root volume on the class. Invalid combinations (an ``In`` requirement
without values, a budget schedule without a duration, a bad operator...) are rejected by the args
models before anything is registered.
"""

from __future__ import annotations

import enum
import json
import re
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field, field_validator, model_validator

from ._base import StrictModel
from ._optional import ensure_loaded, lazy_module
from ._validators import check_cron, check_duration
from .cluster import DISCOVERY_TAG, SYSTEM_NODE_LABEL, EksCluster, managed_policy_arn
from .errors import ConfigError
from .kube import labels as lbl
from .kube.names import check_dns1123_label, check_label_key, check_label_value
from .kube.objects import create_object
from .kube.quantity import check_quantity
from .versions import KARPENTER_CHART_REPOSITORY, KARPENTER_KUBERNETES, KARPENTER_VERSION

if TYPE_CHECKING:
    import pulumi_aws as aws
else:
    aws = lazy_module("pulumi_aws", "Karpenter and KarpenterNodePool")

TYPE_TOKEN = "platform:index:Karpenter"
NODE_POOL_TYPE_TOKEN = "platform:index:KarpenterNodePool"
SERVICE_ACCOUNT = "karpenter"


class Operator(enum.StrEnum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"
    GT = "Gt"
    LT = "Lt"
    GTE = "Gte"
    LTE = "Lte"


class CapacityType(enum.StrEnum):
    ON_DEMAND = "on-demand"
    SPOT = "spot"
    RESERVED = "reserved"


class ConsolidationPolicy(enum.StrEnum):
    WHEN_EMPTY = "WhenEmpty"
    WHEN_EMPTY_OR_UNDERUTILIZED = "WhenEmptyOrUnderutilized"


class DisruptionReason(enum.StrEnum):
    UNDERUTILIZED = "Underutilized"
    EMPTY = "Empty"
    DRIFTED = "Drifted"


class Requirement(StrictModel):
    """A node requirement (well-known label, operator, values)."""

    key: str = Field(description="Label key, e.g. karpenter.k8s.aws/instance-category.")
    operator: Operator = Field(description="In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte or Lte.")
    values: list[str] = Field(
        default_factory=list, description="Values (In/NotIn: at least one; Gt/Lt: one integer)."
    )
    min_values: int | None = Field(
        default=None, ge=1, le=50, description="Minimum distinct values to keep (flexibility)."
    )

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        return check_label_key(value)

    @model_validator(mode="after")
    def _values(self) -> Requirement:
        op = self.operator
        if op in (Operator.IN, Operator.NOT_IN) and not self.values:
            raise ValueError(f"requirement {self.key!r}: operator {op.value} needs at least one value")
        if op in (Operator.EXISTS, Operator.DOES_NOT_EXIST) and self.values:
            raise ValueError(f"requirement {self.key!r}: operator {op.value} takes no values")
        if op in (Operator.GT, Operator.LT, Operator.GTE, Operator.LTE) and (
            len(self.values) != 1 or not self.values[0].lstrip("-").isdigit()
        ):
            raise ValueError(f"requirement {self.key!r}: operator {op.value} needs exactly one integer value")
        if self.min_values is not None and op is Operator.IN and self.min_values > len(self.values):
            raise ValueError(
                f"requirement {self.key!r}: min_values={self.min_values} exceeds the {len(self.values)} values given"
            )
        return self

    def render(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "operator": self.operator.value}
        if self.values:
            out["values"] = list(self.values)
        if self.min_values is not None:
            out["minValues"] = self.min_values
        return out


class Budget(StrictModel):
    """A disruption budget: how many nodes may be disrupted at once, optionally in a time window."""

    nodes: str = Field(default="10%", description="A count ('2') or percentage ('10%') of nodes.")
    schedule: str | None = Field(default=None, description="Cron start of the window (needs duration).")
    duration: str | None = Field(default=None, description="Window length, e.g. '8h' (needs schedule).")
    reasons: list[DisruptionReason] = Field(
        default_factory=list, description="Reasons it applies to (all if empty)."
    )

    @field_validator("nodes")
    @classmethod
    def _nodes(cls, value: str) -> str:
        if not re.match(r"^((100|[0-9]{1,2})%|[0-9]+)$", value):
            raise ValueError(
                f"budget nodes {value!r} must be a count such as '2' or a percentage such as '10%'"
            )
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        return check_cron(value) if value is not None else None

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        return check_duration(value) if value is not None else None

    @model_validator(mode="after")
    def _window(self) -> Budget:
        if (self.schedule is None) != (self.duration is None):
            raise ValueError("a budget with a schedule needs a duration, and a duration needs a schedule")
        return self

    def render(self) -> dict[str, Any]:
        out: dict[str, Any] = {"nodes": self.nodes}
        if self.schedule is not None:
            out["schedule"] = self.schedule
            out["duration"] = self.duration
        if self.reasons:
            out["reasons"] = [r.value for r in self.reasons]
        return out


class Taint(StrictModel):
    key: str = Field(description="Taint key.")
    value: str | None = Field(default=None, description="Taint value.")
    effect: str = Field(default="NoSchedule", description="NoSchedule, PreferNoSchedule or NoExecute.")

    @field_validator("effect")
    @classmethod
    def _effect(cls, value: str) -> str:
        if value not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            raise ValueError(f"taint effect {value!r} must be NoSchedule, PreferNoSchedule or NoExecute")
        return value

    def render(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "effect": self.effect}
        if self.value is not None:
            out["value"] = self.value
        return out


class NodeClassArgs(StrictModel):
    """The EC2NodeClass of a pool."""

    ami_alias: str = Field(
        default="al2023@latest", description="AMI alias (family@version); pin a version outside dev."
    )
    volume_size: str = Field(default="80Gi", description="Encrypted gp3 root volume size.")
    volume_iops: int = Field(default=3000, ge=3000, le=16000, description="gp3 IOPS (3000 baseline).")
    volume_throughput: int = Field(default=125, ge=125, le=1000, description="gp3 throughput MiB/s.")
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags on instances and volumes.")

    @field_validator("ami_alias")
    @classmethod
    def _alias(cls, value: str) -> str:
        if not re.match(
            r"^(al2023|bottlerocket|windows2019|windows2022|windows2025)@(latest|v[0-9]+[0-9.]*)$", value
        ):
            raise ValueError(
                f"{value!r} is not an AMI alias such as 'al2023@v20251117' or 'bottlerocket@v1.50.0'"
            )
        return value

    @field_validator("volume_size")
    @classmethod
    def _size(cls, value: str) -> str:
        return check_quantity(value)

    @property
    def pinned(self) -> bool:
        return not self.ami_alias.endswith("@latest")

    @property
    def root_device(self) -> str:
        # Bottlerocket keeps the OS on /dev/xvda and containers/images on the data volume /dev/xvdb.
        return "/dev/xvdb" if self.ami_alias.startswith("bottlerocket") else "/dev/xvda"


class NodePoolArgs(StrictModel):
    """Arguments of :class:`KarpenterNodePool`."""

    capacity_types: list[CapacityType] = Field(
        default_factory=lambda: [CapacityType.ON_DEMAND], description="Purchase options; spot is opt-in."
    )
    instance_categories: list[str] = Field(
        default_factory=lambda: ["c", "m", "r"], description="Instance families (compute, general, memory)."
    )
    instance_generation_min: int = Field(default=5, ge=1, le=20, description="Newer than this generation.")
    architectures: list[str] = Field(default_factory=lambda: ["amd64"], description="CPU architectures.")
    requirements: list[Requirement] = Field(default_factory=list, description="Extra requirements.")
    cpu_limit: str = Field(default="100", description="Total vCPU cap of the pool (no runaway scaling).")
    memory_limit: str = Field(default="400Gi", description="Total memory cap of the pool.")
    weight: int | None = Field(default=None, ge=1, le=100, description="Priority among pools (higher first).")
    consolidation_policy: ConsolidationPolicy = Field(
        default=ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED, description="When nodes may be consolidated."
    )
    consolidate_after: str = Field(default="1m", description="Wait before consolidating ('0s' immediately).")
    budgets: list[Budget] = Field(
        default_factory=lambda: [Budget()], description="Disruption budgets (default 10% of nodes)."
    )
    expire_after: str = Field(default="720h", description="Node lifetime (30 days: regular patching).")
    termination_grace_period: str | None = Field(
        default="48h", description="Max drain time before a disrupted node is forcibly removed."
    )
    taints: list[Taint] = Field(default_factory=list, description="Taints on the pool's nodes.")
    labels: dict[str, str] = Field(default_factory=dict, description="Labels on the pool's nodes.")
    node_class: NodeClassArgs = Field(default_factory=NodeClassArgs, description="The EC2NodeClass.")

    @field_validator("consolidate_after")
    @classmethod
    def _consolidate(cls, value: str) -> str:
        return check_duration(value, allow_never=True)

    @field_validator("expire_after")
    @classmethod
    def _expire(cls, value: str) -> str:
        return check_duration(value, allow_never=True)

    @field_validator("termination_grace_period")
    @classmethod
    def _grace(cls, value: str | None) -> str | None:
        return check_duration(value) if value is not None else None

    @field_validator("cpu_limit", "memory_limit")
    @classmethod
    def _limit(cls, value: str) -> str:
        return check_quantity(value)

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        for key, item in value.items():
            check_label_key(key)
            check_label_value(item)
        return value

    @model_validator(mode="after")
    def _coherent(self) -> NodePoolArgs:
        if not self.capacity_types:
            raise ValueError("capacity_types needs at least one of on-demand, spot, reserved")
        if not self.instance_categories or not self.architectures:
            raise ValueError("instance_categories and architectures need at least one value each")
        if len(self.budgets) > 50:
            raise ValueError("at most 50 disruption budgets")
        return self

    def render_requirements(self) -> list[dict[str, Any]]:
        base = [
            Requirement(
                key="karpenter.sh/capacity-type",
                operator=Operator.IN,
                values=[c.value for c in self.capacity_types],
            ),
            Requirement(
                key="karpenter.k8s.aws/instance-category",
                operator=Operator.IN,
                values=list(self.instance_categories),
            ),
            Requirement(
                key="karpenter.k8s.aws/instance-generation",
                operator=Operator.GT,
                values=[str(self.instance_generation_min)],
            ),
            Requirement(key="kubernetes.io/arch", operator=Operator.IN, values=list(self.architectures)),
            Requirement(key="kubernetes.io/os", operator=Operator.IN, values=["linux"]),
        ]
        keys = {r.key for r in self.requirements}
        return [r.render() for r in base if r.key not in keys] + [r.render() for r in self.requirements]


class KarpenterArgs(StrictModel):
    """Arguments of :class:`Karpenter`."""

    version: str = Field(default=KARPENTER_VERSION, description="Karpenter chart version (pinned).")
    replicas: int = Field(default=2, ge=1, le=5, description="Controller replicas (leader election).")
    cpu: str = Field(default="500m", description="Controller CPU request.")
    memory: str = Field(default="1Gi", description="Controller memory request and limit.")
    log_level: str = Field(default="info", description="Controller log level.")

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if value not in KARPENTER_KUBERNETES:
            raise ValueError(
                f"Karpenter {value} is not supported; use one of {', '.join(KARPENTER_KUBERNETES)}"
            )
        return value

    @field_validator("cpu", "memory")
    @classmethod
    def _quantity(cls, value: str) -> str:
        return check_quantity(value)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value not in ("debug", "info", "error"):
            raise ValueError(f"log_level {value!r} must be debug, info or error")
        return value


def controller_policy(
    *, partition: str, region: str, account: str, cluster: str, queue_arn: str, node_role_arn: str
) -> str:
    """The Karpenter v1 controller policy, scoped to resources tagged for this cluster."""
    ec2 = f"arn:{partition}:ec2:{region}"
    owned = {f"aws:RequestTag/kubernetes.io/cluster/{cluster}": "owned"}
    resource_owned = {f"aws:ResourceTag/kubernetes.io/cluster/{cluster}": "owned"}
    launch = [
        f"{ec2}:*:{kind}/*"
        for kind in ("fleet", "instance", "volume", "network-interface", "launch-template")
    ]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AllowScopedEC2InstanceAccessActions",
            "Effect": "Allow",
            "Resource": [
                f"{ec2}::image/*",
                f"{ec2}::snapshot/*",
                f"{ec2}:*:security-group/*",
                f"{ec2}:*:subnet/*",
                f"{ec2}:*:capacity-reservation/*",
            ],
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
        },
        {
            "Sid": "AllowScopedEC2LaunchTemplateAccessActions",
            "Effect": "Allow",
            "Resource": f"{ec2}:*:launch-template/*",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Condition": {
                "StringEquals": resource_owned,
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedEC2InstanceActionsWithTags",
            "Effect": "Allow",
            "Resource": launch,
            "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            "Condition": {"StringEquals": owned, "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}},
        },
        {
            "Sid": "AllowScopedResourceCreationTagging",
            "Effect": "Allow",
            "Resource": launch,
            "Action": "ec2:CreateTags",
            "Condition": {
                "StringEquals": {
                    **owned,
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedResourceTagging",
            "Effect": "Allow",
            "Resource": f"{ec2}:*:instance/*",
            "Action": "ec2:CreateTags",
            "Condition": {
                "StringEquals": resource_owned,
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
                },
            },
        },
        {
            "Sid": "AllowScopedDeletion",
            "Effect": "Allow",
            "Resource": [f"{ec2}:*:instance/*", f"{ec2}:*:launch-template/*"],
            "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            "Condition": {
                "StringEquals": resource_owned,
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowRegionalReadActions",
            "Effect": "Allow",
            "Resource": "*",
            "Action": [
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            "Condition": {"StringEquals": {"aws:RequestedRegion": region}},
        },
        {
            "Sid": "AllowSSMReadActions",
            "Effect": "Allow",
            "Resource": f"arn:{partition}:ssm:{region}::parameter/aws/service/*",
            "Action": "ssm:GetParameter",
        },
        {
            "Sid": "AllowPricingReadActions",
            "Effect": "Allow",
            "Resource": "*",
            "Action": "pricing:GetProducts",
        },
        {
            "Sid": "AllowInterruptionQueueActions",
            "Effect": "Allow",
            "Resource": queue_arn,
            "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
        },
        {
            "Sid": "AllowPassingInstanceRole",
            "Effect": "Allow",
            "Resource": node_role_arn,
            "Action": "iam:PassRole",
            "Condition": {
                "StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}
            },
        },
        {
            "Sid": "AllowScopedInstanceProfileCreationActions",
            "Effect": "Allow",
            "Resource": f"arn:{partition}:iam::{account}:instance-profile/*",
            "Action": ["iam:CreateInstanceProfile"],
            "Condition": {
                "StringEquals": {
                    **owned,
                    "aws:RequestTag/eks:eks-cluster-name": cluster,
                    "aws:RequestTag/topology.kubernetes.io/region": region,
                },
                "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        },
        {
            "Sid": "AllowScopedInstanceProfileTagActions",
            "Effect": "Allow",
            "Resource": f"arn:{partition}:iam::{account}:instance-profile/*",
            "Action": ["iam:TagInstanceProfile"],
            "Condition": {
                "StringEquals": {
                    **resource_owned,
                    "aws:ResourceTag/topology.kubernetes.io/region": region,
                    **owned,
                    "aws:RequestTag/eks:eks-cluster-name": cluster,
                    "aws:RequestTag/topology.kubernetes.io/region": region,
                },
                "StringLike": {
                    "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                    "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
                },
            },
        },
        {
            "Sid": "AllowScopedInstanceProfileActions",
            "Effect": "Allow",
            "Resource": f"arn:{partition}:iam::{account}:instance-profile/*",
            "Action": [
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:DeleteInstanceProfile",
            ],
            "Condition": {
                "StringEquals": {**resource_owned, "aws:ResourceTag/topology.kubernetes.io/region": region},
                "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        },
        {
            "Sid": "AllowInstanceProfileReadActions",
            "Effect": "Allow",
            "Resource": f"arn:{partition}:iam::{account}:instance-profile/*",
            "Action": ["iam:GetInstanceProfile", "iam:ListInstanceProfiles"],
        },
        {
            "Sid": "AllowAPIServerEndpointDiscovery",
            "Effect": "Allow",
            "Resource": f"arn:{partition}:eks:{region}:{account}:cluster/{cluster}",
            "Action": "eks:DescribeCluster",
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


INTERRUPTION_EVENTS: dict[str, dict[str, list[str]]] = {
    "scheduled-change": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
    "spot-interruption": {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
    "rebalance": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
    "instance-state-change": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
    },
}
"""EventBridge patterns Karpenter's interruption handling consumes."""


# --------------------------------------------------------------------------------------------------
# Pure builders of Karpenter's children (unit tested on their own)


def check_supported(version: str, kubernetes_version: str) -> None:
    """ConfigError when Karpenter ``version`` does not support the cluster's Kubernetes minor."""
    supported = KARPENTER_KUBERNETES[version]
    if kubernetes_version not in supported:
        raise ConfigError(
            f"Karpenter {version} does not support Kubernetes {kubernetes_version}; "
            f"supported: {', '.join(supported)}"
        )


def karpenter_tags(cluster_tags: dict[str, str]) -> dict[str, str]:
    """Tags on Karpenter's AWS resources: the cluster's, and managed-by."""
    return {**cluster_tags, lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}


def interruption_rules(name: str) -> list[dict[str, Any]]:
    """Per interruption event: the EventRule's logical name, description and pattern (JSON), and
    its target's logical name."""
    return [
        {
            "rule": f"{name}-{event}",
            "description": f"Karpenter interruption handling: {pattern['detail-type'][0]}",
            "event_pattern": json.dumps(pattern),
            "target": f"{name}-{event}-target",
        }
        for event, pattern in INTERRUPTION_EVENTS.items()
    ]


def node_trust_policy() -> str:
    """Trust policy of the node role: EC2 instances assume it."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
)
"""AWS-managed policies of the node role."""


def chart_release_args(chart: str, version: str) -> dict[str, Any]:
    """Helm Release arguments shared by the ``karpenter-crd`` and ``karpenter`` charts."""
    return {
        "name": chart,
        "chart": f"{KARPENTER_CHART_REPOSITORY}/{chart}",
        "version": version,
        "namespace": "kube-system",
        "atomic": True,
    }


class Karpenter(pulumi.ComponentResource):
    """The Karpenter controller and its AWS plumbing (see the module docstring)."""

    if TYPE_CHECKING:  # outputs for type checkers and the docs (see SecureWorkload)
        node_role_name: pulumi.Output[str]
        queue_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: KarpenterArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        cluster: EksCluster,
    ) -> None:
        ensure_loaded(aws)
        super().__init__(TYPE_TOKEN, name, None, opts)
        check_supported(args.version, cluster.args.kubernetes_version)
        self.cluster = cluster
        tags = karpenter_tags(cluster.args.tags)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        queue = self._interruption_queue(name, tags)
        node_role, node_access = self._node_role(name, tags, partition, cluster)
        controller_role = self._controller_role(name, cluster, partition, account, queue, node_role)
        crds = self._charts(name, args, cluster, queue, controller_role, node_access)

        self._crds = crds
        self.node_role_name = node_role.name
        self.queue_name = queue.name
        self.register_outputs({"node_role_name": self.node_role_name, "queue_name": self.queue_name})

    # -- steps: each registers one group of children --------------------------------------------------
    def _interruption_queue(self, name: str, tags: dict[str, str]) -> aws.sqs.Queue:
        """The SQS interruption queue (SSE, TLS-only policy) and the EventBridge rules feeding it."""
        child = pulumi.ResourceOptions(parent=self)
        queue = aws.sqs.Queue(
            f"{name}-interruption-queue",
            message_retention_seconds=300,
            sqs_managed_sse_enabled=True,
            tags=tags,
            opts=child,
        )
        aws.sqs.QueuePolicy(
            f"{name}-interruption-queue-policy",
            queue_url=queue.url,
            policy=queue.arn.apply(_queue_policy),
            opts=child,
        )
        for rule_args in interruption_rules(name):
            rule = aws.cloudwatch.EventRule(
                rule_args["rule"],
                description=rule_args["description"],
                event_pattern=rule_args["event_pattern"],
                tags=tags,
                opts=child,
            )
            aws.cloudwatch.EventTarget(
                rule_args["target"],
                rule=rule.name,
                target_id="KarpenterInterruptionQueueTarget",
                arn=queue.arn,
                opts=child,
            )
        return queue

    def _node_role(
        self, name: str, tags: dict[str, str], partition: pulumi.Output[str], cluster: EksCluster
    ) -> tuple[aws.iam.Role, aws.eks.AccessEntry]:
        """The IAM role of Karpenter's nodes, its policy attachments and its EC2_LINUX access entry."""
        child = pulumi.ResourceOptions(parent=self)
        node_role = aws.iam.Role(
            f"{name}-node-role", assume_role_policy=node_trust_policy(), tags=tags, opts=child
        )
        for policy in NODE_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy.lower()}",
                role=node_role.name,
                policy_arn=managed_policy_arn(partition, policy),
                opts=child,
            )
        node_access = aws.eks.AccessEntry(
            f"{name}-node-access",
            cluster_name=cluster.cluster_name,
            principal_arn=node_role.arn,
            type="EC2_LINUX",
            tags=tags,
            opts=child,
        )
        return node_role, node_access

    def _controller_role(
        self,
        name: str,
        cluster: EksCluster,
        partition: pulumi.Output[str],
        account: pulumi.Output[str],
        queue: aws.sqs.Queue,
        node_role: aws.iam.Role,
    ) -> aws.iam.Role:
        """The controller's IAM role (least-privilege policy) through the cluster's identity switch."""
        region = cluster.args.region
        policy_document = pulumi.Output.all(
            partition, account, cluster.cluster_name, queue.arn, node_role.arn
        ).apply(
            lambda v: controller_policy(
                partition=v[0], region=region, account=v[1], cluster=v[2], queue_arn=v[3], node_role_arn=v[4]
            )
        )
        return cluster.workload_role(
            f"{name}-controller-role",
            namespace="kube-system",
            service_account=SERVICE_ACCOUNT,
            inline_policy=policy_document,
            parent=self,
        )

    def _charts(
        self,
        name: str,
        args: KarpenterArgs,
        cluster: EksCluster,
        queue: aws.sqs.Queue,
        controller_role: aws.iam.Role,
        node_access: aws.eks.AccessEntry,
    ) -> k8s.helm.v3.Release:
        """The ``karpenter-crd`` and ``karpenter`` Helm releases; returns the CRDs' release."""
        crds = k8s.helm.v3.Release(
            f"{name}-crds",
            opts=pulumi.ResourceOptions(parent=self, provider=cluster.k8s_provider),
            **chart_release_args("karpenter-crd", args.version),
        )
        irsa = cluster.args.identity.value == "irsa"
        values = pulumi.Output.all(cluster.cluster_name, queue.name, controller_role.arn).apply(
            lambda v: _helm_values(args, cluster_name=v[0], queue=v[1], role_arn=v[2], irsa=irsa)
        )
        k8s.helm.v3.Release(
            f"{name}-controller",
            skip_crds=True,
            values=values,
            opts=pulumi.ResourceOptions(
                parent=self, provider=cluster.k8s_provider, depends_on=[crds, node_access, controller_role]
            ),
            **chart_release_args("karpenter", args.version),
        )
        return crds


def _queue_policy(queue_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": "EC2InterruptionPolicy",
            "Statement": [
                {
                    "Sid": "AllowEventBridgeAndSQS",
                    "Effect": "Allow",
                    "Principal": {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                },
                {
                    "Sid": "DenyHTTP",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sqs:*",
                    "Resource": queue_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )


def _helm_values(
    args: KarpenterArgs, *, cluster_name: str, queue: str, role_arn: str, irsa: bool
) -> dict[str, Any]:
    service_account: dict[str, Any] = {"name": SERVICE_ACCOUNT}
    if irsa:
        service_account["annotations"] = {"eks.amazonaws.com/role-arn": role_arn}
    return {
        "settings": {"clusterName": cluster_name, "interruptionQueue": queue},
        "serviceAccount": service_account,
        "replicas": args.replicas,
        "logLevel": args.log_level,
        "dnsPolicy": "Default",
        "nodeSelector": {SYSTEM_NODE_LABEL: "true"},
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}],
        "controller": {
            "resources": {
                "requests": {"cpu": args.cpu, "memory": args.memory},
                "limits": {"memory": args.memory},
            }
        },
        "podDisruptionBudget": {"name": "karpenter", "maxUnavailable": 1},
    }


class KarpenterNodePool(pulumi.ComponentResource):
    """One Karpenter ``NodePool`` and its ``EC2NodeClass`` (both named after the component)."""

    def __init__(
        self,
        name: str,
        args: NodePoolArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        karpenter: Karpenter,
    ) -> None:
        check_dns1123_label(name)
        super().__init__(NODE_POOL_TYPE_TOKEN, name, None, opts)
        cluster = karpenter.cluster
        node_class_spec = pulumi.Output.all(
            cluster.cluster_name, karpenter.node_role_name, cluster.node_security_group_id
        ).apply(
            lambda v: render_node_class(
                args.node_class, cluster_name=v[0], role=v[1], security_group=v[2], tags=cluster.args.tags
            )
        )
        provider_opts = pulumi.ResourceOptions(
            parent=self, provider=cluster.k8s_provider, depends_on=[karpenter._crds]
        )
        labels = {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}
        node_class = create_object(
            f"{name}-nodeclass",
            {
                "apiVersion": "karpenter.k8s.aws/v1",
                "kind": "EC2NodeClass",
                "metadata": {"name": name, "labels": labels},
                "spec": node_class_spec,
            },
            provider_opts,
        )
        create_object(
            f"{name}-nodepool",
            {
                "apiVersion": "karpenter.sh/v1",
                "kind": "NodePool",
                "metadata": {"name": name, "labels": dict(labels)},
                "spec": render_node_pool(name, args),
            },
            pulumi.ResourceOptions(parent=self, provider=cluster.k8s_provider, depends_on=[node_class]),
        )
        self.register_outputs({})


def render_node_class(
    args: NodeClassArgs, *, cluster_name: str, role: str, security_group: str, tags: dict[str, str]
) -> dict[str, Any]:
    return {
        "amiSelectorTerms": [{"alias": args.ami_alias}],
        "role": role,
        "subnetSelectorTerms": [{"tags": {DISCOVERY_TAG: cluster_name}}],
        "securityGroupSelectorTerms": [{"id": security_group}],
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpProtocolIPv6": "disabled",
            "httpPutResponseHopLimit": 1,
            "httpTokens": "required",
        },
        "blockDeviceMappings": [
            {
                "deviceName": args.root_device,
                "ebs": {
                    "volumeSize": args.volume_size,
                    "volumeType": "gp3",
                    "iops": args.volume_iops,
                    "throughput": args.volume_throughput,
                    "encrypted": True,
                    "deleteOnTermination": True,
                },
            }
        ],
        "tags": {**{k: v for k, v in tags.items() if not k.startswith("kubernetes.io/cluster")}, **args.tags},
    }


def render_node_pool(name: str, args: NodePoolArgs) -> dict[str, Any]:
    template_spec: dict[str, Any] = {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": name},
        "requirements": args.render_requirements(),
        "expireAfter": args.expire_after,
    }
    if args.termination_grace_period is not None:
        template_spec["terminationGracePeriod"] = args.termination_grace_period
    if args.taints:
        template_spec["taints"] = [t.render() for t in args.taints]
    spec: dict[str, Any] = {
        "template": {
            "metadata": {"labels": {"platform-components.io/node-pool": name, **args.labels}},
            "spec": template_spec,
        },
        "disruption": {
            "consolidationPolicy": args.consolidation_policy.value,
            "consolidateAfter": args.consolidate_after,
            "budgets": [b.render() for b in args.budgets],
        },
        "limits": {"cpu": args.cpu_limit, "memory": args.memory_limit},
    }
    if args.weight is not None:
        spec["weight"] = args.weight
    return spec


__all__ = [
    "Budget",
    "CapacityType",
    "ConsolidationPolicy",
    "DisruptionReason",
    "Karpenter",
    "KarpenterArgs",
    "KarpenterNodePool",
    "NodeClassArgs",
    "NodePoolArgs",
    "Operator",
    "Requirement",
    "Taint",
    "check_cron",
    "check_duration",
    "render_node_class",
    "render_node_pool",
]
