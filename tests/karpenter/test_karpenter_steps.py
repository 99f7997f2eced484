"""Karpenter's pure builders, each on its own: arguments in, the values its children are registered with out."""

from __future__ import annotations

import json

import pytest
from platform_components.errors import ConfigError
from platform_components.karpenter import (
    INTERRUPTION_EVENTS,
    chart_release_args,
    check_supported,
    interruption_rules,
    karpenter_tags,
    node_trust_policy,
)
from platform_components.kube import labels as lbl
from platform_components.versions import KARPENTER_CHART_REPOSITORY, KARPENTER_KUBERNETES, KARPENTER_VERSION


def test_check_supported_accepts_the_releases_minors_and_names_them_otherwise() -> None:
    for minor in KARPENTER_KUBERNETES[KARPENTER_VERSION]:
        check_supported(KARPENTER_VERSION, minor)
    with pytest.raises(
        ConfigError, match=rf"Karpenter {KARPENTER_VERSION} does not support Kubernetes 1\.20"
    ):
        check_supported(KARPENTER_VERSION, "1.20")


def test_karpenter_tags_are_the_clusters_with_managed_by() -> None:
    assert karpenter_tags({"team": "platform"}) == {"team": "platform", lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}


def test_interruption_rules_cover_every_event_with_its_pattern_and_target() -> None:
    rules = interruption_rules("karpenter")
    assert [r["rule"] for r in rules] == [f"karpenter-{event}" for event in INTERRUPTION_EVENTS]
    assert [r["target"] for r in rules] == [f"karpenter-{event}-target" for event in INTERRUPTION_EVENTS]
    assert [json.loads(r["event_pattern"]) for r in rules] == list(INTERRUPTION_EVENTS.values())
    spot = rules[list(INTERRUPTION_EVENTS).index("spot-interruption")]
    assert spot["description"].endswith("EC2 Spot Instance Interruption Warning")


def test_the_node_role_is_assumed_by_ec2_only() -> None:
    (statement,) = json.loads(node_trust_policy())["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }


def test_chart_release_args_pin_the_chart_into_kube_system_atomically() -> None:
    assert chart_release_args("karpenter-crd", "1.2.3") == {
        "name": "karpenter-crd",
        "chart": f"{KARPENTER_CHART_REPOSITORY}/karpenter-crd",
        "version": "1.2.3",
        "namespace": "kube-system",
        "atomic": True,
    }
