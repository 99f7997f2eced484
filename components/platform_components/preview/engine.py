"""The offline engine: run a Pulumi program under mocks, render, validate and police what it declares.

This plays the part of ``pulumi preview``: the program runs in-process exactly as the Python
language host runs it (``runpy.run_path`` of the ``main`` folder, with the folder as working
directory and first on ``sys.path``), with the stack's configuration, against
:class:`~platform_components.preview.mocks.RecordingMonitor` instead of the engine.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import runpy
import sys
import time
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pydantic import ValidationError

from .. import policies
from .._collector import tuned_collector
from ..config import CONFIG_KEY, DEFAULT_KUBERNETES_VERSION, format_validation_error
from ..context import ENVIRONMENT_KEY, ResolvedEnvironment, resolve_environment
from ..errors import ConfigError, PlatformError, PreviewError
from ._sdk import (
    OutputRegistry,
    clear_root_resource,
    fresh_output_tracking,
    no_stack_traces,
    plain_output_reading,
    plain_urns,
    run_in_stack,
    run_on_own_loop,
)
from .mocks import PreviewMocks, RecordingMonitor, Rejection, ResourceRecord
from .project import Project, load_project
from .provenance import StackValues, rejected_value
from .schema import SchemaError, validate_manifest

Progress = Callable[[str], None]

NON_MANIFEST_TYPES = ("kubernetes:helm.sh/", "kubernetes:yaml:", "kubernetes:kustomize:")


@dataclass
class ProgramRun:
    """What a program registered."""

    records: list[ResourceRecord]
    stack_outputs: dict[str, Any]
    logs: list[str]
    state: dict[str, dict[str, Any]]
    rejections: list[Rejection] = field(default_factory=list)


@dataclass
class PreviewResult:
    project: str
    stack: str
    kubernetes_version: str
    records: list[ResourceRecord]
    manifests: list[tuple[ResourceRecord, dict[str, Any]]]
    schema_errors: list[SchemaError]
    evaluation: policies.Evaluation
    stack_outputs: dict[str, Any]
    logs: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    environment: ResolvedEnvironment | None = None
    """The environment the program's components apply (``platform:environment`` or the stack name)."""

    @property
    def violations(self) -> list[policies.Violation]:
        return self.evaluation.mandatory

    @property
    def warnings(self) -> list[policies.Violation]:
        return self.evaluation.advisory

    @property
    def clean(self) -> bool:
        return not self.violations and not self.schema_errors

    @property
    def exit_code(self) -> int:
        return 0 if self.clean else 1


class _LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


class ProgramFiles:
    """Which files under a program folder are the program's own, as opposed to installed packages.

    A team often keeps its virtualenv inside the project (``myproj/.venv`` next to
    ``myproj/__main__.py``): a file under the folder is the program's own unless it is under a
    ``site-packages``/``dist-packages`` directory, under one of the running interpreter's prefixes
    (``sys.prefix``, ``sys.base_prefix``, ``sys.exec_prefix``) that lies inside the folder, or
    inside a virtualenv (a directory with a ``pyvenv.cfg``) in the folder. (A prefix that contains
    the folder, like ``/usr`` for a program in ``/usr/src/app``, says nothing about its files.)"""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(os.path.abspath(folder))
        prefixes = {Path(os.path.abspath(p)) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix) if p}
        self.prefixes = [p for p in prefixes if not self.folder.is_relative_to(p)]
        self._venvs: dict[Path, bool] = {}

    def _is_venv(self, directory: Path) -> bool:
        found = self._venvs.get(directory)
        if found is None:
            found = self._venvs[directory] = (directory / "pyvenv.cfg").is_file()
        return found

    def owns(self, filename: str) -> bool:
        path = Path(os.path.abspath(filename))
        try:
            relative = path.relative_to(self.folder)
        except ValueError:
            return False
        if any(part in ("site-packages", "dist-packages") for part in relative.parts[:-1]):
            return False
        if any(path.is_relative_to(prefix) for prefix in self.prefixes):
            return False
        return not any(
            self._is_venv(self.folder / Path(*relative.parts[:depth]))
            for depth in range(1, len(relative.parts))
        )


