"""GitOpsBootstrap: Argo CD or Flux installed, pinned and pointed at the platform's Git repository.

After ``pulumi up`` the cluster is handed over to Git: the platform path of the repository
(``clusters/<environment>`` by default) is reconciled with the controller's own permissions, each
team's path (``teams/<team>``) only inside the team's namespace, and Git-managed add-ons read the
platform facts (cluster name, region, environment, role ARNs, team namespaces) that Pulumi knows.

Usage::

    GitOpsBootstrap(
        "gitops",
        GitOpsBootstrapArgs(
            engine="argocd",
            repository={"url": "https://github.com/acme/platform.git", "credentials": {"aws_secret": "platform/git"}},
            environment="prod",
            teams=["shop", "payments"],
        ),
        facts={"cluster_name": cluster.cluster_name, "region": "eu-west-1"},
    )

**Argo CD** (``engine: argocd``): the ``argo-cd`` Helm chart pinned in :mod:`platform_components.versions`;
HA replicas (and Redis HA) when ``argocd.ha``; the server as a ClusterIP Service (an optional
HTTPRoute through the shared Gateway); the built-in ``admin`` user disabled, access through OIDC
SSO and an RBAC policy (``admin_groups``, ``readonly_groups``, per-team roles; default role none);
notifications configured when a target is given (the token comes from a Secret, never from
config). Objects: a cluster Secret ``in-cluster`` whose labels and annotations carry the platform
facts (the GitOps-bridge convention: ApplicationSets in Git template from them with a cluster
generator), an AppProject ``platform`` and one AppProject per team (sources: the repository only;
destinations: the team's namespace only; no cluster-scoped resources; quotas, limits and RBAC
blacklisted), the root Application ``platform`` (app-of-apps) and an ApplicationSet ``teams`` (one
Application per team from a list generator; ``preserveResourcesOnDeletion``). Every sync is
automated with prune, self-heal, retry with exponential backoff and ``ServerSideApply``.

**Flux** (``engine: flux``): the release's own install manifest pinned in
:mod:`platform_components.versions` (``flux install``: source, kustomize, helm and notification
controllers, no image automation, with Flux's NetworkPolicies and its own namespace, which a
``NamespacePatch`` then labels to enforce Pod Security *restricted*); a ``GitRepository`` ``platform`` (credentials by Secret
reference), a ConfigMap ``platform-facts``, the ``Kustomization`` ``platform`` for the environment
path (prune, wait for health, interval, timeout, retry interval, variables substituted from the
facts) and per team a ``Kustomization`` in the team's namespace that impersonates the team's
``gitops-reconciler`` ServiceAccount (a Role limited to namespaced application kinds), so it
cannot leave the namespace; a notification ``Provider`` and ``Alert`` when a target is given.

**Network**: for either engine the controller namespace gets the library's ``default-deny``
NetworkPolicy (both ways; DNS, the API server and the namespace's own pods allowed out) and
``repository-egress`` for the repository clients (:func:`namespace_network_policies`); ingress stays
with the engine's own policies.

**Credentials** are references only: ``repository.credentials.existing_secret`` names a Secret
created out of band (for Argo CD a Secret labelled ``argocd.argoproj.io/secret-type: repository``),
``repository.credentials.aws_secret`` names an AWS Secrets Manager secret that an External Secrets
``ExternalSecret`` copies into that Secret (needs the External Secrets operator and a
ClusterSecretStore, ``aws-secrets-manager`` by default). SSH URLs require credentials.

**Sync order**: the platform repository orders its own objects with
``argocd.argoproj.io/sync-wave`` (CRDs ``-2``, namespaces ``-1``, the rest ``0``) or Flux
``dependsOn`` between Kustomizations; Pulumi creates the AppProjects, cluster Secret and
repository credentials before the root Application, and the root Application before the teams'
ApplicationSet.

**Teardown**: every GitOps object depends on the controller's installation, so ``pulumi destroy``
deletes the ApplicationSet and root Application (or the Kustomizations) while the controller still
runs and can process their finalizers, then the controller. The root Application carries no
cascade finalizer (deleting it leaves the workloads running: removing the platform is not a way to
delete team workloads) and the ApplicationSet preserves its Applications' resources. If a
controller is already gone, clear a stuck finalizer with
``kubectl patch <kind> <name> -n <ns> --type merge -p '{"metadata":{"finalizers":null}}'``.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import pulumi
import pulumi_kubernetes as k8s
import yaml
from pydantic import Field, field_validator, model_validator

from ._base import StrictModel
from ._validators import check_duration
from .errors import ConfigError
from .kube import labels as lbl
from .kube.names import check_dns1123_label, check_dns1123_subdomain
from .kube.netpol import (
    ANYWHERE,
    api_server_egress,
    default_deny_spec,
    repository_egress,
    same_namespace_egress,
)
from .kube.objects import create_object
from .kube.traffic import RouteArgs, http_route
from .namespace import PodSecurityLevel, psa_labels
from .policies.base import EXEMPT_PREFIX
from .versions import ARGOCD_CHART_REPOSITORY, ARGOCD_CHART_VERSION, FLUX_INSTALL_URL

TYPE_TOKEN = "platform:index:GitOpsBootstrap"
IN_CLUSTER = "https://kubernetes.default.svc"
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
FACT_PREFIX = "platform-components.io/"
RECONCILER = "gitops-reconciler"
_SSH_SCP = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._/~-]+$")
_FACT_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

#: Namespaced kinds a team's GitOps reconciler may manage (no RBAC, quotas, limit ranges or
#: namespaces: those are the platform's guard rails).
TEAM_RESOURCES: list[dict[str, Any]] = [
    {
        "apiGroups": [""],
        "resources": ["configmaps", "secrets", "services", "serviceaccounts", "persistentvolumeclaims"],
    },
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"]},
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"]},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"]},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"]},
    {"apiGroups": ["gateway.networking.k8s.io"], "resources": ["httproutes"]},
    {"apiGroups": ["argoproj.io"], "resources": ["rollouts", "analysistemplates"]},
    {"apiGroups": ["keda.sh"], "resources": ["scaledobjects", "triggerauthentications"]},
    {"apiGroups": ["autoscaling.k8s.io"], "resources": ["verticalpodautoscalers"]},
    {"apiGroups": ["monitoring.coreos.com"], "resources": ["servicemonitors", "prometheusrules"]},
    {"apiGroups": ["external-secrets.io"], "resources": ["externalsecrets"]},
]
TEAM_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]
#: Kinds a team's AppProject may not create even in its own namespace.
TEAM_BLACKLIST = [
    {"group": "", "kind": "ResourceQuota"},
    {"group": "", "kind": "LimitRange"},
    {"group": "rbac.authorization.k8s.io", "kind": "Role"},
    {"group": "rbac.authorization.k8s.io", "kind": "RoleBinding"},
]


#: The notification triggers the subscription names, with the Argo CD notifications catalog's
#: conditions (argo-cd ``notifications_catalog/triggers/<name>.yaml``): name -> (description,
#: ``when``, template sent, ``oncePer`` or None). The chart defines no trigger or template by default.
NOTIFICATION_TRIGGERS: dict[str, tuple[str, str, str, str | None]] = {
    "on-sync-failed": (
        "Application syncing has failed",
        "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
        "app-sync-failed",
        "app.status.operationState?.syncResult?.revision",
    ),
    "on-health-degraded": (
        "Application has degraded",
        "app.status.health.status == 'Degraded'",
        "app-health-degraded",
        None,
    ),
    "on-sync-status-unknown": (
        "Application status is 'Unknown'",
        "app.status.sync.status == 'Unknown'",
        "app-sync-status-unknown",
        "app.status.operationState?.syncResult?.revision",
    ),
}
#: What each template says (Go templates over the Application; ``{{.context.argocdUrl}}`` is the UI).
NOTIFICATION_TEMPLATES: dict[str, tuple[str, str]] = {
    "app-sync-failed": (
        "Sync of {{.app.metadata.name}} failed",
        "The sync of application {{.app.metadata.name}} failed at {{.app.status.operationState.finishedAt}}: "
        "{{.app.status.operationState.message}}",
    ),
    "app-health-degraded": (
        "{{.app.metadata.name}} is degraded",
        "Application {{.app.metadata.name}} is degraded (sync status {{.app.status.sync.status}}).",
    ),
    "app-sync-status-unknown": (
        "Sync status of {{.app.metadata.name}} is unknown",
        "The sync status of application {{.app.metadata.name}} is 'Unknown' "
        "(the repository or the cluster could not be compared).",
    ),
}


class GitOpsEngine(enum.StrEnum):
    ARGOCD = "argocd"
    FLUX = "flux"


class NotificationType(enum.StrEnum):
    SLACK = "slack"
    WEBHOOK = "webhook"


def check_repo_url(value: str) -> str:
    """HTTPS or SSH (``ssh://`` or scp-like ``git@host:path``) only: plain HTTP and git:// are
    unauthenticated and unencrypted."""
    if value.startswith("https://") and len(value) > len("https://") and " " not in value:
        return value
    if value.startswith("ssh://") or _SSH_SCP.match(value):
        return value
    raise ValueError(
        f"repository URL {value!r} is neither https:// nor ssh (ssh://... or git@host:path); "
        "use an HTTPS or SSH URL"
    )


def is_ssh(url: str) -> bool:
    return not url.startswith("https://")


class CredentialsArgs(StrictModel):
    """Where the repository credentials come from: a reference, never the value."""

    existing_secret: str | None = Field(
        default=None, description="A Secret created out of band in the GitOps namespace."
    )
    aws_secret: str | None = Field(
        default=None,
        description="AWS Secrets Manager secret (JSON with username/password or sshPrivateKey) copied by an ExternalSecret.",
    )
    secret_store: str = Field(
        default="aws-secrets-manager", description="ClusterSecretStore the ExternalSecret reads through."
    )

    @field_validator("existing_secret", "secret_store")
    @classmethod
    def _names(cls, value: str | None) -> str | None:
        return check_dns1123_subdomain(value) if value is not None else None

    @model_validator(mode="after")
    def _one(self) -> CredentialsArgs:
        if (self.existing_secret is None) == (self.aws_secret is None):
            raise ValueError("credentials need exactly one of existing_secret or aws_secret")
        return self


class RepositoryArgs(StrictModel):
    """The Git repository holding the environment's desired state."""

    url: str = Field(description="HTTPS or SSH URL of the repository.")
    revision: str = Field(default="main", description="Branch (or tag) to follow.")
    path: str | None = Field(
        default=None,
        description="Path of the environment's platform objects; default clusters/<environment>.",
    )
    team_path: str = Field(
        default="teams/{team}",
        description="Path of each team's objects; '{team}' is replaced by the team name.",
    )
    credentials: CredentialsArgs | None = Field(
        default=None, description="Credentials reference (required for SSH URLs; omit for public HTTPS)."
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_repo_url(value)

    @field_validator("path", "team_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("/") or ".." in value.split("/") or not value.strip()):
            raise ValueError(f"path {value!r} must be relative to the repository root, without '..'")
        return value

    @field_validator("revision")
    @classmethod
    def _revision(cls, value: str) -> str:
        if not value or " " in value or value.startswith("-"):
            raise ValueError(f"revision {value!r} is not a branch or tag name")
        return value

    @model_validator(mode="after")
    def _ssh_needs_credentials(self) -> RepositoryArgs:
        if is_ssh(self.url) and self.credentials is None:
            raise ValueError("an SSH repository URL needs credentials (existing_secret or aws_secret)")
        if "{team}" not in self.team_path:
            raise ValueError("team_path must contain '{team}' (e.g. 'teams/{team}')")
        return self


class RetryArgs(StrictModel):
    """Retries of a failed sync with exponential backoff."""

    limit: int = Field(
        default=5, ge=1, le=100, description="Attempts before giving up until the next change."
    )
    backoff: str = Field(default="10s", description="First delay.")
    factor: int = Field(default=2, ge=1, le=10, description="Delay multiplier.")
    max_backoff: str = Field(default="3m", description="Longest delay.")

    @field_validator("backoff", "max_backoff")
    @classmethod
    def _duration(cls, value: str) -> str:
        return check_duration(value)


class NotificationArgs(StrictModel):
    """Where sync failures and degraded health are reported (the token stays in a Secret)."""

    type: NotificationType = Field(description="slack or webhook.")
    secret: str = Field(
        description="Secret in the GitOps namespace: key 'token' (Slack) or 'address' (webhook URL)."
    )
    channel: str | None = Field(default=None, description="Slack channel (Slack only).")

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str) -> str:
        return check_dns1123_subdomain(value)

    @model_validator(mode="after")
    def _channel(self) -> NotificationArgs:
        if (self.type is NotificationType.SLACK) != (self.channel is not None):
            raise ValueError("a Slack notification needs a channel; a webhook takes none")
        return self


class SsoArgs(StrictModel):
    """OIDC single sign-on for Argo CD (the admin user is disabled)."""

    issuer: str = Field(description="OIDC issuer URL (https).")
    client_id: str = Field(description="OIDC client id.")
    client_secret: str = Field(
        default="$argocd-oidc:clientSecret",
        description="Reference '$<secret>:<key>' to the client secret (a Secret labelled part-of argocd).",
    )

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(f"OIDC issuer {value!r} must be an https:// URL")
        return value

    @field_validator("client_secret")
    @classmethod
    def _reference(cls, value: str) -> str:
        if not re.match(r"^\$[a-z0-9.-]+:[A-Za-z0-9._-]+$", value):
            raise ValueError(
                "client_secret must be a reference '$<secret>:<key>' to a Secret, never the secret itself"
            )
        return value


class ArgoCdArgs(StrictModel):
    """Argo CD installation settings."""

    ha: bool = Field(default=False, description="Replicated controller, server, repo server and Redis HA.")
    sso: SsoArgs | None = Field(
        default=None, description="OIDC SSO; without it only the CLI via kubectl works."
    )
    admin_groups: list[str] = Field(default_factory=list, description="SSO groups with the admin role.")
    readonly_groups: list[str] = Field(default_factory=list, description="SSO groups with read-only access.")
    route: RouteArgs | None = Field(
        default=None,
        description="HTTPRoute to the (ClusterIP) server through the shared Gateway; none by default.",
    )
    hostname: str | None = Field(
        default=None,
        description=(
            "External host of the UI, e.g. gitops.example.com: the URL SSO redirects to and "
            "notifications link to (configs.cm.url, global.domain). Required with sso."
        ),
    )

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "://" in value or "/" in value or ":" in value:
            raise ValueError(
                f"hostname {value!r} is a host name only (no scheme, port or path), e.g. gitops.example.com"
            )
        return check_dns1123_subdomain(value)

    @model_validator(mode="after")
    def _sso_needs_hostname(self) -> ArgoCdArgs:
        if self.sso is not None and self.hostname is None:
            raise ValueError(
                "sso needs hostname: the external host of the Argo CD UI (e.g. hostname: gitops.example.com); "
                "without it logins redirect to the chart's example domain argocd.example.com"
            )
        return self


class FluxArgs(StrictModel):
    """Flux settings."""

    timeout: str = Field(default="5m", description="Apply and health-check timeout of each Kustomization.")
    retry_interval: str = Field(default="2m", description="Retry interval after a failed reconciliation.")

    @field_validator("timeout", "retry_interval")
    @classmethod
    def _duration(cls, value: str) -> str:
        return check_duration(value)


class GitOpsBootstrapArgs(StrictModel):
    """Arguments of :class:`GitOpsBootstrap`."""

    engine: GitOpsEngine = Field(description="argocd or flux.")
    repository: RepositoryArgs = Field(description="The Git repository and paths.")
    environment: str = Field(description="Environment name (labels, default path, sync policy).")
    teams: list[str] = Field(
        default_factory=list, description="Team namespaces handed to Git (one project each)."
    )
    namespace: str | None = Field(
        default=None, description="Namespace of the controller; default argocd or flux-system."
    )
    sync_interval: str = Field(default="3m", description="How often Git is polled (Go duration).")
    prune: bool = Field(default=True, description="Delete what was removed from Git.")
    self_heal: bool = Field(default=True, description="Revert changes made outside Git.")
    retry: RetryArgs = Field(default_factory=RetryArgs, description="Failed-sync retries.")
    notifications: NotificationArgs | None = Field(default=None, description="Failure notifications.")
    argocd: ArgoCdArgs = Field(default_factory=ArgoCdArgs, description="Argo CD settings.")
    flux: FluxArgs = Field(default_factory=FluxArgs, description="Flux settings.")
    kubernetes_version: str = Field(default="1.35", description="Kubernetes minor (PSA label version).")

    @field_validator("environment", "namespace")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        return check_dns1123_label(value) if value is not None else None

    @field_validator("teams")
    @classmethod
    def _teams(cls, value: list[str]) -> list[str]:
        for team in value:
            check_dns1123_label(team)
        if len(set(value)) != len(value):
            raise ValueError("teams has duplicates")
        return value

    @field_validator("sync_interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        return check_duration(value)

    @model_validator(mode="after")
    def _cross_field(self) -> GitOpsBootstrapArgs:
        if self.engine is GitOpsEngine.FLUX and self.argocd != ArgoCdArgs():
            raise ValueError(
                "argocd settings are given but engine is flux; remove them or use engine: argocd"
            )
        if self.engine is GitOpsEngine.ARGOCD and self.flux != FluxArgs():
            raise ValueError("flux settings are given but engine is argocd; remove them or use engine: flux")
        if self.environment in ("staging", "prod") and not (self.prune and self.self_heal):
            raise ValueError(f"{self.environment} must sync with prune and self_heal; remove the override")
        if self.namespace in self.teams:
            raise ValueError(f"namespace {self.namespace!r} is a team namespace; GitOps needs its own")
        return self

    @property
    def controller_namespace(self) -> str:
        return self.namespace or ("argocd" if self.engine is GitOpsEngine.ARGOCD else "flux-system")

    @property
    def platform_path(self) -> str:
        return self.repository.path or f"clusters/{self.environment}"

    def team_path(self, team: str) -> str:
        return self.repository.team_path.replace("{team}", team)


# --------------------------------------------------------------------------------------------------
# Rendering (pure)


def _labels(args: GitOpsBootstrapArgs, **extra: str) -> dict[str, str]:
    return {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY, lbl.ENVIRONMENT: args.environment, **extra}


def _duration_seconds(value: str) -> int:
    total = 0.0
    for number, unit in re.findall(r"([0-9.]+)(ns|us|µs|ms|s|m|h)", value):
        total += (
            float(number) * {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}[unit]
        )
    return max(1, int(total))


def credentials_secret_name(args: GitOpsBootstrapArgs) -> str | None:
    creds = args.repository.credentials
    if creds is None:
        return None
    return creds.existing_secret or "platform-repository"


def _external_secret(args: GitOpsBootstrapArgs) -> dict[str, Any] | None:
    creds = args.repository.credentials
    if creds is None or creds.aws_secret is None:
        return None
    namespace = args.controller_namespace
    ssh = is_ssh(args.repository.url)
    target_labels = {lbl.MANAGED_BY_KEY: lbl.MANAGED_BY}
    if args.engine is GitOpsEngine.ARGOCD:
        target_labels[SECRET_TYPE_LABEL] = "repository"
        data = {"type": "git", "url": args.repository.url}
        data.update(
            {"sshPrivateKey": "{{ .sshPrivateKey }}"}
            if ssh
            else {"username": "{{ .username }}", "password": "{{ .password }}"}
        )
        keys = ["sshPrivateKey"] if ssh else ["username", "password"]
    else:
        data = (
            {"identity": "{{ .identity }}", "known_hosts": "{{ .known_hosts }}"}
            if ssh
            else {
                "username": "{{ .username }}",
                "password": "{{ .password }}",
            }
        )
        keys = ["identity", "known_hosts"] if ssh else ["username", "password"]
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "platform-repository", "namespace": namespace, "labels": _labels(args)},
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": creds.secret_store},
            "target": {
                "name": "platform-repository",
                "creationPolicy": "Owner",
                "deletionPolicy": "Retain",
                "template": {"engineVersion": "v2", "metadata": {"labels": target_labels}, "data": data},
            },
            "data": [
                {"secretKey": key, "remoteRef": {"key": creds.aws_secret, "property": key}} for key in keys
            ],
        },
    }


