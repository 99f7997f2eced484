"""Focused tests of the AWS and Karpenter rules (platform_components.policies.aws): the tricky shapes.

The bad/good case of every rule lives in the meta-test registry (test_policies_rules.py); here are the
edge cases: world CIDRs in all spellings, IAM documents as strings with one or many statements, string vs
list values, NotAction, PassRole, IRSA trust conditions, and production protection with and without the
``protect`` resource option (also through the CrossGuard adapter).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest
from platform_components._iam_documents import policy_document, statements
from platform_components.policies import RULES, STACK_RULES, Resource, check, evaluate
from platform_components.policies.aws import is_world
from platform_components.policies.crossguard import build_policies
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

if TYPE_CHECKING:
    from conftest import Kit

ENV = "platform-components.io/environment"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OIDC = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{OIDC}"

CLUSTER = "aws:eks/cluster:Cluster"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
KMS = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
QUEUE = "aws:sqs/queue:Queue"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"

pytestmark = pytest.mark.filterwarnings(
    # these tests use pulumi-aws directly: its import-time deprecation warnings are the SDK's own
    "ignore::DeprecationWarning:pulumi_aws"
)


def doc(*statements: Mapping[str, Any], single: bool = False) -> str:
    body: Any = dict(statements[0]) if single else list(statements)
    return json.dumps({"Version": "2012-10-17", "Statement": body})


def cluster(**changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "vpcConfig": {"endpointPrivateAccess": True, "endpointPublicAccess": False},
        "enabledClusterLogTypes": ["api", "audit", "authenticator"],
        "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY_ARN}},
        "accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False},
        "deletionProtection": False,
        "tags": {ENV: "dev"},
    }
    props.update(changes)
    return props


def launch_template(**changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
        "blockDeviceMappings": [
            {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}
        ],
        "networkInterfaces": [{"associatePublicIpAddress": "false"}],
    }
    props.update(changes)
    return props


def irsa_statement(**changes: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{OIDC}:sub": "system:serviceaccount:team-a:api",
                f"{OIDC}:aud": "sts.amazonaws.com",
            }
        },
    }
    statement.update(changes)
    return statement


def node_class(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "role": "KarpenterNodeRole-core",
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": True, "kmsKeyID": KEY_ARN}}],
    }
    body.update(spec)
    return {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": "default"},
        "spec": body,
    }


def node_pool(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"template": {"spec": {"expireAfter": "720h"}}, "limits": {"cpu": "100"}}
    body.update(spec)
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "general"},
        "spec": body,
    }


def res(type_: str, props: Mapping[str, Any], *, protect: bool = False, name: str = "core") -> Resource:
    return Resource(type_, name, props, urn=f"urn:pulumi:test::platform::{type_}::{name}", protect=protect)


def crd(manifest: Mapping[str, Any]) -> Resource:
    token = f"kubernetes:{manifest['apiVersion']}:{manifest['kind']}"
    return res(token, manifest, name=str(manifest["metadata"]["name"]))


def messages(resource: Resource, rule_id: str) -> list[str]:
    return [v.message for v in check([resource]).violations if v.rule_id == rule_id]


# --- EKS endpoint ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0", "::0/0", " 0.0.0.0/0 ", "0.0.0.0/00"])
def test_world_cidrs_on_a_public_endpoint_are_violations(cidr: str) -> None:
    vpc = {
        "endpointPrivateAccess": True,
        "endpointPublicAccess": True,
        "publicAccessCidrs": ["198.51.100.0/24", cidr],
    }
    (message,) = messages(res(CLUSTER, cluster(vpcConfig=vpc)), "eks-public-cidrs")
    assert message.startswith("Cluster core: vpcConfig.publicAccessCidrs[1] is ")
    assert "set vpcConfig.endpointPublicAccess to false" in message


def test_public_endpoint_is_checked_when_endpoint_public_access_is_absent() -> None:
    """The provider default of endpointPublicAccess is true: absent means public."""
    resource = res(CLUSTER, cluster(vpcConfig={"endpointPrivateAccess": True}))
    (cidrs,) = messages(resource, "eks-public-cidrs")
    assert "vpcConfig.publicAccessCidrs is empty" in cidrs
    (private,) = messages(resource, "eks-endpoint-private")
    assert "vpcConfig.endpointPublicAccess is not false" in private
    assert "recommended: private endpoint only" in private


def test_public_endpoint_with_an_allow_list_passes_both_endpoint_rules() -> None:
    vpc = {
        "endpointPrivateAccess": True,
        "endpointPublicAccess": True,
        "publicAccessCidrs": ["203.0.113.7/32"],
    }
    resource = res(CLUSTER, cluster(vpcConfig=vpc))
    assert messages(resource, "eks-public-cidrs") == []
    assert messages(resource, "eks-endpoint-private") == []


def test_private_endpoint_ignores_public_cidrs() -> None:
    vpc = {"endpointPrivateAccess": True, "endpointPublicAccess": False, "publicAccessCidrs": ["0.0.0.0/0"]}
    assert messages(res(CLUSTER, cluster(vpcConfig=vpc)), "eks-public-cidrs") == []


def test_private_access_must_be_on() -> None:
    (message,) = messages(
        res(CLUSTER, cluster(vpcConfig={"endpointPublicAccess": False})), "eks-endpoint-private"
    )
    assert "vpcConfig.endpointPrivateAccess is not true" in message


@pytest.mark.parametrize(
    ("value", "world"),
    [
        ("0.0.0.0/0", True),
        ("::/0", True),
        ("10.0.0.0/8", False),
        ("0.0.0.0/1", False),
        ("nonsense", False),
        (7, False),
    ],
)
def test_is_world(value: Any, world: bool) -> None:
    assert is_world(value) is world


# --- EKS cluster settings -------------------------------------------------------------------------------


def test_control_plane_logs_name_the_missing_types() -> None:
    (message,) = messages(res(CLUSTER, cluster(enabledClusterLogTypes=["api"])), "eks-control-plane-logs")
    assert "enabledClusterLogTypes lacks audit, authenticator" in message


def test_aws_managed_key_is_not_a_cmk() -> None:
    config = {
        "resources": ["secrets"],
        "provider": {"keyArn": "arn:aws:kms:eu-west-1:123456789012:alias/aws/eks"},
    }
    (message,) = messages(res(CLUSTER, cluster(encryptionConfig=config)), "eks-secrets-kms")
    assert "AWS managed key" in message


def test_access_entries_defaults_are_reported() -> None:
    found = messages(res(CLUSTER, cluster(accessConfig=None)), "eks-access-entries")
    assert len(found) == 2
    assert "accessConfig.authenticationMode is not set" in found[0]
    assert "bootstrapClusterCreatorAdminPermissions is not false" in found[1]


# --- launch templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"httpPutResponseHopLimit": 1}, "metadataOptions.httpTokens is not set"),
        (
            {"httpTokens": "optional", "httpPutResponseHopLimit": 1},
            'metadataOptions.httpTokens is "optional"',
        ),
        ({"httpTokens": "required", "httpPutResponseHopLimit": 2}, "httpPutResponseHopLimit is 2"),
        ({"httpTokens": "required"}, "httpPutResponseHopLimit is not set"),
    ],
)
def test_launch_template_imdsv2(options: dict[str, Any], fragment: str) -> None:
    (message,) = messages(res(LT, launch_template(metadataOptions=options)), "ec2-imdsv2")
    assert fragment in message


def test_launch_template_imdsv2_accepts_a_string_hop_limit_and_a_disabled_endpoint() -> None:
    good = launch_template(metadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": "1"})
    assert messages(res(LT, good), "ec2-imdsv2") == []
    off = launch_template(metadataOptions={"httpEndpoint": "disabled"})
    assert messages(res(LT, off), "ec2-imdsv2") == []


@pytest.mark.parametrize("encrypted", ["true", True, "True"])
def test_launch_template_ebs_accepts_string_and_bool_true(encrypted: Any) -> None:
    mappings = [{"deviceName": "/dev/xvda", "ebs": {"encrypted": encrypted}}]
    assert messages(res(LT, launch_template(blockDeviceMappings=mappings)), "ec2-ebs-encrypted") == []


def test_launch_template_ebs_flags_each_unencrypted_volume_and_skips_instance_store() -> None:
    mappings = [
        {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}},
        {"deviceName": "/dev/xvdb", "ebs": {"volumeSize": 100}},
        {"deviceName": "/dev/sdc", "virtualName": "ephemeral0"},
        {"deviceName": "/dev/xvdd", "ebs": {"encrypted": "false"}},
    ]
    found = messages(res(LT, launch_template(blockDeviceMappings=mappings)), "ec2-ebs-encrypted")
    assert [m.split(": ", 1)[1].split(" ", 1)[0] for m in found] == [
        "blockDeviceMappings[1].ebs.encrypted",
        "blockDeviceMappings[3].ebs.encrypted",
    ]
    (missing,) = messages(res(LT, launch_template(blockDeviceMappings=None)), "ec2-ebs-encrypted")
    assert "blockDeviceMappings is not set" in missing


@pytest.mark.parametrize("public", ["true", True])
def test_launch_template_public_ip(public: Any) -> None:
    interfaces = [{"deviceIndex": 0, "associatePublicIpAddress": public}]
    (message,) = messages(res(LT, launch_template(networkInterfaces=interfaces)), "ec2-private-nodes")
    assert "networkInterfaces[0].associatePublicIpAddress is true" in message


# --- IAM least privilege --------------------------------------------------------------------------------

ADMIN_STRING = {"Effect": "Allow", "Action": "*", "Resource": "*"}
ADMIN_LIST = {"Effect": "Allow", "Action": ["s3:GetObject", "*:*"], "Resource": ["arn:aws:s3:::x", "*"]}
PASS_ROLE = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}


@pytest.mark.parametrize("statement", [ADMIN_STRING, ADMIN_LIST], ids=["string", "list"])
@pytest.mark.parametrize("single", [True, False], ids=["single-object", "list-of-statements"])
def test_admin_statement_as_string_or_list_single_or_many(statement: dict[str, Any], single: bool) -> None:
    (message,) = messages(res(POLICY, {"policy": doc(statement, single=single)}), "iam-least-privilege")
    path = "policy.Statement " if single else "policy.Statement[0] "
    assert message == f'Policy core: {path}allows Action "*" on Resource "*" (full administrator); ' + (
        "list only the actions and resource ARNs the principal needs (CKV_AWS_1, CKV_AWS_62)"
    )


@pytest.mark.parametrize(
    "action", ["iam:PassRole", "IAM:PASSROLE", ["iam:*"], ["iam:Pass*", "ec2:Describe*"], "iam:P?ssRole"]
)
def test_pass_role_on_any_resource(action: Any) -> None:
    statement = {"Effect": "allow", "Action": action, "Resource": "*"}
    (message,) = messages(res(ROLE_POLICY, {"policy": doc(statement)}), "iam-least-privilege")
    assert 'policy.Statement[0] allows iam:PassRole on Resource "*"' in message


def test_pass_role_on_named_roles_and_deny_statements_are_fine() -> None:
    scoped = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": ["arn:aws:iam::123456789012:role/app"]}
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    other = {"Effect": "Allow", "Action": ["iam:GetRole", "s3:*"], "Resource": "*"}
    assert messages(res(POLICY, {"policy": doc(scoped, deny, other)}), "iam-least-privilege") == []


def test_not_action_and_not_resource() -> None:
    not_action = {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    (message,) = messages(res(POLICY, {"policy": doc(not_action)}), "iam-least-privilege")
    assert "allows NotAction on Resource" in message
    not_resource = {"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::1:role/admin"}
    (message,) = messages(res(POLICY, {"policy": doc(not_resource)}), "iam-least-privilege")
    assert "iam:PassRole" in message
    scoped_not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::bucket/*"}
    assert messages(res(POLICY, {"policy": doc(scoped_not_action)}), "iam-least-privilege") == []


def test_one_message_per_statement_even_when_several_problems_overlap() -> None:
    statement = {"Effect": "Allow", "Action": ["*", "iam:PassRole"], "Resource": "*"}
    found = messages(res(POLICY, {"policy": doc(statement, PASS_ROLE)}), "iam-least-privilege")
    assert len(found) == 2
    assert "Statement[0] allows Action" in found[0]
    assert "Statement[1] allows iam:PassRole" in found[1]


def test_role_inline_policies_and_managed_policy_arns() -> None:
    role = {
        "assumeRolePolicy": doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
        "inlinePolicies": [
            {"name": "ok", "policy": doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})},
            {"name": "bad", "policy": doc(PASS_ROLE, single=True)},
        ],
        "managedPolicyArns": [
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/AdministratorAccess",
        ],
    }
    found = messages(res(ROLE, role), "iam-least-privilege")
    assert len(found) == 2
    assert found[0].startswith("Role core: inlinePolicies[1].policy.Statement allows iam:PassRole")
    assert found[1].startswith("Role core: managedPolicyArns[1] attaches AdministratorAccess")


@pytest.mark.parametrize(
    ("arn", "fires"),
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", True),
        ("arn:aws:iam::aws:policy/IAMFullAccess", True),
        ("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", True),
        ("arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", False),
        (
            "arn:aws:iam::123456789012:policy/AdministratorAccess",
            False,
        ),  # a customer policy, judged by its document
        ("[secret]", False),
    ],
)
def test_admin_attachments(arn: str, fires: bool) -> None:
    found = messages(res(ATTACHMENT, {"role": "app", "policyArn": arn}), "iam-least-privilege")
    assert bool(found) is fires


@pytest.mark.parametrize(
    "value",
    [
        None,
        "[secret]",
        "",
        "{not json",
        "[1, 2]",
        "null",
        '{"Statement": "*"}',
        '{"Statement": [null, 1, "x"]}',
        "[" * 5000,
        7,
    ],
)
def test_unreadable_policy_documents_are_not_judged(value: Any) -> None:
    assert messages(res(POLICY, {"policy": value}), "iam-least-privilege") == []


def test_policy_document_parsing() -> None:
    assert policy_document('{"Statement": {"Effect": "Allow"}}') == {"Statement": {"Effect": "Allow"}}
    assert policy_document({"Statement": []}) == {"Statement": []}
    assert policy_document("[secret]") is None
    assert [path for path, _ in statements({"Statement": {"Effect": "Allow"}})] == ["Statement"]
    assert [path for path, _ in statements({"Statement": [{}, None, {}]})] == ["Statement[0]", "Statement[2]"]


# --- IRSA trust -----------------------------------------------------------------------------------------


def trust(*statements: Mapping[str, Any]) -> Resource:
    return res(ROLE, {"assumeRolePolicy": doc(*statements)})


def test_scoped_irsa_trust_passes() -> None:
    assert messages(trust(irsa_statement()), "irsa-trust-scoped") == []


def test_irsa_trust_without_conditions_reports_sub_and_aud() -> None:
    found = messages(trust(irsa_statement(Condition=None)), "irsa-trust-scoped")
    assert len(found) == 2
    assert f'Condition.StringEquals["{OIDC}:sub"]' in found[0]
    assert f'Condition.StringEquals["{OIDC}:aud"]' in found[1]


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {f"{OIDC}:sub": "system:serviceaccount:team-a:*", f"{OIDC}:aud": "sts.amazonaws.com"}},
        {
            "StringEquals": {
                f"{OIDC}:sub": "system:serviceaccount:team-a:*",
                f"{OIDC}:aud": "sts.amazonaws.com",
            }
        },
        {"StringEquals": {f"{OIDC}:aud": "sts.amazonaws.com"}},
        {
            "StringEquals": {
                "oidc.eks.eu-west-1.amazonaws.com/id/OTHER:sub": "system:serviceaccount:team-a:api",
                f"{OIDC}:aud": "sts.amazonaws.com",
            }
        },
    ],
    ids=["string-like", "wildcard-sub", "aud-only", "other-issuer"],
)
def test_irsa_trust_needs_string_equals_on_the_issuer_sub(condition: dict[str, Any]) -> None:
    message, *rest = messages(trust(irsa_statement(Condition=condition)), "irsa-trust-scoped")
    assert f'StringEquals["{OIDC}:sub"] is missing or not a single service account' in message
    assert "system:serviceaccount:<namespace>:<name>" in message
    assert all(":aud" in other for other in rest)  # StringLike also leaves aud unpinned


def test_irsa_trust_audience_must_be_sts() -> None:
    condition = {"StringEquals": {f"{OIDC}:sub": "system:serviceaccount:team-a:api", f"{OIDC}:aud": "other"}}
    (message,) = messages(trust(irsa_statement(Condition=condition)), "irsa-trust-scoped")
    assert ':aud"] is missing or not "sts.amazonaws.com"' in message


def test_non_irsa_trusts_are_ignored() -> None:
    service = {
        "Effect": "Allow",
        "Principal": {"Service": "eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
    }
    github = irsa_statement(
        Principal={
            "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
        },
        Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/repo:*"}},
    )
    assert messages(trust(service, github), "irsa-trust-scoped") == []


# --- security groups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "exposed"),
    [
        ({"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}, "port 22"),
        ({"protocol": "tcp", "fromPort": 3389, "toPort": 3389, "ipv6CidrBlocks": ["::/0"]}, "port 3389"),
        ({"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}, "all ports"),
        ({"protocol": "tcp", "fromPort": 0, "toPort": 65535, "ipv6CidrBlocks": ["::/0"]}, "all ports"),
        ({"protocol": "tcp", "fromPort": 20, "toPort": 3400, "cidrBlocks": ["0.0.0.0/0"]}, "port 22/3389"),
        ({"protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"]}, "unknown ports"),
    ],
)
def test_security_group_world_ingress(rule: dict[str, Any], exposed: str) -> None:
    ok = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}
    (message,) = messages(res(SG, {"ingress": [ok, rule]}), "sg-no-world-ingress")
    assert message.startswith(f"SecurityGroup core: ingress[1] opens {exposed} to ")


@pytest.mark.parametrize(
    "rule",
    [
        {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["10.0.0.0/8"]},
        {"protocol": "icmp", "fromPort": -1, "toPort": -1, "cidrBlocks": ["0.0.0.0/0"]},
        {"protocol": "-1", "fromPort": 0, "toPort": 0, "securityGroups": ["sg-1"]},
    ],
)
def test_security_group_ingress_that_is_fine(rule: dict[str, Any]) -> None:
    assert messages(res(SG, {"ingress": [rule]}), "sg-no-world-ingress") == []


def test_standalone_rules() -> None:
    ssh_v6 = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv6": "::/0"}
    (message,) = messages(res(INGRESS_RULE, ssh_v6), "sg-no-world-ingress")
    assert "cidrIpv4/cidrIpv6 open port 22 to ::/0" in message
    everything = {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"}
    assert messages(res(INGRESS_RULE, everything), "sg-no-world-ingress")
    legacy = {"type": "ingress", "protocol": "all", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}
    assert messages(res(SG_RULE, legacy), "sg-no-world-ingress")
    egress = {**legacy, "type": "egress"}
    assert messages(res(SG_RULE, egress), "sg-no-world-ingress") == []


# --- KMS, SQS, S3 ---------------------------------------------------------------------------------------


def test_kms_policy_safe_flags_each_problem() -> None:
    key = {
        "enableKeyRotation": True,
        "bypassPolicyLockoutSafetyCheck": True,
        "policy": doc(
            {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "kms:*", "Resource": "*"}, single=True
        ),
    }
    found = messages(res(KMS, key), "kms-policy-safe")
    assert [m.split(": ", 1)[1].split(" ", 1)[0] for m in found] == [
        "bypassPolicyLockoutSafetyCheck",
        "description",
        "policy.Statement",
    ]


def test_kms_rotation_skips_keys_that_cannot_rotate() -> None:
    assert messages(res(KMS, {"customerMasterKeySpec": "HMAC_256"}), "kms-rotation") == []
    assert messages(res(KMS, {"customKeyStoreId": "cks-1"}), "kms-rotation") == []
    assert messages(res(KMS, {"customerMasterKeySpec": "SYMMETRIC_DEFAULT"}), "kms-rotation")


@pytest.mark.parametrize(
    ("props", "fires"),
    [
        ({}, True),
        ({"sqsManagedSseEnabled": False}, True),
        ({"sqsManagedSseEnabled": "[secret]"}, True),
        ({"sqsManagedSseEnabled": True}, False),
        ({"kmsMasterKeyId": "alias/app"}, False),
    ],
)
def test_sqs_encryption(props: dict[str, Any], fires: bool) -> None:
    assert bool(messages(res(QUEUE, props), "sqs-encrypted")) is fires


def test_s3_configuration_resources() -> None:
    aes = {"bucket": "state", "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}
    (message,) = messages(res(SSE, aes), "s3-hardened")
    assert 'rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is "AES256"' in message
    kms = {
        "bucket": "state",
        "rules": [
            {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}}
        ],
    }
    assert messages(res(SSE, kms), "s3-hardened") == []
    suspended = {"bucket": "state", "versioningConfiguration": {"status": "Suspended"}}
    assert messages(res(VERSIONING, suspended), "s3-hardened")
    enabled = {"bucket": "state", "versioningConfiguration": {"status": "Enabled"}}
    assert messages(res(VERSIONING, enabled), "s3-hardened") == []


# --- s3-bucket-complete ---------------------------------------------------------------------------------

BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
BUCKET_RULE = next(rule for rule in STACK_RULES if rule.id == "s3-bucket-complete")


def bucket_findings(resources: list[Resource]) -> list[str]:
    return [v.message for v in evaluate(resources, [], [BUCKET_RULE]).violations]


def changed(resource: Resource, **props: Any) -> Resource:
    """``resource`` with ``props`` merged into its props (a value of ``None`` removes the key)."""
    merged = {k: v for k, v in {**resource.props, **props}.items() if v is not None}
    return Resource(
        resource.type,
        resource.name,
        merged,
        urn=resource.urn,
        property_dependencies=resource.property_dependencies,
    )


def test_complete_bucket_is_compliant(kit: Kit) -> None:
    stack = kit.bucket_stack()
    assert bucket_findings(list(stack.values())) == []
    assert [v.message for v in check(list(stack.values())).violations] == []


@pytest.mark.parametrize(
    ("missing", "fragment"),
    [
        ("sse", "no server-side encryption configuration targets this bucket; add an "),
        ("versioning", "no versioning configuration targets this bucket; add an aws.s3.BucketVersioning"),
        ("block", "no public access block targets this bucket; add an aws.s3.BucketPublicAccessBlock"),
    ],
)
def test_each_missing_piece_is_one_violation_on_the_bucket(kit: Kit, missing: str, fragment: str) -> None:
    stack = kit.bucket_stack()
    del stack[missing]
    (violation,) = evaluate(list(stack.values()), [], [BUCKET_RULE]).violations
    assert violation.resource == "Bucket backups"
    assert violation.urn == "urn:pulumi:test::platform::aws:s3/bucket:Bucket::backups"
    assert violation.message.startswith(f"Bucket backups: {fragment}")
    assert "bucket=<this bucket>.id" in violation.message


def test_bare_bucket_gets_three_violations(kit: Kit) -> None:
    assert len(bucket_findings([kit.bucket_stack()["bucket"]])) == 3


def test_sse_s3_encryption_is_not_enough(kit: Kit) -> None:
    stack = kit.bucket_stack()
    stack["sse"] = changed(
        stack["sse"], rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    )
    (message,) = bucket_findings(list(stack.values()))
    assert message == (
        "Bucket backups: its encryption configuration BucketServerSideEncryptionConfiguration backups-encryption "
        'does not use SSE-KMS (rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is "AES256"); set '
        'applyServerSideEncryptionByDefault.sseAlgorithm to "aws:kms" with a customer managed kmsMasterKeyId '
        "(CKV_AWS_145)"
    )


@pytest.mark.parametrize("algorithm", ["aws:kms", "aws:kms:dsse"])
def test_kms_algorithms_count(kit: Kit, algorithm: str) -> None:
    stack = kit.bucket_stack()
    stack["sse"] = changed(
        stack["sse"], rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}}]
    )
    assert bucket_findings(list(stack.values())) == []


def test_empty_encryption_rules_are_weak(kit: Kit) -> None:
    stack = kit.bucket_stack()
    stack["sse"] = changed(stack["sse"], rules=[])
    (message,) = bucket_findings(list(stack.values()))
    assert "does not use SSE-KMS (rules is empty)" in message


@pytest.mark.parametrize(
    "flag", ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]
)
def test_public_access_block_with_one_flag_false(kit: Kit, flag: str) -> None:
    stack = kit.bucket_stack()
    stack["block"] = changed(stack["block"], **{flag: False})
    (message,) = bucket_findings(list(stack.values()))
    assert message == (
        "Bucket backups: its public access block BucketPublicAccessBlock backups-public-access-block leaves "
        f"{flag} not true; set all four flags to true (CKV_AWS_53-56)"
    )


@pytest.mark.parametrize("status", ["Suspended", "Disabled", None])
def test_versioning_not_enabled(kit: Kit, status: str | None) -> None:
    stack = kit.bucket_stack()
    stack["versioning"] = changed(
        stack["versioning"], versioningConfiguration={"status": status} if status else None
    )
    (message,) = bucket_findings(list(stack.values()))
    assert message.startswith(
        "Bucket backups: its versioning configuration BucketVersioning backups-versioning "
    )
    assert 'set it to "Enabled"' in message


def test_configuration_of_another_bucket_does_not_count(kit: Kit) -> None:
    """Two auto-named buckets: only the property dependency tells whose configuration is whose."""
    mine, theirs = kit.bucket_stack("backups"), kit.bucket_stack("logs")
    resources = [mine["bucket"], mine["sse"], mine["block"], *theirs.values()]
    (violation,) = evaluate(resources, [], [BUCKET_RULE]).violations
    assert violation.resource == "Bucket backups"
    assert "no versioning configuration" in violation.message


def test_property_dependency_wins_over_an_equal_name(kit: Kit) -> None:
    """A configuration that depends through ``bucket`` on another resource is not this bucket's, even if
    the names happen to be equal."""
    stack = kit.bucket_stack()
    stack["bucket"] = changed(stack["bucket"], bucket="backups-1a2b3c4")
    stack["versioning"] = Resource(
        VERSIONING,
        "elsewhere",
        stack["versioning"].props,
        urn="urn:pulumi:test::platform::aws:s3/bucketVersioning:BucketVersioning::elsewhere",
        property_dependencies={"bucket": ["urn:pulumi:test::platform::aws:s3/bucket:Bucket::other"]},
    )
    (message,) = bucket_findings(list(stack.values()))
    assert "no versioning configuration" in message


def test_literal_bucket_names_match_without_dependencies() -> None:
    """Fallback: no property dependency on ``bucket``; a literal name equal to the bucket's counts."""
    flags = dict.fromkeys(
        ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True
    )
    kms = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}}]
    resources = [
        res(BUCKET_V2, {"bucket": "acme-backups"}, name="backups"),
        res(SSE_V2, {"bucket": "acme-backups", "rules": kms}, name="sse"),
        res(
            VERSIONING_V2,
            {"bucket": "acme-backups", "versioningConfiguration": {"status": "Enabled"}},
            name="v",
        ),
        Resource(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "block",
            {"bucket": "acme-backups", **flags},
            property_dependencies={"bucket": []},  # a literal value: no dependency
        ),
    ]
    assert bucket_findings(resources) == []
    resources[2] = res(
        VERSIONING_V2, {"bucket": "acme-logs", "versioningConfiguration": {"status": "Enabled"}}
    )
    (message,) = bucket_findings(resources)
    assert message.startswith("BucketV2 backups: no versioning configuration targets this bucket")


