"""Meta-test: every rule of the pack fires on a crafted bad case and stays silent on a good one.

``CASES`` maps each rule id to ``(bad, good)``; a case builds a list of resources from the compliant
baseline of :class:`conftest.Kit`. The bad case must yield at least one violation of that rule, the good
case none. A test asserts that ``CASES`` covers exactly the rule ids of the pack.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pytest
from platform_components.policies import EXEMPT_PREFIX, RULES, STACK_RULES, Resource, check
from platform_components.policies.refs import EXTERNALS_ANNOTATION

if TYPE_CHECKING:
    from conftest import Kit, Path

Case = Callable[["Kit"], list[Resource]]
DROP = object()
"""A change value meaning "remove this field"."""

PS = "spec.template.spec"
PM = "spec.template.metadata"
C0 = f"{PS}.containers.0"
SC = f"{C0}.securityContext"


def _apply(kit: Kit, obj: dict[str, Any], changes: Mapping[Path, Any]) -> dict[str, Any]:
    for path, value in changes.items():
        if value is DROP:
            kit.drop(obj, path)
        else:
            kit.put(obj, path, value)
    return obj


def dep(changes: Mapping[Path, Any]) -> Case:
    """The baseline Deployment with ``changes`` applied (alone, without the rest of the stack)."""
    return lambda kit: [kit.resource(_apply(kit, kit.deployment(), changes))]


def built(factory: str, changes: Mapping[Path, Any] | None = None, **kwargs: Any) -> Case:
    """``kit.<factory>(**kwargs)`` with ``changes`` applied."""

    def build(kit: Kit) -> list[Resource]:
        obj = getattr(kit, factory)(**kwargs)
        return [kit.resource(_apply(kit, obj, changes or {}))]

    return build


def stack(drop_kinds: tuple[str, ...] = (), changes: Mapping[str, Mapping[Path, Any]] | None = None) -> Case:
    """The baseline stack without ``drop_kinds`` and with per-kind ``changes``."""

    def build(kit: Kit) -> list[Resource]:
        objects = [obj for obj in kit.stack() if obj["kind"] not in drop_kinds]
        for obj in objects:
            _apply(kit, obj, (changes or {}).get(obj["kind"], {}))
        return kit.resources(*objects)

    return build


def baseline(kit: Kit) -> list[Resource]:
    return kit.stack_resources()


def job_without_probes(kit: Kit) -> list[Resource]:
    job = kit.workload("Job")
    container = kit.pod_spec_of(job)["containers"][0]
    container.pop("livenessProbe")
    container.pop("readinessProbe")
    return [kit.resource(job)]


def cronjob(changes: Mapping[Path, Any]) -> Case:
    return lambda kit: [kit.resource(_apply(kit, kit.workload("CronJob"), changes))]


DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"


def database(changes: Mapping[Path, Any] | None = None, *, with_pdb: bool = False) -> Case:
    """The baseline database StatefulSet (volume claim templates) with ``changes``, optionally with a PDB."""

    def build(kit: Kit) -> list[Resource]:
        objects = [_apply(kit, kit.database(), changes or {})]
        if with_pdb:
            objects.append(kit.pdb())
        return kit.resources(*objects)

    return build


TMP = {"name": "tmp", "emptyDir": {}}
"""The baseline's volume (its container mounts it): kept in every case that sets the volumes."""
HOST_LOG = [TMP, {"name": "logs", "hostPath": {"path": "/var/log"}}]
READ_ONLY_RULES = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]
INTERNAL_LB: dict[Path, Any] = {
    "spec.type": "LoadBalancer",
    ("metadata", "annotations"): {
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:eu-west-1:123456789012:certificate/x",
    },
}

