"""A program that fails: ``platformctl preview`` prints the one ``platformctl: error:`` line on
stderr and nothing else (no asyncio traceback, no "Task exception was never retrieved" or "Event
loop is closed"), in a process of its own, exactly as a user runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROGRESS = re.compile(r"^\[\s*\d+\.\d+s\] ")

RAISES_AFTER_REGISTERING = """\
import pulumi_kubernetes as k8s

k8s.core.v1.ConfigMap("settings", metadata={"name": "settings", "namespace": "apps"}, data={"a": "b"})
raise RuntimeError("boom after registering")
"""

RAISES_INSIDE_AN_APPLY = """\
import pulumi_kubernetes as k8s

config = k8s.core.v1.ConfigMap("settings", metadata={"name": "settings", "namespace": "apps"}, data={"a": "b"})


def fail(name):
    raise ValueError(f"boom inside apply for {name}")


k8s.core.v1.ConfigMap("derived", metadata={"namespace": "apps"}, data={"x": config.metadata.name.apply(fail)})
"""

MANY_APPLIES_FAIL = """\
import pulumi_kubernetes as k8s

config = k8s.core.v1.ConfigMap("settings", metadata={"namespace": "apps"}, data={"a": "b"})
for index in range(60):
    k8s.core.v1.ConfigMap(
        f"derived-{index}", metadata={"namespace": "apps"}, data={"x": config.metadata.name.apply(lambda n: 1 / 0)}
    )
"""

SHARED_FAILING_APPLY_THEN_RAISES = """\
import pulumi_kubernetes as k8s

config = k8s.core.v1.ConfigMap("settings", metadata={"namespace": "apps"}, data={"a": "b"})
bad = config.metadata.name.apply(lambda n: 1 / 0)
for index in range(5):
    k8s.core.v1.ConfigMap(f"derived-{index}", metadata={"namespace": "apps"}, data={"x": bad})
raise RuntimeError("boom")
"""

CLEAN = """\
import pulumi_kubernetes as k8s

k8s.core.v1.ConfigMap("settings", metadata={"namespace": "apps"}, data={"a": "b"})
"""

FAILURES = {
    "after": (
        RAISES_AFTER_REGISTERING,
        "platformctl: error: the program failed at __main__.py:4: RuntimeError: boom after registering",
    ),
    "apply": (
        RAISES_INSIDE_AN_APPLY,
        "platformctl: error: the program failed at __main__.py:7: ValueError: boom inside apply for "
        "settings (while processing resource 'derived' of type kubernetes:core/v1:ConfigMap, input 'data')",
    ),
    "many": (
        MANY_APPLIES_FAIL,
        "platformctl: error: the program failed at __main__.py:6: ZeroDivisionError: division by zero",
    ),
    "shared": (
        SHARED_FAILING_APPLY_THEN_RAISES,
        "platformctl: error: the program failed at __main__.py:4: ZeroDivisionError: division by zero",
    ),
}


def _project(root: Path, program: str) -> Path:
    root.mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: failing\nruntime: python\n")
    (root / "Pulumi.dev.yaml").write_text("config: {}\n")
    (root / "__main__.py").write_text(program)
    return root


def _platformctl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "platformctl"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "platform_components.cli"]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_json_stderr_is_exactly_the_one_line(tmp_path: Path, kind: str) -> None:
    program, expected = FAILURES[kind]
    project = _project(tmp_path / kind, program)
    proc = _platformctl("preview", "--stack", "dev", "--json", "--out", str(tmp_path / "out"), cwd=project)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == expected + "\n"
    assert proc.stdout == ""
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["after", "apply"])
def test_stderr_is_progress_and_the_one_line(tmp_path: Path, kind: str) -> None:
    program, expected = FAILURES[kind]
    project = _project(tmp_path / kind, program)
    proc = _platformctl("preview", "--stack", "dev", cwd=project)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-1] == expected
    assert all(PROGRESS.match(line) for line in lines[:-1]), proc.stderr


def test_failed_runs_leave_nothing_for_the_next_run_in_the_same_process(tmp_path: Path) -> None:
    """A test session previews many projects in one process: what a failed run left behind must not
    reach stderr (when it is garbage-collected) nor the next run."""
    for kind, (program, _) in FAILURES.items():
        _project(tmp_path / kind, program)
    _project(tmp_path / "clean", CLEAN)
    order = ["shared", "many", "clean", "after", "apply", "shared", "clean"]
    script = textwrap.dedent(
        """
        import gc, sys
        from platform_components.cli import main

        for name in sys.argv[1:]:
            code = main(["preview", name, "--stack", "dev", "--json", "--out", name + "-out"])
            sys.stdout.write(f"{name} {code}\\n")
            gc.collect()
        """
    )
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, *order],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    exits = [line for line in proc.stdout.splitlines() if line.split()[0] in order]
    assert exits == [f"{name} {0 if name == 'clean' else 2}" for name in order]
    expected = [FAILURES[name][1] for name in order if name != "clean"]
    assert proc.stderr.splitlines() == expected, proc.stderr
