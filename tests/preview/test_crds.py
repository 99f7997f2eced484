"""Custom resources validated against the shipped CRDs (platform_components.preview.crds).

One valid object per shipped kind (storage version), an object breaking a schema rule for every
kind, and an object breaking a CEL rule for every kind that has one.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from platform_components.preview import cel, crds
from platform_components.preview.schema import validate_manifest

K8S = "1.35"


def meta(name: str, ns: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if ns:
        out["namespace"] = ns
    return out


VALID: dict[tuple[str, str], dict[str, Any]] = {}


def add(api: str, kind: str, spec: dict[str, Any], ns: str | None = "apps") -> None:
    VALID[(api, kind)] = {"apiVersion": api, "kind": kind, "metadata": meta(kind.lower(), ns), "spec": spec}


# Karpenter
add(
    "karpenter.sh/v1",
    "NodePool",
    {
        "template": {
            "metadata": {"labels": {"team": "platform"}},
            "spec": {
                "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
                "requirements": [
                    {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64", "arm64"]},
                    {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot", "on-demand"]},
                    {
                        "key": "karpenter.k8s.aws/instance-category",
                        "operator": "In",
                        "values": ["c", "m", "r"],
                    },
                    {"key": "karpenter.k8s.aws/instance-generation", "operator": "Gt", "values": ["4"]},
                ],
                "expireAfter": "720h",
                "taints": [{"key": "dedicated", "value": "platform", "effect": "NoSchedule"}],
            },
        },
        "limits": {"cpu": "1000", "memory": "1000Gi"},
        "disruption": {
            "consolidationPolicy": "WhenEmptyOrUnderutilized",
            "consolidateAfter": "1m",
            "budgets": [
                {"nodes": "10%"},
                {"nodes": "0", "schedule": "0 9 * * mon-fri", "duration": "8h", "reasons": ["Drifted"]},
            ],
        },
        "weight": 10,
    },
    ns=None,
)
add(
    "karpenter.sh/v1",
    "NodeClaim",
    {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
        "requirements": [
            {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["m7i.large"]}
        ],
        "expireAfter": "720h",
    },
    ns=None,
)
add(
    "karpenter.k8s.aws/v1",
    "EC2NodeClass",
    {
        "role": "KarpenterNodeRole-prod",
        "amiSelectorTerms": [{"alias": "al2023@latest"}],
        "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "prod"}}],
        "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "prod"}}],
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpTokens": "required",
            "httpPutResponseHopLimit": 1,
        },
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "rootVolume": True,
                "ebs": {"volumeSize": "100Gi", "volumeType": "gp3", "encrypted": True},
            }
        ],
        "tags": {"team": "platform"},
    },
    ns=None,
)

# Argo CD
add(
    "argoproj.io/v1alpha1",
    "Application",
    {
        "project": "default",
        "source": {
            "repoURL": "https://github.com/example/deploy.git",
            "path": "apps/web",
            "targetRevision": "main",
        },
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "web"},
        "syncPolicy": {
            "automated": {"prune": True, "selfHeal": True},
            "syncOptions": ["CreateNamespace=true"],
        },
    },
    ns="argocd",
)
add(
    "argoproj.io/v1alpha1",
    "ApplicationSet",
    {
        "generators": [
            {"list": {"elements": [{"cluster": "prod", "url": "https://kubernetes.default.svc"}]}}
        ],
        "template": {
            "metadata": {"name": "{{cluster}}-web"},
            "spec": {
                "project": "default",
                "source": {
                    "repoURL": "https://github.com/example/deploy.git",
                    "path": "apps/web",
                    "targetRevision": "main",
                },
                "destination": {"server": "{{url}}", "namespace": "web"},
            },
        },
    },
    ns="argocd",
)
add(
    "argoproj.io/v1alpha1",
    "AppProject",
    {
        "sourceRepos": ["https://github.com/example/*"],
        "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "web"}],
        "clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
    },
    ns="argocd",
)

# Argo Rollouts
add(
    "argoproj.io/v1alpha1",
    "Rollout",
    {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]
            },
        },
        "strategy": {
            "canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "1m"}}, {"setWeight": 100}]}
        },
    },
)
add(
    "argoproj.io/v1alpha1",
    "AnalysisTemplate",
    {
        "metrics": [
            {
                "name": "success-rate",
                "interval": "1m",
                "successCondition": "result[0] >= 0.95",
                "provider": {
                    "prometheus": {"address": "http://prometheus:9090", "query": "sum(rate(x[1m]))"}
                },
            }
        ],
    },
)
add(
    "argoproj.io/v1alpha1",
    "ClusterAnalysisTemplate",
    {
        "metrics": [
            {
                "name": "success-rate",
                "interval": "1m",
                "successCondition": "result[0] >= 0.95",
                "provider": {
                    "prometheus": {"address": "http://prometheus:9090", "query": "sum(rate(x[1m]))"}
                },
            }
        ],
    },
    ns=None,
)

# Flux
add(
    "source.toolkit.fluxcd.io/v1",
    "GitRepository",
    {
        "interval": "5m",
        "url": "https://github.com/example/deploy",
        "ref": {"branch": "main"},
    },
    ns="flux-system",
)
add(
    "source.toolkit.fluxcd.io/v1",
    "OCIRepository",
    {
        "interval": "5m",
        "url": "oci://ghcr.io/example/manifests",
        "ref": {"tag": "latest"},
    },
    ns="flux-system",
)
add(
    "source.toolkit.fluxcd.io/v1",
    "HelmRepository",
    {
        "interval": "1h",
        "url": "https://charts.example.com",
    },
    ns="flux-system",
)
add(
    "source.toolkit.fluxcd.io/v1",
    "HelmChart",
    {
        "interval": "10m",
        "chart": "podinfo",
        "version": "6.x",
        "sourceRef": {"kind": "HelmRepository", "name": "podinfo"},
    },
    ns="flux-system",
)
add(
    "source.toolkit.fluxcd.io/v1",
    "Bucket",
    {
        "interval": "5m",
        "bucketName": "manifests",
        "endpoint": "s3.amazonaws.com",
        "provider": "aws",
        "region": "eu-west-1",
    },
    ns="flux-system",
)
add(
    "source.toolkit.fluxcd.io/v1",
    "ExternalArtifact",
    {
        "sourceRef": {"apiVersion": "example.com/v1", "kind": "Generator", "name": "gen"},
    },
    ns="flux-system",
)
add(
    "kustomize.toolkit.fluxcd.io/v1",
    "Kustomization",
    {
        "interval": "10m",
        "path": "./apps/web",
        "prune": True,
        "wait": True,
        "timeout": "5m",
        "sourceRef": {"kind": "GitRepository", "name": "deploy"},
    },
    ns="flux-system",
)
add(
    "helm.toolkit.fluxcd.io/v2",
    "HelmRelease",
    {
        "interval": "10m",
        "chart": {
            "spec": {
                "chart": "podinfo",
                "version": "6.x",
                "sourceRef": {"kind": "HelmRepository", "name": "podinfo"},
            }
        },
        "values": {"replicaCount": 2},
        "install": {"remediation": {"retries": 3}},
    },
    ns="flux-system",
)
add(
    "notification.toolkit.fluxcd.io/v1beta3",
    "Provider",
    {
        "type": "slack",
        "channel": "platform-alerts",
        "secretRef": {"name": "slack-webhook"},
    },
    ns="flux-system",
)
add(
    "notification.toolkit.fluxcd.io/v1beta3",
    "Alert",
    {
        "providerRef": {"name": "slack"},
        "eventSeverity": "error",
        "eventSources": [
            {"kind": "Kustomization", "name": "*"},
            {"kind": "HelmRelease", "name": "podinfo", "namespace": "apps"},
        ],
        "eventMetadata": {"cluster": "prod"},
    },
    ns="flux-system",
)
add(
    "notification.toolkit.fluxcd.io/v1",
    "Receiver",
    {
        "type": "github",
        "events": ["ping", "push"],
        "secretRef": {"name": "github-webhook-token"},
        "resources": [{"kind": "GitRepository", "name": "deploy"}],
    },
    ns="flux-system",
)

# Gateway API
add(
    "gateway.networking.k8s.io/v1",
    "GatewayClass",
    {"controllerName": "example.com/gateway-controller"},
    ns=None,
)
add(
    "gateway.networking.k8s.io/v1",
    "Gateway",
    {
        "gatewayClassName": "public",
        "listeners": [
            {"name": "http", "protocol": "HTTP", "port": 80},
            {
                "name": "https",
                "protocol": "HTTPS",
                "port": 443,
                "hostname": "*.example.com",
                "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "wildcard-tls"}]},
                "allowedRoutes": {"namespaces": {"from": "All"}},
            },
        ],
    },
    ns="gateways",
)
add(
    "gateway.networking.k8s.io/v1",
    "HTTPRoute",
    {
        "parentRefs": [{"name": "public", "namespace": "gateways", "sectionName": "https"}],
        "hostnames": ["app.example.com"],
        "rules": [
            {
                "matches": [{"path": {"type": "PathPrefix", "value": "/api"}, "method": "GET"}],
                "filters": [
                    {
                        "type": "RequestHeaderModifier",
                        "requestHeaderModifier": {"set": [{"name": "X-Env", "value": "prod"}]},
                    }
                ],
                "backendRefs": [
                    {"name": "api", "port": 8080, "weight": 90},
                    {"name": "api-canary", "port": 8080, "weight": 10},
                ],
                "timeouts": {"request": "10s", "backendRequest": "5s"},
            },
            {
                "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                "backendRefs": [{"name": "web", "port": 80}],
            },
        ],
    },
)
add(
    "gateway.networking.k8s.io/v1",
    "GRPCRoute",
    {
        "parentRefs": [{"name": "public", "namespace": "gateways"}],
        "hostnames": ["grpc.example.com"],
        "rules": [
            {
                "matches": [{"method": {"service": "example.Echo", "method": "Ping"}}],
                "backendRefs": [{"name": "echo", "port": 9000}],
            }
        ],
    },
)
add(
    "gateway.networking.k8s.io/v1beta1",
    "ReferenceGrant",
    {
        "from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "apps"}],
        "to": [{"group": "", "kind": "Service"}],
    },
    ns="backends",
)
add(
    "gateway.networking.k8s.io/v1",
    "BackendTLSPolicy",
    {
        "targetRefs": [{"group": "", "kind": "Service", "name": "api"}],
        "validation": {"hostname": "api.example.com", "wellKnownCACertificates": "System"},
    },
)
add(
    "gateway.networking.k8s.io/v1",
    "ListenerSet",
    {
        "parentRef": {"name": "public", "namespace": "gateways"},
        "listeners": [
            {
                "name": "team-https",
                "protocol": "HTTPS",
                "port": 443,
                "hostname": "team.example.com",
                "tls": {"mode": "Terminate", "certificateRefs": [{"name": "team-tls"}]},
            }
        ],
    },
)
add(
    "gateway.networking.k8s.io/v1",
    "TCPRoute",
    {
        "parentRefs": [{"name": "public", "namespace": "gateways", "sectionName": "tcp"}],
        "rules": [{"backendRefs": [{"name": "db", "port": 5432}]}],
    },
)
add(
    "gateway.networking.k8s.io/v1",
    "TLSRoute",
    {
        "parentRefs": [{"name": "public", "namespace": "gateways", "sectionName": "tls"}],
        "hostnames": ["secure.example.com"],
        "rules": [{"backendRefs": [{"name": "secure", "port": 8443}]}],
    },
)
add(
    "gateway.networking.k8s.io/v1",
    "UDPRoute",
    {
        "parentRefs": [{"name": "public", "namespace": "gateways", "sectionName": "dns"}],
        "rules": [{"backendRefs": [{"name": "dns", "port": 53}]}],
    },
)

# Istio
add(
    "networking.istio.io/v1",
    "VirtualService",
    {
        "hosts": ["reviews.apps.svc.cluster.local"],
        "http": [
            {
                "match": [{"uri": {"prefix": "/v2"}}],
                "route": [{"destination": {"host": "reviews", "subset": "v2"}, "weight": 100}],
                "timeout": "5s",
                "retries": {"attempts": 3, "perTryTimeout": "2s"},
            }
        ],
    },
)
add(
    "networking.istio.io/v1",
    "DestinationRule",
    {
        "host": "reviews.apps.svc.cluster.local",
        "trafficPolicy": {
            "tls": {"mode": "ISTIO_MUTUAL"},
            "connectionPool": {"http": {"http2MaxRequests": 1000, "idleTimeout": "30s"}},
            "outlierDetection": {"consecutive5xxErrors": 5, "interval": "10s", "baseEjectionTime": "30s"},
        },
        "subsets": [{"name": "v2", "labels": {"version": "v2"}}],
    },
)
add(
    "networking.istio.io/v1",
    "Gateway",
    {
        "selector": {"istio": "ingressgateway"},
        "servers": [
            {
                "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                "hosts": ["*.example.com"],
                "tls": {"mode": "SIMPLE", "credentialName": "wildcard-tls"},
            }
        ],
    },
    ns="istio-system",
)
add(
    "networking.istio.io/v1",
    "ServiceEntry",
    {
        "hosts": ["api.external.com"],
        "location": "MESH_EXTERNAL",
        "resolution": "DNS",
        "ports": [{"number": 443, "name": "https", "protocol": "TLS"}],
    },
)
add(
    "networking.istio.io/v1",
    "Sidecar",
    {
        "egress": [{"hosts": ["./*", "istio-system/*"]}],
        "outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"},
    },
)
add(
    "networking.istio.io/v1",
    "WorkloadEntry",
    {"address": "10.0.0.12", "labels": {"app": "legacy"}, "serviceAccount": "legacy"},
)
add(
    "networking.istio.io/v1",
    "WorkloadGroup",
    {
        "metadata": {"labels": {"app": "legacy"}},
        "template": {"serviceAccount": "legacy", "network": "vm-network"},
        "probe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5},
    },
)
add(
    "networking.istio.io/v1alpha3",
    "EnvoyFilter",
    {
        "workloadSelector": {"labels": {"app": "web"}},
        "configPatches": [
            {
                "applyTo": "HTTP_FILTER",
                "match": {"context": "SIDECAR_INBOUND"},
                "patch": {"operation": "INSERT_BEFORE", "value": {"name": "envoy.filters.http.lua"}},
            }
        ],
    },
)
add("networking.istio.io/v1beta1", "ProxyConfig", {"concurrency": 2, "image": {"imageType": "distroless"}})
add(
    "security.istio.io/v1",
    "AuthorizationPolicy",
    {
        "selector": {"matchLabels": {"app": "web"}},
        "action": "ALLOW",
        "rules": [
            {
                "from": [{"source": {"principals": ["cluster.local/ns/apps/sa/frontend"]}}],
                "to": [{"operation": {"methods": ["GET"], "paths": ["/api/*"]}}],
            }
        ],
    },
)
add("security.istio.io/v1", "PeerAuthentication", {"mtls": {"mode": "STRICT"}})
add(
    "security.istio.io/v1",
    "RequestAuthentication",
    {
        "selector": {"matchLabels": {"app": "web"}},
        "jwtRules": [
            {
                "issuer": "https://issuer.example.com",
                "jwksUri": "https://issuer.example.com/.well-known/jwks.json",
            }
        ],
    },
)
add(
    "telemetry.istio.io/v1alpha1",
    "Telemetry",
    {
        "tracing": [{"providers": [{"name": "otel"}], "randomSamplingPercentage": 10.0}],
        "accessLogging": [{"providers": [{"name": "envoy"}]}],
    },
)
add(
    "extensions.istio.io/v1alpha1",
    "WasmPlugin",
    {
        "selector": {"matchLabels": {"app": "web"}},
        "url": "oci://ghcr.io/example/filter:1.0",
        "phase": "AUTHN",
        "pluginConfig": {"header": "x-example"},
    },
)
add(
    "extensions.istio.io/v1alpha1",
    "TrafficExtension",
    {
        "selector": {"matchLabels": {"app": "web"}},
        "phase": "AUTHN",
        "wasm": {"url": "oci://ghcr.io/example/filter:1.0"},
    },
)

# KEDA
add(
    "keda.sh/v1alpha1",
    "ScaledObject",
    {
        "scaleTargetRef": {"name": "worker"},
        "minReplicaCount": 1,
        "maxReplicaCount": 20,
        "triggers": [
            {
                "type": "aws-sqs-queue",
                "metadata": {"queueURL": "https://sqs.eu-west-1.amazonaws.com/1/q", "queueLength": "5"},
                "authenticationRef": {"name": "aws"},
            }
        ],
    },
)
add(
    "keda.sh/v1alpha1",
    "ScaledJob",
    {
        "jobTargetRef": {
            "template": {
                "spec": {"containers": [{"name": "job", "image": "busybox:1.36"}], "restartPolicy": "Never"}
            }
        },
        "triggers": [
            {"type": "aws-sqs-queue", "metadata": {"queueURL": "https://sqs.eu-west-1.amazonaws.com/1/q"}}
        ],
    },
)
add("keda.sh/v1alpha1", "TriggerAuthentication", {"podIdentity": {"provider": "aws"}})
add("keda.sh/v1alpha1", "ClusterTriggerAuthentication", {"podIdentity": {"provider": "aws"}}, ns=None)

# External Secrets
add(
    "external-secrets.io/v1",
    "ExternalSecret",
    {
        "refreshInterval": "1h",
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": "aws"},
        "target": {"name": "db-credentials", "creationPolicy": "Owner"},
        "data": [{"secretKey": "password", "remoteRef": {"key": "prod/db", "property": "password"}}],
    },
)
add(
    "external-secrets.io/v1",
    "SecretStore",
    {
        "provider": {"aws": {"service": "SecretsManager", "region": "eu-west-1"}},
    },
)
add(
    "external-secrets.io/v1",
    "ClusterSecretStore",
    {
        "provider": {
            "aws": {
                "service": "SecretsManager",
                "region": "eu-west-1",
                "auth": {
                    "jwt": {
                        "serviceAccountRef": {"name": "external-secrets", "namespace": "external-secrets"}
                    }
                },
            }
        },
    },
    ns=None,
)
add(
    "external-secrets.io/v1",
    "ClusterExternalSecret",
    {
        "namespaceSelectors": [{"matchLabels": {"team": "platform"}}],
        "externalSecretSpec": {
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "aws"},
            "data": [{"secretKey": "token", "remoteRef": {"key": "prod/token"}}],
        },
    },
    ns=None,
)

# prometheus-operator
add(
    "monitoring.coreos.com/v1",
    "ServiceMonitor",
    {
        "selector": {"matchLabels": {"app": "web"}},
        "endpoints": [{"port": "metrics", "interval": "30s", "path": "/metrics"}],
    },
)
add(
    "monitoring.coreos.com/v1",
    "PodMonitor",
    {
        "selector": {"matchLabels": {"app": "web"}},
        "podMetricsEndpoints": [{"port": "metrics", "interval": "30s"}],
    },
)
add(
    "monitoring.coreos.com/v1",
    "PrometheusRule",
    {
        "groups": [
            {
                "name": "web",
                "rules": [
                    {
                        "alert": "HighErrorRate",
                        "expr": "sum(rate(errors[5m])) > 1",
                        "for": "10m",
                        "labels": {"severity": "page"},
                    }
                ],
            }
        ],
    },
)

# VPA
add(
    "autoscaling.k8s.io/v1",
    "VerticalPodAutoscaler",
    {
        "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "updatePolicy": {"updateMode": "Off"},
        "resourcePolicy": {
            "containerPolicies": [
                {
                    "containerName": "*",
                    "minAllowed": {"cpu": "100m", "memory": "128Mi"},
                    "maxAllowed": {"cpu": "2", "memory": "2Gi"},
                }
            ]
        },
    },
)
add(
    "autoscaling.k8s.io/v1",
    "VerticalPodAutoscalerCheckpoint",
    {"vpaObjectName": "web", "containerName": "web"},
)

# Kyverno
add(
    "kyverno.io/v1",
    "ClusterPolicy",
    {
        "validationFailureAction": "Enforce",
        "background": True,
        "rules": [
            {
                "name": "require-team-label",
                "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                "validate": {
                    "message": "label 'team' is required",
                    "pattern": {"metadata": {"labels": {"team": "?*"}}},
                },
            }
        ],
    },
    ns=None,
)

# Linkerd
add(
    "policy.linkerd.io/v1beta3",
    "Server",
    {
        "podSelector": {"matchLabels": {"app": "web"}},
        "port": "http",
        "proxyProtocol": "HTTP/2",
    },
)
add(
    "policy.linkerd.io/v1alpha1",
    "AuthorizationPolicy",
    {
        "targetRef": {"group": "policy.linkerd.io", "kind": "Server", "name": "web-http"},
        "requiredAuthenticationRefs": [
            {"group": "policy.linkerd.io", "kind": "MeshTLSAuthentication", "name": "frontend"}
        ],
    },
)
add(
    "policy.linkerd.io/v1alpha1",
    "MeshTLSAuthentication",
    {
        "identities": ["frontend.apps.serviceaccount.identity.linkerd.cluster.local"],
    },
)

# CloudNativePG
add(
    "postgresql.cnpg.io/v1",
    "Cluster",
    {
        "instances": 3,
        "imageName": "ghcr.io/cloudnative-pg/postgresql:17.2",
        "storage": {"size": "20Gi", "storageClass": "gp3"},
        "bootstrap": {"initdb": {"database": "app", "owner": "app"}},
        "postgresql": {"parameters": {"max_connections": "200"}},
        "backup": {"retentionPolicy": "30d"},
    },
)
add("postgresql.cnpg.io/v1", "Backup", {"cluster": {"name": "db"}, "method": "barmanObjectStore"})
add(
    "postgresql.cnpg.io/v1",
    "ScheduledBackup",
    {"cluster": {"name": "db"}, "schedule": "0 0 2 * * *", "backupOwnerReference": "self"},
)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

DELETE = object()
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def mutate(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``obj`` with ``path`` (``a.b[0].c``) set to ``value`` (or deleted)."""
    out = copy.deepcopy(obj)
    parts = [int(i) if i else name for name, i in _PART.findall(path)]
    target: Any = out
    for part in parts[:-1]:
        target = target[part]
    if value is DELETE:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value
    return out


