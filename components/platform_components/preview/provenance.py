"""Which key of the stack file a rejected value came from.

The components turn stack data into manifests through typed arguments, so a value in a manifest
does not remember its origin. What can be said honestly is narrower: when the value a schema error
names occurs at exactly one leaf of the stack file's ``config``, and is distinctive enough that a
coincidence is unlikely (not a boolean, not a short word or a small number), that leaf is where
the user should look. The error then names the stack file's key and line; otherwise nothing is
added.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import StackFile

_MIN_TEXT = 4
_MIN_NUMBER = 10


def _distinctive(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, str):
        return len(value) >= _MIN_TEXT
    if isinstance(value, (int, float)):
        return abs(value) >= _MIN_NUMBER or not float(value).is_integer()
    return False


def _leaves(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, Mapping):
        for key, child in node.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _leaves(child, (*path, index))
    else:
        yield path, node


def _key_text(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True)
class StackValues:
    """The leaves of one stack file's ``config``, indexed by value."""

    stack_file: StackFile
    by_value: dict[tuple[str, Any], list[tuple[Any, ...]]]

    @classmethod
    def of(cls, stack_file: StackFile) -> StackValues:
        index: dict[tuple[str, Any], list[tuple[Any, ...]]] = {}
        for path, value in _leaves(stack_file.config, ()):
            if _distinctive(value):
                index.setdefault(_kind(value), []).append(path)
        return cls(stack_file, index)

    def source_of(self, value: Any) -> str:
        """``<stack file>:<line> (<key>)`` when ``value`` is distinctive and at exactly one leaf."""
        if not _distinctive(value):
            return ""
        paths = self.by_value.get(_kind(value), [])
        if len(paths) != 1:
            return ""
        (path,) = paths
        line = self.stack_file.line_of(["config", *path])
        where = f"{self.stack_file.display}:{line}" if line else self.stack_file.display
        return f"{where} ({_key_text(path)})"


def _kind(value: Any) -> tuple[str, Any]:
    # 8080 and "8080" are different leaves; 1.0 and 1 are the same number
    return ("str", value) if isinstance(value, str) else ("num", float(value))


def value_at(manifest: Any, path: str) -> Any:
    """The value at a schema error's field path (``spec.ports[0].name``), or ``None``."""
    node = manifest
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("[") and part.endswith("]"):
            index = part[1:-1]
            if not (isinstance(node, list) and index.isdigit() and int(index) < len(node)):
                return None
            node = node[int(index)]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return None
    return node


def named_value(message: str) -> Any:
    """The bad value a ``field.Error`` message names (``Invalid value: "x": ...``), or ``None``."""
    for prefix in ("Invalid value: ", "Duplicate value: ", "Unsupported value: "):
        if message.startswith(prefix):
            try:
                value, _end = json.JSONDecoder().raw_decode(message[len(prefix) :])
            except ValueError:
                return None
            return value
    return None


def rejected_value(manifest: Any, path: str, message: str) -> Any:
    """The value a schema error is about: the one its message names, else the one at its path."""
    named = named_value(message)
    return named if named is not None else value_at(manifest, path)


__all__ = ["StackValues", "named_value", "rejected_value", "value_at"]