def argocd_sync_policy(args: GitOpsBootstrapArgs) -> dict[str, Any]:
    """The root Application's sync policy: automated (prune, self-heal), server-side apply, retries."""
    return {
        "automated": {"prune": args.prune, "selfHeal": args.self_heal, "allowEmpty": False},
        "syncOptions": ["ServerSideApply=true", "PrunePropagationPolicy=foreground", "PruneLast=true"],
        "retry": {
            "limit": args.retry.limit,
            "backoff": {
                "duration": args.retry.backoff,
                "factor": args.retry.factor,
                "maxDuration": args.retry.max_backoff,
            },
        },
    }


def argocd_cluster_secret(args: GitOpsBootstrapArgs, facts: dict[str, str]) -> dict[str, Any]:
    """The ``in-cluster`` cluster Secret, the platform facts as its annotations."""
    fact_annotations = {
        f"{FACT_PREFIX}{key.replace('_', '-')}": value for key, value in sorted(facts.items())
    }
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "in-cluster",
            "namespace": args.controller_namespace,
            "labels": _labels(args, **{SECRET_TYPE_LABEL: "cluster"}),
            "annotations": fact_annotations,
        },
        "stringData": {
            "name": "in-cluster",
            "server": IN_CLUSTER,
            "config": '{"tlsClientConfig":{"insecure":false}}',
        },
    }


