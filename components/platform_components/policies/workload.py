"""Workload hardening beyond PSS: service accounts, secrets, images, resources, probes, metadata.

Rules from policy-anchors §1C-§1F and ``ns-not-default`` from §1G. Each looks at one object.

Two rules protect the data of StatefulSets with ``spec.volumeClaimTemplates`` (databases; project
issue): ``sts-pvc-retention`` keeps the claims when the StatefulSet is deleted or scaled down, and
``db-do-not-disrupt`` keeps Karpenter from voluntarily disrupting their nodes. A StatefulSet without
claim templates is judged by neither (that every such StatefulSet has a PodDisruptionBudget is the stack
rule ``sts-pvc-pdb``).

Deliberately **not** implemented (project decision):

* ``img-digest``: the library cannot know digests of user images; a pinned tag plus ECR
  ``IMMUTABLE`` tags is the accepted substitute (anchors §3, CKV_K8S_43).
* ``res-no-cpu-limit``: contested; we neither require nor forbid CPU limits in the pack.
* ``res-ephemeral-storage``: kube-score only; too noisy for the value it adds.
* ``res-mem-request-eq-limit``: a sizing recommendation, not a policy.

Ephemeral containers cannot set resources, probes or ports (the API rejects them), so the resource
rules visit ``initContainers`` and ``containers`` only; the security rules visit all of ``C*``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from platform_components.policies._pod import (
    CONFIG_MAP,
    CRONJOB,
    DEPLOYMENT,
    HPA,
    INGRESS,
    LIMIT_RANGE,
    NETWORK_POLICY,
    PDB,
    POD,
    PVC,
    RESOURCE_QUOTA,
    ROLE,
    ROLE_BINDING,
    SECRET,
    SELECTOR_TYPES,
    SERVICE,
    SERVICE_ACCOUNT,
    SERVING_TYPES,
    STATEFULSET,
    WORKLOAD_TYPES,
    Container,
    PodView,
    as_int,
    as_map,
    borrows_template,
    dig,
    is_false,
    is_set,
    keeps_data,
    labels,
    maps,
    one_of,
    pod_view,
    selector_is_empty,
    selector_matches,
    show,
    text,
)
from platform_components.policies.base import CelCheck, Enforcement, Resource, ResourceCheck, Rule, Severity
from platform_components.policies.pss import PROBE_FIELDS, PodCheck, on_pod

M, A = Enforcement.MANDATORY, Enforcement.ADVISORY

#: Names of env vars / ConfigMap keys that look like they hold a credential (``pgpass``: a libpq
#: password file's content; ``PGPASSFILE`` only names such a file). RE2 syntax (no lookahead:
#: ``pgpass`` not followed by ``file`` is spelled out), so that the CEL form uses the same pattern.
SENSITIVE_NAME = re.compile(
    r"passw(?:or)?d|pgpass(?:$|[^f]|f(?:$|[^i]|i(?:$|[^l]|l(?:$|[^e]))))|secret|token|bearer|credential"
    r"|api[_-]?key|private[_-]?key|access[_-]?key"
    r"|^AWS_SECRET_ACCESS_KEY$|^AZURE_.+KEY$|^GOOGLE_APPLICATION_CREDENTIALS_JSON$",
    re.IGNORECASE,
)
#: ...unless the name says the value is a reference to a file or directory (``POSTGRES_PASSWORD_FILE``).
REFERENCE_SUFFIX = re.compile(r"[_.-](?:file|path|dir|filename|location|ref|name)$", re.IGNORECASE)

#: Karpenter does not voluntarily disrupt (consolidate, drift) a node running a pod with this annotation
#: set to ``"true"``; expiration, repair and forceful termination still happen.
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
#: ``spec.persistentVolumeClaimRetentionPolicy`` fields and the operation each one governs.
RETENTION_FIELDS = (("whenDeleted", "deleting the StatefulSet"), ("whenScaled", "scaling it down"))

RECOMMENDED_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/part-of",
)

#: Every namespaced kind the pack knows of.
NAMESPACED_TYPES: frozenset[str] = WORKLOAD_TYPES | {
    SERVICE,
    SERVICE_ACCOUNT,
    CONFIG_MAP,
    SECRET,
    PVC,
    RESOURCE_QUOTA,
    LIMIT_RANGE,
    NETWORK_POLICY,
    INGRESS,
    PDB,
    HPA,
    ROLE,
    ROLE_BINDING,
}

DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
#: RE2 for CEL ``matches`` on a trimmed image, as :func:`image_problem`: pinned by a well-formed digest
#: (after the first ``@``) ...
IMAGE_DIGEST_RE2 = "^[^@]*@" + DIGEST.pattern.removeprefix("^")
#: ... or, without a digest (a trailing ``@`` has an empty one), by a non-empty tag after the last colon
#: of the last path segment ...
IMAGE_TAG_RE2 = "^[^@]*:[^:/@]+@?$"
#: ... that is not ``latest``.
IMAGE_LATEST_RE2 = ":latest@?$"

#: The probe handlers with a port, and the restart policies a Job's pods may have.
PORT_PROBE_ACTIONS = ("httpGet", "tcpSocket", "grpc")
JOB_RESTART_POLICIES = ("OnFailure", "Never")


def is_sensitive_name(name: str) -> bool:
    return bool(SENSITIVE_NAME.search(name)) and not REFERENCE_SUFFIX.search(name)


def cel_sensitive_name(name: str) -> str:
    """CEL: the string ``name`` (an expression) is a sensitive name, as :func:`is_sensitive_name`."""
    sensitive, reference = (f"(?i){regex.pattern}" for regex in (SENSITIVE_NAME, REFERENCE_SUFFIX))
    return f"({name}.matches({sensitive!r}) && !{name}.matches({reference!r}))"


def image_problem(image: object) -> str | None:
    """Why ``image`` is not pinned, or ``None``: a tag other than ``latest``, or a digest, is required.

    ``host:5000/app`` has no tag (the colon belongs to the registry); ``app:1.2@sha256:...`` is pinned by
    its digest.
    """
    if not isinstance(image, str) or not image.strip():
        return "is not set"
    name, _, digest = image.strip().partition("@")
    if digest:
        return None if DIGEST.match(digest) else "has a malformed digest"
    last = name.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (it resolves to latest)"
    tag = last.rsplit(":", 1)[1]
    if not tag:
        return "has an empty tag"
    if tag == "latest":
        return "uses the latest tag"
    return None


def _rule(
    rule_id: str,
    severity: Severity,
    enforcement: Enforcement,
    description: str,
    check: ResourceCheck,
    types: frozenset[str] = WORKLOAD_TYPES,
    *,
    cel: CelCheck | tuple[CelCheck, ...] = (),
    preview_only: str = "",
    fix: str,
) -> Rule:
    forms = (cel,) if isinstance(cel, CelCheck) else cel
    return Rule(
        rule_id,
        description,
        severity,
        enforcement,
        types,
        check,
        cel=forms,
        preview_only=preview_only,
        fix=fix,
    )


def _serving(view: PodView) -> Iterator[Container]:
    """Regular containers and init containers (ephemeral containers take no resources, probes or ports)."""
    return view.containers("initContainers", "containers")


# --- security context and service accounts -------------------------------------------------------------


def _readonly_rootfs(view: PodView) -> Iterator[str]:
    for container in view.containers():
        if container.security_context.get("readOnlyRootFilesystem") is not True:
            yield (
                f"{container.label}.securityContext.readOnlyRootFilesystem is not true; set it to true and "
                "mount an emptyDir where the process must write"
            )


def _sa_token_automount(view: PodView) -> Iterator[str]:
    if not is_false(view.spec.get("automountServiceAccountToken")):
        yield (
            f"{view.path}.automountServiceAccountToken is not false; set it to false (exempt components "
            "that need the API, with a reason)"
        )


def _dedicated_sa(view: PodView) -> Iterator[str]:
    name = view.spec.get("serviceAccountName")
    if not isinstance(name, str) or not name:
        yield f"{view.path}.serviceAccountName is not set; create a dedicated ServiceAccount and name it here"
    elif name == "default":
        yield f'{view.path}.serviceAccountName is "default"; use a dedicated ServiceAccount per application'
    if view.spec.get("serviceAccount") is not None:
        yield f"{view.path}.serviceAccount is deprecated; remove it and use serviceAccountName"


# --- env and secrets -----------------------------------------------------------------------------------


def _no_secret_env(view: PodView) -> Iterator[str]:
    for container in view.containers():
        for index, env in maps(container.body.get("env")):
            if dig(env, "valueFrom", "secretKeyRef") is not None:
                yield (
                    f"{container.label}.env[{index}] ({text(env.get('name'))}) reads a Secret through "
                    "valueFrom.secretKeyRef; mount the Secret as a file and use the *_FILE convention "
                    "(CIS EKS 4.4.1)"
                )
        for index, source in maps(container.body.get("envFrom")):
            if source.get("secretRef") is not None:
                yield (
                    f"{container.label}.envFrom[{index}].secretRef imports a Secret into the environment; "
                    "mount it as files instead (CIS EKS 4.4.1)"
                )


def _plaintext_secret_env(view: PodView) -> Iterator[str]:
    for container in view.containers():
        for index, env in maps(container.body.get("env")):
            name = text(env.get("name"))
            if is_sensitive_name(name) and is_set(env.get("value")):
                yield (
                    f"{container.label}.env[{index}] ({name}) has a literal value that looks like a "
                    "credential; move it to a Secret mounted as a file (value not shown)"
                )


def _plaintext_secret_configmap(resource: Resource) -> Iterator[str]:
    for field_name in ("data", "binaryData"):
        for key, value in as_map(resource.props.get(field_name)).items():
            if isinstance(key, str) and is_sensitive_name(key) and is_set(value):
                yield (
                    f'{field_name}["{key}"] looks like a credential; store it in a Secret (or an external '
                    "secret store) instead of a ConfigMap (value not shown)"
                )


def _plaintext_secret(resource: Resource) -> Iterator[str]:
    if resource.type == CONFIG_MAP:
        yield from _plaintext_secret_configmap(resource)
        return
    view = pod_view(resource.type, resource.props)
    if view is not None:
        yield from _plaintext_secret_env(view)


def _duplicate_env(view: PodView) -> Iterator[str]:
    for container in view.containers():
        seen: set[str] = set()
        reported: set[str] = set()
        for _, env in maps(container.body.get("env")):
            name = text(env.get("name"))
            if name in seen and name not in reported:
                reported.add(name)
                yield (
                    f"{container.label}.env defines {name} more than once; keep a single entry (the last "
                    "one silently wins)"
                )
            seen.add(name)


def _ssh_port(view: PodView) -> Iterator[str]:
    for container in _serving(view):
        for index, port in maps(container.body.get("ports")):
            if as_int(port.get("containerPort")) == 22:
                yield (
                    f"{container.label}.ports[{index}].containerPort is 22 (SSH); do not run SSH in "
                    "containers, use kubectl debug"
                )


# --- images --------------------------------------------------------------------------------------------


def _image_pinned(view: PodView) -> Iterator[str]:
    for container in view.containers():
        image = container.body.get("image")
        problem = image_problem(image)
        if problem is not None:
            shown = f' "{image}"' if isinstance(image, str) and image else ""
            yield (
                f"{container.label}.image{shown} {problem}; pin an immutable version tag or an @sha256 digest"
            )


def _pull_always(view: PodView) -> Iterator[str]:
    for container in view.containers():
        if container.body.get("imagePullPolicy") != "Always":
            yield (
                f"{container.label}.imagePullPolicy is not Always; set it to Always so that the registry "
                "authorises every pull"
            )


# --- resources -----------------------------------------------------------------------------------------


def _resource_rule(section: str, resource_name: str, why: str) -> PodCheck:
    def check(view: PodView) -> Iterator[str]:
        for container in _serving(view):
            if not is_set(dig(container.body, "resources", section, resource_name)):
                yield f"{container.label}.resources.{section}.{resource_name} is not set; set it ({why})"

    check.__name__ = f"_{section}_{resource_name}"
    return check


#: The kinds whose resources admission judges: all but Pods. The API server defaults a Pod's (not a pod
#: template's) missing requests to its limits, and the LimitRanger admission plugin fills in a Pod's
#: missing requests and limits from the namespace's LimitRange (every team namespace has one) before
#: validating admission; a Pod that omitted them cannot be told apart there, so bare Pods are judged at
#: preview time only (the pods of controllers are judged through their templates).
RESOURCE_CEL_TYPES: frozenset[str] = WORKLOAD_TYPES - {POD}


def _resource_cel(section: str, resource_name: str, why: str) -> CelCheck:
    return CelCheck(
        (
            f"variables.containers.all(c, has(c.resources) && has(c.resources.{section}) && "
            f"'{resource_name}' in c.resources.{section})",
        ),
        f"resources.{section}.{resource_name} must be set in every container and init container ({why})",
        types=RESOURCE_CEL_TYPES,
    )


# --- probes --------------------------------------------------------------------------------------------


def _probe_rule(probe: str) -> PodCheck:
    def check(view: PodView) -> Iterator[str]:
        for container in view.containers("containers"):
            if not isinstance(container.body.get(probe), Mapping):
                yield (
                    f"{container.label}.{probe} is not set; add one so the kubelet "
                    + (
                        "restarts a hung container"
                        if probe == "livenessProbe"
                        else "only routes to ready pods"
                    )
                )

    check.__name__ = f"_{probe}"
    return check


def _probes_distinct(view: PodView) -> Iterator[str]:
    for container in view.containers("containers"):
        liveness, readiness = container.body.get("livenessProbe"), container.body.get("readinessProbe")
        if isinstance(liveness, Mapping) and liveness and liveness == readiness:
            yield (
                f"{container.label}.livenessProbe is identical to readinessProbe; a failing dependency then "
                "restarts the container instead of taking it out of rotation, so make liveness cheaper"
            )


def _probe_port_exposed(view: PodView) -> Iterator[str]:
    for container in _serving(view):
        names: set[str] = set()
        numbers: set[int] = set()
        for _, port in maps(container.body.get("ports")):
            if isinstance(port.get("name"), str):
                names.add(port["name"])
            number = as_int(port.get("containerPort"))
            if number is not None:
                numbers.add(number)
        for probe in PROBE_FIELDS:
            for action in PORT_PROBE_ACTIONS:
                port = dig(container.body, probe, action, "port")
                if port is None:
                    continue
                number = as_int(port)
                exposed = number in numbers if number is not None else one_of(port, frozenset(names))
                if not exposed:
                    yield (
                        f"{container.label}.{probe}.{action}.port {show(port)} is not one of the container's "
                        "ports; declare it in ports[] or probe a declared port"
                    )


def _cel_probe_ports_exposed(probe: str) -> str:
    """CEL: every port of ``probe`` is declared by its container (init and regular containers), as
    :func:`_probe_port_exposed`: an int-or-string port by number or by name; a gRPC port is an int."""
    checks = []
    for action in PORT_PROBE_ACTIONS:
        port = f"c.{probe}.{action}.port"
        by_number = f"(has(p.containerPort) && p.containerPort == {port})"
        matches = (
            by_number
            if action == "grpc"
            else f"(type({port}) == int ? {by_number} : (has(p.name) && p.name == {port}))"
        )
        checks.append(
            f"(!has(c.{probe}.{action}) || !has({port}) || (has(c.ports) && c.ports.exists(p, {matches})))"
        )
    return f"variables.containers.all(c, !has(c.{probe}) || ({' && '.join(checks)}))"


def _priority_class(view: PodView) -> Iterator[str]:
    if not is_set(view.spec.get("priorityClassName")):
        yield (
            f"{view.path}.priorityClassName is not set; set a PriorityClass so the scheduler knows what to "
            "evict first"
        )


# --- controller specifics ------------------------------------------------------------------------------


def _rolling_update(resource: Resource) -> Iterator[str]:
    strategy = dig(resource.props, "spec", "strategy", "type")
    if strategy is not None and strategy != "RollingUpdate":
        yield f"spec.strategy.type is {show(strategy)}; use RollingUpdate for zero-downtime rollouts"


def _selector_matches(resource: Resource) -> Iterator[str]:
    if borrows_template(resource.type, resource.props):
        return  # a Rollout with spec.workloadRef: its pods come from the Deployment's template
    selector = dig(resource.props, "spec", "selector")
    if not isinstance(selector, Mapping) or selector_is_empty(selector):
        yield "spec.selector is not set; set spec.selector.matchLabels to the pod template's identity labels"
        return
    view = pod_view(resource.type, resource.props)
    template_labels = view.labels if view is not None else {}
    if not selector_matches(selector, template_labels):
        yield (
            "spec.selector does not match spec.template.metadata.labels; make every matchLabels entry a "
            "template label"
        )


#: CEL: the pod template's labels (a map, possibly empty) of a kind with ``spec.template``.
_CEL_TEMPLATE_LABELS = (
    "(has(object.spec.template.metadata) && has(object.spec.template.metadata.labels) ? "
    "object.spec.template.metadata.labels : {})"
)


def _cel_selector_matches() -> tuple[str, ...]:
    """CEL: ``spec.selector`` is set and selects the pod template's labels, as :func:`_selector_matches`
    (``LabelSelector`` semantics; an unknown operator matches nothing)."""
    selector, labels_ = "object.spec.selector", _CEL_TEMPLATE_LABELS
    value = f"{labels_}[e.key]"
    return (
        f"has({selector}) && ((has({selector}.matchLabels) && size({selector}.matchLabels) > 0) || "
        f"(has({selector}.matchExpressions) && size({selector}.matchExpressions) > 0))",
        f"!has({selector}) || !has({selector}.matchLabels) || {selector}.matchLabels.all(k, k in {labels_} && "
        f"{labels_}[k] == {selector}.matchLabels[k])",
        f"!has({selector}) || !has({selector}.matchExpressions) || {selector}.matchExpressions.all(e, "
        f"e.operator == 'In' ? (e.key in {labels_} && has(e.values) && e.values.exists(v, v == {value})) : "
        f"e.operator == 'NotIn' ? (!(e.key in {labels_}) || !has(e.values) || "
        f"!e.values.exists(v, v == {value})) : "
        f"e.operator == 'Exists' ? e.key in {labels_} : "
        f"e.operator == 'DoesNotExist' && !(e.key in {labels_}))",
    )


#: CEL: the StatefulSet has volume claim templates (:func:`~platform_components.policies._pod.keeps_data`).
_CEL_KEEPS_DATA = "has(object.spec.volumeClaimTemplates) && size(object.spec.volumeClaimTemplates) > 0"


def _cronjob_deadline(resource: Resource) -> Iterator[str]:
    if not is_set(dig(resource.props, "spec", "startingDeadlineSeconds")):
        yield (
            "spec.startingDeadlineSeconds is not set; set it so missed schedules do not pile up after an "
            "outage"
        )
    view = pod_view(resource.type, resource.props)
    policy = view.spec.get("restartPolicy") if view is not None else None
    if policy not in JOB_RESTART_POLICIES:
        path = view.path if view is not None else "spec.jobTemplate.spec.template.spec"
        yield f"{path}.restartPolicy is {show(policy)}; set it to OnFailure or Never"


def _pvc_retention(resource: Resource) -> Iterator[str]:
    if not keeps_data(resource.props):
        return
    policy = as_map(dig(resource.props, "spec", "persistentVolumeClaimRetentionPolicy"))
    for field_name, operation in RETENTION_FIELDS:
        value = policy.get(field_name)
        if value is not None and value != "Retain":  # unset: the API default is Retain
            yield (
                f"spec.persistentVolumeClaimRetentionPolicy.{field_name} is {show(value)}; set it to Retain "
                f"(or leave it unset) so {operation} never deletes the PersistentVolumeClaims of "
                "spec.volumeClaimTemplates"
            )


def _do_not_disrupt(resource: Resource) -> Iterator[str]:
    view = pod_view(resource.type, resource.props)
    if view is None or not keeps_data(resource.props):
        return
    value = view.annotations.get(DO_NOT_DISRUPT)
    if value != "true":
        shown = show(value) if value is not None else "not set"
        yield (
            f'{view.metadata_path}.annotations["{DO_NOT_DISRUPT}"] is {shown}; set it to "true" so Karpenter '
            "never consolidates or drifts the node under a database pod"
        )


def _recommended_labels(resource: Resource) -> Iterator[str]:
    present = labels(resource.metadata.get("labels"))
    missing = [label for label in RECOMMENDED_LABELS if not present.get(label)]
    if missing:
        yield f"metadata.labels lacks {', '.join(missing)}; add the Kubernetes recommended labels"


def _not_default_namespace(resource: Resource) -> Iterator[str]:
    value = resource.metadata.get("namespace")
    if not isinstance(value, str) or not value:
        yield "metadata.namespace is not set; set it explicitly (an unset namespace lands in default)"
    elif value == "default":
        yield 'metadata.namespace is "default"; deploy into a dedicated namespace'


RULES: tuple[Rule, ...] = (
    _rule(
        "wl-readonly-rootfs",
        Severity.MEDIUM,
        M,
        "A read-only root filesystem stops attackers from dropping tools or modifying the image at "
        "runtime (CKV_K8S_22; Polaris notReadOnlyRootFilesystem; EKS BPG).",
        on_pod(_readonly_rootfs),
        cel=CelCheck(
            (
                "variables.containers.all(c, has(c.securityContext) && "
                "has(c.securityContext.readOnlyRootFilesystem) && c.securityContext.readOnlyRootFilesystem)",
            ),
            "securityContext.readOnlyRootFilesystem must be true in every container; mount an emptyDir where "
            "the process must write",
        ),
        fix="Set `securityContext.readOnlyRootFilesystem: true` on every container and mount an `emptyDir` "
        "where the process writes (SecureWorkload: `security.read_only_root_filesystem`, `writable_paths`).",
    ),
    _rule(
        "wl-sa-token-automount-off",
        Severity.MEDIUM,
        M,
        "Pods that do not call the Kubernetes API should not carry an API token (CIS EKS 4.1.6; EKS BPG iam "
        '"Disable auto-mounting of service account tokens").',
        on_pod(_sa_token_automount),
        cel=CelCheck(
            (
                "has(variables.spec.automountServiceAccountToken) && "
                "!variables.spec.automountServiceAccountToken",
            ),
            "automountServiceAccountToken must be false on the pod spec (exempt components that need the "
            "API, with a reason)",
        ),
        fix="Set `automountServiceAccountToken: false` on the pod spec (SecureWorkload's default, "
        "`automount_service_account_token`); a component that really calls the Kubernetes API keeps its "
        "token with an exemption stating why.",
    ),
    _rule(
        "wl-dedicated-sa",
        Severity.MEDIUM,
        M,
        "Each application needs its own ServiceAccount so RBAC and IRSA stay least-privilege (CIS EKS 4.1.5; "
        'EKS BPG iam "Use dedicated service accounts").',
        on_pod(_dedicated_sa),
        preview_only="the API server copies serviceAccountName into the deprecated serviceAccount field "
        "(and serviceAccount into an empty serviceAccountName) when it converts the object, so a pod spec "
        "that sets the deprecated field cannot be told apart from one that does not",
        fix="Set the pod spec's `serviceAccountName` to a ServiceAccount of this application, not "
        "`default`, and remove the deprecated `serviceAccount` field (SecureWorkload creates one per "
        "workload).",
    ),
    _rule(
        "wl-no-secret-env",
        Severity.MEDIUM,
        A,
        "Secrets in environment variables leak through logs, crash dumps and child processes; prefer files "
        "(CIS EKS 4.4.1; CKV_K8S_35).",
        on_pod(_no_secret_env),
        cel=CelCheck(
            (
                "variables.containers.all(c, (!has(c.env) || c.env.all(e, !has(e.valueFrom) || "
                "!has(e.valueFrom.secretKeyRef))) && (!has(c.envFrom) || c.envFrom.all(s, !has(s.secretRef))))",
            ),
            "no container may read a Secret through env valueFrom.secretKeyRef or envFrom.secretRef; mount "
            "it as files instead",
        ),
        fix="Replace `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` with the Secret mounted as "
        "files, read through the `*_FILE` convention (SecureWorkload: `secret_files` instead of "
        "`env_from_secrets`).",
    ),
    _rule(
        "wl-no-plaintext-secret",
        Severity.HIGH,
        M,
        "Credentials written as literal env values or ConfigMap entries are readable by anyone who can read "
        "the object (Polaris sensitiveContainerEnvVar, sensitiveConfigmapContent).",
        _plaintext_secret,
        WORKLOAD_TYPES | {CONFIG_MAP},
        cel=(
            CelCheck(
                (
                    "variables.containers.all(c, !has(c.env) || c.env.all(e, !has(e.value) || "
                    f"size(e.value) == 0 || !{cel_sensitive_name('e.name')}))",
                ),
                "no env var whose name looks like a credential may have a literal value; move it to a Secret "
                "mounted as a file",
                types=WORKLOAD_TYPES,
            ),
            CelCheck(
                tuple(
                    f"!has(object.{field}) || object.{field}.all(k, size(object.{field}[k]) == 0 || "
                    f"!{cel_sensitive_name('k')})"
                    for field in ("data", "binaryData")
                ),
                "no data or binaryData key may look like a credential; store it in a Secret instead of a "
                "ConfigMap",
                types=frozenset({CONFIG_MAP}),
            ),
        ),
        fix="Move the credential out of the literal `env[].value` or the ConfigMap's `data` entry into a "
        "Secret mounted as a file (SecureWorkload: `secret_files` or `external_secrets`, not `env`).",
    ),
    _rule(
        "wl-no-duplicate-env",
        Severity.LOW,
        M,
        "Duplicate env names silently override each other (kube-score environment-variable-key-"
        "duplication; kube-linter duplicate-env-var).",
        on_pod(_duplicate_env),
        cel=CelCheck(
            (
                "variables.containers.all(c, !has(c.env) || c.env.all(e, c.env.exists_one(f, f.name == e.name)))",
            ),
            "no container may define an env var more than once",
        ),
        fix="Keep one entry per name in each container's `env` and delete the duplicates (the last one "
        "silently wins).",
    ),
    _rule(
        "wl-no-ssh-port",
        Severity.LOW,
        A,
        "An SSH server in a container is an unmanaged access path (kube-linter ssh-port).",
        on_pod(_ssh_port),
        cel=CelCheck(
            (
                "variables.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.containerPort) || "
                "p.containerPort != 22))",
            ),
            "no container may declare containerPort 22 (SSH); use kubectl debug",
        ),
        fix="Remove `containerPort: 22` from the container's `ports` and the SSH server from the image; "
        "debug with `kubectl debug` instead.",
    ),
    _rule(
        "img-pinned",
        Severity.HIGH,
        M,
        "Images must be pinned to a tag other than latest or a digest so deployments are reproducible "
        "(CKV_K8S_14; Polaris tagNotSpecified; kube-linter latest-tag).",
        on_pod(_image_pinned),
        cel=CelCheck(
            (
                "variables.containers.all(c, has(c.image) && "
                f"(c.image.trim().matches({IMAGE_DIGEST_RE2!r}) || (c.image.trim().matches({IMAGE_TAG_RE2!r}) && "
                f"!c.image.trim().matches({IMAGE_LATEST_RE2!r}))))",
            ),
            "every image must be pinned to a tag other than latest or to an @sha256 digest",
        ),
        fix="Pin each container's `image` to an immutable version tag other than `latest`, or to an "
        "`@sha256:` digest (SecureWorkload: `image`, and the `image` of each sidecar and init container).",
    ),
    _rule(
        "img-pull-always",
        Severity.LOW,
        A,
        "imagePullPolicy Always makes the registry authorise every pull, so a node cache cannot serve an "
        "image to an unauthorised pod (CKV_K8S_15; Polaris pullPolicyNotAlways).",
        on_pod(_pull_always),
        preview_only="the API server defaults imagePullPolicy before admission (Always for a latest or "
        "untagged image), so a container that omitted it cannot be told apart from one that set Always",
        fix="Set `imagePullPolicy: Always` on every container (SecureWorkload's default, "
        "`image_pull_policy`).",
    ),
    _rule(
        "res-cpu-request",
        Severity.MEDIUM,
        M,
        "Without a CPU request the scheduler cannot place the pod sensibly and it gets no guaranteed share "
        "(CKV_K8S_10; Polaris cpuRequestsMissing).",
        on_pod(_resource_rule("requests", "cpu", "the scheduler reserves it")),
        cel=_resource_cel("requests", "cpu", "the scheduler reserves it"),
        fix="Set `resources.requests.cpu` on every container and init container (SecureWorkload: "
        "`resources.cpu`, set by default).",
    ),
    _rule(
        "res-mem-request",
        Severity.MEDIUM,
        M,
        "Without a memory request the pod is overcommitted and first in line for eviction (CKV_K8S_12; "
        "Polaris memoryRequestsMissing).",
        on_pod(_resource_rule("requests", "memory", "the scheduler reserves it")),
        cel=_resource_cel("requests", "memory", "the scheduler reserves it"),
        fix="Set `resources.requests.memory` on every container and init container (SecureWorkload: "
        "`resources.memory`, set by default).",
    ),
    _rule(
        "res-mem-limit",
        Severity.MEDIUM,
        M,
        "A memory limit contains leaks to the offending container instead of the node (CKV_K8S_13; "
        "Polaris memoryLimitsMissing; EKS BPG dataplane).",
        on_pod(_resource_rule("limits", "memory", "a leak then OOM-kills only this container")),
        cel=_resource_cel("limits", "memory", "a leak then OOM-kills only this container"),
        fix="Set `resources.limits.memory` on every container and init container (SecureWorkload: "
        "`resources.memory_limit`, which defaults to the memory request).",
    ),
    _rule(
        "avail-liveness-probe",
        Severity.MEDIUM,
        M,
        "A liveness probe lets the kubelet restart a hung container (CKV_K8S_8; Polaris "
        "livenessProbeMissing).",
        on_pod(_probe_rule("livenessProbe")),
        SERVING_TYPES,
        cel=CelCheck(
            ("variables.spec.containers.all(c, has(c.livenessProbe))",),
            "every container must have a livenessProbe (so the kubelet restarts a hung container)",
        ),
        fix="Add a `livenessProbe` that checks only the process's own health to each of the pod's "
        "`containers` (SecureWorkload: the required `liveness` argument).",
    ),
    _rule(
        "avail-readiness-probe",
        Severity.MEDIUM,
        M,
        "A readiness probe keeps traffic away from pods that cannot serve yet (CKV_K8S_9; Polaris "
        "readinessProbeMissing).",
        on_pod(_probe_rule("readinessProbe")),
        SERVING_TYPES,
        cel=CelCheck(
            ("variables.spec.containers.all(c, has(c.readinessProbe))",),
            "every container must have a readinessProbe (so that only ready pods get traffic)",
        ),
        fix="Add a `readinessProbe` that fails while the pod cannot serve to each of the pod's `containers` "
        "(SecureWorkload: the required `readiness` argument).",
    ),
    _rule(
        "avail-probes-distinct",
        Severity.LOW,
        A,
        "Identical liveness and readiness probes turn a slow dependency into restart loops (kube-score "
        "pod-probes-identical).",
        on_pod(_probes_distinct),
        SERVING_TYPES,
        preview_only="the API server defaults the probes' timing fields (periodSeconds, timeoutSeconds, "
        "successThreshold, failureThreshold) and httpGet's path and scheme before admission, so probes that "
        "differ only in a field one of them omitted look identical there",
        fix="Make `livenessProbe` differ from `readinessProbe`: liveness checks only that the process "
        "responds, readiness also its dependencies (SecureWorkload: separate `liveness` and `readiness` "
        "arguments).",
    ),
    _rule(
        "avail-probe-port-exposed",
        Severity.MEDIUM,
        M,
        "A probe on a port the container does not declare always fails or probes the wrong thing "
        "(kube-linter liveness-port, readiness-port, startup-port).",
        on_pod(_probe_port_exposed),
        SERVING_TYPES,
        cel=CelCheck(
            tuple(_cel_probe_ports_exposed(probe) for probe in PROBE_FIELDS),
            "every probe's httpGet, tcpSocket or grpc port must be one of the container's ports (by number "
            "or name)",
        ),
        fix="Point each probe's `httpGet.port`, `tcpSocket.port` or `grpc.port` at a port the container "
        "declares in `ports` (by number or name), or declare that port (SecureWorkload: `ports`).",
    ),
    _rule(
        "avail-priority-class",
        Severity.LOW,
        A,
        "A PriorityClass tells the scheduler which pods to preempt first under pressure (Polaris "
        "priorityClassNotSet).",
        on_pod(_priority_class),
        cel=CelCheck(
            ("has(variables.spec.priorityClassName) && variables.spec.priorityClassName != ''",),
            "priorityClassName must be set on the pod spec",
        ),
        fix="Set `priorityClassName` on the pod spec (SecureWorkload: `priority_class_name`, "
        "`platform-medium` by default).",
    ),
    _rule(
        "wl-rolling-update",
        Severity.LOW,
        A,
        "Recreate takes every replica down at once during a rollout (kube-score deployment-strategy).",
        _rolling_update,
        frozenset({DEPLOYMENT}),
        cel=CelCheck(
            (
                "!has(object.spec.strategy) || !has(object.spec.strategy.type) || "
                "object.spec.strategy.type == 'RollingUpdate'",
            ),
            "spec.strategy.type must be RollingUpdate (or unset)",
        ),
        fix="Set the Deployment's `spec.strategy.type` to `RollingUpdate`, or remove it to get the default.",
    ),
    _rule(
        "wl-selector-matches",
        Severity.HIGH,
        M,
        "A selector that does not match the pod template is rejected or orphans pods (kube-linter "
        "mismatching-selector).",
        _selector_matches,
        SELECTOR_TYPES,
        cel=CelCheck(
            _cel_selector_matches(),
            "spec.selector must be set and match spec.template.metadata.labels",
        ),
        fix="Make `spec.selector.matchLabels` (and any `matchExpressions`) select the labels of "
        "`spec.template.metadata.labels`.",
    ),
    _rule(
        "cronjob-deadline",
        Severity.LOW,
        A,
        "Without startingDeadlineSeconds missed runs pile up after an outage; Job pods must not restart "
        "Always (kube-score cronjob-has-deadline, cronjob-restartpolicy).",
        _cronjob_deadline,
        frozenset({CRONJOB}),
        cel=CelCheck(
            (
                "has(object.spec.startingDeadlineSeconds)",
                f"has(variables.spec.restartPolicy) && variables.spec.restartPolicy in {list(JOB_RESTART_POLICIES)!r}",
            ),
            "spec.startingDeadlineSeconds must be set and the pod template's restartPolicy must be OnFailure "
            "or Never",
        ),
        fix="Set the CronJob's `spec.startingDeadlineSeconds` and its pod template's `restartPolicy` to "
        "`OnFailure` or `Never`.",
    ),
    _rule(
        "sts-pvc-retention",
        Severity.HIGH,
        M,
        "Deleting or scaling down a StatefulSet must never delete its data volumes: the PVCs of "
        "volumeClaimTemplates must be retained (persistentVolumeClaimRetentionPolicy Retain, the API "
        "default) (Kubernetes StatefulSet PVC retention; project issue).",
        _pvc_retention,
        frozenset({STATEFULSET}),
        cel=CelCheck(
            tuple(
                f"!({_CEL_KEEPS_DATA}) || !has(object.spec.persistentVolumeClaimRetentionPolicy) || "
                f"!has(object.spec.persistentVolumeClaimRetentionPolicy.{field}) || "
                f"object.spec.persistentVolumeClaimRetentionPolicy.{field} == 'Retain'"
                for field, _ in RETENTION_FIELDS
            ),
            "spec.persistentVolumeClaimRetentionPolicy whenDeleted and whenScaled must be Retain (or unset) "
            "on a StatefulSet with volumeClaimTemplates",
        ),
        fix="Set `spec.persistentVolumeClaimRetentionPolicy.whenDeleted` and `whenScaled` to `Retain`, or "
        "leave them unset (StatefulDatabase sets `Retain`).",
    ),
    _rule(
        "db-do-not-disrupt",
        Severity.HIGH,
        M,
        "Pods of a StatefulSet with volume claim templates (a database) must carry karpenter.sh/do-not-"
        'disrupt "true", so Karpenter never voluntarily consolidates or drifts their node and fails the '
        "database over (Karpenter docs disruption 'Pod-Level Controls'; project issue).",
        _do_not_disrupt,
        frozenset({STATEFULSET}),
        cel=CelCheck(
            (
                f"!({_CEL_KEEPS_DATA}) || ('{DO_NOT_DISRUPT}' in variables.annotations && "
                f"variables.annotations['{DO_NOT_DISRUPT}'] == 'true')",
            ),
            f"the pod template of a StatefulSet with volumeClaimTemplates must carry the annotation "
            f'{DO_NOT_DISRUPT}: "true"',
        ),
        fix="Annotate the StatefulSet's pod template (`spec.template.metadata.annotations`) with "
        '`karpenter.sh/do-not-disrupt: "true"` (StatefulDatabase does this).',
    ),
    _rule(
        "meta-recommended-labels",
        Severity.LOW,
        A,
        "The Kubernetes recommended labels (name, instance, managed-by, part-of) make ownership and "
        "selection uniform (compliance-policies configure-recommended-labels).",
        _recommended_labels,
        cel=CelCheck(
            (
                f"has(object.metadata.labels) && {list(RECOMMENDED_LABELS)!r}.all(l, l in object.metadata.labels "
                "&& object.metadata.labels[l] != '')",
            ),
            f"metadata.labels must carry {', '.join(RECOMMENDED_LABELS)}",
        ),
        fix="Add `app.kubernetes.io/name`, `app.kubernetes.io/instance`, `app.kubernetes.io/managed-by` and "
        "`app.kubernetes.io/part-of` to `metadata.labels` (the components set them; SecureWorkload: "
        "`part_of`).",
    ),
    _rule(
        "ns-not-default",
        Severity.MEDIUM,
        M,
        "Namespaced objects must name a dedicated namespace explicitly; the default namespace has no "
        "boundaries (CIS EKS 4.5.1, 4.5.2; CKV_K8S_21).",
        _not_default_namespace,
        NAMESPACED_TYPES,
        cel=CelCheck(
            ("has(object.metadata.namespace) && !(object.metadata.namespace in ['', 'default'])",),
            "metadata.namespace must name a dedicated namespace, not default",
        ),
        fix="Set `metadata.namespace` to a dedicated namespace, never `default` or unset (SecureWorkload: "
        "`namespace`; create the namespace with MeshNamespace).",
    ),
)

__all__ = ["NAMESPACED_TYPES", "RULES", "image_problem", "is_sensitive_name"]
