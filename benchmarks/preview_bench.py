"""Benchmark of the offline engine (a script that prints numbers; not a test).

    uv run python benchmarks/preview_bench.py [--sizes 10,100,500] [--repeat 3] [--instructions 20]
        [--only process]

Prints:
* each stack's ``platformctl preview`` as a whole process, what a user waits for (median of
  ``--process-runs``, default 5), split into phases: imports (a process that only imports what
  the command imports), load (project and stack files), program (which also imports what the
  stack uses: the ``pulumi_kubernetes`` API groups of the kinds it renders, and pulumi-aws, moto and
  boto3's models for AWS resources), schema + CEL (CRD validators come from the user cache after
  the first process), policies (from the run's report.json), and the rest (interpreter start-up,
  writing the outputs and exit), and the first run's wall time (``first``: with an empty user
  cache, the one that derives the CRD validators and records the stack's tape of moto's answers,
  :mod:`platform_components.preview.moto_tape`; the runs after it read both back); the
  bytecode of the dependencies must be compiled (``uv sync --compile-bytecode``, the README's
  setup), else every process recompiles them, and so must the library's own (an editable install
  is not compiled by uv, and Python writes no ``__pycache__`` under ``PYTHONDONTWRITEBYTECODE``:
  ``python -m compileall -q components``); ``--only process`` prints this table alone;
* each stack's full preview time after a warm-up (``platformctl preview --stack <s>`` minus file
  writing and process start-up);
* for N SecureWorkloads: the program time through the components versus registering the same
  Kubernetes objects raw through ``pulumi_kubernetes`` under the same mocks (the SDK floor), and
  their ratio (target: <= 1.10 at N = 500) in wall time and in CPU time, both run under the
  engine's collector settings (:mod:`platform_components._collector`) and with monitor calls
  inline (the engine's default); the same pair with every monitor call on a worker thread
  (``inline_calls=False``, the SDK's own way) beside it;
* with ``--instructions N``: the instructions (valgrind's callgrind) of one component program run
  of N services and of the raw one, and their ratio: the same whatever the machine's load;
* the schema + policy check time per Kubernetes object, and within it the API server's validation
  beyond the schema (:mod:`platform_components.preview.apiserver`; target: <= 1 ms per object) for
  the synthetic services and for every object of each stack;
* side by side for each N (:mod:`_side_by_side`): the components' full offline preview (program,
  then render + schema + CEL + policies), the component program, the raw SDK program, the plain
  dicts floor (``render_workload`` only, no SDK) and cdk8s-plus synthesizing the same services
  (``benchmarks/cdk8s``, installed with ``npm ci`` when missing: node and npm are needed), with the
  ratios preview / cdk8s-plus and component / raw; then the cost per Kubernetes object at each N
  and, per column, the largest over the smallest (flat: within the noise).

The latest figures, as ranges over runs on the 2-core reference machine, are on
``docs/guide/benchmark.md`` (one place, so that no copy goes stale). cdk8s synthesizes each chart
over the whole app, so ``synth.js`` puts every service in one chart, its fast form (a chart per
service made its synthesis quadratic: 36 s at N = 1000); ``npm ci`` of the lock with an empty npm
cache takes 2.5 to 4.9 s (29 MB of node_modules).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import _side_by_side  # noqa: E402  (benchmarks/, the script's own folder)
from platform_components import (  # noqa: E402
    ExternalRef,
    MeshMode,
    ProbeArgs,
    SecureWorkload,
    SecureWorkloadArgs,
)
from platform_components.preview.apiserver import object_errors  # noqa: E402
from platform_components.preview.engine import check, preview, run_program  # noqa: E402
from platform_components.workload import render_workload  # noqa: E402

EXTERNALS = [ExternalRef(namespace="edge", name="gateway")]
"""The callers live in another program: declared, so the synthetic environment previews clean."""

KIND_TO_CLASS: dict[str, Any] = {
    "ServiceAccount": k8s.core.v1.ServiceAccount,
    "Deployment": k8s.apps.v1.Deployment,
    "Service": k8s.core.v1.Service,
    "PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "NetworkPolicy": k8s.networking.v1.NetworkPolicy,
}
ROLE = {
    "ServiceAccount": "sa",
    "Deployment": "deployment",
    "Service": "service",
    "PodDisruptionBudget": "pdb",
    "HorizontalPodAutoscaler": "hpa",
    "NetworkPolicy": "netpol",
}


def workload_args(i: int) -> SecureWorkloadArgs:
    return SecureWorkloadArgs(
        namespace=f"team-{i % 10}",
        image=f"ghcr.io/acme/svc-{i}:1.{i}.0",
        readiness=ProbeArgs(path="/readyz"),
        liveness=ProbeArgs(path="/livez"),
        autoscaling={"min_replicas": 2, "max_replicas": 6} if i % 2 else None,
        network={"ingress": [{"namespace": "edge", "workload": "gateway", "ports": ["http"]}]},
    )


def component_program(n: int) -> Any:
    specs = [(f"svc-{i}", workload_args(i)) for i in range(n)]

    def program() -> None:
        for name, args in specs:
            SecureWorkload(name, args, mesh=MeshMode.NONE, externals=EXTERNALS)

    return program


def raw_program(n: int) -> Any:
    rendered = [
        (
            f"svc-{i}",
            render_workload(f"svc-{i}", workload_args(i), externals=EXTERNALS, recorded_mesh=MeshMode.NONE),
        )
        for i in range(n)
    ]

    def program() -> None:
        for name, manifests in rendered:
            for kind, body in manifests.items():
                cls = KIND_TO_CLASS[kind]
                kwargs = {_snake(k): v for k, v in body.items() if k not in ("apiVersion", "kind")}
                cls(f"{name}-{ROLE[kind]}", **kwargs)

    return program


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def apiserver_pass(objects: list[dict[str, Any]]) -> int:
    """The API server's validation of every object (its error count)."""
    return sum(1 for manifest in objects for _ in object_errors(manifest))


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def program_times(
    comp_program: Any, raw: Any, repeat: int, *, inline_calls: bool
) -> tuple[float, float, float, float]:
    """Median seconds of the component program and of the raw one, interleaved so that machine
    noise hits both alike: wall time of each, then CPU time of each (the process's, which other
    processes on the machine move less)."""
    walls: tuple[list[float], list[float]] = ([], [])
    cpus: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for index, program in enumerate((comp_program, raw)):
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            run_program(program, project="bench", stack="bench", inline_calls=inline_calls)
            walls[index].append(time.perf_counter() - t0)
            cpus[index].append(time.process_time() - c0)
    comp_wall, raw_wall = (statistics.median(times) for times in walls)
    comp_cpu, raw_cpu = (statistics.median(times) for times in cpus)
    return comp_wall, raw_wall, comp_cpu, raw_cpu


