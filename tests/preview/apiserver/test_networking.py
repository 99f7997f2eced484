"""NetworkPolicy validation (``pkg/apis/networking/validation/validation.go``, Kubernetes 1.35):
``ValidateNetworkPolicySpec``, ``ValidateNetworkPolicyPeer``, ``ValidateIPBlock``,
``ValidateNetworkPolicyPort``."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components.preview.apiserver import object_errors
from platform_components.preview.apiserver.networking import (
    ip_block_errors,
    network_policy_peer_errors,
    network_policy_port_errors,
    parse_cidr_sloppy,
    parse_ip_sloppy,
)
from platform_components.preview.schema import validate_manifest


def policy(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "p", "namespace": "team"},
        "spec": {"podSelector": {}, **spec},
    }


def test_validate_network_policy_through_validate_manifest() -> None:
    """ValidateNetworkPolicy runs in the preview: a peer with ipBlock and podSelector."""
    manifest = policy(ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}])
    errors = validate_manifest(manifest, "1.35", display="NetworkPolicy/p")
    assert [(e.path, e.message) for e in errors] == [
        ("spec.ingress[0].from[0]", "Forbidden: may not specify both ipBlock and another peer")
    ]
    assert validate_manifest(policy(ingress=[{"from": [{"podSelector": {}}]}]), "1.35", display="x") == []


def test_validate_network_policy_peer_needs_a_peer() -> None:
    """ValidateNetworkPolicyPeer: an empty peer; pod and namespace selectors together are fine."""
    assert list(network_policy_peer_errors({}, "p")) == [("p", "Required value: must specify a peer")]
    assert list(network_policy_peer_errors({"podSelector": {}, "namespaceSelector": {}}, "p")) == []


def test_validate_network_policy_peer_selectors() -> None:
    """ValidateNetworkPolicyPeer -> ValidateLabelSelector on both selectors."""
    peer = {"namespaceSelector": {"matchLabels": {"bad key!": "x"}}}
    errors = list(network_policy_peer_errors(peer, "p"))
    assert errors and errors[0][0] == "p.namespaceSelector.matchLabels"


def test_validate_ip_block_cidr_required_and_valid() -> None:
    """ValidateIPBlock: cidr required, must parse."""
    assert list(ip_block_errors({}, "b")) == [("b.cidr", "Required value")]
    assert list(ip_block_errors({"cidr": "10.0.0.0"}, "b")) == [
        (
            "b.cidr",
            'Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        )
    ]
    assert list(ip_block_errors({"cidr": "10.0.0.0/33"}, "b"))
    assert list(ip_block_errors({"cidr": "2001:db8::/64"}, "b")) == []


def test_validate_ip_block_legacy_forms_accepted_in_1_35() -> None:
    """ValidateIPBlock -> IsValidCIDRForLegacyField with StrictIPCIDRValidation off (its 1.35
    default): leading zeros and host bits are accepted."""
    assert list(ip_block_errors({"cidr": "010.000.0.0/08"}, "b")) == []
    assert list(ip_block_errors({"cidr": "10.0.0.1/8", "except": ["10.1.0.1/16"]}, "b")) == []


def test_validate_ip_block_except_strict_subset() -> None:
    """ValidateIPBlock: each except inside cidr, longer prefix, same family."""
    block = {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16", "11.0.0.0/16", "10.0.0.0/8", "fd00::/64", "x"]}
    assert list(ip_block_errors(block, "b")) == [
        ("b.except[1]", 'Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`'),
        ("b.except[2]", 'Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`'),
        ("b.except[3]", 'Invalid value: "fd00::/64": must be a strict subset of `cidr`'),
        (
            "b.except[4]",
            'Invalid value: "x": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        ),
    ]


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        ({"protocol": "ICMP"}, ['Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"']),
        ({"port": 0}, ["Invalid value: 0: must be between 1 and 65535, inclusive"]),
        ({"port": 90, "endPort": 80}, ["Invalid value: 80: must be greater than or equal to `port`"]),
        (
            {"port": "http", "endPort": 80},
            ["Invalid value: 80: may not be specified when `port` is non-numeric"],
        ),
        ({"endPort": 80}, ["Invalid value: 80: may not be specified when `port` is not specified"]),
        (
            {"port": "HTTP"},
            [
                'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
                'Invalid value: "HTTP": must contain at least one letter (a-z)',
            ],
        ),
    ],
)
def test_validate_network_policy_port_fires(port: dict[str, Any], expected: list[str]) -> None:
    """ValidateNetworkPolicyPort: protocol, port number or name, endPort."""
    assert [message for _, message in network_policy_port_errors(port, "x")] == expected


@pytest.mark.parametrize(
    "port", [{"protocol": "SCTP", "port": 80, "endPort": 80}, {"port": "metrics"}, {}, {"protocol": "UDP"}]
)
def test_validate_network_policy_port_silent(port: dict[str, Any]) -> None:
    """ValidateNetworkPolicyPort: the accepted edge cases (endPort == port, a named port, no port)."""
    assert list(network_policy_port_errors(port, "x")) == []


def test_validate_network_policy_spec_policy_types() -> None:
    """ValidateNetworkPolicySpec: at most two policyTypes, each Ingress or Egress."""
    three = list(object_errors(policy(policyTypes=["Ingress", "Egress", "Ingress"])))
    assert three == [
        (
            "spec.policyTypes",
            'Invalid value: ["Ingress","Egress","Ingress"]: may not specify more than two policyTypes',
        )
    ]
    assert list(object_errors(policy(policyTypes=["ingress"]))) == [
        ("spec.policyTypes[0]", 'Unsupported value: "ingress": supported values: "Ingress", "Egress"')
    ]
    assert list(object_errors(policy(policyTypes=["Egress", "Ingress"]))) == []


def test_validate_network_policy_spec_egress_paths_and_malformed_input() -> None:
    """ValidateNetworkPolicySpec: egress peers and ports are checked; malformed input never raises."""
    errors = list(object_errors(policy(egress=[{"to": [{}], "ports": [{"port": 70000}]}])))
    assert [path for path, _ in errors] == ["spec.egress[0].ports[0].port", "spec.egress[0].to[0]"]
    for spec in (
        None,
        [],
        {"ingress": "x"},
        {"ingress": [None, {"from": "x", "ports": [1]}]},
        {"policyTypes": 3},
    ):
        assert list(object_errors({**policy(), "spec": spec})) == []


def test_sloppy_parsers() -> None:
    """netutils.ParseIPSloppy / ParseCIDRSloppy, as IsValidCIDRForLegacyField uses them."""
    assert str(parse_ip_sloppy("010.001.0.1")) == "10.1.0.1"
    assert str(parse_ip_sloppy("::ffff:010.0.0.1")) == "::ffff:a00:1"
    assert parse_ip_sloppy("fe80::1%eth0") is None
    assert parse_ip_sloppy("256.0.0.1") is None
    assert str(parse_cidr_sloppy("10.0.0.1/008")) == "10.0.0.0/8"
    assert parse_cidr_sloppy("10.0.0.0/255.0.0.0") is None
    assert parse_cidr_sloppy("::/129") is None
