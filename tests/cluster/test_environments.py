"""The EKS stacks differ as data: what each environment gets, asserted on the offline preview."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from platform_components.cluster import EksCluster, EksClusterArgs, Identity
from platform_components.preview.mocks import ResourceRecord
from platform_components.testing import Preview, preview_function, preview_project
from platform_components.versions import EKS_ADDONS, KARPENTER_VERSION

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stacks() -> dict[str, Preview]:
    return {stack: preview_project(ROOT, stack=stack) for stack in ("dev", "staging", "prod", "local")}


def one(preview: Preview, type_token: str) -> ResourceRecord:
    """The one resource of a type in the cluster layer (databases bring their own keys and roles)."""
    (record,) = [r for r in preview.of_type(type_token) if "platform:index:StatefulDatabase$" not in r.urn]
    return record


def cluster_of(preview: Preview) -> ResourceRecord:
    return one(preview, "aws:eks/cluster:Cluster")


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_every_stack_previews_clean(stacks: dict[str, Preview], stack: str) -> None:
    assert stacks[stack].clean, stacks[stack].problems()
    assert not stacks[stack].warnings, stacks[stack].problems()


def test_prod_endpoint_is_private_and_everything_precious_is_protected(stacks: dict[str, Preview]) -> None:
    prod = stacks["prod"]
    cluster = cluster_of(prod)
    assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is False
    assert cluster.inputs["vpcConfig"]["endpointPrivateAccess"] is True
    assert cluster.inputs["deletionProtection"] is True
    for type_token in ("aws:eks/cluster:Cluster", "aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup"):
        (record,) = [r for r in prod.of_type(type_token) if "platform:index:EksCluster$" in r.urn]
        assert record.protect and record.retain_on_delete, type_token
    assert one(prod, "aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 365
    assert len(prod.of_type("aws:ec2/natGateway:NatGateway")) == 3


def test_staging_is_private_with_deletion_protection_but_not_pulumi_protect(
    stacks: dict[str, Preview],
) -> None:
    cluster = cluster_of(stacks["staging"])
    assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is False
    assert cluster.inputs["deletionProtection"] is True
    assert not cluster.protect
    assert len(stacks["staging"].of_type("aws:ec2/natGateway:NatGateway")) == 3


def test_dev_is_public_only_for_an_allow_list_and_cheap(stacks: dict[str, Preview]) -> None:
    dev = stacks["dev"]
    vpc = cluster_of(dev).inputs["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert "0.0.0.0/0" not in vpc["publicAccessCidrs"]
    assert cluster_of(dev).inputs["deletionProtection"] is False
    assert not cluster_of(dev).protect
    assert len(dev.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert one(dev, "aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 14


def test_local_creates_no_aws_resources(stacks: dict[str, Preview]) -> None:
    local = stacks["local"]
    assert not [r for r in local.resources if r.type.startswith(("aws:", "pulumi:providers:aws"))]
    assert not [m for m in local.manifests if m["kind"] in ("NodePool", "EC2NodeClass")]


def _pool(preview: Preview, name: str) -> dict[str, Any]:
    return preview.manifest("NodePool", name)["spec"]


def _capacity(pool: dict[str, Any]) -> list[str]:
    requirements = pool["template"]["spec"]["requirements"]
    return next(r["values"] for r in requirements if r["key"] == "karpenter.sh/capacity-type")


def test_node_pools_differ_per_environment(stacks: dict[str, Preview]) -> None:
    assert _capacity(_pool(stacks["dev"], "general")) == ["spot", "on-demand"]
    assert _capacity(_pool(stacks["prod"], "general")) == ["on-demand"]
    assert _capacity(_pool(stacks["prod"], "spot")) == ["spot"]
    prod_budgets = _pool(stacks["prod"], "general")["disruption"]["budgets"]
    assert {
        "nodes": "0",
        "schedule": "0 8 * * mon-fri",
        "duration": "10h",
        "reasons": ["Underutilized", "Drifted"],
    } in (prod_budgets)
    assert _pool(stacks["dev"], "general")["limits"] == {"cpu": "64", "memory": "256Gi"}
    assert _pool(stacks["prod"], "general")["limits"] == {"cpu": "1000", "memory": "4000Gi"}
    for stack in ("staging", "prod"):
        for manifest in stacks[stack].manifests:
            if manifest["kind"] == "EC2NodeClass":
                assert not manifest["spec"]["amiSelectorTerms"][0]["alias"].endswith("@latest"), stack
    dev_class = stacks["dev"].manifest("EC2NodeClass", "general")["spec"]
    assert dev_class["amiSelectorTerms"] == [{"alias": "al2023@latest"}]


def test_node_class_defaults(stacks: dict[str, Preview]) -> None:
    spec = stacks["prod"].manifest("EC2NodeClass", "general")["spec"]
    assert spec["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpProtocolIPv6": "disabled",
        "httpPutResponseHopLimit": 1,
        "httpTokens": "required",
    }
    (device,) = spec["blockDeviceMappings"]
    assert device["ebs"]["encrypted"] is True and device["ebs"]["volumeType"] == "gp3"
    assert spec["subnetSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": "platform-prod"}}]
    assert spec["securityGroupSelectorTerms"][0]["id"].startswith("sg-")
    assert spec["role"].startswith("prod-karpenter-node-role")


def test_cluster_defaults(stacks: dict[str, Preview]) -> None:
    prod = stacks["prod"]
    cluster = cluster_of(prod).inputs
    assert cluster["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    assert cluster["encryptionConfig"]["resources"] == ["secrets"]
    assert cluster["encryptionConfig"]["provider"]["keyArn"].startswith("arn:aws:kms:eu-west-1:")
    assert cluster["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster["bootstrapSelfManagedAddons"] is False
    assert one(prod, "aws:kms/key:Key").inputs["enableKeyRotation"] is True
    addons = {r.inputs["addonName"]: r.inputs for r in prod.of_type("aws:eks/addon:Addon")}
    assert {name: a["addonVersion"] for name, a in addons.items()} == EKS_ADDONS["1.35"]
    assert json.loads(addons["vpc-cni"]["configurationValues"])["enableNetworkPolicy"] == "true"
    assert addons["vpc-cni"]["podIdentityAssociations"][0]["serviceAccount"] == "aws-node"
    entries = {r.inputs["principalArn"]: r.inputs for r in prod.of_type("aws:eks/accessEntry:AccessEntry")}
    assert entries["arn:aws:iam::345678901234:role/platform-admins"]["type"] == "STANDARD"
    assert [e for e in entries.values() if e["type"] == "EC2_LINUX"], "Karpenter node role access entry"
    template = one(prod, "aws:ec2/launchTemplate:LaunchTemplate").inputs
    assert template["metadataOptions"]["httpTokens"] == "required"
    assert template["metadataOptions"]["httpPutResponseHopLimit"] == 1
    group = one(prod, "aws:eks/nodeGroup:NodeGroup").inputs
    assert group["taints"] == [{"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}]
    assert group["scalingConfig"] == {"minSize": 3, "maxSize": 6, "desiredSize": 3}
    storage = prod.manifest("StorageClass", "gp3-encrypted")
    assert storage["parameters"]["encrypted"] == "true"
    assert storage["volumeBindingMode"] == "WaitForFirstConsumer"
    assert storage["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    subnets = [r.inputs for r in prod.of_type("aws:ec2/subnet:Subnet")]
    private = [s for s in subnets if "kubernetes.io/role/internal-elb" in s["tags"]]
    assert len(private) == 3 and all(s["tags"]["karpenter.sh/discovery"] == "platform-prod" for s in private)
    assert all(s["mapPublicIpOnLaunch"] is False for s in subnets)


def test_karpenter_interruption_handling_and_chart(stacks: dict[str, Preview]) -> None:
    prod = stacks["prod"]
    queue = one(prod, "aws:sqs/queue:Queue").inputs
    assert queue["sqsManagedSseEnabled"] is True and queue["messageRetentionSeconds"] == 300
    patterns = [
        json.loads(r.inputs["eventPattern"]) for r in prod.of_type("aws:cloudwatch/eventRule:EventRule")
    ]
    assert sorted(p["detail-type"][0] for p in patterns) == [
        "AWS Health Event",
        "EC2 Instance Rebalance Recommendation",
        "EC2 Instance State-change Notification",
        "EC2 Spot Instance Interruption Warning",
    ]
    releases = {r.inputs["name"]: r.inputs for r in prod.of_type("kubernetes:helm.sh/v3:Release")}
    assert releases["karpenter"]["version"] == releases["karpenter-crd"]["version"] == KARPENTER_VERSION
    values = releases["karpenter"]["values"]
    assert values["settings"]["interruptionQueue"] == queue.get(
        "name", values["settings"]["interruptionQueue"]
    )
    assert values["tolerations"][0]["key"] == "CriticalAddonsOnly"
    associations = prod.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert any(a.inputs["serviceAccount"] == "karpenter" for a in associations)


def _cluster_args(**overrides: Any) -> EksClusterArgs:
    base: dict[str, Any] = {
        "kubernetes_version": "1.35",
        "region": "eu-west-1",
        "availability_zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "admin_principals": ["arn:aws:iam::123456789012:role/admins"],
    }
    return EksClusterArgs.model_validate({**base, **overrides})


def test_irsa_switch_scopes_the_trust_to_the_service_account() -> None:
    def program() -> None:
        cluster = EksCluster("c1", _cluster_args(identity=Identity.IRSA))
        cluster.workload_role("c1-app", namespace="apps", service_account="app")

    result = preview_function(program, config={"aws:region": "eu-west-1"})
    assert result.clean, result.problems()
    assert not result.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    trust = json.loads(result.resource("aws:iam/role:Role", "c1-app").inputs["assumeRolePolicy"])
    condition = trust["Statement"][0]["Condition"]["StringEquals"]
    assert [v for k, v in condition.items() if k.endswith(":sub")] == ["system:serviceaccount:apps:app"]
    assert [v for k, v in condition.items() if k.endswith(":aud")] == ["sts.amazonaws.com"]


def test_a_malformed_iam_policy_in_a_component_fails_with_the_aws_reason() -> None:
    bad = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]})

    def program() -> None:
        cluster = EksCluster("c2", _cluster_args())
        cluster.workload_role("c2-app", namespace="apps", service_account="app", inline_policy=bad)

    result = preview_function(program, config={"aws:region": "eu-west-1"})
    assert not result.clean
    (error,) = [e for e in result.schema_errors if "c2-app-policy" in e]
    assert "MalformedPolicyDocument" in error
    assert "policy" in error
