"""GitOps: Argo CD Applications, ApplicationSets and AppProjects, Flux sources and Kustomizations.

Each rule looks at one object, as rendered (``kubernetes:<apiVersion>:<kind>``; the props are the
manifest). Field names follow the shipped CRDs (``components/platform_components/schemas/argocd``, ``components/platform_components/schemas/flux``).

* ``argocd-app-project``: an Application (``spec.project``) or an ApplicationSet's template
  (``spec.template.spec.project``) must name a dedicated AppProject, not ``default``.
* ``argocd-project-scoped``: an AppProject must not allow every namespace, every cluster, every source
  repository or every cluster-scoped resource. The platform's own project may install cluster add-ons
  only with an explicit exemption (``policy.platform-components.io/exempt.argocd-project-scoped``), which
  exempts that project from the whole rule.
* ``gitops-sync-prune-selfheal``: in staging and prod (the environment label
  :data:`platform_components.kube.labels.ENVIRONMENT` on the object's metadata) Argo CD syncs automatically with
  prune and self-heal, and a Flux Kustomization prunes and is not suspended. Objects without the label,
  or in dev and local, are not judged.
* ``gitops-repo-url``: Git repositories are reached over HTTPS or SSH (``https://``, ``ssh://`` or
  scp-like ``git@host:path``; Flux's GitRepository CRD only admits ``ssh://`` for SSH); Helm chart
  sources may also use ``oci://``.
* ``gitops-repo-credentials``: repository credentials are referenced, never written into the program:
  a Flux GitRepository with an SSH URL names ``spec.secretRef``, an Argo CD repository Secret carries
  no literal credential field (a Pulumi secret, shown as ``"[secret]"``, or a Secret filled by an
  ExternalSecret is fine), and no repository URL embeds a password.

Values an ApplicationSet fills in per generated Application (containing ``{{``) and the offline engine's
placeholders (``"[secret]"``, ``"[unknown]"``) are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from platform_components.kube.labels import ENVIRONMENT
from platform_components.policies._pod import (
    SECRET,
    as_list,
    as_map,
    dig,
    dig_map,
    is_true,
    labels,
    maps,
    show,
    text,
)
from platform_components.policies.base import Enforcement, Resource, Rule, Severity

M, A = Enforcement.MANDATORY, Enforcement.ADVISORY

# --- type tokens ---------------------------------------------------------------------------------------

ARGO_CD = "argoproj.io/v1alpha1"
APPLICATION = f"kubernetes:{ARGO_CD}:Application"
APPLICATION_SET = f"kubernetes:{ARGO_CD}:ApplicationSet"
APP_PROJECT = f"kubernetes:{ARGO_CD}:AppProject"
FLUX_GIT_REPOSITORY = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository"
FLUX_KUSTOMIZATION = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization"

# --- constants -----------------------------------------------------------------------------------------

DEFAULT_PROJECT = "default"
#: Environments where Git must win: drift is corrected and deletions in Git propagate.
ENFORCED_ENVIRONMENTS = frozenset({"staging", "prod"})
#: The label that makes a Secret an Argo CD repository (or credential template) Secret.
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
REPOSITORY_SECRET_TYPES = frozenset({"repository", "repo-creds", "repository-write", "repo-write-creds"})
#: Fields of an Argo CD repository Secret that hold a credential (Argo CD "Declarative Setup").
CREDENTIAL_FIELDS = (
    "password",
    "sshPrivateKey",
    "githubAppPrivateKey",
    "tlsClientCertKey",
    "bearerToken",
    "gcpServiceAccountKey",
)
#: The offline engine's stand-ins for a secret and for a value known only after creation.
PLACEHOLDERS = frozenset({"[secret]", "[unknown]"})

SCP_LIKE = re.compile(r"^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:(?!//)\S+$")
"""``git@github.com:acme/platform.git`` (scp-like SSH)."""
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
GLOB = re.compile(r"[*?\[]")
USERINFO_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s]*:[^/@\s]*@")
"""``https://user:token@host/...``: a password in the URL itself."""


# --- helpers -------------------------------------------------------------------------------------------


