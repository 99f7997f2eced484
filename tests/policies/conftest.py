"""Fixtures for the policy tests: a fully compliant baseline stack and helpers to mutate copies of it.

Test modules receive a :class:`Kit` through the ``kit`` fixture; every builder returns a fresh object,
so tests mutate freely.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pytest
from platform_components.policies import Resource

Props = dict[str, Any]
Path = str | Sequence[str | int]

NAMESPACE = "team-a"
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
KMS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4.2"
SELECTOR = {"app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api"}
LABELS = {
    **SELECTOR,
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "shop",
}
#: Kind -> (apiVersion, pod-template path below the object root, PS path for messages).
POD_KINDS: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "Pod": ("v1", (), "spec"),
    "Deployment": ("apps/v1", ("spec", "template"), "spec.template.spec"),
    "StatefulSet": ("apps/v1", ("spec", "template"), "spec.template.spec"),
    "DaemonSet": ("apps/v1", ("spec", "template"), "spec.template.spec"),
    "ReplicaSet": ("apps/v1", ("spec", "template"), "spec.template.spec"),
    "Job": ("batch/v1", ("spec", "template"), "spec.template.spec"),
    "CronJob": (
        "batch/v1",
        ("spec", "jobTemplate", "spec", "template"),
        "spec.jobTemplate.spec.template.spec",
    ),
    "Rollout": ("argoproj.io/v1alpha1", ("spec", "template"), "spec.template.spec"),
}
ENVIRONMENT = "platform-components.io/environment"
ARGO_NAMESPACE = "argocd"
REPO = "https://github.com/acme/platform.git"


def type_token(props: Mapping[str, Any]) -> str:
    """``kubernetes:apps/v1:Deployment`` from ``apiVersion`` and ``kind`` (core group for ``v1``)."""
    api_version = str(props["apiVersion"])
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{props['kind']}"


def _segments(path: Path) -> list[str | int]:
    if isinstance(path, str):
        return [int(part) if part.isdigit() else part for part in path.split(".")]
    return list(path)


class Kit:
    """Builders for compliant objects and helpers to turn manifests into :class:`Resource` objects."""

    namespace = NAMESPACE
    labels = LABELS

    # --- generic helpers ----------------------------------------------------------------------------

    @staticmethod
    def _parent(obj: Any, parts: list[str | int]) -> Any:
        target = obj
        for part in parts[:-1]:
            if isinstance(part, int):
                target = target[part]
            else:
                if not isinstance(target.get(part), dict | list):
                    target[part] = {}
                target = target[part]
        return target

    def put(self, obj: Any, path: Path, value: Any) -> Any:
        """Set ``path`` in ``obj`` to a copy of ``value``, creating mappings on the way; returns ``obj``.

        ``path`` is ``"spec.template.spec.containers.0.image"`` or a sequence of keys and indexes (for keys
        that contain dots, such as label names).
        """
        parts = _segments(path)
        self._parent(obj, parts)[parts[-1]] = copy.deepcopy(value)
        return obj

    def drop(self, obj: Any, path: Path) -> Any:
        """Remove ``path`` from ``obj`` (no error when it is absent); returns ``obj``."""
        parts = _segments(path)
        parent = self._parent(obj, parts)
        if isinstance(parts[-1], int):
            del parent[parts[-1]]
        else:
            parent.pop(parts[-1], None)
        return obj

    @staticmethod
    def resource(props: Mapping[str, Any], name: str | None = None) -> Resource:
        token = type_token(props)
        meta = props.get("metadata")
        logical = name or (meta.get("name") if isinstance(meta, Mapping) else None) or "object"
        return Resource(token, str(logical), props, urn=f"urn:pulumi:test::platform::{token}::{logical}")

    def resources(self, *objects: Mapping[str, Any]) -> list[Resource]:
        return [self.resource(obj) for obj in objects]

    # --- pod pieces ---------------------------------------------------------------------------------

    def container(self) -> Props:
        return {
            "name": "api",
            "image": IMAGE,
            "imagePullPolicy": "Always",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": "LOG_LEVEL", "value": "info"}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "128Mi"}},
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            },
            "livenessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 10},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        }

    def pod_spec(self) -> Props:
        return {
            "serviceAccountName": "api",
            "automountServiceAccountToken": False,
            "priorityClassName": "platform-standard",
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 65532,
                "runAsGroup": 65532,
                "fsGroup": 65532,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [self.container()],
            "volumes": [{"name": "tmp", "emptyDir": {}}],
        }

    def pod_metadata(self) -> Props:
        return {"labels": dict(LABELS)}

    def metadata(self, name: str = "api") -> Props:
        return {"name": name, "namespace": NAMESPACE, "labels": dict(LABELS)}

    # --- objects ------------------------------------------------------------------------------------

    def deployment(self) -> Props:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": self.metadata(),
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": dict(SELECTOR)},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                "template": {"metadata": self.pod_metadata(), "spec": self.pod_spec()},
            },
        }

    def workload(self, kind: str) -> Props:
        """A compliant object of any pod-bearing kind, built around the baseline pod spec."""
        if kind == "Deployment":
            return self.deployment()
        api_version, template_path, _ = POD_KINDS[kind]
        pod_spec = self.pod_spec()
        if kind in ("Job", "CronJob"):
            pod_spec["restartPolicy"] = "Never"
        obj: Props = {"apiVersion": api_version, "kind": kind, "metadata": self.metadata()}
        if not template_path:
            obj["spec"] = pod_spec
            obj["metadata"]["labels"] = dict(LABELS)
            return obj
        spec: Props = {}
        if kind in ("StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"):
            spec["selector"] = {"matchLabels": dict(SELECTOR)}
        if kind == "Rollout":
            spec.update(
                {"replicas": 2, "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}]}}}
            )
        if kind == "StatefulSet":
            spec["serviceName"] = "api"
        obj["spec"] = spec
        if kind == "CronJob":
            spec.update({"schedule": "*/5 * * * *", "startingDeadlineSeconds": 120})
        self.put(obj, template_path, {"metadata": self.pod_metadata(), "spec": pod_spec})
        return obj

    def pod_spec_path(self, kind: str) -> str:
        return POD_KINDS[kind][2]

    def pod_spec_of(self, obj: Props) -> Props:
        """The (mutable) pod spec of ``obj``."""
        template_path = POD_KINDS[str(obj["kind"])][1]
        target: Any = obj
        for key in template_path:
            target = target[key]
        spec: Props = target["spec"] if template_path else obj["spec"]
        return spec

    def service(self) -> Props:
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": self.metadata(),
            "spec": {
                "type": "ClusterIP",
                "selector": dict(SELECTOR),
                "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
            },
        }

    def service_account(self, name: str = "api") -> Props:
        return {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": self.metadata(name),
            "automountServiceAccountToken": False,
        }

    def pdb(self) -> Props:
        return {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": self.metadata(),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(SELECTOR)}},
        }

    def hpa(self) -> Props:
        return {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": self.metadata(),
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
                "minReplicas": 2,
                "maxReplicas": 5,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 70},
                        },
                    }
                ],
            },
        }

    def rollout(self) -> Props:
        """A compliant Argo Rollout (canary) with the baseline pod template, 2 replicas."""
        return self.workload("Rollout")

    def migration_rollout(self, deployment: str = "api") -> Props:
        """A Rollout that runs a Deployment's pod template (spec.workloadRef), as in the documented
        migration from a Deployment."""
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Rollout",
            "metadata": self.metadata("api-rollout"),
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": dict(SELECTOR)},
                "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment},
                "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}]}},
            },
        }

    def scaled_object(self, target: str = "api", kind: str | None = None) -> Props:
        """A KEDA ScaledObject scaling ``target`` (kind defaults to Deployment) between 2 and 10."""
        ref: Props = {"name": target}
        if kind is not None:
            ref["kind"] = kind
        return {
            "apiVersion": "keda.sh/v1alpha1",
            "kind": "ScaledObject",
            "metadata": self.metadata(),
            "spec": {
                "scaleTargetRef": ref,
                "minReplicaCount": 2,
                "maxReplicaCount": 10,
                "triggers": [{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "70"}}],
            },
        }

    # --- GitOps ---------------------------------------------------------------------------------------

    def argo_metadata(self, name: str, environment: str | None = "prod") -> Props:
        meta: Props = {"name": name, "namespace": ARGO_NAMESPACE, "labels": {}}
        if environment is not None:
            meta["labels"][ENVIRONMENT] = environment
        return meta

    def application(self, environment: str | None = "prod") -> Props:
        """A compliant Argo CD Application: a dedicated project, HTTPS source, automated prune and self-heal."""
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": self.argo_metadata("platform", environment),
            "spec": {
                "project": "platform",
                "source": {"repoURL": REPO, "targetRevision": "main", "path": "clusters/prod"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
                "syncPolicy": {
                    "automated": {"prune": True, "selfHeal": True},
                    "syncOptions": ["ServerSideApply=true"],
                },
            },
        }

    def application_set(self, environment: str | None = "prod") -> Props:
        """A compliant ApplicationSet generating one Application per team from a Git directory generator."""
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "ApplicationSet",
            "metadata": self.argo_metadata("teams", environment),
            "spec": {
                "goTemplate": True,
                "generators": [
                    {"git": {"repoURL": REPO, "revision": "main", "directories": [{"path": "teams/*"}]}}
                ],
                "template": {
                    "metadata": {"name": "{{.path.basename}}"},
                    "spec": {
                        "project": "{{.path.basename}}",
                        "source": {"repoURL": REPO, "targetRevision": "main", "path": "{{.path.path}}"},
                        "destination": {
                            "server": "https://kubernetes.default.svc",
                            "namespace": "{{.path.basename}}",
                        },
                        "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
                    },
                },
            },
        }

    def app_project(self, name: str = "team-a") -> Props:
        """A compliant AppProject: one repository, one namespace, no cluster-scoped resources."""
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "AppProject",
            "metadata": self.argo_metadata(name),
            "spec": {
                "sourceRepos": [REPO],
                "destinations": [{"server": "https://kubernetes.default.svc", "namespace": NAMESPACE}],
                "clusterResourceWhitelist": [],
            },
        }

    def repo_secret(self, string_data: Mapping[str, Any] | None = None) -> Props:
        """An Argo CD repository Secret (label argocd.argoproj.io/secret-type: repository)."""
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "platform-repository",
                "namespace": ARGO_NAMESPACE,
                "labels": {"argocd.argoproj.io/secret-type": "repository"},
            },
            "stringData": dict(string_data)
            if string_data is not None
            else {"type": "git", "url": REPO, "username": "git", "password": "[secret]"},
        }

    def git_repository(self, url: str = REPO, secret: str | None = None) -> Props:
        """A Flux GitRepository (source.toolkit.fluxcd.io/v1)."""
        spec: Props = {"url": url, "interval": "1m", "ref": {"branch": "main"}}
        if secret is not None:
            spec["secretRef"] = {"name": secret}
        return {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": "platform", "namespace": "flux-system", "labels": {ENVIRONMENT: "prod"}},
            "spec": spec,
        }

    def kustomization(self, environment: str | None = "prod") -> Props:
        """A compliant Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) that prunes."""
        meta: Props = {"name": "platform", "namespace": "flux-system", "labels": {}}
        if environment is not None:
            meta["labels"][ENVIRONMENT] = environment
        return {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": meta,
            "spec": {
                "interval": "10m",
                "path": "./clusters/prod",
                "prune": True,
                "sourceRef": {"kind": "GitRepository", "name": "platform"},
            },
        }

    def network_policy(self) -> Props:
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": self.metadata(),
            "spec": {
                "podSelector": {"matchLabels": dict(SELECTOR)},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [
                    {
                        "from": [
                            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}}}
                        ],
                        "ports": [{"port": "http"}],
                    }
                ],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                                }
                            }
                        ],
                        "ports": [{"port": 53, "protocol": "UDP"}],
                    }
                ],
            },
        }

    def role(self, rules: Iterable[Mapping[str, Any]] | None = None, kind: str = "Role") -> Props:
        obj: Props = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": kind,
            "metadata": self.metadata("api-reader"),
            "rules": [dict(rule) for rule in rules]
            if rules is not None
            else [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}],
        }
        if kind == "ClusterRole":
            obj["metadata"].pop("namespace")
        return obj

    def binding(
        self,
        subjects: Iterable[Mapping[str, Any]] | None = None,
        role_ref: Mapping[str, Any] | None = None,
        kind: str = "RoleBinding",
    ) -> Props:
        obj: Props = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": kind,
            "metadata": self.metadata("api-reader"),
            "roleRef": dict(role_ref)
            if role_ref is not None
            else {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "api-reader"},
            "subjects": [dict(s) for s in subjects]
            if subjects is not None
            else [{"kind": "ServiceAccount", "name": "api", "namespace": NAMESPACE}],
        }
        if kind == "ClusterRoleBinding":
            obj["metadata"].pop("namespace")
        return obj

    def config_map(self, data: Mapping[str, Any] | None = None) -> Props:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": self.metadata("api-config"),
            "data": dict(data) if data is not None else {"LOG_LEVEL": "info", "FEATURE_FLAGS": "a,b"},
        }

    def database(self) -> Props:
        """A compliant StatefulSet that keeps data: volume claim templates, claims retained (the API
        default) and the Karpenter do-not-disrupt annotation on its pods."""
        sts = self.workload("StatefulSet")
        sts["spec"]["volumeClaimTemplates"] = [
            {
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
            }
        ]
        sts["spec"]["template"]["metadata"]["annotations"] = {DO_NOT_DISRUPT: "true"}
        return sts

    def bucket_stack(self, name: str = "backups") -> dict[str, Resource]:
        """A compliant S3 bucket with its encryption, versioning and public access block resources, keyed
        by ``bucket``, ``sse``, ``versioning`` and ``block``.

        As in a preview of ``bucket=bucket.id``: the bucket has no ``bucket`` prop (auto-named), the
        configurations' ``bucket`` is a generated name and each depends through ``bucket`` on the
        bucket's URN.
        """
        bucket_urn = f"urn:pulumi:test::platform::{S3_BUCKET}::{name}"
        generated = f"{name}-1a2b3c4"
        deps = {"bucket": [bucket_urn]}

        def config(type_: str, suffix: str, props: Props) -> Resource:
            return Resource(
                type_,
                f"{name}-{suffix}",
                {"bucket": generated, **props},
                urn=f"urn:pulumi:test::platform::{type_}::{name}-{suffix}",
                property_dependencies=deps,
            )

        return {
            "bucket": Resource(S3_BUCKET, name, {"forceDestroy": False}, urn=bucket_urn),
            "sse": config(
                S3_SSE,
                "encryption",
                {
                    "rules": [
                        {
                            "applyServerSideEncryptionByDefault": {
                                "sseAlgorithm": "aws:kms",
                                "kmsMasterKeyId": KMS_KEY_ARN,
                            },
                            "bucketKeyEnabled": True,
                        }
                    ]
                },
            ),
            "versioning": config(
                S3_VERSIONING, "versioning", {"versioningConfiguration": {"status": "Enabled"}}
            ),
            "block": config(
                S3_PUBLIC_ACCESS_BLOCK,
                "public-access-block",
                dict.fromkeys(S3_BLOCK_FLAGS, True),
            ),
        }

    def stack(self) -> list[Props]:
        """The compliant baseline stack: Deployment, Service, ServiceAccount, PDB, HPA and NetworkPolicy."""
        return [
            self.deployment(),
            self.service(),
            self.service_account(),
            self.pdb(),
            self.hpa(),
            self.network_policy(),
        ]

    def stack_resources(self) -> list[Resource]:
        return self.resources(*self.stack())


@pytest.fixture
def kit() -> Kit:
    return Kit()
