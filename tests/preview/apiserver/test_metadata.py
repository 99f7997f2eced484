"""The ``metadata`` family: ``ValidateObjectMetaAccessor``'s common part (apimachinery
``pkg/api/validation/objectmeta.go``) and the labels and annotations of embedded templates."""

from __future__ import annotations

from typing import Any

from platform_components.preview.apiserver.metadata import (
    TOTAL_ANNOTATION_SIZE_LIMIT,
    annotations_errors,
    check_metadata,
    finalizers_errors,
    owner_references_errors,
)
from platform_components.preview.schema import validate_manifest


def _cm(**meta: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n", **meta}}


def _errors(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return list(check_metadata(manifest))


def test_validate_labels_through_validate_manifest() -> None:
    """ValidateLabels on metadata.labels, wired into validate_manifest."""
    errors = validate_manifest(_cm(labels={"bad key!": "v"}), "1.35", display="cm")
    assert [(e.path, e.message.startswith('Invalid value: "bad key!": name part')) for e in errors] == [
        ("metadata.labels", True)
    ]
    assert validate_manifest(_cm(labels={"example.com/ok": "v-1"}), "1.35", display="cm") == []


def test_validate_labels_value() -> None:
    """ValidateLabels: a value longer than 63 characters fires, 63 is accepted."""
    (path, message), *_ = _errors(_cm(labels={"a": "x" * 64}))
    assert path == "metadata.labels" and "must be no more than 63 characters" in message
    assert _errors(_cm(labels={"a": "x" * 63})) == []


def test_validate_annotations_key_is_qualified_name_after_lowercasing() -> None:
    """ValidateAnnotations: keys are qualified names once lower-cased (upper case is accepted)."""
    assert list(annotations_errors({"Example.COM/Key": "v"}, "metadata.annotations")) == []
    errors = list(annotations_errors({"a/b/c": "v"}, "metadata.annotations"))
    assert errors and errors[0][0] == "metadata.annotations"
    assert errors[0][1].startswith('Invalid value: "a/b/c": a valid label key')


def test_validate_annotations_size() -> None:
    """ValidateAnnotationsSize: keys plus values at most 256 KiB."""
    at_limit = {"k": "x" * (TOTAL_ANNOTATION_SIZE_LIMIT - 1)}
    assert list(annotations_errors(at_limit, "metadata.annotations")) == []
    over = {"k": "x" * TOTAL_ANNOTATION_SIZE_LIMIT}
    (error,) = annotations_errors(over, "metadata.annotations")
    assert error[1].startswith("Too long: may not be more than 262144 bytes")


def test_validate_finalizers() -> None:
    """ValidateFinalizers / ValidateFinalizerName: qualified names; orphan and foregroundDeletion exclusive."""
    assert list(finalizers_errors(["example.com/cleanup", "orphan"], "metadata.finalizers")) == []
    (error,) = finalizers_errors(["bad/name/x"], "metadata.finalizers")
    assert error[0] == "metadata.finalizers" and 'Invalid value: "bad/name/x"' in error[1]
    (error,) = finalizers_errors(["orphan", "foregroundDeletion"], "metadata.finalizers")
    assert error[1].endswith("finalizer orphan and foregroundDeletion cannot be both set")


def test_validate_owner_references() -> None:
    """ValidateOwnerReferences / validateOwnerReference."""
    good = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d", "uid": "u", "controller": True}
    assert list(owner_references_errors([good], "metadata.ownerReferences")) == []
    errors = list(owner_references_errors([{"apiVersion": "apps/", "kind": "", "name": "", "uid": "u"}], "p"))
    assert [path for path, _ in errors] == ["p.apiVersion", "p.kind", "p.name"]
    assert errors[0][1] == 'Invalid value: "apps/": version must not be empty'
    event = {"apiVersion": "v1", "kind": "Event", "name": "e", "uid": "u"}
    (error,) = owner_references_errors([event], "p")
    assert error[1].endswith("/v1, Kind=Event is disallowed from being an owner")
    (error,) = owner_references_errors([good, {**good, "name": "e"}], "p")
    assert (
        'Only one reference can have Controller set to true. Found "true" in references for Deployment/d and Deployment/e'
        in error[1]
    )


def test_validate_generation_non_negative() -> None:
    """ValidateNonnegativeField on metadata.generation."""
    assert _errors(_cm(generation=-1)) == [
        ("metadata.generation", "Invalid value: -1: must be greater than or equal to 0")
    ]
    assert _errors(_cm(generation=0)) == []


def _deployment(template_meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"template": {"metadata": template_meta}},
    }


def test_pod_template_metadata_validate_pod_template_spec() -> None:
    """ValidatePodTemplateSpec: the template's labels and annotations (Deployment, PodTemplate, CronJob, Rollout)."""
    (error,) = _errors(_deployment({"labels": {"app": "bad value"}}))
    assert error[0] == "spec.template.metadata.labels"
    assert _errors(_deployment({"labels": {"app": "ok"}, "annotations": {"a": "b"}})) == []
    pod_template = {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": {"name": "p"},
        "template": {"metadata": {"annotations": {"/x": ""}}},
    }
    assert [path for path, _ in _errors(pod_template)] == ["template.metadata.annotations"]
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c"},
        "spec": {
            "jobTemplate": {
                "metadata": {"labels": {"-x": "y"}},
                "spec": {"template": {"metadata": {"labels": {"y": "-"}}}},
            }
        },
    }
    assert [path for path, _ in _errors(cron)] == [
        "spec.jobTemplate.metadata.labels",
        "spec.jobTemplate.spec.template.metadata.labels",
    ]
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "r"},
        "spec": {"template": {"metadata": {"labels": {"a": "b c"}}}},
    }
    assert [path for path, _ in _errors(rollout)] == ["spec.template.metadata.labels"]


def test_malformed_metadata_never_raises() -> None:
    """Wrong types are the schema's: nothing raises, nothing is reported here."""
    for meta in (
        None,
        [],
        {"labels": [], "annotations": "x", "finalizers": {}, "ownerReferences": [1, None]},
    ):
        assert _errors({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}) == []
    assert _errors(_deployment(None)) == []  # type: ignore[arg-type]


def test_template_labels_of_kinds_the_server_does_not_check_say_what_is_refused() -> None:
    """A CronJob's job template and a Rollout's template are not validated when the object is
    created; the Jobs and ReplicaSets their controllers create are (ValidateObjectMeta,
    ValidatePodTemplateSpec), and the message says so."""
    bad = {"labels": {"app": "-bad-"}}
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "spec": {"jobTemplate": {"metadata": bad, "spec": {"template": {"metadata": bad}}}},
    }
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "spec": {"template": {"metadata": bad}},
    }
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"metadata": bad}}}
    cron_errors = [m for p, m in check_metadata(cronjob) if p.endswith("labels")]
    assert len(cron_errors) == 2
    assert all(
        m.startswith("the CronJob is admitted but the API server refuses its Jobs: Invalid value")
        for m in cron_errors
    )
    (rollout_error,) = [m for _, m in check_metadata(rollout)]
    assert rollout_error.startswith("the Rollout is admitted but the API server refuses its ReplicaSets: ")
    (deployment_error,) = [m for _, m in check_metadata(deployment)]
    assert deployment_error.startswith('Invalid value: "-bad-"')