def is_templated(value: Any) -> bool:
    """A value an ApplicationSet fills in per generated Application (``{{.team}}``)."""
    return isinstance(value, str) and "{{" in value


def _skipped(value: Any) -> bool:
    """Not judged: templated values and the engine's placeholders."""
    return is_templated(value) or (isinstance(value, str) and value.strip() in PLACEHOLDERS)


def environment(resource: Resource) -> str:
    """The environment label of ``resource`` (``""`` when unset); an ApplicationSet without one falls
    back to its template's labels."""
    found = text(labels(resource.metadata.get("labels")).get(ENVIRONMENT)).strip().lower()
    if not found and resource.type == APPLICATION_SET:
        templated = text(
            labels(dig(resource.props, "spec", "template", "metadata", "labels")).get(ENVIRONMENT)
        )
        found = "" if is_templated(templated) else templated.strip().lower()
    return found


def _patched(resource: Resource, key: str) -> bool:
    """Whether an ApplicationSet's ``spec.templatePatch`` may set ``key`` (then the template is not judged)."""
    patch = dig(resource.props, "spec", "templatePatch")
    return isinstance(patch, str) and key in patch


def _app_spec(resource: Resource) -> tuple[Mapping[str, Any], str]:
    """The Application spec and its path: ``spec`` or, for an ApplicationSet, ``spec.template.spec``."""
    if resource.type == APPLICATION_SET:
        return dig_map(resource.props, "spec", "template", "spec"), "spec.template.spec"
    return dig_map(resource.props, "spec"), "spec"


def _source_repos(resource: Resource) -> list[Any]:
    """An AppProject's ``spec.sourceRepos`` (a list; a bare string counts as one entry)."""
    repos = dig(resource.props, "spec", "sourceRepos")
    return [repos] if isinstance(repos, str) else as_list(repos)


def is_ssh(url: str) -> bool:
    return url.startswith("ssh://") or bool(SCP_LIKE.match(url))


def url_problem(url: str, *, chart: bool = False, flux: bool = False) -> str | None:
    """Why ``url`` is not an HTTPS or SSH repository URL (``oci://`` too for a Helm chart), or ``None``.

    The URL itself is never part of the answer (it may embed a credential).
    """
    value = url.strip()
    if value.startswith("https://") and len(value) > len("https://"):
        return None
    if value.startswith("ssh://") and len(value) > len("ssh://"):
        return None
    if chart and value.startswith("oci://") and len(value) > len("oci://"):
        return None
    if SCP_LIKE.match(value):
        if flux:
            return "is an scp-like SSH address, which Flux does not accept (write it as ssh://git@host/path)"
        return None
    match = SCHEME.match(value)
    if match is None:
        return "has no https:// or ssh:// scheme"
    scheme = match.group(1).lower()
    if scheme in ("https", "ssh", "oci") and value == match.group(0):
        return f"is {scheme}:// without a host"
    why = {
        "http": "which is unencrypted and unauthenticated",
        "git": "which is unencrypted and unauthenticated",
        "file": "which reads from the controller's own filesystem",
        "oci": "which only a Helm chart source may use",
    }.get(scheme, "which is neither HTTPS nor SSH")
    return f"uses {scheme}://, {why}"


def _source_urls(spec: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any, bool]]:
    """``(field path, repoURL, is a Helm chart)`` of an Application spec's sources."""
    source = spec.get("source")
    if isinstance(source, Mapping) and "repoURL" in source:
        yield f"{path}.source.repoURL", source.get("repoURL"), "chart" in source
    for index, item in maps(spec.get("sources")):
        if "repoURL" in item:
            yield f"{path}.sources[{index}].repoURL", item.get("repoURL"), "chart" in item
    for part in ("drySource", "syncSource"):
        hydrator = dig_map(spec, "sourceHydrator", part)
        if "repoURL" in hydrator:
            yield f"{path}.sourceHydrator.{part}.repoURL", hydrator.get("repoURL"), False


