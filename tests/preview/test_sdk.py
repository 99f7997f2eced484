"""preview/_sdk.py: the engine's one contact with the Pulumi SDK's internals, its shape detection
and its fall-backs, and the event loop each program run gets."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import contextvars
import enum
import gc
import json
import logging
import operator
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import pulumi
import pulumi.runtime
import pulumi_kubernetes as k8s
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from platform_components.cli import main
from platform_components.errors import PreviewError, SdkCompatibilityError
from platform_components.preview import _sdk
from platform_components.preview.engine import run_program
from platform_components.testing import preview_function

PACKAGE = Path(_sdk.__file__).resolve().parents[1]
T = TypeVar("T")


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


# --------------------------------------------------------------------------------------------------
# Only _sdk.py touches the SDK's internals

PUBLIC_PULUMI_MODULES = {"pulumi", "pulumi.runtime"}


def _pulumi_imports(path: Path) -> list[str]:
    """Every ``pulumi`` module or name a source file imports, spelled ``module:name``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"{alias.name}:" for alias in node.names if alias.name.split(".")[0] == "pulumi"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pulumi":
            found += [f"{node.module}:{alias.name}" for alias in node.names]
    return found


def test_only_the_sdk_module_imports_pulumi_internals() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_sdk.py":
            continue
        for imported in _pulumi_imports(path):
            module, _, name = imported.partition(":")
            if module not in PUBLIC_PULUMI_MODULES or name.startswith("_"):
                offenders.append(f"{path.relative_to(PACKAGE)}: {imported}")
    assert offenders == []


def test_the_preview_modules_reach_no_private_attribute_of_the_sdk() -> None:
    """No ``pulumi.runtime.settings.…`` or ``rpc._…`` attribute chains outside _sdk.py either."""
    offenders = []
    for path in sorted((PACKAGE / "preview").glob("*.py")):
        if path.name == "_sdk.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
                chain = ast.unparse(node)
                if chain.startswith("pulumi.runtime.") and not chain.startswith(
                    ("pulumi.runtime.Mocks", "pulumi.runtime.set_")
                ):
                    offenders.append(f"{path.name}: {chain}")
    assert offenders == []


def test_the_docstring_states_the_tested_range() -> None:
    assert _sdk.__doc__ is not None
    assert "pulumi >= 3.200 through 3.272" in _sdk.__doc__
    assert _sdk.SUPPORTED_PULUMI == ">=3.200, <=3.272"


# --------------------------------------------------------------------------------------------------
# SETTINGS.outputs: a deque up to 3.237, a set from 3.238


def test_a_deque_is_swapped_for_an_output_registry() -> None:
    settings = SimpleNamespace(outputs=deque(["stale"]))
    assert _sdk.fresh_output_tracking(settings) == "deque"
    assert isinstance(settings.outputs, _sdk.OutputRegistry)
    assert len(settings.outputs) == 0  # this run's own, empty
    assert _sdk.outputs_shape(settings) == "registry"
    first = settings.outputs
    assert _sdk.fresh_output_tracking(settings) == "registry"
    assert isinstance(settings.outputs, _sdk.OutputRegistry) and settings.outputs is not first


def test_a_set_stays_a_set_of_its_own() -> None:
    shared = {"a failed output of an earlier run"}
    settings = SimpleNamespace(outputs=shared)
    assert _sdk.fresh_output_tracking(settings) == "set"
    assert type(settings.outputs) is set
    assert settings.outputs == set() and settings.outputs is not shared
    assert shared == {"a failed output of an earlier run"}  # the SDK's own set is left alone
    settings.outputs.add("x")  # the operations pulumi >= 3.238 uses
    settings.outputs.discard("x")
    with pytest.raises(KeyError):
        settings.outputs.remove("x")


def test_a_set_subclass_keeps_its_type() -> None:
    class TrackedSet(set[Any]):
        pass

    settings = SimpleNamespace(outputs=TrackedSet())
    assert _sdk.fresh_output_tracking(settings) == "set"
    assert type(settings.outputs) is TrackedSet


@pytest.mark.parametrize("outputs", [[], {"not": "a collection the engine knows"}, None])
def test_any_other_shape_is_left_as_the_sdk_made_it(outputs: Any) -> None:
    settings = SimpleNamespace(outputs=outputs)
    assert _sdk.fresh_output_tracking(settings) == "other"
    assert settings.outputs is outputs


def test_no_outputs_attribute_at_all() -> None:
    settings = SimpleNamespace()
    assert _sdk.fresh_output_tracking(settings) == "other"
    assert not hasattr(settings, "outputs")


def test_no_settings_at_all_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sdk, "_lookup", lambda module, name: None)
    assert _sdk.fresh_output_tracking() == "other"


def test_the_installed_sdk_has_the_shape_its_version_says() -> None:
    from pulumi.runtime.settings import SETTINGS

    expected = "set" if _version_tuple(_sdk.sdk_version()) >= (3, 238) else "deque"

    def in_a_context_of_its_own() -> str:
        return _sdk.fresh_output_tracking()

    before = SETTINGS.outputs
    assert _sdk.outputs_shape(SETTINGS) == expected
    assert contextvars.copy_context().run(in_a_context_of_its_own) == expected
    assert SETTINGS.outputs is before  # the settings are context variables: ours stay as they were


