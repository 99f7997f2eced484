"""The machine outputs keep their published shape.

``report.json`` (and ``preview --json``) and ``resources.json`` carry ``schema_version`` and are
valid against the JSON Schemas committed in ``docs/schemas/`` (Draft 2020-12), which refuse any
field they do not describe: a field added to the output without its schema fails here. The other
commands' ``--json`` outputs keep the shapes docs/cli.md shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from platform_components.cli import JSON_SCHEMA_VERSION, main, pack_directory
from platform_components.policies.base import Enforcement, Severity
from platform_components.preview.report import REPORT_SCHEMA_VERSION, RESOURCES_SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "schemas"
FREE_FORM = {("report", "stack_outputs"), ("resources", "inputs")}
"""Objects whose keys are the program's own (its stack outputs, a resource's inputs)."""
OPTIONAL = {
    ("report", "/properties/schema_errors/items"): {"source"},
    ("report", "/properties/timings_seconds"): {"load", "program", "schema", "policy"},
}
"""The only properties an output may leave out: a schema error's stack-file source (when the value
came from the stack file) and the phases' timings (a phase that did not run)."""

FINDINGS_PROGRAM = """\
import pulumi
import pulumi_kubernetes as k8s

k8s.core.v1.ConfigMap("long", metadata={"name": "a" * 254, "namespace": "apps"})
k8s.apps.v1.Deployment(
    "web",
    metadata={"name": "web", "namespace": "apps"},
    spec={
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:latest"}]},
        },
    },
)
pulumi.log.warn("a warning the program logged")
pulumi.export("answer", {"value": 42, "list": [1, "two"]})
"""
"""A program with a schema error, mandatory and advisory findings, a log line and outputs: every
list of the report has entries to check."""


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(name: str, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in _validator(name).iter_errors(document)
    ]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """report.json, resources.json and the --json stdout of the prod stack (exemptions, externals,
    AWS resources, stack outputs) and of the program with findings."""
    base = tmp_path_factory.mktemp("schemas")
    findings = base / "findings"
    findings.mkdir()
    (findings / "Pulumi.yaml").write_text("name: findings\nruntime: python\n", encoding="utf-8")
    (findings / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    (findings / "__main__.py").write_text(FINDINGS_PROGRAM, encoding="utf-8")
    runs = {"prod": [str(ROOT), "--stack", "prod"], "findings": [str(findings), "--stack", "dev"]}
    found: dict[str, dict[str, Any]] = {}
    for name, argv in runs.items():
        out = base / f"{name}-out"
        with pytest.MonkeyPatch.context() as patch:
            stdout = base / f"{name}.stdout"
            with stdout.open("w", encoding="utf-8") as stream:
                patch.setattr("sys.stdout", stream)
                code = main(["preview", *argv, "--out", str(out), "--json", "--quiet"])
        assert code == (0 if name == "prod" else 1)
        found[name] = {
            "report": json.loads((out / "report.json").read_text(encoding="utf-8")),
            "resources": json.loads((out / "resources.json").read_text(encoding="utf-8")),
            "stdout": json.loads(stdout.read_text(encoding="utf-8")),
        }
    return found


@pytest.mark.parametrize("run", ["prod", "findings"])
def test_real_outputs_match_their_schemas(outputs: dict[str, dict[str, Any]], run: str) -> None:
    found = outputs[run]
    assert _errors("report", found["report"]) == []
    assert _errors("report", found["stdout"]) == []
    assert _errors("resources", found["resources"]) == []
    assert found["report"]["schema_version"] == REPORT_SCHEMA_VERSION
    assert found["resources"]["schema_version"] == RESOURCES_SCHEMA_VERSION
    assert len(found["resources"]["resources"]) == found["report"]["summary"]["resources"]


def test_the_findings_run_fills_every_list(outputs: dict[str, dict[str, Any]]) -> None:
    """So that the schemas of their entries are checked against real entries, not empty lists."""
    report = outputs["findings"]["report"]
    for key in ("violations", "warnings", "schema_errors", "logs"):
        assert report[key], key
    assert report["stack_outputs"]["answer"]["value"] == 42
    prod = outputs["prod"]["report"]
    for key in ("components", "platform", "externals", "exemptions"):
        assert prod[key], key


@pytest.mark.parametrize("name", ["report", "resources"])
def test_a_field_the_schema_does_not_describe_fails(outputs: dict[str, dict[str, Any]], name: str) -> None:
    """An unknown key, at the top or nested, is an error."""
    document = json.loads(json.dumps(outputs["findings"][name]))
    document["added_later"] = True
    assert any("added_later" in error for error in _errors(name, document))
    if name == "report":
        document = json.loads(json.dumps(outputs["findings"][name]))
        document["violations"][0]["added_later"] = True
        document["summary"]["added_later"] = 1
        assert len(_errors(name, document)) == 2
    else:
        document = json.loads(json.dumps(outputs["findings"][name]))
        document["resources"][0]["added_later"] = True
        assert len(_errors(name, document)) == 1


def _objects(schema: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every subschema of type object, with where it is."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            found.append((path, schema))
        for key, value in schema.items():
            found += _objects(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += _objects(value, f"{path}/{index}")
    return found


@pytest.mark.parametrize("name", ["report", "resources"])
def test_every_object_is_closed(name: str) -> None:
    """Each object lists its properties and refuses others, or types its values (``kinds``), except
    the program's own free-form data."""
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    open_objects = [
        path
        for path, subschema in _objects(schema, "")
        if "additionalProperties" not in subschema and (name, path.rsplit("/", 1)[-1]) not in FREE_FORM
    ]
    assert open_objects == []
    for path, subschema in _objects(schema, ""):
        if "properties" in subschema:
            optional = set(subschema["properties"]) - set(subschema.get("required", []))
            assert optional == OPTIONAL.get((name, path), set()), path


def test_the_enums_are_the_policy_models() -> None:
    finding = json.loads((SCHEMAS / "report.schema.json").read_text(encoding="utf-8"))["$defs"]["finding"]
    assert set(finding["properties"]["severity"]["enum"]) == {s.value for s in Severity}
    assert set(finding["properties"]["enforcement"]["enum"]) == {e.value for e in Enforcement}


# --------------------------------------------------------------------------------------------------
# The other commands' --json


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"schema_version", "rules"}
    assert document["schema_version"] == JSON_SCHEMA_VERSION
    ids = [rule["id"] for rule in document["rules"]]
    assert "img-pinned" in ids and ids == sorted(ids)
    assert main(["rules"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ids


def test_policy_pack_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy-pack", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document == {"schema_version": JSON_SCHEMA_VERSION, "directory": str(pack_directory())}


def test_admission_json_is_the_yaml_as_a_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admission", str(ROOT), "--stack", "dev"]) == 0
    documents = list(yaml.safe_load_all(capsys.readouterr().out))
    assert main(["admission", str(ROOT), "--stack", "dev", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == {"apiVersion": "v1", "kind": "List", "items": documents}
    assert {item["kind"] for item in documents} == {
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
    }
