"""``platform-components-analyzer``: the shipped CrossGuard pack as an executable analyzer plugin.

``pulumi preview --policy-pack <directory>`` starts a Python pack through the Python language host
(``pulumi-language-python``), which runs ``python -u -m pulumi.policy <engine> <pack>``. A CLI without
that host (or a CI runner that wants to pin which interpreter runs the pack) can instead name an
executable: since Pulumi 3.27x the engine starts ``--policy-pack <file>`` as a binary analyzer plugin,
with the engine's address as its only argument, the way it starts a provider::

    pulumi preview --policy-pack "$(command -v platform-components-analyzer)"

This launcher runs the pack's ``__main__.py`` in this interpreter (the one of the virtual environment
the console script was installed into, so the pack sees exactly the library the program uses). The
pack's ``PolicyPack`` serves the analyzer over gRPC and prints its port on stdout, which is how the
engine connects; it reads its configuration from the engine (``ConfigureStack``), not from here.

Run by hand, it explains what it is for and exits 2: it only makes sense when the engine starts it.
"""

from __future__ import annotations

import io
import os
import runpy
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_USAGE = 2

USAGE = (
    "platform-components-analyzer: the CrossGuard pack of platform-components as an analyzer plugin; "
    "the Pulumi engine starts it with its address: "
    'pulumi preview --policy-pack "$(command -v platform-components-analyzer)"\n'
)


def pack_directory() -> Path:
    """The pack shipped in the package (the directory form of ``--policy-pack``)."""
    return Path(__file__).resolve().parent / "pack"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 1 or args[0].startswith("-") or ":" not in args[0]:
        sys.stderr.write(USAGE)
        return EXIT_USAGE
    pack = pack_directory()
    # What the language host does for a directory pack (``python -u``): unbuffered stdout, since
    # the engine reads the port from it while the server runs; the pack directory as working
    # directory and first import path.
    sys.stdout.flush()
    sys.stdout = io.TextIOWrapper(io.FileIO(sys.stdout.fileno(), "wb", closefd=False), write_through=True)
    os.chdir(pack)
    sys.path.insert(0, str(pack))
    sys.argv = [str(pack / "__main__.py"), *args]
    runpy.run_path(str(pack / "__main__.py"), run_name="__main__")
    return 0


__all__ = ["EXIT_USAGE", "USAGE", "main", "pack_directory"]


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    raise SystemExit(main())
