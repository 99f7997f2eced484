"""Service exposure and NetworkPolicy sanity (policy-anchors §1G, §1H).

The per-workload NetworkPolicy coverage check (``net-workload-policy``) needs the whole stack and lives
in :mod:`platform_components.policies.stack`.
"""

from __future__ import annotations

from collections.abc import Iterator

from platform_components.policies._pod import (
    NETWORK_POLICY,
    SERVICE,
    as_list,
    as_map,
    dig,
    is_set,
    is_true,
    text,
)
from platform_components.policies.base import CelCheck, Enforcement, Resource, Rule, Severity

M, A = Enforcement.MANDATORY, Enforcement.ADVISORY

SSL_CERT_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"
SCHEME_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-scheme"
LEGACY_INTERNAL_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-internal"
POLICY_TYPES = frozenset({"Ingress", "Egress"})


def _service_type(resource: Resource) -> str:
    return text(dig(resource.props, "spec", "type")) or "ClusterIP"


def _annotations(resource: Resource) -> dict[str, object]:
    return {str(k): v for k, v in as_map(resource.metadata.get("annotations")).items()}


def is_internal_lb(resource: Resource) -> bool:
    """An AWS load balancer that is explicitly internal (LBC ``scheme`` or the legacy in-tree annotation)."""
    annotations = _annotations(resource)
    scheme = annotations.get(SCHEME_ANNOTATION)
    if isinstance(scheme, str) and scheme.strip().lower() == "internal":
        return True
    legacy = annotations.get(LEGACY_INTERNAL_ANNOTATION)
    return is_true(legacy) or legacy == "0.0.0.0/0"


def _cel_has_annotation(key: str) -> str:
    return f"has(object.metadata.annotations) && {key!r} in object.metadata.annotations"


def _cel_annotation(key: str) -> str:
    return f"object.metadata.annotations[{key!r}]"


_CEL_NOT_LB = "!has(object.spec.type) || object.spec.type != 'LoadBalancer'"
_CEL_INTERNAL_LB = (
    f"({_cel_has_annotation(SCHEME_ANNOTATION)} && "
    f"{_cel_annotation(SCHEME_ANNOTATION)}.trim().lowerAscii() == 'internal') || "
    f"({_cel_has_annotation(LEGACY_INTERNAL_ANNOTATION)} && "
    f"({_cel_annotation(LEGACY_INTERNAL_ANNOTATION)}.trim().lowerAscii() == 'true' || "
    f"{_cel_annotation(LEGACY_INTERNAL_ANNOTATION)} == '0.0.0.0/0'))"
)
"""CEL of :func:`is_internal_lb` (annotations are strings in the API)."""


def _no_nodeport(resource: Resource) -> Iterator[str]:
    if _service_type(resource) == "NodePort":
        yield "spec.type is NodePort, which opens the port on every node; use ClusterIP behind an Ingress"


def _no_public_lb(resource: Resource) -> Iterator[str]:
    if _service_type(resource) == "LoadBalancer" and not is_internal_lb(resource):
        yield (
            f'spec.type is LoadBalancer without metadata.annotations["{SCHEME_ANNOTATION}"] = "internal"; '
            "make it internal or expose it through the shared Ingress"
        )


def _lb_tls(resource: Resource) -> Iterator[str]:
    if _service_type(resource) != "LoadBalancer":
        return
    if not is_set(_annotations(resource).get(SSL_CERT_ANNOTATION)):
        yield (
            f'metadata.annotations["{SSL_CERT_ANNOTATION}"] is not set on a LoadBalancer Service; set it to '
            "an ACM certificate ARN so traffic is TLS-encrypted (CIS EKS 5.4.5)"
        )


def _no_external_ips(resource: Resource) -> Iterator[str]:
    if is_set(dig(resource.props, "spec", "externalIPs")):
        yield "spec.externalIPs is set; remove it (CVE-2020-8554 lets it intercept cluster traffic)"


def _policy_types(resource: Resource) -> Iterator[str]:
    value = dig(resource.props, "spec", "policyTypes")
    items = as_list(value)
    if not items:
        yield (
            "spec.policyTypes is not set; list Ingress and/or Egress explicitly (otherwise Egress is only "
            "enforced when egress rules happen to exist)"
        )
        return
    bad = sorted({str(item) for item in items} - POLICY_TYPES)
    if bad:
        yield f"spec.policyTypes contains {', '.join(bad)}; use only Ingress and Egress"