def _generator_urls(generators: Any, path: str, depth: int = 0) -> Iterator[tuple[str, Any, bool]]:
    """``(field path, repoURL, False)`` of Git generators, also inside matrix and merge generators."""
    if depth > 3:  # Argo CD nests matrix/merge at most two levels deep
        return
    for index, generator in maps(generators):
        here = f"{path}[{index}]"
        git = as_map(generator.get("git"))
        if "repoURL" in git:
            yield f"{here}.git.repoURL", git.get("repoURL"), False
        for combinator in ("matrix", "merge"):
            nested = dig(generator, combinator, "generators")
            yield from _generator_urls(nested, f"{here}.{combinator}.generators", depth + 1)


def repository_urls(resource: Resource) -> Iterator[tuple[str, Any, bool]]:
    """Every repository URL of an Application, ApplicationSet or Flux GitRepository, with its field path
    and whether it is a Helm chart source."""
    if resource.type in (APPLICATION, APPLICATION_SET):
        spec, path = _app_spec(resource)
        yield from _source_urls(spec, path)
        if resource.type == APPLICATION_SET:
            yield from _generator_urls(dig(resource.props, "spec", "generators"), "spec.generators")
    elif resource.type == FLUX_GIT_REPOSITORY:
        spec = dig_map(resource.props, "spec")
        if "url" in spec:
            yield "spec.url", spec.get("url"), False


# --- argocd-app-project --------------------------------------------------------------------------------


def _app_project(resource: Resource) -> Iterator[str]:
    spec, path = _app_spec(resource)
    field = f"{path}.project"
    project = spec.get("project")
    if resource.type == APPLICATION_SET and project is None and _patched(resource, "project"):
        return
    if _skipped(project) or (project is not None and not isinstance(project, str)):
        return
    value = (project or "").strip()
    if value and value != DEFAULT_PROJECT:
        return
    state = f'is "{DEFAULT_PROJECT}"' if value else f'is not set (Argo CD then uses "{DEFAULT_PROJECT}")'
    yield (
        f"{field} {state}; the default project allows every source repository, destination and "
        "cluster-scoped resource, so assign a dedicated AppProject that restricts them"
    )


# --- argocd-project-scoped -----------------------------------------------------------------------------


def _project_scoped(resource: Resource) -> Iterator[str]:
    spec = dig_map(resource.props, "spec")
    for index, destination in maps(spec.get("destinations")):
        where = f"spec.destinations[{index}]"
        if destination.get("namespace") == "*":
            yield (
                f'{where}.namespace is "*", so the project deploys into every namespace (kube-system '
                "included); list the namespaces it may use"
            )
        for key in ("server", "name"):
            if destination.get(key) == "*":
                yield f'{where}.{key} is "*", so the project deploys to every cluster; name the cluster'
    for index, entry in maps(spec.get("clusterResourceWhitelist")):
        name = entry.get("name")
        if entry.get("group") == "*" and entry.get("kind") == "*" and name in (None, "", "*"):
            yield (
                f'spec.clusterResourceWhitelist[{index}] (group "*", kind "*") allows every cluster-scoped '
                "resource (ClusterRoles, CRDs, webhooks); whitelist only the kinds the project needs, or "
                "exempt the platform's own project with a reason"
            )
    for index, repo in enumerate(_source_repos(resource)):
        if isinstance(repo, str) and repo.strip() == "*":
            yield (
                f'spec.sourceRepos[{index}] is "*", so applications of the project may deploy from any '
                "repository; list the repositories (a glob such as https://github.com/acme/* is fine)"
            )


# --- gitops-sync-prune-selfheal ------------------------------------------------------------------------


def _argo_sync(resource: Resource, env: str) -> Iterator[str]:
    spec, path = _app_spec(resource)
    if resource.type == APPLICATION_SET and "syncPolicy" not in spec and _patched(resource, "syncPolicy"):
        return
    sync = f"{path}.syncPolicy"
    fix = f"set {sync}.automated with prune: true and selfHeal: true"
    automated = dig(spec, "syncPolicy", "automated")
    if not isinstance(automated, Mapping):
        yield f"{sync}.automated is not set in {env}, so Git changes wait for a manual sync; {fix}"
        return
    enabled = automated.get("enabled")
    if enabled is not None and not is_true(enabled) and not _skipped(enabled):
        yield f"{sync}.automated.enabled is {show(enabled)} in {env}, which turns automated sync off; {fix}"
    for key, why in (
        ("prune", "objects deleted from Git stay in the cluster"),
        ("selfHeal", "changes made in the cluster are not reverted to Git"),
    ):
        value = automated.get(key)
        if not is_true(value) and not _skipped(value):
            state = "not set" if value is None else show(value)
            yield f"{sync}.automated.{key} is {state} in {env}, so {why}; set it to true"


