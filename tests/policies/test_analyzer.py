"""The executable analyzer launcher (``platform-components-analyzer``), started the way the engine does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from platform_components.policies import RULES, STACK_RULES
from platform_components.policies.analyzer import USAGE, main, pack_directory
from pulumi.runtime.proto import analyzer_pb2_grpc

LAUNCHER = Path(sys.executable).parent / "platform-components-analyzer"


def test_the_launcher_is_installed_next_to_the_interpreter() -> None:
    assert LAUNCHER.is_file(), "pyproject.toml [project.scripts] installs platform-components-analyzer"
    assert shutil.which("platform-components-analyzer", path=str(LAUNCHER.parent)) == str(LAUNCHER)


@pytest.mark.parametrize("argv", [[], ["--help"], ["not-an-address"]])
def test_run_by_hand_it_explains_itself(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err == USAGE


def test_the_pack_directory_is_the_shipped_pack() -> None:
    assert (pack_directory() / "PulumiPolicy.yaml").is_file()
    assert (pack_directory() / "__main__.py").is_file()


@pytest.fixture
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    # The engine's argument is its own address; the pack serves on a port of its own and prints it.
    proc = subprocess.Popen(
        [str(LAUNCHER), "127.0.0.1:1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/"
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().decode().strip()
        assert port.isdigit(), (port, proc.stderr.read().decode() if proc.poll() is not None else "")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        proc.kill()
        proc.communicate()


def test_started_like_a_plugin_it_serves_every_rule_of_the_pack(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name == "platform-components"
    assert sorted(p.name for p in info.policies) == sorted(r.id for r in (*RULES, *STACK_RULES))
