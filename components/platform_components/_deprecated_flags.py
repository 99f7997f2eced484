"""A renamed ``platformctl`` flag keeps its old name for a while: it still works, with a warning.

Flags change only with a deprecation first (docs/cli.md, "Changing flags"): the new name is added,
the old one is kept with :func:`keep_old_name` for at least one minor release, hidden from
``--help``, and each use prints one line on stderr before the command runs::

    platformctl: warning: --old is deprecated; use --new
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from . import _console


class _OldName(argparse.Action):
    """Warns, then does exactly what the new flag's own action does."""

    def __init__(self, option_strings: Sequence[str], dest: str, *, new: argparse.Action) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=new.nargs,
            const=new.const,
            default=argparse.SUPPRESS,
            type=None if isinstance(new.type, str) else new.type,  # argparse converts by callables only
            choices=new.choices,
            required=False,
            help=argparse.SUPPRESS,
            metavar=new.metavar,
        )
        self.new = new

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        _console.warning(f"{option_string} is deprecated; use {self.new.option_strings[-1]}")
        self.new(parser, namespace, values, option_string)


def keep_old_name(parser: argparse.ArgumentParser, new: argparse.Action, old: str) -> argparse.Action:
    """Accept ``old`` on ``parser`` as the flag ``new`` (the action ``add_argument`` returned for
    the new name), warning on each use; hidden from ``--help``."""
    if not old.startswith("--"):
        raise ValueError(f"a deprecated flag is a long option (--name), not {old!r}")
    return parser.add_argument(old, action=_OldName, new=new)


__all__ = ["keep_old_name"]
