"""render_argocd's and render_flux's builders, each on its own: the args in, one object (or one
team's objects) out; and the order in which the renderers key them (the registration order).
GitOpsBootstrap's own builders: the facts, the renderer, the controller namespace's labels, the
Argo CD release and route."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components.errors import ConfigError
from platform_components.gitops import (
    ARGOCD_RELEASE,
    FACT_PREFIX,
    IN_CLUSTER,
    RECONCILER,
    TEAM_BLACKLIST,
    GitOpsBootstrapArgs,
    argocd_cluster_secret,
    argocd_platform_project,
    argocd_release_args,
    argocd_root_application,
    argocd_route,
    argocd_sync_policy,
    argocd_team_project,
    argocd_teams_application_set,
    argocd_values,
    bootstrap_facts,
    controller_namespace_labels,
    flux_facts,
    flux_kustomization,
    flux_notifications,
    flux_source,
    flux_team,
    render_argocd,
    render_flux,
    renderer,
)
from platform_components.kube import labels as lbl
from platform_components.versions import ARGOCD_CHART_REPOSITORY, ARGOCD_CHART_VERSION

HTTPS = "https://github.com/acme/platform-gitops.git"
SSH = "git@github.com:acme/platform-gitops.git"


def gitops_args(engine: str = "argocd", **overrides: Any) -> GitOpsBootstrapArgs:
    base: dict[str, Any] = {"engine": engine, "environment": "dev", "repository": {"url": HTTPS}}
    return GitOpsBootstrapArgs.model_validate({**base, **overrides})


# --- Argo CD ---------------------------------------------------------------------------------------


def test_the_sync_policy_follows_prune_self_heal_and_retry() -> None:
    sync = argocd_sync_policy(gitops_args(prune=False, self_heal=False, retry={"limit": 7, "backoff": "5s"}))
    assert sync["automated"] == {"prune": False, "selfHeal": False, "allowEmpty": False}
    assert "ServerSideApply=true" in sync["syncOptions"]
    assert sync["retry"]["limit"] == 7
    assert sync["retry"]["backoff"]["duration"] == "5s"


def test_the_cluster_secret_carries_the_facts_as_annotations() -> None:
    secret = argocd_cluster_secret(gitops_args(), {"region": "eu-west-1", "cluster_name": "prod"})
    assert secret["metadata"]["name"] == "in-cluster"
    assert secret["metadata"]["namespace"] == "argocd"
    assert secret["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "cluster"
    assert secret["metadata"]["annotations"] == {
        f"{FACT_PREFIX}cluster-name": "prod",
        f"{FACT_PREFIX}region": "eu-west-1",
    }
    assert secret["stringData"]["server"] == IN_CLUSTER


def test_the_platform_project_takes_the_platform_repository_only() -> None:
    project = argocd_platform_project(gitops_args(namespace="cd"))
    assert project["metadata"]["namespace"] == "cd"
    assert project["spec"]["sourceRepos"] == [HTTPS]
    assert project["spec"]["clusterResourceWhitelist"] == [{"group": "*", "kind": "*"}]
    assert project["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-2"


def test_a_team_project_is_confined_to_the_teams_namespace() -> None:
    project = argocd_team_project(gitops_args(teams=["shop"]), "shop")
    spec = project["spec"]
    assert project["metadata"]["name"] == "shop"
    assert spec["destinations"] == [{"server": IN_CLUSTER, "namespace": "shop"}]
    assert spec["clusterResourceWhitelist"] == []
    assert spec["namespaceResourceBlacklist"] == TEAM_BLACKLIST
    (role,) = spec["roles"]
    assert role["groups"] == ["shop-developers"]
    assert all("shop/*" in policy for policy in role["policies"])


def test_the_root_application_syncs_the_environment_path_with_the_policy_given() -> None:
    args = gitops_args(environment="staging", repository={"url": HTTPS, "revision": "release"})
    sync = argocd_sync_policy(args)
    root = argocd_root_application(args, sync)
    assert root["metadata"]["name"] == "platform"
    assert root["spec"]["source"] == {
        "repoURL": HTTPS,
        "targetRevision": "release",
        "path": "clusters/staging",
        "directory": {"recurse": True},
    }
    assert root["spec"]["syncPolicy"] is sync


def test_the_teams_application_set_lists_each_team_with_its_path() -> None:
    args = gitops_args(teams=["shop", "pay"], repository={"url": HTTPS, "team_path": "apps/{team}"})
    appset = argocd_teams_application_set(args, argocd_sync_policy(args))
    (generator,) = appset["spec"]["generators"]
    assert generator["list"]["elements"] == [
        {"team": "shop", "path": "apps/shop"},
        {"team": "pay", "path": "apps/pay"},
    ]
    assert appset["spec"]["syncPolicy"]["preserveResourcesOnDeletion"] is True
    template = appset["spec"]["template"]["spec"]
    assert template["destination"]["namespace"] == "{{.team}}"
    assert template["syncPolicy"]["syncOptions"] == ["ServerSideApply=true", "PruneLast=true"]


def test_render_argocd_keys_the_objects_in_registration_order() -> None:
    args = gitops_args(
        teams=["shop", "pay"],
        repository={"url": SSH, "credentials": {"aws_secret": "prod/gitops"}},
    )
    assert list(render_argocd(args, {})) == [
        "cluster-secret",
        "repository-credentials",
        "platform-project",
        "project-shop",
        "project-pay",
        "root",
        "teams",
    ]
    assert list(render_argocd(gitops_args(), {})) == ["cluster-secret", "platform-project", "root"]


# --- Flux ------------------------------------------------------------------------------------------


def test_the_flux_source_references_credentials_only_when_there_are_some() -> None:
    public = flux_source(gitops_args("flux", sync_interval="2m"))
    assert public["kind"] == "GitRepository"
    assert public["metadata"]["namespace"] == "flux-system"
    assert public["spec"]["interval"] == "2m"
    assert "secretRef" not in public["spec"]
    private = flux_source(
        gitops_args("flux", repository={"url": SSH, "credentials": {"existing_secret": "git-creds"}})
    )
    assert private["spec"]["secretRef"] == {"name": "git-creds"}


def test_the_flux_facts_are_a_sorted_config_map() -> None:
    facts = flux_facts(gitops_args("flux"), {"region": "eu-west-1", "cluster_name": "c"})
    assert facts["metadata"]["name"] == "platform-facts"
    assert list(facts["data"].items()) == [("cluster_name", "c"), ("region", "eu-west-1")]


def test_a_flux_kustomization_reads_the_platform_source_and_takes_extra_fields() -> None:
    args = gitops_args("flux", prune=False, flux={"timeout": "7m", "retry_interval": "1m"})
    kust = flux_kustomization(args, "x", "team-ns", "teams/x", targetNamespace="team-ns")
    spec = kust["spec"]
    assert kust["metadata"]["namespace"] == "team-ns"
    assert spec["path"] == "./teams/x"
    assert spec["sourceRef"] == {"kind": "GitRepository", "name": "platform", "namespace": "flux-system"}
    assert (spec["prune"], spec["timeout"], spec["retryInterval"]) == (False, "7m", "1m")
    assert spec["targetNamespace"] == "team-ns"


def test_a_flux_team_reconciles_as_its_own_service_account_in_its_namespace() -> None:
    objects = flux_team(gitops_args("flux", teams=["shop"]), "shop")
    assert list(objects) == [
        "shop-reconciler-sa",
        "shop-reconciler-role",
        "shop-reconciler-binding",
        "shop-kustomization",
    ]
    assert {o["metadata"]["namespace"] for o in objects.values()} == {"shop"}
    assert objects["shop-reconciler-binding"]["subjects"] == [
        {"kind": "ServiceAccount", "name": RECONCILER, "namespace": "shop"}
    ]
    spec = objects["shop-kustomization"]["spec"]
    assert (spec["serviceAccountName"], spec["targetNamespace"]) == (RECONCILER, "shop")
    assert spec["dependsOn"] == [{"name": "platform", "namespace": "flux-system"}]
    assert spec["path"] == "./teams/shop"


def test_flux_notifications_only_with_a_target() -> None:
    assert flux_notifications(gitops_args("flux")) == {}
    slack = flux_notifications(
        gitops_args("flux", notifications={"type": "slack", "channel": "ops", "secret": "slack"})
    )
    assert list(slack) == ["notification-provider", "notification-alert"]
    assert slack["notification-provider"]["spec"] == {
        "type": "slack",
        "secretRef": {"name": "slack"},
        "channel": "ops",
    }
    webhook = flux_notifications(gitops_args("flux", notifications={"type": "webhook", "secret": "hook"}))
    assert webhook["notification-provider"]["spec"] == {"type": "generic", "secretRef": {"name": "hook"}}
    assert webhook["notification-alert"]["spec"]["summary"] == "dev: GitOps reconciliation failed"


def test_render_flux_keys_the_objects_in_registration_order() -> None:
    args = gitops_args(
        "flux",
        teams=["shop"],
        repository={"url": SSH, "credentials": {"aws_secret": "dev/gitops"}},
        notifications={"type": "webhook", "secret": "hook"},
    )
    assert list(render_flux(args, {})) == [
        "repository-credentials",
        "source",
        "facts",
        "platform",
        "shop-reconciler-sa",
        "shop-reconciler-role",
        "shop-reconciler-binding",
        "shop-kustomization",
        "notification-provider",
        "notification-alert",
    ]
    assert list(render_flux(gitops_args("flux"), {})) == ["source", "facts", "platform"]


# --- GitOpsBootstrap -------------------------------------------------------------------------------


def test_the_facts_start_with_the_environment_and_take_the_callers() -> None:
    facts = bootstrap_facts("gitops", gitops_args(environment="staging"), {"region": "eu-west-1"})
    assert facts == {"environment": "staging", "region": "eu-west-1"}
    assert list(facts) == ["environment", "region"]
    assert bootstrap_facts("gitops", gitops_args(), None) == {"environment": "dev"}


def test_a_fact_key_that_is_not_lower_snake_case_is_a_config_error() -> None:
    with pytest.raises(
        ConfigError, match=r"^GitOpsBootstrap gitops: fact 'clusterName' must be lower_snake_case$"
    ):
        bootstrap_facts("gitops", gitops_args(), {"clusterName": "c"})


def test_the_renderer_follows_the_engine() -> None:
    assert renderer(gitops_args()) is render_argocd
    assert renderer(gitops_args("flux")) is render_flux


def test_the_controller_namespace_is_labelled_restricted_at_the_kubernetes_minor() -> None:
    labels = controller_namespace_labels(gitops_args("flux", environment="prod", kubernetes_version="1.33"))
    assert labels[lbl.MANAGED_BY_KEY] == lbl.MANAGED_BY
    assert labels[lbl.ENVIRONMENT] == "prod"
    assert labels["kubernetes.io/metadata.name"] == "flux-system"
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "v1.33"
    assert controller_namespace_labels(gitops_args(namespace="cd"))["kubernetes.io/metadata.name"] == "cd"


def test_the_argocd_release_is_the_pinned_chart_installed_atomically_in_the_controller_namespace() -> None:
    args = gitops_args(namespace="cd", argocd={"ha": True})
    release = argocd_release_args(args)
    assert release == {
        "name": ARGOCD_RELEASE,
        "chart": "argo-cd",
        "version": ARGOCD_CHART_VERSION,
        "repository_opts": {"repo": ARGOCD_CHART_REPOSITORY},
        "namespace": "cd",
        "atomic": True,
        "cleanup_on_fail": True,
        "values": argocd_values(args),
    }


def test_the_argocd_route_only_with_a_route_and_to_the_servers_https_port() -> None:
    assert argocd_route(gitops_args()) is None
    assert argocd_route(gitops_args("flux")) is None
    route = argocd_route(
        gitops_args(
            argocd={
                "route": {
                    "parent": {"name": "public", "namespace": "gateway"},
                    "hostnames": ["cd.example.com"],
                }
            }
        )
    )
    assert route is not None
    assert route["kind"] == "HTTPRoute"
    assert route["metadata"] == {
        "name": "argocd-server",
        "namespace": "argocd",
        "labels": {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY},
    }
    assert route["spec"]["hostnames"] == ["cd.example.com"]
    (rule,) = route["spec"]["rules"]
    assert rule["backendRefs"][0] == {"name": "argocd-server", "port": 443, "weight": 100}
