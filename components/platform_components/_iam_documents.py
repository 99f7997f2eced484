"""IAM policy documents: reading one and walking its statements.

The one reader for the two places that look inside policy documents: the offline engine's AWS checks
(:mod:`platform_components.preview.aws`: what the AWS API refuses and moto lets through) and the pack's
AWS rules (:mod:`platform_components.policies.aws`: what the platform forbids). Shapes it accepts, as
``pulumi_aws`` and AWS do: a document is JSON text or an already parsed mapping; ``Statement`` is one
object or a list of them; ``Action``, ``Resource`` and ``Principal`` values are a string or a list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["load_document", "matches_action", "policy_document", "statement_list", "statements"]


def load_document(value: Any) -> tuple[Any, str | None]:
    """``(the document's JSON value, None)``, or ``(None, why it cannot be read)``.

    Text is parsed; a mapping or list (an already parsed document) is returned as it is."""
    if isinstance(value, Mapping | list):
        return value, None
    if not isinstance(value, str):
        return None, "the document is not a string"
    try:
        return json.loads(value), None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    except (ValueError, RecursionError):
        return None, "invalid JSON (unreadable or nested too deeply)"


def policy_document(value: Any) -> Mapping[str, Any] | None:
    """The document as a JSON object, or ``None`` when it is unreadable or not an object."""
    parsed, _ = load_document(value)
    return parsed if isinstance(parsed, Mapping) else None


def statement_list(doc: Mapping[str, Any]) -> list[Any]:
    """Every item of ``Statement`` (one object counts as a list of one), objects or not: a caller that
    validates the document reports the malformed ones."""
    raw = doc.get("Statement")
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list | tuple) else [raw]


def statements(doc: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(path, statement)`` for the statements that are objects: ``Statement`` for a single object,
    ``Statement[i]`` for an item of a list."""
    raw = doc.get("Statement")
    if isinstance(raw, Mapping):
        yield "Statement", raw
        return
    for index, item in enumerate(statement_list(doc)):
        if isinstance(item, Mapping):
            yield f"Statement[{index}]", item


def matches_action(patterns: Iterable[Any], action: str) -> bool:
    """Whether one of a statement's ``Action`` patterns (``*`` and ``?`` wildcards, case-insensitive, as
    IAM evaluates them) covers ``action``; items that are not strings never match."""
    return any(isinstance(p, str) and fnmatchcase(action.lower(), p.lower()) for p in patterns)
