"""Fixtures of the real-engine tests: the tools from ``tools/build-real-tools``, the driver and a
real control plane (etcd, kube-apiserver, kube-controller-manager; ``apiserver.py``).

A missing tool is a failure when ``CI`` is set, and locally a skip that names the tool and the
command that builds it. The driver (``engine.py``) runs in a subprocess under the interpreter of the
environment a program should see (this one by default, a team repository's for team programs).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TOOLS = ("pulumi", "pulumi-resource-kubernetes")
TIMEOUT = 900


def _load(name: str, file: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, HERE / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


real_engine_driver = _load("real_engine_driver", "engine.py")
RealRun = real_engine_driver.RealRun
control_plane = _load("real_engine_apiserver", "apiserver.py")
kubeapi = _load("real_engine_kubeapi", "kubeapi.py")  # discovery, dry-run, reviews, shipped CRDs
signing = _load("real_engine_signing", "signing.py")  # registry, cosign and Kyverno next to a control plane


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if not os.access(ROOT / ".realtools" / "bin" / tool, os.X_OK)]


def _require(missing: list[str], only: str = "") -> None:
    if missing:
        message = (
            f"real tool(s) not built: {', '.join(missing)} (.realtools/bin); "
            f"build them with tools/build-real-tools{only} (or run scripts/test, which does)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def real_tools() -> Path:
    _require(missing_tools())
    return ROOT / ".realtools" / "bin"


@pytest.fixture(scope="session")
def signing_tools() -> Path:
    """kyverno, cosign, crane and Kyverno's CRDs (``signing.py``), built by ``tools/build-real-tools``."""
    bin_dir = ROOT / ".realtools" / "bin"
    _require(signing.missing_binaries(bin_dir), " --only kyverno")
    return bin_dir


@pytest.fixture(scope="session")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A running etcd + kube-apiserver + kube-controller-manager for the session (``apiserver.py``).

    Yields a ``ControlPlane``: ``.url``, ``.kubeconfig`` (admin, ``system:masters``) and
    ``.request(method, path, body)``. Stopped (SIGTERM, then SIGKILL) at the end of the session."""
    _require(control_plane.missing_binaries(), " --only kube-apiserver,etcd")
    plane = control_plane.start(tmp_path_factory.mktemp("apiserver"))
    try:
        yield plane
    finally:
        plane.stop()


Driver = Callable[..., Any]


@pytest.fixture(scope="session")
def local_offline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``platformctl preview --stack local`` once per session: its output folder and its printout
    (what the real-engine runs of the local stack are compared with)."""
    out = tmp_path_factory.mktemp("local-offline")
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "platformctl"),
            "preview",
            str(ROOT),
            "--stack",
            "local",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def driver(real_tools: Path) -> Driver:
    """``driver(op, project, stack, workdir, python=…, config=…, secrets=…, policy=…, expect_no_changes=…)``."""

    def run(
        op: str,
        project: Path,
        stack: str,
        workdir: Path,
        *,
        python: Path | str = sys.executable,
        config: Mapping[str, Any] | None = None,
        secrets: Mapping[str, str] | None = None,
        policy: bool = True,
        expect_no_changes: bool = False,
    ) -> Any:
        workdir.mkdir(parents=True, exist_ok=True)
        args = [str(python), str(HERE / "engine.py"), op, "--project", str(project), "--stack", stack]
        args += ["--workdir", str(workdir)]
        if config:
            (workdir / "config.json").write_text(json.dumps(config))
            args += ["--config", str(workdir / "config.json")]
        if secrets:
            (workdir / "secrets.json").write_text(json.dumps(secrets))
            args += ["--secrets", str(workdir / "secrets.json")]
        if not policy:
            args.append("--no-policy")
        if expect_no_changes:
            args.append("--expect-no-changes")
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        proc = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False)
        lines = [line for line in proc.stdout.splitlines() if line.startswith(real_engine_driver.MARKER)]
        assert lines, f"the driver printed no result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        run = RealRun.from_json(lines[-1][len(real_engine_driver.MARKER) :])
        run.stderr = proc.stderr
        return run

    return run