@pytest.mark.parametrize("name", [None, "", "[secret]", "[unknown]", 7, ["acme-backups"]])
def test_unmatched_or_odd_bucket_names_never_match(name: Any) -> None:
    bucket = res(BUCKET_V2, {"bucket": name} if name is not None else {}, name="backups")
    versioning = res(VERSIONING_V2, {"bucket": name, "versioningConfiguration": {"status": "Enabled"}})
    assert len(bucket_findings([bucket, versioning])) == 3


def test_unknown_preview_values_are_never_read_when_dependencies_match(kit: Kit) -> None:
    """Under CrossGuard a preview's unknown values raise when read; matching by property dependency reads
    neither the bucket's name nor the configurations' ``bucket``."""
    stack = kit.bucket_stack()
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi_policy's UNKNOWN_STRING_VALUE
    resources = [
        Resource(
            r.type,
            r.name,
            unknown_checking_proxy({**r.props, "bucket": unknown}),
            urn=r.urn,
            property_dependencies=r.property_dependencies,
        )
        for r in stack.values()
    ]
    assert bucket_findings(resources) == []


def test_bucket_rule_under_crossguard_uses_property_dependencies(kit: Kit) -> None:
    """The stack policy turns ``PolicyResource.property_dependencies`` (resources) into URNs."""
    policy = next(p for p in build_policies() if p.name == "s3-bucket-complete")
    assert isinstance(policy, StackValidationPolicy)
    stack = kit.bucket_stack()
    options = PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )
    bucket = stack["bucket"]
    bucket_item = PolicyResource(
        bucket.type, bucket.props, bucket.urn, bucket.name, options, None, None, [], {}
    )
    items = [bucket_item] + [
        PolicyResource(
            r.type, r.props, r.urn, r.name, options, None, None, [bucket_item], {"bucket": [bucket_item]}
        )
        for key, r in stack.items()
        if key != "bucket"
    ]
    reported: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    policy.validate(StackValidationArgs(resources=items), report)
    assert reported == []
    without_deps = [bucket_item] + [
        PolicyResource(r.type, r.props, r.urn, r.name, options, None, None, [], {})
        for key, r in stack.items()
        if key != "bucket"
    ]
    policy.validate(StackValidationArgs(resources=without_deps), report)
    assert len(reported) == 3
    assert {urn for _, urn in reported} == {bucket.urn}


