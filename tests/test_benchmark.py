"""The benchmark page's command (docs/guide/benchmark.md) runs (with the smallest sizes: figures are the benchmark's job,
not the tests')."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from _readme import GUIDE, section_commands

ROOT = Path(__file__).resolve().parents[1]


def readme_command() -> str:
    (command,) = section_commands("# Benchmark", GUIDE / "benchmark.md")
    return command


def test_the_benchmark_command_prints_its_tables() -> None:
    # The last value of an option wins: the page's command with one small run of everything.
    args = [*shlex.split(readme_command()), "--sizes", "10", "--repeat", "1", "--process-runs", "1"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("stack ") and "wall s" in line for line in lines)
    for stack in ("dev", "staging", "prod", "local"):
        assert any(line.startswith(f"{stack} ") for line in lines), stack
        assert any(line.startswith(f"stack {stack}: preview ") for line in lines), stack
    assert any(line.split()[:1] == ["10"] for line in lines)
    assert not [line for line in lines if line.lstrip().startswith("!")], done.stdout


def test_only_the_process_table_is_printed_when_asked() -> None:
    args = [*shlex.split(readme_command()), "--only", "process", "--process-runs", "1"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("stack ") and "wall s" in line for line in lines)
    for stack in ("dev", "staging", "prod", "local"):
        assert any(line.startswith(f"{stack} ") for line in lines), stack
    assert not any(line.startswith("stack ") and ": preview " in line for line in lines), done.stdout
