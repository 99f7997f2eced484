"""Every documented default of the cluster-layer args models (the argument reference) is asserted."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components.cluster import EksClusterArgs, EndpointArgs, Identity, NatMode, NodeGroupArgs
from platform_components.karpenter import (
    Budget,
    CapacityType,
    ConsolidationPolicy,
    KarpenterArgs,
    NodeClassArgs,
    NodePoolArgs,
    Requirement,
    Taint,
)
from platform_components.versions import KARPENTER_VERSION
from pydantic import BaseModel

DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {
    EksClusterArgs: {
        "vpc_cidr": "10.0.0.0/16",
        "nat": NatMode.PER_AZ,
        "endpoint": EndpointArgs(),
        "log_types": ["api", "audit", "authenticator"],
        "log_retention_days": 90,
        "deletion_protection": False,
        "protect": False,
        "identity": Identity.POD_IDENTITY,
        "system_node_group": NodeGroupArgs(),
        "kms_deletion_window_days": 30,
        "tags": {},
    },
    EndpointArgs: {"public": False, "public_cidrs": []},
    NodeGroupArgs: {
        "instance_types": ["m7i.large"],
        "ami_type": "AL2023_x86_64_STANDARD",
        "min_size": 2,
        "max_size": 3,
        "desired_size": 2,
        "disk_size_gib": 40,
    },
    KarpenterArgs: {
        "version": KARPENTER_VERSION,
        "replicas": 2,
        "cpu": "500m",
        "memory": "1Gi",
        "log_level": "info",
    },
    NodePoolArgs: {
        "capacity_types": [CapacityType.ON_DEMAND],
        "instance_categories": ["c", "m", "r"],
        "instance_generation_min": 5,
        "architectures": ["amd64"],
        "requirements": [],
        "cpu_limit": "100",
        "memory_limit": "400Gi",
        "weight": None,
        "consolidation_policy": ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
        "consolidate_after": "1m",
        "budgets": [Budget(nodes="10%")],
        "expire_after": "720h",
        "termination_grace_period": "48h",
        "taints": [],
        "labels": {},
        "node_class": NodeClassArgs(),
    },
    NodeClassArgs: {
        "ami_alias": "al2023@latest",
        "volume_size": "80Gi",
        "volume_iops": 3000,
        "volume_throughput": 125,
        "tags": {},
    },
    Requirement: {"values": [], "min_values": None},
    Budget: {"nodes": "10%", "schedule": None, "duration": None, "reasons": []},
    Taint: {"value": None, "effect": "NoSchedule"},
}


@pytest.mark.parametrize("model", list(DEFAULTS), ids=lambda m: m.__name__)
def test_defaults(model: type[BaseModel]) -> None:
    actual = {
        name: field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
        if not field.is_required()
    }
    assert actual == DEFAULTS[model]


@pytest.mark.parametrize("model", list(DEFAULTS), ids=lambda m: m.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    assert [name for name, field in model.model_fields.items() if not field.description] == []


def test_default_node_pool_requirements() -> None:
    requirements = {r["key"]: r for r in NodePoolArgs().render_requirements()}
    assert requirements["karpenter.sh/capacity-type"]["values"] == ["on-demand"]
    assert requirements["karpenter.k8s.aws/instance-generation"] == {
        "key": "karpenter.k8s.aws/instance-generation",
        "operator": "Gt",
        "values": ["5"],
    }
    assert requirements["kubernetes.io/os"]["values"] == ["linux"]


def test_subnet_plan_carves_private_18s_and_public_20s() -> None:
    args = EksClusterArgs(
        kubernetes_version="1.35",
        region="eu-west-1",
        availability_zones=["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        admin_principals=["arn:aws:iam::123456789012:role/admins"],
    )
    assert args.subnet_plan() == (
        ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"],
        ["10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20"],
    )
