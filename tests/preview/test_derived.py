"""The user cache of derived data (``preview/_derived.py``) and the CRD files read through it."""

from __future__ import annotations

from pathlib import Path

import pytest
from platform_components.preview import _derived, crds


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PLATFORM_COMPONENTS_CACHE", str(tmp_path / "derived"))
    return tmp_path / "derived"


def test_an_entry_is_found_by_its_source_text(cache: Path) -> None:
    assert _derived.load("thing", "source") is None
    assert _derived.store("thing", "source", {"a": [1, 2.5, None, True]})
    assert _derived.load("thing", "source") == {"a": [1, 2.5, None, True]}
    assert _derived.load("thing", "source changed") is None
    assert _derived.load("other", "source") is None
    (entry,) = cache.iterdir()
    assert entry.name.startswith(f"thing-v{_derived.FORMAT}-") and entry.suffix == ".json"


def test_data_that_json_would_change_is_not_kept(cache: Path) -> None:
    assert not _derived.store("thing", "source", {1: "integer key"})
    assert not _derived.store("thing", "source", {"when": object()})
    assert _derived.load("thing", "source") is None


def test_an_unusable_cache_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PLATFORM_COMPONENTS_CACHE", str(blocker / "derived"))
    assert not _derived.store("thing", "source", [1])
    assert _derived.load("thing", "source") is None
    monkeypatch.setenv("PLATFORM_COMPONENTS_CACHE", "off")
    assert _derived.cache_dir() is None
    assert not _derived.store("thing", "source", [1])


def test_a_corrupt_entry_is_derived_again(cache: Path) -> None:
    assert _derived.store("thing", "source", [1])
    (entry,) = cache.iterdir()
    entry.write_text("{not json")
    assert _derived.load("thing", "source") is None


def test_the_default_location_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PLATFORM_COMPONENTS_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _derived.cache_dir() == tmp_path / "platform-components" / "derived"


def test_crd_files_read_from_the_cache_equal_the_parsed_yaml(cache: Path) -> None:
    """The first read parses the YAML and keeps it; a second process reads the JSON: same versions."""
    name = next(name for name in crds._files() if name.startswith("karpenter/"))
    crds._load_file.cache_clear()
    parsed = crds._load_file(name)
    assert parsed and len(list(cache.iterdir())) == 1
    crds._load_file.cache_clear()
    from_cache = crds._load_file(name)
    crds._load_file.cache_clear()
    assert from_cache == parsed
    assert from_cache[0].source == name


def test_a_cel_program_read_from_the_cache_evaluates_as_compiled(cache: Path) -> None:
    """compile_expression keeps the transpiled program; a later process loads it without parsing,
    and the interpreter (which needs the tree) parses on first use."""
    from platform_components.preview import cel

    source = "self.minReplicas <= self.maxReplicas && self.name.startsWith('web-') && size(self.items) > 2"
    cel.compile_expression.cache_clear()
    compiled = cel.compile_expression(source)
    assert compiled.transpiled and len(list(cache.iterdir())) == 1
    cel.compile_expression.cache_clear()
    loaded = cel.compile_expression(source)
    cel.compile_expression.cache_clear()
    assert loaded is not compiled and loaded.transpiled and loaded._tree is None
    assert loaded.identifiers == compiled.identifiers
    passing = {"minReplicas": 2, "maxReplicas": 3, "name": "web-1", "items": [1, 2, 3]}
    failing = {"minReplicas": 4, "maxReplicas": 3, "name": "web-1", "items": [1, 2, 3]}
    for values, expected in ((passing, True), (failing, False)):
        variables = {"self": cel.to_cel(values)}
        assert loaded.evaluate(variables) == compiled.evaluate(variables) == expected
        assert loaded.evaluate(variables, interpret=True) == expected
    assert loaded._tree is not None


def test_an_invalid_cel_expression_is_not_cached(cache: Path) -> None:
    from platform_components.preview import cel

    cel.compile_expression.cache_clear()
    for _ in range(2):
        with pytest.raises(cel.CELCompileError, match="undeclared reference to 'nosuchfunction'"):
            cel.compile_expression("nosuchfunction(self)")
    cel.compile_expression.cache_clear()
    assert not cache.exists() or list(cache.iterdir()) == []


def test_a_cache_entry_this_code_cannot_use_is_replaced(cache: Path) -> None:
    from platform_components.preview import cel

    source = "self.a == 1"
    assert _derived.store(
        cel._cache_kind(), source, {"identifiers": ["self"], "python": "not python(", "constants": []}
    )
    cel.compile_expression.cache_clear()
    program = cel.compile_expression(source)
    cel.compile_expression.cache_clear()
    assert program.transpiled
    assert _derived.load(cel._cache_kind(), source)["python"] == program.python_source