def rendered_services(n: int) -> list[dict[str, dict[str, Any]]]:
    """The N services' manifests as plain dicts: ``render_workload`` and nothing else (the floor)."""
    args = [workload_args(i) for i in range(n)]
    return [
        render_workload(f"svc-{i}", a, externals=EXTERNALS, recorded_mesh=MeshMode.NONE)
        for i, a in enumerate(args)
    ]


def dicts_seconds(n: int, repeat: int) -> float:
    """Median seconds of rendering the N services to dicts (arguments made outside the timing, as
    for the programs)."""
    args = [workload_args(i) for i in range(n)]
    seconds, _ = timed(
        lambda: [
            render_workload(f"svc-{i}", a, externals=EXTERNALS, recorded_mesh=MeshMode.NONE)
            for i, a in enumerate(args)
        ],
        repeat,
    )
    return seconds


def cdk8s_side(n: int, repeat: int) -> _side_by_side.Cdk8sRun:
    """cdk8s-plus's synthesis of the same N services, checked against the components' objects."""
    kinds: dict[str, int] = {}
    for manifests in rendered_services(n):
        for kind in manifests:
            kinds[kind] = kinds.get(kind, 0) + 1
    last = n - 1
    return _side_by_side.cdk8s_median(n, repeat, kinds, f"ghcr.io/acme/svc-{last}:1.{last}.0")