def backup_bucket_program(*, versioning: bool = True) -> Callable[[], None]:
    """A Pulumi program: an auto-named bucket configured through ``bucket=bucket.id``."""

    def program() -> None:
        import pulumi_aws as aws

        bucket = aws.s3.Bucket("backups")
        if versioning:
            aws.s3.BucketVersioning(
                "backups", bucket=bucket.id, versioning_configuration={"status": "Enabled"}
            )
        aws.s3.BucketServerSideEncryptionConfiguration(
            "backups",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": KEY_ARN,
                    },
                    "bucket_key_enabled": True,
                }
            ],
        )
        aws.s3.BucketPublicAccessBlock(
            "backups",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )

    return program


def test_offline_preview_matches_configurations_by_property_dependency() -> None:
    """End to end: the engine records ``bucket=bucket.id`` as a property dependency on the bucket's URN,
    and the rule matches by it (the bucket has no ``bucket`` input: its name is generated)."""
    from platform_components.testing import preview_function

    result = preview_function(backup_bucket_program())
    bucket = result.resource("aws:s3/bucket:Bucket", "backups")
    assert "bucket" not in bucket.inputs
    versioning = result.resource("aws:s3/bucketVersioning:BucketVersioning", "backups")
    assert versioning.property_dependencies["bucket"] == [bucket.urn]
    assert versioning.as_dict()["propertyDependencies"] == {"bucket": [bucket.urn]}
    assert "versioningConfiguration" not in versioning.property_dependencies  # a literal: no dependency
    assert result.clean, result.problems()
    assert result.rule_ids() == set()


