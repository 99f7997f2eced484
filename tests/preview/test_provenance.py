"""Naming the stack file key a rejected value came from: only when the value is distinctive and
occurs at exactly one leaf of the stack's config."""

from pathlib import Path

import pytest
from platform_components.config import StackFile
from platform_components.preview.engine import preview
from platform_components.preview.provenance import StackValues, named_value, rejected_value, value_at

STACK = """\
config:
  demo:app:
    name: Orders_API
    replicas: 3
    port: 8080
    other_port: 9090
    enabled: true
    tags: [web, edge-cache, edge-cache]
"""


@pytest.fixture
def values(tmp_path: Path) -> StackValues:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(STACK)
    return StackValues.of(StackFile(path, display="Pulumi.dev.yaml"))


def test_a_unique_distinctive_value_names_its_key_and_line(values: StackValues) -> None:
    assert values.source_of("Orders_API") == "Pulumi.dev.yaml:3 (demo:app.name)"
    assert values.source_of(8080) == "Pulumi.dev.yaml:5 (demo:app.port)"
    assert values.source_of(8080.0) == "Pulumi.dev.yaml:5 (demo:app.port)"


@pytest.mark.parametrize(
    "value",
    [
        3,  # a small number: a coincidence is likely
        True,  # booleans never
        "web",  # a short word
        "edge-cache",  # at two leaves: ambiguous
        "8080",  # a string is not the number
        "absent-value",
        None,
        {"a": "b"},
    ],
    ids=repr,
)
def test_nothing_is_claimed_when_the_origin_is_not_certain(values: StackValues, value: object) -> None:
    assert values.source_of(value) == ""


def test_value_at_follows_a_field_path() -> None:
    manifest = {"spec": {"ports": [{"name": "a"}, {"name": "b"}]}}
    assert value_at(manifest, "spec.ports[1].name") == "b"
    assert value_at(manifest, "spec.ports[2].name") is None
    assert value_at(manifest, "spec.missing") is None
    assert value_at(manifest, "spec.ports.name") is None


def test_the_value_a_field_error_names_comes_first() -> None:
    assert named_value('Invalid value: "Bad Key": name part must ...') == "Bad Key"
    assert named_value("Invalid value: 70000: must be between 1 and 65535, inclusive") == 70000
    assert named_value('Duplicate value: "http"') == "http"
    assert named_value("Required value") is None
    assert named_value("Invalid value: {broken") is None
    manifest = {"metadata": {"labels": {"Bad Key": "v"}}}
    assert rejected_value(manifest, "metadata.labels", 'Invalid value: "Bad Key": x') == "Bad Key"
    assert rejected_value({"metadata": {"name": "X"}}, "metadata.name", "a lowercase RFC 1123 ...") == "X"


def test_a_preview_schema_error_names_the_stack_key(tmp_path: Path) -> None:
    (tmp_path / "prog").mkdir()
    (tmp_path / "prog" / "__main__.py").write_text(
        "import pulumi, pulumi_kubernetes as k8s\n"
        "app = pulumi.Config().require_object('app')\n"
        "k8s.core.v1.ConfigMap('c', metadata={'name': app['name'], 'namespace': 'apps'}, data={'a': 'b'})\n"
    )
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\nmain: prog/\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(STACK)
    result = preview(tmp_path, "dev")
    (error,) = [e for e in result.schema_errors if e.path == "metadata.name"]
    assert error.source == "Pulumi.dev.yaml:3 (demo:app.name)"
    assert str(error).endswith("(from Pulumi.dev.yaml:3 (demo:app.name))")
    assert error.as_dict()["source"] == "Pulumi.dev.yaml:3 (demo:app.name)"
