"""Object metadata beyond the name, as every kind's validation checks it: the common part of
``ValidateObjectMetaAccessor`` (``k8s.io/apimachinery/pkg/api/validation/objectmeta.go``, v0.35),
and the labels and annotations of the pod templates (and job templates) the workload kinds carry.

The name, generateName and namespace rules are :func:`platform_components.preview.names.metadata_errors`'
(run before this family); here: ``generation``, ``labels`` (``ValidateLabels``), ``annotations``
(``ValidateAnnotations``), ``ownerReferences`` (``ValidateOwnerReferences``) and ``finalizers``
(``ValidateFinalizers``). ``managedFields`` are the server's own and left alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from . import ANY_KIND, register
from ._validation import invalid, is_int, is_qualified_name, too_long
from .selectors import labels_errors

TOTAL_ANNOTATION_SIZE_LIMIT: Final = 256 * (1 << 10)
"""``TotalAnnotationSizeLimitB``: keys and values together, in bytes."""

FINALIZER_ORPHAN_DEPENDENTS: Final = "orphan"
FINALIZER_DELETE_DEPENDENTS: Final = "foregroundDeletion"

_BANNED_OWNERS: Final = frozenset({("", "v1", "Event")})
"""``BannedOwners``: (group, version, kind) that may not own anything."""

_POD_TEMPLATE_OWNERS: Final = frozenset(
    {
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("apps", "DaemonSet"),
        ("apps", "ReplicaSet"),
        ("batch", "Job"),
        ("", "ReplicationController"),
        ("argoproj.io", "Rollout"),
    }
)
"""Kinds whose ``spec.template`` is a pod template."""


def _group(api_version: Any) -> str:
    return str(api_version or "").rpartition("/")[0]


def non_negative_error(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateNonnegativeField`` (core validation)."""
    if is_int(value) and value < 0:
        yield path, invalid(value, "must be greater than or equal to 0")


