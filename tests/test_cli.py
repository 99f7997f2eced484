"""platformctl: exit codes, one-line errors, outputs, JSON, colours and the installed entry point."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from platform_components.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEV_STACK = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8")
STACK_DISPLAY = "stacks/Pulumi.dev.yaml"
PROJECT_NAME = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))["name"]
PROGRESS = re.compile(r"^\[\s*\d+\.\d+s\] ")
ANSI = re.compile(r"\x1b\[")
ERROR_PREFIX = "platformctl: error:"


def write_stack(project: Path, text: str, stack: str = "dev") -> str:
    (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(text, encoding="utf-8")
    return text


def modified(old: str, new: str) -> str:
    assert old in DEV_STACK, f"the dev stack no longer contains {old!r}; update the test"
    return DEV_STACK.replace(old, new, 1)


def line_number(text: str, needle: str) -> int:
    found = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def the_error_line(err: str) -> str:
    """The one ``platformctl: error:`` line; every other stderr line must be a progress line."""
    assert "Traceback" not in err
    lines = err.splitlines()
    errors = [line for line in lines if line.startswith(ERROR_PREFIX)]
    assert len(errors) == 1, err
    others = [line for line in lines if not line.startswith(ERROR_PREFIX)]
    assert all(PROGRESS.match(line) for line in others), err
    return errors[0]


# --------------------------------------------------------------------------------------------------
# Bad input: exit 2, one line naming the stack file and the field (or line)

FIRST_IMAGE = "        image: ghcr.io/stefanprodan/podinfo:6.7.1\n"
FRONTEND_RESOURCES = "        resources: {cpu: 50m, memory: 64Mi}\n"

BAD_INPUTS = [
    pytest.param(
        modified('    kubernetes_version: "1.35"\n', '    kubernetes_verison: "1.35"\n'),
        "kubernetes_verison",
        [
            "platform.kubernetes_verison",
            "unknown key 'kubernetes_verison'",
            "did you mean 'kubernetes_version'?",
        ],
        id="unknown-top-level-key",
    ),
    pytest.param(
        modified(FIRST_IMAGE, FIRST_IMAGE + "        replcas: 3\n"),
        "replcas",
        ["platform.workloads[0].replcas", "unknown key 'replcas'", "did you mean 'replicas'?"],
        id="unknown-key-in-workload",
    ),
    pytest.param(
        modified(FRONTEND_RESOURCES, "        resources: {cpu: 50m, memroy: 64Mi}\n"),
        "memroy",
        ["platform.workloads[0].resources.memroy", "did you mean 'memory'?"],
        id="unknown-key-in-resources",
    ),
    pytest.param(
        modified(FRONTEND_RESOURCES, FRONTEND_RESOURCES + "        replicas: many\n"),
        "replicas: many",
        ["platform.workloads[0].replicas='many'", "valid integer"],
        id="wrong-type",
    ),
    pytest.param(
        modified(FRONTEND_RESOURCES, FRONTEND_RESOURCES + "        replicas: -1\n"),
        "replicas: -1",
        ["platform.workloads[0].replicas=-1", "greater than or equal to 1"],
        id="replicas-negative",
    ),
    pytest.param(
        modified(FRONTEND_RESOURCES, "        resources: {cpu: 50m, memory: lots}\n"),
        "memory: lots",
        ["platform.workloads[0].resources.memory='lots'", "not a Kubernetes quantity"],
        id="memory-lots",
    ),
    pytest.param(
        modified(FIRST_IMAGE, ""),
        "- name: frontend",
        ["platform.workloads[0].image", "missing required field 'image'"],
        id="missing-required-field",
    ),
    pytest.param(
        modified('kubernetes_version: "1.35"', 'kubernetes_version: "1.20"'),
        "kubernetes_version",
        ["platform.kubernetes_version='1.20'", "Kubernetes '1.20' is not supported", "1.35"],
        id="unsupported-kubernetes-minor",
    ),
    pytest.param(
        modified("    environment: dev\n", "    environment: dev\n   broken: [\n"),
        "broken: [",
        ["YAML syntax error"],
        id="yaml-syntax-error",
    ),
]


@pytest.mark.parametrize(("text", "line_needle", "fragments"), BAD_INPUTS)
def test_bad_input_exits_2_with_one_error_line(
    project: Path, capsys: pytest.CaptureFixture[str], text: str, line_needle: str, fragments: list[str]
) -> None:
    write_stack(project, text)
    code, out, err = run(capsys, "preview", "--stack", "dev")
    assert code == 2
    line = the_error_line(err)
    assert line.startswith(f"{ERROR_PREFIX} {STACK_DISPLAY}:{line_number(text, line_needle)}: "), line
    for fragment in fragments:
        assert fragment in line
    assert "Traceback" not in out
    assert not (project / "out" / "dev" / "report.json").exists()


def test_missing_stack_lists_the_existing_stacks(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "preview", "--stack", "qa")
    assert code == 2
    line = the_error_line(err)
    assert "stack 'qa' does not exist" in line
    assert "stacks/Pulumi.qa.yaml" in line
    assert line.endswith("existing stacks: dev, local, prod, staging")


def test_not_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, "preview", "--stack", "dev")
    assert code == 2
    assert "is not a Pulumi project (no Pulumi.yaml)" in the_error_line(err)


def test_unknown_schema_version_flag(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "preview", "--stack", "dev", "--kubernetes-version", "1.99")
    assert code == 2
    assert "1.99" in the_error_line(err)


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["preview"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert sum(line.startswith(ERROR_PREFIX) for line in err.splitlines()) == 1


# --------------------------------------------------------------------------------------------------
# Insecure but valid: exit 1, the rule's message on stdout


@pytest.mark.parametrize(
    ("old", "new", "rule_id", "fragment"),
    [
        pytest.param(
            "podinfo:6.7.1\n",
            "podinfo:latest\n",
            "img-pinned",
            'image "ghcr.io/stefanprodan/podinfo:latest" uses the latest tag',
            id="latest",
        ),
        pytest.param(
            FRONTEND_RESOURCES,
            FRONTEND_RESOURCES + "        security: {read_only_root_filesystem: false}\n",
            "wl-readonly-rootfs",
            "readOnlyRootFilesystem is not true",
            id="writable-rootfs",
        ),
    ],
)
def test_insecure_choices_exit_1_with_the_rule_message(
    project: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, rule_id: str, fragment: str
) -> None:
    write_stack(project, modified(old, new))
    code, out, err = run(capsys, "preview", "--stack", "dev")
    assert code == 1
    assert ERROR_PREFIX not in err
    findings = [line.strip() for line in out.splitlines() if line.strip().startswith(f"[{rule_id}]")]
    assert findings, out
    assert f"[{rule_id}] Deployment shop/frontend: " in findings[0]
    assert fragment in findings[0]
    assert "FAILED" in out.splitlines()[-1]
    report = json.loads((project / "out" / "dev" / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["violations"] >= 1
    assert rule_id in {v["rule"] for v in report["violations"]}


# --------------------------------------------------------------------------------------------------
# The dev stack


def test_dev_stack_is_clean_and_writes_the_outputs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "--stack", "dev")
    assert code == 0, out + err
    assert ERROR_PREFIX not in err
    out_dir = project / "out" / "dev"
    manifests = sorted(
        p.relative_to(out_dir / "manifests").as_posix() for p in (out_dir / "manifests").rglob("*.yaml")
    )
    assert "shop/deployment-frontend.yaml" in manifests
    assert "shop/deployment-api.yaml" in manifests
    assert "shop/horizontalpodautoscaler-api.yaml" in manifests
    assert "_cluster/namespace-shop.yaml" in manifests
    deployment = yaml.safe_load(
        (out_dir / "manifests" / "shop" / "deployment-api.yaml").read_text(encoding="utf-8")
    )
    assert deployment["kind"] == "Deployment"
    assert deployment["metadata"]["namespace"] == "shop"
    resources_file = json.loads((out_dir / "resources.json").read_text(encoding="utf-8"))
    assert resources_file["schema_version"] == 1
    resources = resources_file["resources"]
    assert isinstance(resources, list) and resources
    assert {"urn", "type", "name", "parent", "inputs"} <= set(resources[0])
    report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    assert report["stack"] == "dev"
    assert report["project"] == PROJECT_NAME
    assert report["summary"]["violations"] == 0
    assert report["summary"]["schema_errors"] == 0
    assert report["summary"]["clean"] is True
    assert report["summary"]["kubernetes_objects"] == len(manifests)
    assert "clean" in out.splitlines()[-1]


def test_dev_stack_urns_name_the_stack_and_project(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """resources.json records URNs "as the engine would see them": urn:pulumi:<stack>::<project>::<type>::<name>,
    where a resource parented to the stack has no ``pulumi:pulumi:Stack$`` in its type."""
    code, _out, _err = run(capsys, "preview", "--stack", "dev", "--out", "o")
    assert code == 0
    resources = json.loads((project / "o" / "resources.json").read_text(encoding="utf-8"))["resources"]
    for record in resources:
        assert record["urn"].startswith(f"urn:pulumi:dev::{PROJECT_NAME}::"), record["urn"]
        assert "pulumi:pulumi:Stack$" not in record["urn"], record["urn"]


def test_out_option(project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    code, out, _err = run(capsys, "preview", "--stack", "dev", "--out", str(target))
    assert code == 0
    assert (target / "report.json").is_file()
    assert (target / "resources.json").is_file()
    assert (target / "manifests").is_dir()
    assert not (project / "out").exists()
    assert str(target) in out


def test_json_prints_valid_json_only(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "--stack", "dev", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["summary"]["violations"] == 0
    assert report["summary"]["schema_errors"] == 0
    assert report["stack"] == "dev"
    assert err == ""  # no progress lines when stderr is not a terminal
    on_disk = json.loads((project / "out" / "dev" / "report.json").read_text(encoding="utf-8"))
    assert on_disk["summary"] == report["summary"]


def test_json_with_violations_exits_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_stack(project, modified("podinfo:6.7.1\n", "podinfo:latest\n"))
    code, out, _err = run(capsys, "preview", "--stack", "dev", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["clean"] is False
    assert "img-pinned" in {v["rule"] for v in report["violations"]}


# --------------------------------------------------------------------------------------------------
# Other commands, colours


def test_policy_pack_prints_the_pack_directory(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "policy-pack")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1
    pack = Path(lines[0])
    assert pack.is_absolute()
    assert (pack / "PulumiPolicy.yaml").is_file()
    assert (pack / "__main__.py").is_file()
    assert not (pack / "__init__.py").exists()


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "rules")
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines()]
    assert "img-pinned" in ids
    assert "wl-readonly-rootfs" in ids
    assert len(ids) == len(set(ids))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_non_tty_output_has_no_ansi_escapes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_stack(project, modified("podinfo:6.7.1\n", "podinfo:latest\n"))  # red "FAILED" etc. on a terminal
    _code, out, err = run(capsys, "preview", "--stack", "dev")
    assert not ANSI.search(out)
    assert not ANSI.search(err)


@pytest.mark.parametrize("no_color", [None, "1"])
def test_no_color_on_a_terminal(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], no_color: str | None
) -> None:
    write_stack(project, modified("podinfo:6.7.1\n", "podinfo:latest\n"))
    monkeypatch.setenv("TERM", "xterm-256color")
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["preview", "--stack", "dev"]) == 1
    text = terminal.getvalue()
    assert "[img-pinned]" in text
    if no_color is None:
        assert ANSI.search(text), "a terminal without NO_COLOR should get colours (sanity check)"
    else:
        assert not ANSI.search(text)


# --------------------------------------------------------------------------------------------------
# The installed entry point, end to end


def _platformctl() -> list[str]:
    script = Path(sys.executable).parent / ("platformctl.exe" if os.name == "nt" else "platformctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "platform_components.cli"]


def test_console_script_end_to_end(project: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "preview-out"
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [*_platformctl(), "preview", "--stack", "dev", "--out", str(out_dir)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["violations"] == 0
    assert report["summary"]["schema_errors"] == 0
    assert not ANSI.search(proc.stdout)


def test_module_entry_point_reports_bad_config(project: Path) -> None:
    write_stack(project, modified(FRONTEND_RESOURCES, FRONTEND_RESOURCES + "        replicas: -1\n"))
    proc = subprocess.run(
        [sys.executable, "-m", "platform_components.cli", "preview", "--stack", "dev"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    line = the_error_line(proc.stderr)
    assert f"{STACK_DISPLAY}:" in line
    assert "platform.workloads[0].replicas=-1" in line


@pytest.mark.parametrize("command", [["rules"], ["policy-pack"]])
def test_a_closed_pipe_ends_quietly(command: list[str]) -> None:
    """`platformctl rules | head`: the reader is gone before anything is written; no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "platform_components.cli", *command],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert proc.stderr == ""
    assert proc.returncode == 141


