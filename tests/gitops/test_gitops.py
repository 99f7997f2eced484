"""GitOpsBootstrap: Argo CD (staging, prod) and Flux (dev) as the stacks declare them, validated
against the shipped CRD schemas; team confinement, sync policy, credentials, facts, ordering."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from platform_components.gitops import (
    IN_CLUSTER,
    TYPE_TOKEN,
    ArgoCdArgs,
    CredentialsArgs,
    FluxArgs,
    GitOpsBootstrap,
    GitOpsBootstrapArgs,
    GitOpsEngine,
    RepositoryArgs,
    RetryArgs,
    argocd_values,
    check_repo_url,
    render_argocd,
    render_flux,
)
from platform_components.testing import Preview, preview_function, preview_project
from platform_components.versions import ARGOCD_CHART_VERSION, FLUX_INSTALL_URL, FLUX_VERSION
from pydantic import BaseModel, ValidationError

ROOT = Path(__file__).resolve().parents[2]
HTTPS = "https://github.com/acme/platform-gitops.git"
SSH = "git@github.com:acme/platform-gitops.git"


@pytest.fixture(scope="module")
def stacks() -> dict[str, Preview]:
    return {stack: preview_project(ROOT, stack=stack) for stack in ("dev", "staging", "prod")}


def controller(preview: Preview) -> Any:
    """The controller installation: the argo-cd Helm release or Flux's install manifest."""
    (record,) = [
        r
        for r in preview.resources
        if "GitOpsBootstrap$" in r.urn
        and r.type in ("kubernetes:helm.sh/v3:Release", "kubernetes:yaml/v2:ConfigFile")
    ]
    return record


def of_kind(preview: Preview, kind: str) -> list[dict[str, Any]]:
    return [m for m in preview.manifests if m["kind"] == kind]


def args(**overrides: Any) -> GitOpsBootstrapArgs:
    base: dict[str, Any] = {
        "engine": "argocd",
        "repository": {"url": HTTPS},
        "environment": "prod",
        "teams": ["shop", "payments"],
    }
    return GitOpsBootstrapArgs.model_validate({**base, **overrides})


# --------------------------------------------------------------------------------------------------
# Defaults (the argument reference)

DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {
    GitOpsBootstrapArgs: {
        "teams": [],
        "namespace": None,
        "sync_interval": "3m",
        "prune": True,
        "self_heal": True,
        "retry": RetryArgs(),
        "notifications": None,
        "argocd": ArgoCdArgs(),
        "flux": FluxArgs(),
        "kubernetes_version": "1.35",
    },
    RepositoryArgs: {"revision": "main", "path": None, "team_path": "teams/{team}", "credentials": None},
    CredentialsArgs: {"existing_secret": None, "aws_secret": None, "secret_store": "aws-secrets-manager"},
    RetryArgs: {"limit": 5, "backoff": "10s", "factor": 2, "max_backoff": "3m"},
    ArgoCdArgs: {
        "ha": False,
        "sso": None,
        "admin_groups": [],
        "readonly_groups": [],
        "route": None,
        "hostname": None,
    },
    FluxArgs: {"timeout": "5m", "retry_interval": "2m"},
}


@pytest.mark.parametrize("model", list(DEFAULTS), ids=lambda m: m.__name__)
def test_defaults(model: type[BaseModel]) -> None:
    actual = {
        name: field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
        if not field.is_required()
    }
    assert actual == DEFAULTS[model]


def test_default_namespaces_and_paths() -> None:
    assert args().controller_namespace == "argocd"
    assert args(engine="flux").controller_namespace == "flux-system"
    assert args().platform_path == "clusters/prod"
    assert args().team_path("shop") == "teams/shop"


# --------------------------------------------------------------------------------------------------
# The stacks: both engines exercised, everything schema- and CEL-valid


def test_each_stack_bootstraps_one_engine_and_previews_clean(stacks: dict[str, Preview]) -> None:
    engines = {}
    for name, preview in stacks.items():
        assert preview.clean, preview.problems()
        assert not preview.warnings, preview.problems()
        (component,) = preview.of_type(TYPE_TOKEN)
        installed = controller(preview)
        engines[name] = installed.inputs.get("chart") or installed.inputs["file"]
        if "chart" in installed.inputs:
            assert installed.inputs["version"] == ARGOCD_CHART_VERSION
        assert component.name == "gitops"
    assert engines == {"dev": FLUX_INSTALL_URL, "staging": "argo-cd", "prod": "argo-cd"}
    assert FLUX_INSTALL_URL.endswith(f"/v{FLUX_VERSION}/install.yaml")


