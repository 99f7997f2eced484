"""CrossGuard adapters, driven directly through pulumi_policy's argument classes (no PolicyPack, no server)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pytest
from platform_components.policies import EXEMPT_PREFIX, RULES, STACK_RULES, Resource, check
from platform_components.policies.crossguard import build_policies
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import Severity as PulumiSeverity
from pulumi_policy.proxy import unknown_checking_proxy

if TYPE_CHECKING:
    from conftest import Kit

Reported = list[tuple[str, str | None]]


def options() -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )


def resource_args(resource: Resource, props: Mapping[str, Any] | None = None) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        resource.type,
        props if props is not None else resource.props,
        resource.urn,
        resource.name,
        options(),
        None,
    )


def stack_args(resources: list[Resource]) -> StackValidationArgs:
    return StackValidationArgs(
        resources=[
            PolicyResource(r.type, r.props, r.urn, r.name, options(), None, None, [], {}) for r in resources
        ]
    )


def recorder() -> tuple[Reported, Any]:
    reported: Reported = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    return reported, report


def run_all(resources: list[Resource], *, proxy: bool = False) -> dict[str, Reported]:
    """Every policy over ``resources`` as the CrossGuard analyzer would call it."""
    out: dict[str, Reported] = {}
    for policy in build_policies():
        reported, report = recorder()
        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                props = unknown_checking_proxy(dict(resource.props)) if proxy else None
                policy.validate(resource_args(resource, props), report)
        else:
            assert isinstance(policy, StackValidationPolicy)
            policy.validate(stack_args(resources), report)
        if reported:
            out[policy.name] = reported
    return out


def resource_policy(name: str) -> ResourceValidationPolicy:
    policy = next(p for p in build_policies() if p.name == name)
    assert isinstance(policy, ResourceValidationPolicy)
    return policy


def stack_policy(name: str) -> StackValidationPolicy:
    policy = next(p for p in build_policies() if p.name == name)
    assert isinstance(policy, StackValidationPolicy)
    return policy


def test_every_rule_appears_exactly_once() -> None:
    names = Counter(policy.name for policy in build_policies())
    assert set(names) == {rule.id for rule in RULES} | {rule.id for rule in STACK_RULES}
    assert max(names.values()) == 1


def test_policy_metadata_is_mapped() -> None:
    by_name = {policy.name: policy for policy in build_policies()}
    for rule in RULES:
        policy = by_name[rule.id]
        assert isinstance(policy, ResourceValidationPolicy)
        assert policy.description == rule.description
        assert policy.enforcement_level == EnforcementLevel(rule.enforcement.value)
        assert policy.severity == PulumiSeverity(rule.severity.value)
    for stack_rule in STACK_RULES:
        assert isinstance(by_name[stack_rule.id], StackValidationPolicy)
    assert by_name["pss-privileged"].enforcement_level is EnforcementLevel.MANDATORY
    assert by_name["img-pull-always"].enforcement_level is EnforcementLevel.ADVISORY
    assert by_name["pss-privileged"].severity is PulumiSeverity.CRITICAL


def test_bad_deployment_is_reported_with_display_and_urn(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["securityContext"]["privileged"] = True
    resource = kit.resource(dep)
    policy = resource_policy("pss-privileged")
    reported, report = recorder()
    policy.validate(resource_args(resource), report)
    assert reported == [
        (
            "Deployment team-a/api: spec.template.spec.containers[0] (api).securityContext.privileged is true; "
            "remove it or set it to false (PSS baseline: privileged containers)",
            resource.urn,
        )
    ]


def test_good_stack_reports_nothing(kit: Kit) -> None:
    assert run_all(kit.stack_resources()) == {}


@pytest.mark.parametrize("proxy", [False, True])
def test_bad_deployment_across_all_policies(kit: Kit, proxy: bool) -> None:
    """Under the analyzer's read-only proxies the rules behave the same as on plain dicts."""
    dep = kit.deployment()
    del kit.pod_spec_of(dep)["containers"][0]["securityContext"]["allowPrivilegeEscalation"]
    dep["spec"]["template"]["spec"]["hostPID"] = True
    reported = run_all([kit.resource(dep)], proxy=proxy)
    assert {"pss-no-privilege-escalation", "pss-host-namespaces", "avail-pdb", "net-workload-policy"} <= set(
        reported
    )
    assert all(
        message.startswith("Deployment team-a/api: ") for msgs in reported.values() for message, _ in msgs
    )