STACKS = ("dev", "staging", "prod", "local")
PHASES = ("load", "program", "schema", "policy")
IMPORTS = (
    "import gc, platform_components.cli, platform_components.preview.engine, platform_components.preview.report; "
    "gc.freeze()"  # as platformctl ends (cli.one_shot_process): no final collection over the heap
)


def _wall(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def bytecode_compiled() -> bool:
    import pulumi_kubernetes

    package = Path(pulumi_kubernetes.__file__).parent
    return any((package / "core" / "v1" / "__pycache__").glob("_inputs.*.pyc"))


def library_bytecode_compiled() -> bool:
    """Whether the library's own modules have bytecode for this interpreter (compiled, or written by
    an earlier run)."""
    package = ROOT / "components" / "platform_components"
    return any((package / "__pycache__").glob(f"cli.{sys.implementation.cache_tag}.pyc"))


def process_figures(runs: int) -> None:
    """``platformctl preview --stack <s>`` as whole processes, median of ``runs``, by phase."""
    platformctl = str(Path(sys.executable).parent / "platformctl")
    if not bytecode_compiled():
        print("! the dependencies' bytecode is not compiled: run `uv sync --frozen --compile-bytecode`")
    if not library_bytecode_compiled():
        print("note: the library's bytecode is not compiled: run `python -m compileall -q components`")
    imports = statistics.median(_wall([sys.executable, "-c", IMPORTS]) for _ in range(runs))
    print(
        f"{'stack':<8} {'wall s':>7} {'imports':>8} "
        + " ".join(f"{p:>8}" for p in PHASES)
        + f" {'rest':>6} {'first':>6}"
    )
    cache = tempfile.TemporaryDirectory()  # the user cache, empty before each stack's first run
    for stack in STACKS:
        walls: list[float] = []
        phases: dict[str, list[float]] = {p: [] for p in PHASES}
        env = {**os.environ, "PLATFORM_COMPONENTS_CACHE": os.path.join(cache.name, stack)}
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as out:
                walls.append(_wall([platformctl, "preview", "--stack", stack, "--out", out], env))
                report = json.loads((Path(out) / "report.json").read_text(encoding="utf-8"))
            for phase in PHASES:
                phases[phase].append(float(report["timings_seconds"].get(phase, 0.0)))
        wall = statistics.median(walls)
        medians = {p: statistics.median(v) for p, v in phases.items()}
        rest = wall - imports - sum(medians.values())
        print(
            f"{stack:<8} {wall:>7.2f} {imports:>8.2f} "
            + " ".join(f"{medians[p]:>8.2f}" for p in PHASES)
            + f" {rest:>6.2f} {walls[0]:>6.2f}"
        )
    cache.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--process-runs", type=int, default=5, help="runs per stack as a whole process (0: skip)"
    )
    parser.add_argument("--only", choices=["process"], help="print only the whole-process table")
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        metavar="N",
        help="count the instructions of one component and one raw program run of N services with "
        "valgrind's callgrind (about a minute each at N = 20; 0: skip)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    if args.process_runs or args.only == "process":
        process_figures(args.process_runs or 5)
        print()
    if args.only == "process":
        return

    preview(ROOT, "dev")  # warm-up: imports (moto, boto3 models, cel-python) happen once per process
    for stack in ("dev", "staging", "prod", "local"):
        seconds, result = timed(lambda s=stack: preview(ROOT, s), args.repeat)
        objects = [manifest for _record, manifest in result.manifests]
        api_s, _ = timed(lambda o=objects: apiserver_pass(o), args.repeat)
        print(
            f"stack {stack}: preview {seconds:.2f} s ({len(result.records)} resources, "
            f"{len(result.violations)} violations, {len(result.schema_errors)} schema errors); "
            f"API server checks {1000 * api_s / max(1, len(objects)):.3f} ms/object over {len(objects)} objects"
        )

    program_tables(sizes, args.repeat, args.instructions)


