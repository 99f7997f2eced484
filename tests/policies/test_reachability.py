"""The NetworkPolicy reachability evaluator against the Kubernetes NetworkPolicy semantics.

Each case cites what it checks from the API reference (NetworkPolicySpec, NetworkPolicyPeer,
NetworkPolicyPort, LabelSelector in
https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/ and
https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/) or the
concept page https://kubernetes.io/docs/concepts/services-networking/network-policies/.
"""

from __future__ import annotations

from typing import Any

import pytest
from platform_components.policies.reachability import (
    Connection,
    ContainerPort,
    Pod,
    PolicyError,
    evaluate,
    policy_types,
    selector_matches,
)

WEB = Pod("web", "shop", {"app": "web", "tier": "front"}, (ContainerPort(8080, "http"),), ip="10.0.1.10")
API = Pod(
    "api",
    "shop",
    {"app": "api", "tier": "back"},
    (ContainerPort(9898, "http"), ContainerPort(9999, "grpc"), ContainerPort(5353, "dns", "UDP")),
    ip="10.0.1.20",
)
DB = Pod("db", "data", {"app": "db"}, (ContainerPort(5432, "postgres"),), ip="10.0.2.30")
PROBE = Pod("prometheus", "monitoring", {"app": "prometheus"}, ip="10.0.3.40")


def netpol(namespace: str, spec: dict[str, Any], name: str = "p") -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def deny_ingress(namespace: str) -> dict[str, Any]:
    return netpol(namespace, {"podSelector": {}, "policyTypes": ["Ingress"]}, "deny-ingress")


def deny_egress(namespace: str) -> dict[str, Any]:
    return netpol(namespace, {"podSelector": {}, "policyTypes": ["Egress"]}, "deny-egress")


def allow_api_from_web(**rule: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}
    return netpol(
        "shop",
        {
            "podSelector": {"matchLabels": {"app": "api"}},
            "policyTypes": ["Ingress"],
            "ingress": [{**base, **rule}],
        },
        "api",
    )


# --------------------------------------------------------------------------------------------------
# Isolation: "By default, a pod is non-isolated for ingress/egress ... a pod is isolated for ingress
# if there is any NetworkPolicy that both selects the pod and has Ingress in its policyTypes"


def test_no_policies_allow_everything() -> None:
    verdict = evaluate([], Connection(WEB, API, 9898))
    assert verdict.allowed and verdict.egress_allowed and verdict.ingress_allowed


def test_a_policy_selecting_the_destination_isolates_it() -> None:
    assert not evaluate([deny_ingress("shop")], Connection(WEB, API, 9898))
    verdict = evaluate([deny_ingress("shop")], Connection(WEB, API, 9898))
    assert verdict.egress_allowed and not verdict.ingress_allowed
    assert "isolated by shop/deny-ingress" in verdict.reason


def test_policies_of_another_namespace_do_not_select() -> None:
    """A NetworkPolicy applies to pods of its own namespace only (podSelector is namespaced)."""
    assert evaluate([deny_ingress("data")], Connection(WEB, API, 9898))


def test_pod_selector_selects_only_matching_pods() -> None:
    only_db = netpol("shop", {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"]})
    assert evaluate([only_db], Connection(WEB, API, 9898))


def test_egress_isolation_of_the_source() -> None:
    verdict = evaluate([deny_egress("shop")], Connection(WEB, DB, 5432))
    assert not verdict and not verdict.egress_allowed and verdict.ingress_allowed


def test_both_sides_must_allow() -> None:
    """ "For a connection from a source pod to a destination pod to be allowed, both the egress policy
    on the source pod and the ingress policy on the destination pod need to allow the connection.\""""
    allow_egress = netpol(
        "shop",
        {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"namespaceSelector": {}}]}]},
    )
    assert not evaluate([allow_egress, deny_ingress("data")], Connection(WEB, DB, 5432))
    assert evaluate([allow_egress], Connection(WEB, DB, 5432))


def test_policies_are_additive() -> None:
    """ "Network policies do not conflict; they are additive": a deny-all does not cancel an allow."""
    policies = [deny_ingress("shop"), allow_api_from_web()]
    assert evaluate(policies, Connection(WEB, API, 9898))
    assert evaluate(list(reversed(policies)), Connection(WEB, API, 9898))


# --------------------------------------------------------------------------------------------------
# policyTypes default: "If this field is not specified, it will default based on the existence of
# ingress or egress rules; policies that contain an egress section are assumed to affect egress, and
# all policies (whether or not they contain an ingress section) are assumed to affect ingress."


def test_policy_types_default() -> None:
    assert policy_types(netpol("shop", {"podSelector": {}})) == {"Ingress"}
    assert policy_types(netpol("shop", {"podSelector": {}, "egress": []})) == {"Ingress", "Egress"}
    assert policy_types(netpol("shop", {"podSelector": {}, "ingress": [{}]})) == {"Ingress"}


