"""The offline engine's only contact with the Pulumi SDK's non-public internals.

The engine runs a program in-process the way the Python language host does, against a recording
mock monitor. That needs a handful of things the SDK does not export; every one of them is looked
up here and nowhere else (``engine.py`` and ``mocks.py`` import them from this module):

=====================================================  ===============================================
SDK internal                                           without it
=====================================================  ===============================================
``pulumi.runtime.settings.ROOT``                       ``settings.set_root_resource(None)``, else error
``pulumi.runtime.settings.SETTINGS.outputs``           speed-up and isolation only: left alone
``pulumi.runtime.stack.Stack`` / ``run_pulumi_func``   only used when ``pulumi.runtime.run_in_stack``
                                                       (exported) is missing; else error
``pulumi.runtime.resource._get_stack_trace``          speed-up only: left alone (see below)
``pulumi.runtime.proto.source_pb2.StackTrace``         speed-up only: left alone
``pulumi.runtime.resource.create_urn``                 speed-up only: left alone (see below)
``pulumi.runtime.rpc.deserialize_properties`` (read)   speed-up only: left alone (see below)
``pulumi.runtime.sync_await._sync_await``              ``loop.run_until_complete`` (not inside a
                                                       running loop: error there)
``pulumi.runtime.sync_await._ensure_event_loop``       the same three lines of asyncio
``pulumi.runtime.mocks.MockMonitor``                   error (the recording monitor extends it)
``MockMonitor.ResourceRegistration``                   a NamedTuple of the same shape
``pulumi.runtime.rpc`` (de)serialize_properties        error
``rpc._special_sig_key`` / ``_special_secret_sig``     their values (fixed by Pulumi's wire protocol)
``pulumi.output.Unknown``                              recognised by its name and module
``pulumi.runtime.proto.resource_pb2``                  error
``rpc._special_resource_sig`` and the asset, archive  their values (fixed by Pulumi's wire protocol)
and output value ones
=====================================================  ===============================================

"error" is :class:`~platform_components.errors.SdkCompatibilityError`: one line naming the installed
SDK version and :data:`SUPPORTED_PULUMI`, never an ``AttributeError`` traceback. Missing names are
only reported when the engine needs them, so importing the library never fails on them.

Tested against pulumi >= 3.200 through 3.272 (with pulumi-kubernetes 4.18 to 4.34 and pulumi-aws
7.13 to 7.51; the components need pulumi-aws >= 7.13, the first with ``LogGroup``'s
``deletion_protection_enabled``). Shapes that changed inside that range and are handled here:

* ``SETTINGS.outputs`` is a ``collections.deque`` up to pulumi 3.237, where the SDK removes each
  resolved Output with ``deque.remove`` (linear, so O(n²) for a program with n Outputs): each run
  gets an :class:`OutputRegistry` instead. From 3.238 it is a ``set`` (O(1) already): each run
  gets a new ``set`` of its own. Any other shape is left as the SDK made it
  (:func:`fresh_output_tracking`).

Each run also skips the SDK's capture of a stack trace per resource (:func:`no_stack_traces`):
``traceback.extract_stack`` and a file URI per frame, about 10% of a run, sent to the monitor as
the resource's source position, which the engine's monitor never reads (the real engine is not
affected: it runs the program in its own process). When either name is missing the SDK's own
capture runs, unchanged.

Each run also builds the URNs the SDK computes for itself from plain strings directly
(:func:`plain_urns`): the SDK computes one per registration (used only when there is no monitor)
and one per alias of every resource (``pulumi_kubernetes`` classes carry several), each through a
chain of Outputs and tasks, about 10% of a run. The values are the same; when the function is
missing or its signature differs, the SDK's own runs, unchanged.

Each program run also gets its own event loop and executor (:func:`run_on_own_loop`), both torn
down when it ends: a failed run leaves tasks behind that would otherwise surface later as "Task
exception was never retrieved" or "Event loop is closed" on stderr, or in the next run.

These speed-ups rely on nothing private (each can be measured with ``benchmarks/preview_bench.py``):

* **Monitor calls inline.** The SDK sends every monitor call to the loop's default executor
  (``run_in_executor(None, ...)``, public asyncio); the engine's loop gets an :class:`InlineExecutor`
  that runs the call at once on the loop's thread instead of a thread hop per call. What waits on a
  loop (the SDK's invokes and reads, values that hold resource references, assets or output values)
  is sent to a worker thread by the recording monitor (:func:`offload`), as before. Should a later
  SDK stop using the default executor, its calls simply go wherever it sends them.
  ``run_program(..., inline_calls=False)`` runs every call on a worker thread; both ways record
  the same (``tests/preview/test_sdk.py``).
* **Plain data serialised directly.** The monitor answers each registration with the resource's
  state in the wire format; for plain data (what the mocks return) :func:`plain_struct` builds the
  ``Struct`` the SDK's async serialiser would (checked against it on generated data), without an
  event-loop round trip per value. Anything else goes through the SDK's serialiser.
* **Plain data read directly, and echoed.** The monitor reads each registration's inputs with
  :func:`plain_properties` when they hold no secret, unknown or other special value (the same
  values as the SDK's ``deserialize_properties``, checked against it on generated data, about three
  times faster); and when the mocks answer with those inputs unchanged (a Kubernetes object that
  names itself) the request's own ``Struct`` is the answer, instead of serialising it again.
  Together about 15% of a program of Kubernetes objects.

Each run also lets the SDK read plain outputs the same way (:func:`plain_output_reading`): the SDK's
``rpc.deserialize_properties`` is called by name from its own module when it resolves a resource's
outputs, so for the length of the run that name is a function that answers plain data with
:func:`plain_properties` and hands anything else to the SDK's. The values are the same; when the
name is missing or its first parameter differs, the SDK's own runs, unchanged.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import importlib
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from importlib import metadata
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

import pulumi
import pulumi.runtime

from ..errors import SdkCompatibilityError

T = TypeVar("T")

SUPPORTED_PULUMI = ">=3.200, <=3.272"
"""The pulumi versions the offline engine is tested against."""

_log = logging.getLogger(__name__)


def sdk_version() -> str:
    """The installed pulumi version (``"unknown"`` when its metadata is missing)."""
    try:
        return metadata.version("pulumi")
    except metadata.PackageNotFoundError:
        return "unknown"


def missing(what: str) -> SdkCompatibilityError:
    """The error for an SDK internal the engine needs and the installed SDK lacks."""
    return SdkCompatibilityError(
        f"the installed Pulumi SDK (pulumi {sdk_version()}) has no {what}, which the offline preview "
        f"needs; platform-components supports pulumi {SUPPORTED_PULUMI}"
    )


def _lookup(module: str, name: str) -> Any:
    """``module.name``, or ``None`` when the module or the name does not exist."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _require(module: str, name: str) -> Any:
    value = _lookup(module, name)
    if value is None:
        raise missing(f"{module}.{name}")
    return value


