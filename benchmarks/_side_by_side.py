"""The benchmark's in-process side by side: the components' offline preview of N services beside
the raw SDK, plain dicts and cdk8s-plus, the cost per object over the sizes, and the component
layer's overhead over the raw SDK in instructions (``benchmarks/preview_bench.py`` prints them).

* **cdk8s-plus.** ``benchmarks/cdk8s/synth.js`` synthesizes the same N services with cdk8s-plus
  (pinned in ``benchmarks/cdk8s/package-lock.json``, installed with ``npm ci`` into
  ``benchmarks/cdk8s/node_modules`` when missing). Its time is measured inside node (building the
  constructs and synthesizing them to YAML, node's start-up and module loading excluded) and as
  the process's wall time. What its objects do not have, or have differently, is
  :data:`CDK8S_DIFFERENCES`.
* **Instructions.** Wall and CPU times move with the machine's load (up to 15% between identical
  runs on a shared 2-core machine). ``valgrind --tool=callgrind`` counts the instructions a
  program run executes, the same whatever the load: the component program and the raw one, each
  in a process of its own with a fixed hash seed, after a warm-up run of two services. Only the
  measured run is counted: the process switches callgrind's instrumentation on just before it
  (``CALLGRIND_START_INSTRUMENTATION`` from valgrind's ``callgrind.h``, in a two-line C helper
  compiled with the system's C compiler: imports under instrumentation would take minutes), and
  the run is the only call of ``operator.call`` in the process, on whose entry and exit callgrind
  toggles collection.

Run as a script, this module is that measured process:
``python benchmarks/_side_by_side.py component|raw N HELPER.so``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CDK8S_DIR = HERE / "cdk8s"
"""The cdk8s-plus program, its package.json and its lock."""

CDK8S_DIFFERENCES = (
    "selectors: cdk8s-plus also labels the pod template with cdk8s.io/metadata.addr",
    "probes and the Service's targetPort name the port by number (8080), not by name (http)",
    "cdk8s-plus writes defaults the components leave to the API server (dnsPolicy, restartPolicy, "
    "hostNetwork, setHostnameAsFQDN, shareProcessNamespace, the Service's externalIPs [])",
    "through escape hatches (JSON patches): the preStop sleep, priorityClassName, "
    "topologySpreadConstraints, the pod's seccompProfile; the PDB is the generated "
    "KubePodDisruptionBudget (cdk8s-plus has no PDB)",
    "not run: no schema, CEL or policy checks (cdk8s validates only what its constructs check)",
)
"""How the cdk8s-plus objects differ from the components' (what the synthesis leaves out or adds)."""


class SideBySideError(Exception):
    """A side of the comparison that cannot run or did not synthesize what it was asked for."""


# --------------------------------------------------------------------------------------------------
# cdk8s-plus


def _installed() -> bool:
    """Whether ``node_modules`` holds what the committed lock pins (npm's record of what it
    installed, ``node_modules/.package-lock.json``, is not older than the lock)."""
    record = CDK8S_DIR / "node_modules" / ".package-lock.json"
    lock = CDK8S_DIR / "package-lock.json"
    return record.is_file() and record.stat().st_mtime >= lock.stat().st_mtime