def argocd_platform_project(args: GitOpsBootstrapArgs) -> dict[str, Any]:
    """The AppProject ``platform``: the platform repository, any namespace, cluster-scoped kinds."""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {
            "name": "platform",
            "namespace": args.controller_namespace,
            "labels": _labels(args),
            "annotations": {
                EXEMPT_PREFIX + "argocd-project-scoped": (
                    "the platform project installs cluster add-ons (CRDs, controllers, namespaces) across "
                    "namespaces; only the platform repository's environment path may use it"
                ),
                "argocd.argoproj.io/sync-wave": "-2",
            },
        },
        "spec": {
            "description": "Cluster add-ons of the platform team (platform repository only).",
            "sourceRepos": [args.repository.url],
            "destinations": [{"server": IN_CLUSTER, "namespace": "*"}],
            "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
            "orphanedResources": {"warn": True},
        },
    }


def argocd_team_project(args: GitOpsBootstrapArgs, team: str) -> dict[str, Any]:
    """A team's AppProject: the repository into the team's namespace only, no cluster-scoped kinds,
    quotas, limits and RBAC blacklisted, a ``deployer`` role for ``<team>-developers``."""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {
            "name": team,
            "namespace": args.controller_namespace,
            "labels": _labels(args, **{"platform-components.io/team": team}),
        },
        "spec": {
            "description": f"Team {team}: its repository path into its namespace only.",
            "sourceRepos": [args.repository.url],
            "destinations": [{"server": IN_CLUSTER, "namespace": team}],
            "clusterResourceWhitelist": [],
            "namespaceResourceBlacklist": list(TEAM_BLACKLIST),
            "orphanedResources": {"warn": True},
            "roles": [
                {
                    "name": "deployer",
                    "description": f"Sync and read the applications of {team}.",
                    "policies": [
                        f"p, proj:{team}:deployer, applications, get, {team}/*, allow",
                        f"p, proj:{team}:deployer, applications, sync, {team}/*, allow",
                    ],
                    "groups": [f"{team}-developers"],
                }
            ],
        },
    }