# --------------------------------------------------------------------------------------------------
# The root stack resource


def clear_root_resource() -> None:
    """Forget the current root stack resource (so that ``set_mocks`` and the program's stack start
    afresh in this context)."""
    root = _lookup("pulumi.runtime.settings", "ROOT")
    if root is not None:
        root.set(None)
        return
    setter = _lookup("pulumi.runtime.settings", "set_root_resource")
    if setter is None:
        raise missing("pulumi.runtime.settings.ROOT")
    setter(None)


# --------------------------------------------------------------------------------------------------
# Pending Outputs: SETTINGS.outputs


class OutputRegistry:
    """What the Pulumi SDK (up to 3.237) keeps in ``SETTINGS.outputs``, a ``deque`` of every
    pending Output's future, with O(1) removal.

    The SDK removes each future from that deque when it resolves (``deque.remove``, linear), so a
    program with n pending Outputs spends O(n²) in bookkeeping: at 3,000 resources that is most of
    the run. This ordered set supports the operations those SDKs use (append, remove, popleft,
    clear, len, iteration) with the deque's semantics for distinct items (the SDK never appends a
    future twice; appending one again keeps its first place).
    """

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self._items: dict[Any, None] = dict.fromkeys(items)

    def append(self, item: Any) -> None:
        self._items[item] = None

    def remove(self, item: Any) -> None:
        try:
            del self._items[item]
        except KeyError:
            raise ValueError("item not in registry") from None

    def popleft(self) -> Any:
        for item in self._items:
            del self._items[item]
            return item
        raise IndexError("pop from an empty registry")

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._items))

    def __repr__(self) -> str:
        return f"OutputRegistry({list(self._items)!r})"