def _module_location(module: Any) -> str | None:
    """Where a module was loaded from: its file, or a namespace package's first directory.

    Read from the module's ``__dict__`` through :class:`types.ModuleType` itself: a lazily imported
    module (pulumi's SDKs import their sub-packages lazily) runs its code on the first attribute
    read, and a scan of ``sys.modules`` must not load anything."""
    if not isinstance(module, types.ModuleType):
        return None
    namespace = types.ModuleType.__getattribute__(module, "__dict__")
    location = namespace.get("__file__")
    if location:
        return str(location)
    try:
        paths = list(namespace.get("__path__") or [])
    except (KeyError, TypeError):  # a namespace package whose parent is gone
        return None
    return str(paths[0]) if paths else None


@contextmanager
def _program_environment(main: Path) -> Iterator[None]:
    """cwd = the program folder, first on sys.path; the program's own modules that it imported
    are forgotten afterwards (so the next run imports them afresh), installed packages are not,
    even when their virtualenv lives inside the folder (see :class:`ProgramFiles`)."""
    old_cwd = Path.cwd()
    old_path = list(sys.path)
    old_modules = set(sys.modules)
    os.chdir(main)
    sys.path.insert(0, str(main))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        own = ProgramFiles(main)
        # every location first: a namespace package's path is recomputed through its parent
        locations = {name: _module_location(sys.modules.get(name)) for name in set(sys.modules) - old_modules}
        for name, location in locations.items():
            if location is not None and own.owns(location):
                sys.modules.pop(name, None)


def run_program(
    program: Path | Callable[[], None],
    *,
    project: str,
    stack: str,
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    mocks: pulumi.runtime.Mocks | None = None,
    inline_calls: bool = True,
) -> ProgramRun:
    """Run ``program`` (a ``main`` folder or a function) under recording mocks; raise what it raises.

    ``inline_calls``: the SDK's monitor calls run on the event loop's thread (the default, see
    :func:`~platform_components.preview._sdk.run_on_own_loop`), or each on a worker thread as the
    SDK sends them; the run records the same either way (``tests/preview/test_sdk.py``).

    A program folder's AWS calls may be answered from the tape of its last run
    (:mod:`.moto_tape`); should moto, gone live, contradict the tape, the program runs again
    without it."""
    mocks = mocks or PreviewMocks(region=(config or {}).get("aws:region"))
    label = f"{Path(program).resolve()}\0{project}\0{stack}" if not callable(program) else None
    run = _run_once(program, project, stack, config, secret_keys, mocks, inline_calls, label)
    if isinstance(mocks, PreviewMocks) and mocks.aws is not None and not mocks.aws.answers_consistent:
        run = _run_once(program, project, stack, config, secret_keys, mocks, inline_calls, None)
    return run


def _run_once(
    program: Path | Callable[[], None],
    project: str,
    stack: str,
    config: dict[str, str] | None,
    secret_keys: list[str] | None,
    mocks: pulumi.runtime.Mocks,
    inline_calls: bool,
    label: str | None,
) -> ProgramRun:
    monitor = RecordingMonitor(mocks, project=project, stack=stack)
    collector = _LogCollector()
    logger = logging.getLogger("platform-components.preview")
    logger.propagate = False
    logger.handlers[:] = [collector]
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))

    def body() -> None:
        if callable(program):
            program()
        else:
            with _program_environment(program):
                runpy.run_path(str(program), run_name="__main__")

    async def main() -> None:
        # The SDK's settings are context variables: everything set here belongs to this run's task.
        clear_root_resource()
        pulumi.runtime.set_mocks(
            monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor, logger=logger
        )
        clear_root_resource()  # set_mocks registered a stack of its own; the program gets a new one
        fresh_output_tracking()
        await run_in_stack(body)

    try:
        session: AbstractContextManager[Any] = (
            mocks.session(label) if isinstance(mocks, PreviewMocks) else nullcontext()
        )
        # cloud backends (moto) live for exactly this run
        with session, tuned_collector(), no_stack_traces(), plain_urns(), plain_output_reading():
            run_on_own_loop(main, inline_calls=inline_calls)
    finally:
        pulumi.runtime.set_all_config({}, [])
    stack_urn = next((urn for urn in monitor.outputs if "::pulumi:pulumi:Stack::" in urn), None)
    outputs = monitor.outputs.get(stack_urn, {}) if stack_urn else {}
    state = {urn: reg.state for urn, reg in monitor.resources.items()}
    rejections = list(getattr(monitor.mocks, "rejections", []))
    return ProgramRun(monitor.records, outputs, collector.messages, state, rejections)


