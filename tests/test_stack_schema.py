"""The JSON Schema of stack files: shipped and current, every stack file valid against it as a whole,
a typo flagged at the path ``platformctl preview`` names, closed where the models are closed."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from _targets import ROOT, TARGETS
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from platform_components.cli import main
from platform_components.config import GITOPS_FROM_STACK, PlatformConfig
from platform_components.stack_schema import (
    REGENERATE,
    SCHEMA_FILE,
    render_schema,
    schema_comment,
    shipped_schema_file,
    stack_file_schema,
)
from pydantic import BaseModel

SCHEMA = stack_file_schema()
VALIDATOR = Draft202012Validator(SCHEMA)
REPO_SCHEMA = ROOT / "components" / "platform_components" / "schemas" / SCHEMA_FILE
DEV_STACK = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8")
PLATFORM_KEY = "platform-components:platform"


def _stack_file(project: Path, stack: str) -> Path:
    config_dir = yaml.safe_load((project / "Pulumi.yaml").read_text(encoding="utf-8")).get("stackConfigDir")
    return project / (config_dir or ".") / f"Pulumi.{stack}.yaml"


STACK_FILES = sorted(_stack_file(project, stack) for project, stack in TARGETS.values())


def test_the_shipped_schema_is_current() -> None:
    assert shipped_schema_file().read_text(encoding="utf-8") == render_schema(), (
        f"{SCHEMA_FILE} is stale: the config models changed; regenerate it with `{REGENERATE}`"
    )
    assert REPO_SCHEMA.read_text(encoding="utf-8") == render_schema()


def test_the_schema_is_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(json.loads(render_schema())) == list(SCHEMA)  # the text keeps the key order


def test_every_target_has_a_stack_file() -> None:
    assert len(STACK_FILES) == len(TARGETS) == 5
    assert all(path.is_file() for path in STACK_FILES)


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_stack_file_is_valid_as_a_whole(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_stack_file_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    relative = os.path.relpath(REPO_SCHEMA, path.parent)
    assert first == schema_comment(relative)
    assert (path.parent / relative).resolve() == REPO_SCHEMA.resolve()


def test_platformctl_schema_prints_the_shipped_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == shipped_schema_file().read_text(encoding="utf-8")
    out = tmp_path / "schemas" / SCHEMA_FILE
    assert main(["schema", "--out", str(out)]) == 0
    assert capsys.readouterr().err == f"Wrote {out}\n"
    assert out.read_text(encoding="utf-8") == render_schema()


# --------------------------------------------------------------------------------------------------
# The validator and platformctl preview name the same path


def _edited(old: str, new: str) -> str:
    assert DEV_STACK.count(old) == 1, f"the dev stack no longer contains {old!r} once; update the test"
    return DEV_STACK.replace(old, new)


MISTAKES = [
    pytest.param(
        _edited("    mesh_cni: true", "    mesh_cin: true"), "platform.mesh_cin", id="top-level-typo"
    ),
    pytest.param(
        _edited("        public: true\n", "        publik: true\n"),
        "platform.cluster.endpoint.publik",
        id="typo-two-levels-down",
    ),
    pytest.param(
        _edited("resources: {cpu: 100m, memory: 128Mi}", "resources: {cpu: 100m, memroy: 128Mi}"),
        "platform.workloads[1].resources.memroy",
        id="typo-in-a-list-entry",
    ),
    pytest.param(
        _edited("        revision: main\n", "        revison: main\n"),
        "platform.gitops.repository.revison",
        id="typo-in-the-gitops-block",
    ),
    pytest.param(
        _edited("          retention_days: 7\n", "          retention_day: 7\n"),
        "platform.databases[0].backup.retention_day",
        id="typo-in-a-database",
    ),
    pytest.param(
        _edited("min_replicas: 2, max_replicas: 6", "min_replicas: two, max_replicas: 6"),
        "platform.workloads[1].autoscaling.min_replicas",
        id="wrong-type",
    ),
    pytest.param(
        _edited("        mesh: none\n", "        mesh: nope\n"),
        "platform.teams[1].mesh",
        id="not-a-choice",
    ),
]


def _schema_path(error: ValidationError) -> str:
    """The error's place as platformctl writes it: ``platform.workloads[1].resources.memroy``."""
    parts = list(error.absolute_path)
    assert parts[:2] == ["config", PLATFORM_KEY], parts
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        (extra,) = sorted(set(error.instance) - allowed)
        parts.append(extra)
    path = "platform"
    for part in parts[2:]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


@pytest.mark.parametrize(("text", "expected"), MISTAKES)
def test_the_validator_reports_a_mistake_where_preview_does(
    stack_error: Callable[[str, str], str], text: str, expected: str
) -> None:
    error = best_match(VALIDATOR.iter_errors(yaml.safe_load(text)))
    assert error is not None
    assert _schema_path(error) == expected
    line = stack_error(text, "dev")
    reported = re.search(r"stacks/Pulumi\.dev\.yaml:\d+: (platform[\w.\[\]]*)[=:]", line)
    assert reported is not None, line
    assert reported.group(1) == expected