def _flux_sync(resource: Resource, env: str) -> Iterator[str]:
    spec = dig_map(resource.props, "spec")
    prune = spec.get("prune")
    if not is_true(prune) and not _skipped(prune):
        state = "not set" if prune is None else show(prune)
        yield (
            f"spec.prune is {state} in {env}, so objects deleted from Git stay in the cluster; set it to true"
        )
    if is_true(spec.get("suspend")):
        yield f"spec.suspend is true in {env}, so Git is no longer applied; resume it (remove spec.suspend)"


def _sync_prune_selfheal(resource: Resource) -> Iterator[str]:
    env = environment(resource)
    if env not in ENFORCED_ENVIRONMENTS:
        return
    if resource.type == FLUX_KUSTOMIZATION:
        yield from _flux_sync(resource, env)
    else:
        yield from _argo_sync(resource, env)


# --- gitops-repo-url -----------------------------------------------------------------------------------


def _repo_url(resource: Resource) -> Iterator[str]:
    flux = resource.type == FLUX_GIT_REPOSITORY
    for path, url, chart in repository_urls(resource):
        if not isinstance(url, str) or _skipped(url) or not url.strip():
            continue
        problem = url_problem(url, chart=chart, flux=flux)
        if problem is not None:
            accepted = "https:// or ssh://" if flux else "https://, ssh:// or git@host:path"
            if chart:
                accepted += " (oci:// for a Helm chart)"
            yield f"{path} {problem}; use an {accepted} URL"
    if resource.type == APP_PROJECT:
        for index, repo in enumerate(_source_repos(resource)):
            if not isinstance(repo, str) or _skipped(repo) or not repo.strip() or repo.startswith("!"):
                continue
            if GLOB.search(repo) and SCHEME.match(repo) is None:
                continue  # a pattern without a scheme ("*", "*/acme/*") says nothing about the transport
            problem = url_problem(repo, chart=True)  # project repositories may be Helm (OCI) registries
            if problem is not None:
                yield (
                    f"spec.sourceRepos[{index}] {problem}; allow https://, ssh://, git@host:path or oci:// "
                    "repositories only"
                )


# --- gitops-repo-credentials ---------------------------------------------------------------------------


def _password_in_url(path: str, url: Any) -> Iterator[str]:
    if isinstance(url, str) and USERINFO_PASSWORD.match(url.strip()):
        yield (
            f"{path} embeds a password in the URL (value not shown); remove it and reference a credential "
            "Secret instead"
        )


def _repository_secret(resource: Resource) -> Iterator[str]:
    secret_type = text(labels(resource.metadata.get("labels")).get(SECRET_TYPE_LABEL))
    if secret_type not in REPOSITORY_SECRET_TYPES:
        return
    if not resource.secrets_masked:
        return  # CrossGuard: a Pulumi secret arrives as plaintext, indistinguishable from a literal
    for section in ("stringData", "data"):
        values = as_map(resource.props.get(section))
        for key in CREDENTIAL_FIELDS:
            value = values.get(key)
            if value is None or (isinstance(value, str) and value.strip() in PLACEHOLDERS | {""}):
                continue
            yield (
                f'{section}["{key}"] of this Argo CD {secret_type} Secret is a literal credential (value not '
                "shown); make it a Pulumi secret or, better, let an ExternalSecret fill the Secret from the "
                "secret store"
            )
    yield from _password_in_url('stringData["url"]', as_map(resource.props.get("stringData")).get("url"))


