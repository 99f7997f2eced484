"""The progress display of a long ``platformctl`` command, on stderr and never on stdout.

Each phase (loading, the program, its resources, schema, policies, writing) is one call with a
message. Three ways to show it:

* ``live``: on a terminal, one line rewritten in place, its clock ticking while a phase runs; the
  line is cleared when the command ends, so what follows (the summary, an error) starts clean;
* ``lines``: elsewhere (a CI log, a file), one ``[  1.2s] message`` line per phase;
* ``off``: ``--quiet``, or ``--json`` with stderr not a terminal: nothing.
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType
from typing import Final, Literal, TextIO

ProgressMode = Literal["live", "lines", "off"]

TICK_SECONDS: Final = 0.1
"""How often the live line's clock is redrawn."""
_SPINNER: Final = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_ASCII_SPINNER: Final = "|/-\\"
_CLEAR_LINE: Final = "\r\033[2K"


def progress_mode(stream: TextIO, *, quiet: bool, machine_output: bool) -> ProgressMode:
    """``off`` when quiet; ``live`` on a terminal; else ``lines``, unless stdout carries machine
    output (``--json``), whose readers (a CI step, a pipe) want stderr quiet too."""
    if quiet:
        return "off"
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty() and os.environ.get("TERM") != "dumb":
        return "live"
    return "off" if machine_output else "lines"


def _width(stream: TextIO) -> int:
    """The terminal's columns (a live line longer than that would wrap and stop being rewritten);
    80 when the terminal does not say (a new pseudo-terminal reports 0)."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 80
    return columns if columns > 0 else 80


def _spinner(stream: TextIO) -> str:
    """Braille dots where the stream's encoding has them, else ``|/-\\``."""
    try:
        _SPINNER.encode(getattr(stream, "encoding", None) or "ascii")
    except (LookupError, UnicodeEncodeError):
        return _ASCII_SPINNER
    return _SPINNER


class ProgressDisplay:
    """Call it with each phase's message; use it as a context manager around the whole command."""

    def __init__(self, stream: TextIO, mode: ProgressMode) -> None:
        self.stream = stream
        self.mode = mode
        self._started = time.perf_counter()
        self._message = ""
        self._frame = 0
        self._spinner = _spinner(stream)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __call__(self, message: str) -> None:
        if self.mode == "off":
            return
        with self._lock:
            self._message = message
            if self.mode == "lines":
                self.stream.write(f"[{self._elapsed():5.1f}s] {message}\n")
            else:
                self._draw()
            self.stream.flush()

    def __enter__(self) -> ProgressDisplay:
        self._started = time.perf_counter()
        if self.mode == "live":
            self._ticker = threading.Thread(target=self._tick, name="platformctl-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the clock and clear the live line (idempotent)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self.mode == "live":
            with self._lock:
                if self._message:
                    self.stream.write(_CLEAR_LINE)
                    self.stream.flush()
                self._message = ""

    def _elapsed(self) -> float:
        return time.perf_counter() - self._started

    def _draw(self) -> None:
        spinner = self._spinner[self._frame % len(self._spinner)]
        line = f"{spinner} {self._elapsed():5.1f}s  {self._message}"
        self.stream.write(_CLEAR_LINE + line[: max(_width(self.stream) - 1, 10)])

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            with self._lock:
                if self._message:
                    self._frame += 1
                    self._draw()
                    self.stream.flush()


__all__ = ["TICK_SECONDS", "ProgressDisplay", "ProgressMode", "progress_mode"]