# OutputRegistry against the deque it replaces, for the operations the SDK uses on distinct futures

_OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.integers(0, 30)),
        st.tuples(st.just("remove"), st.integers(0, 30)),
        st.tuples(st.just("popleft"), st.just(0)),
        st.tuples(st.just("clear"), st.just(0)),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(_OPERATIONS)
def test_output_registry_matches_a_deque(operations: list[tuple[str, int]]) -> None:
    registry = _sdk.OutputRegistry()
    reference: deque[int] = deque()
    for operation, item in operations:
        if operation == "append" and item in reference:
            continue  # the SDK appends each future once (or again after popping it)
        results = []
        for target in (registry, reference):
            try:
                arguments = [item] if operation in ("append", "remove") else []
                results.append(("ok", getattr(target, operation)(*arguments)))
            except (ValueError, IndexError) as exc:
                results.append(("raised", type(exc)))
        assert results[0] == results[1], (operation, item)
        assert list(registry) == list(reference)
        assert len(registry) == len(reference)
        assert all(x in registry for x in reference)


def test_output_registry_iterates_over_a_snapshot() -> None:
    registry = _sdk.OutputRegistry(["a", "b"])
    for item in registry:
        registry.remove(item)  # the SDK copies before it waits; iteration never sees the change
    assert len(registry) == 0


def test_output_registry_removes_by_key_not_by_scan() -> None:
    """Removal is a dict deletion (O(1)), not a deque scan: the removed item's neighbours are never
    compared with it. (How much that saves is a benchmark figure, not a test.)"""

    class Counted:
        comparisons = 0

        def __init__(self, n: int) -> None:
            self.n = n

        def __eq__(self, other: object) -> bool:
            Counted.comparisons += 1
            return self is other

        def __hash__(self) -> int:
            return self.n

    items = [Counted(i) for i in range(1_000)]
    registry = _sdk.OutputRegistry(items)
    for item in reversed(items[1:]):
        registry.remove(item)
    assert len(registry) == 1
    assert Counted.comparisons == 0


# --------------------------------------------------------------------------------------------------
# Item 1: a preview with SETTINGS.outputs being a set (pulumi >= 3.238)


class _SetShapedOutputs(set[Any]):
    """A ``set``, as pulumi >= 3.238 keeps pending Outputs in, that also answers the deque calls of
    an older installed SDK, so that the engine's handling of the set shape runs on any SDK."""

    class Missing(KeyError, ValueError):
        pass

    def append(self, item: Any) -> None:
        self.add(item)

    def remove(self, item: Any) -> None:
        if item not in self:
            raise self.Missing(item)
        super().remove(item)

    def popleft(self) -> Any:
        return self.pop()


def test_a_preview_with_outputs_in_a_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime.settings import SETTINGS

    shared = _SetShapedOutputs()
    monkeypatch.setattr(SETTINGS, "outputs", shared)
    seen: list[Any] = []

    def program() -> None:
        seen.append(SETTINGS.outputs)
        config = k8s.core.v1.ConfigMap("settings", metadata={"namespace": "apps"}, data={"a": "b"})
        k8s.core.v1.ConfigMap("derived", metadata={"namespace": "apps"}, data={"name": config.metadata.name})
        pulumi.export("name", config.metadata.name)

    result = preview_function(program)
    assert sorted(r.name for r in result.resources) == ["derived", "settings"]
    assert result.outputs["name"].startswith("settings-")
    (outputs,) = seen
    assert type(outputs) is _SetShapedOutputs  # not swapped for the deque's replacement
    assert outputs is not shared and len(outputs) == 0  # the run's own set, fully awaited
    assert SETTINGS.outputs is shared


def test_a_failed_run_with_outputs_in_a_set_does_not_reach_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime.settings import SETTINGS

    monkeypatch.setattr(SETTINGS, "outputs", _SetShapedOutputs())

    def failing() -> None:
        config = k8s.core.v1.ConfigMap("settings", metadata={"namespace": "apps"}, data={"a": "b"})
        for index in range(5):
            config.metadata.name.apply(lambda _name, i=index: 1 / (i - i))

    with pytest.raises(ZeroDivisionError):
        run_program(failing, project="p", stack="s")
    run = run_program(
        lambda: k8s.core.v1.ConfigMap("ok", metadata={"namespace": "apps"}), project="p", stack="s"
    )
    assert [r.name for r in run.records] == ["ok"]


# --------------------------------------------------------------------------------------------------
# Missing internals: a public equivalent, or one clear error


def test_the_error_names_the_installed_version_and_the_range() -> None:
    error = _sdk.missing("pulumi.runtime.rpc.serialize_properties")
    assert isinstance(error, SdkCompatibilityError) and isinstance(error, PreviewError)
    message = str(error)
    assert "\n" not in message
    assert f"pulumi {_sdk.sdk_version()}" in message
    assert "pulumi.runtime.rpc.serialize_properties" in message
    assert _sdk.SUPPORTED_PULUMI in message