def outputs_shape(settings: Any) -> str:
    """What ``settings.outputs`` (where the SDK tracks every pending Output) is: ``"deque"``
    (pulumi <= 3.237), ``"set"`` (pulumi >= 3.238), ``"registry"`` (a deque already swapped for
    an :class:`OutputRegistry`) or ``"other"``."""
    outputs = getattr(settings, "outputs", None)
    if isinstance(outputs, OutputRegistry):
        return "registry"
    if isinstance(outputs, collections.deque):
        return "deque"
    if isinstance(outputs, set):
        return "set"
    return "other"


def fresh_output_tracking(settings: Any = None) -> str:
    """Give this run an empty collection of pending Outputs in ``settings.outputs`` (the SDK's
    ``SETTINGS`` by default, whose properties are context variables: the new collection belongs to
    the calling context). Returns the shape found (see :func:`outputs_shape`).

    * a ``deque``: an :class:`OutputRegistry` (O(1) removal instead of the deque's linear one);
    * a ``set``: a new, empty one of the SDK's own type. ``set_mocks`` does not reset it, and the
      SDK leaves every failed Output in it "to pick up at program exit", so without a new one a
      failed run's Outputs would be awaited by the next run;
    * anything else: left as the SDK made it.
    """
    if settings is None:
        settings = _lookup("pulumi.runtime.settings", "SETTINGS")
        if settings is None:
            return "other"  # nothing to speed up or isolate: the SDK's own bookkeeping runs
    shape = outputs_shape(settings)
    if shape in ("deque", "registry"):
        settings.outputs = OutputRegistry()
    elif shape == "set":
        settings.outputs = type(settings.outputs)()
    return shape


# --------------------------------------------------------------------------------------------------
# Running a program inside a stack


def run_in_stack(body: Callable[[], None]) -> Coroutine[Any, Any, None]:
    """A coroutine that runs ``body`` inside a new ``pulumi:pulumi:Stack`` and waits for every RPC
    and Output, as the language host does (``pulumi.runtime.run_in_stack``)."""
    exported = getattr(pulumi.runtime, "run_in_stack", None)
    if exported is not None:
        return cast(Coroutine[Any, Any, None], exported(body))
    return run_in_stack_fallback(body)


def run_in_stack_fallback(body: Callable[[], None]) -> Coroutine[Any, Any, None]:
    """What ``run_in_stack`` does, from the stack module's own pieces (for an SDK without the
    exported helper)."""
    stack = _require("pulumi.runtime.stack", "Stack")
    run_pulumi_func = _require("pulumi.runtime.stack", "run_pulumi_func")

    def in_stack() -> None:
        stack(body)

    return cast(Coroutine[Any, Any, None], run_pulumi_func(in_stack))


# --------------------------------------------------------------------------------------------------
# Event loops


def ensure_event_loop() -> asyncio.AbstractEventLoop:
    """The current thread's event loop, created and set when it has none (what the SDK's mock
    monitor does on its executor threads before deserialising)."""
    helper = _lookup("pulumi.runtime.sync_await", "_ensure_event_loop")
    if helper is not None:
        return cast(asyncio.AbstractEventLoop, helper())
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


def sync_await(awaitable: Awaitable[T]) -> T:
    """Wait for ``awaitable`` on the current thread's loop, even from code the loop is running
    (the SDK's ``_sync_await`` pumps the running loop)."""
    helper = _lookup("pulumi.runtime.sync_await", "_sync_await")
    if helper is not None:
        return cast(T, helper(awaitable))
    loop = ensure_event_loop()
    if loop.is_running():
        if asyncio.iscoroutine(awaitable):
            awaitable.close()
        raise missing("pulumi.runtime.sync_await._sync_await")
    return loop.run_until_complete(awaitable)


def _quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The engine loops' exception handler: what a finished run left behind ("Task exception was
    never retrieved" of an Output the failed program never awaited, …) goes to the debug log, not
    to stderr; the run's own error is reported once, by the engine."""
    _log.debug("after a program run: %s", context.get("message"), exc_info=context.get("exception"))


