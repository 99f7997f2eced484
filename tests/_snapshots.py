"""Snapshots of every target's preview outputs: ``resources.json`` and ``report.json`` as they must
stay while only the engine changes (``tests/test_snapshots.py`` compares them).

* ``resources.jsonl``: one resource per line, its keys sorted, the lines sorted by URN; a
  Kubernetes object's ``inputs`` are left out: they are its manifest, which
  ``tests/test_golden.py`` compares.
* ``report.json``: the report without ``timings_seconds``, its lists sorted.

Order is left out because it is not the program's: ``resources.json`` and the report's
``components`` and ``platform`` lists follow the order in which registrations reach the engine,
which follows when each resource's inputs resolve and changes between runs (prod's two ledger
CronJobs swap places in about half of its runs).

A change to what a stack creates or reports is recorded on purpose, and the commit says why::

    .venv/bin/python tests/_snapshots.py [TARGET ...]        # every target without arguments
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from _previews import preview_of
from _targets import ROOT, TARGETS

SNAPSHOTS = ROOT / "tests" / "snapshots"
RESOURCES = "resources.jsonl"
REPORT = "report.json"


def _resource_line(resource: dict[str, Any]) -> str:
    if resource["type"].startswith("kubernetes:"):
        resource = {key: value for key, value in resource.items() if key != "inputs"}
    return json.dumps(resource, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def snapshot_files(out: Path) -> dict[str, str]:
    """The snapshot files of the outputs a preview wrote under ``out``: file name -> text."""
    resources = json.loads((out / "resources.json").read_text(encoding="utf-8"))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    report.pop("timings_seconds")  # the one field that changes from run to run by itself
    for key, value in report.items():
        if isinstance(value, list):
            report[key] = sorted(value, key=lambda item: json.dumps(item, sort_keys=True))
    by_urn = sorted(resources["resources"], key=lambda resource: resource["urn"])
    return {
        RESOURCES: "".join(_resource_line(r) + "\n" for r in by_urn),
        REPORT: json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
    }


def record(targets: list[str], into: Path) -> None:
    """Preview each target and write its snapshot files under ``into/<target>/``."""
    from platform_components.preview.report import write_outputs

    for target in targets:
        with tempfile.TemporaryDirectory() as out:
            write_outputs(preview_of(target), Path(out))
            files = snapshot_files(Path(out))
        folder = into / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        print(f"{target}: {', '.join(os.path.relpath(folder / n) for n in files)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Record the snapshots of the targets' preview outputs.")
    parser.add_argument(
        "targets", nargs="*", metavar="TARGET", help=f"one of {', '.join(TARGETS)} (default: all)"
    )
    parser.add_argument(
        "--into", type=Path, default=SNAPSHOTS, help="folder of the snapshots (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}: use one of {', '.join(TARGETS)}")
    record(args.targets or list(TARGETS), args.into)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