def test_argocd_team_projects_deploy_only_into_their_namespace(stacks: dict[str, Preview]) -> None:
    prod = stacks["prod"]
    projects = {p["metadata"]["name"]: p["spec"] for p in of_kind(prod, "AppProject")}
    assert set(projects) == {"platform", "shop", "payments"}
    for team in ("shop", "payments"):
        spec = projects[team]
        assert spec["destinations"] == [{"server": IN_CLUSTER, "namespace": team}]
        assert spec["clusterResourceWhitelist"] == []
        assert spec["sourceRepos"] == [SSH]
        blacklisted = {item["kind"] for item in spec["namespaceResourceBlacklist"]}
        assert {"ResourceQuota", "LimitRange", "Role", "RoleBinding"} <= blacklisted
    (appset,) = of_kind(prod, "ApplicationSet")
    template = appset["spec"]["template"]["spec"]
    assert template["project"] == "{{.team}}" and template["destination"]["namespace"] == "{{.team}}"
    elements = appset["spec"]["generators"][0]["list"]["elements"]
    assert elements == [
        {"team": "shop", "path": "teams/shop"},
        {"team": "payments", "path": "teams/payments"},
    ]
    assert appset["spec"]["syncPolicy"]["preserveResourcesOnDeletion"] is True


def test_the_platform_project_is_the_only_wide_one_and_says_why(stacks: dict[str, Preview]) -> None:
    (platform,) = [p for p in of_kind(stacks["prod"], "AppProject") if p["metadata"]["name"] == "platform"]
    reason = platform["metadata"]["annotations"]["policy.platform-components.io/exempt.argocd-project-scoped"]
    assert "cluster add-ons" in reason
    assert platform["spec"]["sourceRepos"] == [SSH]


def test_root_app_syncs_automatically_with_prune_self_heal_and_backoff(stacks: dict[str, Preview]) -> None:
    for stack in ("staging", "prod"):
        (root,) = of_kind(stacks[stack], "Application")
        assert root["metadata"]["name"] == "platform" and root["spec"]["project"] == "platform"
        policy = root["spec"]["syncPolicy"]
        assert policy["automated"]["prune"] is True and policy["automated"]["selfHeal"] is True
        assert policy["retry"]["backoff"] == {"duration": "10s", "factor": 2, "maxDuration": "3m"}
        assert "ServerSideApply=true" in policy["syncOptions"]
        assert root["spec"]["source"]["path"] == f"clusters/{stack}"
        assert "finalizers" not in root["metadata"]  # deleting the root app never cascades to workloads
    assert of_kind(stacks["prod"], "Application")[0]["spec"]["source"]["targetRevision"] == "release"


def test_flux_team_kustomizations_impersonate_a_namespace_bound_account(stacks: dict[str, Preview]) -> None:
    dev = stacks["dev"]
    kustomizations = {k["metadata"]["name"]: k for k in of_kind(dev, "Kustomization")}
    assert set(kustomizations) == {"platform", "shop", "payments"}
    platform = kustomizations["platform"]["spec"]
    assert platform["prune"] is True and platform["wait"] is True
    assert platform["interval"] == "1m" and platform["timeout"] == "5m"
    assert platform["postBuild"] == {"substituteFrom": [{"kind": "ConfigMap", "name": "platform-facts"}]}
    for team in ("shop", "payments"):
        spec = kustomizations[team]["spec"]
        assert kustomizations[team]["metadata"]["namespace"] == team
        assert spec["serviceAccountName"] == "gitops-reconciler"
        assert spec["targetNamespace"] == team
        assert spec["path"] == f"./teams/{team}"
        role = dev.manifest("Role", "gitops-reconciler", team)
        for rule in role["rules"]:
            assert "*" not in rule["resources"] and "*" not in rule["verbs"] and "*" not in rule["apiGroups"]
            assert not {"roles", "rolebindings", "resourcequotas", "limitranges", "namespaces"} & set(
                rule["resources"]
            )
        binding = dev.manifest("RoleBinding", "gitops-reconciler", team)
        assert binding["roleRef"]["kind"] == "Role"  # never a ClusterRole: nothing outside the namespace
    assert not [m for m in dev.manifests if m["kind"] == "ClusterRoleBinding"]