def errors_of(obj: dict[str, Any]) -> list[tuple[str, str]]:
    validator = crds.find_validator(obj["apiVersion"], obj["kind"])
    assert validator is not None, f"no shipped CRD serves {obj['apiVersion']} {obj['kind']}"
    return list(validator(obj))


def kind_id(key: tuple[str, str]) -> str:
    return f"{key[1]}.{key[0].split('/')[0]}"


def storage_versions() -> list[crds.CRDVersion]:
    return [crd for crd in crds.crd_versions() if crd.storage]


def _rules(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        yield from schema.get("x-kubernetes-validations") or ()
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                for sub in value.values():
                    yield from _rules(sub)
            elif key in ("items", "additionalProperties"):
                yield from _rules(value)


def _rule_kinds() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(kinds with a creation-time rule, kinds whose only rules are transition rules)."""
    creation, transition_only = set(), set()
    for crd in storage_versions():
        texts = [r["rule"] for r in _rules(crd.schema)]
        if any("oldSelf" not in t for t in texts):
            creation.add((crd.api_version, crd.kind))
        elif texts:
            transition_only.add((crd.api_version, crd.kind))
    return creation, transition_only


# --------------------------------------------------------------------------------------------
# Package data
# --------------------------------------------------------------------------------------------

SHARED_CRDS = Path("/work/shared/crds")

# Files vendored after the /work/shared/crds snapshot (that snapshot is read-only): the Flux
# notification-controller CRDs, split out of flux-operator `config/data/flux/v2.9.4/
# notification-controller.yaml` at commit a380bb9f2759b4c5138201631e91f4a435c5b7b0 (see SOURCES.md).
# The SHA-256 stands in for the snapshot comparison.
ADDED_AFTER_SNAPSHOT: dict[str, str] = {
    "flux/notification.toolkit.fluxcd.io_alerts.yaml": "c162fc178cf3f06d410d0ea7089a61787c057e08110a01a2251b51a4d03c9d98",
    "flux/notification.toolkit.fluxcd.io_providers.yaml": "c8eedda7ff6bde3d9e86deb637aceff3ec55794f4bd5741f7e24b4fb4338b1ca",
    "flux/notification.toolkit.fluxcd.io_receivers.yaml": "9e8da57faecbbbb5968970a7d63aa93ffe3c77ec1278aa58b77233ac808f3b29",
}


def _package_files() -> dict[str, bytes]:
    root = resources.files("platform_components").joinpath("schemas")
    found: dict[str, bytes] = {}

    def walk(directory: Any, prefix: str) -> None:
        for entry in directory.iterdir():
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".yaml"):
                found[f"{prefix}{entry.name}"] = entry.read_bytes()

    walk(root, "")
    return found


def test_crds_are_package_data_with_their_sources() -> None:
    files = _package_files()
    assert len(files) == 50
    sources = (
        resources.files("platform_components").joinpath("schemas", "SOURCES.md").read_text(encoding="utf-8")
    )
    for name in files:
        assert Path(name).name in sources or name in sources, f"{name} is not listed in SOURCES.md"
    assert "Apache-2.0" in sources and "package data" in sources


@pytest.mark.skipif(not SHARED_CRDS.is_dir(), reason="the upstream snapshot is not available here")
def test_crds_are_byte_for_byte_copies_of_the_snapshot() -> None:
    files = _package_files()
    shared = {str(p.relative_to(SHARED_CRDS)): p.read_bytes() for p in SHARED_CRDS.rglob("*.yaml")}
    assert not set(ADDED_AFTER_SNAPSHOT) & set(shared)
    assert {name: data for name, data in files.items() if name not in ADDED_AFTER_SNAPSHOT} == shared


def test_files_added_after_the_snapshot_are_unchanged() -> None:
    files = _package_files()
    assert {
        name: hashlib.sha256(files[name]).hexdigest() for name in ADDED_AFTER_SNAPSHOT
    } == ADDED_AFTER_SNAPSHOT


def test_flux_files_are_single_crd_documents_split_like_the_others() -> None:
    """Each Flux file is one document of the release manifest: a leading ``---``, the document text,
    a final newline; named ``<group>_<plural>.yaml`` after the CRD it holds."""
    flux = {name: data.decode("utf-8") for name, data in _package_files().items() if name.startswith("flux/")}
    assert set(ADDED_AFTER_SNAPSHOT) < set(flux)
    for name, text in flux.items():
        assert text.startswith(
            "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        ), name
        assert text.endswith("\n") and not text.endswith("\n\n"), name
        assert "\n---\n" not in text, name
        (document,) = yaml.safe_load_all(text)
        spec = document["spec"]
        assert document["metadata"]["name"] == f"{spec['names']['plural']}.{spec['group']}", name
        assert Path(name).name == f"{spec['group']}_{spec['names']['plural']}.yaml", name
        assert document["metadata"]["labels"]["app.kubernetes.io/part-of"] == "flux", name


# --------------------------------------------------------------------------------------------
# Kinds
# --------------------------------------------------------------------------------------------


def test_shipped_kinds() -> None:
    kinds = crds.shipped_kinds()
    assert len(kinds) == 91  # every served version of the 65 kinds
    assert {kind for _api, kind in kinds} == {kind for _api, kind in VALID}
    assert ("karpenter.sh/v1", "NodePool") in kinds
    assert ("gateway.networking.k8s.io/v1beta1", "HTTPRoute") in kinds  # served, not storage
    assert ("external-secrets.io/v1beta1", "ExternalSecret") not in kinds  # served: false
    assert ("notification.toolkit.fluxcd.io/v1beta3", "Alert") in kinds
    assert ("notification.toolkit.fluxcd.io/v1beta3", "Provider") in kinds
    assert ("notification.toolkit.fluxcd.io/v1", "Receiver") in kinds
    assert ("notification.toolkit.fluxcd.io/v1", "Alert") not in kinds  # Flux v2.9.4 defines v1beta3 only
    assert all(crds.find_validator(api, kind) is not None for api, kind in kinds)


def test_there_is_a_valid_object_for_every_kind() -> None:
    assert set(VALID) == {(crd.api_version, crd.kind) for crd in storage_versions()}


@pytest.mark.parametrize("key", sorted(VALID), ids=kind_id)
def test_valid_object_passes(key: tuple[str, str]) -> None:
    obj = VALID[key]
    before = copy.deepcopy(obj)
    assert errors_of(obj) == []
    assert validate_manifest(obj, K8S, display=f"{key[1]} x") == []
    assert obj == before  # pruning and defaulting work on a copy


@pytest.mark.parametrize("key", crds.shipped_kinds(), ids=lambda k: f"{k[1]}.{k[0]}")
def test_every_served_version_accepts_the_valid_object(key: tuple[str, str]) -> None:
    api_version, kind = key
    (template,) = [
        obj for (api, k), obj in VALID.items() if k == kind and api.split("/")[0] == api_version.split("/")[0]
    ]
    obj = {**template, "apiVersion": api_version}
    assert errors_of(obj) == []


# --------------------------------------------------------------------------------------------
# Schema errors: (field to set, value, expected error path, expected message fragment)
# --------------------------------------------------------------------------------------------

SCHEMA_BREAKS: dict[tuple[str, str], tuple[str, Any, str, str]] = {
    ("karpenter.sh/v1", "NodePool"): ("spec.template.spec.requirements[0].operator", "Sometimes", "spec.template.spec.requirements[0].operator", "is not one of"),
    ("karpenter.sh/v1", "NodeClaim"): ("spec.nodeClassRef.group", "karpenter.k8s.aws/v1", "spec.nodeClassRef.group", "should match"),
    ("karpenter.k8s.aws/v1", "EC2NodeClass"): ("spec.metadataOptions.httpTokens", "sometimes", "spec.metadataOptions.httpTokens", "is not one of"),
    ("argoproj.io/v1alpha1", "Application"): ("spec.project", 5, "spec.project", "is not of type 'string'"),
    ("argoproj.io/v1alpha1", "ApplicationSet"): ("spec.generators", {"list": {}}, "spec.generators", "is not of type 'array'"),
    ("argoproj.io/v1alpha1", "AppProject"): ("spec.destinations[0].cluster", "prod", "spec.destinations[0].cluster", 'unknown field "cluster"'),
    ("argoproj.io/v1alpha1", "Rollout"): ("spec.replicas", "three", "spec.replicas", "is not of type 'integer'"),
    ("argoproj.io/v1alpha1", "AnalysisTemplate"): ("spec.metrics[0].name", DELETE, "spec.metrics[0].name", "Required value"),
    ("argoproj.io/v1alpha1", "ClusterAnalysisTemplate"): ("spec.metrics", {}, "spec.metrics", "is not of type 'array'"),
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): ("spec.url", "ftp://example.com/repo", "spec.url", "should match"),
    ("source.toolkit.fluxcd.io/v1", "OCIRepository"): ("spec.url", "https://ghcr.io/example", "spec.url", "should match"),
    ("source.toolkit.fluxcd.io/v1", "HelmRepository"): ("spec.type", "git", "spec.type", "is not one of"),
    ("source.toolkit.fluxcd.io/v1", "HelmChart"): ("spec.reconcileStrategy", "Always", "spec.reconcileStrategy", "is not one of"),
    ("source.toolkit.fluxcd.io/v1", "Bucket"): ("spec.provider", "dropbox", "spec.provider", "is not one of"),
    ("source.toolkit.fluxcd.io/v1", "ExternalArtifact"): ("spec.sourceRef.kind", DELETE, "spec.sourceRef.kind", "Required value"),
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): ("spec.interval", "10 minutes", "spec.interval", "should match"),
    ("helm.toolkit.fluxcd.io/v2", "HelmRelease"): ("spec.chart.spec.sourceRef.kind", "GitHub", "spec.chart.spec.sourceRef.kind", "is not one of"),
    ("notification.toolkit.fluxcd.io/v1beta3", "Provider"): ("spec.type", "email", "spec.type", "is not one of"),
    ("notification.toolkit.fluxcd.io/v1beta3", "Alert"): ("spec.providerRef", DELETE, "spec.providerRef", "Required value"),
    ("notification.toolkit.fluxcd.io/v1", "Receiver"): ("spec.resources[0].kind", "Deployment", "spec.resources[0].kind", "is not one of"),
    ("gateway.networking.k8s.io/v1", "GatewayClass"): ("spec.controllerName", "no-slash", "spec.controllerName", "should match"),
    ("gateway.networking.k8s.io/v1", "Gateway"): ("spec.listeners[0].port", 70000, "spec.listeners[0].port", "is greater than the maximum"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): ("spec.rules[0].backendRefs[0].port", "8080", "spec.rules[0].backendRefs[0].port", "is not of type 'integer'"),
    ("gateway.networking.k8s.io/v1", "GRPCRoute"): ("spec.hostnames[0]", "Bad_Host", "spec.hostnames[0]", "should match"),
    ("gateway.networking.k8s.io/v1beta1", "ReferenceGrant"): ("spec.from", [], "spec.from", "should be non-empty"),
    ("gateway.networking.k8s.io/v1", "BackendTLSPolicy"): ("spec.validation.wellKnownCACertificates", "Everything", "spec.validation.wellKnownCACertificates", "should match"),
    ("gateway.networking.k8s.io/v1", "ListenerSet"): ("spec.listeners[0].protocol", "not a protocol!", "spec.listeners[0].protocol", "should match"),
    ("gateway.networking.k8s.io/v1", "TCPRoute"): ("spec.rules[0].backendRefs[0].weight", -1, "spec.rules[0].backendRefs[0].weight", "is less than the minimum"),
    ("gateway.networking.k8s.io/v1", "TLSRoute"): ("spec.hostnames", [], "spec.hostnames", "should be non-empty"),
    ("gateway.networking.k8s.io/v1", "UDPRoute"): ("spec.rules[0].backendRefs[0].protocol", "UDP", "spec.rules[0].backendRefs[0].protocol", 'unknown field "protocol"'),
    ("networking.istio.io/v1", "VirtualService"): ("spec.http[0].retries.attempts", "3", "spec.http[0].retries.attempts", "is not of type 'integer'"),
    ("networking.istio.io/v1", "DestinationRule"): ("spec.trafficPolicy.tls.mode", "ON", "spec.trafficPolicy.tls.mode", "is not one of"),
    ("networking.istio.io/v1", "Gateway"): ("spec.servers[0].port.number", "https", "spec.servers[0].port.number", "is not of type 'integer'"),
    ("networking.istio.io/v1", "ServiceEntry"): ("spec.resolution", "MAGIC", "spec.resolution", "is not one of"),
    ("networking.istio.io/v1", "Sidecar"): ("spec.outboundTrafficPolicy.mode", "OPEN", "spec.outboundTrafficPolicy.mode", "is not one of"),
    ("networking.istio.io/v1", "WorkloadEntry"): ("spec.ports", ["http"], "spec.ports", "is not of type 'object'"),
    ("networking.istio.io/v1", "WorkloadGroup"): ("spec.probe.periodSeconds", "5s", "spec.probe.periodSeconds", "is not of type 'integer'"),
    ("networking.istio.io/v1alpha3", "EnvoyFilter"): ("spec.configPatches[0].applyTo", "EVERYTHING", "spec.configPatches[0].applyTo", "is not one of"),
    ("networking.istio.io/v1beta1", "ProxyConfig"): ("spec.image.imageType", 7, "spec.image.imageType", "is not of type 'string'"),
    ("security.istio.io/v1", "AuthorizationPolicy"): ("spec.action", "PERMIT", "spec.action", "is not one of"),
    ("security.istio.io/v1", "PeerAuthentication"): ("spec.mtls.mode", "ON", "spec.mtls.mode", "is not one of"),
    ("security.istio.io/v1", "RequestAuthentication"): ("spec.jwtRules[0].audience", ["x"], "spec.jwtRules[0].audience", 'unknown field "audience"'),
    ("telemetry.istio.io/v1alpha1", "Telemetry"): ("spec.tracing[0].randomSamplingPercentage", "ten", "spec.tracing[0].randomSamplingPercentage", "is not of type"),
    ("extensions.istio.io/v1alpha1", "WasmPlugin"): ("spec.phase", "FIRST", "spec.phase", "is not one of"),
    ("extensions.istio.io/v1alpha1", "TrafficExtension"): ("spec.phase", "FIRST", "spec.phase", "is not one of"),
    ("keda.sh/v1alpha1", "ScaledObject"): ("spec.triggers[0].type", "", "spec.triggers[0].type", "should be non-empty"),
    ("keda.sh/v1alpha1", "ScaledJob"): ("spec.triggers[0].metadata", "queueURL", "spec.triggers[0].metadata", "is not of type 'object'"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"): ("spec.podIdentity.provider", "magic", "spec.podIdentity.provider", "is not one of"),
    ("keda.sh/v1alpha1", "ClusterTriggerAuthentication"): ("spec.podIdentity.provider", "magic", "spec.podIdentity.provider", "is not one of"),
    ("external-secrets.io/v1", "ExternalSecret"): ("spec.target.creationPolicy", "Sometimes", "spec.target.creationPolicy", "is not one of"),
    ("external-secrets.io/v1", "SecretStore"): ("spec.provider.aws.service", "S3", "spec.provider.aws.service", "is not one of"),
    ("external-secrets.io/v1", "ClusterSecretStore"): ("spec.provider.aws.region", 1, "spec.provider.aws.region", "is not of type 'string'"),
    ("external-secrets.io/v1", "ClusterExternalSecret"): ("spec.externalSecretSpec.refresh", "1h", "spec.externalSecretSpec.refresh", 'unknown field "refresh"'),
    ("monitoring.coreos.com/v1", "ServiceMonitor"): ("spec.endpoints[0].scheme", "ftp", "spec.endpoints[0].scheme", "is not one of"),
    ("monitoring.coreos.com/v1", "PodMonitor"): ("spec.podMetricsEndpoints[0].interval", "30 seconds", "spec.podMetricsEndpoints[0].interval", "should match"),
    ("monitoring.coreos.com/v1", "PrometheusRule"): ("spec.groups[0].rules[0].expr", DELETE, "spec.groups[0].rules[0].expr", "Required value"),
    ("autoscaling.k8s.io/v1", "VerticalPodAutoscaler"): ("spec.updatePolicy.updateMode", "Sometimes", "spec.updatePolicy.updateMode", "is not one of"),
    ("autoscaling.k8s.io/v1", "VerticalPodAutoscalerCheckpoint"): ("spec.vpaObjectName", 1, "spec.vpaObjectName", "is not of type 'string'"),
    ("kyverno.io/v1", "ClusterPolicy"): ("spec.validationFailureAction", "Block", "spec.validationFailureAction", "is not one of"),
    ("policy.linkerd.io/v1beta3", "Server"): ("spec.port", 1.5, "spec.port", "is not of type 'integer', 'string'"),
    ("policy.linkerd.io/v1alpha1", "AuthorizationPolicy"): ("spec.targetRef.kind", "", "spec.targetRef.kind", "should be non-empty"),
    ("policy.linkerd.io/v1alpha1", "MeshTLSAuthentication"): ("spec.identities", "frontend", "spec.identities", "is not of type 'array'"),
    ("postgresql.cnpg.io/v1", "Cluster"): ("spec.instances", 0, "spec.instances", "is less than the minimum"),
    ("postgresql.cnpg.io/v1", "Backup"): ("spec.method", "snapshot", "spec.method", "is not one of"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): ("spec.backupOwnerReference", "owner", "spec.backupOwnerReference", "is not one of"),
}  # fmt: skip


def test_every_kind_has_a_schema_break() -> None:
    assert set(SCHEMA_BREAKS) == set(VALID)


@pytest.mark.parametrize("key", sorted(SCHEMA_BREAKS), ids=kind_id)
def test_schema_error_is_reported_with_its_path(key: tuple[str, str]) -> None:
    field, value, path, fragment = SCHEMA_BREAKS[key]
    errors = errors_of(mutate(VALID[key], field, value))
    assert any(p == path and fragment in m for p, m in errors), errors


def test_unknown_top_level_fields_are_reported() -> None:
    obj = {**VALID[("karpenter.sh/v1", "NodePool")], "spek": {}}
    assert ("spek", 'unknown field "spek"') in errors_of(obj)


# --------------------------------------------------------------------------------------------
# CEL errors: (field to set, value, expected error path, the rule's message)
# --------------------------------------------------------------------------------------------

CEL_BREAKS: dict[tuple[str, str], list[tuple[str, Any]]] = {}
CEL_EXPECTED: dict[tuple[str, str], tuple[str, str]] = {}


def cel_break(api: str, kind: str, changes: list[tuple[str, Any]], path: str, message: str) -> None:
    CEL_BREAKS[(api, kind)] = changes
    CEL_EXPECTED[(api, kind)] = (path, message)


cel_break(
    "karpenter.sh/v1",
    "NodePool",
    [("spec.template.spec.requirements[0].values", [])],
    "spec.template.spec.requirements",
    "requirements with operator 'In' must have a value defined",
)
cel_break(
    "karpenter.sh/v1",
    "NodeClaim",
    [("spec.requirements[0].key", "kubernetes.io/hostname")],
    "spec.requirements[0].key",
    'label "kubernetes.io/hostname" is restricted',
)
cel_break(
    "karpenter.k8s.aws/v1",
    "EC2NodeClass",
    [("spec.instanceProfile", "KarpenterNodeInstanceProfile")],
    "spec",
    "must specify exactly one of ['role', 'instanceProfile']",
)
cel_break(
    "source.toolkit.fluxcd.io/v1",
    "GitRepository",
    [("spec.serviceAccountName", "flux")],
    "spec",
    "serviceAccountName can only be set when provider is 'azure' or 'aws'",
)
cel_break(
    "source.toolkit.fluxcd.io/v1",
    "HelmChart",
    [("spec.sourceRef.kind", "GitRepository"), ("spec.verify", {"provider": "cosign"})],
    "spec",
    "spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'",
)
cel_break(
    "source.toolkit.fluxcd.io/v1",
    "Bucket",
    [("spec.sts", {"provider": "ldap", "endpoint": "https://sts.example.com"})],
    "spec",
    "'aws' is the only supported STS provider for the 'aws' Bucket provider",
)
cel_break(
    "kustomize.toolkit.fluxcd.io/v1",
    "Kustomization",
    [("spec.kubeConfig", {"configMapRef": {"name": "a"}, "secretRef": {"name": "b"}})],
    "spec.kubeConfig",
    "exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified",
)
cel_break(
    "helm.toolkit.fluxcd.io/v2",
    "HelmRelease",
    [("spec.chartRef", {"kind": "OCIRepository", "name": "podinfo"})],
    "spec",
    "either chart or chartRef must be set",
)
cel_break(
    "notification.toolkit.fluxcd.io/v1beta3",
    "Provider",
    [("spec.commitStatusExpr", "event.message")],
    "spec",
    "spec.commitStatusExpr is only supported for the 'github', 'gitlab', 'gitea', 'bitbucketserver', "
    "'bitbucket', 'azuredevops' provider types",
)
cel_break(
    "notification.toolkit.fluxcd.io/v1",
    "Receiver",
    [("spec.secretRef", DELETE)],
    "spec",
    "secretRef is required when type is not generic-oidc",
)
cel_break(
    "keda.sh/v1alpha1",
    "ScaledObject",
    [("spec.minReplicaCount", 30)],
    "spec",
    "minReplicaCount must be less than or equal to maxReplicaCount",
)
cel_break(
    "postgresql.cnpg.io/v1",
    "Cluster",
    [
        (
            "spec.imageCatalogRef",
            {"apiGroup": "postgresql.cnpg.io", "kind": "ClusterImageCatalog", "name": "pg", "major": 17},
        )
    ],
    "spec",
    "imageName and imageCatalogRef are mutually exclusive",
)
cel_break(
    "autoscaling.k8s.io/v1",
    "VerticalPodAutoscaler",
    [("spec.startupBoost", {"cpu": {"type": "Factor"}})],
    "spec.startupBoost.cpu",
    "factor is required when type is Factor and forbidden otherwise",
)
cel_break(
    "gateway.networking.k8s.io/v1",
    "Gateway",
    [("spec.listeners[0].tls", {"mode": "Terminate", "certificateRefs": [{"name": "x"}]})],
    "spec.listeners",
    "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
)
cel_break(
    "gateway.networking.k8s.io/v1",
    "HTTPRoute",
    [("spec.rules[0].matches[0].path.value", "api")],
    "spec.rules[0].matches[0].path",
    "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
)
cel_break(
    "gateway.networking.k8s.io/v1",
    "GRPCRoute",
    [("spec.rules[0].matches[0].method", {"type": "Exact"})],
    "spec.rules[0].matches[0].method",
    "One or both of 'service' or 'method' must be specified",
)
cel_break(
    "gateway.networking.k8s.io/v1",
    "BackendTLSPolicy",
    [("spec.validation.caCertificateRefs", [{"group": "", "kind": "ConfigMap", "name": "ca"}])],
    "spec.validation",
    "must not contain both CACertificateRefs and WellKnownCACertificates",
)
cel_break(
    "gateway.networking.k8s.io/v1",
    "ListenerSet",
    [("spec.listeners[0].protocol", "HTTP")],
    "spec.listeners",
    "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
)
cel_break(
    "gateway.networking.k8s.io/v1",
    "TCPRoute",
    [("spec.rules[0].backendRefs[0].port", DELETE)],
    "spec.rules[0].backendRefs[0]",
    "Must have port for Service reference",
)
cel_break(
    "gateway.networking.k8s.io/v1",
    "TLSRoute",
    [("spec.hostnames", ["10.0.0.1"])],
    "spec.hostnames",
    "Hostnames cannot contain an IP",
)
cel_break(
    "gateway.networking.k8s.io/v1",
    "UDPRoute",
    [("spec.rules[0].backendRefs[0].port", DELETE)],
    "spec.rules[0].backendRefs[0]",
    "Must have port for Service reference",
)
cel_break(
    "networking.istio.io/v1",
    "VirtualService",
    [("spec.http[0].timeout", "0s")],
    "spec.http[0].timeout",
    "must be a valid duration greater than 1ms",
)
cel_break(
    "networking.istio.io/v1",
    "DestinationRule",
    [("spec.trafficPolicy.connectionPool.http.idleTimeout", "0s")],
    "spec.trafficPolicy.connectionPool.http.idleTimeout",
    "must be a valid duration greater than 1ms",
)
cel_break(
    "networking.istio.io/v1",
    "Gateway",
    [
        ("spec.servers[0].tls.credentialNames", ["a", "b"]),
        ("spec.servers[0].tls.tlsCertificates", [{"credentialName": "c"}]),
    ],
    "spec.servers[0].tls",
    "only one of credentialNames or tlsCertificates can be set",
)
cel_break(
    "networking.istio.io/v1",
    "ServiceEntry",
    [("spec.hosts", ["*"])],
    "spec.hosts[0]",
    "hostname cannot be wildcard",
)
cel_break(
    "networking.istio.io/v1",
    "Sidecar",
    [("spec.workloadSelector", {"labels": {"app": "we*b"}})],
    "spec.workloadSelector.labels.app",
    "wildcard is not supported in selector",
)
cel_break(
    "networking.istio.io/v1",
    "WorkloadEntry",
    [("spec.address", "unix://relative/socket")],
    "spec.address",
    "UDS must be an absolute path or abstract socket",
)
cel_break(
    "networking.istio.io/v1",
    "WorkloadGroup",
    [("spec.probe.httpGet.scheme", "FTP")],
    "spec.probe.httpGet.scheme",
    "scheme must be one of [HTTP, HTTPS]",
)
cel_break(
    "networking.istio.io/v1alpha3",
    "EnvoyFilter",
    [("spec.targetRefs", [{"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "public"}])],
    "spec",
    "only one of targetRefs or workloadSelector can be set",
)
cel_break(
    "networking.istio.io/v1beta1",
    "ProxyConfig",
    [("spec.selector", {"matchLabels": {"ap*p": "web"}})],
    "spec.selector.matchLabels",
    "wildcard not allowed in label key match",
)
cel_break(
    "security.istio.io/v1",
    "AuthorizationPolicy",
    [("spec.targetRef", {"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "public"})],
    "spec",
    "only one of targetRefs or selector can be set",
)
cel_break(
    "security.istio.io/v1",
    "PeerAuthentication",
    [("spec.portLevelMtls", {"8080": {"mode": "DISABLE"}})],
    "spec",
    "portLevelMtls requires selector",
)
cel_break(
    "security.istio.io/v1",
    "RequestAuthentication",
    [("spec.jwtRules[0].jwksUri", "ftp://issuer.example.com/jwks")],
    "spec.jwtRules[0].jwksUri",
    "url must have scheme http:// or https://",
)
cel_break(
    "telemetry.istio.io/v1alpha1",
    "Telemetry",
    [
        ("spec.selector", {"matchLabels": {"app": "web"}}),
        ("spec.targetRef", {"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "public"}),
    ],
    "spec",
    "only one of targetRefs or selector can be set",
)
cel_break(
    "extensions.istio.io/v1alpha1",
    "WasmPlugin",
    [("spec.url", "ftp://example.com/filter.wasm")],
    "spec.url",
    "url must have schema one of [http, https, file, oci]",
)
cel_break(
    "extensions.istio.io/v1alpha1",
    "TrafficExtension",
    [("spec.wasm.url", "ftp://example.com/filter.wasm")],
    "spec.wasm.url",
    "url must have schema one of [http, https, file, oci]",
)
cel_break(
    "external-secrets.io/v1",
    "SecretStore",
    [("spec.provider", {"secretserver": {"serverURL": "https://ss.example.com"}})],
    "spec.provider.secretserver",
    "either token, or both username and password, must be set",
)
cel_break(
    "external-secrets.io/v1",
    "ClusterSecretStore",
    [("spec.provider", {"doppler": {"auth": {}}})],
    "spec.provider.doppler.auth",
    "Exactly one of 'secretRef' or 'oidcConfig' must be specified",
)

# Kinds whose only rules are transition rules: broken by an update.
UPDATE_BREAKS: dict[tuple[str, str], tuple[str, Any, str, str]] = {
    ("gateway.networking.k8s.io/v1", "GatewayClass"): ("spec.controllerName", "example.com/other", "spec.controllerName", "field is immutable"),
    ("argoproj.io/v1alpha1", "Rollout"): ("spec.selector.matchLabels.app", "api", "spec.selector", ".spec.selector is immutable"),
    ("postgresql.cnpg.io/v1", "Backup"): ("spec.method", "volumeSnapshot", "spec", "BackupSpec is immutable once set"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): ("spec.cluster.name", "other", "spec.cluster", "cluster reference is immutable after creation"),
}  # fmt: skip


def test_cel_breaks_cover_every_kind_with_rules() -> None:
    creation, transition_only = _rule_kinds()
    assert set(CEL_BREAKS) == creation
    assert set(UPDATE_BREAKS) == transition_only


def _broken(key: tuple[str, str]) -> dict[str, Any]:
    obj = VALID[key]
    for field, value in CEL_BREAKS[key]:
        obj = mutate(obj, field, value)
    return obj


@pytest.mark.parametrize("key", sorted(CEL_BREAKS), ids=kind_id)
def test_cel_error_is_reported_with_the_rule_message_and_path(key: tuple[str, str]) -> None:
    errors = errors_of(_broken(key))
    assert CEL_EXPECTED[key] in errors, errors


@pytest.mark.parametrize("key", sorted(UPDATE_BREAKS), ids=kind_id)
def test_transition_rules_are_checked_on_update_only(key: tuple[str, str]) -> None:
    field, value, path, message = UPDATE_BREAKS[key]
    old = VALID[key]
    new = mutate(old, field, value)
    validator = crds.find_validator(*key)
    assert validator is not None
    assert errors_of(new) == []  # creation: no old value, transition rules skipped
    assert validator.validate(new, old=old) == [(path, message)]
    assert validator.validate(old, old=old) == []


def test_cel_results_agree_with_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The transpiled rules (with this module's rewrites) give the interpreter's results."""
    objects = [*VALID.values(), *(_broken(key) for key in CEL_BREAKS)]
    transpiled = [errors_of(obj) for obj in objects]
    original = cel.Program.evaluate

    def interpret(self: cel.Program, variables: Any, *, interpret: bool = False) -> Any:
        return original(self, variables, interpret=True)

    monkeypatch.setattr(cel.Program, "evaluate", interpret)
    assert [errors_of(obj) for obj in objects] == transpiled


# --------------------------------------------------------------------------------------------
# The examples the issue names
# --------------------------------------------------------------------------------------------

NODEPOOL = ("karpenter.sh/v1", "NodePool")
EC2NODECLASS = ("karpenter.k8s.aws/v1", "EC2NodeClass")


def test_ec2nodeclass_with_role_and_instance_profile() -> None:
    obj = mutate(VALID[EC2NODECLASS], "spec.instanceProfile", "KarpenterNodeInstanceProfile")
    assert errors_of(obj) == [("spec", "must specify exactly one of ['role', 'instanceProfile']")]
    errors = validate_manifest(obj, K8S, display="EC2NodeClass default")
    assert [(e.path, e.message) for e in errors] == [
        ("spec", "must specify exactly one of ['role', 'instanceProfile']")
    ]


def test_nodepool_budget_with_schedule_but_no_duration() -> None:
    obj = mutate(VALID[NODEPOOL], "spec.disruption.budgets[1].duration", DELETE)
    assert errors_of(obj) == [("spec.disruption.budgets", "'schedule' must be set with 'duration'")]


def test_nodepool_requirement_in_without_values() -> None:
    obj = mutate(VALID[NODEPOOL], "spec.template.spec.requirements[1].values", [])
    assert errors_of(obj) == [
        ("spec.template.spec.requirements", "requirements with operator 'In' must have a value defined")
    ]


def test_httproute_path_not_starting_with_slash() -> None:
    key = ("gateway.networking.k8s.io/v1", "HTTPRoute")
    obj = mutate(VALID[key], "spec.rules[1].matches[0].path.value", "static")
    assert (
        "spec.rules[1].matches[0].path",
        "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
    ) in errors_of(obj)


def test_kustomization_with_an_invalid_interval() -> None:
    key = ("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
    errors = errors_of(mutate(VALID[key], "spec.interval", "10 minutes"))
    assert [p for p, _m in errors] == ["spec.interval"]
    assert "should match" in errors[0][1]


def test_realistic_karpenter_objects() -> None:
    nodepool, nodeclass = VALID[NODEPOOL]["spec"], VALID[EC2NODECLASS]["spec"]
    assert nodepool["template"]["spec"]["nodeClassRef"]["kind"] == "EC2NodeClass"
    assert nodepool["template"]["spec"]["requirements"]
    assert nodeclass["amiSelectorTerms"] == [{"alias": "al2023@latest"}]
    assert nodeclass["role"] and nodeclass["subnetSelectorTerms"][0]["tags"]
    assert nodeclass["securityGroupSelectorTerms"][0]["tags"]
    # the alias is checked by CEL too
    windows = mutate(VALID[EC2NODECLASS], "spec.amiSelectorTerms[0].alias", "windows2022@v1")
    assert (
        "spec.amiSelectorTerms[0].alias",
        "windows families may only specify version 'latest'",
    ) in errors_of(windows)
    unknown = mutate(VALID[EC2NODECLASS], "spec.amiSelectorTerms[0].alias", "ubuntu@latest")
    assert errors_of(unknown)[0][0] == "spec.amiSelectorTerms[0].alias"


# --------------------------------------------------------------------------------------------
# No schema, unserved versions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("example.com/v1", "Widget"),
        ("karpenter.sh/v1beta1", "NodePool"),  # not in the shipped CRD at all
        ("karpenter.sh/v1", "NodePoool"),
        ("cilium.io/v2", "CiliumNetworkPolicy"),  # not shipped (see SOURCES.md)
        ("external-secrets.io/v1beta1", "ExternalSecret"),  # in the CRD, served: false
        ("gateway.networking.k8s.io/v1alpha2", "TCPRoute"),  # in the CRD, served: false
        ("gateway.networking.k8s.io/v1alpha3", "BackendTLSPolicy"),  # in the CRD, served: false
    ],
)
def test_unknown_or_unserved_kinds_have_no_schema(api_version: str, kind: str) -> None:
    assert crds.find_validator(api_version, kind) is None
    obj = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "x", "namespace": "apps"},
        "spec": {},
    }
    (error,) = validate_manifest(obj, K8S, display=f"{kind} x")
    assert error.path == "apiVersion"
    assert error.message.startswith(f"no schema for {api_version} {kind}")