RULES: tuple[Rule, ...] = (
    Rule(
        "svc-no-nodeport",
        "NodePort Services open a port on every node, bypassing the load balancer and its controls "
        "(kube-score service-type; Kyverno restrict-node-port).",
        Severity.MEDIUM,
        M,
        frozenset({SERVICE}),
        _no_nodeport,
        cel=(
            CelCheck(
                ("!has(object.spec.type) || object.spec.type != 'NodePort'",),
                "spec.type must not be NodePort; use ClusterIP behind the shared Ingress or Gateway",
            ),
        ),
        fix="Set the Service's `spec.type` to `ClusterIP` and route outside traffic through the shared "
        "Ingress or Gateway (SecureWorkload: `service.type`, `route`).",
    ),
    Rule(
        "svc-no-public-lb",
        "A LoadBalancer Service is internet-facing unless marked internal; expose through the shared "
        "Ingress instead (compliance-policies disallowLoadBalancer; pulumi examples no-public-services).",
        Severity.MEDIUM,
        A,
        frozenset({SERVICE}),
        _no_public_lb,
        cel=(
            CelCheck(
                (f"{_CEL_NOT_LB} || {_CEL_INTERNAL_LB}",),
                f'a LoadBalancer Service must be internal (metadata.annotations["{SCHEME_ANNOTATION}"]: '
                '"internal"); otherwise expose it through the shared Ingress',
            ),
        ),
        fix="Annotate the LoadBalancer Service with `service.beta.kubernetes.io/aws-load-balancer-scheme: "
        "internal`, or make it `ClusterIP` and expose it through the shared Gateway (SecureWorkload: "
        "`service.annotations`, `route`).",
    ),
    Rule(
        "svc-lb-tls",
        "Traffic to AWS load balancers must be TLS-encrypted with an ACM certificate (CIS EKS 5.4.5; "
        "hardeneks use_encryption_with_aws_load_balancers).",
        Severity.MEDIUM,
        M,
        frozenset({SERVICE}),
        _lb_tls,
        cel=(
            CelCheck(
                (
                    f"{_CEL_NOT_LB} || ({_cel_has_annotation(SSL_CERT_ANNOTATION)} && "
                    f"size({_cel_annotation(SSL_CERT_ANNOTATION)}) > 0)",
                ),
                f'a LoadBalancer Service needs metadata.annotations["{SSL_CERT_ANNOTATION}"] set to an ACM '
                "certificate ARN (CIS EKS 5.4.5)",
            ),
        ),
        fix="Set the LoadBalancer Service's `service.beta.kubernetes.io/aws-load-balancer-ssl-cert` "
        "annotation to an ACM certificate ARN (SecureWorkload: `service.annotations`).",
    ),
    Rule(
        "svc-no-external-ips",
        "spec.externalIPs lets a Service intercept traffic to arbitrary IPs (CVE-2020-8554; Kyverno "
        "restrict-service-external-ips).",
        Severity.HIGH,
        M,
        frozenset({SERVICE}),
        _no_external_ips,
        cel=(
            CelCheck(
                ("!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",),
                "spec.externalIPs must not be set (CVE-2020-8554)",
            ),
        ),
        fix="Remove `spec.externalIPs` from the Service; expose it through the shared Gateway or an "
        "internal load balancer instead.",
    ),
    Rule(
        "net-policy-types",
        "A NetworkPolicy without explicit policyTypes silently leaves egress open when it has no egress "
        "rules; listing them states the intent (NetworkPolicy API semantics).",
        Severity.MEDIUM,
        M,
        frozenset({NETWORK_POLICY}),
        _policy_types,
        preview_only="the API server defaults spec.policyTypes (from the ingress and egress rules) before "
        "admission, so an object that omitted it cannot be told apart from one that listed it",
        fix="List `spec.policyTypes` explicitly on the NetworkPolicy, with `Ingress` and/or `Egress` only.",
    ),
)

__all__ = ["RULES", "is_internal_lb"]
