"""What an application team's own program gets from the policy pack (issue: "Teams can install it").

A team program declares SecureWorkloads and StatefulDatabases in a namespace the platform created,
next to things other programs deploy (the platform's Gateway, a service of the team deployed by
another program). These tests preview such programs offline, exactly as ``platformctl preview`` and
``platform_components.testing`` do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from platform_components import (
    MeshMode,
    MeshNamespace,
    MeshNamespaceArgs,
    ParentRef,
    ProbeArgs,
    RouteArgs,
    SecureWorkload,
    SecureWorkloadArgs,
    StatefulDatabase,
    StatefulDatabaseArgs,
)
from platform_components.policies import EXEMPT_PREFIX
from platform_components.testing import Preview, preview_function

NAMESPACE = "payments"
NO_BACKUP: dict[str, Any] = {"enabled": False}


def workload(name: str, **extra: Any) -> SecureWorkload:
    args = SecureWorkloadArgs(
        namespace=NAMESPACE,
        image="ghcr.io/acme/api:1.0.0",
        readiness=ProbeArgs(path="/readyz"),
        liveness=ProbeArgs(path="/livez"),
        **extra,
    )
    return SecureWorkload(name, args)


def database(name: str, clients: list[dict[str, str]], **extra: Any) -> StatefulDatabase:
    args = StatefulDatabaseArgs(namespace=NAMESPACE, clients=clients, backup=NO_BACKUP, **extra)
    return StatefulDatabase(name, args)


def run(program: Callable[[], None], stack: str = "test", **kwargs: Any) -> Preview:
    return preview_function(program, stack=stack, **kwargs)


def findings(preview: Preview, rule_id: str) -> list[str]:
    return [v.message for v in preview.result.evaluation.violations if v.rule_id == rule_id]


# --- item 3: a route to the platform's Gateway, and exemptions of the route ---------------------------


def test_an_exempted_route_to_a_gateway_of_another_stack_is_not_a_violation() -> None:
    def program() -> None:
        workload(
            "api",
            route=RouteArgs(parent=ParentRef(name="public", namespace="gateway")),
            policy_exemptions={"route-parent-exists": "the shared Gateway lives in the platform stack"},
        )

    preview = run(program)
    assert findings(preview, "route-parent-exists") == []
    assert ("route-parent-exists", "HTTPRoute payments/api") in {
        (e.rule_id, e.resource) for e in preview.result.evaluation.exemptions
    }


def test_exemptions_reach_every_child_of_each_component() -> None:
    exempt = {"ns-quota": "quota set by the cluster's admission webhook"}

    def program() -> None:
        workload("api", route=RouteArgs(parent=ParentRef(name="public")), policy_exemptions=exempt)
        database("orders", clients=[], policy_exemptions=exempt)
        MeshNamespace(NAMESPACE, MeshNamespaceArgs(mesh=MeshMode.ISTIO_AMBIENT, policy_exemptions=exempt))

    preview = run(program)
    key = f"{EXEMPT_PREFIX}ns-quota"
    children = [
        record for record in preview.resources if record.custom and record.type.startswith("kubernetes:")
    ]
    assert len(children) > 20
    for record in children:
        assert record.inputs["metadata"]["annotations"][key] == exempt["ns-quota"], record.name


def test_an_exemption_that_matches_no_finding_is_reported_once_per_component() -> None:
    def program() -> None:
        workload("api", policy_exemptions={"pss-privileged": "not needed any more"})
        database("orders", clients=[], policy_exemptions={"route-parent-exist": "typo"})

    preview = run(program)
    assert preview.clean  # advisory
    unused = [(v.resource, v.message) for v in preview.warnings if v.rule_id == "policy-exemption-unused"]
    assert [resource for resource, _ in unused] == ["Deployment payments/api", "StatefulSet payments/orders"]
    assert "exempts nothing: rule pss-privileged has no finding" in unused[0][1]
    assert "did you mean 'route-parent-exists'?" in unused[1][1]