def test_unserved_versions_are_in_the_shipped_crds() -> None:
    versions = {(crd.api_version, crd.kind): crd for crd in crds.crd_versions()}
    assert versions[("external-secrets.io/v1beta1", "ExternalSecret")].served is False
    assert versions[("gateway.networking.k8s.io/v1alpha2", "TCPRoute")].served is False


# --------------------------------------------------------------------------------------------
# ObjectMeta, pruning, defaulting, list types, nullable, int-or-string
# --------------------------------------------------------------------------------------------


def test_object_meta_is_validated() -> None:
    base = VALID[NODEPOOL]
    long_name = mutate(base, "metadata.name", "a" * 254)
    assert ("metadata.name", "must be no more than 253 characters") in errors_of(long_name)
    assert errors_of(mutate(base, "metadata.name", "a" * 253)) == []
    assert errors_of(mutate(base, "metadata.name", "Not_A_Name"))[0][0] == "metadata.name"
    assert errors_of(mutate(base, "metadata.labels", {"team": "a b"}))[0][0] == "metadata.labels.team"
    assert (
        errors_of(mutate(base, "metadata.annotations", {"bad key!": "x"}))[0][0]
        == "metadata.annotations.bad key!"
    )
    assert ("metadata.uuid", 'unknown field "uuid"') in errors_of(mutate(base, "metadata.uuid", "x"))
    assert errors_of(mutate(base, "metadata.name", DELETE))[0][0] == "metadata.name"
    assert errors_of(mutate(mutate(base, "metadata.name", DELETE), "metadata.generateName", "pool-")) == []


