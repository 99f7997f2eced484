"""The benchmark page's command (docs/guide/benchmark.md) runs (with the smallest sizes: figures are the
benchmark's job, not the tests'), the cdk8s-plus side (node, and ``npm ci`` from the committed lock when
``benchmarks/cdk8s/node_modules`` is missing) and the callgrind instruction counts included."""

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
    args = [
        *shlex.split(readme_command()),
        *("--sizes", "10", "--repeat", "1", "--process-runs", "1", "--instructions", "1"),
    ]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("stack ") and "wall s" in line for line in lines)
    for stack in ("dev", "staging", "prod", "local"):
        assert any(line.startswith(f"{stack} ") for line in lines), stack
        assert any(line.startswith(f"stack {stack}: preview ") for line in lines), stack
    assert any(line.split()[:1] == ["10"] for line in lines)
    assert not [line for line in lines if line.lstrip().startswith("!")], done.stdout
    assert any(line.startswith("instructions (callgrind, one run of N = 1): component ") for line in lines)


def test_only_the_process_table_is_printed_when_asked() -> None:
    args = [*shlex.split(readme_command()), "--only", "process", "--process-runs", "1"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("stack ") and "wall s" in line for line in lines)
    for stack in ("dev", "staging", "prod", "local"):
        assert any(line.startswith(f"{stack} ") for line in lines), stack
    assert not any(line.startswith("stack ") and ": preview " in line for line in lines), done.stdout


def _table(lines: list[str], title: str) -> list[list[str]]:
    """The rows (split into cells) of the table under ``title``, up to the next blank line."""
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rows = []
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        rows.append(line.split())
    return rows


def test_the_side_by_side_tables_have_every_column() -> None:
    done = subprocess.run(
        [*shlex.split(readme_command()), "--sizes", "2,3", "--repeat", "1", "--process-runs", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    side = _table(lines, "side by side")
    # N, objects (5 for an even service, 6 with the HPA of an odd one), then eight figures
    assert [row[:2] for row in side] == [["2", "11"], ["3", "16"]]
    assert all(len(row) == 10 and all(float(cell) > 0 for cell in row[2:]) for row in side), side
    cost = _table(lines, "cost per object")
    assert [row[0] for row in cost[:2]] == ["2", "3"]
    assert all(len(row) == 6 for row in cost[:2]), cost
    spread = next(line for line in lines if line.startswith("largest/smallest "))
    assert all(f"{name} " in spread for name in ("preview", "component", "raw SDK", "dicts", "cdk8s")), spread
    assert any(line.startswith("cdk8s-plus differs: ") for line in lines)