def test_offline_preview_reports_the_missing_versioning() -> None:
    from platform_components.testing import preview_function

    result = preview_function(backup_bucket_program(versioning=False))
    (violation,) = result.violations
    assert violation.rule_id == "s3-bucket-complete"
    assert violation.urn == "urn:pulumi:test::test::aws:s3/bucket:Bucket::backups"
    assert violation.message.startswith("Bucket backups: no versioning configuration targets this bucket")


def test_resource_keeps_property_dependencies_read_only() -> None:
    resource = Resource("t", "n", {}, property_dependencies={"bucket": ["urn:a", "urn:b"], "name": "urn:c"})
    assert dict(resource.property_dependencies) == {"bucket": ("urn:a", "urn:b"), "name": ("urn:c",)}
    assert resource.depends_on("bucket", "urn:b")
    assert not resource.depends_on("bucket", "urn:c")
    assert not resource.depends_on("bucket", "")
    with pytest.raises(TypeError):
        resource.property_dependencies["x"] = ("urn:d",)  # type: ignore[index]
    assert Resource("t", "n", {}).property_dependencies == {}


# --- production protection ------------------------------------------------------------------------------

PROD_TAGS = {ENV: "prod", "team": "platform"}


def test_prod_cluster_without_protect_or_deletion_protection() -> None:
    found = messages(res(CLUSTER, cluster(tags=PROD_TAGS)), "prod-deletion-protection")
    assert len(found) == 2
    assert "the protect resource option is not set" in found[0]
    assert "ResourceOptions(protect=True)" in found[0]
    assert found[1].startswith("Cluster core: deletionProtection is not true")