def test_policy_without_types_or_rules_denies_ingress_but_not_egress() -> None:
    bare = netpol("shop", {"podSelector": {}})
    assert not evaluate([bare], Connection(WEB, API, 9898))
    assert evaluate([bare], Connection(API, DB, 5432))


def test_egress_section_without_types_isolates_egress() -> None:
    egress_only = netpol("shop", {"podSelector": {}, "egress": [{"to": [{"podSelector": {}}]}]})
    assert not evaluate([egress_only], Connection(API, DB, 5432))  # DB is in another namespace
    assert not evaluate([egress_only], Connection(WEB, API, 9898))  # and ingress is isolated too


# --------------------------------------------------------------------------------------------------
# Rules and peers: "If this field is empty or missing, this rule matches all sources"; "If this field
# is present and contains at least one item, this rule allows traffic only if the traffic matches at
# least one item in the from list."


def test_empty_rule_allows_all_sources_and_ports() -> None:
    everything = netpol("shop", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]})
    assert evaluate([everything], Connection(DB, API, 1))


def test_empty_ingress_list_allows_nothing() -> None:
    nothing = netpol("shop", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": []})
    assert not evaluate([nothing], Connection(WEB, API, 9898))


def test_pod_selector_peer_is_the_policy_namespace_only() -> None:
    """ "podSelector ... If namespaceSelector is also set ... Otherwise it selects the pods matching
    podSelector in the policy's own namespace." """
    any_pod = netpol(
        "shop", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": {}}]}]}
    )
    assert evaluate([any_pod], Connection(WEB, API, 9898))
    assert not evaluate([any_pod], Connection(DB, API, 9898))


def test_namespace_selector_peer_alone_is_every_pod_of_the_namespaces() -> None:
    by_name = netpol(
        "shop",
        {
            "podSelector": {},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}}}]}
            ],
        },
    )
    assert evaluate([by_name], Connection(DB, API, 9898))
    assert not evaluate([by_name], Connection(PROBE, API, 9898))
    assert not evaluate([by_name], Connection(WEB, API, 9898))  # its own namespace is not "data"


def test_namespace_selector_uses_namespace_labels() -> None:
    labelled = netpol(
        "shop",
        {
            "podSelector": {},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "observability"}}}]}],
        },
    )
    namespaces = {"monitoring": {"team": "observability"}}
    assert evaluate([labelled], Connection(PROBE, API, 9898), namespaces)
    assert not evaluate([labelled], Connection(PROBE, API, 9898))


def test_empty_namespace_selector_is_every_namespace() -> None:
    everywhere = netpol(
        "shop",
        {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"namespaceSelector": {}}]}]},
    )
    assert evaluate([everywhere], Connection(PROBE, API, 9898))
    assert evaluate([everywhere], Connection(WEB, API, 9898))


def test_both_selectors_in_one_peer_are_anded_but_two_peers_are_ored() -> None:
    """The concept page's "and" vs "or" example: one element with both selectors, or two elements."""
    anded = netpol(
        "shop",
        {
            "podSelector": {},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                            },
                            "podSelector": {"matchLabels": {"app": "grafana"}},
                        }
                    ]
                }
            ],
        },
    )
    ored = netpol(
        "shop",
        {
            "podSelector": {},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
                        {"podSelector": {"matchLabels": {"app": "grafana"}}},
                    ]
                }
            ],
        },
    )
    assert not evaluate([anded], Connection(PROBE, API, 9898))
    assert evaluate([ored], Connection(PROBE, API, 9898))


def test_ip_block_matches_pod_ips_in_the_cidr_minus_except() -> None:
    block = netpol(
        "shop",
        {
            "podSelector": {},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.3.0/24"]}}]}],
        },
    )
    assert evaluate([block], Connection(DB, API, 9898))
    assert not evaluate([block], Connection(PROBE, API, 9898))
    no_ip = Pod("anon", "data", {"app": "db"})
    assert not evaluate([block], Connection(no_ip, API, 9898))


def test_egress_to_peers() -> None:
    to_db = netpol(
        "shop",
        {
            "podSelector": {"matchLabels": {"app": "api"}},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}},
                            "podSelector": {"matchLabels": {"app": "db"}},
                        }
                    ],
                    "ports": [{"port": 5432}],
                }
            ],
        },
    )
    assert evaluate([to_db], Connection(API, DB, 5432))
    assert not evaluate([to_db], Connection(API, PROBE, 5432))
    assert not evaluate([to_db], Connection(API, DB, 5433))
    assert evaluate([to_db], Connection(WEB, PROBE, 80))  # web is not selected


