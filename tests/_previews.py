"""One offline preview per target per test process, shared by the test modules that read the same
runs (``platformctl graph``, ``platformctl diff`` and the docs page that shows them)."""

from __future__ import annotations

import functools

from _targets import TARGETS
from platform_components.preview.engine import PreviewResult, preview


@functools.cache
def preview_of(target: str) -> PreviewResult:
    project, stack = TARGETS[target]
    return preview(project, stack)
