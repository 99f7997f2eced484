"""EKS, EC2, KMS, SQS, IAM, VPC and S3 rules over Pulumi ``aws:*`` props, plus Karpenter CRD rules.

One of them is a stack rule: ``s3-bucket-complete`` checks that every bucket *has* its SSE-KMS
encryption, versioning and public access block resources (``s3-hardened`` judges those resources
themselves, wherever they point).

Rules from policy-anchors §1L (AWS) and §1K (Karpenter). Props are the engine's camelCase inputs
(``vpcConfig.endpointPublicAccess``, ``metadataOptions.httpTokens``); names were taken from
``pulumi_aws`` 7.x (``<module>/<resource>.py`` and ``_inputs.py``). Karpenter objects are manifests
(``apiVersion``/``kind``/``metadata``/``spec``) registered as ``kubernetes:<apiVersion>:<kind>``.

Shapes worth knowing:

* ``aws:ec2/launchTemplate`` types ``blockDeviceMappings[*].ebs.encrypted`` and
  ``networkInterfaces[*].associatePublicIpAddress`` as **strings** (``"true"``); both spellings count.
* IAM and KMS policy documents are JSON **strings**. Unparsable documents (``"[secret]"``, a template
  that did not render) are not judged: AWS rejects invalid JSON anyway. ``Statement`` may be a single
  object or a list; ``Action``/``Resource``/``Principal`` values may be a string or a list.
* Karpenter v1 defaults ``EC2NodeClass.spec.metadataOptions`` (and each of its fields) to
  ``httpTokens: required`` and ``httpPutResponseHopLimit: 1`` in the CRD schema, so an absent field is
  compliant there; a launch template has no such default (the EC2 default is ``optional`` and account-level
  IMDS defaults may raise the hop limit), so both fields must be explicit.
* A bucket's configuration resources are matched to it by **property dependency**: their ``bucket``
  prop came from the bucket's URN (``bucket=bucket.id``), which is all a preview knows of an auto-named
  bucket (:attr:`~platform_components.policies.base.Resource.property_dependencies`). Only without such a
  dependency does a literal ``bucket`` name equal to the bucket's ``bucket`` prop count. The inline
  ``serverSideEncryptionConfiguration``/``versioning`` blocks of ``aws:s3/bucket`` (deprecated in
  ``pulumi_aws`` 7) do not count.
* Production resources are marked by the tag ``platform-components.io/environment: prod``
  (:data:`platform_components.kube.labels.ENVIRONMENT`); the Pulumi ``protect`` option is
  :attr:`~platform_components.policies.base.Resource.protect`.

Deliberately **not** implemented here:

* ``eks-supported-version``: a list of supported versions goes stale (checkov's did); the cluster
  component pins the version instead.
* ``ecr-hardened`` (immutable tags, scan on push, KMS): the library creates no ECR repository, so
  there is nothing of its own to judge yet.
* S3 server access logging: ``s3-bucket-complete`` does not require it (a log bucket would need a log
  bucket of its own); CloudTrail data events are the better record of object access.
* ``ec2-private-nodes`` for subnets (``mapPublicIpOnLaunch``): a policy cannot tell node subnets from
  public load-balancer subnets.
* ``aws:ec2/instance:Instance``: instances may inherit everything from a launch template, so judging
  their own props would report false positives.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from platform_components._iam_documents import matches_action, policy_document, statements
from platform_components.kube.labels import ENVIRONMENT
from platform_components.policies._pod import (
    as_int,
    as_list,
    as_map,
    dig,
    dig_map,
    is_false,
    is_set,
    is_true,
    maps,
    show,
    strings,
    text,
)
from platform_components.policies.base import (
    CelCheck,
    Enforcement,
    Resource,
    ResourceCheck,
    Rule,
    Severity,
    StackRule,
)

M, A = Enforcement.MANDATORY, Enforcement.ADVISORY

# --- type tokens ---------------------------------------------------------------------------------------

EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
KMS_KEY = "aws:kms/key:Key"
SQS_QUEUE = "aws:sqs/queue:Queue"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
IAM_POLICY = "aws:iam/policy:Policy"
IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy"
IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
IAM_GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
IAM_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
S3_SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
EC2_NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"

#: Resources whose ``policy`` prop is an identity-based policy document.
POLICY_DOCUMENT_TYPES = frozenset({IAM_POLICY, IAM_ROLE_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY})
#: Resources whose ``policyArn`` prop attaches a managed policy.
ATTACHMENT_TYPES = frozenset(
    {
        IAM_ROLE_POLICY_ATTACHMENT,
        IAM_USER_POLICY_ATTACHMENT,
        IAM_GROUP_POLICY_ATTACHMENT,
        IAM_POLICY_ATTACHMENT,
    }
)
IAM_TYPES = POLICY_DOCUMENT_TYPES | ATTACHMENT_TYPES | {IAM_ROLE}
SG_TYPES = frozenset({SECURITY_GROUP, SECURITY_GROUP_RULE, SG_INGRESS_RULE})
S3_TYPES = frozenset({S3_PUBLIC_ACCESS_BLOCK, S3_SSE, S3_SSE_V2, S3_VERSIONING, S3_VERSIONING_V2})
S3_BUCKET_TYPES = frozenset({S3_BUCKET, S3_BUCKET_V2})
PROD_PROTECTED_TYPES = frozenset({EKS_CLUSTER, KMS_KEY, LOG_GROUP})

# --- constants -----------------------------------------------------------------------------------------

#: The control-plane log types the project requires (controllerManager and scheduler are optional).
REQUIRED_LOG_TYPES = ("api", "audit", "authenticator")
ACCESS_ENTRY_MODES = frozenset({"API", "API_AND_CONFIG_MAP"})
#: AWS managed policies that grant (or let a principal grant itself) administrator access.
ADMIN_POLICY = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|IAMFullAccess)$")
ADMIN_ACTIONS = frozenset({"*", "*:*"})
PASS_ROLE = "iam:passrole"
WEB_IDENTITY = "sts:assumerolewithwebidentity"
STS_AUDIENCE = "sts.amazonaws.com"
SERVICE_ACCOUNT_SUB = re.compile(r"^system:serviceaccount:[^:*?]+:[^:*?]+$")
#: Ports that must never be reachable from the whole internet (SSH, RDP).
ADMIN_PORTS = (22, 3389)
ALL_PROTOCOLS = frozenset({"-1", "all"})
ICMP_PROTOCOLS = frozenset({"icmp", "1", "icmpv6", "58"})
S3_KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
#: What secret and not-yet-known values look like in the offline engine's props.
PLACEHOLDERS = frozenset({"[secret]", "[unknown]"})
S3_BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PROD = "prod"


def _rule(
    rule_id: str,
    severity: Severity,
    enforcement: Enforcement,
    types: frozenset[str],
    description: str,
    check: ResourceCheck,
    *,
    cel: tuple[CelCheck, ...] = (),
    preview_only: str = "",
    fix: str,
) -> Rule:
    return Rule(
        rule_id, description, severity, enforcement, types, check, cel=cel, preview_only=preview_only, fix=fix
    )


# --- helpers -------------------------------------------------------------------------------------------


def first_map(value: Any) -> Mapping[str, Any]:
    """A nested block that is a mapping (pulumi_aws 7) or a one-item list of one (older shapes)."""
    if isinstance(value, Mapping):
        return value
    for _, item in maps(value):
        return item
    return {}


def is_world(cidr: Any) -> bool:
    """``0.0.0.0/0``, ``::/0`` or any other spelling of a prefix of length zero."""
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def is_allow(statement: Mapping[str, Any]) -> bool:
    return text(statement.get("Effect")).strip().lower() == "allow"


def lowered(value: Any) -> list[str]:
    """The strings of a string-or-list IAM value, stripped and lower-cased (actions are case-insensitive)."""
    return [item.strip().lower() for item in strings(value)]


def principals(value: Any, key: str) -> list[str]:
    """Principal strings of ``key`` (``AWS``, ``Federated``, ...); a bare ``"*"`` principal counts for all."""
    if isinstance(value, str):
        return [value]
    return strings(dig(value, key))


def environment(resource: Resource) -> str:
    return text(as_map(resource.props.get("tags")).get(ENVIRONMENT)).strip().lower()


# --- EKS -----------------------------------------------------------------------------------------------


def _is_public(vpc: Mapping[str, Any]) -> bool:
    """The public endpoint is on unless ``endpointPublicAccess`` is false (the provider default is true)."""
    return not is_false(vpc.get("endpointPublicAccess"))


def _endpoint_private(resource: Resource) -> Iterator[str]:
    vpc = first_map(resource.props.get("vpcConfig"))
    if not is_true(vpc.get("endpointPrivateAccess")):
        yield (
            "vpcConfig.endpointPrivateAccess is not true (the provider default is false); set it to true so "
            "nodes and in-VPC tooling reach the API server privately (CIS EKS 5.4.2)"
        )
    if _is_public(vpc) and not strings(vpc.get("publicAccessCidrs")):
        yield (
            "vpcConfig.endpointPublicAccess is not false (the provider default is true) and "
            "vpcConfig.publicAccessCidrs is empty; set endpointPublicAccess to false (recommended: private "
            "endpoint only, CIS EKS 5.4.2) or, if a public endpoint is needed, restrict it with "
            "publicAccessCidrs to your admin ranges"
        )


def _public_cidrs(resource: Resource) -> Iterator[str]:
    vpc = first_map(resource.props.get("vpcConfig"))
    if not _is_public(vpc):
        return
    cidrs = strings(vpc.get("publicAccessCidrs"))
    if not cidrs:
        yield (
            "vpcConfig.publicAccessCidrs is empty on a public endpoint, so EKS opens it to 0.0.0.0/0; list "
            "your admin CIDR ranges or set vpcConfig.endpointPublicAccess to false"
        )
        return
    for index, cidr in enumerate(cidrs):
        if is_world(cidr):
            yield (
                f'vpcConfig.publicAccessCidrs[{index}] is "{cidr}", which opens the public endpoint to the '
                "whole internet; replace it with your admin CIDR ranges or set "
                "vpcConfig.endpointPublicAccess to false"
            )


def _secrets_kms(resource: Resource) -> Iterator[str]:
    config = first_map(resource.props.get("encryptionConfig"))
    if "secrets" not in strings(config.get("resources")):
        yield (
            'encryptionConfig.resources does not contain "secrets"; set encryptionConfig to '
            '{resources: ["secrets"], provider: {keyArn: <customer managed KMS key ARN>}} (CIS EKS 5.3.1)'
        )
    key_arn = dig(first_map(config.get("provider")), "keyArn")
    if not is_set(key_arn) or not isinstance(key_arn, str):
        yield (
            "encryptionConfig.provider.keyArn is not set; point it at a customer managed KMS key with "
            "rotation enabled"
        )
    elif "alias/aws/" in key_arn:
        yield (
            f"encryptionConfig.provider.keyArn {show(key_arn)} is an AWS managed key; use a customer managed "
            "KMS key (CMK) you control"
        )


def _control_plane_logs(resource: Resource) -> Iterator[str]:
    enabled = set(strings(resource.props.get("enabledClusterLogTypes")))
    missing = [log_type for log_type in REQUIRED_LOG_TYPES if log_type not in enabled]
    if missing:
        yield (
            f"enabledClusterLogTypes lacks {', '.join(missing)}; enable at least "
            f"{', '.join(REQUIRED_LOG_TYPES)} (controllerManager and scheduler are optional) (CIS EKS 2.1.1)"
        )


def _access_entries(resource: Resource) -> Iterator[str]:
    access = first_map(resource.props.get("accessConfig"))
    mode = access.get("authenticationMode")
    if not (isinstance(mode, str) and mode in ACCESS_ENTRY_MODES):
        shown = show(mode) if mode is not None else "not set (the default is CONFIG_MAP)"
        yield (
            f"accessConfig.authenticationMode is {shown}; set it to API (or API_AND_CONFIG_MAP while "
            "migrating) and grant access with aws:eks/accessEntry instead of the aws-auth ConfigMap "
            "(CIS EKS 4.1.7)"
        )
    if not is_false(access.get("bootstrapClusterCreatorAdminPermissions")):
        yield (
            "accessConfig.bootstrapClusterCreatorAdminPermissions is not false (the default is true); set it "
            "to false and grant cluster admins explicitly through access entries"
        )


def _nodegroup_ssh(resource: Resource) -> Iterator[str]:
    remote = first_map(resource.props.get("remoteAccess"))
    if is_set(remote.get("ec2SshKey")) and not strings(remote.get("sourceSecurityGroupIds")):
        yield (
            "remoteAccess.ec2SshKey is set without remoteAccess.sourceSecurityGroupIds, which opens port 22 "
            "to 0.0.0.0/0; remove remoteAccess (use SSM Session Manager) or list the source security groups"
        )


# --- EC2 launch templates ------------------------------------------------------------------------------


def _launch_template_imdsv2(resource: Resource) -> Iterator[str]:
    options = first_map(resource.props.get("metadataOptions"))
    if text(options.get("httpEndpoint")).strip().lower() == "disabled":
        return
    tokens = options.get("httpTokens")
    if tokens != "required":
        shown = show(tokens) if tokens is not None else "not set (the EC2 default is optional)"
        yield (
            f'metadataOptions.httpTokens is {shown}; set it to "required" so only IMDSv2 answers '
            "(CKV_AWS_79; EKS BPG: restrict access to the instance profile)"
        )
    hops = options.get("httpPutResponseHopLimit")
    if as_int(hops) != 1:
        shown = show(hops) if hops is not None else "not set (account-level IMDS defaults may raise it)"
        yield (
            f"metadataOptions.httpPutResponseHopLimit is {shown}; set it to 1 so pods cannot reach the node "
            "role's credentials (CKV_AWS_341)"
        )


def _launch_template_ebs(resource: Resource) -> Iterator[str]:
    mappings = list(maps(resource.props.get("blockDeviceMappings")))
    if not mappings:
        yield (
            "blockDeviceMappings is not set, so the AMI's (possibly unencrypted) volumes are used; declare "
            'the root volume with ebs.encrypted "true" and ebs.kmsKeyId'
        )
        return
    for index, mapping in mappings:
        ebs = mapping.get("ebs")
        if ebs is None and (is_set(mapping.get("virtualName")) or is_set(mapping.get("noDevice"))):
            continue  # instance store or a suppressed device: no EBS volume
        if not is_true(dig(ebs, "encrypted")):
            yield (
                f'blockDeviceMappings[{index}].ebs.encrypted is not true; set it to "true" (and ebs.kmsKeyId '
                "to a customer managed key) (CKV_AWS_8)"
            )


def _launch_template_private(resource: Resource) -> Iterator[str]:
    for index, interface in maps(resource.props.get("networkInterfaces")):
        if is_true(interface.get("associatePublicIpAddress")):
            yield (
                f'networkInterfaces[{index}].associatePublicIpAddress is true; set it to "false" and run '
                "nodes in private subnets behind a NAT gateway (CIS EKS 5.4.3)"
            )


# --- KMS, SQS ------------------------------------------------------------------------------------------


def _kms_rotation(resource: Resource) -> Iterator[str]:
    props = resource.props
    spec = props.get("customerMasterKeySpec")
    if isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT":
        return  # asymmetric and HMAC keys cannot rotate automatically
    if is_set(props.get("customKeyStoreId")):
        return  # keys in a custom key store cannot rotate automatically
    if not is_true(props.get("enableKeyRotation")):
        yield "enableKeyRotation is not true; set it to true so KMS rotates the key material yearly (CKV_AWS_7)"


def _world_principal(principal: Any) -> bool:
    return "*" in [p.strip() for p in principals(principal, "AWS")]


def _kms_policy(resource: Resource) -> Iterator[str]:
    props = resource.props
    if is_true(props.get("bypassPolicyLockoutSafetyCheck")):
        yield (
            "bypassPolicyLockoutSafetyCheck is true, which can make the key unmanageable; remove it "
            "(compliance-policies disallowBypassPolicyLockoutSafetyCheck)"
        )
    if not is_set(props.get("description")):
        yield "description is not set; describe what the key protects so it can be audited (compliance-policies)"
    document = policy_document(props.get("policy"))
    if document is None:
        return
    for path, statement in statements(document):
        if (
            is_allow(statement)
            and _world_principal(statement.get("Principal"))
            and not is_set(statement.get("Condition"))
        ):
            yield (
                f'policy.{path} allows Principal "*" without a Condition; name the account or role ARNs, or '
                "add a Condition such as kms:CallerAccount (CKV_AWS_33)"
            )


def _sqs_encrypted(resource: Resource) -> Iterator[str]:
    props = resource.props
    if is_true(props.get("sqsManagedSseEnabled")) or is_set(props.get("kmsMasterKeyId")):
        return
    yield (
        "neither sqsManagedSseEnabled is true nor kmsMasterKeyId is set; set kmsMasterKeyId to a customer "
        "managed KMS key (or sqsManagedSseEnabled to true) so messages are encrypted at rest"
    )


# --- IAM -----------------------------------------------------------------------------------------------


def _wide_resource(statement: Mapping[str, Any]) -> bool:
    """``Resource`` contains ``"*"``, or ``NotResource`` is used (everything except a list)."""
    return "*" in lowered(statement.get("Resource")) or is_set(statement.get("NotResource"))


def statement_problems(path: str, statement: Mapping[str, Any]) -> Iterator[str]:
    """Least-privilege problems of one statement (reported once each: admin > NotAction > PassRole)."""
    if not is_allow(statement) or not _wide_resource(statement):
        return
    actions = lowered(statement.get("Action"))
    if ADMIN_ACTIONS.intersection(actions):
        yield (
            f'{path} allows Action "*" on Resource "*" (full administrator); list only the actions and '
            "resource ARNs the principal needs (CKV_AWS_1, CKV_AWS_62)"
        )
    elif is_set(statement.get("NotAction")):
        yield (
            f'{path} allows NotAction on Resource "*", which grants every other action; use Action with an '
            "explicit list instead (CKV_AWS_1)"
        )
    elif matches_action(actions, PASS_ROLE):
        yield (
            f'{path} allows iam:PassRole on Resource "*", which lets the principal hand any role (including '
            "admin roles) to a service; restrict Resource to the role ARNs it must pass (CKV_AWS_286)"
        )


def document_problems(prefix: str, value: Any) -> Iterator[str]:
    document = policy_document(value)
    if document is None:
        return
    for path, statement in statements(document):
        yield from statement_problems(f"{prefix}.{path}", statement)


def _admin_attachment(field_path: str, arn: Any) -> Iterator[str]:
    if isinstance(arn, str) and ADMIN_POLICY.match(arn.strip()):
        yield (
            f"{field_path} attaches {arn.strip().rsplit('/', 1)[-1]}; attach a policy scoped to the actions "
            "and resources the principal needs (CKV_AWS_274)"
        )


def _least_privilege(resource: Resource) -> Iterator[str]:
    props = resource.props
    if resource.type in POLICY_DOCUMENT_TYPES:
        yield from document_problems("policy", props.get("policy"))
    elif resource.type in ATTACHMENT_TYPES:
        yield from _admin_attachment("policyArn", props.get("policyArn"))
    elif resource.type == IAM_ROLE:
        for index, inline in maps(props.get("inlinePolicies")):
            yield from document_problems(f"inlinePolicies[{index}].policy", inline.get("policy"))
        for index, arn in enumerate(as_list(props.get("managedPolicyArns"))):
            yield from _admin_attachment(f"managedPolicyArns[{index}]", arn)


def _condition_values(condition: Any, operator: str, key_suffix: str, issuer: str | None) -> list[str] | None:
    """Values of ``Condition[operator][<issuer>:<suffix>]`` (any issuer when unknown), or ``None``."""
    block = as_map(as_map(condition).get(operator))
    for key, value in block.items():
        if not isinstance(key, str):
            continue
        matches = (key == f"{issuer}:{key_suffix}") if issuer else key.endswith(f":{key_suffix}")
        if matches:
            return strings(value)
    return None


def _irsa_issuer(federated: list[str]) -> str | None:
    for arn in federated:
        if "oidc-provider/" in arn:
            return arn.split("oidc-provider/", 1)[1]
    return None


def _irsa_trust(resource: Resource) -> Iterator[str]:
    document = policy_document(resource.props.get("assumeRolePolicy"))
    if document is None:
        return
    for path, statement in statements(document):
        if not is_allow(statement):
            continue
        if not matches_action(lowered(statement.get("Action")), WEB_IDENTITY):
            continue
        federated = principals(statement.get("Principal"), "Federated")
        if federated and not any("oidc.eks." in arn or arn == "*" for arn in federated):
            continue  # another OIDC provider (CI, Cognito): not an IRSA trust
        issuer = _irsa_issuer(federated)
        condition = statement.get("Condition")
        sub = _condition_values(condition, "StringEquals", "sub", issuer)
        aud = _condition_values(condition, "StringEquals", "aud", issuer)
        where = f"assumeRolePolicy.{path}.Condition.StringEquals"
        oidc = issuer or "<oidc issuer>"
        if not sub or not all(SERVICE_ACCOUNT_SUB.match(value) for value in sub):
            yield (
                f'{where}["{oidc}:sub"] is missing or not a single service account; set it to '
                '"system:serviceaccount:<namespace>:<name>" (EKS BPG: scope the IRSA trust policy)'
            )
        if not aud or any(value != STS_AUDIENCE for value in aud):
            yield f'{where}["{oidc}:aud"] is missing or not "{STS_AUDIENCE}"; set it to "{STS_AUDIENCE}"'


# --- security groups -----------------------------------------------------------------------------------


def _exposed_ports(protocol: Any, from_port: Any, to_port: Any) -> str | None:
    """``"all ports"``/``"port 22"``... when the rule's range includes an admin port, else ``None``."""
    proto = str(protocol).strip().lower() if isinstance(protocol, str | int) else ""
    if proto in ALL_PROTOCOLS:
        return "all ports"
    if proto in ICMP_PROTOCOLS:
        return None
    low, high = as_int(from_port), as_int(to_port)
    if low is None or high is None:
        return "unknown ports"  # fail closed: an unreadable range may include 22 or 3389
    if low <= 0 and high >= 65535:
        return "all ports"
    hits = [str(port) for port in ADMIN_PORTS if low <= port <= high]
    return f"port {'/'.join(hits)}" if hits else None


