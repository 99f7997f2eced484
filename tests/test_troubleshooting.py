"""docs/troubleshooting.md names every exit-2 error family of ``platformctl``: each family is triggered
here, exits 2 with one ``platformctl: error:`` line and no traceback, and that line has one of the
message shapes the family's section of the page shows (``<placeholder>`` stands for any text)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pulumi
import pytest
from _readme import DOCS, ROOT, blocks, section
from platform_components.cli import main
from platform_components.preview import _sdk

PAGE = DOCS / "troubleshooting.md"
PREFIX = "platformctl: error: "


def _copy_project(root: Path) -> Path:
    """This repository's Pulumi project (Pulumi.yaml, platform/, stacks/) in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "platform", root / "platform", ignore=ignore)
    shutil.copytree(ROOT / "stacks", root / "stacks", ignore=ignore)
    return root


def _edit_stack(root: Path, stack: str, old: str, new: str) -> None:
    path = root / "stacks" / f"Pulumi.{stack}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"stacks/Pulumi.{stack}.yaml no longer contains {old!r}; update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _program_project(root: Path, program: str) -> Path:
    """A one-file team project whose ``__main__.py`` is ``program``."""
    root.mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: team\nruntime: python\n", encoding="utf-8")
    (root / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    (root / "__main__.py").write_text(textwrap.dedent(program), encoding="utf-8")
    return root


def _preview(root: Path, stack: str = "dev") -> list[str]:
    return ["preview", str(root), "--stack", stack, "--out", str(root / "out")]


Trigger = Callable[[Path, pytest.MonkeyPatch], list[str]]
"""Prepares a failure in a temporary folder; returns the ``platformctl`` arguments that hit it."""


def _usage(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    return ["preview", str(tmp)]


def _not_a_project(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    return _preview(tmp)


def _project_file(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (tmp / "Pulumi.yaml").write_text("name: web\nruntime: nodejs\n", encoding="utf-8")
    return _preview(tmp)


def _missing_stack(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    return _preview(_copy_project(tmp), "qa")


def _yaml_syntax(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    root = _copy_project(tmp)
    _edit_stack(root, "dev", "    environment: dev\n", "    environment: dev\n   broken: [\n")
    return _preview(root)


def _unknown_key(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    root = _copy_project(tmp)
    _edit_stack(
        root,
        "dev",
        "        image: ghcr.io/stefanprodan/podinfo:6.7.1\n",
        "        image: ghcr.io/stefanprodan/podinfo:6.7.1\n        replcas: 3\n",
    )
    return _preview(root)


def _bad_value(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    root = _copy_project(tmp)
    _edit_stack(
        root,
        "dev",
        "        resources: {cpu: 50m, memory: 64Mi}\n",
        "        resources: {cpu: 50m, memory: lots}\n",
    )
    return _preview(root)


def _missing_field(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    root = _copy_project(tmp)
    _edit_stack(root, "dev", "        image: ghcr.io/stefanprodan/podinfo:6.7.1\n", "")
    return _preview(root)


def _kubernetes_version(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    return [*_preview(_copy_project(tmp)), "--kubernetes-version", "1.99"]


def _environment(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    root = _copy_project(tmp)
    _edit_stack(root, "local", "  platform:environment: local ", "  platform:environment: qa ")
    return _preview(root, "local")


def _secret_config(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    root = _copy_project(tmp)
    _edit_stack(
        root,
        "local",
        "  platform-components:orders-app-password:\n",
        "  platform-components:unused-password:\n",
    )
    return _preview(root, "local")


def _bad_arguments(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    program = """\
        from platform_components import ProbeArgs, SecureWorkload, SecureWorkloadArgs

        SecureWorkload("api", SecureWorkloadArgs(namespace="shop", imgae="ghcr.io/acme/api:1.0.0", readiness=ProbeArgs(path="/r")))
    """
    return _preview(_program_project(tmp / "team", program))


def _refused_combination(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    program = """\
        from platform_components import AutoscalingArgs, ProbeArgs, SecureWorkload, SecureWorkloadArgs

        SecureWorkload(
            "api",
            SecureWorkloadArgs(
                namespace="shop",
                image="ghcr.io/acme/api:1.0.0",
                readiness=ProbeArgs(path="/readyz"),
                liveness=ProbeArgs(path="/livez"),
                replicas=3,
                autoscaling=AutoscalingArgs(min_replicas=2, max_replicas=6),
            ),
        )
    """
    return _preview(_program_project(tmp / "team", program))


def _program_error(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    return _preview(_program_project(tmp / "team", 'raise RuntimeError("boom")\n'))


def _sdk_compatibility(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    mp.delattr(pulumi.runtime, "run_in_stack")
    real = _sdk._lookup
    mp.setattr(
        _sdk,
        "_lookup",
        lambda module, name: (
            None if (module, name) == ("pulumi.runtime.stack", "Stack") else real(module, name)
        ),
    )
    return _preview(_program_project(tmp / "team", "import pulumi\n"))


FAMILIES: dict[str, tuple[str, Trigger]] = {
    "usage": ("## Bad usage", _usage),
    "not-a-project": ("## Not a Pulumi project", _not_a_project),
    "project-file": ("## A Pulumi.yaml the preview cannot run", _project_file),
    "missing-stack": ("## Missing stack", _missing_stack),
    "yaml-syntax": ("## YAML syntax error", _yaml_syntax),
    "unknown-key": ("## Unknown key (did you mean)", _unknown_key),
    "bad-value": ("## Bad value", _bad_value),
    "missing-field": ("## Missing required field", _missing_field),
    "kubernetes-version": ("## Unsupported Kubernetes minor", _kubernetes_version),
    "environment": ("## Unknown or contradicting environment", _environment),
    "secret-config": ("## Secret config key not set or not secret", _secret_config),
    "bad-arguments": ("## Bad arguments in Python code", _bad_arguments),
    "refused-combination": ("## A component refuses a combination", _refused_combination),
    "program-error": ("## Program error", _program_error),
    "sdk": ("## Unsupported Pulumi SDK", _sdk_compatibility),
}
"""Every exit-2 family but the missing extra (a process of its own, below): the page's heading and
how to trigger it."""


def shapes(heading: str) -> list[re.Pattern[str]]:
    """The message shapes of the family's section: the lines of its first ``text`` block."""
    (block, *_) = blocks(section(heading, PAGE), "text")
    parts = [re.split(r"<[^<>]+>", line) for line in block.splitlines() if line.strip()]
    return [re.compile(".+".join(re.escape(part) for part in line)) for line in parts]


def assert_has_a_shape(heading: str, line: str) -> None:
    assert line.startswith(PREFIX), line
    patterns = shapes(heading)
    assert any(pattern.fullmatch(line) for pattern in patterns), (line, [p.pattern for p in patterns])


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_exits_2_with_a_line_the_page_shows(
    family: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    heading, trigger = FAMILIES[family]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    argv = trigger(tmp_path, monkeypatch)
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own exit
        code = exit_.code  # type: ignore[assignment]
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith(PREFIX)]
    assert_has_a_shape(heading, line)


BLOCK_AWS = """\
import importlib.abc, sys

class NoAws(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "pulumi_aws":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoAws())
from platform_components.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_a_missing_extra_exits_2_with_a_line_the_page_shows(tmp_path: Path) -> None:
    """An install without the aws extra previews the dev stack (an EksCluster): one line naming it."""
    root = _copy_project(tmp_path / "project")
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_AWS, *_preview(root)],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith(PREFIX)]
    assert_has_a_shape("## Missing extra", line)


def test_the_page_has_no_family_the_tests_do_not_trigger() -> None:
    headings = re.findall(r"^## .+$", PAGE.read_text(encoding="utf-8"), re.M)
    families = {heading for heading, _ in FAMILIES.values()} | {"## Missing extra"}
    assert sorted(set(headings) - families) == [], "trigger each family the page lists"
    assert sorted(families - set(headings)) == [], "the page must name every family"


def test_each_section_says_cause_and_fix() -> None:
    for heading in re.findall(r"^## .+$", PAGE.read_text(encoding="utf-8"), re.M):
        text = section(heading, PAGE)
        assert "**Cause.**" in text and "**Fix.**" in text, heading
