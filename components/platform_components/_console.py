"""What ``platformctl`` writes for people: colour only where it is wanted, and its error and warning lines.

Colour (``--color``): ``always`` and ``never`` decide; ``auto`` (the default) colours a stream only
when it is a terminal, ``NO_COLOR`` is unset or empty (https://no-color.org), and ``TERM`` is not
``dumb``; ``FORCE_COLOR`` (set and not empty) colours a stream that is not a terminal. ``NO_COLOR``
wins over ``FORCE_COLOR``; an explicit ``--color`` wins over both, as no-color.org asks of a
command-line flag.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Final, TextIO

COLOR_MODES: Final = ("auto", "always", "never")
"""The values of ``--color``."""
PROGRAM: Final = "platformctl"


def colour_enabled(stream: TextIO, mode: str = "auto", environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what is written to ``stream`` under ``--color=mode``."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


class Style:
    """ANSI styling that is a no-op unless ``enabled``."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def red(self, text: str) -> str:
        return self._wrap("31", text)

    def green(self, text: str) -> str:
        return self._wrap("32", text)

    def yellow(self, text: str) -> str:
        return self._wrap("33", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)


def error(message: str, mode: str = "auto", stream: TextIO | None = None) -> None:
    """``platformctl: error: <message>``, one line on stderr (``error:`` in red on a terminal)."""
    out = stream if stream is not None else sys.stderr
    label = Style(colour_enabled(out, mode)).red("error:")
    out.write(f"{PROGRAM}: {label} {message}\n")


def warning(message: str, mode: str = "auto", stream: TextIO | None = None) -> None:
    """``platformctl: warning: <message>``, one line on stderr (``warning:`` in yellow on a terminal)."""
    out = stream if stream is not None else sys.stderr
    label = Style(colour_enabled(out, mode)).yellow("warning:")
    out.write(f"{PROGRAM}: {label} {message}\n")


__all__ = ["COLOR_MODES", "PROGRAM", "Style", "colour_enabled", "error", "warning"]