def argocd_root_application(args: GitOpsBootstrapArgs, sync: dict[str, Any]) -> dict[str, Any]:
    """The root Application ``platform`` (app-of-apps) of the environment's path."""
    repo = args.repository
    namespace = args.controller_namespace
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": "platform",
            "namespace": namespace,
            "labels": _labels(args),
            "annotations": {"argocd.argoproj.io/sync-wave": "-1"},
        },
        "spec": {
            "project": "platform",
            "source": {
                "repoURL": repo.url,
                "targetRevision": repo.revision,
                "path": args.platform_path,
                "directory": {"recurse": True},
            },
            "destination": {"server": IN_CLUSTER, "namespace": namespace},
            "syncPolicy": sync,
            "revisionHistoryLimit": 10,
        },
    }


def argocd_teams_application_set(args: GitOpsBootstrapArgs, sync: dict[str, Any]) -> dict[str, Any]:
    """The ApplicationSet ``teams``: one Application per team (list generator) in its project."""
    repo = args.repository
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "teams", "namespace": args.controller_namespace, "labels": _labels(args)},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {"list": {"elements": [{"team": t, "path": args.team_path(t)} for t in args.teams]}}
            ],
            "syncPolicy": {"preserveResourcesOnDeletion": True, "applicationsSync": "sync"},
            "template": {
                "metadata": {
                    "name": "team-{{.team}}",
                    "labels": _labels(args, **{"platform-components.io/team": "{{.team}}"}),
                },
                "spec": {
                    "project": "{{.team}}",
                    "source": {"repoURL": repo.url, "targetRevision": repo.revision, "path": "{{.path}}"},
                    "destination": {"server": IN_CLUSTER, "namespace": "{{.team}}"},
                    "syncPolicy": {**sync, "syncOptions": ["ServerSideApply=true", "PruneLast=true"]},
                },
            },
        },
    }


