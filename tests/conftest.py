"""Shared fixtures."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _project import copy_project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of this Pulumi project (Pulumi.yaml, platform/, stacks/) as the working directory."""
    root = copy_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return root


@pytest.fixture
def stack_error(project: Path, capsys: pytest.CaptureFixture[str]) -> Callable[[str, str], str]:
    """Write ``text`` as ``stacks/Pulumi.<stack>.yaml``, preview it and return the one error line.

    Asserts what every bad input must give: exit 2, exactly one ``platformctl: error:`` line, no
    traceback, and no report written (nothing half-done)."""
    from platform_components.cli import main

    def run(text: str, stack: str = "dev") -> str:
        (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(text, encoding="utf-8")
        code = main(["preview", "--stack", stack])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "Traceback" not in err
        errors = [line for line in err.splitlines() if line.startswith("platformctl: error:")]
        assert len(errors) == 1, err
        assert not (project / "out" / stack / "report.json").exists()
        return errors[0]

    return run


# --- How many real-engine tests ran (scripts/test fails a CI run in which none did) ---------------

_REAL_ENGINE_OUTCOMES: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "real_engine" not in report.keywords:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _REAL_ENGINE_OUTCOMES.append("skipped" if report.skipped else report.outcome)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    ran = [o for o in _REAL_ENGINE_OUTCOMES if o != "skipped"]
    terminalreporter.write_line(
        f"real_engine tests: {len(ran)} ran ({ran.count('passed')} passed, {ran.count('failed')} failed), "
        f"{_REAL_ENGINE_OUTCOMES.count('skipped')} skipped"
    )


_THRESHOLDS = gc.get_threshold()


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    """``platformctl`` in-process (``cli.main``) leaves the collector as a one-shot process may: its
    thresholds raised and the heap frozen. The test process goes on, so undo both after each test."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()
    gc.set_threshold(*_THRESHOLDS)
