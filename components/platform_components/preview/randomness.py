"""Outputs of the ``random`` provider (pulumi_random) for offline previews.

A real ``pulumi preview`` shows a new password as unknown; the offline engine gives it a
deterministic value instead (derived from the logical name, the keepers and the options), so
programs that build connection strings from it can be run and checked. The value is only ever
handled as a Pulumi secret: every recorded input shows it as ``[secret]``.
"""

from __future__ import annotations

import hashlib
import json
import string
from typing import Any

from pulumi.runtime import MockResourceArgs

from .mocks import OutputsHook, PreviewMocks

_ALPHANUMERIC = string.ascii_letters + string.digits
_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"


def _password(mocks: PreviewMocks, args: MockResourceArgs, state: dict[str, Any]) -> dict[str, Any]:
    length = int(state.get("length") or 16)
    alphabet = _ALPHANUMERIC
    if state.get("special", True):
        alphabet += str(state.get("overrideSpecial") or _SPECIAL)
    seed = json.dumps([args.name, state.get("keepers") or {}, length, alphabet], sort_keys=True).encode()
    digest = b""
    counter = 0
    while len(digest) < length:
        digest += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    # one character of each class first (the provider honours min_* counts), then the rest
    head = [
        string.ascii_lowercase[digest[0] % 26],
        string.ascii_uppercase[digest[1] % 26],
        string.digits[digest[2] % 10],
    ]
    result = "".join(head + [alphabet[b % len(alphabet)] for b in digest[3:length]])[:length]
    return {"result": result, "bcryptHash": "$2a$10$" + hashlib.sha256(result.encode()).hexdigest()[:53]}


HOOKS: dict[str, OutputsHook] = {
    "random:index/randomPassword:RandomPassword": _password,
}


__all__ = ["HOOKS"]