CASES: dict[str, tuple[Case, Case]] = {
    # --- PSS baseline ----------------------------------------------------------------------------------
    "pss-host-namespaces": (dep({f"{PS}.hostNetwork": True}), dep({f"{PS}.hostPID": False})),
    # the API server refuses privileged with allowPrivilegeEscalation false (the baseline's)
    "pss-privileged": (
        dep({f"{SC}.privileged": True, f"{SC}.allowPrivilegeEscalation": True}),
        dep({f"{SC}.privileged": False}),
    ),
    "pss-capabilities-baseline": (
        dep({f"{SC}.capabilities.add": ["SYS_ADMIN"]}),
        dep({f"{SC}.capabilities.add": ["CHOWN", "NET_BIND_SERVICE"]}),
    ),
    "pss-host-path": (dep({f"{PS}.volumes": HOST_LOG}), baseline),
    "wl-no-runtime-socket": (
        dep(
            {
                f"{PS}.volumes": [
                    TMP,
                    {"name": "sock", "hostPath": {"path": "/run/containerd/containerd.sock"}},
                ]
            }
        ),
        dep({f"{PS}.volumes": HOST_LOG}),
    ),
    "pss-host-ports": (
        dep({f"{C0}.ports": [{"name": "http", "containerPort": 8080, "hostPort": 8080}]}),
        dep({f"{C0}.ports": [{"name": "http", "containerPort": 8080, "hostPort": 0}]}),
    ),
    "pss-apparmor": (
        dep(
            {
                (*PM.split("."), "annotations"): {
                    "container.apparmor.security.beta.kubernetes.io/api": "unconfined"
                }
            }
        ),
        dep(
            {
                (*PM.split("."), "annotations"): {
                    "container.apparmor.security.beta.kubernetes.io/api": "localhost/k8s-api"
                },
                # the API server refuses an annotation and a field that disagree
                f"{PS}.securityContext.appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-api"},
            }
        ),
    ),
    "pss-selinux": (
        dep({f"{SC}.seLinuxOptions": {"type": "spc_t"}}),
        dep({f"{SC}.seLinuxOptions": {"type": "container_t", "level": "s0:c123,c456"}}),
    ),
    "pss-proc-mount": (
        dep({f"{SC}.procMount": "Unmasked"}),
        dep({f"{SC}.procMount": "Unmasked", f"{PS}.hostUsers": False}),
    ),
    "pss-proc-mount-restricted": (
        dep({f"{SC}.procMount": "Unmasked", f"{PS}.hostUsers": False}),
        dep({f"{SC}.procMount": "Default", f"{PS}.hostUsers": False}),
    ),
    "pss-seccomp-baseline": (dep({f"{SC}.seccompProfile": {"type": "Unconfined"}}), baseline),
    "pss-sysctls": (
        dep({f"{PS}.securityContext.sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}),
        dep(
            {
                f"{PS}.securityContext.sysctls": [
                    {"name": "net.ipv4.tcp_keepalive_time", "value": "300"},
                    {"name": "net.ipv4.tcp_rmem", "value": "4096 87380 6291456"},
                ]
            }
        ),
    ),
    # the API server refuses a HostProcess container without hostNetwork
    "pss-windows-hostprocess": (
        dep({f"{SC}.windowsOptions": {"hostProcess": True}, f"{PS}.hostNetwork": True}),
        baseline,
    ),
    "pss-host-probes": (
        dep({f"{C0}.livenessProbe.tcpSocket.host": "10.0.0.1"}),
        dep({f"{C0}.livenessProbe.tcpSocket.host": ""}),
    ),
    # --- PSS restricted --------------------------------------------------------------------------------
    "pss-volume-types": (
        dep({f"{PS}.volumes": [TMP, {"name": "nfs", "nfs": {"server": "10.0.0.2", "path": "/"}}]}),
        dep(
            {
                f"{PS}.volumes": [
                    {"name": "tmp", "emptyDir": {}},
                    {"name": "cfg", "configMap": {"name": "api-config"}},
                    {"name": "token", "projected": {"sources": []}},
                ]
            }
        ),
    ),
    "pss-no-privilege-escalation": (dep({f"{SC}.allowPrivilegeEscalation": DROP}), baseline),
    "pss-run-as-non-root": (
        dep({f"{PS}.securityContext.runAsNonRoot": DROP}),
        dep({f"{PS}.securityContext.runAsNonRoot": DROP, f"{SC}.runAsNonRoot": True}),
    ),
    "pss-run-as-user-nonzero": (
        dep({f"{SC}.runAsUser": 0}),
        dep({f"{SC}.runAsUser": 0, f"{PS}.hostUsers": False}),
    ),
    "pss-seccomp-restricted": (
        dep({f"{PS}.securityContext.seccompProfile": DROP}),
        dep(
            {
                f"{PS}.securityContext.seccompProfile": DROP,
                f"{SC}.seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/api.json"},
            }
        ),
    ),
    "pss-capabilities-restricted": (
        dep({f"{SC}.capabilities.drop": ["NET_RAW"]}),
        dep({f"{SC}.capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}),
    ),
    "pss-non-root-groups": (dep({f"{PS}.securityContext.fsGroup": 0}), baseline),
    # --- workload hardening ----------------------------------------------------------------------------
    "wl-readonly-rootfs": (dep({f"{SC}.readOnlyRootFilesystem": False}), baseline),
    "wl-sa-token-automount-off": (dep({f"{PS}.automountServiceAccountToken": DROP}), baseline),
    "wl-dedicated-sa": (dep({f"{PS}.serviceAccountName": "default"}), baseline),
    "wl-no-secret-env": (
        dep(
            {
                f"{C0}.env": [
                    {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}
                ]
            }
        ),
        dep({f"{C0}.env": [{"name": "DB_PASSWORD_FILE", "value": "/var/run/secrets/db/password"}]}),
    ),
    "wl-no-plaintext-secret": (
        dep({f"{C0}.env": [{"name": "API_TOKEN", "value": "hunter2-not-a-real-token"}]}),
        cronjob(
            {
                "spec.jobTemplate.spec.template.spec.containers.0.env": [
                    {"name": "POSTGRES_PASSWORD_FILE", "value": "/etc/secrets/password"},
                    {"name": "PGPASSFILE", "value": "/etc/secrets/.pgpass"},
                    {"name": "PGPASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                ]
            }
        ),
    ),
    "wl-no-duplicate-env": (
        dep({f"{C0}.env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "LOG_LEVEL", "value": "debug"}]}),
        baseline,
    ),
    "wl-no-ssh-port": (dep({f"{C0}.ports": [{"name": "ssh", "containerPort": 22}]}), baseline),
    "img-pinned": (
        dep({f"{C0}.image": "registry.example.com:5000/shop/api"}),
        dep({f"{C0}.image": "registry.example.com:5000/shop/api:1.4.2"}),
    ),
    "img-pull-always": (dep({f"{C0}.imagePullPolicy": "IfNotPresent"}), baseline),
    "res-cpu-request": (dep({f"{C0}.resources.requests.cpu": DROP}), baseline),
    "res-mem-request": (dep({f"{C0}.resources.requests.memory": DROP}), baseline),
    "res-mem-limit": (dep({f"{C0}.resources.limits": DROP}), baseline),
    "avail-liveness-probe": (dep({f"{C0}.livenessProbe": DROP}), job_without_probes),
    "avail-readiness-probe": (dep({f"{C0}.readinessProbe": DROP}), job_without_probes),
    "avail-probes-distinct": (
        dep({f"{C0}.livenessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5}}),
        baseline,
    ),
    "avail-probe-port-exposed": (
        dep({f"{C0}.livenessProbe": {"tcpSocket": {"port": 9090}}}),
        dep({f"{C0}.livenessProbe": {"tcpSocket": {"port": 8080}}}),
    ),
    "avail-priority-class": (dep({f"{PS}.priorityClassName": DROP}), baseline),
    "wl-rolling-update": (dep({"spec.strategy": {"type": "Recreate"}}), dep({"spec.strategy": DROP})),
    "wl-selector-matches": (
        dep({"spec.selector.matchLabels": {"app.kubernetes.io/name": "web"}}),
        dep(
            {
                "spec.selector": {
                    "matchExpressions": [
                        {"key": "app.kubernetes.io/name", "operator": "In", "values": ["api", "api-canary"]}
                    ]
                }
            }
        ),
    ),
    "cronjob-deadline": (
        cronjob({"spec.startingDeadlineSeconds": DROP}),
        cronjob({"spec.startingDeadlineSeconds": 300}),
    ),
    "meta-recommended-labels": (
        dep({("metadata", "labels", "app.kubernetes.io/part-of"): DROP}),
        baseline,  # carries neither app.kubernetes.io/version nor component
    ),
    "ns-not-default": (dep({"metadata.namespace": DROP}), baseline),
    # --- network ---------------------------------------------------------------------------------------
    "svc-no-nodeport": (built("service", {"spec.type": "NodePort"}), baseline),
    "svc-no-public-lb": (built("service", {"spec.type": "LoadBalancer"}), built("service", INTERNAL_LB)),
    "svc-lb-tls": (
        built(
            "service",
            {
                "spec.type": "LoadBalancer",
                ("metadata", "annotations"): {
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"
                },
            },
        ),
        built("service", INTERNAL_LB),
    ),
    "svc-no-external-ips": (built("service", {"spec.externalIPs": ["203.0.113.10"]}), baseline),
    "net-policy-types": (built("network_policy", {"spec.policyTypes": DROP}), baseline),
    # --- RBAC ------------------------------------------------------------------------------------------
    "rbac-no-wildcards": (
        built(
            "role", rules=[*READ_ONLY_RULES, {"apiGroups": ["apps"], "resources": ["*"], "verbs": ["get"]}]
        ),
        built("role", rules=READ_ONLY_RULES),
    ),
    "rbac-no-cluster-admin": (
        built(
            "binding",
            kind="ClusterRoleBinding",
            role_ref={
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "cluster-admin",
            },
        ),
        built("binding"),
    ),
    "rbac-no-escalation-verbs": (
        built(
            "role",
            kind="ClusterRole",
            rules=[
                *READ_ONLY_RULES,
                {
                    "apiGroups": ["rbac.authorization.k8s.io"],
                    "resources": ["clusterroles"],
                    "verbs": ["bind"],
                },
            ],
        ),
        built("role", rules=READ_ONLY_RULES),
    ),
    "rbac-no-anonymous": (
        built(
            "binding",
            kind="ClusterRoleBinding",
            subjects=[
                {"kind": "Group", "name": "system:unauthenticated", "apiGroup": "rbac.authorization.k8s.io"}
            ],
            role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        ),
        built(
            "binding",
            kind="ClusterRoleBinding",
            subjects=[
                {"kind": "Group", "name": "system:unauthenticated", "apiGroup": "rbac.authorization.k8s.io"}
            ],
            role_ref={
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "system:public-info-viewer",
            },
        ),
    ),
    "rbac-no-exec-create-pods": (
        built("role", rules=[{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create", "get"]}]),
        built(
            "role", rules=[{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]}]
        ),
    ),
    "rbac-no-secret-read": (
        built("role", rules=[{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]),
        built(
            "role",
            rules=[
                {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["api-tls"], "verbs": ["get"]}
            ],
        ),
    ),
    "ns-default-sa-locked": (
        built("service_account", {"automountServiceAccountToken": DROP}, name="default"),
        built("service_account", name="default"),
    ),
    # --- stack -----------------------------------------------------------------------------------------
    "avail-pdb": (stack(drop_kinds=("PodDisruptionBudget",)), baseline),
    "avail-hpa-pdb": (stack(changes={"HorizontalPodAutoscaler": {"spec.minReplicas": 1}}), baseline),
    "avail-replicas": (dep({"spec.replicas": 1}), baseline),
    "net-workload-policy": (stack(drop_kinds=("NetworkPolicy",)), baseline),
    "hpa-target-exists": (
        stack(changes={"HorizontalPodAutoscaler": {"spec.scaleTargetRef.name": "missing"}}),
        baseline,
    ),
    # --- StatefulSets that keep data (databases) --------------------------------------------------------
    "sts-pvc-retention": (
        database({"spec.persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete"}}),
        database({"spec.persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain"}}),
    ),
    "db-do-not-disrupt": (
        database({(*PM.split("."), "annotations", DO_NOT_DISRUPT): DROP}),
        database(),
    ),
    "sts-pvc-pdb": (database(), database(with_pdb=True)),
}

# --- AWS and Karpenter (platform_components.policies.aws) --------------------------------------------------------

ENV_TAG = "platform-components.io/environment"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OIDC = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"


def _doc(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


SCOPED_POLICY = _doc(
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::artifacts/*"},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app"},
)
IRSA_TRUST = _doc(
    {
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{OIDC}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{OIDC}:sub": "system:serviceaccount:team-a:api",
                f"{OIDC}:aud": "sts.amazonaws.com",
            }
        },
    }
)

#: Compliant props of every AWS type the pack checks (camelCase, as the engine sees them).
AWS_BASELINES: dict[str, dict[str, Any]] = {
    "aws:eks/cluster:Cluster": {
        "vpcConfig": {
            "endpointPrivateAccess": True,
            "endpointPublicAccess": False,
            "subnetIds": ["subnet-0a", "subnet-0b"],
        },
        "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY_ARN}},
        "accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False},
        "deletionProtection": True,
        "upgradePolicy": {"supportType": "STANDARD"},
        "tags": {ENV_TAG: "dev"},
    },
    "aws:eks/nodeGroup:NodeGroup": {"clusterName": "core", "subnetIds": ["subnet-0a"]},
    "aws:ec2/launchTemplate:LaunchTemplate": {
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpTokens": "required",
            "httpPutResponseHopLimit": 1,
        },
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN, "volumeType": "gp3"},
            }
        ],
        "networkInterfaces": [{"deviceIndex": 0, "associatePublicIpAddress": "false"}],
    },
    "aws:kms/key:Key": {
        "description": "EKS secrets envelope encryption",
        "enableKeyRotation": True,
        "policy": _doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ),
        "tags": {ENV_TAG: "dev"},
    },
    "aws:cloudwatch/logGroup:LogGroup": {"retentionInDays": 90, "tags": {ENV_TAG: "dev"}},
    "aws:sqs/queue:Queue": {"kmsMasterKeyId": KEY_ARN},
    "aws:iam/policy:Policy": {"policy": SCOPED_POLICY},
    "aws:iam/role:Role": {
        "assumeRolePolicy": IRSA_TRUST,
        "inlinePolicies": [{"name": "artifacts", "policy": SCOPED_POLICY}],
        "managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"],
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        "role": "app",
        "policyArn": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}]
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        "ipProtocol": "tcp",
        "fromPort": 443,
        "toPort": 443,
        "cidrIpv4": "10.0.0.0/16",
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        "bucket": "state",
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    },
}


def aws(type_: str, changes: Mapping[Path, Any] | None = None, *, protect: bool = False) -> Case:
    """The compliant baseline of ``type_`` with ``changes`` applied, as one resource named ``core``."""

    def build(kit: Kit) -> list[Resource]:
        props = _apply(kit, copy.deepcopy(AWS_BASELINES[type_]), changes or {})
        return [
            Resource(type_, "core", props, urn=f"urn:pulumi:test::platform::{type_}::core", protect=protect)
        ]

    return build


def node_class(kit: Kit) -> dict[str, Any]:
    return {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": "default"},
        "spec": {
            "role": "KarpenterNodeRole-core",
            "amiSelectorTerms": [{"alias": "al2023@latest"}],
            "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "core"}}],
            "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "core"}}],
            "metadataOptions": {
                "httpEndpoint": "enabled",
                "httpTokens": "required",
                "httpPutResponseHopLimit": 1,
            },
            "blockDeviceMappings": [
                {
                    "deviceName": "/dev/xvda",
                    "ebs": {"volumeSize": "50Gi", "encrypted": True, "kmsKeyID": KEY_ARN},
                }
            ],
        },
    }


def node_pool(kit: Kit) -> dict[str, Any]:
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "general"},
        "spec": {
            "template": {
                "spec": {
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
                    "requirements": [
                        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]}
                    ],
                    "expireAfter": "720h",
                }
            },
            "limits": {"cpu": "1000", "memory": "1000Gi"},
        },
    }


def karpenter(factory: Callable[[Kit], dict[str, Any]], changes: Mapping[Path, Any] | None = None) -> Case:
    return lambda kit: [kit.resource(_apply(kit, factory(kit), changes or {}))]


CLUSTER = "aws:eks/cluster:Cluster"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
KMS = "aws:kms/key:Key"
PROD: dict[Path, Any] = {("tags", ENV_TAG): "prod"}

AWS_CASES: dict[str, tuple[Case, Case]] = {
    "eks-endpoint-private": (
        aws(CLUSTER, {"vpcConfig.endpointPublicAccess": DROP}),
        aws(
            CLUSTER,
            {"vpcConfig.endpointPublicAccess": True, "vpcConfig.publicAccessCidrs": ["198.51.100.0/24"]},
        ),
    ),
    "eks-public-cidrs": (
        aws(CLUSTER, {"vpcConfig.endpointPublicAccess": True, "vpcConfig.publicAccessCidrs": ["0.0.0.0/0"]}),
        aws(
            CLUSTER,
            {"vpcConfig.endpointPublicAccess": True, "vpcConfig.publicAccessCidrs": ["198.51.100.0/24"]},
        ),
    ),
    "eks-secrets-kms": (aws(CLUSTER, {"encryptionConfig": DROP}), aws(CLUSTER)),
    "eks-control-plane-logs": (
        aws(CLUSTER, {"enabledClusterLogTypes": ["api", "authenticator"]}),
        aws(CLUSTER, {"enabledClusterLogTypes": ["api", "audit", "authenticator"]}),
    ),
    "eks-access-entries": (
        aws(CLUSTER, {"accessConfig": {"authenticationMode": "CONFIG_MAP"}}),
        aws(CLUSTER, {"accessConfig.authenticationMode": "API_AND_CONFIG_MAP"}),
    ),
    "eks-nodegroup-no-open-ssh": (
        aws("aws:eks/nodeGroup:NodeGroup", {"remoteAccess": {"ec2SshKey": "ops"}}),
        aws(
            "aws:eks/nodeGroup:NodeGroup",
            {"remoteAccess": {"ec2SshKey": "ops", "sourceSecurityGroupIds": ["sg-1"]}},
        ),
    ),
    "ec2-imdsv2": (
        aws(LT, {"metadataOptions.httpTokens": "optional"}),
        aws(LT, {"metadataOptions": {"httpEndpoint": "disabled"}}),
    ),
    "ec2-ebs-encrypted": (
        aws(LT, {"blockDeviceMappings.0.ebs.encrypted": "false"}),
        aws(LT, {"blockDeviceMappings.0.ebs.encrypted": True}),
    ),
    "ec2-private-nodes": (
        aws(LT, {"networkInterfaces.0.associatePublicIpAddress": "true"}),
        aws(LT, {"networkInterfaces": DROP}),
    ),
    "kms-rotation": (
        aws(KMS, {"enableKeyRotation": DROP}),
        aws(
            KMS, {"enableKeyRotation": False, "customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"}
        ),
    ),
    "kms-policy-safe": (
        aws(
            KMS,
            {"policy": _doc({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"})},
        ),
        aws(
            KMS,
            {
                "policy": _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "*"},
                        "Action": "kms:Decrypt",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}},
                    }
                )
            },
        ),
    ),
    "sqs-encrypted": (
        aws("aws:sqs/queue:Queue", {"kmsMasterKeyId": DROP}),
        aws("aws:sqs/queue:Queue", {"kmsMasterKeyId": DROP, "sqsManagedSseEnabled": True}),
    ),
    "iam-least-privilege": (
        aws("aws:iam/policy:Policy", {"policy": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}),
        aws("aws:iam/policy:Policy", {"policy": _doc({"Effect": "Deny", "Action": "*", "Resource": "*"})}),
    ),
    "irsa-trust-scoped": (
        aws(
            "aws:iam/role:Role",
            {
                "assumeRolePolicy": _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{OIDC}"},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                    }
                )
            },
        ),
        aws("aws:iam/role:Role"),
    ),
    "sg-no-world-ingress": (
        aws(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            {"cidrIpv4": "0.0.0.0/0", "fromPort": 22, "toPort": 22},
        ),
        aws("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"cidrIpv4": "0.0.0.0/0"}),
    ),
    "s3-hardened": (
        aws("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {"restrictPublicBuckets": False}),
        aws("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
    ),
    "prod-deletion-protection": (aws(CLUSTER, PROD), aws(CLUSTER, PROD, protect=True)),
    "karp-nodeclass-imdsv2": (
        karpenter(node_class, {"spec.metadataOptions.httpPutResponseHopLimit": 2}),
        karpenter(node_class, {"spec.metadataOptions": DROP}),
    ),
    "karp-nodeclass-ebs-encrypted": (
        karpenter(node_class, {"spec.blockDeviceMappings": DROP}),
        karpenter(node_class),
    ),
    "karp-nodepool-limits": (karpenter(node_pool, {"spec.limits": DROP}), karpenter(node_pool)),
    "karp-nodepool-expire": (
        karpenter(node_pool, {"spec.template.spec.expireAfter": "Never"}),
        karpenter(node_pool),
    ),
}
CASES.update(AWS_CASES)


def buckets(drop: tuple[str, ...] = (), changes: Mapping[str, Mapping[Path, Any]] | None = None) -> Case:
    """The compliant bucket stack of :meth:`Kit.bucket_stack` without ``drop`` and with per-key changes."""

    def build(kit: Kit) -> list[Resource]:
        out = []
        for key, resource in kit.bucket_stack().items():
            if key in drop:
                continue
            props = _apply(kit, copy.deepcopy(dict(resource.props)), (changes or {}).get(key, {}))
            out.append(
                Resource(
                    resource.type,
                    resource.name,
                    props,
                    urn=resource.urn,
                    property_dependencies=resource.property_dependencies,
                )
            )
        return out

    return build


CASES["s3-bucket-complete"] = (buckets(drop=("versioning",)), buckets())


def trusted_images(image: str) -> Case:
    """A stack whose admission policies allow the kit's ECR registry only, with a Deployment of ``image``."""

    def build(kit: Kit) -> list[Resource]:
        from platform_components.admission_policies import AdmissionPoliciesArgs, admission_documents

        args = AdmissionPoliciesArgs(
            images={"allowed_registries": ["123456789012.dkr.ecr.eu-west-1.amazonaws.com"]}
        )
        deployment = kit.deployment()
        kit.put(deployment, f"{C0}.image", image)
        return kit.resources(*admission_documents(args), deployment)

    return build


CASES["img-allowed-registries"] = (
    trusted_images("quay.io/evil/miner:1.0"),
    trusted_images("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4.2"),
)

# --- tenancy, service mesh and Gateway API (platform_components.policies.tenancy) --------------------------------

TEAM = "platform-components.io/team"
PSA = "pod-security.kubernetes.io/"
MESH_CNI = "platform-components.io/mesh-cni"
ISTIO_SEC = "security.istio.io/v1"
GW_API = "gateway.networking.k8s.io/v1"


def tenancy_objects(kit: Kit) -> list[dict[str, Any]]:
    """A compliant team namespace (ambient mesh) with everything the tenancy rules ask for."""
    ns = kit.namespace
    meta: dict[str, Any] = {"name": "api", "namespace": ns}
    psa = {f"{PSA}{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    psa |= {f"{PSA}{mode}-version": "v1.35" for mode in ("enforce", "audit", "warn")}
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": {TEAM: "shop", "istio.io/dataplane-mode": "ambient", **psa}},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": ns},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {**meta, "name": "quota"}, "spec": {}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": {**meta, "name": "limits"}, "spec": {}},
        {
            "apiVersion": ISTIO_SEC,
            "kind": "PeerAuthentication",
            "metadata": {**meta, "name": "default"},
            "spec": {"mtls": {"mode": "STRICT"}},
        },
        {
            "apiVersion": ISTIO_SEC,
            "kind": "AuthorizationPolicy",
            "metadata": {**meta, "name": "deny"},
            "spec": {},
        },
        {
            "apiVersion": GW_API,
            "kind": "Gateway",
            "metadata": {**meta, "name": "web"},
            "spec": {
                "gatewayClassName": "istio",
                "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
            },
        },
        kit.service(),
        {
            "apiVersion": GW_API,
            "kind": "HTTPRoute",
            "metadata": meta,
            "spec": {
                "parentRefs": [{"name": "web"}],
                "rules": [{"backendRefs": [{"name": "api", "port": 80}]}],
            },
        },
    ]


def tenancy(
    drop_kinds: tuple[str, ...] = (), changes: Mapping[str, Mapping[Path, Any]] | None = None
) -> Case:
    """The tenancy baseline without ``drop_kinds`` and with per-kind ``changes``."""

    def build(kit: Kit) -> list[Resource]:
        objects = [obj for obj in tenancy_objects(kit) if obj["kind"] not in drop_kinds]
        for obj in objects:
            _apply(kit, obj, (changes or {}).get(obj["kind"], {}))
        return kit.resources(*objects)

    return build


def ns_label(key: str) -> tuple[str, ...]:
    return ("metadata", "labels", key)


SIDECAR: dict[Path, Any] = {
    ns_label("istio.io/dataplane-mode"): DROP,
    ns_label("istio-injection"): "enabled",
}

TENANCY_CASES: dict[str, tuple[Case, Case]] = {
    "ns-psa-labels": (
        tenancy(changes={"Namespace": {ns_label(f"{PSA}enforce"): "baseline"}}),
        tenancy(changes={"Namespace": {ns_label(f"{PSA}warn-version"): "latest"}}),
    ),
    "ns-default-deny": (
        tenancy(changes={"NetworkPolicy": {"spec.policyTypes": ["Ingress"]}}),
        tenancy(changes={"NetworkPolicy": {"spec.podSelector": {"matchLabels": {}}}}),
    ),
    "mesh-strict-mtls": (
        tenancy(changes={"PeerAuthentication": {"spec.mtls.mode": "PERMISSIVE"}}),
        tenancy(changes={"PeerAuthentication": {"spec.mtls.mode": "UNSET"}}),
    ),
    "mesh-peer-authentication": (tenancy(drop_kinds=("PeerAuthentication",)), tenancy()),
    "mesh-authz-default": (tenancy(drop_kinds=("AuthorizationPolicy",)), tenancy()),
    "mesh-sidecar-cni": (
        tenancy(changes={"Namespace": SIDECAR}),
        tenancy(changes={"Namespace": {**SIDECAR, ("metadata", "annotations", MESH_CNI): "true"}}),
    ),
    "route-parent-exists": (
        tenancy(drop_kinds=("Gateway",)),
        tenancy(
            drop_kinds=("Gateway",),
            changes={"HTTPRoute": {"spec.parentRefs": [{"group": "", "kind": "Service", "name": "api"}]}},
        ),
    ),
    "route-backend-exists": (
        tenancy(changes={"HTTPRoute": {"spec.rules.0.backendRefs.0.name": "missing"}}),
        tenancy(),
    ),
    "ns-quota": (tenancy(drop_kinds=("LimitRange",)), tenancy()),
}
CASES.update(TENANCY_CASES)


# --- GitOps, progressive delivery and event-driven scaling ---------------------------------------------

SSH_REPO = "ssh://git@github.com/acme/platform.git"


def with_scaled_object(target: str) -> Case:
    """The baseline stack (its HPA scales Deployment api) plus a KEDA ScaledObject scaling ``target``."""

    def build(kit: Kit) -> list[Resource]:
        scaled = kit.scaled_object(target)
        scaled["metadata"]["name"] = f"{target}-keda"
        return kit.resources(*kit.stack(), scaled)

    return build


def rollout_next_to_deployment(*, migrate: bool) -> Case:
    """A Deployment api next to a Rollout: same name, or (``migrate``) a Rollout whose spec.workloadRef
    names the Deployment, scaled to 0."""

    def build(kit: Kit) -> list[Resource]:
        deployment = kit.deployment()
        if not migrate:
            return kit.resources(deployment, kit.rollout())
        deployment["spec"]["replicas"] = 0
        return kit.resources(deployment, kit.migration_rollout())

    return build


GITOPS_CASES: dict[str, tuple[Case, Case]] = {
    "argocd-app-project": (
        built("application", {"spec.project": "default"}),
        built("application_set"),  # templated project: judged per generated Application, not here
    ),
    "argocd-project-scoped": (
        built("app_project", {"spec.destinations.0.namespace": "*"}),
        built("app_project", {"spec.sourceRepos": ["https://github.com/acme/*"]}),
    ),
    "gitops-sync-prune-selfheal": (
        built("application", {"spec.syncPolicy.automated.selfHeal": False}),
        built("application", {"spec.syncPolicy": DROP}, environment="dev"),
    ),
    "gitops-repo-url": (
        built("application", {"spec.source.repoURL": "http://github.com/acme/platform.git"}),
        built("application", {"spec.source.repoURL": "git@github.com:acme/platform.git"}),
    ),
    "gitops-repo-credentials": (
        built("git_repository", url=SSH_REPO),
        built("git_repository", url=SSH_REPO, secret="platform-repository"),
    ),
    "scaling-single-owner": (with_scaled_object("api"), with_scaled_object("worker")),
    "delivery-single-controller": (
        rollout_next_to_deployment(migrate=False),
        rollout_next_to_deployment(migrate=True),
    ),
}
CASES.update(GITOPS_CASES)


# --- team programs: exemptions, references between components, mesh, environment ------------------------

EXEMPT_PRIVILEGED = {("metadata", "annotations", f"{EXEMPT_PREFIX}pss-privileged"): "CNI agent"}
MANAGED = {"app.kubernetes.io/managed-by": "platform-components"}
HTTP = [{"port": 8080, "protocol": "TCP"}]


def selector(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}


def component_policy(
    kit: Kit,
    owner: str,
    *,
    ingress: tuple[str, ...] = (),
    egress: tuple[str, ...] = (),
    externals: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A NetworkPolicy as a SecureWorkload renders it: admitting the workloads ``ingress`` and reaching
    the workloads ``egress`` on 8080, with the declared ``externals``."""
    metadata: dict[str, Any] = {
        "name": owner,
        "namespace": kit.namespace,
        "labels": {**selector(owner), **MANAGED},
    }
    if externals is not None:
        metadata["annotations"] = {EXTERNALS_ANNOTATION: json.dumps(externals)}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata,
        "spec": {
            "podSelector": {"matchLabels": selector(owner)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {"from": [{"podSelector": {"matchLabels": selector(p)}}], "ports": HTTP} for p in ingress
            ],
            "egress": [
                {"to": [{"podSelector": {"matchLabels": selector(p)}}], "ports": HTTP} for p in egress
            ],
        },
    }


def web_and_api(
    web_egress: tuple[str, ...] = ("api",),
    api_ingress: tuple[str, ...] = ("web",),
    externals: list[dict[str, str]] | None = None,
) -> Case:
    """Deployments web and api of one program; web calls api (both NetworkPolicies agree by default)."""

    def build(kit: Kit) -> list[Resource]:
        web = kit.deployment()
        web["metadata"]["name"] = "web"
        web["spec"]["selector"]["matchLabels"] = selector("web")
        web["spec"]["template"]["metadata"]["labels"] = {**kit.labels, **selector("web")}
        return kit.resources(
            kit.deployment(),
            web,
            component_policy(kit, "api", ingress=api_ingress),
            component_policy(kit, "web", egress=web_egress, externals=externals),
        )

    return build


LEDGER = [{"kind": "workload", "namespace": "team-a", "name": "ledger"}]  # conftest.NAMESPACE
#: The baseline Deployment as a SecureWorkload renders it, in a namespace this program does not declare.
SECURE_WORKLOAD = {("metadata", "labels", "app.kubernetes.io/managed-by"): "platform-components"}
MESH_RECORDED = {("metadata", "annotations", "platform-components.io/mesh"): "istio-ambient"}


def prod_database(*jobs: str) -> Case:
    """The baseline database (StatefulSet api with claims) as a StatefulDatabase renders it in prod,
    with the CronJobs ``api-<job>``."""

    def build(kit: Kit) -> list[Resource]:
        sts = kit.database()
        sts["metadata"]["labels"].update(
            {
                "app.kubernetes.io/managed-by": "platform-components",
                "app.kubernetes.io/component": "database",
                "platform-components.io/environment": "prod",
            }
        )
        cronjobs = []
        for job in jobs:
            cronjob = kit.workload("CronJob")
            cronjob["metadata"]["name"] = f"api-{job}"
            cronjobs.append(cronjob)
        return kit.resources(sts, *cronjobs)

    return build


TEAM_CASES: dict[str, tuple[Case, Case]] = {
    "policy-exemption-unused": (
        stack(changes={"Deployment": EXEMPT_PRIVILEGED}),
        stack(changes={"Deployment": {**EXEMPT_PRIVILEGED, f"{SC}.privileged": True}}),
    ),
    "ref-resolves": (
        web_and_api(web_egress=("apii",)),
        web_and_api(web_egress=("api", "ledger"), externals=LEDGER),
    ),
    "ref-mutual": (web_and_api(api_ingress=()), web_and_api()),
    "mesh-mode-known": (dep(SECURE_WORKLOAD), dep({**SECURE_WORKLOAD, **MESH_RECORDED})),
    "db-backup-required": (prod_database("backup"), prod_database("backup", "restore-test")),
    "ref-external-unused": (
        web_and_api(externals=LEDGER),
        web_and_api(web_egress=("api", "ledger"), externals=LEDGER),
    ),
}
CASES.update(TEAM_CASES)


ALL_IDS = sorted([rule.id for rule in RULES] + [rule.id for rule in STACK_RULES])
FIXES = {rule.id: rule.fix for rule in (*RULES, *STACK_RULES)}


def test_registry_covers_every_rule() -> None:
    assert set(CASES) == set(ALL_IDS)


@pytest.mark.parametrize("rule_id", ALL_IDS)
def test_rule_fires_on_bad_case(kit: Kit, rule_id: str) -> None:
    bad, _ = CASES[rule_id]
    hits = [v for v in check(bad(kit)).violations if v.rule_id == rule_id]
    assert hits, f"{rule_id} did not fire on its bad case"
    for violation in hits:
        assert violation.message.startswith(f"{violation.resource}: ")


@pytest.mark.parametrize("rule_id", ALL_IDS)
def test_rule_silent_on_good_case(kit: Kit, rule_id: str) -> None:
    _, good = CASES[rule_id]
    hits = [v.message for v in check(good(kit)).violations if v.rule_id == rule_id]
    assert hits == []


#: Words of a fix's code spans too common to tie it to a finding (nearly every message has them).
GENERIC_WORDS = frozenset({"spec", "metadata", "template", "name", "true", "false"})
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _named(fix: str) -> set[str]:
    """The words of the fix's code spans (`securityContext.runAsNonRoot: true` -> securityContext,
    runAsNonRoot), less generic ones."""
    words = {word for span in re.findall(r"`([^`]+)`", fix) for word in WORD.findall(span)}
    return {word for word in words if len(word) > 2 and word not in GENERIC_WORDS}


@pytest.mark.parametrize("rule_id", ALL_IDS)
def test_fix_names_what_its_finding_names(kit: Kit, rule_id: str) -> None:
    """The rule's fix (what the catalogue shows) speaks of a field, kind or argument that its finding on
    the bad case names too: the fix belongs to this rule's check."""
    bad, _ = CASES[rule_id]
    messages = " ".join(v.message for v in check(bad(kit)).violations if v.rule_id == rule_id)
    named = _named(FIXES[rule_id])
    shared = {
        word for word in named if re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", messages)
    }
    assert shared, f"{rule_id}: its fix names {sorted(named)}, its finding none of them: {messages}"


def test_baseline_stack_is_fully_compliant(kit: Kit) -> None:
    evaluation = check(kit.stack_resources())
    assert [v.message for v in evaluation.violations] == []
    assert evaluation.exemptions == []


def test_database_stack_is_fully_compliant(kit: Kit) -> None:
    """A StatefulSet with claims, its PDB and NetworkPolicy, and a complete backup bucket."""
    objects = [kit.database(), kit.service(), kit.service_account(), kit.pdb(), kit.network_policy()]
    evaluation = check([*kit.resources(*objects), *kit.bucket_stack().values()])
    assert [v.message for v in evaluation.violations] == []


@pytest.mark.parametrize(
    "kind", ["Pod", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Rollout"]
)
def test_baseline_pod_template_is_compliant_for_every_kind(kit: Kit, kind: str) -> None:
    """The baseline pod spec passes every resource rule under each pod-bearing kind."""
    from platform_components.policies import evaluate

    evaluation = evaluate([kit.resource(kit.workload(kind))], RULES)
    assert [v.message for v in evaluation.violations] == []
