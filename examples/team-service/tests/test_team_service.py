"""The team's own tests: a few lines with platform_components.testing, no cloud and no cluster."""

from pathlib import Path

from platform_components.testing import preview_project

PROJECT = Path(__file__).resolve().parents[1]


def test_dev_stack_is_clean() -> None:
    result = preview_project(PROJECT, stack="dev")
    assert result.clean, result.problems()
    assert not result.warnings, result.problems()


def test_only_the_gateway_and_prometheus_may_call_the_api() -> None:
    result = preview_project(PROJECT, stack="dev")
    policy = result.manifest("NetworkPolicy", "payments-api", "payments")
    callers = [rule["from"][0] for rule in policy["spec"]["ingress"]]
    assert [c["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for c in callers] == [
        "edge",
        "monitoring",
    ]
    assert result.outputs["service_host"] == "payments-api.payments.svc.cluster.local"


def test_what_other_programs_deploy_is_declared_external() -> None:
    result = preview_project(PROJECT, stack="dev")
    assert result.externals == ["namespace monitoring", "workload edge/gateway", "workload payments/ledger"]


def test_the_environment_rules_of_dev_apply() -> None:
    assert preview_project(PROJECT, stack="dev").environment == "dev"  # platform:environment