def _drain(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what a run left pending, wait for the executor's threads (so none calls back into a
    closed loop) and let their callbacks run."""
    for _ in range(10):  # a cancelled task may start others; a few rounds settle everything
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        if not pending:
            break
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.run_until_complete(asyncio.sleep(0))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class InlineExecutor(ThreadPoolExecutor):
    """An event loop's default executor that runs what it is given at once, on the calling thread
    (the loop's), and hands back a finished future: the SDK sends every monitor call to the
    loop's default executor (``run_in_executor(None, ...)``), and a thread hop per call is most of
    the cost of a registration against an in-process monitor.

    ``workers`` is a real thread pool for the calls that must not run on the loop's thread (see
    :func:`offload`). A ``ThreadPoolExecutor`` subclass because ``loop.set_default_executor``
    accepts nothing else; it never starts a thread of its own."""

    def __init__(self, workers: ThreadPoolExecutor) -> None:
        super().__init__(max_workers=1)
        self.workers = workers

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the caller's future carries it, as a worker thread's would
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.workers.shutdown(wait=wait, cancel_futures=cancel_futures)
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


_inline = threading.local()
"""``workers``: the thread pool of the inline run this thread's loop is running, if any."""


def offload(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, on a worker thread (with the caller's context) when called on the thread of a
    loop that runs monitor calls inline, else right here.

    For what waits on an event loop of its own (the SDK's ``_sync_await`` over its async
    serialiser, an invoke, a resource read): on the loop's own thread that would pump the running
    loop from inside one of its callbacks, re-entering it once per queued registration. On a worker
    thread it runs on that thread's loop, exactly as when every call ran on a worker thread."""
    workers: ThreadPoolExecutor | None = getattr(_inline, "workers", None)
    if workers is None:
        return fn(*args)
    return workers.submit(contextvars.copy_context().run, fn, *args).result()


def run_on_own_loop(main: Callable[[], Coroutine[Any, Any, T]], *, inline_calls: bool = True) -> T:
    """Run ``main()`` on a fresh event loop; afterwards cancel and drain whatever the run left, shut
    the executor down and close every loop. Nothing of one run reaches the next or stderr, whether
    the run succeeded or not.

    With ``inline_calls`` (the default) the loop's default executor is an :class:`InlineExecutor`:
    monitor calls run on the loop's thread, and :func:`offload` sends those that wait on a loop to
    a worker thread. Without it every call goes to a worker thread, as in the SDK. Worker threads
    get an event loop each (the SDK's mock monitor deserialises and serialises on them).

    Called from code that an event loop is running (an async test), the same happens on a thread
    of its own (with the caller's context), and the caller waits for it."""
    if _running_loop() is not None:
        return _on_a_thread_of_its_own(main, inline_calls)
    worker_loops: list[asyncio.AbstractEventLoop] = []
    lock = threading.Lock()

    def start_worker() -> None:
        worker_loop = asyncio.new_event_loop()
        worker_loop.set_exception_handler(_quiet)
        asyncio.set_event_loop(worker_loop)
        with lock:
            worker_loops.append(worker_loop)

    workers = ThreadPoolExecutor(thread_name_prefix="preview", initializer=start_worker)
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(_quiet)
    loop.set_default_executor(InlineExecutor(workers) if inline_calls else workers)
    previous, _inline.workers = getattr(_inline, "workers", None), workers if inline_calls else None
    try:
        return loop.run_until_complete(main())
    finally:
        try:
            _drain(loop)
        finally:
            _inline.workers = previous
            loop.close()
            with lock:
                for worker_loop in worker_loops:
                    worker_loop.close()


def _on_a_thread_of_its_own(main: Callable[[], Coroutine[Any, Any, T]], inline_calls: bool) -> T:
    outcome: list[T] = []
    failure: list[BaseException] = []
    context = contextvars.copy_context()

    def run() -> None:
        try:
            outcome.append(context.run(run_on_own_loop, main, inline_calls=inline_calls))
        except BaseException as exc:  # re-raised on the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="preview-run")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


# --------------------------------------------------------------------------------------------------
# The mock monitor and the wire format


class _ResourceRegistration(NamedTuple):
    urn: str
    id: str
    state: dict[Any, Any]


class _MissingMockMonitor:
    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        raise missing("pulumi.runtime.mocks.MockMonitor")


if TYPE_CHECKING:
    from pulumi.runtime.mocks import MockMonitor
else:
    MockMonitor = _lookup("pulumi.runtime.mocks", "MockMonitor") or _MissingMockMonitor
    """The SDK's mock resource monitor (``set_mocks(monitor=...)`` takes one)."""

ResourceRegistration: Callable[[str, str, dict[Any, Any]], Any] = (
    getattr(MockMonitor, "ResourceRegistration", None) or _ResourceRegistration
)
"""What ``MockMonitor.resources`` holds per URN: ``(urn, id, state)``."""

SPECIAL_SIG_KEY: str = _lookup("pulumi.runtime.rpc", "_special_sig_key") or "4dabf18193072939515e22adb298388d"
"""The key that marks a special value (secret, asset, resource reference) in serialised properties."""

SPECIAL_SECRET_SIG: str = (
    _lookup("pulumi.runtime.rpc", "_special_secret_sig") or "1b47061264138c4ac30d75fd1eb44270"
)
"""The :data:`SPECIAL_SIG_KEY` value of a secret."""

_UNKNOWN: type[Any] | None = _lookup("pulumi.output", "Unknown")


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is the SDK's placeholder for a value only known after deployment."""
    if _UNKNOWN is not None:
        return isinstance(value, _UNKNOWN)
    kind = type(value)
    return kind.__name__ == "Unknown" and kind.__module__.startswith("pulumi")


def deserialize_properties(struct: Any) -> Any:
    """A ``google.protobuf.Struct`` of the wire format as Python values (secrets stay wrapped)."""
    return _require("pulumi.runtime.rpc", "deserialize_properties")(struct)


def serialize_properties(props: dict[str, Any]) -> Any:
    """Python values as a ``google.protobuf.Struct`` of the wire format: plain data directly
    (:func:`plain_struct`), anything else through the SDK's serialiser (waits for it, on a worker
    thread when the calling thread's loop runs monitor calls inline: :func:`offload`)."""
    struct = plain_struct(props)
    if struct is not None:
        return struct
    serialize = _require("pulumi.runtime.rpc", "serialize_properties")
    return offload(lambda: sync_await(serialize(props, {})))


_PLAIN_SCALARS = (str, bool, int, float)
_STRUCT: Any = importlib.import_module("google.protobuf.struct_pb2").Struct
"""protobuf's ``Struct`` (protobuf comes with pulumi; imported by name: it ships no type stubs)."""


class _NotPlain(Exception):
    """A value :func:`plain_struct` leaves to the SDK's serialiser."""


def _plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in _PLAIN_SCALARS:
        return value
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise _NotPlain
        return {key: _plain(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    raise _NotPlain


def plain_struct(props: dict[str, Any]) -> Any:
    """``props`` as a ``google.protobuf.Struct`` when it is plain data (``None``, ``str``, ``bool``,
    ``int``, ``float``, and ``dict`` with ``str`` keys, ``list`` and ``tuple`` of those, exact types
    only), else ``None``. The same Struct the SDK's ``rpc.serialize_properties(props, {})`` makes of
    such data (a top-level ``None`` is left out, a nested one kept, numbers become doubles), without
    its event-loop round trip per value; subclasses (enums, secrets, Outputs, resources, assets) are
    not plain, and go to the SDK's serialiser. Checked against it in ``tests/preview/test_sdk.py``."""
    if type(props) is not dict or not all(type(key) is str for key in props):
        return None
    try:
        data = {key: _plain(value) for key, value in props.items() if value is not None}
    except _NotPlain:
        return None
    struct = _STRUCT()
    struct.update(data)
    return struct


UNKNOWN_SENTINEL: str = _lookup("pulumi.runtime.rpc", "UNKNOWN") or "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The string that stands for an unknown value in serialised properties (fixed by Pulumi's wire
protocol)."""

_NOT_PLAIN_MARKS = (SPECIAL_SIG_KEY.encode(), UNKNOWN_SENTINEL.encode(), b"__")
"""Special values, unknowns, and keys that may be engine-internal (``__defaults``, ``__provider``:
which of those the SDK keeps depends on its version and the caller's ``keep_internal``)."""


def _plain_value(value: Any) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return _plain_map(value.struct_value)
    if kind == "number_value":
        return value.number_value
    if kind == "list_value":
        return [_plain_value(item) for item in value.list_value.values]
    if kind == "bool_value":
        return value.bool_value
    return None  # null_value, or no value set


def _plain_map(struct: Any) -> dict[str, Any]:
    out = {}
    for key, value in struct.fields.items():
        item = _plain_value(value)
        if item is not None:  # as the SDK: a null in a map is left out (one in a list is kept)
            out[key] = item
    return out


def plain_properties(struct: Any) -> dict[str, Any] | None:
    """A wire-format ``Struct`` as Python values when it holds plain data only, else ``None``.

    Plain: no special value (secret, resource reference, asset, archive, output value), no unknown
    and no key starting with ``__``, found by a scan of the encoded bytes (a string that merely
    contains a marker is left to the SDK too). For such data the result equals the SDK's
    ``rpc.deserialize_properties`` (a null in a map is left out, one in a list kept, numbers are
    floats), read straight from the message's fields instead of through the SDK's generic
    per-value dispatch, about three times faster. Checked against the SDK in
    ``tests/preview/test_sdk.py``; anything else goes to :func:`deserialize_properties`."""
    encoded = struct.SerializeToString()
    if any(mark in encoded for mark in _NOT_PLAIN_MARKS):
        return None
    return _plain_map(struct)


SPECIAL_VALUE_SIGS: tuple[str, ...] = tuple(
    _lookup("pulumi.runtime.rpc", name) or fallback
    for name, fallback in (
        ("_special_resource_sig", "5cf8f73096256a8f31e491e813e4eb8e"),
        ("_special_asset_sig", "c44067f5952c0a294b673a41bacd8c17"),
        ("_special_archive_sig", "0def7320c3a5731c473e5ecbe6d01bc7"),
        ("_special_output_value_sig", "d0e6a833031e9bbcd3f4e8bde6ca49a4"),
    )
)
"""The signatures of serialised resource references, assets, archives and output values (fixed by
Pulumi's wire protocol): deserialising those can create resources or wait on a loop."""


def has_special_values(struct: Any) -> bool:
    """Whether a wire-format ``Struct`` holds a resource reference, asset, archive or output value
    (a scan of its encoded bytes; secrets do not count)."""
    encoded = struct.SerializeToString()
    return any(sig.encode() in encoded for sig in SPECIAL_VALUE_SIGS)


def register_resource_response(**fields: Any) -> Any:
    """A ``RegisterResourceResponse`` message."""
    return _require("pulumi.runtime.proto.resource_pb2", "RegisterResourceResponse")(**fields)


__all__ = [
    "SPECIAL_SECRET_SIG",
    "SPECIAL_SIG_KEY",
    "SPECIAL_VALUE_SIGS",
    "SUPPORTED_PULUMI",
    "InlineExecutor",
    "MockMonitor",
    "OutputRegistry",
    "ResourceRegistration",
    "clear_root_resource",
    "deserialize_properties",
    "ensure_event_loop",
    "fresh_output_tracking",
    "has_special_values",
    "is_unknown",
    "missing",
    "offload",
    "outputs_shape",
    "plain_output_reading",
    "plain_properties",
    "plain_struct",
    "plain_urns",
    "register_resource_response",
    "run_in_stack",
    "run_in_stack_fallback",
    "run_on_own_loop",
    "sdk_version",
    "serialize_properties",
    "sync_await",
]


# --------------------------------------------------------------------------------------------------
# Per-resource stack traces


@contextmanager
def no_stack_traces() -> Iterator[bool]:
    """For the length of the block, every resource registers with an empty stack trace instead of
    the SDK capturing one (see the module docs); yields whether that took effect. The SDK's
    function is restored afterwards, whatever happens in the block."""
    module = _lookup("pulumi.runtime", "resource")
    captured = getattr(module, "_get_stack_trace", None)
    empty = _lookup("pulumi.runtime.proto.source_pb2", "StackTrace")
    if module is None or not callable(captured) or empty is None:
        yield False
        return
    module._get_stack_trace = empty  # called with no arguments: StackTrace() has no frames
    try:
        yield True
    finally:
        module._get_stack_trace = captured


# --------------------------------------------------------------------------------------------------
# URNs the SDK computes for itself


def _urn_of_plain_parts(original: Callable[..., Any]) -> Callable[..., Any]:
    """``pulumi.runtime.resource.create_urn`` with the URN of plain strings built at once: the same
    value, known, not secret and depending on no resource (or, under a parent resource, on that
    parent's URN with one ``apply``), instead of the SDK's chain of ``Output.from_input``,
    ``Output.all`` and two ``apply`` per URN. Anything else goes to the SDK's function."""

    def create_urn(name: Any, type_: Any, parent: Any = None, project: Any = None, stack: Any = None) -> Any:
        if type(name) is not str or type(type_) is not str:
            return original(name, type_, parent, project, stack)
        suffix = f"{type_}::{name}"
        if type(parent) is str:
            return pulumi.Output.from_input(f"{parent[: parent.rfind('::')]}${suffix}")
        if isinstance(parent, pulumi.Resource):
            return parent.urn.apply(lambda urn: f"{urn[: urn.rfind('::')]}${suffix}")
        if parent is None and type(project) is str and type(stack) is str:
            return pulumi.Output.from_input(f"urn:pulumi:{stack}::{project}::{suffix}")
        return original(name, type_, parent, project, stack)

    return create_urn


@contextmanager
def plain_urns() -> Iterator[bool]:
    """For the length of the block, the URNs the SDK computes for itself from plain strings (the
    one it computes for every registration, used only without a monitor, and those of every alias
    of a resource) are built directly (:func:`_urn_of_plain_parts`); yields whether that took
    effect. The SDK's function is restored afterwards, whatever happens in the block; without it
    (or with a different signature) the SDK's own runs, unchanged."""
    module = _lookup("pulumi.runtime", "resource")
    original = getattr(module, "create_urn", None)
    if not callable(original) or not _has_parameters(
        original, ("name", "type_", "parent", "project", "stack")
    ):
        yield False
        return
    module.create_urn = _urn_of_plain_parts(original)
    try:
        yield True
    finally:
        module.create_urn = original


# --------------------------------------------------------------------------------------------------
# Outputs read back without the SDK's per-value dispatch


def _plain_first(original: Callable[..., Any]) -> Callable[..., Any]:
    """``pulumi.runtime.rpc.deserialize_properties`` with plain data read by
    :func:`plain_properties` (the same values); anything else goes to the SDK's function, with the
    caller's arguments."""

    def deserialize_properties(props_struct: Any, *args: Any, **kwargs: Any) -> Any:
        if type(props_struct) is _STRUCT:
            plain = plain_properties(props_struct)
            if plain is not None:
                return plain
        return original(props_struct, *args, **kwargs)

    return deserialize_properties


@contextmanager
def plain_output_reading() -> Iterator[bool]:
    """For the length of the block, the SDK reads the outputs the monitor answers with (and any
    other ``Struct`` it deserialises) through :func:`plain_properties` when they are plain data;
    yields whether that took effect. The values are the same (checked against the SDK on generated
    data); the SDK's function is restored afterwards, whatever happens in the block, and without
    it (or with another first parameter) the SDK's own runs, unchanged."""
    module = _lookup("pulumi.runtime", "rpc")
    original = getattr(module, "deserialize_properties", None)
    if not callable(original) or not _first_parameter_is(original, "props_struct"):
        yield False
        return
    module.deserialize_properties = _plain_first(original)
    try:
        yield True
    finally:
        module.deserialize_properties = original


def _first_parameter_is(function: Callable[..., Any], name: str) -> bool:
    try:
        return next(iter(inspect.signature(function).parameters), None) == name
    except (TypeError, ValueError):
        return False


def _has_parameters(function: Callable[..., Any], names: tuple[str, ...]) -> bool:
    try:
        return tuple(inspect.signature(function).parameters) == names
    except (TypeError, ValueError):
        return False
