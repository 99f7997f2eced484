"""What differs between two stacks' rendered objects (``platformctl diff``).

Both stacks are previewed offline; their objects are compared by identity:

- a Kubernetes object by ``Kind namespace/name`` (``Deployment shop/api``), as the preview shows it;
- any other resource (AWS, Helm releases, random passwords, providers) by its kind and logical name,
  with the stack's name written ``<stack>`` (``aws:Vpc platform-<stack>-vpc``): the components name
  these after the environment, so dev's VPC and prod's VPC are the same object in two environments.

For an object in both, the changed fields are dotted paths (``spec.replicas``,
``spec.template.spec.containers[name=api].image``, ``metadata.labels["app.kubernetes.io/name"]``:
list entries that all have a distinct ``name`` are matched by it, other lists by position, and a
list of plain values is one value). Values are
the preview's, secrets masked (``[secret]``) as the preview masks them.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .errors import PlatformError
from .graph import kind_of

if TYPE_CHECKING:
    from .preview.engine import PreviewResult

ABSENT: Final = "(absent)"
"""How the text output shows a field one side does not have (the JSON output leaves the key out)."""
_MISSING: Final = object()


@dataclass(frozen=True)
class Change:
    """One field of one object: its dotted path and its value on each side (``_MISSING`` if absent)."""

    path: str
    a: Any
    b: Any

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.a is not _MISSING:
            out["a"] = self.a
        if self.b is not _MISSING:
            out["b"] = self.b
        return out


@dataclass
class StackDiff:
    """The difference of stack ``a`` and stack ``b``."""

    a: str
    b: str
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)
    changed: dict[str, list[Change]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.only_in_a or self.only_in_b or self.changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "a": self.a,
            "b": self.b,
            "only_in_a": self.only_in_a,
            "only_in_b": self.only_in_b,
            "changed": [
                {"object": key, "changes": [change.as_dict() for change in changes]}
                for key, changes in self.changed.items()
            ],
        }


def objects(result: PreviewResult) -> dict[str, Any]:
    """Every object of a preview by its identity (see the module docstring), with its content; two
    objects that would share one (the same kind name in two API groups) are told apart by their
    apiVersion or type token."""
    from .preview.engine import display_of, is_manifest

    found: list[tuple[str, str, Any]] = [
        (display_of(manifest), str(manifest["apiVersion"]), manifest)
        for _record, manifest in result.manifests
    ]
    stack_name = re.compile(rf"(?<![a-z0-9]){re.escape(result.stack)}(?![a-z0-9])")
    for record in result.records:
        if record.custom and not is_manifest(record):
            key = f"{kind_of(record.type)} {stack_name.sub('<stack>', record.name)}"
            found.append((key, record.type, record.inputs))
    seen = Counter(key for key, _, _ in found)
    return {(key if seen[key] == 1 else f"{key} ({qualifier})"): value for key, qualifier, value in found}


def _named(items: Sequence[Any]) -> dict[str, Any] | None:
    """A list whose entries all are mappings with distinct ``name`` values, by name; else None."""
    if not items or not all(isinstance(item, dict) and isinstance(item.get("name"), str) for item in items):
        return None
    names = [item["name"] for item in items]
    return dict(zip(names, items, strict=True)) if len(set(names)) == len(names) else None


_PLAIN_KEY: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _segment(key: str) -> str:
    """``.replicas``, or ``["app.kubernetes.io/name"]`` for a key a dot would make ambiguous."""
    return f".{key}" if _PLAIN_KEY.match(key) else f"[{json.dumps(key)}]"


def _entries(value: Any) -> dict[str, Any] | None:
    """The children of a mapping or a list of mappings, keyed by their path segment; None for a leaf."""
    if isinstance(value, dict):
        return {_segment(str(key)): item for key, item in value.items()}
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        named = _named(value)
        if named is not None:
            return {f"[name={key}]": item for key, item in named.items()}
        return {f"[{index}]": item for index, item in enumerate(value)}
    return None


def changes(a: Any, b: Any, path: str = "") -> Iterator[Change]:
    """The leaves where ``a`` and ``b`` differ, as dotted paths (no leading dot)."""
    if a == b:
        return
    a_entries = _entries(a) if a is not _MISSING else None
    b_entries = _entries(b) if b is not _MISSING else None
    same_shape = type(a) is type(b) and not (
        isinstance(a, list) and (_named(a) is None) != (_named(b) is None)
    )
    if a_entries is None or b_entries is None or not same_shape:
        yield Change(path.removeprefix("."), a, b)
        return
    for key in [*a_entries, *(k for k in b_entries if k not in a_entries)]:
        yield from changes(a_entries.get(key, _MISSING), b_entries.get(key, _MISSING), f"{path}{key}")


def diff_results(a: PreviewResult, b: PreviewResult) -> StackDiff:
    """The difference of two previews' objects."""
    left, right = objects(a), objects(b)
    result = StackDiff(a=a.stack, b=b.stack)
    result.only_in_a = sorted(set(left) - set(right))
    result.only_in_b = sorted(set(right) - set(left))
    for key in sorted(set(left) & set(right)):
        found = list(changes(left[key], right[key]))
        if found:
            result.changed[key] = found
    return result


def _value(value: Any) -> str:
    return ABSENT if value is _MISSING else json.dumps(value, sort_keys=True)


def render_text(diff: StackDiff) -> str:
    """The difference for a terminal: objects only in one stack, then the changed fields."""
    if diff.empty:
        return f"no differences between the objects of {diff.a} and {diff.b}\n"
    lines = [
        f"{diff.a} -> {diff.b}: {len(diff.only_in_a)} only in {diff.a}, {len(diff.only_in_b)} only in "
        f"{diff.b}, {len(diff.changed)} changed"
    ]
    for title, keys, mark in ((diff.a, diff.only_in_a, "-"), (diff.b, diff.only_in_b, "+")):
        if keys:
            lines += ["", f"only in {title}:", *(f"  {mark} {key}" for key in keys)]
    if diff.changed:
        lines += ["", "changed:"]
        for key, found in diff.changed.items():
            lines.append(f"  ~ {key}")
            lines += [f"      {c.path}: {_value(c.a)} -> {_value(c.b)}" for c in found]
    return "\n".join(lines) + "\n"


def run_diff(project_dir: str | Path, stacks: Sequence[str] | None, *, as_json: bool) -> int:
    """``platformctl diff``: preview both stacks offline and print their difference; exit 0."""
    from .preview.engine import preview

    if stacks is None or len(stacks) != 2:
        given = len(stacks or ())
        raise PlatformError(
            f"diff compares two stacks: give --stack twice, e.g. --stack dev --stack prod (got {given})"
        )
    diff = diff_results(preview(project_dir, stacks[0]), preview(project_dir, stacks[1]))
    text = json.dumps(diff.as_dict(), indent=2) + "\n" if as_json else render_text(diff)
    sys.stdout.write(text)
    return 0


__all__ = ["ABSENT", "Change", "StackDiff", "changes", "diff_results", "objects", "render_text", "run_diff"]