def test_credentials_are_references_only(stacks: dict[str, Preview]) -> None:
    for name, preview in stacks.items():
        (external,) = [
            e for e in of_kind(preview, "ExternalSecret") if e["metadata"]["name"] == "platform-repository"
        ]
        spec = external["spec"]
        assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}
        assert {d["remoteRef"]["key"] for d in spec["data"]} == {f"{name}/gitops/repository"}
        for value in spec["target"]["template"]["data"].values():
            assert value.startswith("{{ .") or value in ("git", SSH, HTTPS)
        for secret in of_kind(preview, "Secret"):
            for value in (secret.get("stringData") or {}).values():
                assert value == "[secret]"
    (source,) = of_kind(stacks["dev"], "GitRepository")
    assert source["spec"]["secretRef"] == {"name": "platform-repository"}
    text = json.dumps([r.as_dict() for r in stacks["prod"].resources])
    values = re.findall(r'"(?:password|sshPrivateKey|identity|token)": "([^"]*)"', text)
    assert values and set(values) <= {
        "[secret]",
        "{{ .password }}",
        "{{ .sshPrivateKey }}",
        "{{ .identity }}",
    }


def test_platform_facts_reach_git(stacks: dict[str, Preview]) -> None:
    facts = stacks["dev"].manifest("ConfigMap", "platform-facts", "flux-system")["data"]
    assert facts["cluster_name"] == "platform-dev" and facts["region"] == "eu-west-1"
    assert facts["team_namespaces"] == "payments,shop" and facts["node_role_arn"].startswith("arn:aws:iam::")
    secret = stacks["prod"].manifest("Secret", "in-cluster", "argocd")
    annotations = secret["metadata"]["annotations"]
    assert annotations["platform-components.io/cluster-name"] == "platform-prod"
    assert annotations["platform-components.io/environment"] == "prod"
    assert secret["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "cluster"


def test_prod_argocd_is_ha_sso_only_clusterip_and_notifies(stacks: dict[str, Preview]) -> None:
    values = controller(stacks["prod"]).inputs["values"]
    assert values["configs"]["cm"]["admin.enabled"] is False
    assert "issuer: https://login.example.com/realms/acme" in values["configs"]["cm"]["oidc.config"]
    assert values["configs"]["rbac"]["policy.default"] == ""
    assert "g, platform-admins, role:admin" in values["configs"]["rbac"]["policy.csv"]
    assert values["server"]["service"]["type"] == "ClusterIP"
    assert values["controller"]["replicas"] == 2 and values["redis-ha"]["enabled"] is True
    assert values["notifications"]["enabled"] is True
    assert values["notifications"]["secret"] == {"create": False, "name": "argocd-notifications-slack"}
    staging = controller(stacks["staging"]).inputs["values"]
    assert staging["controller"]["replicas"] == 1
    assert staging["notifications"]["enabled"] is False


def test_sso_stacks_have_their_external_url(stacks: dict[str, Preview]) -> None:
    """The chart's presets make argocd-cm url and the notifications' argocdUrl https://<global.domain>
    (default argocd.example.com): both are set from argocd.hostname."""
    for stack, host in (("staging", "gitops.staging.example.com"), ("prod", "gitops.example.com")):
        values = controller(stacks[stack]).inputs["values"]
        assert "oidc.config" in values["configs"]["cm"]
        assert values["configs"]["cm"]["url"] == f"https://{host}"
        assert values["global"]["domain"] == host


def test_sso_requires_a_hostname_and_hostname_is_a_host() -> None:
    sso = {"issuer": "https://login.example.com/realms/acme", "client_id": "argocd"}
    with pytest.raises(ValidationError, match="sso needs hostname"):
        args(argocd={"sso": sso})
    for bad in ("https://gitops.example.com", "gitops.example.com:443", "gitops.example.com/ui", "Gitops_UI"):
        with pytest.raises(ValidationError, match=r"host name only|not a DNS-1123 subdomain"):
            args(argocd={"sso": sso, "hostname": bad})
    values = argocd_values(args(argocd={"sso": sso, "hostname": "gitops.example.com"}))
    assert values["configs"]["cm"]["url"] == "https://gitops.example.com"
    assert values["global"]["domain"] == "gitops.example.com"
    assert "domain" not in argocd_values(args())["global"]


def _notification_config(
    values: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """Triggers and templates as the notifications controller reads them from argocd-notifications-cm
    (the chart writes ``notifications.triggers`` / ``templates`` as its data keys)."""
    notifications = values["notifications"]
    triggers = {
        key.removeprefix("trigger."): yaml.safe_load(text)
        for key, text in notifications.get("triggers", {}).items()
        if key.startswith("trigger.")
    }
    templates = {
        key.removeprefix("template."): yaml.safe_load(text)
        for key, text in notifications.get("templates", {}).items()
        if key.startswith("template.")
    }
    return triggers, templates, notifications.get("subscriptions", [])


NOTIFYING = [
    pytest.param({"type": "slack", "channel": "alerts", "secret": "slack"}, id="slack"),
    pytest.param({"type": "webhook", "secret": "hook"}, id="webhook"),
]


@pytest.mark.parametrize("notifications", NOTIFYING)
def test_every_subscribed_trigger_and_sent_template_is_defined(notifications: dict[str, Any]) -> None:
    """From the rendered values: each subscription's triggers exist, each condition sends templates that
    exist, and each template has content for the configured service."""
    values = argocd_values(args(notifications=notifications, argocd={"hostname": "gitops.example.com"}))
    triggers, templates, subscriptions = _notification_config(values)
    assert subscriptions
    subscribed = {t for subscription in subscriptions for t in subscription["triggers"]}
    assert subscribed and subscribed <= set(triggers), subscribed - set(triggers)
    for name, conditions in triggers.items():
        assert isinstance(conditions, list) and conditions, name
        for condition in conditions:
            assert condition["when"] and condition["send"], name
            assert set(condition["send"]) <= set(templates), (name, condition["send"])
    webhooks = [
        k.removeprefix("service.webhook.")
        for k in values["notifications"]["notifiers"]
        if k.startswith("service.webhook.")
    ]
    for name, template in templates.items():
        assert "{{.app.metadata.name}}" in template["message"], name
        assert "[prod]" in template["message"] and "https" not in template["message"], name
        assert "{{.context.argocdUrl}}/applications/" in template["message"], name
        for webhook in webhooks:
            body = json.loads(template["webhook"][webhook]["body"])
            assert template["webhook"][webhook]["method"] == "POST"
            assert body["event"] == name and body["environment"] == "prod", body


def test_prod_notifications_are_all_defined(stacks: dict[str, Preview]) -> None:
    triggers, templates, subscriptions = _notification_config(controller(stacks["prod"]).inputs["values"])
    assert {t for s in subscriptions for t in s["triggers"]} <= set(triggers)
    assert {t for c in triggers.values() for cond in c for t in cond["send"]} <= set(templates)


def test_trigger_conditions_follow_the_notifications_catalog() -> None:
    """The Argo CD notifications catalog (notifications_catalog/triggers/*.yaml)."""
    triggers, _, _ = _notification_config(
        argocd_values(args(notifications={"type": "webhook", "secret": "hook"}))
    )
    when = {name: conditions[0]["when"] for name, conditions in triggers.items()}
    assert when == {
        "on-sync-failed": "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
        "on-health-degraded": "app.status.health.status == 'Degraded'",
        "on-sync-status-unknown": "app.status.sync.status == 'Unknown'",
    }
    assert {name: conditions[0]["send"] for name, conditions in triggers.items()} == {
        "on-sync-failed": ["app-sync-failed"],
        "on-health-degraded": ["app-health-degraded"],
        "on-sync-status-unknown": ["app-sync-status-unknown"],
    }


def test_without_a_hostname_the_messages_carry_no_link() -> None:
    _, templates, _ = _notification_config(
        argocd_values(args(notifications={"type": "webhook", "secret": "hook"}))
    )
    for template in templates.values():
        assert "argocdUrl" not in yaml.safe_dump(template)


def test_teardown_order_gitops_objects_depend_on_the_controller(stacks: dict[str, Preview]) -> None:
    for preview in stacks.values():
        release = controller(preview)
        gitops_children = [
            r for r in preview.resources if "GitOpsBootstrap$" in r.urn and r.urn != release.urn
        ]
        # Argo CD's NetworkPolicies (the namespace's default-deny and repository egress, redis-ha) go
        # the other way: created before it (its pods must reach Redis, DNS, the API server and the
        # repository from the first start), deleted after it; Flux's follow its install manifest
        before = [r for r in gitops_children if r.urn in release.dependencies and "Namespace" not in r.type]
        assert {r.type for r in before} <= {"kubernetes:networking.k8s.io/v1:NetworkPolicy"}
        custom = [
            r
            for r in gitops_children
            if r.type.startswith("kubernetes:") and "Namespace" not in r.type and r not in before
        ]
        assert custom
        for record in custom:
            assert release.urn in record.dependencies, record.name  # deleted before the controller
        namespaces = [r for r in gitops_children if r.type == "kubernetes:core/v1:Namespace"]
        patches = [r for r in gitops_children if r.type == "kubernetes:core/v1:NamespacePatch"]
        if release.type == "kubernetes:helm.sh/v3:Release":
            (namespace,) = namespaces  # the chart needs its namespace first
            assert namespace.urn in release.dependencies and not patches
        else:
            # Flux's install manifest creates its namespace; the patch enforces restricted on it after
            (patch,) = patches
            assert not namespaces and release.urn in patch.dependencies
            labels = patch.inputs["metadata"]["labels"]
            assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_flux_notifications_render_provider_and_alert() -> None:
    rendered = render_flux(
        args(
            engine="flux",
            environment="dev",
            notifications={"type": "slack", "channel": "ops", "secret": "slack-bot"},
        ),
        {"environment": "dev"},
    )
    assert rendered["notification-provider"]["spec"] == {
        "type": "slack",
        "secretRef": {"name": "slack-bot"},
        "channel": "ops",
    }
    alert = rendered["notification-alert"]["spec"]
    assert alert["eventSeverity"] == "error" and alert["providerRef"] == {"name": "platform"}


def test_flux_notifications_validate_against_the_crds() -> None:
    def program() -> None:
        GitOpsBootstrap(
            "gitops",
            args(engine="flux", environment="dev", notifications={"type": "webhook", "secret": "hook"}),
        )

    preview = preview_function(program)
    assert preview.clean, preview.problems()
    assert {m["kind"] for m in preview.manifests} >= {"Provider", "Alert", "GitRepository", "Kustomization"}


# --------------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    "url", [HTTPS, SSH, "ssh://git@github.com/acme/platform.git", "https://gitlab.example.com/acme/platform"]
)
def test_accepted_repo_urls(url: str) -> None:
    assert check_repo_url(url) == url


@pytest.mark.parametrize(
    "url",
    ["http://github.com/acme/x.git", "git://github.com/acme/x.git", "file:///srv/x", "github.com/acme/x"],
)
def test_refused_repo_urls(url: str) -> None:
    with pytest.raises(ValueError, match="neither https:// nor ssh"):
        check_repo_url(url)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"engine": "jenkins"}, "Input should be 'argocd' or 'flux'"),
        ({"sync_interval": "often"}, "not a duration"),
        ({"repository": {"url": SSH}}, "SSH repository URL needs credentials"),
        ({"repository": {"url": HTTPS, "credentials": {}}}, "exactly one of existing_secret or aws_secret"),
        ({"prune": False}, "prod must sync with prune and self_heal"),
        ({"engine": "flux", "argocd": {"ha": True}}, "argocd settings are given but engine is flux"),
        (
            {"argocd": {"sso": {"issuer": "https://x", "client_id": "a", "client_secret": "hunter2"}}},
            "never the secret itself",
        ),
        ({"repository": {"url": HTTPS, "team_path": "teams"}}, "must contain '{team}'"),
        ({"notifications": {"type": "slack", "secret": "s"}}, "needs a channel"),
    ],
)
def test_bad_arguments(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        args(**overrides)


def test_dev_may_opt_out_of_self_heal_but_the_render_shows_it() -> None:
    rendered = render_argocd(args(environment="dev", self_heal=False), {})
    assert rendered["root"]["spec"]["syncPolicy"]["automated"] == {
        "prune": True,
        "selfHeal": False,
        "allowEmpty": False,
    }


def test_engine_enum() -> None:
    assert [e.value for e in GitOpsEngine] == ["argocd", "flux"]
