"""PlatformEnvironment: what the platform stack creates around the workloads (docs/guide/running.md)."""

from collections.abc import Callable
from pathlib import Path

import pytest
from platform_components.config import PlatformConfig
from platform_components.environment import PRIORITY_CLASSES, PlatformEnvironment
from platform_components.testing import Preview, preview_function, preview_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dev() -> Preview:
    return preview_project(ROOT, stack="dev")


def test_priority_classes(dev: Preview) -> None:
    classes = {m["metadata"]["name"]: m for m in dev.manifests if m["kind"] == "PriorityClass"}
    assert sorted(classes) == ["platform-critical", "platform-high", "platform-low", "platform-medium"]
    assert [
        classes[n]["value"] for n in ("platform-critical", "platform-high", "platform-medium", "platform-low")
    ] == [
        1_000_000,
        100_000,
        10_000,
        1_000,
    ]
    assert classes["platform-low"]["preemptionPolicy"] == "Never"
    assert not any(c["globalDefault"] for c in classes.values())
    assert all(value < 1_000_000_000 for value, _, _ in PRIORITY_CLASSES.values())  # below system-*


def test_workload_namespaces_enforce_restricted_pinned_to_the_minor(dev: Preview) -> None:
    namespace = dev.manifest("Namespace", "shop")
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "v1.35"
    assert labels["platform-components.io/environment"] == "dev"


def test_workloads_carry_the_environment_label_and_depend_on_their_namespace(dev: Preview) -> None:
    deployment = dev.manifest("Deployment", "api", "shop")
    assert deployment["metadata"]["labels"]["platform-components.io/environment"] == "dev"
    component = dev.resource("platform:index:SecureWorkload", "api")
    assert component.parent.endswith("platform:index:PlatformEnvironment::dev")
    namespace = dev.resource("kubernetes:core/v1:Namespace", "shop-namespace")
    assert namespace.urn in component.dependencies  # depending on the MeshNamespace waits for its children


def test_stack_outputs(dev: Preview) -> None:
    outputs = dict(dev.outputs)
    endpoint = outputs.pop("clusterEndpoint")
    issuer = outputs.pop("oidcIssuer")
    databases = outputs.pop("databases")
    assert list(databases) == ["orders"]
    orders = databases["orders"]
    assert orders["host"] == "orders.shop.svc.cluster.local"
    assert orders["credentialsSecret"] == "orders-app"
    assert orders["backupBucket"].startswith("orders-backups-")
    assert orders.get("readOnlyHost") is None  # one instance in dev
    assert endpoint.startswith("https://") and endpoint.endswith(".eks.amazonaws.com")
    assert issuer.startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")
    assert outputs == {
        "environment": "dev",
        "kubernetesVersion": "1.35",
        "namespaces": ["payments", "shop"],
        "meshes": {"payments": "none", "shop": "istio-ambient"},
        "workloads": ["api", "frontend"],
        "clusterName": "platform-dev",
        "kubeconfig": "[secret]",
    }


def test_an_empty_environment_still_gets_priority_classes() -> None:
    config = PlatformConfig.model_validate({"environment": "local"})
    result = preview_function(lambda: PlatformEnvironment("local", config))
    assert result.clean, result.problems()
    assert len(result.of_type("kubernetes:scheduling.k8s.io/v1:PriorityClass")) == 4
    assert not result.of_type("kubernetes:core/v1:Namespace")


def test_platform_environment_must_agree_with_the_stack_file(stack_error: Callable[[str, str], str]) -> None:
    """The one environment key and the platform's own declaration name the same thing."""
    text = (ROOT / "stacks" / "Pulumi.local.yaml").read_text(encoding="utf-8")
    line = stack_error(text.replace("platform:environment: local", "platform:environment: prod"), "local")
    assert "platform:environment is 'prod' but platform-components:platform.environment is 'local'" in line