def test_defaults_are_applied_before_cel() -> None:
    # Bucket.spec.provider defaults to "generic"; without defaulting this rule would fail to evaluate
    key = ("source.toolkit.fluxcd.io/v1", "Bucket")
    obj = mutate(
        mutate(VALID[key], "spec.provider", DELETE),
        "spec.sts",
        {"provider": "aws", "endpoint": "https://sts"},
    )
    errors = errors_of(obj)
    assert ("spec", "'ldap' is the only supported STS provider for the 'generic' Bucket provider") in errors
    assert not any("evaluation error" in m for _p, m in errors)
    validator = crds.find_validator(*key)
    assert validator is not None
    prepared = validator.prepare(
        VALID[key] | {"spec": {"bucketName": "b", "endpoint": "e", "interval": "5m"}}, []
    )
    assert prepared["spec"]["provider"] == "generic" and prepared["spec"]["timeout"] == "60s"


def test_nested_defaults_are_applied() -> None:
    key = ("gateway.networking.k8s.io/v1", "HTTPRoute")
    validator = crds.find_validator(*key)
    assert validator is not None
    prepared = validator.prepare({**VALID[key], "spec": {"parentRefs": [{"name": "public"}]}}, [])
    assert prepared["spec"]["rules"] == [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}]
    assert prepared["spec"]["parentRefs"] == [
        {"name": "public", "group": "gateway.networking.k8s.io", "kind": "Gateway"}
    ]


