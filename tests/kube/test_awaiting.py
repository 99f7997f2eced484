"""kube/awaiting.py: the stack option ``skip_await`` (no readiness waits, background deletion)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from platform_components.config import CONFIG_KEY, PlatformConfig
from platform_components.errors import ConfigError
from platform_components.kube.awaiting import (
    DELETION_PROPAGATION_ANNOTATION,
    SKIP_AWAIT_ANNOTATION,
    SKIP_AWAIT_ANNOTATIONS,
    skip_await_transformation,
)
from platform_components.testing import Preview, preview_function, preview_project

ROOT = Path(__file__).resolve().parents[2]


def _transform(type_: str, props: dict[str, Any]) -> pulumi.ResourceTransformationResult | None:
    opts = pulumi.ResourceOptions()
    resource: Any = None  # the transformation never looks at the resource
    return skip_await_transformation(pulumi.ResourceTransformationArgs(resource, type_, "x", props, opts))


def test_the_annotations_are_the_providers() -> None:
    assert SKIP_AWAIT_ANNOTATIONS == {
        "pulumi.com/skipAwait": "true",
        "pulumi.com/deletionPropagationPolicy": "background",
    }


def test_an_object_keeps_its_own_annotations_and_gets_both() -> None:
    result = _transform(
        "kubernetes:apps/v1:Deployment",
        {
            "metadata": {"name": "api", "annotations": {"team": "shop", SKIP_AWAIT_ANNOTATION: "false"}},
            "spec": {},
        },
    )
    assert result is not None
    assert result.props["metadata"] == {
        "name": "api",
        "annotations": {"team": "shop", **SKIP_AWAIT_ANNOTATIONS},
    }
    assert result.props["spec"] == {}


@pytest.mark.parametrize("metadata", [None, {}, {"name": "x", "annotations": None}])
def test_missing_metadata_or_annotations(metadata: Any) -> None:
    result = _transform("kubernetes:core/v1:ConfigMap", {"metadata": metadata})
    assert result is not None
    metadata_out: Any = result.props["metadata"]
    assert metadata_out["annotations"] == SKIP_AWAIT_ANNOTATIONS


@pytest.mark.parametrize(
    "type_",
    ["kubernetes:helm.sh/v3:Release", "kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml/v2:ConfigGroup"],
)
def test_releases_and_yaml_groups_get_their_skip_await_input(type_: str) -> None:
    result = _transform(type_, {"chart": "karpenter"})
    assert result is not None
    assert result.props == {"chart": "karpenter", "skip_await": True}


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        ("aws:s3/bucket:Bucket", {"bucket": "b"}),
        ("pulumi:providers:kubernetes", {"kubeconfig": "k"}),
        ("platform:index:SecureWorkload", {}),
    ],
)
def test_anything_else_passes_unchanged(type_: str, props: dict[str, Any]) -> None:
    assert _transform(type_, props) is None


def test_children_inherit_it_and_metadata_known_later_is_marked_when_known() -> None:
    import pulumi_kubernetes as k8s

    def program() -> None:
        parent = pulumi.ComponentResource(
            "test:index:Parent", "p", opts=pulumi.ResourceOptions(transformations=[skip_await_transformation])
        )
        child = pulumi.ResourceOptions(parent=parent)
        first = k8s.core.v1.ConfigMap("first", metadata={"name": "first", "namespace": "apps"}, opts=child)
        later = first.metadata.apply(lambda m: {"name": f"{m['name']}-later", "namespace": "apps"})
        k8s.core.v1.ConfigMap("later", metadata=later, opts=child)
        k8s.core.v1.ConfigMap("outside", metadata={"name": "outside", "namespace": "apps"})

    result = preview_function(program)
    marked = {m["metadata"]["name"]: m["metadata"].get("annotations") or {} for m in result.manifests}
    assert marked == {"first": SKIP_AWAIT_ANNOTATIONS, "first-later": SKIP_AWAIT_ANNOTATIONS, "outside": {}}


# --------------------------------------------------------------------------------------------------
# The stack option, end to end in the offline engine


def _local_stack(tmp_path: Path, **platform: Any) -> Path:
    """A copy of this project whose local stack's platform data has ``platform`` merged in."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "platform", tmp_path / "platform")
    (tmp_path / "stacks").mkdir()
    stack = yaml.safe_load((ROOT / "stacks" / "Pulumi.local.yaml").read_text(encoding="utf-8"))
    stack["config"][f"platform-components:{CONFIG_KEY}"].update(platform)
    (tmp_path / "stacks" / "Pulumi.local.yaml").write_text(yaml.safe_dump(stack), encoding="utf-8")
    return tmp_path


def test_every_object_of_the_local_stack_is_marked(tmp_path: Path) -> None:
    result: Preview = preview_project(_local_stack(tmp_path, skip_await=True), "local")
    assert result.clean, result.problems()
    assert len(result.manifests) > 20
    for manifest in result.manifests:
        annotations = manifest["metadata"].get("annotations") or {}
        assert annotations[SKIP_AWAIT_ANNOTATION] == "true", manifest["kind"]
        assert annotations[DELETION_PROPAGATION_ANNOTATION] == "background", manifest["kind"]


def test_off_by_default_nothing_is_marked() -> None:
    assert PlatformConfig.model_fields["skip_await"].default is False
    result = preview_project(ROOT, "local")
    for manifest in result.manifests:
        annotations = manifest["metadata"].get("annotations") or {}
        assert SKIP_AWAIT_ANNOTATION not in annotations
        assert DELETION_PROPAGATION_ANNOTATION not in annotations


def test_apart_from_the_annotations_the_objects_are_the_same(tmp_path: Path) -> None:
    def without_marks(preview: Preview) -> list[dict[str, Any]]:
        stripped = []
        for manifest in preview.manifests:
            metadata = dict(manifest["metadata"])
            annotations = {
                k: v
                for k, v in (metadata.pop("annotations", None) or {}).items()
                if k not in SKIP_AWAIT_ANNOTATIONS
            }
            if annotations:
                metadata["annotations"] = annotations
            stripped.append({**manifest, "metadata": metadata})
        return sorted(stripped, key=repr)

    marked = preview_project(_local_stack(tmp_path, skip_await=True), "local")
    assert without_marks(marked) == without_marks(preview_project(ROOT, "local"))


def test_refused_for_prod(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"skip_await is for clusters that run no workloads.*remove it from the prod"
    ):
        preview_project(_local_stack(tmp_path, skip_await=True, environment="prod"), "local")