def test_a_team_may_stand_for_a_namespace_but_one_is_needed() -> None:
    workload = {"name": "web", "image": "ghcr.io/acme/web:1.0.0", "readiness": {}, "liveness": {}}
    platform = {"environment": "dev"}

    def errors(entry: dict[str, Any]) -> list[str]:
        document = {"config": {PLATFORM_KEY: {**platform, "workloads": [entry]}}}
        return [e.message for e in VALIDATOR.iter_errors(document)]

    assert errors({**workload, "team": "shop"}) == []
    assert errors({**workload, "namespace": "shop"}) == []
    assert errors(workload) != []


def test_a_postgres_version_is_quoted_or_a_number_as_the_loader_reads_it() -> None:
    from platform_components.config import validate_config

    database = {"name": "orders", "team": "shop", "backup": {"enabled": False}}
    for version, valid in (("17", True), (17, True), ("12", False), (12, False)):
        platform = {"environment": "dev", "databases": [{**database, "version": version}]}
        assert VALIDATOR.is_valid({"config": {PLATFORM_KEY: platform}}) == valid, version
        if valid:
            assert validate_config(platform).databases[0].version.value == "17"


def test_the_gitops_block_refuses_what_the_stack_sets() -> None:
    gitops = yaml.safe_load(DEV_STACK)["config"][PLATFORM_KEY]["gitops"]
    for key in GITOPS_FROM_STACK:
        document = {"config": {PLATFORM_KEY: {"environment": "dev", "gitops": {**gitops, key: "x"}}}}
        assert list(VALIDATOR.iter_errors(document)) != [], key


def test_other_config_keys_are_free_but_namespaced() -> None:
    def errors(config: dict[str, Any]) -> list[str]:
        return [e.message for e in VALIDATOR.iter_errors({"config": config})]

    assert (
        errors({"aws:region": "eu-west-1", "team-service:replicas": "3", "x:y": {"secure": "v1:abc"}}) == []
    )
    assert errors({"region": "eu-west-1"}) != []
    assert errors({"aws:config:region": "eu-west-1"}) == []
    assert errors({"a:b:c": "x"}) != []
    assert errors({"platform:environment": "production"}) != []
    assert errors({"platform:environment": "prod"}) == []
    assert VALIDATOR.is_valid(
        {"secretsprovider": "passphrase", "encryptionsalt": "v1:x", "environment": ["a/b"]}
    )
    assert not VALIDATOR.is_valid({"confg": {}})


# --------------------------------------------------------------------------------------------------
# additionalProperties: false exactly where the model forbids extras


def _models(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        for field in current.model_fields.values():
            todo.extend(_nested_models(field.annotation))


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested_models(arg)]


def test_closed_exactly_where_the_models_forbid_extras() -> None:
    definitions = SCHEMA["$defs"]
    models = {m.__name__: m for m in _models(PlatformConfig)}
    assert "GitOpsBootstrapArgs" in models
    checked = 0
    for name, model in models.items():
        forbids = model.model_config.get("extra") == "forbid"
        if name == "GitOpsBootstrapArgs":  # inlined: the stack file's variant of the block
            (definition,) = [
                b for b in definitions["PlatformConfig"]["properties"]["gitops"]["anyOf"] if "properties" in b
            ]
        else:
            definition = definitions[name]
        assert (definition.get("additionalProperties") is False) == forbids, name
        checked += 1
    assert checked == len(models) > 40


# --------------------------------------------------------------------------------------------------
# docs/editor-support.md: its command runs, its comment line and example are right

EDITOR_DOC = (ROOT / "docs" / "editor-support.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", EDITOR_DOC, re.S | re.M)


def test_editor_doc_command_writes_the_schema_a_team_points_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from platform_components.config import validate_config

    (commands,) = _blocks("bash")
    monkeypatch.chdir(tmp_path)
    for command in commands.splitlines():
        prefix = "uv run platformctl "
        assert command.startswith(prefix), command
        assert main(command.removeprefix(prefix).split()) == 0
    capsys.readouterr()
    repository_line, team_file = _blocks("yaml")
    assert repository_line.strip() == (ROOT / "stacks" / "Pulumi.dev.yaml").read_text().splitlines()[0]
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text(team_file, encoding="utf-8")
    modeline = team_file.splitlines()[0]
    schema_path = modeline.removeprefix("# yaml-language-server: $schema=")
    written = json.loads((stack_file.parent / schema_path).read_text(encoding="utf-8"))
    assert written == SCHEMA
    document = yaml.safe_load(team_file)
    assert [e.message for e in Draft202012Validator(written).iter_errors(document)] == []
    (key,) = [k for k in document["config"] if k.endswith(":platform")]
    validate_config(document["config"][key])
