"""What an application team's own program gets from the policy pack (issue: "Teams can install it").

A team program declares SecureWorkloads and StatefulDatabases in a namespace the platform created,
next to things other programs deploy (the platform's Gateway, a service of the team deployed by
another program). These tests preview such programs offline, exactly as ``platformctl preview`` and
``platform_components.testing`` do.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pulumi
import pytest
from platform_components import (
    ClusterRef,
    ConfigError,
    EgressRule,
    ExternalKind,
    ExternalRef,
    IngressRule,
    MeshMode,
    MeshNamespace,
    MeshNamespaceArgs,
    NamespaceRef,
    NetworkArgs,
    ParentRef,
    PortRef,
    ProbeArgs,
    RouteArgs,
    SecureWorkload,
    SecureWorkloadArgs,
    StatefulDatabase,
    StatefulDatabaseArgs,
)
from platform_components.policies import EXEMPT_PREFIX
from platform_components.preview.mocks import PreviewMocks
from platform_components.preview.report import render_summary, report_dict
from platform_components.testing import Preview, preview_function, preview_project

NAMESPACE = "payments"
NO_BACKUP: dict[str, Any] = {"enabled": False}


def workload(
    name: str, *, mesh: Any = None, externals: Sequence[ExternalRef] = (), **extra: Any
) -> SecureWorkload:
    args = SecureWorkloadArgs(
        namespace=NAMESPACE,
        image="ghcr.io/acme/api:1.0.0",
        readiness=ProbeArgs(path="/readyz"),
        liveness=ProbeArgs(path="/livez"),
        **extra,
    )
    return SecureWorkload(name, args, mesh=mesh, externals=externals)


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


def test_a_route_to_the_platform_gateway_declared_external_passes_and_is_listed() -> None:
    gateway = ExternalRef(kind=ExternalKind.GATEWAY, namespace="gateway", name="public")

    def program() -> None:
        SecureWorkload(
            "api",
            SecureWorkloadArgs(
                namespace=NAMESPACE,
                image="ghcr.io/acme/api:1.0.0",
                readiness=ProbeArgs(path="/readyz"),
                liveness=ProbeArgs(path="/livez"),
                route=RouteArgs(parent=ParentRef(name="public", namespace="gateway")),
            ),
            externals=[gateway],
        )

    preview = run(program)
    assert findings(preview, "route-parent-exists") == []
    assert preview.externals == ["gateway gateway/public"]
    summary = render_summary(preview.result, io.StringIO())
    assert "Declared externals (1), not part of this program:" in summary
    assert "gateway gateway/public  payments/api" in summary
    assert report_dict(preview.result)["externals"] == [
        {"external": "gateway gateway/public", "declared_by": "payments/api"}
    ]


def test_an_undeclared_route_parent_fails_with_the_declaration_to_add() -> None:
    preview = run(
        lambda: workload("api", route=RouteArgs(parent=ParentRef(name="public", namespace="gateway")))
    )
    (message,) = findings(preview, "route-parent-exists")
    assert "externals=[ExternalRef(kind=ExternalKind.GATEWAY, namespace='gateway', name='public')]" in message


def platform_stack_outputs(outputs: dict[str, Any]) -> PreviewMocks:
    """Offline mocks that answer a StackReference with ``outputs`` (as the other stack would)."""

    def answer(_mocks: PreviewMocks, _args: Any, _state: dict[str, Any]) -> dict[str, Any]:
        return {"outputs": outputs}

    return PreviewMocks({"pulumi:pulumi:StackReference": answer})


def gateway_from_the_platform_stack() -> None:
    platform = pulumi.StackReference("acme/platform-components/dev")
    SecureWorkload(
        "api",
        SecureWorkloadArgs(
            namespace=NAMESPACE,
            image="ghcr.io/acme/api:1.0.0",
            readiness=ProbeArgs(path="/readyz"),
            liveness=ProbeArgs(path="/livez"),
            route=RouteArgs(parent=ParentRef(name="public", namespace="gateway")),
        ),
        externals=[
            ExternalRef(kind=ExternalKind.GATEWAY, namespace="gateway", name=platform.get_output("gateway"))
        ],
    )


def test_an_external_name_from_a_stack_reference_is_checked_against_the_other_stack() -> None:
    same = run(gateway_from_the_platform_stack, mocks=platform_stack_outputs({"gateway": "public"}))
    assert findings(same, "route-parent-exists") == []
    assert same.externals == ["gateway gateway/public"]
    renamed = run(gateway_from_the_platform_stack, mocks=platform_stack_outputs({"gateway": "public-v2"}))
    assert len(findings(renamed, "route-parent-exists")) == 1
    assert findings(renamed, "ref-external-unused")  # gateway/public-v2 is declared, but not referenced


def test_an_unknown_stack_output_stands_for_any_name_of_its_kind() -> None:
    preview = run(gateway_from_the_platform_stack)  # the other stack's outputs are unknown offline
    assert findings(preview, "route-parent-exists") == []
    assert preview.externals == ["gateway gateway/<a stack output, unknown in this preview>"]


def test_references_to_other_namespaces_must_be_declared() -> None:
    def program(externals: list[ExternalRef]) -> Callable[[], None]:
        def build() -> None:
            SecureWorkload(
                "api",
                SecureWorkloadArgs(
                    namespace=NAMESPACE,
                    image="ghcr.io/acme/api:1.0.0",
                    readiness=ProbeArgs(path="/readyz"),
                    liveness=ProbeArgs(path="/livez"),
                    network=NetworkArgs(
                        ingress=[
                            IngressRule(namespace="edge", workload="gateway"),
                            IngressRule(namespace="monitoring", pod_labels={"app": "prometheus"}),
                        ]
                    ),
                ),
                externals=externals,
            )

        return build

    undeclared = run(program([]))
    assert len(findings(undeclared, "ref-resolves")) == 2
    declared = run(
        program(
            [
                ExternalRef(namespace="edge", name="gateway"),
                ExternalRef(kind=ExternalKind.NAMESPACE, namespace="monitoring"),
            ]
        )
    )
    assert findings(declared, "ref-resolves") == []
    assert declared.externals == ["namespace monitoring", "workload edge/gateway"]


def test_an_external_that_nothing_references_is_reported() -> None:
    def program() -> None:
        SecureWorkload(
            "api",
            SecureWorkloadArgs(
                namespace=NAMESPACE,
                image="ghcr.io/acme/api:1.0.0",
                readiness=ProbeArgs(path="/readyz"),
                liveness=ProbeArgs(path="/livez"),
            ),
            externals=[ExternalRef(name="ledger")],
        )

    preview = run(program)
    assert preview.clean
    (message,) = findings(preview, "ref-external-unused")
    assert "workload payments/ledger is used by no reference" in message


def test_an_external_name_is_validated() -> None:
    with pytest.raises(ConfigError, match="a namespace external takes namespace= and no name"):
        ExternalRef(kind=ExternalKind.NAMESPACE, name="x")
    with pytest.raises(ConfigError, match="needs its name"):
        ExternalRef(kind=ExternalKind.GATEWAY, namespace="gateway")


# --- item 6: broken links between a team's own components ----------------------------------------------


def test_a_database_client_without_egress_to_the_database_fails() -> None:
    def program() -> None:
        workload("api")  # no egress rule to orders
        database("orders", clients=[{"workload": "api"}])

    preview = run(program)
    (message,) = findings(preview, "ref-mutual")
    assert "orders" in message and "api" in message and "clients[0]" in message


def test_a_typo_in_the_clients_of_a_database_fails_with_a_suggestion() -> None:
    def program() -> None:
        workload(
            "api", network=NetworkArgs(egress=[EgressRule(workload="orders", ports=[PortRef(port=5432)])])
        )
        database("orders", clients=[{"workload": "apii"}])

    preview = run(program)
    assert not preview.clean
    (message,) = findings(preview, "ref-resolves")
    assert "clients[0]" in message and "did you mean 'api'" in message


def test_agreeing_components_preview_clean() -> None:
    def program() -> None:
        workload(
            "web",
            network=NetworkArgs(egress=[EgressRule(workload="api", ports=[PortRef(port="http")])]),
        )
        workload(
            "api",
            network=NetworkArgs(
                ingress=[IngressRule(workload="web", ports=["http"])],
                egress=[EgressRule(workload="orders", ports=[PortRef(port=5432)])],
            ),
        )
        database("orders", clients=[{"workload": "api"}], replicas=2)

    preview = run(program)
    assert {"ref-resolves", "ref-mutual"} & preview.rule_ids() == set(), preview.problems()


def test_an_egress_without_the_matching_ingress_fails() -> None:
    def program() -> None:
        workload("web", network=NetworkArgs(egress=[EgressRule(workload="api", ports=[PortRef(port=8080)])]))
        workload("api", network=NetworkArgs(ingress=[IngressRule(workload="other", ports=["http"])]))

    preview = run(program)
    assert any("web" in m and "api" in m for m in findings(preview, "ref-mutual"))


# --- item 5: a workload in a meshed namespace created elsewhere, without mesh= -------------------------


def caller_and_api(**api: Any) -> None:
    """web calls api; both in the team's namespace, which another program (the platform) creates."""
    workload("web", network=NetworkArgs(egress=[EgressRule(workload="api", ports=[PortRef(port=8080)])]))
    workload("api", network=NetworkArgs(ingress=[IngressRule(workload="web")]), **api)