def test_prod_cluster_with_protect_but_without_deletion_protection() -> None:
    (message,) = messages(res(CLUSTER, cluster(tags=PROD_TAGS), protect=True), "prod-deletion-protection")
    assert "deletionProtection is not true" in message


def test_prod_cluster_fully_protected() -> None:
    resource = res(CLUSTER, cluster(tags=PROD_TAGS, deletionProtection=True), protect=True)
    assert messages(resource, "prod-deletion-protection") == []


@pytest.mark.parametrize("type_", [KMS, LOG_GROUP])
@pytest.mark.parametrize("protect", [True, False])
def test_prod_key_and_log_group_need_protect(type_: str, protect: bool) -> None:
    props = {"description": "x", "enableKeyRotation": True, "tags": PROD_TAGS}
    found = messages(res(type_, props, protect=protect), "prod-deletion-protection")
    assert len(found) == (0 if protect else 1)


@pytest.mark.parametrize("tags", [{ENV: "dev"}, {}, None, "[secret]", {ENV: None}, {"environment": "prod"}])
def test_non_prod_resources_need_no_protection(tags: Any) -> None:
    assert messages(res(CLUSTER, cluster(tags=tags)), "prod-deletion-protection") == []


def crossguard_args(resource: Resource, *, protect: bool) -> ResourceValidationArgs:
    options = PolicyResourceOptions(
        protect=protect,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )
    return ResourceValidationArgs(resource.type, resource.props, resource.urn, resource.name, options, None)