# --------------------------------------------------------------------------------------------------
# Ports: "If this field is empty or missing, this rule matches all ports"; protocol "If not
# specified, this field defaults to TCP"; "port ... can either be a numerical or named port on a
# pod"; "endPort indicates that the range of ports from port to endPort if set, inclusive".


@pytest.mark.parametrize(
    ("ports", "port", "protocol", "allowed"),
    [
        ([{"port": 9898}], 9898, "TCP", True),
        ([{"port": 9898}], 9899, "TCP", False),
        ([{"port": 9898}], 9898, "UDP", False),
        ([{"port": 5353, "protocol": "UDP"}], 5353, "UDP", True),
        ([{"protocol": "TCP"}], 1234, "TCP", True),
        ([{"protocol": "TCP"}], 1234, "UDP", False),
        ([{"port": "http"}], 9898, "TCP", True),
        ([{"port": "http"}], 9999, "TCP", False),
        ([{"port": "grpc"}], 9999, "TCP", True),
        ([{"port": "dns"}], 5353, "TCP", False),  # the name is declared for UDP only
        ([{"port": "dns", "protocol": "UDP"}], 5353, "UDP", True),
        ([{"port": "metrics"}], 9090, "TCP", False),  # a name the destination does not declare
        ([{"port": 9000, "endPort": 9999}], 9898, "TCP", True),
        ([{"port": 9000, "endPort": 9999}], 9999, "TCP", True),
        ([{"port": 9000, "endPort": 9999}], 10000, "TCP", False),
        ([{"port": 1}, {"port": "grpc"}], 9999, "TCP", True),
        ([], 4321, "SCTP", True),
    ],
)
def test_ports(ports: list[dict[str, Any]], port: int, protocol: str, allowed: bool) -> None:
    policy = allow_api_from_web(ports=ports)
    assert evaluate([policy], Connection(WEB, API, port, protocol)).allowed is allowed


def test_named_egress_ports_resolve_on_the_destination() -> None:
    to_http = netpol(
        "shop",
        {
            "podSelector": {"matchLabels": {"app": "web"}},
            "policyTypes": ["Egress"],
            "egress": [{"ports": [{"port": "http"}]}],
        },
    )
    assert evaluate([to_http], Connection(WEB, API, 9898))  # api's "http" is 9898
    assert not evaluate([to_http], Connection(WEB, API, 8080))  # web's own "http" does not count


# --------------------------------------------------------------------------------------------------
# Label selectors: "matchLabels ... and matchExpressions ... are ANDed"; operators In, NotIn, Exists
# and DoesNotExist; "An empty label selector matches all objects."


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ({}, True),
        ({"matchLabels": {"app": "api"}}, True),
        ({"matchLabels": {"app": "api", "tier": "front"}}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back", "x"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["back"]}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
        ({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, False),
        (
            {
                "matchLabels": {"app": "api"},
                "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["back"]}],
            },
            False,
        ),
    ],
)
def test_label_selectors(selector: dict[str, Any], matches: bool) -> None:
    assert selector_matches(selector, API.labels) is matches


def test_selector_in_a_rule_uses_expressions() -> None:
    policy = netpol(
        "shop",
        {
            "podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [{"podSelector": {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}}]}
            ],
        },
    )
    assert evaluate([policy], Connection(WEB, API, 9898))
    anon = Pod("anon", "shop", {})
    assert not evaluate([policy], Connection(anon, API, 9898))
    assert evaluate([policy], Connection(anon, WEB, 8080))  # web is not selected (tier=front)


# --------------------------------------------------------------------------------------------------
# What the API server refuses is refused, not guessed


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"policyTypes": ["Ingress"]}, "podSelector is required"),
        ({"podSelector": {}, "ingress": [{"from": [{}]}]}, "needs podSelector, namespaceSelector or ipBlock"),
        (
            {
                "podSelector": {},
                "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}],
            },
            "cannot be combined",
        ),
        ({"podSelector": {}, "ingress": [{"ports": [{"port": "http", "endPort": 9000}]}]}, "numeric port"),
        ({"podSelector": {}, "ingress": [{"ports": [{"port": 9000, "endPort": 80}]}]}, "endPort below port"),
        (
            {"podSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}},
            "In needs values",
        ),
        (
            {"podSelector": {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}},
            "operator",
        ),
        ({"podSelector": {}, "policyTypes": ["Sideways"]}, "policyTypes"),
    ],
)
def test_invalid_policies_raise(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        evaluate([netpol("shop", spec)], Connection(WEB, API, 9898))


def test_other_kinds_are_ignored() -> None:
    assert evaluate([{"kind": "ConfigMap", "metadata": {"name": "x"}}], Connection(WEB, API, 9898))