def test_a_workload_without_mesh_information_gets_a_warning_naming_the_keyword() -> None:
    preview = run(caller_and_api)
    messages = findings(preview, "mesh-mode-known")
    assert len(messages) == 2  # web and api
    assert all("mesh=" in message and "NamespaceRef(name='payments'" in message for message in messages)
    assert preview.clean, preview.problems()  # advisory


def test_a_namespace_reference_gives_the_mode_and_records_it() -> None:
    ambient = NamespaceRef(name=NAMESPACE, mesh=MeshMode.ISTIO_AMBIENT)

    def program() -> None:
        workload("web", network=NetworkArgs(egress=[EgressRule(workload="api", ports=[PortRef(port=8080)])]))
        SecureWorkload(
            "api",
            SecureWorkloadArgs(
                namespace=NAMESPACE,
                image="ghcr.io/acme/api:1.0.0",
                readiness=ProbeArgs(path="/readyz"),
                liveness=ProbeArgs(path="/livez"),
                network=NetworkArgs(ingress=[IngressRule(workload="web")]),
            ),
            mesh=ambient,
        )

    preview = run(program)
    assert [m for m in findings(preview, "mesh-mode-known") if "api" in m.split(":")[0]] == []
    policy = preview.manifest("AuthorizationPolicy", "api", NAMESPACE)
    assert policy["spec"]["rules"][0]["from"][0]["source"]["principals"] == [
        f"cluster.local/ns/{NAMESPACE}/sa/web"
    ]
    deployment = preview.manifest("Deployment", "api", NAMESPACE)
    assert deployment["metadata"]["annotations"]["platform-components.io/mesh"] == "istio-ambient"