def test_entries_are_named_by_the_code_that_derived_them(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("x = 1\n")
    first = _derived.code_digest(str(module), "1.0")
    assert _derived.code_digest(str(module), "1.1") != first
    module.write_text("x = 2\n")
    assert _derived.code_digest(str(module), "1.0") != first


def _validation_of_a_bad_application_set(validator: crds.CRDValidator) -> list[tuple[str, str]]:
    manifest = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "apps", "namespace": "argocd"},
        "spec": {"generators": [{"list": {"elements": []}}], "template": {"metadata": {}}, "bogus": 1},
    }
    return validator.validate(manifest)


def test_a_crd_validator_read_from_the_cache_validates_as_one_derived_afresh(cache: Path) -> None:
    """The first validator keeps its JSON Schema and rule tree; the next process reads them back.
    A corrupt entry is derived again and replaced."""
    crd = crds.find_crd("argoproj.io/v1alpha1", "ApplicationSet")
    assert crd is not None
    fresh = crds.CRDValidator(crd)
    (entry,) = [path for path in cache.iterdir() if path.name.startswith("crd-validator-")]
    cached = crds.CRDValidator(crd)
    assert cached._json_schema == fresh._json_schema == crds.to_json_schema(crd.schema, root=True)
    errors = _validation_of_a_bad_application_set(fresh)
    assert ("spec.bogus", 'unknown field "bogus"') in errors
    assert _validation_of_a_bad_application_set(cached) == errors
    entry.write_text("{not json")
    rebuilt = crds.CRDValidator(crd)
    assert _validation_of_a_bad_application_set(rebuilt) == errors
    assert _derived.load(crds._validator_cache_kind(), "x") is None
    assert entry.read_text().startswith('{"json_schema"')


def test_a_crd_validator_without_a_cache_is_built_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_COMPONENTS_CACHE", "off")
    crd = crds.find_crd("argoproj.io/v1alpha1", "ApplicationSet")
    assert crd is not None
    assert ("spec.bogus", 'unknown field "bogus"') in _validation_of_a_bad_application_set(
        crds.CRDValidator(crd)
    )


def test_the_rule_tree_leads_to_every_rule() -> None:
    schema = {
        "type": "object",
        "properties": {
            "plain": {"type": "string"},
            "spec": {
                "type": "object",
                "x-kubernetes-validations": [{"rule": "has(self.a)"}],
                "properties": {
                    "list": {"type": "array", "items": {"x-kubernetes-validations": [{"rule": "1 == 1"}]}}
                },
            },
            "labels": {
                "type": "object",
                "additionalProperties": {"x-kubernetes-validations": [{"rule": "true"}]},
            },
        },
    }
    assert crds.rule_tree(schema) == {
        "properties": {
            "spec": {"rules": True, "properties": {"list": {"items": {"rules": True}}}},
            "labels": {"additional": {"rules": True}},
        }
    }
    assert crds.rule_tree({"type": "object", "properties": {"a": {"type": "string"}}}) is None


def test_the_crd_mentions_read_from_the_cache_equal_a_scan(cache: Path) -> None:
    """The first process scans the CRD files for group and kind names and keeps the result; the next
    reads it back; an unreadable entry is scanned again."""
    crds._mentioned.cache_clear()
    scanned = crds._mentioned()
    (entry,) = [path for path in cache.iterdir() if path.name.startswith("crd-mentions-")]
    crds._mentioned.cache_clear()
    assert crds._mentioned() == scanned
    assert any("argoproj.io" in groups and "Rollout" in kinds for groups, kinds in scanned.values())
    entry.write_text('{"not": ["the", "files"]}')
    crds._mentioned.cache_clear()
    assert crds._mentioned() == scanned
    crds._mentioned.cache_clear()


def test_a_crd_file_is_known_by_its_size_and_time(tmp_path: Path) -> None:
    crd = tmp_path / "crd.yaml"
    crd.write_text("kind: A\n")
    first = crds._file_key("crd.yaml", crd)
    crd.write_text("kind: AB\n")
    assert crds._file_key("crd.yaml", crd) != first


def test_a_crd_version_not_as_shipped_is_never_read_from_the_cache(cache: Path) -> None:
    """A version built elsewhere under a shipped file's name gets its own schema, not the file's."""
    import dataclasses

    crd = crds.find_crd("argoproj.io/v1alpha1", "ApplicationSet")
    assert crd is not None
    crds.CRDValidator(crd)  # the shipped version's entry is in the cache now
    own = dataclasses.replace(crd, schema={"type": "object", "properties": {"spec": {"type": "string"}}})
    validator = crds.CRDValidator(own)
    assert validator._json_schema == crds.to_json_schema(own.schema, root=True)
    manifest = {"apiVersion": own.api_version, "kind": own.kind, "metadata": {"name": "a"}, "spec": 1}
    assert [path for path, _ in validator.validate(manifest)] == ["spec"]
