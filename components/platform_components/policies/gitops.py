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
from collections.abc import Callable, Iterator, Mapping
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
from platform_components.policies.base import CelCheck, Enforcement, Resource, Rule, Severity

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

SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""The characters Python's ``\\s`` matches (``str.isspace``), as the inside of a character class: the
patterns below spell them out so that RE2 (the CEL forms' ``matches``) matches what Python does."""
SCP_LIKE = re.compile(rf"^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:(?:/?[^/{SPACE}][^{SPACE}]*|/)$")
"""``git@github.com:acme/platform.git`` (scp-like SSH): a path that does not start with ``//``."""
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
GLOB = re.compile(r"[*?\[]")
USERINFO_PASSWORD = re.compile(rf"^[A-Za-z][A-Za-z0-9+.-]*://[^/@{SPACE}]*:[^/@{SPACE}]*@")
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


GENERATOR_NESTING = 3
"""How deep matrix and merge generators are followed (Argo CD nests them at most two levels deep)."""


def _generator_urls(generators: Any, path: str, depth: int = 0) -> Iterator[tuple[str, Any, bool]]:
    """``(field path, repoURL, False)`` of Git generators, also inside matrix and merge generators."""
    if depth > GENERATOR_NESTING:
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


# --- CEL forms: the admitted object's own fields --------------------------------------------------------
#
# The same decisions as the checks above, on the object the API server admits. Strings are stripped
# with CEL's trim(), which (like Go's strings.TrimSpace) keeps the ASCII separators \x1c-\x1f that
# Python's strip() removes; the patterns spell out Python's \s (SPACE), so RE2 matches as Python does.

UrlCheck = Callable[[str, str], str]
"""``(CEL string expression of a URL, CEL boolean: it is a Helm chart source) -> CEL boolean``."""

APP_SPEC = "object.spec"
APP_SET_SPEC = "object.spec.template.spec"
_HAS_APP_SET_SPEC = "has(object.spec) && has(object.spec.template) && has(object.spec.template.spec)"


def _cel_skipped(value: str) -> str:
    """CEL of :func:`_skipped` for a string ``value``."""
    return f"({value}.contains('{{{{') || {value}.trim() in {sorted(PLACEHOLDERS)!r})"


def _cel_url_ok(value: str, chart: str, *, flux: bool = False) -> str:
    """CEL: :func:`url_problem` finds nothing wrong with ``value`` (``chart``: a CEL boolean or ``"false"``)."""
    v = f"{value}.trim()"
    ok = [
        f"({v}.startsWith('https://') && size({v}) > {len('https://')})",
        f"({v}.startsWith('ssh://') && size({v}) > {len('ssh://')})",
    ]
    if chart != "false":
        ok.append(f"({chart} && {v}.startsWith('oci://') && size({v}) > {len('oci://')})")
    if not flux:
        ok.append(f"{v}.matches({SCP_LIKE.pattern!r})")
    return "(" + " || ".join(ok) + ")"


def _cel_repo_url_ok(value: str, chart: str, *, flux: bool = False) -> str:
    """CEL of one URL of :func:`_repo_url`: not judged (templated, a placeholder, blank) or fine."""
    return f"({_cel_skipped(value)} || {value}.trim() == '' || {_cel_url_ok(value, chart, flux=flux)})"


def _cel_no_password(value: str, chart: str = "false") -> str:
    """CEL of :func:`_password_in_url`: no password in the URL ``value``."""
    return f"!{value}.trim().matches({USERINFO_PASSWORD.pattern!r})"


def _cel_source_urls(spec: str, check: UrlCheck) -> str:
    """CEL: ``check`` holds for every repository URL of the Application spec ``spec`` (:func:`_source_urls`)."""
    source, hydrator = f"{spec}.source", f"{spec}.sourceHydrator"
    parts = [
        f"(!has({source}) || !has({source}.repoURL) || {check(f'{source}.repoURL', f'has({source}.chart)')})",
        f"(!has({spec}.sources) || {spec}.sources.all(s, !has(s.repoURL) || {check('s.repoURL', 'has(s.chart)')}))",
    ]
    for part in ("drySource", "syncSource"):
        url = f"{hydrator}.{part}.repoURL"
        parts.append(f"(!has({hydrator}) || !has({hydrator}.{part}) || !has({url}) || {check(url, 'false')})")
    return "(" + " && ".join(parts) + ")"


def _cel_generator_urls(generators: str, check: UrlCheck, depth: int = 0) -> str:
    """CEL: ``check`` holds for every Git generator's URL of the list ``generators`` (:func:`_generator_urls`).

    The CRD types the items of ``spec.generators`` and of their matrix and merge generators; the
    combinators of those nested items are ``x-kubernetes-preserve-unknown-fields`` (no type for CEL),
    so they are reached through ``dyn()``."""
    var = f"g{depth}"
    parts = [f"(!has({var}.git) || !has({var}.git.repoURL) || {check(f'{var}.git.repoURL', 'false')})"]
    if depth < GENERATOR_NESTING:
        node = var if depth == 0 else f"dyn({var})"
        for combinator in ("matrix", "merge"):
            nested = _cel_generator_urls(f"{node}.{combinator}.generators", check, depth + 1)
            parts.append(f"(!has({node}.{combinator}) || !has({node}.{combinator}.generators) || {nested})")
    return f"{generators}.all({var}, {' && '.join(parts)})"


def _cel_urls(kind: str, check: UrlCheck) -> tuple[str, ...]:
    """CEL: ``check`` holds for every URL :func:`repository_urls` yields for an object of ``kind`` (an
    ApplicationSet: one expression for its template, one for its generators)."""
    if kind == APPLICATION:
        return (f"!has({APP_SPEC}) || {_cel_source_urls(APP_SPEC, check)}",)
    return (
        f"!({_HAS_APP_SET_SPEC}) || {_cel_source_urls(APP_SET_SPEC, check)}",
        "!has(object.spec) || !has(object.spec.generators) || "
        + _cel_generator_urls("object.spec.generators", check),
    )


def _cel_project_repos(condition: str) -> str:
    """CEL: every entry ``r`` of an AppProject's ``spec.sourceRepos`` satisfies ``condition``."""
    return (
        f"!has(object.spec) || !has(object.spec.sourceRepos) || object.spec.sourceRepos.all(r, {condition})"
    )


def _cel_patched(key: str) -> str:
    """CEL of :func:`_patched`."""
    return (
        f"(has(object.spec) && has(object.spec.templatePatch) && object.spec.templatePatch.contains({key!r}))"
    )


def _cel_project_ok(project: str) -> str:
    """CEL of :func:`_app_project` for a set ``project``: templated, a placeholder or a dedicated project."""
    v = f"{project}.trim()"
    return (
        f"({project}.contains('{{{{') || {v} in {sorted(PLACEHOLDERS)!r} || "
        f"({v} != '' && {v} != {DEFAULT_PROJECT!r}))"
    )


def _cel_environment(application_set: bool) -> str:
    """CEL of :func:`environment`."""
    own = (
        f"(has(object.metadata.labels) && {ENVIRONMENT!r} in object.metadata.labels ? "
        f"object.metadata.labels[{ENVIRONMENT!r}].trim().lowerAscii() : '')"
    )
    if not application_set:
        return own
    labels_ = "object.spec.template.metadata.labels"
    value = f"{labels_}[{ENVIRONMENT!r}]"
    templated = (
        f"(has(object.spec) && has(object.spec.template) && has(object.spec.template.metadata) && "
        f"has({labels_}) && {ENVIRONMENT!r} in {labels_} && !{value}.contains('{{{{') ? "
        f"{value}.trim().lowerAscii() : '')"
    )
    return f"({own} != '' ? {own} : {templated})"


def _cel_enforced(application_set: bool = False) -> str:
    return f"{_cel_environment(application_set)} in {sorted(ENFORCED_ENVIRONMENTS)!r}"


def _cel_argo_synced(spec: str) -> str:
    """CEL of :func:`_argo_sync` finding nothing: automated sync with prune and selfHeal, not disabled."""
    automated = f"{spec}.syncPolicy.automated"
    return (
        f"(has({spec}.syncPolicy) && has({automated}) && "
        f"(!has({automated}.enabled) || {automated}.enabled == true) && "
        f"has({automated}.prune) && {automated}.prune == true && "
        f"has({automated}.selfHeal) && {automated}.selfHeal == true)"
    )


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
        cel=(
            CelCheck(
                (
                    f"has(object.spec) && has(object.spec.project) && {_cel_project_ok('object.spec.project')}",
                ),
                f'spec.project must name a dedicated AppProject, not "{DEFAULT_PROJECT}"',
                types=frozenset({APPLICATION}),
            ),
            CelCheck(
                (
                    f"{_HAS_APP_SET_SPEC} && has({APP_SET_SPEC}.project) ? "
                    f"{_cel_project_ok(f'{APP_SET_SPEC}.project')} : {_cel_patched('project')}",
                ),
                f'spec.template.spec.project must name a dedicated AppProject, not "{DEFAULT_PROJECT}"',
                types=frozenset({APPLICATION_SET}),
            ),
        ),
        fix="Set the Application's `spec.project` (an ApplicationSet's `spec.template.spec.project`) to a "
        "dedicated AppProject, not `default` (GitOpsBootstrap creates one per team).",
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
        cel=(
            CelCheck(
                (
                    "!has(object.spec) || !has(object.spec.destinations) || object.spec.destinations.all(d, "
                    + " && ".join(
                        f"!(has(d.{key}) && d.{key} == '*')" for key in ("namespace", "server", "name")
                    )
                    + ")",
                    "!has(object.spec) || !has(object.spec.clusterResourceWhitelist) || "
                    "object.spec.clusterResourceWhitelist.all(e, !(has(e.group) && e.group == '*' && "
                    "has(e.kind) && e.kind == '*' && (!has(e.name) || e.name in ['', '*'])))",
                    _cel_project_repos("r.trim() != '*'"),
                ),
                'spec.destinations, spec.sourceRepos and spec.clusterResourceWhitelist must not be "*" (every '
                "namespace, cluster, repository or cluster-scoped resource); list what the project needs",
            ),
        ),
        fix="List the namespaces and clusters in the AppProject's `spec.destinations`, the repositories in "
        "`spec.sourceRepos` and only the needed kinds in `spec.clusterResourceWhitelist`; the platform's "
        "own add-on project keeps its wildcard with an exemption stating why.",
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
        cel=(
            CelCheck(
                (f"!({_cel_enforced()}) || (has(object.spec) && {_cel_argo_synced(APP_SPEC)})",),
                "in staging and prod, spec.syncPolicy.automated must be on with prune: true and selfHeal: true",
                types=frozenset({APPLICATION}),
            ),
            CelCheck(
                (
                    f"!({_cel_enforced(application_set=True)}) || "
                    f"(!({_HAS_APP_SET_SPEC} && has({APP_SET_SPEC}.syncPolicy)) && {_cel_patched('syncPolicy')}) || "
                    f"({_HAS_APP_SET_SPEC} && {_cel_argo_synced(APP_SET_SPEC)})",
                ),
                "in staging and prod, spec.template.spec.syncPolicy.automated must be on with prune: true and "
                "selfHeal: true",
                types=frozenset({APPLICATION_SET}),
            ),
            CelCheck(
                (
                    f"!({_cel_enforced()}) || (has(object.spec) && has(object.spec.prune) && "
                    "object.spec.prune == true && !(has(object.spec.suspend) && object.spec.suspend == true))",
                ),
                "in staging and prod, spec.prune must be true and spec.suspend not true",
                types=frozenset({FLUX_KUSTOMIZATION}),
            ),
        ),
        fix="In staging and prod, set `syncPolicy.automated` with `prune: true` and `selfHeal: true` on "
        "Argo CD Applications, and `spec.prune: true` without `spec.suspend` on Flux Kustomizations "
        "(GitOpsBootstrap: `prune`, `self_heal`).",
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
        cel=(
            CelCheck(
                _cel_urls(APPLICATION, _cel_repo_url_ok),
                "every repoURL must be https://, ssh:// or git@host:path (oci:// for a Helm chart)",
                types=frozenset({APPLICATION}),
            ),
            CelCheck(
                _cel_urls(APPLICATION_SET, _cel_repo_url_ok),
                "every repoURL (template and Git generators) must be https://, ssh:// or git@host:path (oci:// "
                "for a Helm chart)",
                types=frozenset({APPLICATION_SET}),
            ),
            CelCheck(
                (
                    _cel_project_repos(
                        f"{_cel_skipped('r')} || r.trim() == '' || r.startsWith('!') || "
                        f"(r.matches({GLOB.pattern!r}) && !r.matches({SCHEME.pattern!r})) || "
                        f"{_cel_url_ok('r', 'true')}"
                    ),
                ),
                "spec.sourceRepos may allow https://, ssh://, git@host:path or oci:// repositories only",
                types=frozenset({APP_PROJECT}),
            ),
            CelCheck(
                (
                    "!has(object.spec) || !has(object.spec.url) || "
                    + _cel_repo_url_ok("object.spec.url", "false", flux=True),
                ),
                "spec.url must be https:// or ssh://",
                types=frozenset({FLUX_GIT_REPOSITORY}),
            ),
        ),
        fix="Use an `https://` or `ssh://` URL (Argo CD also `git@host:path`, Helm charts `oci://`) in "
        "`repoURL`, `spec.url` and `spec.sourceRepos` (GitOpsBootstrap: `repository.url`).",
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
        # The repository Secrets are judged at preview time only: in the cluster every Secret holds its
        # real values (an ExternalSecret's too), and only a preview tells a Pulumi secret ("[secret]")
        # from a literal.
        cel=(
            CelCheck(
                (
                    "!has(object.spec) || !has(object.spec.url) || "
                    f"!(!{_cel_skipped('object.spec.url')} && (object.spec.url.trim().startsWith('ssh://') || "
                    f"object.spec.url.trim().matches({SCP_LIKE.pattern!r}))) || "
                    "(has(object.spec.secretRef) && has(object.spec.secretRef.name) && "
                    "object.spec.secretRef.name.trim() != '')",
                    "!has(object.spec) || !has(object.spec.url) || " + _cel_no_password("object.spec.url"),
                ),
                "an SSH spec.url needs spec.secretRef.name, and no URL may embed a password",
                types=frozenset({FLUX_GIT_REPOSITORY}),
            ),
            CelCheck(
                _cel_urls(APPLICATION, _cel_no_password),
                "no repoURL may embed a password; reference a credential Secret",
                types=frozenset({APPLICATION}),
            ),
            CelCheck(
                _cel_urls(APPLICATION_SET, _cel_no_password),
                "no repoURL may embed a password; reference a credential Secret",
                types=frozenset({APPLICATION_SET}),
            ),
            CelCheck(
                (_cel_project_repos(_cel_no_password("r")),),
                "no spec.sourceRepos entry may embed a password; reference a credential Secret",
                types=frozenset({APP_PROJECT}),
            ),
        ),
        fix="Reference credentials instead of writing them: give a Flux SSH `spec.url` a `spec.secretRef`, "
        "fill Argo CD repository Secrets from an ExternalSecret, and take passwords out of URLs "
        "(GitOpsBootstrap: `repository.credentials`).",
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