def program_tables(sizes: list[int], repeat: int, instructions: int) -> None:
    """For N SecureWorkloads: the component program against the raw SDK (wall and CPU), the checks
    per object, then the side-by-side and cost-per-object tables (:mod:`_side_by_side`)."""
    npm_ci_s = _side_by_side.ensure_cdk8s()
    print()
    print(
        f"{'N':>5} {'component s':>12} {'raw SDK s':>10} {'ratio':>6} {'CPU ratio':>10} {'threads: comp s':>16} "
        f"{'raw s':>6} {'ratio':>6} {'resources':>10} {'check ms/object':>16} {'apiserver ms/object':>20}"
    )
    rows: list[_side_by_side.Row] = []
    for n in sizes:
        comp_program = component_program(n)
        raw = raw_program(n)
        comp_s, raw_s, comp_cpu, raw_cpu = program_times(comp_program, raw, repeat, inline_calls=True)
        comp_threads_s, raw_threads_s, _, _ = program_times(comp_program, raw, repeat, inline_calls=False)
        run = run_program(comp_program, project="bench", stack="bench")
        check_s, checked = timed(
            lambda r=run: check(r, project="bench", stack="bench", kubernetes_version="1.35"), repeat
        )
        per_object = 1000 * check_s / max(1, len(checked.manifests))
        objects = [manifest for _record, manifest in checked.manifests]
        api_s, _ = timed(lambda o=objects: apiserver_pass(o), repeat)
        print(
            f"{n:>5} {comp_s:>12.2f} {raw_s:>10.2f} {comp_s / raw_s:>6.2f} {comp_cpu / raw_cpu:>10.2f} "
            f"{comp_threads_s:>16.2f} {raw_threads_s:>6.2f} {comp_threads_s / raw_threads_s:>6.2f} "
            f"{len(run.records):>10} {per_object:>16.3f} {1000 * api_s / max(1, len(objects)):>20.3f}"
        )
        if checked.violations or checked.schema_errors:
            print(f"      ! {len(checked.violations)} violations, {len(checked.schema_errors)} schema errors")
        rows.append(
            _side_by_side.Row(
                n=n,
                objects=len(objects),
                preview_s=comp_s + check_s,
                component_s=comp_s,
                raw_s=raw_s,
                dicts_s=dicts_seconds(n, repeat),
                cdk8s=cdk8s_side(n, repeat),
            )
        )
    if instructions:
        component_instructions = _side_by_side.instructions("component", instructions)
        raw_instructions = _side_by_side.instructions("raw", instructions)
        print(
            f"instructions (callgrind, one run of N = {instructions}): component "
            f"{component_instructions / instructions / 1e6:.2f} M per service, raw SDK "
            f"{raw_instructions / instructions / 1e6:.2f} M per service, ratio "
            f"{component_instructions / raw_instructions:.3f}"
        )
    print()
    _side_by_side.print_side_by_side(rows)
    print()
    _side_by_side.print_cost_per_object(rows)
    if npm_ci_s is not None:
        print(f"cdk8s-plus installed with npm ci in {npm_ci_s:.1f} s")
    print("cdk8s-plus differs: " + "; ".join(_side_by_side.CDK8S_DIFFERENCES))


if __name__ == "__main__":
    pulumi.runtime.settings  # noqa: B018 (import side effect: the runtime is loaded before timing)
    try:
        main()
    except _side_by_side.SideBySideError as exc:
        sys.exit(f"! {exc}")