def render_argocd(args: GitOpsBootstrapArgs, facts: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The Argo CD objects (besides the Helm release and namespace), keyed by child role, in the
    order they are registered."""
    sync = argocd_sync_policy(args)
    out: dict[str, dict[str, Any]] = {"cluster-secret": argocd_cluster_secret(args, facts)}
    external = _external_secret(args)
    if external is not None:
        out["repository-credentials"] = external
    out["platform-project"] = argocd_platform_project(args)
    for team in args.teams:
        out[f"project-{team}"] = argocd_team_project(args, team)
    out["root"] = argocd_root_application(args, sync)
    if args.teams:
        out["teams"] = argocd_teams_application_set(args, sync)
    return out


#: Helm release name of the argo-cd chart: its pods' ``app.kubernetes.io/instance`` and the redis-ha
#: sub-chart's ``release`` label.
ARGOCD_RELEASE = "argo-cd"
#: The argo-cd chart's pods that use Redis (``REDIS_SERVER`` in argocd-server/deployment.yaml,
#: argocd-repo-server/deployment.yaml, argocd-application-controller/statefulset.yaml), by their
#: ``app.kubernetes.io/name`` (the chart's nameOverride ``argocd`` + component name).
REDIS_CLIENTS = ("argocd-server", "argocd-repo-server", "argocd-application-controller")


def argocd_network_policies(args: GitOpsBootstrapArgs) -> dict[str, dict[str, Any]]:
    """NetworkPolicies the argo-cd chart leaves out, keyed by child role.

    With ``global.networkPolicy.defaultDenyIngress`` every pod of the namespace is isolated for
    ingress, and the chart allows each of its components in again, except Redis when ``redis-ha`` is
    on: ``redis/networkpolicy.yaml`` is skipped for redis-ha, and the redis-ha sub-chart's own
    policies (``networkPolicy.enabled``, ``haproxy.networkPolicy.enabled``) are off by default. Left
    so, the server, repo server and application controller cannot reach HAProxy, HAProxy cannot reach
    Redis and Sentinel, and the Redis replicas cannot replicate.

    They are rendered here rather than by enabling the sub-chart's policies: those also isolate the
    Redis and HAProxy pods for egress (DNS and Redis only), a second model of the namespace next to
    the chart's ingress-only one; and objects rendered by the library are in the preview, validated,
    recorded in the golden files and checked by the reachability test as applied. The selectors are
    the sub-chart's pod labels (redis-ha ``redis-ha-statefulset.yaml``, ``redis-haproxy-deployment.yaml``:
    ``app``/``release``); the ports are its named container ports ``redis`` (6379) and ``sentinel``
    (26379), which the HAProxy health checks (26379) and backend (6379) and replication use."""
    if args.engine is not GitOpsEngine.ARGOCD or not args.argocd.ha:
        return {}
    namespace = args.controller_namespace
    redis = {"app": "redis-ha", "release": ARGOCD_RELEASE}
    haproxy = {"app": "redis-ha-haproxy", "release": ARGOCD_RELEASE, "component": "haproxy"}

    def policy(
        name: str, selector: dict[str, str], peers: list[dict[str, str]], ports: list[str]
    ) -> dict[str, Any]:
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace, "labels": _labels(args)},
            "spec": {
                "podSelector": {"matchLabels": selector},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [{"podSelector": {"matchLabels": peer}} for peer in peers],
                        "ports": [{"port": port, "protocol": "TCP"} for port in ports],
                    }
                ],
            },
        }

    clients = [
        {"app.kubernetes.io/name": client, "app.kubernetes.io/instance": ARGOCD_RELEASE}
        for client in REDIS_CLIENTS
    ]
    return {
        "redis-ha-haproxy-network-policy": policy(
            f"{ARGOCD_RELEASE}-redis-ha-haproxy", haproxy, clients, ["redis"]
        ),
        "redis-ha-network-policy": policy(
            f"{ARGOCD_RELEASE}-redis-ha", redis, [haproxy, redis], ["redis", "sentinel"]
        ),
    }


#: The controllers that fetch from the platform repository (Git over HTTPS or SSH, Helm and OCI
#: registries), by their pod labels: Argo CD's repo server and ApplicationSet controller (its Git
#: generators), Flux's source controller (``app`` label of the install manifest's Deployment).
REPOSITORY_CLIENTS: dict[GitOpsEngine, dict[str, Any]] = {
    GitOpsEngine.ARGOCD: {
        "matchLabels": {"app.kubernetes.io/instance": ARGOCD_RELEASE},
        "matchExpressions": [
            {
                "key": "app.kubernetes.io/name",
                "operator": "In",
                "values": ["argocd-repo-server", "argocd-applicationset-controller"],
            }
        ],
    },
    GitOpsEngine.FLUX: {"matchLabels": {"app": "source-controller"}},
}


def namespace_network_policies(args: GitOpsBootstrapArgs) -> dict[str, dict[str, Any]]:
    """The controller namespace's default-deny and the repository access it needs, keyed by child role.

    ``default-deny`` isolates every pod of the namespace both ways and allows egress to DNS
    (kube-dns), to the API server (TCP 443 and 6443; its endpoints lie outside the pod CIDRs) and to
    the namespace's own pods (the controllers talk to each other: repo server, Redis, source
    controller; each receiver stays governed by its own ingress policy). Ingress is left to the
    engine's own policies: Argo CD's chart (``global.networkPolicy``: each component's callers, metrics
    from any namespace) and Flux's install manifest (``allow-scraping``, ``allow-webhooks``,
    ``allow-egress``). ``repository-egress`` lets the repository clients (:data:`REPOSITORY_CLIENTS`)
    reach Git, Helm and OCI hosts on TCP 443 and 22.

    Flux's install manifest carries its own ``allow-egress`` policy (every pod of flux-system, egress
    to anywhere), which NetworkPolicy's additive semantics let win over this default-deny's egress
    side; the default-deny still isolates ingress there."""
    namespace = args.controller_namespace

    def policy(name: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace, "labels": _labels(args)},
            "spec": spec,
        }

    return {
        "default-deny": policy(
            "default-deny", default_deny_spec(egress=[api_server_egress(), same_namespace_egress()])
        ),
        "repository-egress": policy(
            "repository-egress",
            {
                "podSelector": REPOSITORY_CLIENTS[args.engine],
                "policyTypes": ["Egress"],
                "egress": [repository_egress(ANYWHERE)],
            },
        ),
    }


def argocd_values(args: GitOpsBootstrapArgs) -> dict[str, Any]:
    """Helm values of the argo-cd chart."""
    settings = args.argocd
    replicas = 2 if settings.ha else 1
    cm: dict[str, Any] = {
        "admin.enabled": False,
        "exec.enabled": False,
        "timeout.reconciliation": f"{_duration_seconds(args.sync_interval)}s",
        "application.resourceTrackingMethod": "annotation",
        "statusbadge.enabled": False,
        "users.anonymous.enabled": False,
    }
    if settings.hostname:
        # the chart derives argocd-cm url (the SSO redirect base) and the notifications' argocdUrl
        # from global.domain (default argocd.example.com); url is set too so neither depends on it
        cm["url"] = f"https://{settings.hostname}"
    if settings.sso is not None:
        cm["oidc.config"] = (
            f"name: SSO\nissuer: {settings.sso.issuer}\nclientID: {settings.sso.client_id}\n"
            f"clientSecret: {settings.sso.client_secret}\nrequestedScopes: [openid, profile, email, groups]\n"
        )
    policy = [f"g, {group}, role:admin" for group in settings.admin_groups]
    policy += [f"g, {group}, role:readonly" for group in settings.readonly_groups]
    for team in args.teams:
        policy += [
            f"p, role:team-{team}, applications, get, {team}/*, allow",
            f"p, role:team-{team}, applications, sync, {team}/*, allow",
            f"p, role:team-{team}, logs, get, {team}/*, allow",
            f"g, {team}-developers, role:team-{team}",
        ]
    security = {
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "seccompProfile": {"type": "RuntimeDefault"},
        "capabilities": {"drop": ["ALL"]},
    }
    values: dict[str, Any] = {
        "crds": {"install": True, "keep": True},
        "global": {"networkPolicy": {"create": True, "defaultDenyIngress": True}},
        "configs": {
            "cm": cm,
            "params": {"server.insecure": False},
            "rbac": {
                "policy.default": "",
                "policy.csv": "\n".join(policy) + ("\n" if policy else ""),
                "scopes": "[groups]",
            },
        },
        "dex": {"enabled": False},
        "controller": {"replicas": replicas, "containerSecurityContext": security},
        "server": {
            "replicas": replicas,
            "service": {"type": "ClusterIP"},
            "containerSecurityContext": security,
        },
        "repoServer": {"replicas": replicas, "containerSecurityContext": security},
        "applicationSet": {"replicas": replicas, "containerSecurityContext": security},
        "redis-ha": {"enabled": settings.ha},
        "notifications": {"enabled": args.notifications is not None, "containerSecurityContext": security},
    }
    if settings.hostname:
        values["global"]["domain"] = settings.hostname
    if settings.ha:
        values["server"]["pdb"] = {"enabled": True, "maxUnavailable": 1}
        values["repoServer"]["pdb"] = {"enabled": True, "maxUnavailable": 1}
    note = args.notifications
    if note is not None:
        service = "slack" if note.type is NotificationType.SLACK else "webhook.platform"
        notifiers = (
            {"service.slack": "token: $slack-token"}
            if note.type is NotificationType.SLACK
            else {
                "service.webhook.platform": "url: $webhook-address\nheaders:\n- name: Content-Type\n  value: application/json\n"
            }
        )
        recipient = note.channel if note.channel else ""
        subscription = {
            "recipients": [
                f"{service.split('.')[0]}:{recipient}" if recipient else service.split(".", 1)[-1]
            ],
            "triggers": list(NOTIFICATION_TRIGGERS),
        }
        values["notifications"].update(
            {
                "secret": {"create": False, "name": note.secret},
                "notifiers": notifiers,
                "subscriptions": [subscription],
                "triggers": _notification_triggers(),
                "templates": _notification_templates(args),
            }
        )
    return values


class _BlockDumper(yaml.SafeDumper):
    """YAML with multi-line strings as literal blocks (``|``), as hand-written notification config is."""


def _block_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _block_str)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_BlockDumper, sort_keys=False, width=1000)


def _notification_triggers() -> dict[str, str]:
    """``notifications.triggers``: ``trigger.<name>`` -> the condition list (YAML), as the chart expects."""
    out: dict[str, str] = {}
    for name, (description, when, template, once_per) in NOTIFICATION_TRIGGERS.items():
        condition: dict[str, Any] = {"description": description, "when": when, "send": [template]}
        if once_per is not None:
            condition["oncePer"] = once_per
        out[f"trigger.{name}"] = _dump([condition])
    return out


def _notification_templates(args: GitOpsBootstrapArgs) -> dict[str, str]:
    """``notifications.templates``: ``template.<name>`` -> the message (YAML): a text message (Slack) or
    the JSON body POSTed to the webhook, with the environment and, when the UI has a hostname, a link."""
    note = args.notifications
    assert note is not None
    link = "{{.context.argocdUrl}}/applications/{{.app.metadata.name}}" if args.argocd.hostname else None
    out: dict[str, str] = {}
    for name, (title, text) in NOTIFICATION_TEMPLATES.items():
        message = f"[{args.environment}] {text}" + (f"\n{link}" if link else "")
        template: dict[str, Any] = {"message": message}
        if note.type is NotificationType.WEBHOOK:
            body = {
                "environment": args.environment,
                "event": name,
                "title": title,
                "application": "{{.app.metadata.name}}",
                "syncStatus": "{{.app.status.sync.status}}",
                "healthStatus": "{{.app.status.health.status}}",
                **({"url": link} if link else {}),
            }
            template["webhook"] = {"platform": {"method": "POST", "body": json.dumps(body)}}
        out[f"template.{name}"] = _dump(template)
    return out


def flux_source(args: GitOpsBootstrapArgs) -> dict[str, Any]:
    """The GitRepository ``platform`` (credentials by Secret reference)."""
    repo = args.repository
    source: dict[str, Any] = {
        "url": repo.url,
        "ref": {"branch": repo.revision},
        "interval": args.sync_interval,
        "timeout": "60s",
    }
    secret = credentials_secret_name(args)
    if secret is not None:
        source["secretRef"] = {"name": secret}
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "platform", "namespace": args.controller_namespace, "labels": _labels(args)},
        "spec": source,
    }


def flux_facts(args: GitOpsBootstrapArgs, facts: dict[str, str]) -> dict[str, Any]:
    """The ConfigMap ``platform-facts`` the platform Kustomization substitutes variables from."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "platform-facts",
            "namespace": args.controller_namespace,
            "labels": _labels(args),
        },
        "data": dict(sorted(facts.items())),
    }


