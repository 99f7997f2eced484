"""NetworkPolicy, as ``k8s.io/kubernetes/pkg/apis/networking/validation`` (Kubernetes 1.35) validates
it beyond its schema: ``ValidateNetworkPolicy`` -> ``ValidateNetworkPolicySpec`` (the pod selector,
every rule's ports and peers, the policy types), ``ValidateNetworkPolicyPeer``, ``ValidateIPBlock``
and ``ValidateNetworkPolicyPort``.

CIDRs: ``ValidateIPBlock`` checks ``cidr`` and ``except`` with core's ``IsValidCIDRForLegacyField``,
strict only when the ``StrictIPCIDRValidation`` feature gate is on. In 1.35 that gate is alpha and
off by default (``pkg/features/kube_features.go``: alpha since 1.33, no later stage), so the API
server parses them with ``netutils.ParseCIDRSloppy`` (Go 1.16's ``net.ParseCIDR``): IPv4 octets and
the prefix length may have leading zeros and bits may be set beyond the prefix length
(``10.0.0.1/8`` is ``10.0.0.0/8``); only an unparseable value is refused. The IP and CIDR parsers
here (:func:`parse_ip_sloppy`, :func:`parse_cidr_sloppy`, :func:`legacy_cidr_errors`,
:func:`legacy_ip_errors`) mirror those, and the ``services`` family reuses them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, Final

from . import register
from ._validation import (
    forbidden,
    invalid,
    is_int,
    is_valid_port_name,
    is_valid_port_num,
    not_supported,
    required,
)
from .selectors import label_selector_errors

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

NETWORK_POLICY_PROTOCOLS: Final = ["TCP", "UDP", "SCTP"]
POLICY_TYPES: Final = ["Ingress", "Egress"]
_BIG: Final = 0xFFFFFF
"""Go's ``dtoi`` gives up at this value (``net/parse.go``)."""

INVALID_IP: Final = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
INVALID_CIDR: Final = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def as_int(value: Any) -> int | None:
    """``value`` when it is a JSON integer (not a ``bool``), else ``None``."""
    return value if is_int(value) else None


def _dtoi(text: str) -> int | None:
    """Go's old ``dtoi``: the whole string, decimal digits only (leading zeros allowed)."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = 0
    for ch in text:
        value = value * 10 + ord(ch) - 48
        if value >= _BIG:
            return None
    return value


def _parse_ipv4_sloppy(text: str) -> ipaddress.IPv4Address | None:
    parts = text.split(".")
    if len(parts) != 4:
        return None
    octets = []
    for part in parts:
        value = _dtoi(part)
        if value is None or value > 255:
            return None
        octets.append(value)
    return ipaddress.IPv4Address(bytes(octets))


@lru_cache(maxsize=1024)
def parse_ip_sloppy(text: str) -> IPAddress | None:
    """``netutils.ParseIPSloppy``: an IPv4 address (octets may have leading zeros) or an IPv6
    address (no zone; an embedded IPv4 tail parsed the same way); ``None`` when unparseable."""
    if ":" not in text:
        return _parse_ipv4_sloppy(text)
    if "%" in text:
        return None
    head, _, tail = text.rpartition(":")
    if "." in tail:
        tail_ip = _parse_ipv4_sloppy(tail)
        if tail_ip is None:
            return None
        text = f"{head}:{tail_ip}"
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def parse_cidr_sloppy(text: str) -> IPNetwork | None:
    """``netutils.ParseCIDRSloppy``: ``<ip>/<prefix length>`` with :func:`parse_ip_sloppy`'s IP
    and a decimal prefix length (leading zeros allowed), host bits masked off; ``None`` when
    unparseable. Cached: the same few CIDRs recur across a platform's policies."""
    addr, slash, mask = text.partition("/")
    if not slash:
        return None
    ip: IPAddress | None = _parse_ipv4_sloppy(addr)
    if ip is None:
        ip = parse_ip_sloppy(addr) if ":" in addr else None
    length = _dtoi(mask)
    if ip is None or length is None or length > ip.max_prefixlen:
        return None
    return ipaddress.ip_network((ip, length), strict=False)


def legacy_cidr_errors(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Core's ``IsValidCIDRForLegacyField`` with the 1.35 default (``StrictIPCIDRValidation``
    off): ``validation.IsValidCIDRForLegacyField(..., strictValidation=false, ...)``."""
    if isinstance(value, str) and parse_cidr_sloppy(value) is None:
        yield path, invalid(value, INVALID_CIDR)


def legacy_ip_errors(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Core's ``IsValidIPForLegacyField`` with the 1.35 default (``StrictIPCIDRValidation`` off)."""
    if isinstance(value, str) and parse_ip_sloppy(value) is None:
        yield path, invalid(value, INVALID_IP)


def is_ipv6(ip: IPAddress) -> bool:
    """``netutils.IsIPv6``: an IPv4-mapped IPv6 address counts as IPv4 (Go's ``To4``)."""
    return isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None


