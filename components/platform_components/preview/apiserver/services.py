"""Service, as ``ValidateService`` (``k8s.io/kubernetes/pkg/apis/core/validation/validation.go``,
Kubernetes 1.35) validates it beyond its schema, plus the node-port range check of the Service
REST storage's allocator (``pkg/registry/core/service/portallocator``).

The API server validates a Service *after* defaulting it (``SetDefaults_Service``) and normalising
``clusterIP``/``clusterIPs`` (``PrepareForCreate``); this check reads the manifest as written, so
it treats an absent field as its default and leaves alone what defaulting or allocation fills in:

=========================  ================================================================
absent field               as
=========================  ================================================================
``type``                   ``ClusterIP``
``sessionAffinity``        ``None`` (``ClientIP`` without ``sessionAffinityConfig`` gets the
                           default timeout)
``ports[*].protocol``      ``TCP``
``ports[*].targetPort``    the port (also when 0 or ``""``)
``externalTrafficPolicy``  ``Cluster`` for externally accessible Services
``internalTrafficPolicy``  ``Cluster``
``allocateLoadBalancer``   ``true`` for ``LoadBalancer``
``NodePorts``
``healthCheckNodePort``    allocated when needed
``clusterIPs``             ``[clusterIP]`` (and ``clusterIP`` is ``clusterIPs[0]``)
=========================  ================================================================

IP addresses and CIDRs of ``clusterIPs``, ``externalIPs`` and ``loadBalancerSourceRanges`` are
parsed as ``IsValidIPForLegacyField``/``IsValidCIDRForLegacyField`` do with the 1.35 default of the
``StrictIPCIDRValidation`` gate (off): leading zeros and host bits are accepted (see
:mod:`.networking`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any, Final

from ..names import is_dns1123_label, is_dns1123_subdomain
from . import register
from ._validation import (
    duplicate,
    forbidden,
    invalid,
    is_label_key,
    is_valid_port_name,
    is_valid_port_num,
    not_supported,
    required,
)
from .networking import INVALID_IP, as_int, is_ipv6, legacy_cidr_errors, parse_ip_sloppy
from .selectors import labels_errors

SERVICE_TYPES: Final = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
PORT_PROTOCOLS: Final = ["SCTP", "TCP", "UDP"]
SESSION_AFFINITIES: Final = ["ClientIP", "None"]
TRAFFIC_POLICIES: Final = ["Cluster", "Local"]
IP_FAMILIES: Final = ["IPv4", "IPv6"]
IP_FAMILY_POLICIES: Final = ["PreferDualStack", "RequireDualStack", "SingleStack"]
TRAFFIC_DISTRIBUTIONS: Final = ["PreferClose", "PreferSameZone", "PreferSameNode"]
"""``validateServiceTrafficDistribution``: ``PreferSameZone``/``PreferSameNode`` with the
``PreferSameTrafficDistribution`` gate, GA and locked on in 1.35."""
MAX_CLIENT_IP_AFFINITY_SECONDS: Final = 86400
"""``core.MaxClientIPServiceAffinitySeconds``."""
NODE_PORT_RANGE: Final = (30000, 32767)
"""The API server's default ``--service-node-port-range``."""
TOPOLOGY_MODE: Final = "service.kubernetes.io/topology-mode"
TOPOLOGY_HINTS: Final = "service.kubernetes.io/topology-aware-hints"
SOURCE_RANGES_ANNOTATION: Final = "service.beta.kubernetes.io/load-balancer-source-ranges"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def port_num_or_name_errors(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidatePortNumOrName``: a port number 1-65535 or an IANA service name."""
    if (number := as_int(value)) is not None:
        for message in is_valid_port_num(number):
            yield path, invalid(number, message)
    elif isinstance(value, str):
        for message in is_valid_port_name(value):
            yield path, invalid(value, message)


def service_port_errors(
    port: Mapping[str, Any], require_name: bool, names: set[str], path: str
) -> Iterator[tuple[str, str]]:
    """``validateServicePort``: a name (required when the Service has several ports; a DNS-1123
    label, unique), the port 1-65535, a supported protocol, the target port, the appProtocol a
    qualified name."""
    name = port.get("name")
    if require_name and not name:
        yield f"{path}.name", required()
    elif isinstance(name, str) and name:
        for message in is_dns1123_label(name):
            yield f"{path}.name", invalid(name, message)
        if name in names:
            yield f"{path}.name", duplicate(name)
        names.add(name)
    if (number := as_int(port.get("port"))) is not None:
        for message in is_valid_port_num(number):
            yield f"{path}.port", invalid(number, message)
    protocol = port.get("protocol")
    if isinstance(protocol, str) and protocol and protocol not in PORT_PROTOCOLS:
        yield f"{path}.protocol", not_supported(protocol, PORT_PROTOCOLS)
    target = port.get("targetPort")
    if target != 0 and target != "":
        yield from port_num_or_name_errors(target, f"{path}.targetPort")
    app_protocol = port.get("appProtocol")
    if isinstance(app_protocol, str):
        for message in is_label_key(app_protocol):
            yield f"{path}.appProtocol", invalid(app_protocol, message)


def non_special_ip_errors(value: str, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateNonSpecialIP``: not unspecified, loopback, link-local or link-local multicast."""
    ip = parse_ip_sloppy(value)
    if ip is None:
        yield path, invalid(value, "must be a valid IP address")
        return
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        yield path, invalid(value, f"may not be unspecified ({value})")
    if ip.is_loopback:
        yield path, invalid(value, "may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if ip.is_link_local:
        yield path, invalid(value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    if (isinstance(ip, ipaddress.IPv4Address) and ip in _V4_LINK_LOCAL_MULTICAST) or (
        isinstance(ip, ipaddress.IPv6Address) and ip.packed[0] == 0xFF and ip.packed[1] & 0x0F == 0x02
    ):
        yield path, invalid(value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")


_V4_LINK_LOCAL_MULTICAST: Final = ipaddress.IPv4Network("224.0.0.0/24")


def cluster_ips_errors(
    spec: Mapping[str, Any], cluster_ips: list[Any], ips_path: str
) -> Iterator[tuple[str, str]]:
    """``ValidateServiceClusterIPsRelatedFields`` (not for ExternalName): ``clusterIPs[0]`` is
    ``clusterIP``; ``ipFamilies`` supported and distinct; a supported ``ipFamilyPolicy``;
    ``None`` only alone; valid IPs, at most two, one per family, each of its ``ipFamilies``
    entry's family."""
    cluster_ip = spec.get("clusterIP")
    given = isinstance(spec.get("clusterIPs"), list)
    if isinstance(cluster_ip, str) and cluster_ip and given and cluster_ips and cluster_ips[0] != cluster_ip:
        yield "spec.clusterIPs", invalid(cluster_ips, "first value must match `clusterIP`")
    families = spec.get("ipFamilies")
    families = families if isinstance(families, list) else []
    seen: set[Any] = set()
    for index, family in enumerate(families):
        if not isinstance(family, str):
            continue
        if family not in IP_FAMILIES:
            yield f"spec.ipFamilies[{index}]", not_supported(family, IP_FAMILIES)
        if family in seen:
            yield f"spec.ipFamilies[{index}]", duplicate(family)
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    if isinstance(policy, str) and policy not in IP_FAMILY_POLICIES:
        yield "spec.ipFamilyPolicy", not_supported(policy, IP_FAMILY_POLICIES)
    bad = False
    parsed = []
    for index, value in enumerate(cluster_ips):
        if not isinstance(value, str):
            return
        if index == 0 and value == "None":
            if len(cluster_ips) > 1:
                bad = True
                yield ips_path, invalid(cluster_ips, "'None' must be the first and only value")
            continue
        ip = parse_ip_sloppy(value)
        if ip is None:
            bad = True
            yield (
                ips_path if ips_path == "spec.clusterIP" else f"{ips_path}[{index}]",
                invalid(value, INVALID_IP),
            )
        parsed.append(ip)
    if len(cluster_ips) > 2:
        yield ips_path, invalid(cluster_ips, "may only hold up to 2 values")
    if bad:
        return
    if len(cluster_ips) > 1:
        versions = [is_ipv6(ip) for ip in parsed if ip is not None]
        if len(versions) != 2 or versions[0] == versions[1]:
            yield ips_path, invalid(cluster_ips, "may specify no more than one IP for each IP family")
    if cluster_ips != ["None"]:
        for index, (value, family) in enumerate(zip(cluster_ips, families, strict=False)):
            ip = parse_ip_sloppy(value)
            if ip is None:
                continue
            at = ips_path if ips_path == "spec.clusterIP" else f"{ips_path}[{index}]"
            if family == "IPv4" and is_ipv6(ip):
                yield at, invalid(value, f"expected an IPv4 value as indicated by `ipFamilies[{index}]`")
            if family == "IPv6" and not is_ipv6(ip):
                yield at, invalid(value, f"expected an IPv6 value as indicated by `ipFamilies[{index}]`")


def _in_node_port_range(value: int, path: str) -> Iterator[tuple[str, str]]:
    low, high = NODE_PORT_RANGE
    if not low <= value <= high:
        yield (
            path,
            invalid(
                value,
                f"provided port is not in the valid range. The range of valid ports is {low}-{high} "
                "(the API server's default --service-node-port-range)",
            ),
        )


@register(("", "Service"))
def service_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateService`` (its spec and the annotations it reads; names are :mod:`..names`')."""
    spec = manifest.get("spec")
    if not isinstance(spec, Mapping):
        return
    metadata = manifest.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    annotations = annotations if isinstance(annotations, Mapping) else {}
    mode, hints = annotations.get(TOPOLOGY_MODE), annotations.get(TOPOLOGY_HINTS)
    if TOPOLOGY_MODE in annotations and TOPOLOGY_HINTS in annotations and mode != hints:
        yield (
            f"metadata.annotations[{TOPOLOGY_MODE}]",
            invalid(mode, f"must match annotations[{TOPOLOGY_HINTS}] when both are specified"),
        )

    kind = spec.get("type", "ClusterIP")
    kind = kind if isinstance(kind, str) else ""
    cluster_ip = spec.get("clusterIP")
    cluster_ips = spec.get("clusterIPs")
    if isinstance(cluster_ips, list) and cluster_ips:
        ips_path = "spec.clusterIPs"
    else:  # PrepareForCreate: clusterIPs = [clusterIP]
        cluster_ips = [cluster_ip] if isinstance(cluster_ip, str) and cluster_ip else []
        ips_path = "spec.clusterIP"
    headless = cluster_ips == ["None"]
    first_ip_path = ips_path if ips_path == "spec.clusterIP" else f"{ips_path}[0]"

    ports = spec.get("ports")
    ports = ports if isinstance(ports, list) else []
    if not ports and not headless and kind != "ExternalName":
        yield "spec.ports", required()
    if kind in ("LoadBalancer", "NodePort") and headless:
        yield first_ip_path, invalid("None", f"may not be set to 'None' for {kind} services")
    elif kind == "ExternalName":
        if cluster_ips:
            yield ips_path, forbidden("may not be set for ExternalName services")
        if spec.get("ipFamilies"):
            yield "spec.ipFamilies", forbidden("may not be set for ExternalName services")
        if spec.get("ipFamilyPolicy") is not None:
            yield "spec.ipFamilyPolicy", forbidden("may not be set for ExternalName services")
        external_name = spec.get("externalName")
        if external_name is None or isinstance(external_name, str):
            # the value (a CNAME) may have a trailing dot to denote it as fully qualified
            cname = (external_name or "").removesuffix(".")
            if cname:
                for message in is_dns1123_subdomain(cname):
                    yield "spec.externalName", invalid(cname, message)
            else:
                yield "spec.externalName", required()

    names: set[str] = set()
    for index, port in enumerate(ports):
        if isinstance(port, Mapping):
            yield from service_port_errors(port, len(ports) > 1, names, f"spec.ports[{index}]")

    yield from labels_errors(spec.get("selector"), "spec.selector")

    affinity = spec.get("sessionAffinity", "None")
    if isinstance(affinity, str) and affinity not in SESSION_AFFINITIES:
        yield "spec.sessionAffinity", not_supported(affinity, SESSION_AFFINITIES)
    config = spec.get("sessionAffinityConfig")
    if affinity == "ClientIP" and isinstance(config, Mapping):
        yield from _client_ip_config_errors(config)
    elif affinity == "None" and config is not None:
        yield "spec.sessionAffinityConfig", forbidden("must not be set when session affinity is None")

    if kind != "ExternalName":
        yield from cluster_ips_errors(spec, cluster_ips, ips_path)

    external_ips = spec.get("externalIPs")
    external_ips = external_ips if isinstance(external_ips, list) else []
    for index, value in enumerate(external_ips):
        if isinstance(value, str):
            yield from non_special_ip_errors(value, f"spec.externalIPs[{index}]")

    if isinstance(spec.get("type"), str) and kind not in SERVICE_TYPES:
        yield "spec.type", not_supported(kind, SERVICE_TYPES)

    yield from _node_port_errors(kind, ports)
    yield from _port_duplicates(ports)
    yield from _source_range_errors(spec, kind, annotations)

    if spec.get("allocateLoadBalancerNodePorts") is not None and kind != "LoadBalancer":
        yield (
            "spec.allocateLoadBalancerNodePorts",
            forbidden("may only be used when `type` is 'LoadBalancer'"),
        )

    lb_class = spec.get("loadBalancerClass")
    if lb_class is not None:
        if kind == "LoadBalancer":
            if isinstance(lb_class, str):
                for message in is_label_key(lb_class):
                    yield "spec.loadBalancerClass", invalid(lb_class, message)
        else:
            yield "spec.loadBalancerClass", forbidden("may only be used when `type` is 'LoadBalancer'")

    yield from _traffic_policy_errors(spec, kind, external_ips)

    distribution = spec.get("trafficDistribution")
    if isinstance(distribution, str) and distribution not in TRAFFIC_DISTRIBUTIONS:
        yield "spec.trafficDistribution", not_supported(distribution, TRAFFIC_DISTRIBUTIONS)


def _client_ip_config_errors(config: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``validateClientIPAffinityConfig`` and ``validateAffinityTimeout``."""
    path = "spec.sessionAffinityConfig"
    client_ip = config.get("clientIP")
    if client_ip is None:
        yield f"{path}.clientIP", required("when session affinity type is ClientIP")
        return
    if not isinstance(client_ip, Mapping):
        return
    timeout = client_ip.get("timeoutSeconds")
    if timeout is None:
        yield f"{path}.clientIP.timeoutSeconds", required("when session affinity type is ClientIP")
    elif (seconds := as_int(timeout)) is not None and not 0 < seconds <= MAX_CLIENT_IP_AFFINITY_SECONDS:
        yield (
            f"{path}.clientIP.timeoutSeconds",
            invalid(seconds, f"must be greater than 0 and less than {MAX_CLIENT_IP_AFFINITY_SECONDS}"),
        )


def _node_port_errors(kind: str, ports: list[Any]) -> Iterator[tuple[str, str]]:
    """``ValidateService``: no ``nodePort`` on a ClusterIP Service, no (protocol, nodePort) twice;
    the allocator: a node port in the node-port range."""
    seen: set[tuple[str, int]] = set()
    for index, port in enumerate(ports):
        if not isinstance(port, Mapping):
            continue
        node_port = as_int(port.get("nodePort"))
        if not node_port:
            continue
        path = f"spec.ports[{index}].nodePort"
        if kind == "ClusterIP":
            yield path, forbidden("may not be used when `type` is 'ClusterIP'")
        key = (_text(port.get("protocol")) or "TCP", node_port)
        if key in seen:
            yield path, duplicate(node_port)
        seen.add(key)
        if kind in ("NodePort", "LoadBalancer"):
            yield from _in_node_port_range(node_port, path)


def _port_duplicates(ports: list[Any]) -> Iterator[tuple[str, str]]:
    """``ValidateService``: no (protocol, port) twice."""
    seen: set[tuple[str, Any]] = set()
    for index, port in enumerate(ports):
        if not isinstance(port, Mapping):
            continue
        number = port.get("port")
        if not isinstance(number, (int, str)) or isinstance(number, bool):
            continue
        key = (_text(port.get("protocol")) or "TCP", number)
        if key in seen:
            yield f"spec.ports[{index}]", duplicate({"port": number, "protocol": key[0]})
        seen.add(key)


def _source_range_errors(
    spec: Mapping[str, Any], kind: str, annotations: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """``ValidateService``: ``loadBalancerSourceRanges`` (else the annotation) only on a
    LoadBalancer, each a CIDR (space-padding tolerated)."""
    ranges = spec.get("loadBalancerSourceRanges")
    if isinstance(ranges, list) and ranges:
        path = "spec.loadBalancerSourceRanges"
        if kind != "LoadBalancer":
            yield path, forbidden("may only be used when `type` is 'LoadBalancer'")
        for index, value in enumerate(ranges):
            if isinstance(value, str):
                yield from legacy_cidr_errors(value.strip(), f"{path}[{index}]")
    elif SOURCE_RANGES_ANNOTATION in annotations:
        path = f"metadata.annotations[{SOURCE_RANGES_ANNOTATION}]"
        if kind != "LoadBalancer":
            yield path, forbidden("may only be used when `type` is 'LoadBalancer'")
        value = _text(annotations[SOURCE_RANGES_ANNOTATION]).strip()
        if value:
            for item in value.split(","):
                yield from legacy_cidr_errors(item.strip(), path)


def _traffic_policy_errors(
    spec: Mapping[str, Any], kind: str, external_ips: list[Any]
) -> Iterator[tuple[str, str]]:
    """``validateServiceExternalTrafficPolicy`` and ``validateServiceInternalTrafficFieldsValue``."""
    external = kind in ("LoadBalancer", "NodePort") or (kind == "ClusterIP" and bool(external_ips))
    policy = spec.get("externalTrafficPolicy")
    if isinstance(policy, str) and policy:
        if not external:
            yield (
                "spec.externalTrafficPolicy",
                invalid(policy, "may only be set for externally-accessible services"),
            )
        elif policy not in TRAFFIC_POLICIES:
            yield "spec.externalTrafficPolicy", not_supported(policy, TRAFFIC_POLICIES)
    needs_health_check = kind == "LoadBalancer" and policy == "Local"
    health = as_int(spec.get("healthCheckNodePort"))
    if health:
        path = "spec.healthCheckNodePort"
        if not needs_health_check:
            yield (
                path,
                invalid(
                    health,
                    "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
                ),
            )
        else:
            messages = is_valid_port_num(health)
            for message in messages:
                yield path, invalid(health, message)
            if not messages:
                yield from _in_node_port_range(health, path)
    internal = spec.get("internalTrafficPolicy")
    if isinstance(internal, str) and internal not in TRAFFIC_POLICIES:
        yield "spec.internalTrafficPolicy", not_supported(internal, TRAFFIC_POLICIES)


__all__ = [
    "cluster_ips_errors",
    "non_special_ip_errors",
    "port_num_or_name_errors",
    "service_errors",
    "service_port_errors",
]
