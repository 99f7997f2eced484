"""The PSS rules' CEL forms where the admitted object differs from what the preview sees.

The side-by-side test (``test_admission_cel.py``) compares the Python checks and the CEL forms on the
objects as written; these tests cover what it cannot: the API server's defaulting before admission,
and the API schema the CEL form of ``pss-volume-types`` depends on.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from platform_components.policies import RULES, Resource, Rule
from platform_components.policies.admission import admission_policies
from platform_components.policies.pss import RESTRICTED_VOLUME_TYPES, VOLUME_SOURCE_TYPES
from platform_components.preview import admission as offline
from platform_components.preview import schema
from platform_components.versions import SUPPORTED_KUBERNETES_VERSIONS

HOST_PORTS = next(rule for rule in RULES if rule.id == "pss-host-ports")


@pytest.mark.parametrize("minor", SUPPORTED_KUBERNETES_VERSIONS)
def test_volume_source_types_are_the_volume_sources_of_the_api(minor: str) -> None:
    path = schema._bundle_root().joinpath(schema._schema_dir(minor), "_definitions.json")
    definitions = json.loads(path.read_text(encoding="utf-8"))["$defs"]
    sources = set(definitions["io.k8s.api.core.v1.Volume"]["properties"]) - {"name"}
    assert sources == VOLUME_SOURCE_TYPES, (
        "update VOLUME_SOURCE_TYPES (the CEL form of pss-volume-types names them)"
    )
    assert sources >= RESTRICTED_VOLUME_TYPES


def _pod(host_network: bool, host_port: int | None = None) -> dict[str, Any]:
    port: dict[str, Any] = {"containerPort": 8080}
    if host_port is not None:
        port["hostPort"] = host_port
    spec = {"hostNetwork": host_network, "containers": [{"name": "api", "image": "i", "ports": [port]}]}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "api", "namespace": "team-a"},
        "spec": spec,
    }


def _deployment(pod: dict[str, Any]) -> dict[str, Any]:
    labels = {"app": "api"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "team-a"},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod["spec"]},
        },
    }


def _defaulted(pod: dict[str, Any]) -> dict[str, Any]:
    """``SetDefaults_Pod``: with hostNetwork, an unset (or 0) hostPort becomes the containerPort."""
    out = copy.deepcopy(pod)
    if out["kind"] == "Pod" and out["spec"].get("hostNetwork"):
        for container in out["spec"]["containers"]:
            for port in container.get("ports", []):
                if not port.get("hostPort"):
                    port["hostPort"] = port["containerPort"]
    return out


def _python_fires(manifest: dict[str, Any]) -> bool:
    token = "kubernetes:core/v1:Pod" if manifest["kind"] == "Pod" else "kubernetes:apps/v1:Deployment"
    return bool(list(HOST_PORTS.check(Resource(token, "api", manifest))))


def _cel_fires(manifest: dict[str, Any], rule: Rule = HOST_PORTS) -> bool:
    policies = [d for d in admission_policies([rule]) if d["kind"] == "ValidatingAdmissionPolicy"]
    outcomes = [offline.evaluate(policy, manifest) for policy in policies]
    return any(outcome is not None and not outcome.passed for outcome in outcomes)


@pytest.mark.parametrize(
    ("manifest", "fires"),
    [
        pytest.param(_pod(True), True, id="host-network-pod-without-host-port"),
        pytest.param(_pod(True, 0), True, id="host-network-pod-host-port-0"),
        pytest.param(_pod(True, 8080), True, id="host-network-pod-with-host-port"),
        pytest.param(_pod(False), False, id="pod-without-host-port"),
        pytest.param(_pod(False, 9090), True, id="pod-with-host-port"),
        pytest.param(_deployment(_pod(True)), False, id="host-network-template-without-host-port"),
        pytest.param(_deployment(_pod(True, 8080)), True, id="host-network-template-with-host-port"),
    ],
)
def test_host_ports_judges_the_pod_the_api_server_defaults(manifest: dict[str, Any], fires: bool) -> None:
    """PSA and the policies see a hostNetwork Pod after ``SetDefaults_Pod`` gave every port a hostPort
    (pod templates are not defaulted so): the preview, on the object as written, must agree."""
    assert _python_fires(manifest) is fires
    assert _cel_fires(manifest) is fires
    assert _cel_fires(_defaulted(manifest)) is fires


VOLUME_TYPES = next(rule for rule in RULES if rule.id == "pss-volume-types")


@pytest.mark.parametrize("source", sorted(VOLUME_SOURCE_TYPES))
def test_volume_types_judges_every_volume_source_alike(source: str) -> None:
    """Each volume source once: the CEL form names the forbidden ones, the Python check allows a list."""
    pod = _pod(False)
    pod["spec"]["volumes"] = [{"name": "v", source: {}}]
    expected = source not in RESTRICTED_VOLUME_TYPES
    assert bool(list(VOLUME_TYPES.check(Resource("kubernetes:core/v1:Pod", "api", pod)))) is expected
    assert _cel_fires(pod, VOLUME_TYPES) is expected
