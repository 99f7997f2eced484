"""Recommended ``app.kubernetes.io/*`` labels and the selector derived from them.

Merge order is ``defaults < user`` except for reserved keys, which callers cannot override: a
selector that a user label could change would orphan the pods of a running workload.
"""

from __future__ import annotations

from collections.abc import Mapping

MANAGED_BY = "platform-components"
NAME = "app.kubernetes.io/name"
INSTANCE = "app.kubernetes.io/instance"
VERSION = "app.kubernetes.io/version"
COMPONENT = "app.kubernetes.io/component"
PART_OF = "app.kubernetes.io/part-of"
MANAGED_BY_KEY = "app.kubernetes.io/managed-by"
ENVIRONMENT = "platform-components.io/environment"

RESERVED = frozenset({NAME, INSTANCE, MANAGED_BY_KEY})


def selector_labels(name: str) -> dict[str, str]:
    """The immutable selector of a workload: its name and instance."""
    return {NAME: name, INSTANCE: name}


def standard_labels(
    name: str,
    *,
    component: str,
    part_of: str,
    version: str | None = None,
    environment: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Recommended labels plus the caller's ``extra`` labels (which may not override reserved keys)."""
    labels: dict[str, str] = {}
    if extra:
        clash = sorted(RESERVED.intersection(extra))
        if clash:
            raise ValueError(f"labels {clash} are set by the platform and cannot be overridden")
        labels.update(extra)
    labels.update(selector_labels(name))
    labels[COMPONENT] = component
    labels[PART_OF] = part_of
    labels[MANAGED_BY_KEY] = MANAGED_BY
    if version:
        labels[VERSION] = version
    if environment:
        labels[ENVIRONMENT] = environment
    return labels


def label_safe(value: str) -> str | None:
    """``value`` cut to a valid label value (63 chars of [-A-Za-z0-9_.]), or None when nothing is left."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in value)[:63]
    cleaned = cleaned.strip("-_.")
    return cleaned or None


__all__ = [
    "COMPONENT",
    "ENVIRONMENT",
    "INSTANCE",
    "MANAGED_BY",
    "MANAGED_BY_KEY",
    "NAME",
    "PART_OF",
    "RESERVED",
    "VERSION",
    "label_safe",
    "selector_labels",
    "standard_labels",
]