def network_policy_port_errors(port: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateNetworkPolicyPort``: a supported protocol; a numeric ``port`` 1-65535 (with an
    ``endPort`` 1-65535 not below it) or a named one (an IANA service name, no ``endPort``);
    no ``endPort`` without a ``port``."""
    if not isinstance(port, Mapping):
        return
    protocol = port.get("protocol")
    if isinstance(protocol, str) and protocol not in NETWORK_POLICY_PROTOCOLS:
        yield f"{path}.protocol", not_supported(protocol, NETWORK_POLICY_PROTOCOLS)
    number, end = port.get("port"), as_int(port.get("endPort"))
    has_end = end is not None
    if (numeric := as_int(number)) is not None:
        for message in is_valid_port_num(numeric):
            yield f"{path}.port", invalid(numeric, message)
        if end is not None:
            if end < numeric:
                yield f"{path}.endPort", invalid(end, "must be greater than or equal to `port`")
            for message in is_valid_port_num(end):
                yield f"{path}.endPort", invalid(end, message)
    elif isinstance(number, str):
        if has_end:
            yield f"{path}.endPort", invalid(end, "may not be specified when `port` is non-numeric")
        for message in is_valid_port_name(number):
            yield f"{path}.port", invalid(number, message)
    elif number is None and has_end:
        yield f"{path}.endPort", invalid(end, "may not be specified when `port` is not specified")


def ip_block_errors(block: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateIPBlock``: ``cidr`` required and a CIDR; each of ``except`` a CIDR that is a strict
    subset of ``cidr`` (same family, inside it, a longer prefix)."""
    if not isinstance(block, Mapping):
        return
    cidr = block.get("cidr")
    if cidr is None or cidr == "":
        yield f"{path}.cidr", required()
        return
    if not isinstance(cidr, str):
        return
    yield from legacy_cidr_errors(cidr, f"{path}.cidr")
    network = parse_cidr_sloppy(cidr)
    if network is None:
        return
    excepts = block.get("except")
    if not isinstance(excepts, list):
        return
    for index, value in enumerate(excepts):
        if not isinstance(value, str):
            continue
        except_path = f"{path}.except[{index}]"
        yield from legacy_cidr_errors(value, except_path)
        hole = parse_cidr_sloppy(value)
        if hole is None:
            continue
        if (
            hole.version != network.version
            or hole.network_address not in network
            or network.prefixlen >= hole.prefixlen
        ):
            yield except_path, invalid(value, "must be a strict subset of `cidr`")


def network_policy_peer_errors(peer: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateNetworkPolicyPeer``: at least one of ``podSelector``, ``namespaceSelector`` and
    ``ipBlock`` (the two selectors may go together, ``ipBlock`` only alone); each selector a
    valid label selector, the block a valid :func:`ip_block_errors`."""
    if not isinstance(peer, Mapping):
        return
    count = 0
    for key in ("podSelector", "namespaceSelector"):
        if peer.get(key) is not None:
            count += 1
            yield from label_selector_errors(peer[key], f"{path}.{key}")
    has_block = peer.get("ipBlock") is not None
    if has_block:
        count += 1
        yield from ip_block_errors(peer["ipBlock"], f"{path}.ipBlock")
    if count == 0:
        yield path, required("must specify a peer")
    elif count > 1 and has_block:
        yield path, forbidden("may not specify both ipBlock and another peer")


def _rules(spec: Mapping[str, Any], direction: str, peers: str) -> Iterator[tuple[str, str]]:
    rules = spec.get(direction)
    if not isinstance(rules, list):
        return
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        rule_path = f"spec.{direction}[{index}]"
        ports = rule.get("ports")
        if isinstance(ports, list):
            for number, port in enumerate(ports):
                yield from network_policy_port_errors(port, f"{rule_path}.ports[{number}]")
        items = rule.get(peers)
        if isinstance(items, list):
            for number, peer in enumerate(items):
                yield from network_policy_peer_errors(peer, f"{rule_path}.{peers}[{number}]")


def network_policy_spec_errors(spec: Any) -> Iterator[tuple[str, str]]:
    """``ValidateNetworkPolicySpec``: the pod selector, every ingress and egress rule's ports and
    peers, at most two ``policyTypes``, each ``Ingress`` or ``Egress``."""
    if not isinstance(spec, Mapping):
        return
    yield from label_selector_errors(spec.get("podSelector"), "spec.podSelector")
    yield from _rules(spec, "ingress", "from")
    yield from _rules(spec, "egress", "to")
    types = spec.get("policyTypes")
    if not isinstance(types, list):
        return
    if len(types) > len(POLICY_TYPES):
        yield "spec.policyTypes", invalid(types, "may not specify more than two policyTypes")
        return
    for index, policy_type in enumerate(types):
        if isinstance(policy_type, str) and policy_type not in POLICY_TYPES:
            yield f"spec.policyTypes[{index}]", not_supported(policy_type, POLICY_TYPES)


@register(("networking.k8s.io", "NetworkPolicy"))
def network_policy_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateNetworkPolicy`` (its spec; the metadata is :mod:`..names`' and ``metadata``'s)."""
    yield from network_policy_spec_errors(manifest.get("spec"))


__all__ = [
    "INVALID_CIDR",
    "INVALID_IP",
    "as_int",
    "ip_block_errors",
    "is_ipv6",
    "legacy_cidr_errors",
    "legacy_ip_errors",
    "network_policy_errors",
    "network_policy_peer_errors",
    "network_policy_port_errors",
    "network_policy_spec_errors",
    "parse_cidr_sloppy",
    "parse_ip_sloppy",
]
