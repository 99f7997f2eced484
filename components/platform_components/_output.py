"""Where a command's text goes: stdout, or the file given with ``--out`` (its folder created)."""

from __future__ import annotations

import sys
from pathlib import Path


def write_output(text: str, out: Path | None) -> int:
    """Write ``text`` to stdout, or to ``out`` with a ``Wrote <file>`` line on stderr; exit code 0."""
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        sys.stderr.write(f"Wrote {out}\n")
    return 0


__all__ = ["write_output"]