def test_a_namespace_reference_must_name_the_components_namespace() -> None:
    with pytest.raises(
        ConfigError, match="mesh= refers to namespace 'shop' but the component is in 'payments'"
    ):
        run(lambda: workload("api", mesh=NamespaceRef(name="shop", mesh=MeshMode.NONE)))


def test_a_meshnamespace_of_the_same_program_needs_no_recorded_mode() -> None:
    def program(pass_mesh: bool) -> Callable[[], None]:
        def build() -> None:
            team = MeshNamespace(NAMESPACE, MeshNamespaceArgs(mesh=MeshMode.ISTIO_AMBIENT))
            caller_and_api(**({"mesh": team} if pass_mesh else {}))

        return build

    forgotten = run(program(pass_mesh=False))
    (message,) = findings(forgotten, "mesh-mode-known")  # web has no callers: nothing to admit
    assert message.startswith(
        "Deployment payments/api: SecureWorkload api runs in the meshed namespace payments"
    )
    given = run(program(pass_mesh=True))
    assert findings(given, "mesh-mode-known") == []
    assert "platform-components.io/mesh" not in given.manifest("Deployment", "api")["metadata"]["annotations"]


# --- item 7: a team's prod database without backups ----------------------------------------------------


def test_a_team_prod_database_without_backups_fails() -> None:
    preview = run(lambda: database("orders", clients=[]), stack="prod")
    (message,) = findings(preview, "db-backup-required")
    assert "orders" in message and "backup" in message


