"""EksCluster's pure builders, each on its own: arguments in, the values its children are registered with out."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from platform_components.cluster import (
    DISCOVERY_TAG,
    SYSTEM_NODE_LABEL,
    SYSTEM_TAINT,
    VPC_CNI_CONFIGURATION,
    EksClusterArgs,
    EndpointArgs,
    NodeGroupArgs,
    addon_args,
    cluster_tags,
    cluster_trust_policy,
    default_storage_class,
    endpoint_access,
    nat_plan,
    secrets_key_policy,
    subnet_specs,
    system_launch_template_args,
    system_node_group_args,
)
from platform_components.kube import labels as lbl

ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def cluster_args(**overrides: Any) -> EksClusterArgs:
    base: dict[str, Any] = {
        "kubernetes_version": "1.35",
        "region": "eu-west-1",
        "availability_zones": ZONES,
        "admin_principals": ["arn:aws:iam::123456789012:role/admins"],
    }
    return EksClusterArgs.model_validate({**base, **overrides})


def test_cluster_tags_add_managed_by_and_ownership_to_the_callers_tags() -> None:
    tags = cluster_tags("prod", {"team": "platform", lbl.MANAGED_BY_KEY: "someone-else"})
    assert tags == {
        "team": "platform",
        lbl.MANAGED_BY_KEY: lbl.MANAGED_BY,
        "kubernetes.io/cluster/prod": "owned",
    }


def test_subnet_specs_give_a_private_and_a_public_subnet_per_zone_inside_the_vpc() -> None:
    args = cluster_args(vpc_cidr="10.8.0.0/16")
    specs = subnet_specs("prod", args, {"t": "v"})
    assert [(p["availability_zone"], q["availability_zone"]) for p, q in specs] == [(z, z) for z in ZONES]
    vpc = ipaddress.ip_network("10.8.0.0/16")
    cidrs = [ipaddress.ip_network(s["cidr_block"]) for pair in specs for s in pair]
    assert all(c.subnet_of(vpc) for c in cidrs)
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])
    private, public = specs[0]
    assert private["resource_name"] == "prod-private-a"
    assert public["resource_name"] == "prod-public-a"
    assert private["tags"]["kubernetes.io/role/internal-elb"] == "1"
    assert private["tags"][DISCOVERY_TAG] == "prod"
    assert public["tags"]["kubernetes.io/role/elb"] == "1"
    assert DISCOVERY_TAG not in public["tags"]
    assert all(
        s["tags"]["t"] == "v" and s["map_public_ip_on_launch"] is False for pair in specs for s in pair
    )


def test_subnet_specs_follow_the_zones_given() -> None:
    specs = subnet_specs("c", cluster_args(availability_zones=ZONES[:2]), {})
    assert [p["resource_name"] for p, _ in specs] == ["c-private-a", "c-private-b"]


@pytest.mark.parametrize(
    ("nat", "zones", "routes"),
    [("per_az", ZONES, [0, 1, 2]), ("single", ZONES[:1], [0, 0, 0])],
)
def test_nat_plan_routes_each_zone_through_its_own_or_the_single_nat(
    nat: str, zones: list[str], routes: list[int]
) -> None:
    assert nat_plan(cluster_args(nat=nat)) == (zones, routes)


def test_the_secrets_key_policy_lets_the_account_administer_the_key() -> None:
    policy = json.loads(secrets_key_policy("aws-cn", "123456789012"))
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"AWS": "arn:aws-cn:iam::123456789012:root"}
    assert (statement["Effect"], statement["Action"]) == ("Allow", "kms:*")


def test_the_cluster_role_is_assumed_by_eks_with_session_tags() -> None:
    (statement,) = json.loads(cluster_trust_policy())["Statement"]
    assert statement["Principal"] == {"Service": "eks.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]


def test_endpoint_access_is_private_unless_public_is_opted_in() -> None:
    assert endpoint_access(EndpointArgs()) == {
        "endpoint_private_access": True,
        "endpoint_public_access": False,
        "public_access_cidrs": None,
    }
    public = endpoint_access(EndpointArgs(public=True, public_cidrs=["203.0.113.0/24"]))
    assert public["endpoint_private_access"] is True
    assert (public["endpoint_public_access"], public["public_access_cidrs"]) == (True, ["203.0.113.0/24"])


def test_the_system_launch_template_enforces_imdsv2_and_an_encrypted_gp3_root() -> None:
    spec = system_launch_template_args("prod", NodeGroupArgs(disk_size_gib=64), {"t": "v"})
    assert spec["metadata_options"]["http_tokens"] == "required"
    assert spec["metadata_options"]["http_put_response_hop_limit"] == 1
    (device,) = spec["block_device_mappings"]
    assert device["ebs"] == {
        "volume_size": 64,
        "volume_type": "gp3",
        "encrypted": "true",
        "delete_on_termination": "true",
    }
    (instance_tags,) = spec["tag_specifications"]
    assert instance_tags["tags"] == {"t": "v", "Name": "prod-system"}


def test_the_system_node_group_is_on_demand_labelled_and_tainted_for_add_ons() -> None:
    group = NodeGroupArgs(instance_types=["m7g.large"], min_size=2, max_size=5, desired_size=3)
    spec = system_node_group_args("prod", group, {})
    assert spec["node_group_name"] == "prod-system"
    assert spec["capacity_type"] == "ON_DEMAND"
    assert spec["instance_types"] == ["m7g.large"]
    assert spec["scaling_config"] == {"min_size": 2, "max_size": 5, "desired_size": 3}
    assert spec["labels"] == {SYSTEM_NODE_LABEL: "true"}
    assert spec["taints"] == [SYSTEM_TAINT]


def test_addon_args_pin_the_version_and_serialise_the_configuration() -> None:
    vpc_cni = addon_args("prod", "vpc-cni", "v1.2.3-eksbuild.1", VPC_CNI_CONFIGURATION, {"t": "v"})
    assert vpc_cni["resource_name"] == "prod-vpc-cni"
    assert (vpc_cni["addon_name"], vpc_cni["addon_version"]) == ("vpc-cni", "v1.2.3-eksbuild.1")
    assert json.loads(vpc_cni["configuration_values"])["enableNetworkPolicy"] == "true"
    assert vpc_cni["resolve_conflicts_on_create"] == vpc_cni["resolve_conflicts_on_update"] == "OVERWRITE"
    assert addon_args("prod", "coredns", "v1", None, {})["configuration_values"] is None


def test_the_default_storage_class_is_encrypted_gp3_bound_on_scheduling() -> None:
    spec = default_storage_class()
    assert spec["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert spec["parameters"]["encrypted"] == "true"
    assert spec["parameters"]["type"] == "gp3"
    assert spec["volumeBindingMode"] == "WaitForFirstConsumer"
    assert (spec["apiVersion"], spec["kind"]) == ("storage.k8s.io/v1", "StorageClass")