def is_manifest(record: ResourceRecord) -> bool:
    return (
        record.custom
        and record.type.startswith("kubernetes:")
        and not record.type.startswith(NON_MANIFEST_TYPES)
        and isinstance(record.inputs.get("kind"), str)
        and isinstance(record.inputs.get("apiVersion"), str)
    )


def manifest_of(record: ResourceRecord, state: dict[str, Any] | None) -> dict[str, Any]:
    """The object as it would be sent to the API server (provider auto-naming applied)."""
    manifest: dict[str, Any] = {"apiVersion": record.inputs["apiVersion"], "kind": record.inputs["kind"]}
    metadata = dict(record.inputs.get("metadata") or {})
    if not metadata.get("name") and state:
        metadata["name"] = (state.get("metadata") or {}).get("name")
    manifest["metadata"] = metadata
    for key, value in record.inputs.items():
        if key not in manifest:
            manifest[key] = value
    return manifest


def display_of(manifest: dict[str, Any]) -> str:
    meta = manifest.get("metadata") or {}
    namespace = meta.get("namespace")
    name = meta.get("name")
    return f"{manifest['kind']} {namespace}/{name}" if namespace else f"{manifest['kind']} {name}"


def _guess_kubernetes_version(config: dict[str, str], project: str) -> str:
    import json

    raw = config.get(f"{project}:{CONFIG_KEY}")
    if raw:
        try:
            value = json.loads(raw).get("kubernetes_version")
        except (ValueError, AttributeError):
            value = None
        if isinstance(value, str):
            return value
    return DEFAULT_KUBERNETES_VERSION


_SDK_WRAPPER = re.compile(
    r"While processing (?:resource: (?P<resource>.+?), type:? '?(?P<type>[^'\n]+)'?"
    r"|input: (?P<input>.+?), type )"
)
"""The first line of the error the SDK raises around a program's own when it serialises a
resource's inputs (``raise ValueError("While processing resource: ...") from error``)."""


def one_line(text: str) -> str:
    """``text`` on one line: its non-blank lines joined by ``"; "``."""
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def _unwrap(exc: BaseException) -> tuple[BaseException, str]:
    """The exception the program raised, out of the SDK's wrappers, and what the SDK was doing."""
    resource = ""
    inputs: list[str] = []
    seen = {id(exc)}
    while (match := _SDK_WRAPPER.match(str(exc))) is not None:
        # ``raise ... from error``; the SDK re-raises a failed RPC's error chained to itself, so
        # the wrapped error may only be left in ``__context__``
        inner = exc.__cause__ if exc.__cause__ is not None and exc.__cause__ is not exc else exc.__context__
        if inner is None or id(inner) in seen:
            break
        seen.add(id(inner))
        if match["resource"]:
            resource = f"resource {match['resource']} of type {match['type']}"
        else:
            inputs.append(f"input {match['input']}")
        exc = inner
    doing = ", ".join(part for part in [resource, *inputs] if part)
    return exc, f" (while processing {doing})" if doing else ""