def test_the_environment_comes_from_the_config_key_before_the_stack_name() -> None:
    config = {"platform:environment": "prod"}
    preview = run(lambda: database("orders", clients=[]), stack="payments-eu", config=config)
    assert preview.environment == "prod"
    assert len(findings(preview, "db-backup-required")) == 1
    sts = preview.manifest("StatefulSet", "orders", NAMESPACE)
    assert sts["metadata"]["labels"]["platform-components.io/environment"] == "prod"
    summary = render_summary(preview.result, io.StringIO())
    assert "Environment: prod (from config platform:environment)" in summary
    assert report_dict(preview.result)["environment"] == {
        "name": "prod",
        "source": "config platform:environment",
    }


def test_a_stack_not_named_like_an_environment_applies_none() -> None:
    preview = run(lambda: database("orders", clients=[]), stack="prod-eu")
    assert preview.environment is None
    assert findings(preview, "db-backup-required") == []
    assert (
        "platform-components.io/environment"
        not in preview.manifest("StatefulSet", "orders")["metadata"]["labels"]
    )
    assert (
        "stack name 'prod-eu' is not dev, staging or prod"
        in report_dict(preview.result)["environment"]["source"]
    )


def test_staging_needs_the_restore_test_and_dev_needs_nothing() -> None:
    no_restore_test = {"enabled": True, "restore_test": {"enabled": False}}

    def program() -> None:
        StatefulDatabase(
            "orders",
            StatefulDatabaseArgs(namespace=NAMESPACE, backup=no_restore_test),
            cluster=ClusterRef("platform-staging"),
        )

    staging = run(program, stack="staging", config={"aws:region": "eu-west-1"})
    (message,) = findings(staging, "db-backup-required")
    assert "no restore test (CronJob orders-restore-test)" in message and "backup (" not in message
    dev = run(lambda: database("orders", clients=[]), stack="dev")
    assert dev.environment == "dev"
    assert findings(dev, "db-backup-required") == []


def test_a_team_prod_database_with_backups_is_clean() -> None:
    def program() -> None:
        StatefulDatabase(
            "orders", StatefulDatabaseArgs(namespace=NAMESPACE), cluster=ClusterRef("platform-prod")
        )

    preview = run(program, stack="prod", config={"aws:region": "eu-west-1"})
    assert findings(preview, "db-backup-required") == []
    assert preview.clean, preview.problems()
    bucket = preview.of_type("aws:s3/bucket:Bucket")[0]
    assert bucket.inputs["tags"]["platform-components.io/environment"] == "prod"


def test_an_unknown_environment_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: team\nruntime: python\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text("", encoding="utf-8")
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  platform:environment: production\n", encoding="utf-8"
    )
    with pytest.raises(
        ConfigError, match=r"Pulumi.prod.yaml:2: platform:environment is 'production'; use one of"
    ):
        preview_project(tmp_path, stack="prod")