def _without(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Make ``module.name`` look absent to _sdk for every ``"module.name"`` given."""
    real = _sdk._lookup

    def lookup(module: str, name: str) -> Any:
        return None if f"{module}.{name}" in names else real(module, name)

    monkeypatch.setattr(_sdk, "_lookup", lookup)


def test_lookup_of_a_module_that_does_not_exist() -> None:
    assert _sdk._lookup("pulumi.runtime.no_such_module", "x") is None
    assert _sdk._lookup("pulumi.runtime.settings", "no_such_name") is None


def test_clear_root_resource_falls_back_to_the_setter(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime import settings

    _without(monkeypatch, "pulumi.runtime.settings.ROOT")
    calls: list[Any] = []
    monkeypatch.setattr(settings, "set_root_resource", calls.append)
    _sdk.clear_root_resource()
    assert calls == [None]


def test_clear_root_resource_without_either_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, "pulumi.runtime.settings.ROOT", "pulumi.runtime.settings.set_root_resource")
    with pytest.raises(SdkCompatibilityError, match=r"pulumi\.runtime\.settings\.ROOT"):
        _sdk.clear_root_resource()


def test_sync_await_without_the_sdk_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(
        monkeypatch, "pulumi.runtime.sync_await._sync_await", "pulumi.runtime.sync_await._ensure_event_loop"
    )

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    results: list[Any] = []

    def on_a_fresh_thread() -> None:  # like the executor threads the monitor runs on
        loop = _sdk.ensure_event_loop()
        try:
            results.append(_sdk.sync_await(answer()))
            results.append(_sdk.ensure_event_loop() is loop)
        finally:
            loop.close()

    thread = threading.Thread(target=on_a_fresh_thread)
    thread.start()
    thread.join()
    assert results == [42, True]


def _run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``make()`` run to completion on a loop of a thread of its own (this thread's loop, if any,
    stays as it is), as an async test would run it."""
    results: list[Any] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        try:
            results.append(loop.run_until_complete(make()))
        except BaseException as exc:
            results.append(exc)
        finally:
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    (result,) = results
    if isinstance(result, BaseException):
        raise result
    return cast(T, result)


def test_sync_await_inside_a_running_loop_needs_the_sdk_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, "pulumi.runtime.sync_await._sync_await")

    async def outer() -> None:
        with pytest.raises(SdkCompatibilityError, match="_sync_await"):
            _sdk.sync_await(asyncio.sleep(0))

    _run_async(outer)


def test_wire_helpers_without_the_rpc_module_are_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(
        monkeypatch,
        "pulumi.runtime.rpc.deserialize_properties",
        "pulumi.runtime.rpc.serialize_properties",
        "pulumi.runtime.proto.resource_pb2.RegisterResourceResponse",
    )
    with pytest.raises(SdkCompatibilityError, match="deserialize_properties"):
        _sdk.deserialize_properties(None)
    with pytest.raises(SdkCompatibilityError, match="serialize_properties"):
        _sdk.serialize_properties({"not plain": _Colour.RED})  # plain data needs no SDK serialiser
    with pytest.raises(SdkCompatibilityError, match="RegisterResourceResponse"):
        _sdk.register_resource_response(urn="u")


def test_wire_helpers_round_trip() -> None:
    async def round_trip() -> Any:
        struct = await asyncio.get_running_loop().run_in_executor(
            None, _sdk.serialize_properties, {"a": 1, "b": ["x"]}
        )
        return _sdk.deserialize_properties(struct)

    assert _sdk.run_on_own_loop(round_trip) == {"a": 1, "b": ["x"]}
    assert _sdk.register_resource_response(urn="u", id="i").id == "i"


def test_the_wire_constants_are_pulumis() -> None:
    from pulumi.runtime import rpc

    assert rpc._special_sig_key == _sdk.SPECIAL_SIG_KEY
    assert rpc._special_secret_sig == _sdk.SPECIAL_SECRET_SIG


