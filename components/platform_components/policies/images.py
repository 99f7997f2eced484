"""Trusted images: only the registries (and repositories) a stack allows, optionally pinned by digest.

A stack lists its allowed image sources (``admission.images.allowed_registries``: a registry host such
as ``123456789012.dkr.ecr.eu-west-1.amazonaws.com``, or a repository prefix such as
``ghcr.io/acme``) and may require every image to be pinned by digest
(``admission.images.require_digest``). :func:`image_rule` makes the rule ``img-allowed-registries``
for that list: a Python check and its CEL form, from the same list and the same matching, so the
preview and admission agree (the side-by-side test runs them on fixtures and generated images).

Matching is on the image reference as written: an image is allowed when it is an allowed entry, or
starts with an entry followed by ``/``, ``:`` or ``@``. A short name (``nginx``) is not expanded to
Docker Hub: write the registry (``docker.io/library/nginx``), which also says where the image comes
from. An empty list allows everything (no rule).

Where it is enforced:

* admission: :class:`~platform_components.admission_policies.AdmissionPolicies` adds the rule's CEL
  form to the stack's policies (denying), and records the list on each of those policies
  (annotations :data:`ALLOWED_ANNOTATION` and :data:`DIGEST_ANNOTATION`), with the namespaces the
  bindings leave alone (:data:`EXCLUDED_ANNOTATION`);
* preview and CrossGuard: the stack rule :data:`STACK_RULE` reads the list from those annotations of
  the stack's own policies and judges every pod-bearing object of the stack outside the excluded
  namespaces. A team program, which does not install the platform's policies, is judged at
  admission only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from platform_components.policies._pod import WORKLOAD_TYPES, namespace, pod_view, text
from platform_components.policies.base import CelCheck, Enforcement, Resource, Rule, Severity, StackRule
from platform_components.policies.workload import DIGEST, IMAGE_DIGEST_RE2

__all__ = [
    "ALLOWED_ANNOTATION",
    "DIGEST_ANNOTATION",
    "EXCLUDED_ANNOTATION",
    "RULE_ID",
    "STACK_RULE",
    "image_allowed",
    "image_rule",
]

RULE_ID = "img-allowed-registries"
ALLOWED_ANNOTATION = "policy.platform-components.io/allowed-registries"
DIGEST_ANNOTATION = "policy.platform-components.io/require-digest"
EXCLUDED_ANNOTATION = "policy.platform-components.io/excluded-namespaces"
VAP_TYPE = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"
DESCRIPTION = (
    "Images come only from the registries and repositories the stack allows (and, where the stack "
    "requires it, are pinned by digest): an image from anywhere else runs code nobody vetted (seed: "
    "supply-chain security; Kyverno restrict-image-registries; CIS EKS 5.1.4 'minimize container "
    "registries to only those approved')."
)
FIX = (
    "Set each container's `image` to one from a registry or repository the stack lists in "
    "`admission.images.allowed_registries` (pinned by `@sha256:` digest when "
    "`admission.images.require_digest` is true), or add its source to that list."
)


def image_allowed(image: str, allowed: Sequence[str]) -> bool:
    """``image`` is an entry of ``allowed`` or starts with one followed by ``/``, ``:`` or ``@``."""
    return any(
        image == entry or image.startswith((f"{entry}/", f"{entry}:", f"{entry}@")) for entry in allowed
    )


def _pinned_by_digest(image: str) -> bool:
    _, _, digest = image.partition("@")
    return bool(DIGEST.match(digest))


def _cel_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _cel_allowed(image: str, allowed: Sequence[str]) -> str:
    """CEL: :func:`image_allowed` of the string expression ``image``."""
    terms = [
        f"{image} == {_cel_string(entry)} || "
        + " || ".join(f"{image}.startsWith({_cel_string(entry + sep)})" for sep in "/:@")
        for entry in allowed
    ]
    return "(" + " || ".join(terms) + ")"


def image_rule(allowed: Sequence[str], require_digest: bool = False) -> Rule:
    """The rule ``img-allowed-registries`` for a stack's list (Python check and CEL form)."""
    allowed = tuple(allowed)
    fix = f"use an image from {', '.join(allowed)}" + (
        " pinned by digest (@sha256:...)" if require_digest else ""
    )

    def check(resource: Resource) -> Iterator[str]:
        view = pod_view(resource.type, resource.props)
        if view is None:
            return
        for container in view.containers("initContainers", "containers"):
            image = text(container.body.get("image"))
            if not image_allowed(image, allowed):
                yield f'{container.label}.image "{image}" is not from an allowed registry; {fix}'
            elif require_digest and not _pinned_by_digest(image):
                yield f'{container.label}.image "{image}" is not pinned by digest; {fix}'

    expressions = [f"variables.containers.all(c, {_cel_allowed('c.image', allowed)})"]
    if require_digest:
        expressions.append(f"variables.containers.all(c, c.image.matches({IMAGE_DIGEST_RE2!r}))")
    return Rule(
        id=RULE_ID,
        description=DESCRIPTION,
        severity=Severity.HIGH,
        enforcement=Enforcement.MANDATORY,
        types=WORKLOAD_TYPES,
        check=check,
        cel=(CelCheck(tuple(expressions), fix),),
        fix=FIX,
    )


def _settings(resources: Iterable[Resource]) -> tuple[list[str], bool, set[str]] | None:
    """The list, the digest requirement and the excluded namespaces the stack's policies record."""
    for resource in resources:
        if resource.type != VAP_TYPE:
            continue
        annotations = resource.metadata.get("annotations") or {}
        raw = annotations.get(ALLOWED_ANNOTATION)
        if isinstance(raw, str) and raw:
            excluded = json.loads(str(annotations.get(EXCLUDED_ANNOTATION) or "[]"))
            return json.loads(raw), annotations.get(DIGEST_ANNOTATION) == "true", set(excluded)
    return None


def _stack_check(resources: Sequence[Resource]) -> Iterator[tuple[Resource, str]]:
    settings = _settings(resources)
    if settings is None:
        return
    allowed, require_digest, excluded = settings
    rule = image_rule(allowed, require_digest)
    for resource in resources:
        if resource.type in WORKLOAD_TYPES and namespace(resource.props) not in excluded:
            for message in rule.check(resource):
                yield resource, message


STACK_RULE = StackRule(
    RULE_ID, DESCRIPTION, Severity.HIGH, Enforcement.MANDATORY, _stack_check, admitted=True, fix=FIX
)
STACK_RULES: tuple[StackRule, ...] = (STACK_RULE,)
STACK_RULE_KINDS = {RULE_ID: tuple(sorted({t.rsplit(":", 1)[-1] for t in WORKLOAD_TYPES}))}