def _world_sources(cidrs: Any, ipv6: Any) -> list[str]:
    return [cidr for cidr in [*strings(cidrs), *strings(ipv6)] if is_world(cidr)]


def _world_ingress(resource: Resource) -> Iterator[str]:
    props = resource.props
    fix = "restrict the source to known CIDRs or security groups (use SSM Session Manager for admin access)"
    if resource.type == SECURITY_GROUP:
        for index, rule in maps(props.get("ingress")):
            world = _world_sources(rule.get("cidrBlocks"), rule.get("ipv6CidrBlocks"))
            exposed = _exposed_ports(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"))
            if world and exposed:
                yield f"ingress[{index}] opens {exposed} to {', '.join(world)}; {fix} (CKV_AWS_24/25/277)"
    elif resource.type == SECURITY_GROUP_RULE:
        if text(props.get("type")).strip().lower() != "ingress":
            return
        world = _world_sources(props.get("cidrBlocks"), props.get("ipv6CidrBlocks"))
        exposed = _exposed_ports(props.get("protocol"), props.get("fromPort"), props.get("toPort"))
        if world and exposed:
            yield f"cidrBlocks/ipv6CidrBlocks open {exposed} to {', '.join(world)}; {fix} (CKV_AWS_24/25/277)"
    else:
        world = _world_sources(props.get("cidrIpv4"), props.get("cidrIpv6"))
        exposed = _exposed_ports(props.get("ipProtocol"), props.get("fromPort"), props.get("toPort"))
        if world and exposed:
            yield f"cidrIpv4/cidrIpv6 open {exposed} to {', '.join(world)}; {fix} (CKV_AWS_24/25/277)"


# --- S3 ------------------------------------------------------------------------------------------------


def _block_problems(props: Mapping[str, Any]) -> list[str]:
    """The public access block flags of ``props`` that are not true."""
    return [flag for flag in S3_BLOCK_FLAGS if not is_true(props.get(flag))]


def _sse_algorithm_problems(props: Mapping[str, Any]) -> list[str]:
    """The rules of a server-side encryption configuration whose algorithm is not SSE-KMS."""
    problems = []
    for index, rule in maps(props.get("rules")):
        algorithm = dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
        if not (isinstance(algorithm, str) and algorithm in S3_KMS_ALGORITHMS):
            problems.append(
                f"rules[{index}].applyServerSideEncryptionByDefault.sseAlgorithm is {show(algorithm)}"
            )
    return problems


def _sse_problems(props: Mapping[str, Any]) -> list[str]:
    """What keeps a server-side encryption configuration from SSE-KMS (empty when it uses it)."""
    if not any(True for _ in maps(props.get("rules"))):
        return ["rules is empty"]
    return _sse_algorithm_problems(props)


def _versioning_status(props: Mapping[str, Any]) -> Any:
    """``versioningConfiguration.status``; versioning is on only when it is ``"Enabled"``."""
    return dig(props, "versioningConfiguration", "status")


def _s3_hardened(resource: Resource) -> Iterator[str]:
    props = resource.props
    if resource.type == S3_PUBLIC_ACCESS_BLOCK:
        for flag in _block_problems(props):
            yield f"{flag} is not true; set all four public access block flags to true (CKV_AWS_53-56)"
    elif resource.type in (S3_SSE, S3_SSE_V2):
        if not any(True for _ in maps(props.get("rules"))):
            yield 'rules is empty; add a rule with applyServerSideEncryptionByDefault.sseAlgorithm "aws:kms"'
        for problem in _sse_algorithm_problems(props):
            yield f'{problem}; use "aws:kms" with a customer managed kmsMasterKeyId (CKV_AWS_145)'
    else:
        status = _versioning_status(props)
        if status != "Enabled":
            yield (
                f'versioningConfiguration.status is {show(status)}; set it to "Enabled" so overwritten and '
                "deleted objects (state, artifacts) can be recovered (CKV_AWS_21)"
            )


def _targets(config: Resource, bucket: Resource) -> bool:
    """Whether the configuration resource ``config`` configures ``bucket``.

    By property dependency first (``bucket=bucket.id``: ``config``'s ``bucket`` property came from the
    bucket's URN, which is all a preview knows of an auto-named bucket); without any dependency of that
    property, by a literal name equal to the bucket's ``bucket`` prop. The props are read only when
    needed: under CrossGuard an unknown preview value raises when it is read.
    """
    if config.property_dependencies.get("bucket"):
        return config.depends_on("bucket", bucket.urn)
    name = config.props.get("bucket")
    if not isinstance(name, str) or not name.strip() or name in PLACEHOLDERS:
        return False  # two masked values are not the same name
    return name == bucket.props.get("bucket")


def _bucket_complete(resources: Sequence[Resource]) -> Iterator[tuple[Resource, str]]:
    buckets = [r for r in resources if r.type in S3_BUCKET_TYPES]
    if not buckets:
        return
    configs = [r for r in resources if r.type in S3_TYPES]
    for bucket in buckets:
        mine = [config for config in configs if _targets(config, bucket)]
        sse = [c for c in mine if c.type in (S3_SSE, S3_SSE_V2)]
        versioning = [c for c in mine if c.type in (S3_VERSIONING, S3_VERSIONING_V2)]
        blocks = [c for c in mine if c.type == S3_PUBLIC_ACCESS_BLOCK]
        if not sse:
            yield (
                bucket,
                "no server-side encryption configuration targets this bucket; add an "
                "aws.s3.BucketServerSideEncryptionConfiguration with bucket=<this bucket>.id and "
                'rules[0].applyServerSideEncryptionByDefault.sseAlgorithm "aws:kms" with a customer managed '
                "kmsMasterKeyId (CKV_AWS_145)",
            )
        for config in sse:
            problems = _sse_problems(config.props)
            if problems:
                yield (
                    bucket,
                    f"its encryption configuration {config.display} does not use SSE-KMS "
                    f"({'; '.join(problems)}); set applyServerSideEncryptionByDefault.sseAlgorithm to "
                    '"aws:kms" with a customer managed kmsMasterKeyId (CKV_AWS_145)',
                )
        if not versioning:
            yield (
                bucket,
                "no versioning configuration targets this bucket; add an aws.s3.BucketVersioning with "
                'bucket=<this bucket>.id and versioningConfiguration.status "Enabled" so overwritten and '
                "deleted objects (backups, state) can be recovered (CKV_AWS_21)",
            )
        for config in versioning:
            status = _versioning_status(config.props)
            if status != "Enabled":
                yield (
                    bucket,
                    f"its versioning configuration {config.display} has versioningConfiguration.status "
                    f'{show(status)}; set it to "Enabled" so overwritten and deleted objects can be recovered '
                    "(CKV_AWS_21)",
                )
        if not blocks:
            yield (
                bucket,
                "no public access block targets this bucket; add an aws.s3.BucketPublicAccessBlock with "
                "bucket=<this bucket>.id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls and "
                "restrictPublicBuckets all true (CKV_AWS_53-56)",
            )
        for config in blocks:
            weak = _block_problems(config.props)
            if weak:
                yield (
                    bucket,
                    f"its public access block {config.display} leaves {', '.join(weak)} not true; set all "
                    "four flags to true (CKV_AWS_53-56)",
                )


# --- production protection -----------------------------------------------------------------------------


def _prod_protection(resource: Resource) -> Iterator[str]:
    if environment(resource) != PROD:
        return
    if not resource.protect:
        yield (
            f'tags["{ENVIRONMENT}"] is "prod" but the protect resource option is not set; create it with '
            "opts=pulumi.ResourceOptions(protect=True) so no update or destroy can delete it"
        )
    if resource.type == EKS_CLUSTER and not is_true(resource.props.get("deletionProtection")):
        yield (
            f'deletionProtection is not true on a cluster whose tags["{ENVIRONMENT}"] is "prod"; set '
            "deletion_protection=True so the EKS API refuses to delete it"
        )


# --- Karpenter -----------------------------------------------------------------------------------------


def _nodeclass_imdsv2(resource: Resource) -> Iterator[str]:
    raw = dig(resource.props, "spec", "metadataOptions")
    if raw is None:
        return  # the v1 CRD defaults it to httpTokens required, hop limit 1
    if not isinstance(raw, Mapping):
        yield (
            f"spec.metadataOptions is {show(raw)}, not a mapping; set it to "
            "{httpTokens: required, httpPutResponseHopLimit: 1}"
        )
        return
    options = raw
    tokens = options.get("httpTokens")
    if tokens is not None and tokens != "required":
        yield (
            f'spec.metadataOptions.httpTokens is {show(tokens)}; set it to "required" (IMDSv2 only) '
            "(EKS BPG: restrict access to the instance profile)"
        )
    hops = options.get("httpPutResponseHopLimit")
    if hops is not None and as_int(hops) != 1:
        yield (
            f"spec.metadataOptions.httpPutResponseHopLimit is {show(hops)}; set it to 1 so pods cannot reach "
            "the node role's credentials (use EKS Pod Identity or IRSA for pod AWS access)"
        )


def _nodeclass_ebs(resource: Resource) -> Iterator[str]:
    mappings = list(maps(dig(resource.props, "spec", "blockDeviceMappings")))
    if not mappings:
        yield (
            "spec.blockDeviceMappings is not set, so the AMI family's default volume is used; declare the "
            "root volume with ebs.encrypted: true and ebs.kmsKeyID"
        )
        return
    for index, mapping in mappings:
        if not is_true(dig(mapping, "ebs", "encrypted")):
            yield (
                f"spec.blockDeviceMappings[{index}].ebs.encrypted is not true; set it to true (and ebs.kmsKeyID "
                "to a customer managed key)"
            )


def _nodepool_limits(resource: Resource) -> Iterator[str]:
    limits = dig_map(resource.props, "spec", "limits")
    if not ({"cpu", "memory"} & set(limits)):
        yield (
            "spec.limits sets neither cpu nor memory, so the NodePool can scale without bound; set "
            'spec.limits.cpu (and memory), e.g. {cpu: "1000", memory: "1000Gi"}'
        )


def _nodepool_expire(resource: Resource) -> Iterator[str]:
    expire = dig(resource.props, "spec", "template", "spec", "expireAfter")
    if not is_set(expire) or not isinstance(expire, str) or expire.strip() == "Never":
        shown = show(expire) if expire is not None else "not set"
        yield (
            f"spec.template.spec.expireAfter is {shown}; set a duration such as 720h so nodes are replaced "
            "regularly and pick up patched AMIs"
        )


RULES: tuple[Rule, ...] = (
    # --- EKS -------------------------------------------------------------------------------------------
    _rule(
        "eks-endpoint-private",
        Severity.HIGH,
        M,
        frozenset({EKS_CLUSTER}),
        "The EKS API endpoint should be private; a public endpoint is tolerated only with a CIDR allow-list "
        "(CIS EKS 5.4.1/5.4.2; CKV_AWS_39; EKS BPG iam 'Make the EKS Cluster Endpoint private').",
        _endpoint_private,
        fix="Set `vpcConfig.endpointPrivateAccess: true` and `vpcConfig.endpointPublicAccess: false`, or "
        "keep a public endpoint only with `vpcConfig.publicAccessCidrs` (EksCluster: `endpoint.public`, "
        "`endpoint.public_cidrs`).",
    ),
    _rule(
        "eks-public-cidrs",
        Severity.HIGH,
        M,
        frozenset({EKS_CLUSTER}),
        "A public EKS endpoint without publicAccessCidrs, or with 0.0.0.0/0 or ::/0, is reachable from the "
        "whole internet (CKV_AWS_38; compliance-policies disallow-api-endpoint-public-access).",
        _public_cidrs,
        fix="List your admin CIDR ranges, never `0.0.0.0/0` or `::/0`, in `vpcConfig.publicAccessCidrs`, or "
        "set `vpcConfig.endpointPublicAccess: false` (EksCluster: `endpoint.public_cidrs`).",
    ),
    _rule(
        "eks-secrets-kms",
        Severity.HIGH,
        M,
        frozenset({EKS_CLUSTER}),
        "Kubernetes Secrets must be envelope-encrypted with a customer managed KMS key (CIS EKS 5.3.1; "
        "CKV_AWS_58).",
        _secrets_kms,
        fix='Set `encryptionConfig` to `resources: ["secrets"]` with `provider.keyArn` pointing at a '
        "customer managed KMS key, not an `alias/aws/` key (EksCluster does this).",
    ),
    _rule(
        "eks-control-plane-logs",
        Severity.MEDIUM,
        M,
        frozenset({EKS_CLUSTER}),
        "Control-plane api, audit and authenticator logs are needed to investigate incidents (CIS EKS 2.1.1; "
        "CKV_AWS_37; hardeneks check_logs_are_enabled).",
        _control_plane_logs,
        fix="Add `api`, `audit` and `authenticator` to the cluster's `enabledClusterLogTypes` (EksCluster: "
        "`log_types`).",
    ),
    _rule(
        "eks-access-entries",
        Severity.MEDIUM,
        A,
        frozenset({EKS_CLUSTER}),
        "Grant cluster access with EKS access entries (authenticationMode API) and drop the creator's "
        "implicit admin (CIS EKS 4.1.7; EKS BPG iam 'Cluster Access Manager').",
        _access_entries,
        fix="Set `accessConfig.authenticationMode` to `API` (`API_AND_CONFIG_MAP` while migrating) and "
        "`accessConfig.bootstrapClusterCreatorAdminPermissions: false`, and grant access with access "
        "entries (EksCluster: `admin_principals`).",
    ),
    _rule(
        "eks-nodegroup-no-open-ssh",
        Severity.HIGH,
        M,
        frozenset({EKS_NODE_GROUP}),
        "A node group with an SSH key but no source security groups opens port 22 to the internet "
        "(CKV_AWS_100).",
        _nodegroup_ssh,
        fix="Remove the node group's `remoteAccess` and use SSM Session Manager, or list "
        "`remoteAccess.sourceSecurityGroupIds` next to `remoteAccess.ec2SshKey`.",
    ),
    # --- EC2 -------------------------------------------------------------------------------------------
    _rule(
        "ec2-imdsv2",
        Severity.HIGH,
        M,
        frozenset({LAUNCH_TEMPLATE}),
        "Nodes must require IMDSv2 with a hop limit of 1 so pods cannot steal the node role's credentials "
        "(CKV_AWS_79, CKV_AWS_341; EKS BPG iam 'Restrict access to the instance profile').",
        _launch_template_imdsv2,
        fix='Set the launch template\'s `metadataOptions.httpTokens` to `"required"` and '
        "`metadataOptions.httpPutResponseHopLimit` to `1`.",
    ),
    _rule(
        "ec2-ebs-encrypted",
        Severity.HIGH,
        M,
        frozenset({LAUNCH_TEMPLATE}),
        "Node volumes must be encrypted at rest (CKV_AWS_8, CKV_AWS_189; awsguard encrypted-volumes; "
        "hardeneks use_encryption_with_ebs).",
        _launch_template_ebs,
        fix="Declare every EBS volume of the launch template in `blockDeviceMappings`, with `ebs.encrypted: "
        '"true"` and `ebs.kmsKeyId` set to a customer managed key.',
    ),
    _rule(
        "ec2-private-nodes",
        Severity.MEDIUM,
        M,
        frozenset({LAUNCH_TEMPLATE}),
        "Nodes must not get public IP addresses (CIS EKS 5.4.3; CKV_AWS_88; hardeneks "
        "deploy_workers_onto_private_subnets).",
        _launch_template_private,
        fix='Set `networkInterfaces[].associatePublicIpAddress` to `"false"` in the launch template and '
        "run nodes in private subnets behind a NAT gateway.",
    ),
    # --- KMS, SQS --------------------------------------------------------------------------------------
    _rule(
        "kms-rotation",
        Severity.MEDIUM,
        M,
        frozenset({KMS_KEY}),
        "Symmetric customer managed KMS keys must rotate their key material (CKV_AWS_7; awsguard "
        "cmk-backing-key-rotation-enabled).",
        _kms_rotation,
        fix="Set `enableKeyRotation: true` on the symmetric customer managed key "
        "(`enable_key_rotation=True` in Pulumi).",
    ),
    _rule(
        "kms-policy-safe",
        Severity.MEDIUM,
        A,
        frozenset({KMS_KEY}),
        "A KMS key policy must not open the key to every principal, must keep the lockout safety check and "
        "the key should be described (CKV_AWS_33, CKV2_AWS_64; compliance-policies kms/Key).",
        _kms_policy,
        fix="Remove `bypassPolicyLockoutSafetyCheck`, set a `description`, and in the key's `policy` "
        'replace `Principal: "*"` with account or role ARNs or add a `Condition` such as '
        "`kms:CallerAccount`.",
    ),
    _rule(
        "sqs-encrypted",
        Severity.MEDIUM,
        M,
        frozenset({SQS_QUEUE}),
        "SQS queues must encrypt messages at rest with SSE-SQS or a KMS key (project issue; CKV_AWS_27 "
        "analogue).",
        _sqs_encrypted,
        fix="Set the queue's `kmsMasterKeyId` to a customer managed KMS key, or `sqsManagedSseEnabled: "
        "true`.",
    ),
    # --- IAM -------------------------------------------------------------------------------------------
    _rule(
        "iam-least-privilege",
        Severity.HIGH,
        M,
        IAM_TYPES,
        "IAM policies must not grant '*' on '*', NotAction on '*', iam:PassRole on '*' or attach "
        "AdministratorAccess/IAMFullAccess (CKV_AWS_1, CKV_AWS_62, CKV_AWS_274, CKV_AWS_286).",
        _least_privilege,
        fix="List only the actions and resource ARNs the principal needs in each `Statement` (no `Action: "
        '"*"`, `NotAction` or `iam:PassRole` on `Resource: "*"`), and attach a scoped policy instead of '
        "AdministratorAccess or IAMFullAccess (`policyArn`, `managedPolicyArns`).",
    ),
    _rule(
        "irsa-trust-scoped",
        Severity.HIGH,
        A,
        frozenset({IAM_ROLE}),
        "An IRSA role trust policy must pin the service account (StringEquals <issuer>:sub) and the STS "
        "audience (<issuer>:aud) (EKS BPG iam 'Scope the IAM Role trust policy for IRSA Roles'; CIS EKS 5.2.1).",
        _irsa_trust,
        fix="Add `StringEquals` conditions `<issuer>:sub: system:serviceaccount:<namespace>:<name>` and "
        "`<issuer>:aud: sts.amazonaws.com` to the role's `assumeRolePolicy` (or use EKS Pod Identity, "
        "EksCluster's default `identity`).",
    ),
    _rule(
        "sg-no-world-ingress",
        Severity.HIGH,
        M,
        SG_TYPES,
        "Security groups must not accept SSH, RDP or all traffic from 0.0.0.0/0 or ::/0 (CKV_AWS_24, "
        "CKV_AWS_25, CKV_AWS_277; compliance-policies disallowPublicInternetIngress).",
        _world_ingress,
        fix="Restrict the sources (`cidrBlocks`, `ipv6CidrBlocks`, `cidrIpv4`, `cidrIpv6`) of ingress rules "
        "opening SSH, RDP or all ports to known ranges or security groups; use SSM Session Manager for "
        "admin access.",
    ),
    _rule(
        "s3-hardened",
        Severity.MEDIUM,
        A,
        S3_TYPES,
        "Bucket configuration resources must block public access, encrypt with SSE-KMS and enable versioning "
        "(CKV_AWS_53-56, CKV_AWS_145, CKV_AWS_21).",
        _s3_hardened,
        fix="Set all four flags of a `BucketPublicAccessBlock` to true, "
        '`applyServerSideEncryptionByDefault.sseAlgorithm: "aws:kms"` with a customer managed '
        '`kmsMasterKeyId`, and `versioningConfiguration.status: "Enabled"`.',
    ),
    # --- production protection -------------------------------------------------------------------------
    _rule(
        "prod-deletion-protection",
        Severity.HIGH,
        M,
        PROD_PROTECTED_TYPES,
        "Production clusters, KMS keys and log groups must not be deletable by a stray update or destroy: "
        "the Pulumi protect option (and EKS deletionProtection) must be set (project issue).",
        _prod_protection,
        fix="Create production clusters, KMS keys and log groups with "
        "`opts=pulumi.ResourceOptions(protect=True)`, and EKS clusters with `deletion_protection=True` "
        "(EksCluster: `protect`, `deletion_protection`).",
    ),
    # --- Karpenter -------------------------------------------------------------------------------------
    _rule(
        "karp-nodeclass-imdsv2",
        Severity.HIGH,
        M,
        frozenset({EC2_NODE_CLASS}),
        "Karpenter nodes must require IMDSv2 with a hop limit of 1 (EKS BPG iam; Karpenter docs "
        "nodeclasses 'disable IMDS access from containers').",
        _nodeclass_imdsv2,
        cel=(
            CelCheck(
                (
                    "!has(object.spec.metadataOptions) || "
                    "((!has(object.spec.metadataOptions.httpTokens) || "
                    "object.spec.metadataOptions.httpTokens == 'required') && "
                    "(!has(object.spec.metadataOptions.httpPutResponseHopLimit) || "
                    "object.spec.metadataOptions.httpPutResponseHopLimit == 1))",
                ),
                "spec.metadataOptions must keep httpTokens: required and httpPutResponseHopLimit: 1 (IMDSv2, "
                "no pod access to the node role)",
            ),
        ),
        fix="Remove the EC2NodeClass's `spec.metadataOptions` (the CRD defaults are safe) or keep "
        "`httpTokens: required` and `httpPutResponseHopLimit: 1` in it (KarpenterNodePool sets them).",
    ),
    _rule(
        "karp-nodeclass-ebs-encrypted",
        Severity.HIGH,
        M,
        frozenset({EC2_NODE_CLASS}),
        "Karpenter node volumes must be declared and encrypted (CKV_AWS_8/189 analogue; hardeneks "
        "use_encryption_with_ebs).",
        _nodeclass_ebs,
        cel=(
            CelCheck(
                (
                    "has(object.spec.blockDeviceMappings) && size(object.spec.blockDeviceMappings) > 0 && "
                    "object.spec.blockDeviceMappings.all(m, has(m.ebs) && has(m.ebs.encrypted) && "
                    "m.ebs.encrypted == true)",
                ),
                "spec.blockDeviceMappings must declare the volumes, each with ebs.encrypted: true",
            ),
        ),
        fix="Declare the root volume in the EC2NodeClass's `spec.blockDeviceMappings` with `ebs.encrypted: "
        "true` and `ebs.kmsKeyID` (KarpenterNodePool does this; `node_class.volume_size` sizes it).",
    ),
    _rule(
        "karp-nodepool-limits",
        Severity.MEDIUM,
        A,
        frozenset({NODE_POOL}),
        "A NodePool without spec.limits can scale without bound when pods run away (Karpenter docs "
        "nodepools 'Limits').",
        _nodepool_limits,
        cel=(
            CelCheck(
                (
                    "has(object.spec.limits) && ('cpu' in object.spec.limits || 'memory' in object.spec.limits)",
                ),
                "spec.limits should set cpu (and memory) so the NodePool cannot scale without bound",
            ),
        ),
        fix="Set `spec.limits.cpu` (and `spec.limits.memory`) on the NodePool (KarpenterNodePool: "
        "`cpu_limit`, `memory_limit`).",
    ),
    _rule(
        "karp-nodepool-expire",
        Severity.LOW,
        A,
        frozenset({NODE_POOL}),
        "Nodes should expire so they are replaced regularly with patched AMIs (Karpenter docs nodepools "
        "'expireAfter').",
        _nodepool_expire,
        preview_only="the NodePool CRD defaults spec.template.spec.expireAfter to 720h before admission, so "
        "an object that omitted it cannot be told apart from one that set it",
        fix="Set the NodePool's `spec.template.spec.expireAfter` to a duration such as `720h`, not `Never` "
        "(KarpenterNodePool: `expire_after`).",
    ),
)

STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        "s3-bucket-complete",
        "Every S3 bucket needs its own SSE-KMS encryption configuration, versioning and a public access "
        "block with all four flags, so backups and state are encrypted, recoverable and never public; "
        "checked on the bucket, so a forgotten configuration resource is caught (CKV_AWS_145, CKV_AWS_21, "
        "CKV_AWS_53-56; CKV2_AWS_6; project issue).",
        Severity.HIGH,
        M,
        _bucket_complete,
        fix="Give each bucket its own `BucketServerSideEncryptionConfiguration` (SSE-KMS), "
        "`BucketVersioning` (`Enabled`) and `BucketPublicAccessBlock` (all four flags true), each created "
        "with `bucket=<the bucket>.id`.",
    ),
)

#: Kinds each stack rule reports on or reads, for the rule catalogue.
STACK_RULE_KINDS: Mapping[str, tuple[str, ...]] = {
    "s3-bucket-complete": tuple(sorted(type_.rsplit(":", 1)[-1] for type_ in S3_BUCKET_TYPES | S3_TYPES)),
}

__all__ = [
    "RULES",
    "STACK_RULES",
    "STACK_RULE_KINDS",
    "document_problems",
    "is_world",
    "statement_problems",
]
