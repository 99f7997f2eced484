"""The compiled yes/no schema check (platform_components.preview.fast_schema): it agrees with
jsonschema on every object it is asked about, so that skipping jsonschema for the objects it
accepts changes no verdict."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from apiserver_corpus import cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from platform_components.preview import fast_schema, schema
from platform_components.preview.schema import validate_manifest

ROOT = Path(__file__).resolve().parents[2]
MINOR = "1.35"


def golden_manifests() -> list[dict[str, Any]]:
    found = []
    for target in sorted((ROOT / "tests" / "golden").iterdir()):
        if (target / "manifests.json").is_file():
            found += json.loads((target / "manifests.json").read_text()).values()
    return [m for m in found if schema.has_core_schema(MINOR, m["apiVersion"], m["kind"])]


GOLDEN = golden_manifests()
CORPUS = [
    case.object
    for case in cases()
    if isinstance(case.object.get("apiVersion"), str)
    and isinstance(case.object.get("kind"), str)
    and schema.has_core_schema(MINOR, case.object["apiVersion"], case.object["kind"])
]


def jsonschema_valid(manifest: dict[str, Any]) -> bool:
    validator = schema._validator(MINOR, manifest["apiVersion"], manifest["kind"])
    assert validator is not None
    return not any(True for _ in validator.iter_errors(manifest))


def fast_valid(manifest: dict[str, Any]) -> bool:
    check = schema._fast_check(MINOR, manifest["apiVersion"], manifest["kind"])
    assert check is not None, f"no fast check for {manifest['apiVersion']} {manifest['kind']}"
    return check(manifest)


def test_every_core_kind_the_stacks_render_has_a_fast_check() -> None:
    kinds = {(m["apiVersion"], m["kind"]) for m in GOLDEN}
    assert len(kinds) >= 15
    for api_version, kind in sorted(kinds):
        assert schema._fast_check(MINOR, api_version, kind) is not None, (api_version, kind)


def test_it_agrees_with_jsonschema_on_the_stacks_objects_and_the_corpus() -> None:
    assert len(GOLDEN) > 150 and len(CORPUS) > 50
    for manifest in GOLDEN + CORPUS:
        assert fast_valid(manifest) == jsonschema_valid(manifest), manifest["kind"]


def test_the_check_leaves_the_object_as_it_was() -> None:
    for manifest in GOLDEN[:80]:
        before = copy.deepcopy(manifest)
        fast_valid(manifest)
        assert manifest == before


LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 70000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2),
)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*path, index))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A stack object with one to three places replaced, removed or given an unknown key."""
    manifest = copy.deepcopy(draw(st.sampled_from(GOLDEN)))
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in _places(manifest) if p and p[0] not in ("apiVersion", "kind")]
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent: Any = manifest
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "remove", "unknown"]))
        if action == "remove" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "unknown" and isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.sampled_from(["bogus", "Name", "x"]))] = draw(LEAVES)
        else:
            parent[path[-1]] = draw(LEAVES)
    return manifest


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_it_agrees_with_jsonschema_on_broken_objects(manifest: dict[str, Any]) -> None:
    assert fast_valid(manifest) == jsonschema_valid(manifest)


def test_a_refused_object_gets_jsonschema_errors_and_an_accepted_one_none() -> None:
    deployment = copy.deepcopy(next(m for m in GOLDEN if m["kind"] == "Deployment"))
    assert validate_manifest(deployment, MINOR, display="d") == []
    deployment["spec"]["replicas"] = "three"
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    errors = [(e.path, e.message) for e in validate_manifest(deployment, MINOR, display="d")]
    assert ("spec.replicas", "'three' is not of type 'integer', 'null'") in errors
    assert ("spec.template.spec.containers[0].imagePullPolcy", 'unknown field "imagePullPolcy"') in errors


def test_schemas_it_cannot_read_as_draft_7_get_no_fast_path() -> None:
    definitions = {"a": {"type": "string"}}
    good = {"properties": {"x": {"$ref": "/api/_definitions.json#/$defs/a", "description": "d"}}}
    assert fast_schema.convertible(good, definitions)
    for bad in (
        {"prefixItems": [{"type": "string"}]},  # 2020-12 only
        {"properties": {"x": {"$ref": "/api/_definitions.json#/$defs/a", "type": "integer"}}},
        {"properties": {"x": {"$ref": "https://example.com/other.json"}}},
        {"properties": {"x": {"$ref": "#/$defs/missing"}}},
    ):
        assert not fast_schema.convertible(bad, definitions)
        assert fast_schema.validity_check(bad, definitions, "key") is None


def test_the_compiled_check_is_cached_and_a_broken_entry_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATFORM_COMPONENTS_CACHE", str(tmp_path))
    definitions = {"a": {"type": "string", "minLength": 2}}
    kind = {"type": "object", "properties": {"x": {"$ref": "/api/_definitions.json#/$defs/a"}}}
    check = fast_schema.validity_check(kind, definitions, "kind-a")
    assert check is not None and check({"x": "ok"}) and not check({"x": "o"}) and not check({"x": 1})
    (entry,) = tmp_path.glob("fastschema-*.marshal")
    entry.write_bytes(b"not marshal data")
    again = fast_schema.validity_check(kind, definitions, "kind-a")
    assert again is not None and again({"x": "ok"}) and not again({"x": 1})
    monkeypatch.setenv("PLATFORM_COMPONENTS_CACHE", "off")
    uncached = fast_schema.validity_check(kind, definitions, "kind-a")
    assert uncached is not None and not uncached({"x": []})