@pytest.mark.parametrize("protect", [True, False])
def test_prod_protection_under_crossguard_reads_opts_protect(protect: bool) -> None:
    policy = next(p for p in build_policies() if p.name == "prod-deletion-protection")
    assert isinstance(policy, ResourceValidationPolicy)
    resource = res(KMS, {"description": "x", "tags": PROD_TAGS})
    reported: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    policy.validate(crossguard_args(resource, protect=protect), report)
    if protect:
        assert reported == []
    else:
        ((message, urn),) = reported
        assert message.startswith(
            'Key core: tags["platform-components.io/environment"] is "prod" but the protect'
        )
        assert urn == resource.urn


# --- Karpenter ------------------------------------------------------------------------------------------


def test_node_class_metadata_defaults_are_compliant() -> None:
    """The v1 CRD defaults metadataOptions to httpTokens required and hop limit 1."""
    assert messages(crd(node_class()), "karp-nodeclass-imdsv2") == []
    assert (
        messages(crd(node_class(metadataOptions={"httpEndpoint": "enabled"})), "karp-nodeclass-imdsv2") == []
    )


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"httpTokens": "optional"}, 'spec.metadataOptions.httpTokens is "optional"'),
        ({"httpTokens": "required", "httpPutResponseHopLimit": 2}, "httpPutResponseHopLimit is 2"),
        ("[secret]", "spec.metadataOptions is"),
    ],
)
def test_node_class_imdsv2(options: Any, fragment: str) -> None:
    (message,) = messages(crd(node_class(metadataOptions=options)), "karp-nodeclass-imdsv2")
    assert message.startswith("EC2NodeClass default: ")
    assert fragment in message


