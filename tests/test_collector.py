"""The collector settings of one program run (``_collector.py``) and of a one-shot command."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest
from platform_components._collector import (
    RUN_THRESHOLDS,
    one_shot_process,
    paused_for_imports,
    tuned_collector,
)
from platform_components.preview.engine import run_program


@pytest.fixture(autouse=True)
def _restore_collector() -> Iterator[None]:
    gc.unfreeze()  # an in-process platformctl run of an earlier test froze the heap as it ended
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()


def test_inside_a_run_the_heap_is_frozen_and_the_thresholds_raised() -> None:
    before = gc.get_threshold()
    with tuned_collector():
        assert gc.get_threshold() == RUN_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_settings_are_restored_when_the_run_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), tuned_collector():
        raise RuntimeError("the program failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


class Node:
    other: object


def _garbage_cycle() -> int:
    """Make two objects that refer to each other and drop them: the id of one, to look for later."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return id(first)


def test_cycles_made_during_the_run_are_still_collected() -> None:
    with tuned_collector():
        ident = _garbage_cycle()
        assert gc.collect() > 0
        assert all(id(obj) != ident for obj in gc.get_objects())


def test_a_disabled_collector_is_left_alone() -> None:
    gc.disable()
    before = gc.get_threshold()
    with tuned_collector():
        assert not gc.isenabled()
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0
    assert not gc.isenabled()


def test_a_callers_own_freeze_is_not_undone() -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    before = gc.get_threshold()
    with tuned_collector():
        assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_run_program_runs_under_the_tuned_collector() -> None:
    seen: list[tuple[int, int, int]] = []
    before = gc.get_threshold()
    run_program(lambda: seen.append(gc.get_threshold()), project="p", stack="s")
    assert seen == [RUN_THRESHOLDS]
    assert gc.get_threshold() == before


def test_a_one_shot_command_raises_the_thresholds_and_ends_frozen() -> None:
    """platformctl: the run's thresholds for the whole command, everything frozen at its end (the
    interpreter's final collection then skips the heap); the tuned run inside restores them."""
    with one_shot_process():
        assert gc.get_threshold() == RUN_THRESHOLDS
        assert gc.get_freeze_count() == 0
        with tuned_collector():
            assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == RUN_THRESHOLDS
    assert gc.get_freeze_count() > 0


def test_a_one_shot_command_freezes_even_when_it_fails() -> None:
    with pytest.raises(RuntimeError), one_shot_process():
        raise RuntimeError("boom")
    assert gc.get_freeze_count() > 0


def test_a_one_shot_command_leaves_a_disabled_collector_alone() -> None:
    gc.disable()
    before = gc.get_threshold()
    with one_shot_process():
        assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_platformctl_runs_as_a_one_shot_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from platform_components import cli

    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli, "_main", lambda argv: seen.append(gc.get_threshold()) or 0)
    assert cli.main(["rules"]) == 0
    assert seen == [RUN_THRESHOLDS]
    assert gc.get_freeze_count() > 0


def test_imports_run_with_the_collector_off_and_leave_generation_zero_empty() -> None:
    """What the package's imports allocate is not walked by the next young collection."""
    with paused_for_imports():
        assert not gc.isenabled()
        kept = [[index] for index in range(10_000)]  # tracked containers, as classes and functions are
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert gc.get_count()[0] < 1_000
    assert gc.get_referrers(kept[0]) == [kept]  # still ordinary objects, just in the oldest generation


def test_cycles_made_while_importing_are_freed_by_a_later_full_collection() -> None:
    with paused_for_imports():
        ident = _garbage_cycle()
    assert gc.collect() > 0
    assert all(id(obj) != ident for obj in gc.get_objects())


def test_pausing_for_imports_leaves_a_disabled_collector_and_a_callers_freeze_alone() -> None:
    gc.disable()
    with paused_for_imports():
        pass
    assert not gc.isenabled()
    gc.enable()
    gc.freeze()
    frozen = gc.get_freeze_count()
    with paused_for_imports():
        assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_importing_the_package_pauses_the_collector() -> None:
    """A fresh interpreter: importing the package runs a few young collections (of the interpreter's
    own start-up, before the pause begins), not the 150 (one of them full) it ran unpaused."""
    code = (
        "import gc\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(info['generation']) if phase == 'start' else None)\n"
        "import platform_components\n"
        "assert gc.isenabled() and not gc.get_freeze_count(), 'collector left changed'\n"
        "print(*runs)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    generations = [int(word) for word in done.stdout.split()]
    assert len(generations) < 10
    assert 2 not in generations