def test_bad_arguments_in_python_code_are_one_line_with_a_suggestion() -> None:
    from platform_components import ProbeArgs, SecureWorkloadArgs
    from platform_components.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        SecureWorkloadArgs(namespace="shop", imgae="ghcr.io/acme/api:1.0.0", readiness=ProbeArgs(path="/r"))
    assert (
        str(info.value)
        == "SecureWorkloadArgs.imgae: unknown key 'imgae'; did you mean 'image'? (and 2 more problems)"
    )
    with pytest.raises(ConfigError, match=r"^ProbeArgs\.path="):
        ProbeArgs(path="no-slash")


# --------------------------------------------------------------------------------------------------
# Any object name: a preview reports it or writes it, never a traceback


def _name_project(root: Path, name: str, kind: str = "ConfigMap") -> Path:
    """A project whose program declares one object of ``kind`` named ``name`` in namespace apps."""
    root.mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: names\nruntime: python\n", encoding="utf-8")
    (root / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    (root / "__main__.py").write_text(
        "import pulumi_kubernetes as k8s\n\n"
        f"k8s.core.v1.{kind}('object', metadata={{'name': {name!r}, 'namespace': 'apps'}})\n",
        encoding="utf-8",
    )
    return root


def test_a_name_longer_than_the_api_server_allows_is_a_schema_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _name_project(tmp_path / "project", "a" * 254)
    code, out, err = run(capsys, "preview", str(project), "--stack", "dev", "--out", str(tmp_path / "out"))
    assert code == 1, out + err
    assert "Traceback" not in out + err
    assert ERROR_PREFIX not in err
    errors = [line.strip() for line in out.splitlines() if ": metadata.name: " in line]
    assert errors == [f"ConfigMap apps/{'a' * 254}: metadata.name: must be no more than 253 characters"]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["schema_errors"][0]["path"] == "metadata.name"
    assert "FAILED" in out.splitlines()[-1]
    written = list((tmp_path / "out" / "manifests").rglob("*.yaml"))
    assert len(written) == 1  # the object is still written, under a name the file system takes
    assert yaml.safe_load(written[0].read_text(encoding="utf-8"))["metadata"]["name"] == "a" * 254


def test_the_longest_name_the_api_server_allows_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = ("a" * 62 + ".") * 4 + "b"  # 253 characters: a DNS-1123 subdomain of four full labels and one
    assert len(name) == 253
    project = _name_project(tmp_path / "project", name)
    code, out, err = run(capsys, "preview", str(project), "--stack", "dev", "--out", str(tmp_path / "out"))
    assert code == 0, out + err
    assert "Traceback" not in out + err
    [written] = list((tmp_path / "out" / "manifests" / "apps").glob("*.yaml"))
    assert written.name.startswith("configmap-aaaa")
    assert re.search(r"~[0-9a-f]{16}\.yaml$", written.name), written.name
    assert len(written.name) <= 128
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["metadata"]["name"] == name


def test_a_service_name_the_api_server_refuses_is_reported_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _name_project(tmp_path / "project", "1st-service", kind="Service")
    code, _out, _err = run(capsys, "preview", str(project), "--stack", "dev", "--out", str(tmp_path / "out"))
    assert code == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    first = report["schema_errors"][0]
    assert first["resource"] == "Service apps/1st-service"
    assert first["path"] == "metadata.name"
    assert first["message"].startswith("a DNS-1035 label must consist of lower case alphanumeric characters")


def test_outputs_that_cannot_be_written_are_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n", encoding="utf-8")
    code, out, err = run(capsys, "preview", "--stack", "local", "--out", str(blocker))
    assert code == 2
    line = the_error_line(err)
    assert line.startswith(f"{ERROR_PREFIX} cannot write the outputs to {blocker}: "), line
    assert line.endswith("; choose --out")
    assert out == ""
    assert blocker.read_text(encoding="utf-8") == "not a directory\n"
