"""Python's cyclic garbage collector while the offline engine runs a program.

Registering thousands of resources through the Pulumi SDK allocates millions of container objects
(Outputs, futures, tasks, protobuf structs) that live until the run ends. With CPython's default
thresholds (700, 10, 10) the collector keeps walking that growing pile, and the interpreter's whole
heap beneath it (the SDK's and the providers' modules and type tables): on the 2-core reference
machine that was about 40% of a 500-service run, and it grows faster than the number of resources.

For the length of one run, :func:`tuned_collector`

* moves the objects that existed before the run (imports, the caller's own data) to the
  collector's permanent generation (``gc.freeze``), so that no collection walks them again;
* raises the thresholds to :data:`RUN_THRESHOLDS`: young objects are still collected, just in
  larger batches, and the program's own reference cycles are still freed;

and restores both afterwards, whether the run succeeded or not. It changes nothing when the caller
has disabled the collector or already froze objects itself (both are the caller's decisions, and
``gc.unfreeze`` would undo the caller's freeze).

The setting is process-wide while the run lasts (the collector has no per-thread settings).

While the package itself is imported, :func:`paused_for_imports` keeps the collector off: importing
the library (and with it pulumi, pydantic and its own models) allocates only objects that live as
long as the process (modules, classes, functions), and collecting among them found almost nothing
(about 3,000 objects in 170 collections) for about 40 ms of a 0.45 s import on the reference
machine.
``benchmarks/preview_bench.py`` prints its effect (component and raw SDK programs run under it).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["RUN_THRESHOLDS", "one_shot_process", "paused_for_imports", "tuned_collector"]

RUN_THRESHOLDS = (200_000, 50, 1_000)
"""Generation-0 allocations between collections, and the generation-0 and generation-1 collection
counts between collections of the next generation, during a run. Of the settings tried on a
500-service program — freeze only; (10 000, 20, 100) frozen; (50 000, 50, 1 000) without and with
the freeze — the last was the fastest (registration time 0.6 of the default's). With monitor calls
inline, raising generation 0 to 200 000 halved the time in the collector again (500 services
through the components: 1.0 s -> 0.54 s of about 7 s; the raw SDK program 0.7 s -> 0.53 s): more
of the young objects are garbage by the time a collection looks at them."""


@contextmanager
def tuned_collector() -> Iterator[None]:
    """Run the body with the collector tuned for a program run (see the module docstring)."""
    if not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*RUN_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@contextmanager
def one_shot_process() -> Iterator[None]:
    """For a command whose process ends with the body (``platformctl``): the run's thresholds for
    the whole command, and at the end every object frozen.

    Interpreter shutdown runs a full collection over whatever is not frozen; after a preview that
    is the SDK's whole pile of Outputs and futures, which took 2 to 3 s of a 10 s prod preview on
    the reference machine, after the last line was printed. Frozen objects are not collected, and
    the process ends anyway: the memory goes back with it. Nothing changes when the collector is
    disabled."""
    if not gc.isenabled():
        yield
        return
    gc.set_threshold(*RUN_THRESHOLDS)
    try:
        yield
    finally:
        gc.freeze()


@contextmanager
def paused_for_imports() -> Iterator[None]:
    """The collector off while the body imports modules; afterwards what they allocated goes to the
    oldest generation uncollected and the collector is on again (see the module docstring).

    Without that last step, the first collection after the body would walk every object the
    imports made, which is what pausing avoids. Nothing changes when the caller has disabled the
    collector or frozen objects itself (``gc.unfreeze`` would undo the caller's freeze)."""
    if not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # every tracked object into the permanent generation; generation 0 starts empty
        gc.unfreeze()  # and from there into the oldest generation, collected only by full passes
        gc.enable()