def flux_kustomization(
    args: GitOpsBootstrapArgs, name: str, namespace: str, path: str, **extra: Any
) -> dict[str, Any]:
    """A Kustomization of ``path`` from the GitRepository ``platform`` (prune, wait, timeouts)."""
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels(args)},
        "spec": {
            "interval": args.sync_interval,
            "retryInterval": args.flux.retry_interval,
            "timeout": args.flux.timeout,
            "path": f"./{path}",
            "prune": args.prune,
            "wait": True,
            "force": False,
            "sourceRef": {
                "kind": "GitRepository",
                "name": "platform",
                "namespace": args.controller_namespace,
            },
            **extra,
        },
    }


def flux_team(args: GitOpsBootstrapArgs, team: str) -> dict[str, dict[str, Any]]:
    """A team's objects, keyed by child role: the ``gitops-reconciler`` ServiceAccount, its Role
    (namespaced application kinds) and RoleBinding, and the team's Kustomization impersonating it."""
    team_labels = _labels(args, **{"platform-components.io/team": team})
    return {
        f"{team}-reconciler-sa": {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": RECONCILER, "namespace": team, "labels": team_labels},
            "automountServiceAccountToken": False,
        },
        f"{team}-reconciler-role": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {
                "name": RECONCILER,
                "namespace": team,
                "labels": team_labels,
                "annotations": {
                    EXEMPT_PREFIX + "rbac-no-exec-create-pods": (
                        "the team's GitOps reconciler applies its workloads (pods through their controllers); "
                        "only Flux impersonates it, and only inside this namespace"
                    ),
                    EXEMPT_PREFIX + "rbac-no-secret-read": (
                        "server-side apply of the team's Secrets reads them back; only Flux impersonates "
                        "this account, and only inside this namespace"
                    ),
                },
            },
            "rules": [{**rule, "verbs": list(TEAM_VERBS)} for rule in TEAM_RESOURCES],
        },
        f"{team}-reconciler-binding": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": RECONCILER, "namespace": team, "labels": team_labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": RECONCILER},
            "subjects": [{"kind": "ServiceAccount", "name": RECONCILER, "namespace": team}],
        },
        f"{team}-kustomization": flux_kustomization(
            args,
            team,
            team,
            args.team_path(team),
            serviceAccountName=RECONCILER,
            targetNamespace=team,
            dependsOn=[{"name": "platform", "namespace": args.controller_namespace}],
        ),
    }


