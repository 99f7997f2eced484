"""moto's answers to a stack's AWS calls, kept from one preview to the next (a tape).

Most of an AWS stack's preview used to be moto: importing it and boto3 (about 1 s), then answering
every call the AWS handlers make (:mod:`platform_components.preview.aws`). A preview of an unchanged
stack makes the same calls, in the same order, as the one before, and moto, seeded
(:data:`SEED`), answers a sequence of calls the same way every time. So the engine keeps the
answers: the tape of a run is the list of ``(digest of the call, outcome)``, and the next run of the
same stack takes each answer from the tape **while its calls are the same as the tape's, one for
one, from the first**. moto's answer to a call depends only on the calls before it, so an answer
taken from the tape is the answer moto would give.

At the first call that differs (or when the tape ends), the run goes live: moto starts, is seeded,
and is given again, for real, the calls this run has made so far (the run keeps them in memory);
their answers must equal the tape's. Then the run goes on with moto as if there were no tape, and
its own tape replaces the old one. Should moto answer one of the earlier calls differently
(:attr:`MotoTape.consistent` false), the answers already handed out cannot be trusted: the engine
runs the program again without a tape.

What is kept: the SHA-256 of each call (service, region, operation, parameters as canonical JSON)
and moto's outcome (the response without ``ResponseMetadata``, or the error). Never the
parameters. A run whose calls or answers contain a secret input's text keeps no tape. The tape is
an entry of the user cache (:mod:`._derived`; ``PLATFORM_COMPONENTS_CACHE=off`` turns it off), named
by the stack, the moto, botocore and boto3 releases, moto's ``MOTO_*`` settings and this module's
code.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from . import _derived

SEED: Final = 20250101
"""moto's random generator is seeded with this as it starts: its ids (``vpc-…``, ``sg-…``) follow
from the calls alone."""

log = logging.getLogger("platform-components.preview")


@dataclass(frozen=True)
class Call:
    """One call to moto: what the AWS handlers send."""

    service: str
    region: str
    operation: str
    params: dict[str, Any]

    def digest(self) -> str:
        text = json.dumps(
            [self.service, self.region, self.operation, encode(self.params)],
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """moto's answer: ``ok`` (``value`` is the response), ``client_error`` (``value`` is
    ``[code, message]``), ``param_error`` (``value`` is botocore's report) or ``failed`` (``value``
    is ``[exception type, text]``: moto could not model the call)."""

    kind: str
    value: Any

    def comparable(self) -> Any:
        """The outcome without its timestamps (moto stamps creations with the time of day)."""
        return [self.kind, _without_times(self.value)]


def encode(value: Any) -> Any:
    """``value`` as JSON data: datetimes and bytes tagged so that :func:`decode` restores them."""
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"no JSON form for {type(value).__name__}")


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if len(value) == 1 and "$bytes" in value:
            return base64.b64decode(value["$bytes"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if not isinstance(v, datetime)}
    if isinstance(value, list | tuple):
        return [_without_times(v) for v in value if not isinstance(v, datetime)]
    return value


def _release(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def tape_name(label: str) -> str:
    """What names a stack's tape in the user cache: the stack, the releases that answer, moto's
    settings from the environment (``MOTO_*``) and this module's code (a new moto, another setting,
    or a change here, starts a new tape)."""
    releases = ",".join(f"{d}={_release(d)}" for d in ("moto", "botocore", "boto3"))
    settings = ",".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("MOTO_"))
    return f"{label}\0{releases}\0{settings}\0{_derived.code_digest(__file__)}"


Live = Callable[[Call], Outcome]
"""Calls moto for real (starting it on first use)."""


@dataclass
class MotoTape:
    """One run's calls: answered from the recorded tape while they match it, else by ``live``."""

    label: str | None
    live: Live
    name: str = ""
    """The tape's name (:func:`tape_name`), fixed as the run starts: moto's own settings of the
    environment while it runs must not rename it."""
    recorded: list[tuple[str, Outcome]] = field(default_factory=list)
    calls: list[tuple[Call, str, Outcome]] = field(default_factory=list)
    replaying: bool = False
    consistent: bool = True
    keep: bool = True

    @classmethod
    def open(cls, label: str | None, live: Live) -> MotoTape:
        """The tape of ``label`` (``None``: no tape, every call is live)."""
        tape = cls(label, live)
        if label is not None:
            tape.name = tape_name(label)
            tape.recorded = _load(tape.name)
            tape.replaying = bool(tape.recorded)
        return tape

    def call(self, call: Call, secrets: frozenset[str] = frozenset()) -> Outcome:
        digest = call.digest()
        position = len(self.calls)
        if self.replaying:
            if position < len(self.recorded) and self.recorded[position][0] == digest:
                outcome = self.recorded[position][1]
                self.calls.append((call, digest, outcome))
                return outcome
            self._go_live()
        outcome = self.live(call)
        if not _keepable(call, outcome, secrets):
            self.keep = False  # a secret's text is never written to the cache
        self.calls.append((call, digest, outcome))
        return outcome

    def _go_live(self) -> None:
        """Give moto the calls made so far, for real; their answers must be the tape's."""
        self.replaying = False
        for call, _, taped in self.calls:
            if self.live(call).comparable() != taped.comparable():
                log.debug("moto answered %s.%s differently from its tape", call.service, call.operation)
                self.consistent = False

    def close(self) -> None:
        """Keep this run's tape when it went live (a replayed run leaves the tape as it was)."""
        if self.label is None or self.replaying or not self.calls or not self.keep or not self.consistent:
            return
        entries = [[digest, outcome.kind, encode(outcome.value)] for _, digest, outcome in self.calls]
        if not _derived.store("moto-tape", self.name, entries):
            log.debug("the moto tape of %s was not kept", self.label)


def _keepable(call: Call, outcome: Outcome, secrets: frozenset[str]) -> bool:
    """Whether the call and its answer can be kept: JSON data, with no secret's text in either."""
    try:
        text = json.dumps([encode(call.params), encode(outcome.value)])
    except (TypeError, ValueError):
        return False
    return not any(secret in text for secret in secrets)


def _load(name: str) -> list[tuple[str, Outcome]]:
    data = _derived.load("moto-tape", name)
    if not isinstance(data, list):
        return []
    try:
        return [(str(digest), Outcome(str(kind), decode(value))) for digest, kind, value in data]
    except (TypeError, ValueError):  # not a tape this code wrote: start afresh
        return []


__all__ = ["SEED", "Call", "MotoTape", "Outcome", "decode", "encode", "tape_name"]