def test_node_class_ebs() -> None:
    (missing,) = messages(crd(node_class(blockDeviceMappings=[])), "karp-nodeclass-ebs-encrypted")
    assert "spec.blockDeviceMappings is not set" in missing
    mappings = [
        {"deviceName": "/dev/xvda", "ebs": {"encrypted": True}},
        {"deviceName": "/dev/xvdb", "ebs": {"volumeSize": "100Gi"}},
    ]
    (message,) = messages(crd(node_class(blockDeviceMappings=mappings)), "karp-nodeclass-ebs-encrypted")
    assert "spec.blockDeviceMappings[1].ebs.encrypted is not true" in message


@pytest.mark.parametrize(
    ("limits", "fires"),
    [
        ({"cpu": "64"}, False),
        ({"memory": "256Gi"}, False),
        ({"nvidia.com/gpu": "8"}, True),
        ({}, True),
        (None, True),
    ],
)
def test_node_pool_limits(limits: Any, fires: bool) -> None:
    assert bool(messages(crd(node_pool(limits=limits)), "karp-nodepool-limits")) is fires


@pytest.mark.parametrize(
    ("expire", "fires"), [("720h", False), ("Never", True), (None, True), ("", True), (720, True)]
)
def test_node_pool_expire(expire: Any, fires: bool) -> None:
    assert (
        bool(messages(crd(node_pool(template={"spec": {"expireAfter": expire}})), "karp-nodepool-expire"))
        is fires
    )