def flux_notifications(args: GitOpsBootstrapArgs) -> dict[str, dict[str, Any]]:
    """The notification Provider and Alert (failed reconciliations), keyed by child role; none
    without a notification target."""
    note = args.notifications
    if note is None:
        return {}
    namespace = args.controller_namespace
    provider: dict[str, Any] = {
        "type": "slack" if note.type is NotificationType.SLACK else "generic",
        "secretRef": {"name": note.secret},
    }
    if note.channel:
        provider["channel"] = note.channel
    return {
        "notification-provider": {
            "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
            "kind": "Provider",
            "metadata": {"name": "platform", "namespace": namespace, "labels": _labels(args)},
            "spec": provider,
        },
        "notification-alert": {
            "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
            "kind": "Alert",
            "metadata": {"name": "platform", "namespace": namespace, "labels": _labels(args)},
            "spec": {
                "providerRef": {"name": "platform"},
                "eventSeverity": "error",
                "eventSources": [
                    {"kind": "GitRepository", "name": "*"},
                    {"kind": "Kustomization", "name": "*"},
                ],
                "summary": f"{args.environment}: GitOps reconciliation failed",
            },
        },
    }


def render_flux(args: GitOpsBootstrapArgs, facts: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The Flux objects (besides the install manifest and namespace), keyed by child role, in the
    order they are registered."""
    out: dict[str, dict[str, Any]] = {}
    external = _external_secret(args)
    if external is not None:
        out["repository-credentials"] = external
    out["source"] = flux_source(args)
    out["facts"] = flux_facts(args, facts)
    out["platform"] = flux_kustomization(
        args,
        "platform",
        args.controller_namespace,
        args.platform_path,
        postBuild={"substituteFrom": [{"kind": "ConfigMap", "name": "platform-facts"}]},
    )
    for team in args.teams:
        out.update(flux_team(args, team))
    out.update(flux_notifications(args))
    return out


# --------------------------------------------------------------------------------------------------
# The component's builders (pure)

Renderer = Callable[[GitOpsBootstrapArgs, dict[str, str]], dict[str, dict[str, Any]]]
"""render_argocd or render_flux: the args and the facts in, the GitOps objects by role out."""


def bootstrap_facts(
    name: str, args: GitOpsBootstrapArgs, facts: dict[str, pulumi.Input[str]] | None
) -> dict[str, pulumi.Input[str]]:
    """The facts handed to Git: ``environment`` (the args'), then the caller's (which win); every key
    lower_snake_case."""
    out: dict[str, pulumi.Input[str]] = {"environment": args.environment, **(facts or {})}
    for key in out:
        if not _FACT_KEY.match(key):
            raise ConfigError(f"GitOpsBootstrap {name}: fact {key!r} must be lower_snake_case")
    return out


def renderer(args: GitOpsBootstrapArgs) -> Renderer:
    """The engine's renderer: :func:`render_argocd` or :func:`render_flux`."""
    return render_argocd if args.engine is GitOpsEngine.ARGOCD else render_flux


def controller_namespace_labels(args: GitOpsBootstrapArgs) -> dict[str, str]:
    """The controller namespace's labels: managed, the environment, its name, Pod Security restricted."""
    return {
        lbl.MANAGED_BY_KEY: lbl.MANAGED_BY,
        lbl.ENVIRONMENT: args.environment,
        "kubernetes.io/metadata.name": args.controller_namespace,
        **psa_labels(PodSecurityLevel.RESTRICTED, f"v{args.kubernetes_version}"),
    }


def argocd_release_args(args: GitOpsBootstrapArgs) -> dict[str, Any]:
    """The argo-cd Helm release's arguments (but its options): the pinned chart, installed atomically."""
    return {
        "name": ARGOCD_RELEASE,
        "chart": "argo-cd",
        "version": ARGOCD_CHART_VERSION,
        "repository_opts": {"repo": ARGOCD_CHART_REPOSITORY},
        "namespace": args.controller_namespace,
        "atomic": True,
        "cleanup_on_fail": True,
        "values": argocd_values(args),
    }


def argocd_route(args: GitOpsBootstrapArgs) -> dict[str, Any] | None:
    """The HTTPRoute to the Argo CD server through the shared Gateway; None without ``argocd.route``."""
    if args.argocd.route is None or args.engine is not GitOpsEngine.ARGOCD:
        return None
    return http_route(
        "argocd-server",
        args.controller_namespace,
        args.argocd.route,
        service_port=443,
        labels={lbl.MANAGED_BY_KEY: lbl.MANAGED_BY},
    )


# --------------------------------------------------------------------------------------------------
# The component


class _Installation(NamedTuple):
    """The controller's installation: the release, and everything the GitOps objects wait for."""

    release: pulumi.Resource
    done: list[pulumi.Resource]


class GitOpsBootstrap(pulumi.ComponentResource):
    """Argo CD or Flux, pointed at the platform repository (see the module docstring)."""

    if TYPE_CHECKING:  # outputs for type checkers and the docs (see SecureWorkload)
        namespace: pulumi.Output[str]
        """Namespace of the controller."""
        engine: pulumi.Output[str]
        """argocd or flux."""
        root: pulumi.Output[str]
        """Name of the root Application (Argo CD) or Kustomization (Flux)."""

    def __init__(
        self,
        name: str,
        args: GitOpsBootstrapArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        facts: dict[str, pulumi.Input[str]] | None = None,
        depends_on_teams: list[pulumi.Resource] | None = None,
    ) -> None:
        facts = bootstrap_facts(name, args, facts)
        # render once with placeholders to check every cross-field rule before any child exists
        static = renderer(args)(args, dict.fromkeys(facts, ""))
        super().__init__(TYPE_TOKEN, name, None, opts)

        if args.engine is GitOpsEngine.ARGOCD:
            installation = self._argocd_controller(name, args)
        else:
            installation = self._flux_controller(name, args)
        self._gitops_objects(name, args, static, facts, [*installation.done, *(depends_on_teams or [])])
        route = argocd_route(args)
        if route is not None:
            self._route(name, route, installation.release)

        self.namespace = pulumi.Output.from_input(args.controller_namespace)
        self.engine = pulumi.Output.from_input(args.engine.value)
        self.root = pulumi.Output.from_input("platform")
        self.register_outputs({"namespace": self.namespace, "engine": self.engine, "root": self.root})

    # -- steps: each registers one group of children --------------------------------------------------
    def _argocd_controller(self, name: str, args: GitOpsBootstrapArgs) -> _Installation:
        """The controller namespace, its NetworkPolicies and the argo-cd Helm release."""
        ns = create_object(
            f"{name}-namespace",
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": args.controller_namespace, "labels": controller_namespace_labels(args)},
            },
            pulumi.ResourceOptions(parent=self),
        )
        # before the release: its pods must reach each other from the start (atomic install)
        policies = [
            create_object(f"{name}-{role}", manifest, pulumi.ResourceOptions(parent=self, depends_on=[ns]))
            for role, manifest in {
                **namespace_network_policies(args),
                **argocd_network_policies(args),
            }.items()
        ]
        release = k8s.helm.v3.Release(
            f"{name}-controller",
            **argocd_release_args(args),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ns, *policies]),
        )
        return _Installation(release, [release])

    def _flux_controller(self, name: str, args: GitOpsBootstrapArgs) -> _Installation:
        """Flux's install manifest, the patch enforcing Pod Security on its namespace, and the
        namespace's NetworkPolicies."""
        # the release's own install manifest (what `flux install` applies) creates the namespace
        # with warn-only Pod Security labels; the patch enforces restricted on it
        release = k8s.yaml.v2.ConfigFile(
            f"{name}-controller", file=FLUX_INSTALL_URL, opts=pulumi.ResourceOptions(parent=self)
        )
        ns_patch = k8s.core.v1.NamespacePatch(
            f"{name}-namespace-labels",
            metadata={
                "name": args.controller_namespace,
                "labels": controller_namespace_labels(args),
                "annotations": {"pulumi.com/patchForce": "true"},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[release]),
        )
        for role, manifest in namespace_network_policies(args).items():
            create_object(
                f"{name}-{role}",
                manifest,
                pulumi.ResourceOptions(parent=self, depends_on=[release, ns_patch]),
            )
        return _Installation(release, [release, ns_patch])

    def _gitops_objects(
        self,
        name: str,
        args: GitOpsBootstrapArgs,
        static: dict[str, dict[str, Any]],
        facts: dict[str, pulumi.Input[str]],
        after: list[pulumi.Resource],
    ) -> None:
        """Every rendered object (``static``, by role) after ``after``; the fact-dependent parts are
        rendered again once the facts resolve."""
        render = renderer(args)
        resolved = pulumi.Output.all(**{k: pulumi.Output.from_input(v) for k, v in facts.items()})
        manifests = resolved.apply(lambda f: render(args, {k: str(v) for k, v in f.items()}))
        created: dict[str, pulumi.Resource] = {}
        for role, manifest in static.items():
            created[role] = self._create(name, role, manifest, manifests, after, created)

    def _route(self, name: str, route: dict[str, Any], release: pulumi.Resource) -> None:
        """The HTTPRoute to the Argo CD server, once the release is installed."""
        create_object(f"{name}-route", route, pulumi.ResourceOptions(parent=self, depends_on=[release]))

    def _create(
        self,
        name: str,
        role: str,
        manifest: dict[str, Any],
        rendered: pulumi.Output[dict[str, dict[str, Any]]],
        after: list[pulumi.Resource],
        created: dict[str, pulumi.Resource],
    ) -> pulumi.Resource:
        """One child; fact-dependent parts come from ``rendered`` (an Output), the rest is static."""
        depends: list[pulumi.Resource] = list(after)
        if role == "root":
            depends += [r for k, r in created.items() if k != "teams"]
        if role == "teams" or role.endswith("-kustomization"):
            depends += [created[k] for k in ("root", "platform") if k in created]
        opts = pulumi.ResourceOptions(
            parent=self,
            depends_on=depends,
            custom_timeouts=pulumi.CustomTimeouts(create="10m", update="10m", delete="10m"),
        )
        if manifest["kind"] == "Secret":
            manifest = {
                **manifest,
                "metadata": rendered.apply(lambda m: m[role]["metadata"]),
                "stringData": pulumi.Output.secret(rendered.apply(lambda m: m[role]["stringData"])),
            }
        elif manifest["kind"] == "ConfigMap":
            manifest = {**manifest, "data": rendered.apply(lambda m: m[role]["data"])}
        return create_object(f"{name}-{role}", manifest, opts)


__all__ = [
    "ArgoCdArgs",
    "CredentialsArgs",
    "FluxArgs",
    "GitOpsBootstrap",
    "GitOpsBootstrapArgs",
    "GitOpsEngine",
    "NotificationArgs",
    "NotificationType",
    "RepositoryArgs",
    "RetryArgs",
    "SsoArgs",
    "argocd_network_policies",
    "argocd_values",
    "check_repo_url",
    "namespace_network_policies",
    "render_argocd",
    "render_flux",
]
