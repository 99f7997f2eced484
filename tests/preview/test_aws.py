"""The AWS side of the offline engine: realistic outputs flowing, AWS's refusals, invokes, isolation."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
from cryptography import x509
from moto.core.models import MockAWS
from platform_components.errors import PreviewError
from platform_components.preview.aws import ACCOUNT_ID, RESOURCE_TYPES, render_policy_document
from platform_components.preview.engine import check, explain_exception, run_program
from platform_components.preview.mocks import PreviewMocks
from platform_components.testing import Preview, preview_function

HEX17 = r"0[0-9a-f]{16}"

pytestmark = pytest.mark.filterwarnings(
    # these tests use pulumi-aws directly: its import-time deprecation warnings are the SDK's own
    "ignore::DeprecationWarning:pulumi_aws"
)


def trust(principal: dict[str, Any], action: str | list[str] = "sts:AssumeRole", **extra: Any) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def preview(program: Callable[[], None]) -> Preview:
    return preview_function(program)


def errors_of(result: Preview) -> list[str]:
    return result.schema_errors


def run(
    program: Callable[[], None], *, region: str | None = None
) -> tuple[Preview, dict[str, dict[str, Any]]]:
    """A preview plus the state (inputs + outputs) of every resource."""
    config = {"aws:region": region} if region else {}
    program_run = run_program(program, project="test", stack="test", config=config)
    result = Preview(check(program_run, project="test", stack="test", kubernetes_version="1.35"))
    return result, program_run.state


def state(states: dict[str, dict[str, Any]], type_token: str, name: str) -> dict[str, Any]:
    (found,) = [s for urn, s in states.items() if urn.endswith(f"{type_token}::{name}")]
    return found


# -- a realistic cluster: outputs flow into trust policies, OIDC providers and kubeconfigs --------------


def eks_program() -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.20.0.0/16", enable_dns_hostnames=True)
    subnets = [
        aws.ec2.Subnet(
            f"private-{zone}",
            vpc_id=vpc.id,
            cidr_block=f"10.20.{index}.0/24",
            availability_zone=f"eu-west-1{zone}",
        )
        for index, zone in enumerate("abc")
    ]
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    eip = aws.ec2.Eip("nat-ip", domain="vpc")
    nat = aws.ec2.NatGateway("nat", allocation_id=eip.id, subnet_id=subnets[0].id)
    public = aws.ec2.RouteTable(
        "public", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}]
    )
    private = aws.ec2.RouteTable("private", vpc_id=vpc.id)
    aws.ec2.Route(
        "private-default",
        route_table_id=private.id,
        destination_cidr_block="0.0.0.0/0",
        nat_gateway_id=nat.id,
    )
    aws.ec2.RouteTableAssociation("public-a", route_table_id=public.id, subnet_id=subnets[0].id)
    for subnet, zone in zip(subnets[1:], "bc", strict=True):
        aws.ec2.RouteTableAssociation(f"private-{zone}", route_table_id=private.id, subnet_id=subnet.id)
    node_sg = aws.ec2.SecurityGroup("nodes", vpc_id=vpc.id, description="worker nodes")
    aws.vpc.SecurityGroupIngressRule(
        "nodes-https",
        security_group_id=node_sg.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="10.20.0.0/16",
    )
    aws.vpc.SecurityGroupEgressRule(
        "nodes-all", security_group_id=node_sg.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0"
    )

    identity = aws.get_caller_identity_output()
    partition = aws.get_partition_output().partition
    key_policy = pulumi.Output.all(partition, identity.account_id).apply(
        lambda pa: policy(
            {
                "Sid": "AccountAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{pa[0]}:iam::{pa[1]}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        )
    )
    key = aws.kms.Key("secrets", enable_key_rotation=True, deletion_window_in_days=7, policy=key_policy)
    aws.kms.Alias("secrets", name="alias/platform-secrets", target_key_id=key.key_id)
    aws.cloudwatch.LogGroup("control-plane", name="/aws/eks/platform/cluster", retention_in_days=90)

    cluster_role = aws.iam.Role(
        "cluster",
        assume_role_policy=trust({"Service": "eks.amazonaws.com"}, ["sts:AssumeRole", "sts:TagSession"]),
    )
    aws.iam.RolePolicyAttachment(
        "cluster-policy", role=cluster_role.name, policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
    )
    cluster = aws.eks.Cluster(
        "platform",
        name="platform",
        version="1.33",
        role_arn=cluster_role.arn,
        vpc_config={"subnet_ids": [s.id for s in subnets], "endpoint_private_access": True},
        access_config={"authentication_mode": "API"},
        encryption_config={"resources": ["secrets"], "provider": {"key_arn": key.arn}},
    )
    issuer = cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)  # type: ignore[index]
    oidc = aws.iam.OpenIdConnectProvider("oidc", url=issuer, client_id_lists=["sts.amazonaws.com"])
    irsa_trust = pulumi.Output.all(oidc.arn, issuer).apply(
        lambda v: trust(
            {"Federated": v[0]},
            "sts:AssumeRoleWithWebIdentity",
            Condition={
                "StringEquals": {
                    f"{v[1].removeprefix('https://')}:sub": "system:serviceaccount:kube-system:ebs-csi",
                    f"{v[1].removeprefix('https://')}:aud": "sts.amazonaws.com",
                }
            },
        )
    )
    irsa = aws.iam.Role("ebs-csi", assume_role_policy=irsa_trust)
    aws.iam.RolePolicyAttachment(
        "ebs-csi", role=irsa.name, policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
    )
    aws.eks.Addon(
        "ebs-csi",
        cluster_name=cluster.name,
        addon_name="aws-ebs-csi-driver",
        service_account_role_arn=irsa.arn,
    )

    node_role = aws.iam.Role("nodes", assume_role_policy=trust({"Service": "ec2.amazonaws.com"}))
    reader = aws.iam.Policy(
        "nodes-read",
        policy=policy({"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"}),
    )
    aws.iam.RolePolicyAttachment("nodes-read", role=node_role.name, policy_arn=reader.arn)
    aws.iam.RolePolicy(
        "nodes-inline",
        role=node_role.id,
        policy=policy({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}),
    )
    aws.iam.InstanceProfile("nodes", role=node_role.name)
    template = aws.ec2.LaunchTemplate("nodes", metadata_options={"http_tokens": "required"})
    group = aws.eks.NodeGroup(
        "system",
        cluster_name=cluster.name,
        node_role_arn=node_role.arn,
        subnet_ids=[s.id for s in subnets],
        scaling_config={"min_size": 2, "desired_size": 3, "max_size": 5},
        launch_template={"id": template.id, "version": template.latest_version.apply(str)},
    )
    entry = aws.eks.AccessEntry("admin", cluster_name=cluster.name, principal_arn=cluster_role.arn)
    aws.eks.AccessPolicyAssociation(
        "admin",
        cluster_name=cluster.name,
        principal_arn=cluster_role.arn,
        policy_arn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        access_scope={"type": "cluster"},
        opts=pulumi.ResourceOptions(depends_on=[entry]),
    )
    aws.eks.PodIdentityAssociation(
        "karpenter",
        cluster_name=cluster.name,
        namespace="kube-system",
        service_account="karpenter",
        role_arn=irsa.arn,
    )

    dlq = aws.sqs.Queue("interruptions-dlq")
    queue = aws.sqs.Queue(
        "interruptions",
        message_retention_seconds=300,
        redrive_policy=dlq.arn.apply(
            lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 3})
        ),
    )
    aws.sqs.QueuePolicy(
        "interruptions",
        queue_url=queue.url,
        policy=queue.arn.apply(
            lambda arn: policy(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["events.amazonaws.com"]},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                }
            )
        ),
    )
    rule = aws.cloudwatch.EventRule(
        "spot-interruption",
        event_pattern=json.dumps(
            {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]}
        ),
    )
    aws.cloudwatch.EventTarget("spot-interruption", rule=rule.name, arn=queue.arn)

    bucket = aws.s3.Bucket("backups")
    aws.s3.BucketVersioning("backups", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
    aws.s3.BucketServerSideEncryptionConfiguration(
        "backups",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": key.arn,
                }
            }
        ],
    )
    aws.s3.BucketPublicAccessBlock(
        "backups", bucket=bucket.id, block_public_acls=True, block_public_policy=True
    )
    aws.s3.BucketPolicy(
        "backups",
        bucket=bucket.id,
        policy=bucket.arn.apply(
            lambda arn: policy(
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            )
        ),
    )
    aws.s3.BucketLifecycleConfiguration(
        "backups", bucket=bucket.id, rules=[{"id": "expire", "status": "Enabled", "expiration": {"days": 30}}]
    )

    kubeconfig = pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority).apply(
        lambda v: json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {"name": v[0], "cluster": {"server": v[1], "certificate-authority-data": v[2]["data"]}}
                ],  # Output.all gives dicts
                "contexts": [{"name": v[0], "context": {"cluster": v[0], "user": v[0]}}],
                "current-context": v[0],
                "users": [{"name": v[0], "user": {"exec": {"command": "aws", "args": ["eks", "get-token"]}}}],
            }
        )
    )
    provider = k8s.Provider("platform", kubeconfig=kubeconfig)
    k8s.core.v1.Namespace("apps", metadata={"name": "apps"}, opts=pulumi.ResourceOptions(provider=provider))

    pulumi.export("endpoint", cluster.endpoint)
    pulumi.export("issuer", issuer)
    pulumi.export("ca", cluster.certificate_authority.data)  # type: ignore[attr-defined]
    pulumi.export("clusterSecurityGroupId", cluster.vpc_config.cluster_security_group_id)
    pulumi.export("kubeconfig", kubeconfig)
    pulumi.export("irsaTrust", irsa.assume_role_policy)
    pulumi.export("oidcArn", oidc.arn)
    pulumi.export("nodeGroup", group.id)
    pulumi.export("asg", group.resources.apply(lambda r: r[0].autoscaling_groups[0].name))  # type: ignore[index]
    pulumi.export("queueUrl", queue.url)
    pulumi.export("natIp", nat.public_ip)
    pulumi.export("eipIp", eip.public_ip)
    pulumi.export("account", identity.account_id)


@pytest.fixture(scope="module")
def eks() -> tuple[Preview, dict[str, dict[str, Any]]]:
    return run(eks_program, region="eu-west-1")


def test_a_valid_program_has_no_schema_errors(eks: tuple[Preview, dict[str, dict[str, Any]]]) -> None:
    result, _ = eks
    assert errors_of(result) == [], result.problems()
    assert not result.result.logs, result.result.logs  # moto modelled every call


def test_cluster_outputs_are_realistic(eks: tuple[Preview, dict[str, dict[str, Any]]]) -> None:
    result, states = eks
    out = result.outputs
    endpoint = re.fullmatch(
        r"https://([0-9A-F]{32})\.(gr7|yl4|sk1)\.eu-west-1\.eks\.amazonaws\.com", out["endpoint"]
    )
    assert endpoint, out["endpoint"]
    assert out["issuer"] == f"https://oidc.eks.eu-west-1.amazonaws.com/id/{endpoint.group(1)}"
    pem = base64.b64decode(out["ca"])
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    certificate = x509.load_pem_x509_certificate(pem)
    assert certificate.subject.rfc4514_string() == "CN=kubernetes"
    assert (
        x509.BasicConstraints(ca=True, path_length=None)
        == certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    )
    assert re.fullmatch(rf"sg-{HEX17}", out["clusterSecurityGroupId"])
    cluster = state(states, "aws:eks/cluster:Cluster", "platform")
    assert cluster["arn"] == f"arn:aws:eks:eu-west-1:{ACCOUNT_ID}:cluster/platform"
    assert cluster["status"] == "ACTIVE" and cluster["version"] == "1.33"
    assert cluster["vpcConfig"]["vpcId"] == result.resource("aws:ec2/vpc:Vpc", "vpc").id
    assert cluster["accessConfig"]["authenticationMode"] == "API"
    assert out["account"] == ACCOUNT_ID
    assert (
        out["nodeGroup"]
        == "platform:" + state(states, "aws:eks/nodeGroup:NodeGroup", "system")["nodeGroupName"]
    )
    assert out["asg"].startswith("eks-system-")
    assert out["natIp"] == out["eipIp"]
    assert out["queueUrl"].startswith(f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT_ID}/interruptions-")


def test_outputs_flow_into_trust_policies_and_kubeconfigs(
    eks: tuple[Preview, dict[str, dict[str, Any]]],
) -> None:
    result, states = eks
    out = result.outputs
    host = out["issuer"].removeprefix("https://")
    assert out["oidcArn"] == f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{host}"
    statement = json.loads(out["irsaTrust"])["Statement"][0]
    assert statement["Principal"]["Federated"] == out["oidcArn"]
    assert (
        statement["Condition"]["StringEquals"][f"{host}:sub"] == "system:serviceaccount:kube-system:ebs-csi"
    )
    kubeconfig = json.loads(out["kubeconfig"])
    assert kubeconfig["clusters"][0]["cluster"] == {
        "server": out["endpoint"],
        "certificate-authority-data": out["ca"],
    }
    provider = state(states, "pulumi:providers:kubernetes", "platform")
    assert out["endpoint"] in provider["kubeconfig"]


def test_ids_arns_and_names_have_aws_shapes(eks: tuple[Preview, dict[str, dict[str, Any]]]) -> None:
    result, states = eks
    ids = {r.name + " " + r.type: r.id for r in result.resources}
    assert re.fullmatch(rf"vpc-{HEX17}", ids["vpc aws:ec2/vpc:Vpc"])
    assert re.fullmatch(rf"subnet-{HEX17}", ids["private-a aws:ec2/subnet:Subnet"])
    assert re.fullmatch(rf"igw-{HEX17}", ids["igw aws:ec2/internetGateway:InternetGateway"])
    assert re.fullmatch(rf"eipalloc-{HEX17}", ids["nat-ip aws:ec2/eip:Eip"])
    assert re.fullmatch(rf"nat-{HEX17}", ids["nat aws:ec2/natGateway:NatGateway"])
    assert re.fullmatch(rf"rtb-{HEX17}", ids["public aws:ec2/routeTable:RouteTable"])
    assert re.fullmatch(rf"sg-{HEX17}", ids["nodes aws:ec2/securityGroup:SecurityGroup"])
    assert re.fullmatch(
        rf"sgr-{HEX17}", ids["nodes-https aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]
    )
    assert re.fullmatch(rf"lt-{HEX17}", ids["nodes aws:ec2/launchTemplate:LaunchTemplate"])
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", ids["secrets aws:kms/key:Key"]
    )

    vpc = state(states, "aws:ec2/vpc:Vpc", "vpc")
    assert vpc["arn"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT_ID}:vpc/{ids['vpc aws:ec2/vpc:Vpc']}"
    assert vpc["ownerId"] == ACCOUNT_ID and vpc["enableDnsHostnames"] is True
    subnet = state(states, "aws:ec2/subnet:Subnet", "private-a")
    assert subnet["availabilityZone"] == "eu-west-1a" and subnet["availabilityZoneId"].startswith("euw1-az")
    role = state(states, "aws:iam/role:Role", "cluster")
    assert re.fullmatch(r"cluster-[0-9a-f]{7}", role["name"])  # the provider's auto-name
    assert role["arn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/{role['name']}"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", role["uniqueId"])
    key = state(states, "aws:kms/key:Key", "secrets")
    assert key["arn"] == f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/{key['keyId']}"
    assert key["enableKeyRotation"] is True and key["rotationPeriodInDays"] == 365
    alias = state(states, "aws:kms/alias:Alias", "secrets")
    assert alias["targetKeyArn"] == key["arn"]
    assert state(states, "aws:cloudwatch/logGroup:LogGroup", "control-plane")["arn"] == (
        f"arn:aws:logs:eu-west-1:{ACCOUNT_ID}:log-group:/aws/eks/platform/cluster"
    )
    bucket = state(states, "aws:s3/bucket:Bucket", "backups")
    assert re.fullmatch(r"backups-[0-9a-f]{7}", bucket["bucket"])
    assert bucket["arn"] == f"arn:aws:s3:::{bucket['bucket']}"
    assert bucket["bucketRegionalDomainName"] == f"{bucket['bucket']}.s3.eu-west-1.amazonaws.com"
    template = state(states, "aws:ec2/launchTemplate:LaunchTemplate", "nodes")
    assert template["latestVersion"] == 1
    rule = state(states, "aws:cloudwatch/eventRule:EventRule", "spot-interruption")
    assert rule["arn"] == f"arn:aws:events:eu-west-1:{ACCOUNT_ID}:rule/{rule['name']}"


def test_every_listed_type_has_realistic_outputs() -> None:
    wanted = {
        "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway", "aws:ec2/eip:Eip",
        "aws:ec2/natGateway:NatGateway", "aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/securityGroup:SecurityGroup",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:kms/key:Key", "aws:kms/alias:Alias", "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role",
        "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/instanceProfile:InstanceProfile",
        "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon",
        "aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        "aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws:sqs/queue:Queue",
        "aws:sqs/queuePolicy:QueuePolicy", "aws:cloudwatch/eventRule:EventRule",
        "aws:cloudwatch/eventTarget:EventTarget", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    }  # fmt: skip
    assert wanted <= set(RESOURCE_TYPES)


def test_computed_outputs_are_known(eks: tuple[Preview, dict[str, dict[str, Any]]]) -> None:
    """Every computed output of the types used is in the state (a preview would otherwise see unknowns)."""
    _, states = eks
    computed = {
        "aws:ec2/vpc:Vpc": ["arn", "defaultNetworkAclId", "defaultRouteTableId", "defaultSecurityGroupId", "dhcpOptionsId", "mainRouteTableId", "ownerId", "tagsAll"],
        "aws:ec2/subnet:Subnet": ["arn", "ownerId", "tagsAll", "availabilityZoneId"],
        "aws:ec2/eip:Eip": ["allocationId", "arn", "publicDns", "publicIp"],
        "aws:ec2/natGateway:NatGateway": ["associationId", "networkInterfaceId", "publicIp", "privateIp"],
        "aws:ec2/launchTemplate:LaunchTemplate": ["arn", "latestVersion", "name"],
        "aws:kms/key:Key": ["arn", "keyId"],
        "aws:kms/alias:Alias": ["arn", "targetKeyArn"],
        "aws:iam/role:Role": ["arn", "createDate", "uniqueId", "name"],
        "aws:iam/policy:Policy": ["arn", "attachmentCount", "policyId"],
        "aws:iam/instanceProfile:InstanceProfile": ["arn", "createDate", "uniqueId"],
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["arn", "thumbprintLists"],
        "aws:eks/cluster:Cluster": ["arn", "certificateAuthority", "createdAt", "endpoint", "identities", "platformVersion", "status"],
        "aws:eks/nodeGroup:NodeGroup": ["arn", "resources", "status", "version", "releaseVersion"],
        "aws:eks/addon:Addon": ["arn", "createdAt", "modifiedAt", "addonVersion"],
        "aws:eks/accessEntry:AccessEntry": ["accessEntryArn", "createdAt", "modifiedAt", "userName", "kubernetesGroups"],
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ["associatedAt", "modifiedAt"],
        "aws:eks/podIdentityAssociation:PodIdentityAssociation": ["associationArn", "associationId"],
        "aws:sqs/queue:Queue": ["arn", "url", "name"],
        "aws:cloudwatch/eventRule:EventRule": ["arn", "name"],
        "aws:cloudwatch/eventTarget:EventTarget": ["targetId"],
        "aws:s3/bucket:Bucket": ["arn", "bucketDomainName", "bucketRegionalDomainName", "hostedZoneId", "bucketRegion"],
    }  # fmt: skip
    for urn, props in states.items():
        type_token = urn.split("::")[2].split("$")[-1]
        for key in computed.get(type_token, []):
            assert props.get(key) not in (None, ""), (urn, key)


# -- AWS's refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            policy({"Effect": "Allow", "Resource": "*"}),
            "MalformedPolicyDocument: Policy statement must contain actions.",
        ),
        ('{"Version": "2012-10-17", "Statement": [', "MalformedPolicyDocument: Syntax errors in policy."),
        (policy({"Effect": "Maybe", "Action": "s3:GetObject", "Resource": "*"}), "MalformedPolicyDocument: "),
        (
            policy({"Effect": "Allow", "Action": "s3:GetObject"}),
            "MalformedPolicyDocument: Policy statement must contain resources.",
        ),
        (
            policy({"Effect": "Allow", "Action": "s3GetObject", "Resource": "*"}),
            "MalformedPolicyDocument: Actions/Conditions must be prefaced by a vendor",
        ),
        (
            policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}),
            "MalformedPolicyDocument: Policy document should not specify a principal.",
        ),
    ],
    ids=["no-action", "invalid-json", "unknown-effect", "no-resource", "no-vendor", "principal"],
)
def test_a_malformed_policy_document_fails_with_aws_reason(document: str, expected: str) -> None:
    def program() -> None:
        aws.iam.Policy("reader", policy=document)
        role = aws.iam.Role("app", assume_role_policy=trust({"Service": "ec2.amazonaws.com"}))
        aws.iam.RolePolicy("inline", role=role.name, policy=document)

    result = preview(program)
    assert not result.clean
    managed, inline = sorted(errors_of(result))
    assert managed.startswith(f"aws:iam/policy:Policy reader: policy: {expected}"), managed
    assert inline.startswith(f"aws:iam/rolePolicy:RolePolicy inline: policy: {expected}"), inline


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            trust({"Service": "eks.amazonaws.com"}, "s3:GetObject"),
            "MalformedPolicyDocument: Trust Policy statement actions can only be",
        ),
        (
            trust({"Service": "eks.amazonaws.com"}, Resource="*"),
            "MalformedPolicyDocument: Has prohibited field Resource.",
        ),
        (
            policy({"Effect": "Allow", "Action": "sts:AssumeRole"}),
            "MalformedPolicyDocument: Missing required field Principal",
        ),
        (
            trust({"AWS": "not-an-arn"}),
            'MalformedPolicyDocument: Invalid principal in policy: "AWS":"not-an-arn"',
        ),
        ("not json", "MalformedPolicyDocument: Syntax errors in policy."),
    ],
    ids=["action", "resource", "no-principal", "bad-principal", "invalid-json"],
)
def test_a_malformed_trust_policy_fails(document: str, expected: str) -> None:
    result = preview(lambda: aws.iam.Role("app", assume_role_policy=document) and None)
    (error,) = errors_of(result)
    assert error.startswith(f"aws:iam/role:Role app: assumeRolePolicy: {expected}"), error


def test_an_unknown_aws_managed_policy_is_refused() -> None:
    def program() -> None:
        role = aws.iam.Role("app", assume_role_policy=trust({"Service": "ec2.amazonaws.com"}))
        aws.iam.RolePolicyAttachment(
            "ok", role=role.name, policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
        )
        aws.iam.RolePolicyAttachment(
            "typo", role=role.name, policy_arn="arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicyy"
        )

    (error,) = errors_of(preview(program))
    assert error == (
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment typo: policyArn: NoSuchEntity: "
        "Policy arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicyy does not exist or is not attachable."
    )


def test_a_subnet_outside_its_vpc_is_reported() -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("inside", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
        aws.ec2.Subnet("outside", vpc_id=vpc.id, cidr_block="10.1.0.0/24")
        aws.ec2.Subnet("overlap", vpc_id=vpc.id, cidr_block="10.0.1.128/25")
        aws.ec2.Subnet("tiny", vpc_id=vpc.id, cidr_block="10.0.9.0/29")
        aws.ec2.Subnet("elsewhere", vpc_id=vpc.id, cidr_block="10.0.2.0/24", availability_zone="eu-west-1a")

    errors = sorted(errors_of(preview(program)))
    assert errors == [
        "aws:ec2/subnet:Subnet elsewhere: availabilityZone: InvalidParameterValue: Value (eu-west-1a) for parameter "
        "availabilityZone is invalid. Subnets can currently only be created in the following availability zones: "
        "us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f.",
        "aws:ec2/subnet:Subnet outside: cidrBlock: InvalidSubnet.Range: The CIDR '10.1.0.0/24' is invalid.",
        "aws:ec2/subnet:Subnet overlap: cidrBlock: InvalidSubnet.Conflict: The CIDR '10.0.1.128/25' conflicts with another subnet",
        "aws:ec2/subnet:Subnet tiny: cidrBlock: InvalidSubnet.Range: The CIDR '10.0.9.0/29' is invalid.",
    ]


def test_network_refusals() -> None:
    def program() -> None:
        aws.ec2.Vpc("huge", cidr_block="10.0.0.0/8")
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        subnet = aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
        igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
        table = aws.ec2.RouteTable(
            "rt",
            vpc_id=vpc.id,
            routes=[
                {"cidr_block": "0.0.0.0/0", "gateway_id": igw.id},
                {"cidr_block": "0.0.0.0/0", "gateway_id": igw.id},
            ],
        )
        other = aws.ec2.RouteTable("other", vpc_id=vpc.id)
        first = aws.ec2.RouteTableAssociation("a", route_table_id=table.id, subnet_id=subnet.id)
        aws.ec2.RouteTableAssociation(
            "b", route_table_id=other.id, subnet_id=subnet.id, opts=pulumi.ResourceOptions(depends_on=[first])
        )
        sg = aws.ec2.SecurityGroup(
            "sg",
            vpc_id=vpc.id,
            ingress=[{"protocol": "tcpx", "from_port": 1, "to_port": 2, "cidr_blocks": ["10.0.0.0/8"]}],
        )
        aws.vpc.SecurityGroupIngressRule(
            "ports",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=80,
            cidr_ipv4="10.0.0.0/8",
        )
        aws.vpc.SecurityGroupIngressRule(
            "cidr",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="10.0.0.0/33",
        )
        aws.vpc.SecurityGroupEgressRule(
            "all", security_group_id=sg.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0"
        )

    errors = errors_of(preview(program))
    expected = [
        "aws:ec2/vpc:Vpc huge: cidrBlock: InvalidVpc.Range:",
        "aws:ec2/routeTable:RouteTable rt: routes[1].cidrBlock: RouteAlreadyExists:",
        "aws:ec2/routeTableAssociation:RouteTableAssociation b: subnetId: Resource.AlreadyAssociated:",
        "aws:ec2/securityGroup:SecurityGroup sg: ingress[0].protocol: InvalidParameterValue: Invalid value 'tcpx' for IP protocol.",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule ports: fromPort: InvalidParameterValue:",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule cidr: cidrIpv4: InvalidParameterValue:",
    ]
    for prefix in expected:
        assert any(e.startswith(prefix) for e in errors), (prefix, errors)
    assert len(errors) == len(expected), errors  # the allow-all egress rule is not a duplicate


@pytest.mark.parametrize(
    ("key_policy", "expected"),
    [
        ("{not json", "MalformedPolicyDocumentException: The policy is not valid JSON"),
        (
            json.dumps({"Version": "2012-10-17"}),
            "MalformedPolicyDocumentException: Missing required field Statement",
        ),
        (
            policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}),
            "MalformedPolicyDocumentException: Missing required field Principal",
        ),
        (
            policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
                    "Action": "kms:*",
                }
            ),
            "MalformedPolicyDocumentException: Missing required field Resource",
        ),
        (
            policy(
                {
                    "Effect": "Permit",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ),
            'MalformedPolicyDocumentException: Invalid effect in statement 0: "Permit"',
        ),
        (
            policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:role/app"},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                }
            ),
            "MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy in the future.",
        ),
    ],
    ids=["invalid-json", "no-statement", "no-principal", "no-resource", "bad-effect", "lockout"],
)
def test_an_invalid_kms_key_policy_is_reported(key_policy: str, expected: str) -> None:
    (error,) = errors_of(preview(lambda: aws.kms.Key("key", policy=key_policy) and None))
    assert error.startswith(f"aws:kms/key:Key key: policy: {expected}"), error


def test_kms_lockout_check_can_be_bypassed_and_accepts_admin_statements() -> None:
    def program() -> None:
        lockout = policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:role/app"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            }
        )
        aws.kms.Key("bypass", policy=lockout, bypass_policy_lockout_safety_check=True)
        admin = policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": ACCOUNT_ID},
                "Action": ["kms:Put*", "kms:Get*"],
                "Resource": "*",
            }
        )
        aws.kms.Key("admin", policy=admin)
        role_admin = policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:role/platform-admin"},
                "Action": "kms:*",
                "Resource": "*",
            }
        )
        aws.kms.Key("role-admin", policy=role_admin)  # whoever deploys may be that role
        aws.kms.Key("default")
        aws.kms.Key("window", deletion_window_in_days=3)

    (error,) = errors_of(preview(program))
    assert error.startswith("aws:kms/key:Key window: deletionWindowInDays: ValidationException:"), error


def test_queue_rule_log_and_bucket_refusals() -> None:
    def program() -> None:
        aws.sqs.Queue("slow", visibility_timeout_seconds=50000)
        aws.sqs.Queue("fifo", name="jobs", fifo_queue=False, content_based_deduplication=True)
        aws.sqs.Queue("named", name="no spaces allowed")
        queue = aws.sqs.Queue("ok")
        aws.sqs.QueuePolicy(
            "open", queue_url=queue.url, policy=policy({"Effect": "Allow", "Action": "sqs:*"})
        )
        aws.cloudwatch.EventRule("pattern", event_pattern=json.dumps({"source": "aws.ec2"}))
        aws.cloudwatch.EventRule("schedule", schedule_expression="every day")
        aws.cloudwatch.LogGroup("retention", retention_in_days=42)
        aws.cloudwatch.LogGroup("name", name="bad name*")
        aws.s3.Bucket("Upper_Case")
        bucket = aws.s3.Bucket("data")
        aws.s3.BucketPolicy(
            "data",
            bucket=bucket.id,
            policy=policy(
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "arn:aws:s3:::another-bucket/*",
                }
            ),
        )
        aws.s3.BucketLifecycleConfiguration(
            "data",
            bucket=bucket.id,
            rules=[
                {
                    "id": "ia",
                    "status": "Enabled",
                    "transitions": [{"days": 7, "storage_class": "STANDARD_IA"}],
                }
            ],
        )

    errors = errors_of(preview(program))
    expected = [
        "aws:sqs/queue:Queue slow: visibilityTimeoutSeconds: InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout.",
        "aws:sqs/queue:Queue named: name: InvalidParameterValue: Can only include alphanumeric characters, hyphens, or underscores.",
        "aws:sqs/queuePolicy:QueuePolicy open: policy: InvalidAttributeValue: Missing required field Principal",
        "aws:cloudwatch/eventRule:EventRule pattern: eventPattern: InvalidEventPatternException: Event pattern is not valid.",
        "aws:cloudwatch/eventRule:EventRule schedule: scheduleExpression: ValidationException: Parameter ScheduleExpression is not valid.",
        "aws:cloudwatch/logGroup:LogGroup retention: retentionInDays: InvalidParameterException:",
        "aws:cloudwatch/logGroup:LogGroup name: name: InvalidParameterException:",
        "aws:s3/bucket:Bucket Upper_Case: bucket: InvalidBucketName: The specified bucket is not valid.",
        "aws:s3/bucketPolicy:BucketPolicy data: policy: MalformedPolicy: Policy has invalid resource",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration data: rules[0].transitions[0].days: InvalidArgument:",
    ]
    for prefix in expected:
        assert any(e.startswith(prefix) for e in errors), (prefix, errors)
    assert len(errors) == len(expected), errors


def test_eks_refusals() -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        one = aws.ec2.Subnet("one", vpc_id=vpc.id, cidr_block="10.0.1.0/24", availability_zone="us-east-1a")
        two = aws.ec2.Subnet("two", vpc_id=vpc.id, cidr_block="10.0.2.0/24", availability_zone="us-east-1a")
        role = aws.iam.Role("role", assume_role_policy=trust({"Service": "eks.amazonaws.com"}))
        cluster = aws.eks.Cluster("c", role_arn=role.arn, vpc_config={"subnet_ids": [one.id, two.id]})
        aws.eks.NodeGroup(
            "nodes",
            cluster_name=cluster.name,
            node_role_arn=role.arn,
            subnet_ids=[one.id],
            scaling_config={"min_size": 3, "desired_size": 2, "max_size": 4},
        )
        aws.eks.AccessPolicyAssociation(
            "scope",
            cluster_name=cluster.name,
            principal_arn=role.arn,
            policy_arn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
            access_scope={"type": "namespace"},
        )

    errors = errors_of(preview(program))
    assert sorted(errors) == [
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation scope: accessScope.namespaces: InvalidParameterException: "
        "namespaces must be specified for accessScope type namespace",
        "aws:eks/cluster:Cluster c: vpcConfig.subnetIds: InvalidParameterException: Subnets specified must be in at least two different AZs",
        "aws:eks/nodeGroup:NodeGroup nodes: scalingConfig: InvalidParameterException: "
        "Scaling config must satisfy minSize <= desiredSize <= maxSize (got 3, 2, 4)",
    ]


def test_references_to_resources_outside_the_program_are_not_judged() -> None:
    def program() -> None:
        aws.ec2.Subnet("existing-vpc", vpc_id="vpc-0123456789abcdef0", cidr_block="172.31.200.0/24")
        aws.iam.RolePolicy(
            "existing-role",
            role="created-elsewhere",
            policy=policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
        )
        existing = aws.ec2.Vpc.get("existing", "vpc-0aaaaaaaaaaaaaaaa")
        pulumi.export("existing", existing.arn)

    result = preview(program)
    assert errors_of(result) == [], result.problems()
    assert result.outputs["existing"] == f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:vpc/vpc-0aaaaaaaaaaaaaaaa"


def test_secret_inputs_never_reach_a_refusal() -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("secret", vpc_id=vpc.id, cidr_block=pulumi.Output.secret("10.77.0.0/24"))

    (error,) = errors_of(preview(program))
    assert "10.77" not in error
    assert (
        error
        == "aws:ec2/subnet:Subnet secret: cidrBlock: InvalidSubnet.Range: The CIDR '[secret]' is invalid."
    )


# -- invokes ------------------------------------------------------------------------------------------


def test_invokes_answer_like_the_provider() -> None:
    def program() -> None:
        identity = aws.get_caller_identity_output()
        pulumi.export("account", identity.account_id)
        pulumi.export("callerArn", identity.arn)
        pulumi.export("region", aws.get_region_output().region)
        pulumi.export("partition", aws.get_partition_output().partition)
        pulumi.export("dnsSuffix", aws.get_partition_output().dns_suffix)
        zones = aws.get_availability_zones_output(state="available")
        pulumi.export("zones", zones.names)
        pulumi.export("zoneIds", zones.zone_ids)
        excluded = aws.get_availability_zones_output(exclude_names=["eu-central-1a"])
        pulumi.export("excluded", excluded.names)

    result, _ = run(program, region="eu-central-1")
    out = result.outputs
    assert out["account"] == ACCOUNT_ID
    assert out["callerArn"].startswith(f"arn:aws:iam::{ACCOUNT_ID}:")
    assert out["region"] == "eu-central-1"
    assert (out["partition"], out["dnsSuffix"]) == ("aws", "amazonaws.com")
    assert out["zones"] == ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    assert all(z.startswith("euc1-az") for z in out["zoneIds"])
    assert out["excluded"] == ["eu-central-1b", "eu-central-1c"]


def test_policy_documents_render_like_the_provider() -> None:
    def program() -> None:
        document = aws.iam.get_policy_document_output(
            statements=[
                {
                    "sid": "1",
                    "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
                    "resources": ["arn:aws:s3:::*"],
                },
                {
                    "effect": "Allow",
                    "actions": ["sts:AssumeRoleWithWebIdentity"],
                    "principals": [
                        {"type": "Federated", "identifiers": ["arn:aws:iam::123456789012:oidc-provider/x"]}
                    ],
                    "conditions": [
                        {"test": "StringEquals", "variable": "x:sub", "values": ["system:serviceaccount:a:b"]}
                    ],
                },
            ]
        )
        trust_document = aws.iam.get_policy_document_output(
            statements=[
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [
                        {"type": "Service", "identifiers": ["eks.amazonaws.com", "ec2.amazonaws.com"]}
                    ],
                }
            ]
        )
        aws.iam.Role("rendered", assume_role_policy=trust_document.json)
        pulumi.export("trust", trust_document.json)
        pulumi.export("json", document.json)
        pulumi.export("minified", document.minified_json)

    result, _ = run(program)
    assert result.outputs["json"] == (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": [\n'
        "    {\n"
        '      "Sid": "1",\n'
        '      "Effect": "Allow",\n'
        '      "Action": [\n'
        '        "s3:ListAllMyBuckets",\n'
        '        "s3:GetBucketLocation"\n'
        "      ],\n"
        '      "Resource": "arn:aws:s3:::*"\n'
        "    },\n"
        "    {\n"
        '      "Effect": "Allow",\n'
        '      "Action": "sts:AssumeRoleWithWebIdentity",\n'
        '      "Principal": {\n'
        '        "Federated": "arn:aws:iam::123456789012:oidc-provider/x"\n'
        "      },\n"
        '      "Condition": {\n'
        '        "StringEquals": {\n'
        '          "x:sub": "system:serviceaccount:a:b"\n'
        "        }\n"
        "      }\n"
        "    }\n"
        "  ]\n"
        "}"
    )
    assert json.loads(result.outputs["minified"]) == json.loads(result.outputs["json"])
    assert json.loads(result.outputs["trust"])["Statement"][0]["Principal"] == {
        "Service": ["eks.amazonaws.com", "ec2.amazonaws.com"]  # the provider reverse-sorts sets
    }
    assert errors_of(result) == []


def test_policy_document_details() -> None:
    rendered = render_policy_document(
        {
            "policyId": "doc",
            "sourcePolicyDocuments": [
                policy({"Sid": "keep", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})
            ],
            "statements": [
                {
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                    "actions": ["s3:GetObject"],
                    "resources": ["arn:aws:s3:::b/&{aws:username}"],
                },
                {"sid": "keep", "effect": "Deny", "notActions": ["iam:*"], "notResources": ["*"]},
            ],
        }
    )
    doc = json.loads(rendered["json"])
    assert doc["Id"] == "doc"
    assert doc["Statement"] == [
        {"Sid": "keep", "Effect": "Deny", "NotAction": "iam:*", "NotResource": "*"},
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/${aws:username}",
            "Principal": "*",
        },
    ]
    assert rendered["id"].isdigit()


def test_an_invalid_policy_document_invoke_fails_the_program() -> None:
    def program() -> None:
        aws.iam.get_policy_document(statements=[{"effect": "Maybe", "actions": ["s3:*"], "resources": ["*"]}])

    with pytest.raises(Exception) as raised:
        run_program(program, project="test", stack="test")
    error = explain_exception(raised.value, None)
    assert isinstance(error, PreviewError)
    assert 'expected effect to be one of ["Allow" "Deny"], got Maybe' in str(error)


def test_the_region_comes_from_config_provider_and_resource() -> None:
    def program() -> None:
        aws.sqs.Queue("default")
        frankfurt = aws.Provider("frankfurt", region="eu-central-1")
        aws.sqs.Queue("provider", opts=pulumi.ResourceOptions(provider=frankfurt))
        aws.sqs.Queue("own", region="ap-southeast-2")

    _, states = run(program, region="eu-west-2")
    assert state(states, "aws:sqs/queue:Queue", "default")["arn"].startswith("arn:aws:sqs:eu-west-2:")
    assert state(states, "aws:sqs/queue:Queue", "provider")["arn"].startswith("arn:aws:sqs:eu-central-1:")
    assert state(states, "aws:sqs/queue:Queue", "own")["arn"].startswith("arn:aws:sqs:ap-southeast-2:")


# -- isolation and speed ---------------------------------------------------------------------------------


def test_nothing_leaks_between_runs() -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
        aws.iam.Role("fixed", name="fixed-name", assume_role_policy=trust({"Service": "ec2.amazonaws.com"}))
        aws.sqs.Queue("fixed", name="fixed-queue")
        aws.cloudwatch.LogGroup("fixed", name="/fixed")
        aws.kms.Alias("fixed", name="alias/fixed", target_key_id=aws.kms.Key("key").key_id)

    env_before = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_CONFIG_FILE")}
    mocks = PreviewMocks()
    first = run_program(program, project="test", stack="test", mocks=mocks)
    second = run_program(program, project="test", stack="test", mocks=mocks)
    third = run_program(program, project="test", stack="test")
    assert first.rejections == second.rejections == third.rejections == []
    assert first.state == second.state == third.state  # deterministic
    assert MockAWS._nested_count == 0  # moto is stopped after every run
    assert {k: os.environ.get(k) for k in env_before} == env_before


def test_without_a_session_the_hooks_answer_without_moto() -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("outside", vpc_id=vpc.id, cidr_block="10.1.0.0/24")
        aws.kms.Key("key", policy="{")

    class Delegate(pulumi.runtime.Mocks):  # not a PreviewMocks: the engine opens no session
        def __init__(self, inner: PreviewMocks) -> None:
            self.inner = inner

        def new_resource(self, args: Any) -> Any:
            assert MockAWS._nested_count == 0
            return self.inner.new_resource(args)

        def call(self, args: Any) -> Any:
            return self.inner.call(args)

    inner = PreviewMocks()
    run_program(program, project="test", stack="test", mocks=Delegate(inner))
    assert [r.name for r in inner.rejections] == ["key"]  # own checks still apply, moto's need a session


def test_inside_an_outer_moto_mock_moto_is_left_alone() -> None:
    import boto3  # type: ignore[import-untyped]
    from moto import mock_aws

    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("outside", vpc_id=vpc.id, cidr_block="10.1.0.0/24")

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        before = len(ec2.describe_vpcs()["Vpcs"])
        program_run = run_program(program, project="test", stack="test")
        assert MockAWS._nested_count == 1
        assert len(ec2.describe_vpcs()["Vpcs"]) == before
    assert program_run.rejections == []
    assert any("already mocking AWS" in line for line in program_run.logs)


def many_resources() -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    role = aws.iam.Role("role", assume_role_policy=trust({"Service": "ec2.amazonaws.com"}))
    for index in range(25):
        subnet = aws.ec2.Subnet(f"subnet-{index}", vpc_id=vpc.id, cidr_block=f"10.0.{index}.0/24")
        sg = aws.ec2.SecurityGroup(f"sg-{index}", vpc_id=vpc.id)
        aws.vpc.SecurityGroupIngressRule(
            f"in-{index}",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="10.0.0.0/16",
        )
        aws.iam.RolePolicy(
            f"inline-{index}",
            role=role.name,
            policy=policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
        )
        aws.sqs.Queue(f"queue-{index}")
        aws.kms.Key(f"key-{index}") if index % 5 == 0 else aws.ec2.RouteTable(
            f"rt-{index}", vpc_id=vpc.id, tags={"subnet": subnet.id}
        )


def test_a_large_program_is_answered_without_refusals() -> None:
    """~150 AWS resources, moto included, all answered (the time it takes is in the benchmark)."""
    program_run = run_program(many_resources, project="test", stack="test")
    assert len(program_run.records) >= 150
    assert program_run.rejections == []


def test_without_moto_internals_the_answers_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two moto speed-ups patch moto internals when they exist; without them (another moto
    release) every refusal is still found, only slower."""
    import types

    from platform_components.preview import aws as preview_aws

    assert preview_aws._moto_internal(types.SimpleNamespace(f=len), "f") is len
    assert preview_aws._moto_internal(types.SimpleNamespace(f=1), "f") is None
    assert preview_aws._moto_internal(types.SimpleNamespace(), "f") is None

    def program() -> None:
        aws.kms.Key("window", deletion_window_in_days=3)
        aws.kms.Key("fine")

    with_internals = errors_of(preview(program))
    monkeypatch.setattr(preview_aws, "_moto_internal", lambda module, name: None)
    without = errors_of(preview(program))
    assert without == with_internals
    assert [e.split(":")[2] for e in without] == ["Key window"], without


def test_the_clients_share_one_session_and_keep_their_own_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3  # type: ignore[import-untyped]
    from platform_components.preview import aws as offline_aws

    made: list[Any] = []
    real_session = boto3.session.Session

    def counting_session(*args: Any, **kwargs: Any) -> Any:
        made.append(kwargs)
        return real_session(*args, **kwargs)

    monkeypatch.setattr(boto3.session, "Session", counting_session)
    monkeypatch.setattr(offline_aws, "_CLIENTS", {})
    monkeypatch.setattr(offline_aws, "_SESSION", {})
    moto = offline_aws._Moto()
    try:
        sqs = moto.client("sqs", "us-east-1")
        ec2 = moto.client("ec2", "eu-west-1")
        assert moto.client("ec2", "eu-west-1") is ec2
        assert ec2.describe_vpcs()["Vpcs"] is not None  # answered by moto
    finally:
        moto.stop()
    assert len(made) == 1
    assert (sqs.meta.region_name, ec2.meta.region_name) == ("us-east-1", "eu-west-1")