def ensure_cdk8s() -> float | None:
    """Install the pinned cdk8s-plus with ``npm ci`` when ``node_modules`` is missing or older than
    the lock; the seconds it took, or ``None`` when it was installed already."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise SideBySideError(
                f"{tool} is not on PATH; install Node.js (>= 16.20) for the cdk8s-plus figures"
            )
    if _installed():
        return None
    start = time.perf_counter()
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=CDK8S_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SideBySideError(f"npm ci in {CDK8S_DIR} failed: {last}")
    return time.perf_counter() - start


@dataclass(frozen=True)
class Cdk8sRun:
    """One ``node synth.js N``."""

    objects: int
    kinds: dict[str, int]
    construct_s: float
    synth_s: float
    wall_s: float

    @property
    def in_node_s(self) -> float:
        """Building the constructs and synthesizing them (node's start-up and module loading excluded)."""
        return self.construct_s + self.synth_s


def cdk8s_run(n: int, expected_kinds: dict[str, int], expected_image: str) -> Cdk8sRun:
    """Synthesize ``n`` services with cdk8s-plus; checks that it made the objects of the components'
    (``expected_kinds``) and that its last Deployment runs ``expected_image`` with every capability
    dropped."""
    start = time.perf_counter()
    done = subprocess.run(
        ["node", "synth.js", str(n)], cwd=CDK8S_DIR, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SideBySideError(f"node synth.js {n} failed: {last}")
    result = json.loads(done.stdout)
    sample = result["sample"]
    if result["kinds"] != expected_kinds:
        raise SideBySideError(f"cdk8s-plus made {result['kinds']}, the components {expected_kinds}")
    if sample["image"] != expected_image or sample["drop"] != ["ALL"]:
        raise SideBySideError(f"cdk8s-plus's last Deployment is not the components': {sample}")
    return Cdk8sRun(
        objects=int(result["objects"]),
        kinds=dict(result["kinds"]),
        construct_s=float(result["construct_ms"]) / 1000,
        synth_s=float(result["synth_ms"]) / 1000,
        wall_s=wall,
    )


def cdk8s_median(n: int, repeat: int, expected_kinds: dict[str, int], expected_image: str) -> Cdk8sRun:
    """The median of ``repeat`` runs (in-node time and wall time each)."""
    runs = [cdk8s_run(n, expected_kinds, expected_image) for _ in range(repeat)]
    return Cdk8sRun(
        objects=runs[0].objects,
        kinds=runs[0].kinds,
        construct_s=statistics.median(r.construct_s for r in runs),
        synth_s=statistics.median(r.synth_s for r in runs),
        wall_s=statistics.median(r.wall_s for r in runs),
    )


# --------------------------------------------------------------------------------------------------
# The tables


@dataclass(frozen=True)
class Row:
    """The figures of one size (seconds are medians)."""

    n: int
    objects: int
    """Kubernetes objects of the N services (the unit of the per-object figures)."""
    preview_s: float
    """The components' full offline preview: the program, then render + schema + CEL + policies."""
    component_s: float
    raw_s: float
    dicts_s: float
    """``render_workload`` of every service to plain dicts: no SDK at all."""
    cdk8s: Cdk8sRun | None


def print_side_by_side(rows: list[Row]) -> None:
    print("side by side (in-process seconds, medians; cdk8s-plus: inside node, and its process's wall time)")
    print(
        f"{'N':>5} {'objects':>8} {'preview s':>10} {'component s':>12} {'raw SDK s':>10} {'dicts s':>8} "
        f"{'cdk8s s':>8} {'cdk8s wall':>11} {'preview/cdk8s':>14} {'component/raw':>14}"
    )
    for row in rows:
        # Seconds keep three significant digits: a fixed number of decimals rounds the small ones
        # (plain dicts of two services take a fraction of a millisecond) down to zero.
        cdk8s_s = f"{row.cdk8s.in_node_s:>8.3g}" if row.cdk8s else f"{'-':>8}"
        cdk8s_wall = f"{row.cdk8s.wall_s:>11.3g}" if row.cdk8s else f"{'-':>11}"
        versus = f"{row.preview_s / row.cdk8s.in_node_s:>14.2f}" if row.cdk8s else f"{'-':>14}"
        print(
            f"{row.n:>5} {row.objects:>8} {row.preview_s:>10.3g} {row.component_s:>12.3g} {row.raw_s:>10.3g} "
            f"{row.dicts_s:>8.3g} {cdk8s_s} {cdk8s_wall} {versus} {row.component_s / row.raw_s:>14.2f}"
        )


def _spread(values: list[float]) -> str:
    return f"{max(values) / min(values):.2f}" if values and min(values) > 0 else "-"


def print_cost_per_object(rows: list[Row]) -> None:
    """Milliseconds per Kubernetes object at each size, and the largest over the smallest (flat:
    within the machine's noise)."""
    columns: dict[str, list[float]] = {
        "preview": [],
        "component": [],
        "raw SDK": [],
        "dicts": [],
        "cdk8s": [],
    }
    print("cost per object (ms)")
    print(f"{'N':>5} " + " ".join(f"{name:>10}" for name in columns))
    for row in rows:
        values = {
            "preview": row.preview_s,
            "component": row.component_s,
            "raw SDK": row.raw_s,
            "dicts": row.dicts_s,
            "cdk8s": row.cdk8s.in_node_s if row.cdk8s else None,
        }
        cells = []
        for name, seconds in values.items():
            if seconds is None:
                cells.append(f"{'-':>10}")
                continue
            per_object = 1000 * seconds / row.objects
            columns[name].append(per_object)
            cells.append(f"{per_object:>10.3g}")
        print(f"{row.n:>5} " + " ".join(cells))
    print("largest/smallest " + " ".join(f"{name} {_spread(values)}" for name, values in columns.items()))


# --------------------------------------------------------------------------------------------------
# Instructions (callgrind)

_COLLECTED = re.compile(r"==\d+== Collected : (\d+)")


_HELPER_C = """
#include <valgrind/callgrind.h>
void start_instrumentation(void) { CALLGRIND_START_INSTRUMENTATION; }
"""
"""Switches callgrind's instrumentation on (a no-op outside valgrind)."""


def _compile_helper(scratch: Path) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None or shutil.which("valgrind") is None:
        raise SideBySideError(
            "instruction counts need valgrind and a C compiler (apt-get install valgrind gcc)"
        )
    helper = scratch / "callgrind_start.so"
    done = subprocess.run(
        [compiler, "-shared", "-fPIC", "-O1", "-x", "c", "-", "-o", str(helper)],
        input=_HELPER_C,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SideBySideError(f"cannot build the callgrind helper (valgrind's callgrind.h): {last}")
    return helper


def instructions(kind: str, n: int) -> int:
    """Instructions executed by one run of the ``kind`` program ("component" or "raw") of ``n``
    services, counted by callgrind in a process of its own (see the module docs)."""
    with tempfile.TemporaryDirectory() as scratch:
        helper = _compile_helper(Path(scratch))
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={scratch}/callgrind.out",
            "--instr-atstart=no",
            "--collect-atstart=no",
            "--toggle-collect=_operator_call",
            sys.executable,
            str(Path(__file__).resolve()),
            kind,
            str(n),
            str(helper),
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = _COLLECTED.findall(done.stderr)
    if done.returncode != 0 or not found or int(found[-1]) == 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SideBySideError(f"callgrind of the {kind} program counted nothing: {last}")
    return int(found[-1])


def measured_process(kind: str, n: int, helper: str) -> None:
    """The process :func:`instructions` measures: a warm-up run of two services, then the measured
    run of ``n``, the only call of ``operator.call``."""
    import ctypes
    import operator

    sys.path.insert(0, str(HERE))
    import preview_bench
    from platform_components.preview.engine import run_program

    build: Callable[[int], Any] = (
        preview_bench.component_program if kind == "component" else preview_bench.raw_program
    )
    warm_up, program = build(2), build(n)
    run_program(warm_up, project="bench", stack="bench")
    ctypes.CDLL(helper).start_instrumentation()
    run = operator.call(run_program, program, project="bench", stack="bench")
    print(len(run.records))


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("component", "raw") or not sys.argv[2].isdigit():
        sys.exit("usage: python benchmarks/_side_by_side.py component|raw N HELPER.so")
    measured_process(sys.argv[1], int(sys.argv[2]), sys.argv[3])