def _repo_credentials(resource: Resource) -> Iterator[str]:
    if resource.type == SECRET:
        yield from _repository_secret(resource)
        return
    if resource.type == FLUX_GIT_REPOSITORY:
        url = dig(resource.props, "spec", "url")
        name = dig(resource.props, "spec", "secretRef", "name")
        ssh = isinstance(url, str) and not _skipped(url) and is_ssh(url.strip())
        if ssh and not (isinstance(name, str) and name.strip()):
            yield (
                "spec.url is an SSH URL but spec.secretRef.name is not set, so Flux has no key to "
                "authenticate with; reference a Secret (identity, known_hosts) filled by an ExternalSecret"
            )
    for path, url, _ in repository_urls(resource):
        yield from _password_in_url(path, url)
    if resource.type == APP_PROJECT:
        for index, repo in enumerate(_source_repos(resource)):
            yield from _password_in_url(f"spec.sourceRepos[{index}]", repo)


RULES: tuple[Rule, ...] = (
    Rule(
        "argocd-app-project",
        "An Argo CD Application (or ApplicationSet template) must belong to a dedicated AppProject: the "
        "default project allows every source repository, every destination and every cluster-scoped "
        "resource (Argo CD docs 'Projects': 'The default project ... permits deployments from any source "
        "repo, to any cluster'; Argo CD security considerations).",
        Severity.MEDIUM,
        M,
        frozenset({APPLICATION, APPLICATION_SET}),
        _app_project,
    ),
    Rule(
        "argocd-project-scoped",
        "An AppProject is a tenancy boundary: wildcard destinations, a wildcard source repository or a "
        "clusterResourceWhitelist of group * kind * let its applications deploy anything anywhere, "
        "ClusterRoles included (Argo CD docs 'Projects', 'RBAC'). The platform's own project may install "
        "cluster add-ons only with an explicit exemption that states why.",
        Severity.HIGH,
        M,
        frozenset({APP_PROJECT}),
        _project_scoped,
    ),
    Rule(
        "gitops-sync-prune-selfheal",
        "In staging and prod, Git must win: Argo CD syncs automatically with prune and selfHeal (Argo CD "
        "docs 'Automated Sync Policy': without them deletions in Git are not applied and cluster drift is "
        "not reverted), and a Flux Kustomization prunes and is not suspended (Flux docs 'Kustomization': "
        "spec.prune garbage-collects removed objects; spec.suspend stops reconciliation).",
        Severity.MEDIUM,
        M,
        frozenset({APPLICATION, APPLICATION_SET, FLUX_KUSTOMIZATION}),
        _sync_prune_selfheal,
    ),
    Rule(
        "gitops-repo-url",
        "The repository a cluster is reconciled from must be reached over an authenticated, encrypted "
        "transport (HTTPS or SSH; oci:// for Helm charts): http:// and git:// can be tampered with in "
        "transit, which hands the cluster to whoever sits on the path (Argo CD docs 'Private Repositories'; "
        "Flux docs 'GitRepository' spec.url: HTTP/S or SSH).",
        Severity.HIGH,
        M,
        frozenset({APPLICATION, APPLICATION_SET, APP_PROJECT, FLUX_GIT_REPOSITORY}),
        _repo_url,
    ),
    Rule(
        "gitops-repo-credentials",
        "Repository credentials are referenced, never written into the program: a Flux GitRepository with "
        "an SSH URL names spec.secretRef (Flux docs 'GitRepository' Secret reference), an Argo CD repository "
        "Secret carries no literal password or key (Argo CD docs 'Declarative Setup' repositories; fill it "
        "from a secret store with an ExternalSecret), and no URL embeds a password. Under CrossGuard a "
        "Pulumi secret arrives as plaintext, so repository Secret values are judged by the offline engine.",
        Severity.HIGH,
        M,
        frozenset({FLUX_GIT_REPOSITORY, SECRET, APPLICATION, APPLICATION_SET, APP_PROJECT}),
        _repo_credentials,
    ),
)

__all__ = [
    "APPLICATION",
    "APPLICATION_SET",
    "APP_PROJECT",
    "FLUX_GIT_REPOSITORY",
    "FLUX_KUSTOMIZATION",
    "RULES",
    "environment",
    "is_templated",
    "repository_urls",
    "url_problem",
]