def test_list_type_map_and_set_reject_duplicates() -> None:
    gateway = ("gateway.networking.k8s.io/v1", "Gateway")
    listeners = VALID[gateway]["spec"]["listeners"]
    duplicate = mutate(VALID[gateway], "spec.listeners", [*listeners, {**listeners[0], "port": 8080}])
    assert any(p == "spec.listeners[2]" and m.startswith("Duplicate value") for p, m in errors_of(duplicate))
    reasons = mutate(VALID[NODEPOOL], "spec.disruption.budgets[1].reasons", ["Drifted", "Drifted"])
    assert any(
        p == "spec.disruption.budgets[1].reasons[1]" and m.startswith("Duplicate value")
        for p, m in errors_of(reasons)
    )


def test_nullable_and_null_pruning() -> None:
    gateway = ("networking.istio.io/v1", "Gateway")
    assert errors_of(mutate(VALID[gateway], "spec.servers[0].tls.insecureSkipVerify", None)) == []  # nullable
    assert (
        errors_of(mutate(VALID[NODEPOOL], "spec.weight", None)) == []
    )  # not nullable: dropped like the API server
    assert errors_of(mutate(VALID[NODEPOOL], "spec.weight", "heavy"))[0][0] == "spec.weight"


def test_int_or_string() -> None:
    server = ("policy.linkerd.io/v1beta3", "Server")
    assert errors_of(mutate(VALID[server], "spec.port", 8080)) == []
    assert errors_of(mutate(VALID[server], "spec.port", "http")) == []
    assert errors_of(mutate(VALID[server], "spec.port", True))[0][0] == "spec.port"