def _last_program_frame(exc: BaseException, own: ProgramFiles) -> traceback.FrameSummary | None:
    """The innermost frame of the program's own code in ``exc``'s traceback or, when it has none
    (the SDK re-raises a failed RPC's error with a traceback of its own), in the errors it is
    chained to."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        inside = [f for f in traceback.extract_tb(current.__traceback__) if own.owns(f.filename)]
        if inside:
            return inside[-1]
        current = current.__cause__ or current.__context__
    return None


def explain_exception(exc: BaseException, program_root: Path | None) -> PlatformError:
    """A one-line error for anything a program raised."""
    exc, doing = _unwrap(exc)
    if isinstance(exc, PlatformError):
        return exc
    if isinstance(exc, ValidationError):
        return format_validation_error(exc, root=exc.title)
    where = ""
    if program_root is not None:
        frame = _last_program_frame(exc, ProgramFiles(program_root))
        if frame is not None:
            where = f" at {os.path.relpath(frame.filename, program_root)}:{frame.lineno}"
    return PreviewError(one_line(f"the program failed{where}: {type(exc).__name__}: {exc}{doing}"))


def preview(
    project_dir: str | Path = ".",
    stack: str = "dev",
    *,
    program: Callable[[], None] | None = None,
    kubernetes_version: str | None = None,
    mocks: pulumi.runtime.Mocks | None = None,
    progress: Progress | None = None,
) -> PreviewResult:
    """Preview ``stack`` of the project in ``project_dir`` (or ``program`` with that stack's config)."""
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    say(f"loading stack {stack}")
    project: Project = load_project(project_dir)
    stack_file = project.stack_file(stack)
    config, secret_keys = project.runtime_config(stack_file)
    version = kubernetes_version or _guess_kubernetes_version(config, project.name)
    try:
        environment = resolve_environment(config.get(ENVIRONMENT_KEY), stack)
    except ConfigError as exc:
        line = stack_file.line_of(["config", ENVIRONMENT_KEY])
        where = f"{stack_file.display}:{line}" if line else stack_file.display
        raise ConfigError(exc.detail, source=where) from None
    timings["load"] = time.perf_counter() - started

    say(
        f"running {os.path.relpath(project.main, Path.cwd()) if program is None else 'program'} for stack {stack}"
    )
    t0 = time.perf_counter()
    try:
        run = run_program(
            program or project.main,
            project=project.name,
            stack=stack,
            config=config,
            secret_keys=secret_keys,
            mocks=mocks,
        )
    except Exception as exc:  # anything the program raised becomes one clear line
        raise explain_exception(exc, project.root) from None
    timings["program"] = time.perf_counter() - t0
    say(f"the program registered {len(run.records)} resources")
    return check(
        run,
        project=project.name,
        stack=stack,
        kubernetes_version=version,
        say=say,
        timings=timings,
        environment=environment,
        stack_values=StackValues.of(stack_file),
    )


def _with_source(error: SchemaError, manifest: dict[str, Any], stack_values: StackValues) -> SchemaError:
    source = stack_values.source_of(rejected_value(manifest, error.path, error.message))
    return dataclasses.replace(error, source=source) if source else error


def check(
    run: ProgramRun,
    *,
    project: str,
    stack: str,
    kubernetes_version: str,
    say: Progress | None = None,
    timings: dict[str, float] | None = None,
    environment: ResolvedEnvironment | None = None,
    stack_values: StackValues | None = None,
) -> PreviewResult:
    """Render, schema-check and police the resources of a finished program run (``stack_values``:
    the stack file's values, to name the key a rejected value came from)."""
    say = say or (lambda _msg: None)
    timings = timings if timings is not None else {}
    manifests = [(r, manifest_of(r, run.state.get(r.urn))) for r in run.records if is_manifest(r)]
    say(f"validating {len(manifests)} Kubernetes objects against the Kubernetes {kubernetes_version} schema")
    t0 = time.perf_counter()
    schema_errors: list[SchemaError] = []
    for _record, manifest in manifests:
        found = validate_manifest(manifest, kubernetes_version, display=display_of(manifest))
        if stack_values is not None:
            found = [_with_source(error, manifest, stack_values) for error in found]
        schema_errors.extend(found)
    for rejection in run.rejections:
        schema_errors.append(
            SchemaError(f"{rejection.type} {rejection.name}", rejection.path, rejection.message)
        )
    timings["schema"] = time.perf_counter() - t0

    say(
        f"running {len(policies.RULES) + len(policies.STACK_RULES)} policy rules over {len(run.records)} resources"
    )
    t0 = time.perf_counter()
    resources = [
        policies.Resource(
            type=r.type,
            name=r.name,
            props=m,
            urn=r.urn,
            protect=r.protect,
            property_dependencies=r.property_dependencies,
            parent=r.parent,
        )
        for r, m in manifests
    ] + [
        policies.Resource(
            type=r.type,
            name=r.name,
            props=r.inputs,
            urn=r.urn,
            protect=r.protect,
            property_dependencies=r.property_dependencies,
            parent=r.parent,
        )
        for r in run.records
        if not is_manifest(r)
    ]
    evaluation = policies.check(resources)
    timings["policy"] = time.perf_counter() - t0
    return PreviewResult(
        project=project,
        stack=stack,
        kubernetes_version=kubernetes_version,
        records=run.records,
        manifests=manifests,
        schema_errors=schema_errors,
        evaluation=evaluation,
        stack_outputs=run.stack_outputs,
        logs=run.logs,
        timings=timings,
        environment=environment,
    )


__all__ = [
    "ConfigError",
    "OutputRegistry",
    "PreviewResult",
    "ProgramRun",
    "check",
    "explain_exception",
    "preview",
    "run_program",
]