def test_unknowns_are_recognised_without_the_class(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.output import UNKNOWN

    assert _sdk.is_unknown(UNKNOWN)
    monkeypatch.setattr(_sdk, "_UNKNOWN", None)
    assert _sdk.is_unknown(UNKNOWN)
    assert not _sdk.is_unknown("[unknown]")
    assert not _sdk.is_unknown(None)


def test_resource_registration_has_the_sdks_shape() -> None:
    registration = _sdk.ResourceRegistration("urn:x", "id-1", {"a": 1})
    assert registration._asdict() == {"urn": "urn:x", "id": "id-1", "state": {"a": 1}}
    own = _sdk._ResourceRegistration("urn:x", "id-1", {"a": 1})
    assert own._asdict() == registration._asdict()


def test_a_missing_mock_monitor_is_one_clear_error() -> None:
    with pytest.raises(SdkCompatibilityError, match=r"pulumi\.runtime\.mocks\.MockMonitor"):
        _sdk._MissingMockMonitor(object())


def _small_program() -> None:
    config = k8s.core.v1.ConfigMap("settings", metadata={"namespace": "apps"}, data={"a": "b"})
    pulumi.export("name", config.metadata.name)


def test_run_in_stack_without_the_exported_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    exported = run_program(_small_program, project="p", stack="s")
    monkeypatch.delattr(pulumi.runtime, "run_in_stack")
    fallback = run_program(_small_program, project="p", stack="s")
    assert sorted(r.urn for r in fallback.records) == sorted(r.urn for r in exported.records)
    assert fallback.stack_outputs == exported.stack_outputs


def test_a_preview_without_any_way_to_run_a_stack_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delattr(pulumi.runtime, "run_in_stack")
    _without(monkeypatch, "pulumi.runtime.stack.Stack")
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n")
    code = main(["preview", str(tmp_path), "--stack", "dev", "--json", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith("platformctl: error: the installed Pulumi SDK (pulumi ")
    assert "pulumi.runtime.stack.Stack" in err and _sdk.SUPPORTED_PULUMI in err


# --------------------------------------------------------------------------------------------------
# Each run on a loop of its own


@pytest.mark.parametrize("inline_calls", [True, False])
def test_a_run_leaves_no_loop_open_and_no_task_behind(inline_calls: bool) -> None:
    seen: dict[str, Any] = {}

    async def run() -> str:
        loop = asyncio.get_running_loop()
        seen["loop"] = loop
        seen["executor"] = await loop.run_in_executor(None, asyncio.get_event_loop)
        seen["worker"] = await loop.run_in_executor(None, _sdk.offload, asyncio.get_event_loop)
        seen["pending"] = asyncio.ensure_future(asyncio.sleep(3600))
        return "done"

    assert _sdk.run_on_own_loop(run, inline_calls=inline_calls) == "done"
    assert seen["loop"].is_closed()
    # inline: the executor runs on the loop's own thread, offload on a worker with a loop of its own
    assert (seen["executor"] is seen["loop"]) is inline_calls
    assert seen["worker"] is not seen["loop"] and seen["worker"].is_closed()
    assert seen["pending"].cancelled()


def test_what_a_failed_run_leaves_goes_to_the_debug_log_not_stderr(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    left: list[asyncio.Future[None]] = []

    async def failing() -> None:
        loop = asyncio.get_running_loop()

        async def fails() -> None:
            raise ZeroDivisionError("never retrieved")

        left.append(asyncio.ensure_future(fails()))  # fails, and nobody asks
        left.append(loop.run_in_executor(None, time.sleep, 0.3))  # still running when the run fails
        await asyncio.sleep(0.05)
        raise RuntimeError("the program failed")

    with caplog.at_level(logging.DEBUG, logger=_sdk.__name__):
        with pytest.raises(RuntimeError):
            _sdk.run_on_own_loop(failing)
        left.clear()
        gc.collect()
        time.sleep(0.4)
    captured = capfd.readouterr()
    assert captured.err == ""
    assert "never retrieved" in caplog.text


def test_inside_a_running_loop_the_run_gets_a_thread_and_a_loop_of_its_own() -> None:
    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")

    async def inner() -> tuple[asyncio.AbstractEventLoop, str, str]:
        return asyncio.get_running_loop(), threading.current_thread().name, marker.get()

    async def outer() -> tuple[bool, bool, str]:
        marker.set("the caller's")
        loop, thread, value = _sdk.run_on_own_loop(inner)
        return loop is not asyncio.get_running_loop(), thread != threading.current_thread().name, value

    assert _run_async(outer) == (True, True, "the caller's")


def test_a_failure_inside_a_running_loop_reaches_the_caller() -> None:
    async def inner() -> None:
        raise KeyError("from the run")

    async def outer() -> None:
        _sdk.run_on_own_loop(inner)

    with pytest.raises(KeyError, match="from the run"):
        _run_async(outer)


def test_a_preview_from_async_code() -> None:
    async def test_body() -> list[str]:
        return [r.name for r in preview_function(_small_program).resources]

    assert _run_async(test_body) == ["settings"]


# --------------------------------------------------------------------------------------------------
# Per-resource stack traces: skipped for the run, the SDK's capture restored afterwards


def _captures_during_a_run(monkeypatch: pytest.MonkeyPatch) -> tuple[int, Any]:
    """How often the SDK captured a stack trace while a one-resource program ran."""
    import pulumi.runtime.resource as sdk_resource

    calls: list[int] = []
    sdk_capture = sdk_resource._get_stack_trace

    def counting() -> Any:
        calls.append(1)
        return sdk_capture()

    monkeypatch.setattr(sdk_resource, "_get_stack_trace", counting)

    def program() -> None:
        k8s.core.v1.ConfigMap("settings", metadata={"namespace": "apps"}, data={"a": "b"})

    result = preview_function(program)
    assert sdk_resource._get_stack_trace is counting  # restored after the run
    return len(calls), result


def test_a_run_registers_without_stack_traces_and_restores_the_capture(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captures, result = _captures_during_a_run(monkeypatch)
    assert captures == 0
    assert [r.name for r in result.resources] == ["settings"]


def test_the_capture_is_restored_after_a_failed_run() -> None:
    import pulumi.runtime.resource as sdk_resource

    captured = sdk_resource._get_stack_trace

    def program() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_program(program, project="p", stack="s")
    assert sdk_resource._get_stack_trace is captured


@pytest.mark.parametrize("absent", ["_get_stack_trace", "StackTrace"])
def test_an_sdk_without_either_name_keeps_its_own_capture(
    monkeypatch: pytest.MonkeyPatch, absent: str
) -> None:
    """An SDK that has no such function (or no StackTrace message) is left to capture as it does."""
    import pulumi.runtime.resource as sdk_resource

    captured = sdk_resource._get_stack_trace
    real_lookup = _sdk._lookup

    def lookup(module: str, name: str) -> Any:
        if name == absent:
            return None
        if (module, name) == ("pulumi.runtime", "resource") and absent == "_get_stack_trace":
            return SimpleNamespace()  # a resource module without the function
        return real_lookup(module, name)

    monkeypatch.setattr(_sdk, "_lookup", lookup)
    with _sdk.no_stack_traces() as skipped:
        assert skipped is False
        assert sdk_resource._get_stack_trace is captured
    captures, result = _captures_during_a_run(monkeypatch)
    assert captures >= 1  # the SDK's own capture ran (the stack, the provider, the ConfigMap)
    assert [r.name for r in result.resources] == ["settings"]


def test_the_capture_is_replaced_by_an_empty_trace_only_inside_the_block() -> None:
    import pulumi.runtime.resource as sdk_resource

    captured = sdk_resource._get_stack_trace
    with _sdk.no_stack_traces() as skipped:
        assert skipped is True
        assert sdk_resource._get_stack_trace() == type(captured())()
    assert sdk_resource._get_stack_trace is captured


# --------------------------------------------------------------------------------------------------
# URNs of plain strings built directly, the SDK's function restored afterwards


def _urn_pairs() -> list[tuple[str, str]]:
    """Each shape of ``create_urn`` call the SDK makes, answered during a run by the function in
    place (built directly) and by the SDK's own: (built, the SDK's) per shape."""
    import pulumi.runtime.resource as sdk_resource

    sdk_create_urn = sdk_resource.create_urn
    pairs: list[tuple[str, str]] = []

    def program() -> None:
        parent = pulumi.ComponentResource("test:index:Parent", "parent")
        in_place = sdk_resource.create_urn
        assert in_place is not sdk_create_urn  # the engine's, for the run
        parent_urn = "urn:pulumi:s::p::test:index:Parent::parent"
        for args in (
            ("child", "kubernetes:core/v1:ConfigMap", parent_urn),  # a registration's own URN
            ("child", "kubernetes:core/v1:ConfigMap", None, "p", "s"),  # an alias at the root
            ("child", "kubernetes:core/v1:ConfigMap", parent),  # an alias under a parent
            ("child", "kubernetes:core/v1:ConfigMap", parent_urn, "other", "stack"),
            (pulumi.Output.from_input("child"), "kubernetes:core/v1:ConfigMap", None, "p", "s"),
            ("child", "kubernetes:core/v1:ConfigMap", None),  # the stack's project and stack
        ):
            built, own = in_place(*args), sdk_create_urn(*args)
            pulumi.Output.all(built, own).apply(lambda both: pairs.append((both[0], both[1])))

    run_program(program, project="p", stack="s")
    assert sdk_resource.create_urn is sdk_create_urn  # restored after the run
    return pairs


def test_urns_built_directly_are_the_sdks() -> None:
    pairs = _urn_pairs()
    assert len(pairs) == 6
    for built, own in pairs:
        assert built == own
    assert ("urn:pulumi:s::p::test:index:Parent$kubernetes:core/v1:ConfigMap::child",) * 2 in pairs
    assert ("urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::child",) * 2 in pairs


def _api_workload() -> Any:
    """A SecureWorkload with a Deployment (whose class carries aliases), a PDB and a NetworkPolicy."""
    from platform_components import MeshMode, ProbeArgs, SecureWorkload, SecureWorkloadArgs

    args = SecureWorkloadArgs(
        namespace="apps",
        image="ghcr.io/acme/api:1.0.0",
        readiness=ProbeArgs(path="/r"),
        liveness=ProbeArgs(path="/l"),
    )
    return SecureWorkload("api", args, mesh=MeshMode.NONE)


def test_a_program_records_the_same_with_the_sdks_own_urns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Components, children with aliases (the Deployment's) and depends_on record the same either way."""
    from platform_components.preview import engine

    def program() -> None:
        _api_workload()
        k8s.apps.v1.Deployment(
            "raw",
            metadata={"namespace": "apps"},
            spec=k8s.apps.v1.DeploymentSpecArgs(
                selector={"matchLabels": {"app": "raw"}},
                template={
                    "metadata": {"labels": {"app": "raw"}},
                    "spec": {"containers": [{"name": "a", "image": "b:1"}]},
                },
            ),
        )

    built = run_program(program, project="p", stack="s")
    with _sdk.plain_urns() as took_effect:
        assert took_effect is True
    monkeypatch.setattr(engine, "plain_urns", lambda: contextlib.nullcontext(False))
    own = run_program(program, project="p", stack="s")
    # the same records; not always in the same order: on older SDKs (3.200) the SDK's own URN
    # Outputs change how the registrations of unrelated resources interleave on the loop
    assert {r.urn: r.as_dict() for r in built.records} == {r.urn: r.as_dict() for r in own.records}
    assert len(built.records) == len(own.records)
    assert built.state == own.state


# --------------------------------------------------------------------------------------------------
# Outputs read back through plain_properties


def _outputs_program() -> None:
    """Plain outputs, an auto-named object, a secret, and outputs read back into exports."""
    workload = _api_workload()
    unnamed = k8s.core.v1.ConfigMap("unnamed", metadata={"namespace": "apps"}, data={"a": "b", "n": "1"})
    secret = k8s.core.v1.Secret(
        "creds", metadata={"name": "creds", "namespace": "apps"}, string_data=pulumi.Output.secret({"k": "v"})
    )
    pulumi.export("unnamed", unnamed.metadata.name)
    pulumi.export("data", unnamed.data)
    pulumi.export("secret", secret.string_data)
    pulumi.export("workload", workload.urn)


def test_outputs_read_the_same_through_plain_properties(monkeypatch: pytest.MonkeyPatch) -> None:
    from platform_components.preview import engine

    read: list[bool] = []
    real = _sdk.plain_properties

    def counted(struct: Any) -> Any:
        plain = real(struct)
        read.append(plain is not None)
        return plain

    monkeypatch.setattr(_sdk, "plain_properties", counted)
    with _sdk.plain_output_reading() as took_effect:
        assert took_effect is True
    fast = run_program(_outputs_program, project="p", stack="s")
    assert any(read) and not all(read)  # plain outputs read directly; the secret's went to the SDK
    monkeypatch.setattr(engine, "plain_output_reading", lambda: contextlib.nullcontext(False))
    own = run_program(_outputs_program, project="p", stack="s")
    assert {r.urn: r.as_dict() for r in fast.records} == {r.urn: r.as_dict() for r in own.records}
    assert fast.state == own.state
    assert fast.stack_outputs == own.stack_outputs
    assert fast.stack_outputs["secret"] == {"k": "[secret]"}


def _other_create_urn(name: str, type_: str, parent: Any = None) -> Any:
    import pulumi.runtime.resource as sdk_resource

    return sdk_resource.create_urn(name, type_, parent)


def _other_deserialize(struct: Any, keep_unknowns: Any = None) -> Any:  # a first parameter of another name
    from pulumi.runtime import rpc

    return rpc.deserialize_properties(struct, keep_unknowns)


SWAPS = {
    "create_urn": ("resource", _sdk.plain_urns, _other_create_urn),
    "deserialize_properties": ("rpc", _sdk.plain_output_reading, _other_deserialize),
}
"""The SDK functions a run swaps for the length of the run: module, the swap, and a same-purpose
function of another shape (which is left alone)."""


@pytest.mark.parametrize("sdk", ["without the function", "with another signature"])
@pytest.mark.parametrize("function", sorted(SWAPS))
def test_an_sdk_without_a_swapped_function_runs_its_own(
    monkeypatch: pytest.MonkeyPatch, function: str, sdk: str
) -> None:
    module_name, swap, other = SWAPS[function]
    sdk_module = getattr(pulumi.runtime, module_name)
    sdk_function = getattr(sdk_module, function)
    module = SimpleNamespace() if sdk == "without the function" else SimpleNamespace(**{function: other})
    real_lookup = _sdk._lookup

    def lookup(name: str, attribute: str) -> Any:
        if (name, attribute) == ("pulumi.runtime", module_name):
            return module
        return real_lookup(name, attribute)

    monkeypatch.setattr(_sdk, "_lookup", lookup)
    with swap() as took_effect:
        assert took_effect is False
        assert getattr(module, function, None) in (None, other)
    assert getattr(sdk_module, function) is sdk_function
    result = preview_function(_small_program)
    assert [r.name for r in result.resources] == ["settings"]


@pytest.mark.parametrize("function", sorted(SWAPS))
def test_the_sdks_function_is_restored_after_a_failed_run(function: str) -> None:
    sdk_module = getattr(pulumi.runtime, SWAPS[function][0])
    sdk_function = getattr(sdk_module, function)

    def program() -> None:
        k8s.core.v1.ConfigMap("settings", metadata={"name": "s"}, data={"a": "b"})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_program(program, project="p", stack="s")
    assert getattr(sdk_module, function) is sdk_function


# --------------------------------------------------------------------------------------------------
# Plain data serialised without the SDK's round trip; monitor calls inline


class _Colour(enum.StrEnum):
    RED = "red"


JSON_SCALARS = (
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False) | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _sdk_serialised(props: dict[str, Any]) -> Any:
    """What the SDK's own serialiser makes of ``props``."""
    from pulumi.runtime import rpc

    async def serialise() -> Any:
        return await rpc.serialize_properties(props, {})

    return _sdk.run_on_own_loop(serialise)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5))
def test_plain_data_serialises_as_the_sdk_serialises_it(props: dict[str, Any]) -> None:
    assert _sdk.plain_struct(props) == _sdk_serialised(props)


@pytest.mark.parametrize(
    "props",
    [
        {"colour": _Colour.RED},  # an enum: the SDK sends its value
        {"nested": {"colour": _Colour.RED}},
        {"name": type("Name", (str,), {})("web")},  # a str subclass
        {"data": type("Data", (dict,), {})(a=1)},  # a dict subclass
    ],
)
def test_anything_else_goes_to_the_sdks_serialiser(props: dict[str, Any]) -> None:
    assert _sdk.plain_struct(props) is None

    async def serialise() -> Any:  # on the loop's thread: the SDK's serialiser runs on a worker
        return _sdk.serialize_properties(props)

    assert _sdk.run_on_own_loop(serialise) == _sdk_serialised(props)


@pytest.mark.parametrize("props", [{"numbers": {1: "one"}}, {"set": {"a"}}, {1: "a"}, {"o": object()}])
def test_what_is_not_json_shaped_is_not_plain(props: dict[Any, Any]) -> None:
    assert _sdk.plain_struct(props) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5))
def test_plain_data_deserialises_as_the_sdk_deserialises_it(props: dict[str, Any]) -> None:
    from pulumi.runtime import rpc

    struct = _sdk_serialised(props)
    decoded = _sdk.plain_properties(struct)
    expected = rpc.deserialize_properties(struct)
    if decoded is None:  # only what may hold an engine-internal key ("__...") is left to the SDK
        assert b"__" in struct.SerializeToString()
        return
    assert decoded == expected
    assert json.dumps(decoded) == json.dumps(expected)  # the same key order and number types too


@pytest.mark.parametrize(
    "value",
    [
        {_sdk.SPECIAL_SIG_KEY: _sdk.SPECIAL_SECRET_SIG, "value": "s3cret"},  # a secret
        ["a", {"deep": {_sdk.SPECIAL_SIG_KEY: _sdk.SPECIAL_SECRET_SIG, "value": 1}}],
        _sdk.UNKNOWN_SENTINEL,  # an unknown
        [_sdk.UNKNOWN_SENTINEL],
        f"text around {_sdk.SPECIAL_SIG_KEY}",  # only looks special: the SDK decides, not the fast path
        {"__defaults": ["a"]},  # engine-internal keys: kept or dropped by the SDK's own rules
    ],
)
def test_what_is_not_plain_is_left_to_the_sdks_deserialiser(value: Any) -> None:
    from google.protobuf import struct_pb2

    struct = struct_pb2.Struct()
    struct.update({"field": value})
    assert _sdk.plain_properties(struct) is None


def test_the_unknown_sentinel_is_pulumis() -> None:
    from pulumi.runtime import rpc

    assert rpc.UNKNOWN == _sdk.UNKNOWN_SENTINEL


def test_a_self_naming_object_is_answered_with_its_own_request_and_others_are_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The monitor echoes the request's Struct when the mocks answer with the plain inputs
    unchanged, and serialises the answer otherwise (auto-naming, secrets)."""
    from platform_components.preview import mocks
    from pulumi.runtime.proto import resource_pb2

    serialised: list[dict[str, Any]] = []

    def serialize(props: dict[str, Any]) -> Any:
        serialised.append(props)
        return _sdk.serialize_properties(props)

    monkeypatch.setattr(mocks, "serialize_properties", serialize)
    monitor = mocks.RecordingMonitor(mocks.PreviewMocks(aws=False), project="p", stack="s")

    def register(name: str, props: dict[str, Any], secret_outputs: tuple[str, ...] = ()) -> tuple[Any, Any]:
        request = resource_pb2.RegisterResourceRequest(
            type="kubernetes:core/v1:ConfigMap",
            name=name,
            custom=True,
            object=_sdk_serialised(props),
            additionalSecretOutputs=secret_outputs,
        )
        return request, monitor.RegisterResource(request)

    named = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"a": "1"}}
    request, response = register("named", named)
    assert serialised == [] and response.object == request.object and response.id == "web"
    assert monitor.records[-1].inputs == named

    unnamed = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"labels": {"a": "b"}}}
    request, response = register("unnamed", unnamed)
    assert len(serialised) == 1
    answered = _sdk.plain_properties(response.object)
    assert answered is not None and answered["metadata"]["name"].startswith("unnamed-")
    assert answered["metadata"]["labels"] == {"a": "b"}

    # a secret input, or an output the resource names secret, is answered as a secret (as the
    # engine does), the rest in the clear
    as_secret = {_sdk.SPECIAL_SIG_KEY: _sdk.SPECIAL_SECRET_SIG, "value": {"a": "1"}}
    request, response = register("secret", {**named, "data": as_secret})
    assert len(serialised) == 2 and serialised[-1]["data"] == as_secret
    assert serialised[-1]["metadata"] == {"name": "web"}
    assert monitor.records[-1].inputs["data"] == {"a": "[secret]"} and monitor.records[-1].has_secrets
    request, response = register("flagged", named, secret_outputs=("data",))
    assert len(serialised) == 3 and serialised[-1]["data"] == as_secret
    assert monitor.records[-1].inputs["data"] == {"a": "1"}  # the inputs were not secret


def test_special_values_are_found_and_secrets_are_not() -> None:
    from google.protobuf import struct_pb2

    def struct(value: dict[str, Any]) -> struct_pb2.Struct:
        message = struct_pb2.Struct()
        message.update({"field": value})
        return message

    assert not _sdk.has_special_values(struct({"plain": "data"}))
    assert not _sdk.has_special_values(struct({_sdk.SPECIAL_SIG_KEY: _sdk.SPECIAL_SECRET_SIG, "value": "x"}))
    for sig in _sdk.SPECIAL_VALUE_SIGS:
        assert _sdk.has_special_values(struct({"deep": [{_sdk.SPECIAL_SIG_KEY: sig, "urn": "u"}]}))


def test_the_special_value_signatures_are_pulumis() -> None:
    from pulumi.runtime import rpc

    names = (
        "_special_resource_sig",
        "_special_asset_sig",
        "_special_archive_sig",
        "_special_output_value_sig",
    )
    assert tuple(getattr(rpc, name) for name in names) == _sdk.SPECIAL_VALUE_SIGS


def test_the_inline_executor_runs_on_the_calling_thread_and_keeps_errors() -> None:
    executor = _sdk.InlineExecutor(workers=ThreadPoolExecutor(max_workers=1))
    try:
        done = executor.submit(threading.current_thread)
        assert done.done() and done.result() is threading.current_thread()
        failed = executor.submit(operator.truediv, 1, 0)
        assert isinstance(failed.exception(), ZeroDivisionError)
    finally:
        executor.shutdown()
    with pytest.raises(RuntimeError):
        executor.workers.submit(int)  # shut down with it


def test_offload_runs_on_a_worker_with_the_callers_context_only_on_an_inline_loop() -> None:
    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")

    def where() -> tuple[str, str]:
        return threading.current_thread().name, marker.get()

    async def run() -> tuple[tuple[str, str], tuple[str, str]]:
        marker.set("the caller's")
        on_loop = _sdk.offload(where)
        in_executor = await asyncio.get_running_loop().run_in_executor(None, _sdk.offload, where)
        return on_loop, in_executor

    main_thread = threading.current_thread().name
    (thread, value), (executor_thread, _) = _sdk.run_on_own_loop(run)
    assert thread.startswith("preview") and value == "the caller's"
    assert executor_thread.startswith("preview")
    assert _sdk.offload(where) == (main_thread, "unset")  # no inline loop here: called right here
    (thread, _), (executor_thread, _) = _sdk.run_on_own_loop(run, inline_calls=False)
    assert thread == main_thread  # the loop's thread, but calls are not inline: no need to move
    assert executor_thread.startswith("preview")


def _everything_program() -> None:
    """Kubernetes objects, AWS resources with invokes, a component with outputs, a resource
    reference, an asset and a secret: every kind of monitor call and value."""
    from platform_components import ProbeArgs, SecureWorkload, SecureWorkloadArgs
    from platform_components._optional import lazy_module

    aws = lazy_module("pulumi_aws", "the test")

    identity = aws.get_caller_identity()
    bucket = aws.s3.Bucket("data", tags={"account": identity.account_id})
    aws.s3.BucketObject("readme", bucket=bucket.id, source=pulumi.StringAsset("hello"))
    role = aws.iam.Role(
        "role",
        assume_role_policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    aws.iam.RolePolicyAttachment(
        "attach", role=role.name, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    config = k8s.core.v1.ConfigMap("settings", metadata={"namespace": "apps"}, data={"bucket": bucket.bucket})
    k8s.core.v1.Secret(
        "token", metadata={"namespace": "apps"}, string_data={"t": pulumi.Output.secret("s3cr3t")}
    )
    workload = SecureWorkload(
        "web",
        SecureWorkloadArgs(
            namespace="apps",
            image="ghcr.io/acme/web:1.0.0",
            readiness=ProbeArgs(path="/readyz"),
            liveness=ProbeArgs(path="/livez"),
        ),
    )
    pulumi.export("config", config.metadata.name)
    pulumi.export("service", workload.service_name)
    pulumi.export("bucket_ref", bucket)


def _run(inline_calls: bool) -> str:
    """A run's records (by URN), stack outputs, state and logs, as JSON (objects by their type)."""
    run = run_program(
        _everything_program,
        project="p",
        stack="s",
        config={"aws:region": "eu-west-1"},
        inline_calls=inline_calls,
    )
    seen = {
        "records": sorted((record.as_dict() for record in run.records), key=lambda r: r["urn"]),
        "outputs": run.stack_outputs,
        "state": run.state,
        "logs": run.logs,
    }
    return json.dumps(seen, sort_keys=True, indent=1, default=lambda value: type(value).__name__)


def test_inline_calls_record_what_calls_on_worker_threads_record() -> None:
    inline, threaded = _run(True), _run(False)
    for kind in (
        "aws:s3/bucketObject:BucketObject",
        "kubernetes:core/v1:Secret",
        "platform:index:SecureWorkload",
    ):
        assert f'"type": "{kind}"' in inline
    assert '"StringAsset"' in inline and '"@isPulumiResource": true' in inline  # an asset, a resource
    assert inline == threaded