def test_type_errors_block_cel_like_the_api_server() -> None:
    obj = mutate(VALID[EC2NODECLASS], "spec.instanceProfile", "x")
    obj = mutate(obj, "spec.metadataOptions.httpTokens", "sometimes")
    paths = [p for p, _m in errors_of(obj)]
    assert paths == ["spec.metadataOptions.httpTokens", ""]  # the CEL error is not reported yet
    assert "some validation rules were not checked" in errors_of(obj)[-1][1]


def test_manifest_is_not_modified() -> None:
    obj = mutate(VALID[NODEPOOL], "spec.disruption", DELETE)
    before = json.dumps(obj, sort_keys=True)
    assert errors_of(obj) == []
    assert json.dumps(obj, sort_keys=True) == before


# --------------------------------------------------------------------------------------------
# Speed and lazy loading
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [NODEPOOL, ("gateway.networking.k8s.io/v1", "HTTPRoute")], ids=kind_id)
def test_validation_after_warm_up_gives_the_same_answer(key: tuple[str, str]) -> None:
    obj = VALID[key]
    assert validate_manifest(obj, K8S, display="x") == []  # warm-up: load the CRD, compile the rules
    assert validate_manifest(obj, K8S, display="x") == []  # warm: the same answer from the caches


def test_crd_files_are_parsed_lazily_and_once() -> None:
    script = """
import json, time
t0 = time.perf_counter()
from platform_components.preview import crds
from platform_components.preview.schema import validate_manifest
obj = {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "np"},
       "spec": {"template": {"spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass",
                "name": "default"}, "requirements": []}}}}
t1 = time.perf_counter()
first = validate_manifest(obj, "1.35", display="np")
t2 = time.perf_counter()
validate_manifest(obj, "1.35", display="np")
validate_manifest({**obj, "apiVersion": "example.com/v1"}, "1.35", display="x")
print(json.dumps({"errors": [e.as_dict() for e in first], "parsed": crds._load_file.cache_info().currsize,
                  "misses": crds._load_file.cache_info().misses, "cold": t2 - t1}))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    # only the Karpenter NodePool file was parsed (the text index picks it), and only once
    assert result["parsed"] == 1 and result["misses"] == 1
    assert result["cold"] < 10


def test_all_crds_are_parsed_once_per_process() -> None:
    crds.crd_versions()
    before = crds._load_file.cache_info()
    crds.crd_versions()
    crds.shipped_kinds()
    after = crds._load_file.cache_info()
    assert after.misses == before.misses
    assert after.currsize == len(_package_files())


# --------------------------------------------------------------------------------------------
# Features no shipped CRD uses (a synthetic CRD)
# --------------------------------------------------------------------------------------------

WIDGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-kubernetes-validations": [
        {"rule": "self.metadata.name.startsWith('w-')", "message": "widget names start with w-"},
    ],
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "required": ["size"],
            "x-kubernetes-validations": [
                {
                    "rule": "self.size <= self.limit",
                    "messageExpression": "'size ' + string(self.size) + ' exceeds ' + string(self.limit)",
                },
                {
                    "rule": "!has(self.max__dash__surge) || self.max__dash__surge != 'all'",
                    "fieldPath": ".max-surge",
                },
            ],
            "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 10, "exclusiveMaximum": True},
                "limit": {"type": "integer", "default": 5},
                "max-surge": {"x-kubernetes-int-or-string": True},
                "ratio": {"type": "number", "nullable": True},
                "created": {"type": "string", "format": "date-time"},
                "window": {"type": "string", "format": "duration"},
                "payload": {"type": "string", "format": "byte"},
                "address": {"type": "string", "format": "ipv4"},
                "network": {"type": "string", "format": "cidr"},
                "id": {"type": "string", "format": "uuid"},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "template": {
                    "type": "object",
                    "x-kubernetes-embedded-resource": True,
                    "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                },
                "ports": {
                    "type": "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string"},
                            "port": {
                                "type": "integer",
                                "x-kubernetes-validations": [
                                    {"rule": "self == oldSelf", "message": "port is immutable"}
                                ],
                            },
                            "protocol": {"type": "string", "enum": ["TCP", "UDP"], "default": "TCP"},
                        },
                    },
                },
                "labels": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {
                            "value": {"type": "string"},
                            "mode": {"type": "string", "default": "keep"},
                        },
                    },
                },
            },
        },
    },
}


def widget_validator() -> crds.CRDValidator:
    crd = crds.CRDVersion(
        group="example.com",
        kind="Widget",
        plural="widgets",
        scope="Namespaced",
        version="v1",
        served=True,
        storage=True,
        schema=WIDGET_SCHEMA,
        source="test",
    )
    return crds.CRDValidator(crd)


def widget(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w-1"},
        "spec": {"size": 3, **spec},
    }


def test_synthetic_crd_valid_object() -> None:
    validator = widget_validator()
    obj = widget(
        **{"max-surge": "25%"},
        ratio=None,
        created="2024-01-02T03:04:05Z",
        window="1h30m",
        payload="aGVsbG8=",
        address="10.0.0.1",
        network="10.0.0.0/8",
        id="123e4567-e89b-12d3-a456-426614174000",
        extra={"anything": {"goes": [1, 2]}},
        template={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": 1}},
        ports=[{"name": "http", "port": 80}],
        labels={"a": {"value": "x"}},
    )
    assert validator.validate(obj) == []
    prepared = validator.prepare(obj, [])
    assert prepared["spec"]["limit"] == 5
    assert prepared["spec"]["ports"][0]["protocol"] == "TCP"  # defaults inside list items
    assert prepared["spec"]["labels"]["a"]["mode"] == "keep"  # and inside map values


def test_synthetic_crd_errors() -> None:
    validator = widget_validator()

    def errors(**spec: Any) -> list[tuple[str, str]]:
        return validator.validate(widget(**spec))

    assert errors(size=10, limit=20) == [
        ("spec.size", "10 is greater than or equal to the maximum of 10")
    ]  # exclusive
    assert errors(size=4, limit=3) == [("spec", "size 4 exceeds 3")]  # messageExpression
    assert errors(**{"max-surge": "all"}) == [
        ("spec.max-surge", "failed rule: !has(self.max__dash__surge) || self.max__dash__surge != 'all'")
    ]
    assert errors(**{"max-surge": 1.5})[0][0] == "spec.max-surge"
    for field, value in [
        ("created", "yesterday"),
        ("window", "90 minutes"),
        ("payload", "not base64!"),
        ("address", "10.0.0.256"),
        ("network", "10.0.0.0"),
        ("id", "not-a-uuid"),
    ]:
        assert [p for p, _m in errors(**{field: value})] == [f"spec.{field}"], field
    # an embedded resource's name is a path segment name (objectmeta validateEmbeddedResource:
    # path.ValidatePathSegmentName), not a DNS subdomain
    assert errors(template={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "P!"}}) == []
    assert errors(template={"kind": "Pod", "metadata": {"name": "p/1"}, "bogus": 1}) == [
        ("spec.template.apiVersion", "Required value: must not be empty"),
        ("spec.template.bogus", 'unknown field "bogus"'),
        ("spec.template.metadata.name", "may not contain '/'"),
    ]
    assert errors(ports=[{"name": "a"}, {"name": "a"}]) == [
        ("spec.ports[1]", 'Duplicate value: {"name":"a"}')
    ]
    assert errors(ports=[{"port": 1}]) == [("spec.ports[0].name", "Required value")]
    bad_name = {**widget(), "metadata": {"name": "x-1"}}
    assert validator.validate(bad_name) == [("", "widget names start with w-")]


def test_synthetic_crd_update_correlates_map_list_items_by_key() -> None:
    validator = widget_validator()
    old = widget(ports=[{"name": "http", "port": 80}, {"name": "dns", "port": 53}])
    reordered = widget(ports=[{"name": "dns", "port": 53}, {"name": "http", "port": 80}])
    assert validator.validate(reordered, old=old) == []
    changed = widget(ports=[{"name": "http", "port": 8080}, {"name": "new", "port": 1}])
    assert validator.validate(changed, old=old) == [("spec.ports[0].port", "port is immutable")]


def test_every_shipped_crd_is_found_by_the_text_index() -> None:
    """The byte scan that picks candidate files (``_mentioned``) never misses a defining file."""
    from platform_components.preview import crds as shipped

    versions = shipped.crd_versions()
    assert len(versions) > 90
    missed = [v.kind for v in versions if v.source not in shipped._candidate_files(v.group, v.kind)]
    assert missed == []
