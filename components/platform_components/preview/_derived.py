"""A user cache of data derived from package files, keyed by their content (and of the tapes of
moto's answers, :mod:`.moto_tape`).

Parsing the shipped CRDs (12 MB of YAML) costs seconds in every process, even with libyaml's
parser: PyYAML's constructor is Python. The same data read back as JSON costs milliseconds. An
entry is named by what it holds, the format version, and the SHA-256 of the source text, so a
changed file or a new release misses the cache and nothing needs invalidating by hand.

Where: ``$PLATFORM_COMPONENTS_CACHE`` (``off`` disables the cache), else
``$XDG_CACHE_HOME/platform-components/derived``, else ``~/.cache/platform-components/derived``.
A cache that cannot be read or written is not an error: the data is derived again. Entries are
written atomically (a temporary file renamed into place), and only when the data reads back equal
from JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Final

FORMAT: Final = 1
"""Bump when the shape of any derived entry changes."""


def code_digest(module_file: str, *extra: str) -> str:
    """A short digest of a module's source (and ``extra`` strings such as a dependency's version),
    for entries whose content depends on the code that derived them."""
    digest = hashlib.sha256(Path(module_file).read_bytes())
    for part in extra:
        digest.update(b"\0" + part.encode("utf-8"))
    return digest.hexdigest()[:12]


def cache_dir() -> Path | None:
    configured = os.environ.get("PLATFORM_COMPONENTS_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "platform-components" / "derived"


def _entry(what: str, source_text: str, suffix: str = ".json") -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()[:40]
    return folder / f"{what}-v{FORMAT}-{digest}{suffix}"


def load(what: str, source_text: str) -> Any | None:
    """The entry derived from ``source_text``, or ``None`` when there is none (or it is unreadable)."""
    path = _entry(what, source_text)
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(what: str, source_text: str, data: Any) -> bool:
    """Keep ``data`` for the next process; ``False`` when it was not kept (not JSON-exact, no cache)."""
    path = _entry(what, source_text)
    if path is None:
        return False
    try:
        text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return False
    if json.loads(text) != data:  # e.g. a YAML integer key would come back a string
        return False
    return _write(path, text.encode("utf-8"))


def load_bytes(what: str, source_text: str, suffix: str) -> bytes | None:
    """A binary entry (named like :func:`load`'s, ending in ``suffix``), or ``None``."""
    path = _entry(what, source_text, suffix)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def store_bytes(what: str, source_text: str, suffix: str, data: bytes) -> bool:
    """Keep a binary entry for the next process; ``False`` when it was not kept."""
    path = _entry(what, source_text, suffix)
    return path is not None and _write(path, data)


def _write(path: Path, data: bytes) -> bool:
    """Write ``path`` atomically (a temporary file renamed into place)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as out:
            out.write(data)
        os.replace(out.name, path)
    except OSError:
        return False
    return True


__all__ = ["FORMAT", "cache_dir", "code_digest", "load", "load_bytes", "store", "store_bytes"]
