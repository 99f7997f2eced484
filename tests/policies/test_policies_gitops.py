"""GitOps rules: Argo CD projects, sync policy, repository URLs and credentials (platform_components.policies.gitops)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from platform_components.policies import EXEMPT_PREFIX, RULES, Violation, check, evaluate
from platform_components.policies.gitops import url_problem

if TYPE_CHECKING:
    from conftest import Kit

RULES_BY_ID = {rule.id: rule for rule in RULES}
HTTPS = "https://github.com/acme/platform.git"
SCP = "git@github.com:acme/platform.git"
SSH = "ssh://git@github.com/acme/platform.git"


def run(kit: Kit, obj: dict[str, Any], rule_id: str) -> list[Violation]:
    return evaluate([kit.resource(obj)], [RULES_BY_ID[rule_id]]).violations


def messages(kit: Kit, obj: dict[str, Any], rule_id: str) -> list[str]:
    return [v.message for v in run(kit, obj, rule_id)]


def test_compliant_gitops_objects_pass_every_rule(kit: Kit) -> None:
    objects = [
        kit.application(),
        kit.application_set(),
        kit.app_project(),
        kit.repo_secret(),
        kit.git_repository(SSH, secret="platform-repository"),
        kit.kustomization(),
    ]
    assert [v.message for v in evaluate(kit.resources(*objects), RULES).violations] == []


# --- argocd-app-project --------------------------------------------------------------------------------


def test_application_in_the_default_project(kit: Kit) -> None:
    app = kit.application()
    app["spec"]["project"] = "default"
    assert messages(kit, app, "argocd-app-project") == [
        'Application argocd/platform: spec.project is "default"; the default project allows every source '
        "repository, destination and cluster-scoped resource, so assign a dedicated AppProject that "
        "restricts them"
    ]


@pytest.mark.parametrize("project", [None, "", "  "])
def test_application_without_a_project_lands_in_default(kit: Kit, project: str | None) -> None:
    app = kit.application()
    if project is None:
        del app["spec"]["project"]
    else:
        app["spec"]["project"] = project
    (message,) = messages(kit, app, "argocd-app-project")
    assert 'spec.project is not set (Argo CD then uses "default")' in message


def test_application_set_template_in_the_default_project(kit: Kit) -> None:
    appset = kit.application_set()
    appset["spec"]["template"]["spec"]["project"] = "default"
    (message,) = messages(kit, appset, "argocd-app-project")
    assert message.startswith('ApplicationSet argocd/teams: spec.template.spec.project is "default"')


@pytest.mark.parametrize("project", ["{{.path.basename}}", "{{ .team }}-apps", "[unknown]"])
def test_templated_or_unknown_project_is_not_judged(kit: Kit, project: str) -> None:
    appset = kit.application_set()
    appset["spec"]["template"]["spec"]["project"] = project
    assert run(kit, appset, "argocd-app-project") == []


def test_project_set_by_a_template_patch_is_not_judged(kit: Kit) -> None:
    appset = kit.application_set()
    del appset["spec"]["template"]["spec"]["project"]
    appset["spec"]["templatePatch"] = "spec:\n  project: '{{ .team }}'\n"
    assert run(kit, appset, "argocd-app-project") == []


# --- argocd-project-scoped -----------------------------------------------------------------------------


def test_wildcard_destination_namespace(kit: Kit) -> None:
    project = kit.app_project()
    project["spec"]["destinations"][0]["namespace"] = "*"
    assert messages(kit, project, "argocd-project-scoped") == [
        'AppProject argocd/team-a: spec.destinations[0].namespace is "*", so the project deploys into every '
        "namespace (kube-system included); list the namespaces it may use"
    ]


@pytest.mark.parametrize("key", ["server", "name"])
def test_wildcard_destination_cluster(kit: Kit, key: str) -> None:
    project = kit.app_project()
    project["spec"]["destinations"] = [{key: "*", "namespace": "team-a"}]
    (message,) = messages(kit, project, "argocd-project-scoped")
    assert f'spec.destinations[0].{key} is "*", so the project deploys to every cluster' in message


def test_all_cluster_resources_whitelisted(kit: Kit) -> None:
    project = kit.app_project()
    project["spec"]["clusterResourceWhitelist"] = [
        {"group": "", "kind": "Namespace"},
        {"group": "*", "kind": "*"},
    ]
    (message,) = messages(kit, project, "argocd-project-scoped")
    assert (
        'spec.clusterResourceWhitelist[1] (group "*", kind "*") allows every cluster-scoped resource'
        in message
    )


@pytest.mark.parametrize(
    "entry", [{"group": "", "kind": "Namespace"}, {"group": "*", "kind": "*", "name": "team-a-*"}]
)
def test_narrow_cluster_resource_whitelist_is_fine(kit: Kit, entry: dict[str, str]) -> None:
    project = kit.app_project()
    project["spec"]["clusterResourceWhitelist"] = [entry]
    assert run(kit, project, "argocd-project-scoped") == []


def test_wildcard_source_repo_fires_but_a_glob_does_not(kit: Kit) -> None:
    project = kit.app_project()
    project["spec"]["sourceRepos"] = ["https://github.com/acme/*"]
    assert run(kit, project, "argocd-project-scoped") == []
    assert run(kit, project, "gitops-repo-url") == []
    project["spec"]["sourceRepos"] = ["*"]
    (message,) = messages(kit, project, "argocd-project-scoped")
    assert (
        'spec.sourceRepos[0] is "*", so applications of the project may deploy from any repository' in message
    )
    assert run(kit, project, "gitops-repo-url") == []


def test_platform_project_is_allowed_only_with_an_exemption(kit: Kit) -> None:
    project = kit.app_project("platform")
    project["spec"]["destinations"] = [{"server": "https://kubernetes.default.svc", "namespace": "*"}]
    project["spec"]["clusterResourceWhitelist"] = [{"group": "*", "kind": "*"}]
    assert {v.rule_id for v in check([kit.resource(project)]).violations} == {"argocd-project-scoped"}
    project["metadata"]["annotations"] = {
        EXEMPT_PREFIX + "argocd-project-scoped": "the platform project installs cluster add-ons"
    }
    evaluation = check([kit.resource(project)])
    assert evaluation.violations == []
    # one exemption per suppressed finding (the wildcard namespace and the cluster resources)
    assert len(evaluation.exemptions) == 2
    assert {(e.rule_id, e.resource, e.reason) for e in evaluation.exemptions} == {
        (
            "argocd-project-scoped",
            "AppProject argocd/platform",
            "the platform project installs cluster add-ons",
        )
    }


# --- gitops-sync-prune-selfheal ------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["dev", "local", None])
def test_manual_sync_is_fine_outside_staging_and_prod(kit: Kit, environment: str | None) -> None:
    app = kit.application(environment)
    del app["spec"]["syncPolicy"]
    assert run(kit, app, "gitops-sync-prune-selfheal") == []


@pytest.mark.parametrize("environment", ["staging", "prod", "Prod"])
def test_manual_sync_fires_in_staging_and_prod(kit: Kit, environment: str) -> None:
    app = kit.application(environment)
    del app["spec"]["syncPolicy"]
    assert messages(kit, app, "gitops-sync-prune-selfheal") == [
        f"Application argocd/platform: spec.syncPolicy.automated is not set in {environment.lower()}, so Git "
        "changes wait for a manual sync; set spec.syncPolicy.automated with prune: true and selfHeal: true"
    ]


def test_prune_and_self_heal_must_both_be_true(kit: Kit) -> None:
    app = kit.application("staging")
    app["spec"]["syncPolicy"]["automated"] = {"prune": False}
    assert messages(kit, app, "gitops-sync-prune-selfheal") == [
        "Application argocd/platform: spec.syncPolicy.automated.prune is false in staging, so objects deleted "
        "from Git stay in the cluster; set it to true",
        "Application argocd/platform: spec.syncPolicy.automated.selfHeal is not set in staging, so changes "
        "made in the cluster are not reverted to Git; set it to true",
    ]


def test_automated_enabled_false_is_not_automated(kit: Kit) -> None:
    app = kit.application()
    app["spec"]["syncPolicy"]["automated"]["enabled"] = False
    (message,) = messages(kit, app, "gitops-sync-prune-selfheal")
    assert "spec.syncPolicy.automated.enabled is false in prod, which turns automated sync off" in message
    app["spec"]["syncPolicy"]["automated"]["enabled"] = True
    assert run(kit, app, "gitops-sync-prune-selfheal") == []


def test_application_set_template_sync_policy(kit: Kit) -> None:
    appset = kit.application_set("staging")
    appset["spec"]["template"]["spec"]["syncPolicy"]["automated"]["selfHeal"] = False
    (message,) = messages(kit, appset, "gitops-sync-prune-selfheal")
    assert message.startswith(
        "ApplicationSet argocd/teams: spec.template.spec.syncPolicy.automated.selfHeal is false in staging"
    )


def test_application_set_environment_falls_back_to_its_template_labels(kit: Kit) -> None:
    appset = kit.application_set(None)
    del appset["spec"]["template"]["spec"]["syncPolicy"]
    assert run(kit, appset, "gitops-sync-prune-selfheal") == []
    appset["spec"]["template"]["metadata"]["labels"] = {"platform-components.io/environment": "prod"}
    assert len(run(kit, appset, "gitops-sync-prune-selfheal")) == 1


def test_flux_kustomization_prune_false_in_staging(kit: Kit) -> None:
    kustomization = kit.kustomization("staging")
    kustomization["spec"]["prune"] = False
    assert messages(kit, kustomization, "gitops-sync-prune-selfheal") == [
        "Kustomization flux-system/platform: spec.prune is false in staging, so objects deleted from Git stay "
        "in the cluster; set it to true"
    ]
    assert run(kit, kit.kustomization("dev") | {"spec": {"prune": False}}, "gitops-sync-prune-selfheal") == []


def test_suspended_flux_kustomization_in_prod(kit: Kit) -> None:
    kustomization = kit.kustomization()
    kustomization["spec"]["suspend"] = True
    (message,) = messages(kit, kustomization, "gitops-sync-prune-selfheal")
    assert "spec.suspend is true in prod, so Git is no longer applied" in message


# --- gitops-repo-url -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [HTTPS, SSH, SCP, "deploy@git.example.com:platform/cluster.git"])
def test_https_and_ssh_urls_pass(kit: Kit, url: str) -> None:
    app = kit.application()
    app["spec"]["source"]["repoURL"] = url
    assert run(kit, app, "gitops-repo-url") == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://github.com/acme/platform.git", "uses http://, which is unencrypted and unauthenticated"),
        ("git://github.com/acme/platform.git", "uses git://, which is unencrypted and unauthenticated"),
        ("file:///srv/git/platform.git", "uses file://, which reads from the controller's own filesystem"),
        ("github.com/acme/platform.git", "has no https:// or ssh:// scheme"),
        ("oci://ghcr.io/acme/platform", "uses oci://, which only a Helm chart source may use"),
        ("https://", "is https:// without a host"),
    ],
)
def test_other_urls_fail_naming_the_field(kit: Kit, url: str, problem: str) -> None:
    app = kit.application()
    app["spec"]["source"]["repoURL"] = url
    assert messages(kit, app, "gitops-repo-url") == [
        f"Application argocd/platform: spec.source.repoURL {problem}; use an https://, ssh:// or git@host:path URL"
    ]


def test_helm_chart_sources_may_use_oci(kit: Kit) -> None:
    app = kit.application()
    app["spec"]["sources"] = [
        {"repoURL": "oci://ghcr.io/acme/charts", "chart": "api", "targetRevision": "1.2.3"},
        {"repoURL": "http://charts.example.com", "chart": "web", "targetRevision": "1.0.0"},
        {"repoURL": HTTPS, "ref": "values"},
    ]
    assert messages(kit, app, "gitops-repo-url") == [
        "Application argocd/platform: spec.sources[1].repoURL uses http://, which is unencrypted and "
        "unauthenticated; use an https://, ssh:// or git@host:path (oci:// for a Helm chart) URL"
    ]


def test_application_set_template_and_nested_generators(kit: Kit) -> None:
    appset = kit.application_set()
    appset["spec"]["template"]["spec"]["source"]["repoURL"] = "git://github.com/acme/platform.git"
    appset["spec"]["generators"] = [
        {
            "matrix": {
                "generators": [
                    {"git": {"repoURL": "http://github.com/acme/teams.git", "revision": "main"}},
                    {
                        "merge": {
                            "generators": [
                                {"git": {"repoURL": "file:///tmp/repo"}},
                                {"list": {"elements": []}},
                            ]
                        }
                    },
                ]
            }
        }
    ]
    paths = [m.split(": ", 1)[1].split(" ", 1)[0] for m in messages(kit, appset, "gitops-repo-url")]
    assert paths == [
        "spec.template.spec.source.repoURL",
        "spec.generators[0].matrix.generators[0].git.repoURL",
        "spec.generators[0].matrix.generators[1].merge.generators[0].git.repoURL",
    ]


def test_templated_repo_url_is_not_judged(kit: Kit) -> None:
    appset = kit.application_set()
    appset["spec"]["template"]["spec"]["source"]["repoURL"] = "{{.repoURL}}"
    assert run(kit, appset, "gitops-repo-url") == []


def test_app_project_source_repos(kit: Kit) -> None:
    project = kit.app_project()
    project["spec"]["sourceRepos"] = [
        HTTPS,
        SCP,
        "oci://ghcr.io/acme/charts",
        "https://github.com/acme/*",
        "*",
        "!https://github.com/acme/secret-repo",
        "http://github.com/acme/*",
    ]
    assert messages(kit, project, "gitops-repo-url") == [
        "AppProject argocd/team-a: spec.sourceRepos[6] uses http://, which is unencrypted and unauthenticated; "
        "allow https://, ssh://, git@host:path or oci:// repositories only"
    ]


def test_flux_git_repository_url(kit: Kit) -> None:
    assert run(kit, kit.git_repository(SSH, secret="repo"), "gitops-repo-url") == []
    assert messages(kit, kit.git_repository("http://github.com/acme/platform.git"), "gitops-repo-url") == [
        "GitRepository flux-system/platform: spec.url uses http://, which is unencrypted and unauthenticated; "
        "use an https:// or ssh:// URL"
    ]
    (message,) = messages(kit, kit.git_repository(SCP, secret="repo"), "gitops-repo-url")
    assert message == (
        "GitRepository flux-system/platform: spec.url is an scp-like SSH address, which Flux does not accept "
        "(write it as ssh://git@host/path); use an https:// or ssh:// URL"
    )


def test_url_problem_never_echoes_the_url() -> None:
    problem = url_problem("http://user:hunter2@example.com/repo.git")
    assert problem is not None
    assert "hunter2" not in problem


# --- gitops-repo-credentials ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SSH, SCP])
def test_flux_ssh_repository_without_secret_ref(kit: Kit, url: str) -> None:
    assert messages(kit, kit.git_repository(url), "gitops-repo-credentials") == [
        "GitRepository flux-system/platform: spec.url is an SSH URL but spec.secretRef.name is not set, so "
        "Flux has no key to authenticate with; reference a Secret (identity, known_hosts) filled by an "
        "ExternalSecret"
    ]


def test_flux_https_repository_without_secret_ref_is_a_public_repository(kit: Kit) -> None:
    assert run(kit, kit.git_repository(HTTPS), "gitops-repo-credentials") == []


def test_argo_repository_secret_with_a_literal_password(kit: Kit) -> None:
    secret = kit.repo_secret({"type": "git", "url": HTTPS, "username": "git", "password": "hunter2-literal"})
    assert messages(kit, secret, "gitops-repo-credentials") == [
        'Secret argocd/platform-repository: stringData["password"] of this Argo CD repository Secret is a '
        "literal credential (value not shown); make it a Pulumi secret or, better, let an ExternalSecret "
        "fill the Secret from the secret store"
    ]


@pytest.mark.parametrize("value", ["[secret]", "[unknown]"])
def test_argo_repository_secret_with_a_pulumi_secret(kit: Kit, value: str) -> None:
    secret = kit.repo_secret({"type": "git", "url": HTTPS, "sshPrivateKey": value})
    assert run(kit, secret, "gitops-repo-credentials") == []


def test_argo_repository_secret_without_credentials_is_filled_elsewhere(kit: Kit) -> None:
    assert run(kit, kit.repo_secret({"type": "git", "url": HTTPS}), "gitops-repo-credentials") == []


@pytest.mark.parametrize("secret_type", ["repo-creds", "repository-write", "repo-write-creds"])
@pytest.mark.parametrize(
    "field",
    ["sshPrivateKey", "githubAppPrivateKey", "tlsClientCertKey", "bearerToken", "gcpServiceAccountKey"],
)
def test_every_credential_field_and_secret_type(kit: Kit, secret_type: str, field: str) -> None:
    secret = kit.repo_secret({"url": HTTPS, field: "-----BEGIN KEY-----"})
    secret["metadata"]["labels"]["argocd.argoproj.io/secret-type"] = secret_type
    (message,) = messages(kit, secret, "gitops-repo-credentials")
    assert f'stringData["{field}"] of this Argo CD {secret_type} Secret' in message
    assert "BEGIN KEY" not in message


def test_base64_data_counts_too(kit: Kit) -> None:
    secret = kit.repo_secret({"url": HTTPS})
    secret["data"] = {"password": "aHVudGVyMg=="}
    (message,) = messages(kit, secret, "gitops-repo-credentials")
    assert 'data["password"]' in message


def test_other_secrets_are_not_judged(kit: Kit) -> None:
    cluster = kit.repo_secret({"name": "in-cluster", "password": "literal"})
    cluster["metadata"]["labels"]["argocd.argoproj.io/secret-type"] = "cluster"
    plain = kit.repo_secret({"password": "literal"})
    plain["metadata"]["labels"] = {}
    assert run(kit, cluster, "gitops-repo-credentials") == []
    assert run(kit, plain, "gitops-repo-credentials") == []


def test_password_in_a_repository_url(kit: Kit) -> None:
    app = kit.application()
    app["spec"]["source"]["repoURL"] = "https://deploy:hunter2@github.com/acme/platform.git"
    assert messages(kit, app, "gitops-repo-credentials") == [
        "Application argocd/platform: spec.source.repoURL embeds a password in the URL (value not shown); "
        "remove it and reference a credential Secret instead"
    ]
    app["spec"]["source"]["repoURL"] = "https://deploy@github.com/acme/platform.git"  # a user name only
    assert run(kit, app, "gitops-repo-credentials") == []
    secret = kit.repo_secret({"type": "git", "url": "https://deploy:hunter2@github.com/acme/platform.git"})
    (message,) = messages(kit, secret, "gitops-repo-credentials")
    assert 'stringData["url"] embeds a password' in message
    assert "hunter2" not in message


def test_the_spelled_out_whitespace_class_is_pythons() -> None:
    """gitops.SPACE (what the URL patterns use, so that RE2 in the CEL forms matches as Python does) is
    exactly the set of characters Python's ``\\s`` matches."""
    import re
    import sys

    from platform_components.policies.gitops import SPACE

    spelled = {chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(f"[{SPACE}]", chr(c))}
    python = {chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c))}
    assert spelled == python
