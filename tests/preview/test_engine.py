"""The offline engine: recording, secrets, schema errors, program errors."""

import json
import os
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import pytest
from platform_components.errors import ConfigError, PreviewError
from platform_components.preview.engine import check, preview, run_program
from platform_components.preview.mocks import SECRET_MARKER
from platform_components.preview.report import write_outputs
from platform_components.preview.schema import validate_manifest
from platform_components.testing import preview_function


def test_records_parent_options_and_masks_secrets() -> None:
    def program() -> None:
        parent = pulumi.ComponentResource("test:index:Thing", "thing")
        k8s.core.v1.Secret(
            "creds",
            metadata={"name": "creds", "namespace": "apps"},
            string_data={"password": pulumi.Output.secret("hunter2-very-secret")},
            opts=pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True),
        )

    run = run_program(program, project="p", stack="s")
    secret = next(r for r in run.records if r.name == "creds")
    assert secret.parent.endswith("test:index:Thing::thing")
    assert secret.protect and secret.retain_on_delete
    # the SDK marks the whole stringData secret; the record keeps its keys and masks every value
    assert secret.inputs["stringData"] == {"password": SECRET_MARKER}
    assert "hunter2" not in json.dumps([r.as_dict() for r in run.records])


def test_secret_never_reaches_outputs(tmp_path: Path) -> None:
    def program() -> None:
        k8s.core.v1.Secret(
            "creds",
            metadata={"name": "creds", "namespace": "apps"},
            string_data={"password": pulumi.Output.secret("hunter2-very-secret")},
        )
        pulumi.export("password", pulumi.Output.secret("hunter2-very-secret"))

    run = run_program(program, project="p", stack="s")
    result = check(run, project="p", stack="s", kubernetes_version="1.35")
    write_outputs(result, tmp_path)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert "hunter2" not in path.read_text(), path


def test_integral_numbers_stay_integers() -> None:
    result = preview_function(
        lambda: k8s.core.v1.Service(
            "svc",
            metadata={"name": "svc", "namespace": "apps"},
            spec={"ports": [{"port": 80, "targetPort": 8080}]},
        )
    )
    port = result.manifest("Service", "svc")["spec"]["ports"][0]
    assert port == {"port": 80, "targetPort": 8080}
    assert isinstance(port["port"], int)


def test_autonamed_objects_get_a_provider_style_name() -> None:
    result = preview_function(lambda: k8s.core.v1.ConfigMap("settings", metadata={"namespace": "apps"}))
    (manifest,) = result.manifests
    assert manifest["metadata"]["name"].startswith("settings-")


def test_schema_error_names_object_and_field() -> None:
    errors = validate_manifest(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "x", "namespace": "a"},
            "spec": {"replicas": "two", "selector": {}, "template": {}, "bogus": 1},
        },
        "1.35",
        display="Deployment a/x",
    )
    messages = [str(e) for e in errors]
    assert any("spec.replicas" in m for m in messages), messages
    assert any("unknown field" in m and "bogus" in m for m in messages), messages


def test_unknown_kind_is_a_schema_error() -> None:
    (error,) = validate_manifest(
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}},
        "1.35",
        display="Widget w",
    )
    assert "no schema for example.com/v1 Widget" in error.message


def test_unsupported_schema_minor_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"no Kubernetes OpenAPI schema for 1\.12"):
        validate_manifest(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, "1.12", display="x"
        )


def _write_project(root: Path, program: str) -> None:
    (root / "prog").mkdir()
    (root / "prog" / "__main__.py").write_text(program)
    (root / "Pulumi.yaml").write_text("name: demo\nruntime: python\nmain: prog/\n")
    (root / "Pulumi.dev.yaml").write_text("config:\n  demo:greeting: hello\n")


def test_a_failing_program_is_one_line_with_its_location(tmp_path: Path) -> None:
    _write_project(
        tmp_path, "import pulumi\n\nvalue = pulumi.Config().require('greeting')\nraise RuntimeError('boom')\n"
    )
    with pytest.raises(PreviewError) as info:
        preview(tmp_path, "dev")
    assert str(info.value) == "the program failed at prog/__main__.py:4: RuntimeError: boom"


def test_program_runs_in_its_folder_with_the_stack_config(tmp_path: Path) -> None:
    _write_project(
        tmp_path,
        "import os, pulumi\n"
        "pulumi.export('cwd', os.path.basename(os.getcwd()))\n"
        "pulumi.export('greeting', pulumi.Config().require('greeting'))\n",
    )
    result = preview(tmp_path, "dev")
    assert result.stack_outputs == {"cwd": "prog", "greeting": "hello"}


def test_missing_project_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a Pulumi project"):
        preview(tmp_path, "dev")


def test_output_registry_behaves_like_the_sdk_deque() -> None:
    from platform_components.preview.engine import OutputRegistry

    registry = OutputRegistry()
    for item in ("a", "b", "c"):
        registry.append(item)
    registry.remove("b")
    assert len(registry) == 2
    with pytest.raises(ValueError, match="not in registry"):
        registry.remove("b")
    assert registry.popleft() == "a"
    registry.append("a")  # wait_for_rpcs re-queues unfinished futures at the end
    assert list(registry) == ["c", "a"]
    registry.clear()
    assert len(registry) == 0
    with pytest.raises(IndexError):
        registry.popleft()


def test_a_stack_without_aws_resources_loads_neither_moto_nor_pulumi_aws(tmp_path: Path) -> None:
    """The local stack declares no cluster: its preview imports no AWS SDK, no moto and no
    Kubernetes API group it renders nothing of; prod's EksCluster brings both AWS packages, and
    only pulumi-aws once the tape of moto's answers to prod's calls is in the user cache."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    code = (
        "import json, sys\n"
        "from platform_components.preview.engine import preview\n"
        "result = preview('.', sys.argv[1])\n"
        "assert result.records\n"
        "print(' '.join(sorted(m for m in ('moto', 'boto3', 'botocore', 'pulumi_aws', "
        "'pulumi_kubernetes.rbac.v1._inputs') if m in sys.modules)))\n"
        "print(json.dumps([len(result.records), sorted(map(str, result.schema_errors))]))\n"
    )
    found, outcome = {}, {}
    env = {**os.environ, "PLATFORM_COMPONENTS_CACHE": str(tmp_path / "cache")}
    for run, stack in (("local", "local"), ("prod", "prod"), ("prod again", "prod")):
        done = subprocess.run(
            [sys.executable, "-c", code, stack],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        modules, result = done.stdout.splitlines()[-2:]
        found[run], outcome[run] = modules.split(), json.loads(result)
    assert found["local"] == []
    assert {"moto", "boto3", "botocore", "pulumi_aws"} <= set(found["prod"])
    assert not {"moto", "boto3", "botocore"} & set(found["prod again"])
    assert "pulumi_aws" in found["prod again"]
    assert outcome["prod again"] == outcome["prod"]