def test_good_stack_under_proxies(kit: Kit) -> None:
    assert run_all(kit.stack_resources(), proxy=True) == {}


def test_exempted_resource_is_skipped(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["securityContext"]["privileged"] = True
    dep["metadata"]["annotations"] = {EXEMPT_PREFIX + "pss-privileged": "node agent"}
    reported = run_all([kit.resource(dep), *kit.resources(*kit.stack()[1:])])
    assert reported == {}


def test_stack_policy_reports_the_offending_urn(kit: Kit) -> None:
    resources = kit.resources(*(obj for obj in kit.stack() if obj["kind"] != "NetworkPolicy"))
    policy = stack_policy("net-workload-policy")
    reported, report = recorder()
    policy.validate(stack_args(resources), report)
    ((message, urn),) = reported
    assert message.startswith("Deployment team-a/api: no NetworkPolicy")
    assert urn == resources[0].urn


def test_resource_policy_ignores_other_types(kit: Kit) -> None:
    policy = resource_policy("pss-privileged")
    reported, report = recorder()
    svc = kit.resource(kit.service())
    policy.validate(resource_args(svc), report)
    assert reported == []


def gitops_resources(kit: Kit) -> list[Resource]:
    """Compliant GitOps, Rollout and KEDA objects next to the baseline stack."""
    deployment = kit.deployment()
    deployment["spec"]["replicas"] = 0
    return kit.resources(
        kit.application(),
        kit.application_set(),
        kit.app_project(),
        kit.repo_secret(),
        kit.git_repository("ssh://git@github.com/acme/platform.git", secret="platform-repository"),
        kit.kustomization(),
        *(obj for obj in kit.stack() if obj["kind"] != "Deployment"),
        deployment,
        kit.migration_rollout(),
    )


@pytest.mark.parametrize("proxy", [False, True])
def test_gitops_objects_under_the_analyzer(kit: Kit, proxy: bool) -> None:
    assert run_all(gitops_resources(kit), proxy=proxy) == {}
    project = kit.app_project()
    project["spec"]["sourceRepos"] = ["*", "http://github.com/acme/platform.git"]
    reported = run_all([kit.resource(project)], proxy=proxy)
    assert set(reported) == {"argocd-project-scoped", "gitops-repo-url"}


def test_repository_secret_values_are_not_judged_under_crossguard(kit: Kit) -> None:
    """pulumi_policy hands a validation the plaintext of a Pulumi secret, so under CrossGuard a secret
    password cannot be told from a literal one: the value is left to the offline engine, which sees
    "[secret]" for a secret and the literal otherwise. A password embedded in a URL is judged in both."""
    plaintext = kit.repo_secret({"type": "git", "url": "https://github.com/acme/p.git", "password": "s3cr3t"})
    resource = kit.resource(plaintext)
    assert {v.rule_id for v in check([resource]).violations} == {"gitops-repo-credentials"}
    policy = resource_policy("gitops-repo-credentials")
    reported, report = recorder()
    policy.validate(resource_args(resource), report)
    assert reported == []
    in_url = kit.resource(
        kit.repo_secret({"type": "git", "url": "https://bot:s3cr3t@github.com/acme/p.git", "password": "x"})
    )
    policy.validate(resource_args(in_url), report)
    assert reported == []  # the url of a Secret may itself be a secret: not judged under CrossGuard either
    app = kit.application()
    app["spec"]["source"]["repoURL"] = "https://bot:s3cr3t@github.com/acme/p.git"
    policy.validate(resource_args(kit.resource(app)), report)
    ((message, _),) = reported
    assert "embeds a password in the URL (value not shown)" in message
    assert "s3cr3t" not in message


def test_an_unused_exemption_is_judged_per_component_under_crossguard(kit: Kit) -> None:
    """The stack policy evaluates the pack itself (CrossGuard runs each policy alone) and groups the
    objects of a component by their parent, as the offline engine does."""
    exempt = {EXEMPT_PREFIX + "pss-privileged": "node agent"}
    dep, svc = kit.deployment(), kit.service()
    kit.pod_spec_of(dep)["containers"][0]["securityContext"]["privileged"] = True
    for obj in (dep, svc):
        obj["metadata"]["annotations"] = dict(exempt)
    component_urn = "urn:pulumi:test::platform::platform:index:SecureWorkload::api"
    component = PolicyResource(
        "platform:index:SecureWorkload", {}, component_urn, "api", options(), None, None, [], {}
    )
    resources = kit.resources(dep, svc)
    policy = stack_policy("policy-exemption-unused")

    def validate(parent: PolicyResource | None) -> Reported:
        reported, report = recorder()
        items = [
            PolicyResource(r.type, r.props, r.urn, r.name, options(), None, parent, [], {}) for r in resources
        ]
        policy.validate(StackValidationArgs(resources=items), report)
        return reported

    assert validate(component) == []
    ((message, urn),) = validate(None)  # alone, the Service's exemption exempts nothing
    assert message.startswith("Service team-a/api: ") and "exempts nothing" in message
    assert urn == resources[1].urn


def test_a_team_programs_findings_are_the_same_under_crossguard() -> None:
    """The reference, mesh, environment and exemption rules read only the rendered objects (their
    annotations and labels), so CrossGuard reports what the offline engine reports."""
    from platform_components import (
        ParentRef,
        ProbeArgs,
        RouteArgs,
        SecureWorkload,
        SecureWorkloadArgs,
        StatefulDatabase,
        StatefulDatabaseArgs,
    )
    from platform_components.testing import preview_function

    def program() -> None:
        SecureWorkload(
            "api",
            SecureWorkloadArgs(
                namespace="payments",
                image="ghcr.io/acme/api:1.0.0",
                readiness=ProbeArgs(path="/readyz"),
                liveness=ProbeArgs(path="/livez"),
                route=RouteArgs(parent=ParentRef(name="public", namespace="gateway")),
                policy_exemptions={"pss-privileged": "stale"},
            ),
        )
        StatefulDatabase(
            "orders",
            StatefulDatabaseArgs(
                namespace="payments", clients=[{"workload": "apii"}], backup={"enabled": False}
            ),
        )

    preview = preview_function(program, stack="prod")
    offline: dict[str, int] = Counter(v.rule_id for v in preview.result.evaluation.violations)
    assert {"ref-resolves", "route-parent-exists", "mesh-mode-known", "db-backup-required"} <= set(offline)
    assert offline["policy-exemption-unused"] == 1
    items: dict[str, PolicyResource] = {}
    for record in preview.resources:  # a component registers before its children
        props = next((m for r, m in preview.result.manifests if r.urn == record.urn), record.inputs)
        items[record.urn] = PolicyResource(
            record.type, props, record.urn, record.name, options(), None, items.get(record.parent), [], {}
        )
    reported: dict[str, int] = {}
    for policy in build_policies():
        messages, report = recorder()
        if isinstance(policy, StackValidationPolicy):
            policy.validate(StackValidationArgs(resources=list(items.values())), report)
        else:
            assert isinstance(policy, ResourceValidationPolicy)
            for item in items.values():
                policy.validate(
                    resource_args(Resource(item.resource_type, item.name, item.props, item.urn)), report
                )
        if messages:
            reported[policy.name] = len(messages)
    assert reported == dict(offline)
