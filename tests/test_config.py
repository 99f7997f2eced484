"""PlatformConfig, its one-line validation errors, stack files and the in-program loader."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from platform_components.config import (
    CONFIG_KEY,
    DEFAULT_KUBERNETES_VERSION,
    SUPPORTED_KUBERNETES_VERSIONS,
    Environment,
    PlatformConfig,
    StackFile,
    WorkloadConfig,
    find_stack_file,
    format_validation_error,
    load_platform_config,
    validate_config,
)
from platform_components.errors import ConfigError, PlatformError
from platform_components.testing import preview_function
from platform_components.workload import SecureWorkloadArgs, render_workload
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parent.parent
PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))["name"]
KEY = f"{PROJECT}:{CONFIG_KEY}"
DISPLAY = "stacks/Pulumi.test.yaml"

GOOD_STACK = textwrap.dedent(
    f"""\
    # a test stack
    config:
      {KEY}:
        environment: dev
        kubernetes_version: "1.35"
        workloads:
          - name: web
            namespace: shop
            image: ghcr.io/acme/web:1.0.0
            replicas: 2
            readiness:
              path: /readyz
            liveness:
              path: /livez
            resources:
              cpu: 50m
              memory: 64Mi
          - name: api
            namespace: shop
            image: ghcr.io/acme/api:1.0.0
            readiness: {{path: /readyz}}
            liveness: {{path: /livez}}
            autoscaling: {{min_replicas: 2, max_replicas: 4}}
    """
)


def line_number(text: str, needle: str) -> int:
    """1-based number of the only line containing ``needle``."""
    found = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def validate_stack_text(tmp_path: Path, text: str) -> PlatformConfig:
    """Validate the platform key of a stack file the way the loader does (file, line, YAML path)."""
    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(text, encoding="utf-8")
    stack = StackFile(path, display=DISPLAY)

    def locate(loc: Any) -> int | None:
        return stack.line_of(["config", KEY, *loc])

    result: PlatformConfig = validate_config(stack.config[KEY], source=DISPLAY, locate=locate)
    return result


def config_error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        validate_stack_text(tmp_path, text)
    return info.value


# --------------------------------------------------------------------------------------------------
# Defaults


def test_kubernetes_version_default_is_supported() -> None:
    assert DEFAULT_KUBERNETES_VERSION in SUPPORTED_KUBERNETES_VERSIONS
    config = PlatformConfig(environment=Environment.DEV)
    assert config.kubernetes_version == DEFAULT_KUBERNETES_VERSION


def test_workloads_default_empty() -> None:
    config = PlatformConfig.model_validate({"environment": "prod"})
    assert config.workloads == []
    assert config.namespaces == []


def test_platform_config_fields_and_defaults() -> None:
    fields = PlatformConfig.model_fields
    assert {name for name, field in fields.items() if field.is_required()} == {"environment"}
    assert fields["kubernetes_version"].get_default(call_default_factory=True) == DEFAULT_KUBERNETES_VERSION
    assert fields["workloads"].get_default(call_default_factory=True) == []
    assert {e.value for e in Environment} == {"dev", "staging", "prod", "local"}


def test_supported_versions_are_sorted_minors() -> None:
    minors = [tuple(int(part) for part in v.split(".")) for v in SUPPORTED_KUBERNETES_VERSIONS]
    assert minors == sorted(minors)
    assert all(len(m) == 2 and m[0] == 1 for m in minors)


def test_good_stack_validates(tmp_path: Path) -> None:
    config = validate_stack_text(tmp_path, GOOD_STACK)
    assert config.environment is Environment.DEV
    assert [w.name for w in config.workloads] == ["web", "api"]
    assert config.namespaces == ["shop"]


def test_workload_config_to_args_drops_the_name_and_keeps_what_was_set(tmp_path: Path) -> None:
    web, api = validate_stack_text(tmp_path, GOOD_STACK).workloads
    args = api.to_args()
    assert isinstance(args, SecureWorkloadArgs)
    assert not isinstance(args, WorkloadConfig)
    assert "name" not in type(args).model_fields
    # replicas was not set for the autoscaled workload, so the HPA owns the count
    assert "replicas" not in args.model_fields_set
    assert args.autoscaling is not None and args.autoscaling.max_replicas == 4
    assert "replicas" not in render_workload(api.name, args)["Deployment"]["spec"]
    assert web.to_args().resources.cpu == "50m"


# --------------------------------------------------------------------------------------------------
# One-line errors: file, line, YAML path, problem


def _bad(old: str, new: str) -> str:
    assert old in GOOD_STACK
    return GOOD_STACK.replace(old, new, 1)


ERROR_CASES = [
    pytest.param(
        _bad("        replicas: 2\n", "        replcas: 2\n"),
        "replcas: 2",
        "platform.workloads[0].replcas: unknown key 'replcas'; did you mean 'replicas'?",
        id="unknown-key-typo",
    ),
    pytest.param(
        _bad('    kubernetes_version: "1.35"\n', '    kubernetes_verison: "1.35"\n'),
        "kubernetes_verison",
        "platform.kubernetes_verison: unknown key 'kubernetes_verison'; did you mean 'kubernetes_version'?",
        id="unknown-top-level-key",
    ),
    pytest.param(
        _bad("          memory: 64Mi\n", "          memroy: 64Mi\n"),
        "memroy",
        "platform.workloads[0].resources.memroy: unknown key 'memroy'; did you mean 'memory'?",
        id="unknown-nested-key",
    ),
    pytest.param(
        _bad("        replicas: 2\n", "        replicas: many\n"),
        "replicas: many",
        "platform.workloads[0].replicas='many': Input should be a valid integer",
        id="wrong-type",
    ),
    pytest.param(
        _bad("        replicas: 2\n", "        replicas: -1\n"),
        "replicas: -1",
        "platform.workloads[0].replicas=-1: Input should be greater than or equal to 1",
        id="replicas-negative",
    ),
    pytest.param(
        _bad("          memory: 64Mi\n", "          memory: lots\n"),
        "memory: lots",
        "platform.workloads[0].resources.memory='lots': 'lots' is not a Kubernetes quantity",
        id="memory-lots",
    ),
    pytest.param(
        _bad("        image: ghcr.io/acme/web:1.0.0\n", ""),
        "- name: web",
        "platform.workloads[0].image: missing required field 'image'",
        id="missing-required-field",
    ),
    pytest.param(
        _bad('kubernetes_version: "1.35"', 'kubernetes_version: "1.20"'),
        "kubernetes_version",
        "platform.kubernetes_version='1.20': Kubernetes '1.20' is not supported; use one of "
        + ", ".join(SUPPORTED_KUBERNETES_VERSIONS),
        id="unsupported-kubernetes-version",
    ),
    pytest.param(
        _bad('kubernetes_version: "1.35"', "kubernetes_version: 1.35"),
        "kubernetes_version",
        "platform.kubernetes_version=1.35: write the Kubernetes version as a quoted string",
        id="unquoted-kubernetes-version",
    ),
    pytest.param(
        _bad("    environment: dev\n", "    environment: qa\n"),
        "environment: qa",
        "platform.environment='qa': Input should be 'dev', 'staging', 'prod' or 'local'",
        id="bad-environment",
    ),
    pytest.param(
        _bad("      - name: api\n", "      - name: Api\n"),
        "name: Api",
        "platform.workloads[1].name='Api': 'Api' is not a DNS-1035 label",
        id="bad-workload-name",
    ),
]


@pytest.mark.parametrize(("text", "line_needle", "expected"), ERROR_CASES)
def test_config_error_is_one_line_with_file_line_path_and_problem(
    tmp_path: Path, text: str, line_needle: str, expected: str
) -> None:
    error = config_error(tmp_path, text)
    message = str(error)
    assert "\n" not in message
    line = line_number(text, line_needle)
    assert message.startswith(f"{DISPLAY}:{line}: "), message
    assert expected in message
    assert error.source == f"{DISPLAY}:{line}"
    assert error.path is not None and message.removeprefix(f"{DISPLAY}:{line}: ").startswith(error.path)
    assert isinstance(error, PlatformError)


def test_duplicate_workload_names(tmp_path: Path) -> None:
    text = _bad("      - name: api\n", "      - name: web\n")
    message = str(config_error(tmp_path, text))
    assert "\n" not in message
    assert message.startswith(f"{DISPLAY}:")
    assert (
        "platform.workloads: duplicate name 'web' (workloads[0] and workloads[1]); "
        "workload names must be unique in the stack, rename one" in message
    )


def test_same_name_in_different_namespaces_is_refused(tmp_path: Path) -> None:
    # Workload names are the components' logical names, so they must be unique in the stack.
    text = GOOD_STACK.replace(
        "      - name: api\n        namespace: shop", "      - name: web\n        namespace: blog"
    )
    message = str(config_error(tmp_path, text))
    assert "duplicate name 'web' (workloads[0] and workloads[1])" in message


def test_several_problems_are_counted_on_the_same_line(tmp_path: Path) -> None:
    text = _bad("        replicas: 2\n", "        replicas: -1\n        tmp_size_limit: lots\n")
    message = str(config_error(tmp_path, text))
    assert "\n" not in message
    assert message.endswith("(and 1 more problem)")


def test_error_without_locate_names_the_file_only() -> None:
    with pytest.raises(ConfigError) as info:
        validate_config({"environment": "dev", "workloads": [{"name": "x"}]}, source="stacks/Pulumi.dev.yaml")
    message = str(info.value)
    assert message.startswith("stacks/Pulumi.dev.yaml: platform.workloads[0].")
    assert "missing required field" in message
    assert "\n" not in message


WORKLOAD = {"name": "web", "namespace": "shop", "image": "a/b:1", "readiness": {}, "liveness": {}}


def test_error_without_source() -> None:
    with pytest.raises(ConfigError) as info:
        validate_config({"environment": "dev", "workloads": [{**WORKLOAD, "replcas": 1}]})
    assert str(info.value).startswith("platform.workloads[0].replcas: unknown key 'replcas'; did you mean")


@pytest.mark.parametrize(
    ("raw", "typo", "meant"),
    [
        pytest.param(
            {
                "environment": "dev",
                "workloads": [{**{k: v for k, v in WORKLOAD.items() if k != "image"}, "imgae": "a/b:1"}],
            },
            "imgae",
            "image",
            id="workload-image",
        ),
        pytest.param({"enviroment": "dev"}, "enviroment", "environment", id="environment"),
    ],
)
def test_typo_of_a_required_key_is_reported_as_the_typo(raw: dict[str, Any], typo: str, meant: str) -> None:
    """A misspelt required key must not produce "missing required field ...; add it" alone: the user
    did write it, so the message must name the unknown key and suggest the right one."""
    with pytest.raises(ConfigError) as info:
        validate_config(raw, source="stacks/Pulumi.dev.yaml")
    message = str(info.value)
    assert f"unknown key {typo!r}" in message
    assert f"did you mean {meant!r}?" in message


def test_not_a_mapping() -> None:
    with pytest.raises(
        ConfigError, match=r"^stacks/Pulumi.dev.yaml: platform must be a mapping of settings, got list"
    ):
        validate_config(["dev"], source="stacks/Pulumi.dev.yaml")


def _secret_error(value: str) -> ConfigError:
    with pytest.raises(ValidationError) as info:
        PlatformConfig.model_validate({"environment": "dev", "kubernetes_version": value})
    return format_validation_error(info.value, source="x.yaml", secret_paths=["platform.kubernetes_version"])


def test_secret_path_value_is_not_appended_to_the_path() -> None:
    error = _secret_error("s3cr3t-value")
    assert str(error).startswith("x.yaml: platform.kubernetes_version: ")
    assert error.path == "platform.kubernetes_version"


def test_secret_values_are_never_echoed() -> None:
    """The module promises "Secret values are never echoed"; the validator's message must not carry
    the value of a secret path either."""
    assert "s3cr3t-value" not in str(_secret_error("s3cr3t-value"))


# --------------------------------------------------------------------------------------------------
# Stack files


def test_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    text = _bad("        replicas: 2\n", "        replicas: 2\n       bad: [\n")
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        StackFile(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line_number(text, 'bad: [')}: YAML syntax error: ")


def test_yaml_syntax_error_with_display_name(tmp_path: Path) -> None:
    text = "config:\n  key: [unclosed\n  other: 1\n"
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^stacks/Pulumi\.broken\.yaml:\d+: YAML syntax error"):
        StackFile(path, display="stacks/Pulumi.broken.yaml")


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
@pytest.mark.parametrize("stack", ["dev", "prod", "local"])
def test_both_yaml_parsers_read_a_stack_file_alike(
    monkeypatch: pytest.MonkeyPatch, stack: str, loader: str
) -> None:
    """libyaml's parser where PyYAML has it, PyYAML's own otherwise: the same data and lines."""
    if not hasattr(yaml, loader):
        pytest.skip(f"PyYAML was built without {loader}")
    import platform_components.config as config_module

    path = Path(__file__).resolve().parents[1] / "stacks" / f"Pulumi.{stack}.yaml"
    text = path.read_text(encoding="utf-8")
    monkeypatch.setattr(config_module, "STACK_FILE_LOADER", getattr(yaml, loader))
    parsed = StackFile(path)
    assert parsed.data == yaml.safe_load(text)
    key = f"platform-components:{CONFIG_KEY}"
    assert parsed.line_of(["config", key, "kubernetes_version"]) == line_number(text, "kubernetes_version:")


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
def test_both_yaml_parsers_name_the_line_of_a_syntax_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    if not hasattr(yaml, loader):
        pytest.skip(f"PyYAML was built without {loader}")
    import platform_components.config as config_module

    monkeypatch.setattr(config_module, "STACK_FILE_LOADER", getattr(yaml, loader))
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text("config:\n  a: 1\n  b: c: d\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}:3: YAML syntax error: mapping values are not allowed"):
        StackFile(path)


def test_missing_stack_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        StackFile(tmp_path / "Pulumi.nope.yaml")


def test_stack_file_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping with a 'config' key"):
        StackFile(path)


def test_empty_stack_file_has_empty_config(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.empty.yaml"
    path.write_text("", encoding="utf-8")
    assert StackFile(path).config == {}


def test_line_of_finds_nested_keys_and_list_items(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(GOOD_STACK, encoding="utf-8")
    stack = StackFile(path)
    assert stack.line_of(["config", KEY]) == line_number(GOOD_STACK, f"{KEY}:")
    assert stack.line_of(["config", KEY, "workloads", 1]) == line_number(GOOD_STACK, "- name: api")
    assert stack.line_of(["config", KEY, "workloads", 0, "resources", "cpu"]) == line_number(
        GOOD_STACK, "cpu: 50m"
    )
    # a missing key: the line of the deepest key found
    assert stack.line_of(["config", KEY, "workloads", 0, "nope"]) == line_number(GOOD_STACK, "- name: web")


def test_secure_keys(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.sec.yaml"
    path.write_text("config:\n  p:token:\n    secure: AAABAxyz\n  p:plain: x\n", encoding="utf-8")
    assert StackFile(path).secure_keys() == ["p:token"]


def test_find_stack_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: p\nruntime: python\nstackConfigDir: stacks\n", encoding="utf-8"
    )
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    found = find_stack_file("dev", start=tmp_path / "sub")
    assert found == ((tmp_path / "stacks" / "Pulumi.dev.yaml").resolve(), "stacks/Pulumi.dev.yaml")
    assert find_stack_file("prod", start=tmp_path) is None


STACK_FILES = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))


def test_there_are_stack_files() -> None:
    assert STACK_FILES, "stacks/ has no Pulumi.<stack>.yaml"


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_every_stack_file_validates(path: Path) -> None:
    stack = StackFile(path, display=str(path.relative_to(ROOT)))
    assert KEY in stack.config, f"{path.name} lacks {KEY}"
    config = validate_config(
        stack.config[KEY],
        source=stack.display,
        locate=lambda loc: stack.line_of(["config", KEY, *loc]),
    )
    assert isinstance(config, PlatformConfig)
    assert config.kubernetes_version in SUPPORTED_KUBERNETES_VERSIONS
    for workload in config.workloads:
        args = workload.to_args()
        manifests = render_workload(workload.name, args)
        controller = manifests["Rollout" if args.canary is not None else "Deployment"]
        assert controller["metadata"]["namespace"] == workload.namespace


# --------------------------------------------------------------------------------------------------
# load_platform_config inside a running program


def test_load_platform_config_in_a_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    seen: list[PlatformConfig] = []
    raw = {"environment": "staging", "workloads": [{"name": "web", "namespace": "shop", "image": "a/b:1"}]}
    raw["workloads"][0].update(readiness={}, liveness={})  # type: ignore[index]
    preview_function(lambda: seen.append(load_platform_config()), config={CONFIG_KEY: raw})
    assert seen[0].environment is Environment.STAGING
    assert seen[0].workloads[0].name == "web"


def test_load_platform_config_errors_name_the_stack_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        ConfigError, match=r"^Pulumi\.test\.yaml: platform\.workloads='web': Input should be a valid list"
    ):
        preview_function(
            lambda: load_platform_config(), config={CONFIG_KEY: {"environment": "dev", "workloads": "web"}}
        )


def test_load_platform_config_missing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"missing config key 'test:platform'; add it under 'config:'"):
        preview_function(lambda: load_platform_config())