# --- robustness -----------------------------------------------------------------------------------------

ODD_VALUES: list[Any] = [None, "[secret]", [None, "[secret]", 1], {"[secret]": None}, 7, True]


def samples() -> list[Resource]:
    role = {
        "assumeRolePolicy": doc(irsa_statement()),
        "inlinePolicies": [{"name": "x", "policy": doc(PASS_ROLE)}],
        "managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    }
    return [
        res(CLUSTER, cluster(tags=PROD_TAGS)),
        res(LT, launch_template()),
        res(
            "aws:eks/nodeGroup:NodeGroup",
            {"remoteAccess": {"ec2SshKey": "k", "sourceSecurityGroupIds": ["sg-1"]}},
        ),
        res(KMS, {"description": "x", "policy": doc(ADMIN_STRING), "tags": PROD_TAGS}),
        res(ROLE, role),
        res(
            SG, {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]}
        ),
        res(INGRESS_RULE, {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0"}),
        res(SSE, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]}),
        crd(node_class(metadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": 1})),
        crd(node_pool()),
    ]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


def test_odd_value_at_every_path_of_every_aws_sample_never_raises() -> None:
    runs = 0
    for sample in samples():
        for path in list(paths(sample.props)):
            for value in ODD_VALUES:
                props = copy.deepcopy(dict(sample.props))
                target: Any = props
                for part in path[:-1]:
                    target = target[part]
                target[path[-1]] = value
                evaluate([res(sample.type, props, protect=sample.protect)], RULES)
                runs += 1
    assert runs > 500


def test_aws_rules_only_see_their_types() -> None:
    """A Kubernetes object never reaches an AWS rule, and an AWS resource never reaches a pod rule."""
    assert (
        evaluate(
            [res("aws:ec2/vpc:Vpc", cluster(vpcConfig={"endpointPublicAccess": True}))], RULES
        ).violations
        == []
    )