def annotations_errors(annotations: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateAnnotations``: every key a qualified name once lower-cased, and keys plus values at
    most 256 KiB in all (``ValidateAnnotationsSize``, in bytes of UTF-8)."""
    if not isinstance(annotations, Mapping):
        return
    total = 0
    for key, value in annotations.items():
        if not isinstance(key, str):
            continue
        for message in is_qualified_name(key.lower()):
            yield path, invalid(key, message)
        total += len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        yield (
            path,
            too_long(TOTAL_ANNOTATION_SIZE_LIMIT)
            + f" (keys and values total {total} bytes: move large data to a ConfigMap)",
        )


def _version_and_kind(api_version: str, kind: str) -> tuple[str, str, str]:
    """``schema.FromAPIVersionAndKind`` (``ParseGroupVersion``: an unparseable apiVersion has no
    group and no version)."""
    if api_version.count("/") > 1:
        return "", "", kind
    if "/" in api_version:
        group, _, version = api_version.partition("/")
        return group, version, kind
    return "", api_version, kind


def owner_references_errors(references: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateOwnerReferences`` and ``validateOwnerReference``: apiVersion with a version, kind,
    name and uid non-empty, no Event owner, at most one controller reference."""
    if not isinstance(references, list):
        return
    first_controller = ""
    for reference in references:
        if not isinstance(reference, Mapping):
            continue
        api_version = reference.get("apiVersion")
        kind = reference.get("kind")
        api_version = api_version if isinstance(api_version, str) else ""
        kind = kind if isinstance(kind, str) else ""
        group, version, _ = _version_and_kind(api_version, kind)
        if not version:
            yield f"{path}.apiVersion", invalid(api_version, "version must not be empty")
        if not kind:
            yield f"{path}.kind", invalid(kind, "must not be empty")
        for key in ("name", "uid"):
            value = reference.get(key)
            if not value:
                yield f"{path}.{key}", invalid(value if isinstance(value, str) else "", "must not be empty")
        if (group, version, kind) in _BANNED_OWNERS:
            yield (
                path,
                invalid(dict(reference), f"{group}/{version}, Kind={kind} is disallowed from being an owner"),
            )
        if reference.get("controller") is True:
            current = f"{kind}/{reference.get('name')}"
            if first_controller:
                yield (
                    path,
                    invalid(
                        references,
                        'Only one reference can have Controller set to true. Found "true" in references '
                        f"for {first_controller} and {current}",
                    ),
                )
            else:
                first_controller = current


def finalizers_errors(finalizers: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateFinalizers``: each ``ValidateFinalizerName`` (a qualified name), and not both
    ``orphan`` and ``foregroundDeletion``."""
    if not isinstance(finalizers, list):
        return
    for finalizer in finalizers:
        if isinstance(finalizer, str):
            for message in is_qualified_name(finalizer):
                yield path, invalid(finalizer, message)
    if FINALIZER_ORPHAN_DEPENDENTS in finalizers and FINALIZER_DELETE_DEPENDENTS in finalizers:
        yield (
            path,
            invalid(
                finalizers,
                f"finalizer {FINALIZER_ORPHAN_DEPENDENTS} and {FINALIZER_DELETE_DEPENDENTS} cannot be both set",
            ),
        )


def template_metadata_errors(meta: Any, path: str) -> Iterator[tuple[str, str]]:
    """The labels and annotations of an embedded template's metadata (``ValidatePodTemplateSpec``
    and ``ValidatePodTemplateSpecForStatefulSet``: ``ValidateLabels`` and ``ValidateAnnotations``).

    Upstream reports them at ``<template>.labels``/``<template>.annotations``; the path here is the
    field's real place, ``<template>.metadata.labels``."""
    if not isinstance(meta, Mapping):
        return
    yield from labels_errors(meta.get("labels"), f"{path}.labels")
    yield from annotations_errors(meta.get("annotations"), f"{path}.annotations")


CONTROLLER_OBJECTS_REFUSED: Final = {
    ("batch", "CronJob"): "the CronJob is admitted but the API server refuses its Jobs: ",
    ("argoproj.io", "Rollout"): "the Rollout is admitted but the API server refuses its ReplicaSets: ",
}
"""Prefixes of the template errors of kinds the API server does not check (a custom resource, a
CronJob's job template): what fails is what their controller creates."""


def _templates(manifest: Mapping[str, Any]) -> Iterator[tuple[Any, str]]:
    """``(metadata, path)`` of the templates ``manifest`` embeds."""
    key = (_group(manifest.get("apiVersion")), str(manifest.get("kind") or ""))
    spec = manifest.get("spec")
    if key in _POD_TEMPLATE_OWNERS and isinstance(spec, Mapping):
        template = spec.get("template")
        if isinstance(template, Mapping):
            yield template.get("metadata"), "spec.template.metadata"
    elif key == ("", "PodTemplate"):
        template = manifest.get("template")
        if isinstance(template, Mapping):
            yield template.get("metadata"), "template.metadata"
    elif key == ("batch", "CronJob") and isinstance(spec, Mapping):
        # Not checked by the CronJob's own validation, but by the Job's (ValidateObjectMeta and
        # ValidatePodTemplateSpec) when the controller creates one: a bad label there means no Job
        # ever runs.
        job_template = spec.get("jobTemplate")
        if isinstance(job_template, Mapping):
            yield job_template.get("metadata"), "spec.jobTemplate.metadata"
            job_spec = job_template.get("spec")
            if isinstance(job_spec, Mapping) and isinstance(job_spec.get("template"), Mapping):
                yield job_spec["template"].get("metadata"), "spec.jobTemplate.spec.template.metadata"


@register(ANY_KIND)
def check_metadata(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateObjectMetaAccessor`` beyond the name (``validateObjectMetaAccessorWithOptsCommon``):
    generation, labels, annotations, ownerReferences, finalizers; then the embedded templates'
    labels and annotations."""
    meta = manifest.get("metadata")
    if isinstance(meta, Mapping):
        yield from non_negative_error(meta.get("generation"), "metadata.generation")
        yield from labels_errors(meta.get("labels"), "metadata.labels")
        yield from annotations_errors(meta.get("annotations"), "metadata.annotations")
        yield from owner_references_errors(meta.get("ownerReferences"), "metadata.ownerReferences")
        yield from finalizers_errors(meta.get("finalizers"), "metadata.finalizers")
    prefix = CONTROLLER_OBJECTS_REFUSED.get(
        (_group(manifest.get("apiVersion")), str(manifest.get("kind") or "")), ""
    )
    for template_meta, path in _templates(manifest):
        for field_path, message in template_metadata_errors(template_meta, path):
            yield field_path, prefix + message


__all__ = [
    "CONTROLLER_OBJECTS_REFUSED",
    "TOTAL_ANNOTATION_SIZE_LIMIT",
    "annotations_errors",
    "check_metadata",
    "finalizers_errors",
    "non_negative_error",
    "owner_references_errors",
    "template_metadata_errors",
]
