"""One offline preview per target per test process, shared by the test modules that read the same
runs (the golden files, the snapshots and their record command, ``platformctl graph``,
``platformctl diff`` and the docs page that shows them)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from _targets import ROOT, TARGETS
from platform_components.preview import engine
from platform_components.preview.engine import PreviewResult, preview


@functools.cache
def preview_of(target: str) -> PreviewResult:
    project, stack = TARGETS[target]
    return preview(project, stack)


def use_cached_previews(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``platformctl`` in-process preview this repository's stacks through :func:`preview_of`,
    with the repository as the working directory."""

    def cached(project_dir: str | Path, stack: str, **_: Any) -> PreviewResult:
        assert Path(project_dir).resolve() == ROOT
        return preview_of(stack)

    monkeypatch.setattr(engine, "preview", cached)
    monkeypatch.chdir(ROOT)
