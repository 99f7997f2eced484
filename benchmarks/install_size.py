"""What a team's install costs (a script that prints numbers; not a test).

    uv run python benchmarks/install_size.py

For the core install, core + ``preview`` and ``all``: the number of distributions installed, the size
of site-packages and the time ``import platform_components`` takes, each in a fresh virtual
environment outside the repository (resolved up to the repository's ``exclude-newer`` date).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAVOURS = {"core": "", "core + preview": "[preview]", "all": "[all]"}


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def measure(uv: str, extra: str, exclude_newer: str) -> tuple[int, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
        env = {**os.environ, "VIRTUAL_ENV": str(venv)}
        subprocess.run(
            [uv, "pip", "install", "--quiet", "--exclude-newer", exclude_newer, f"{ROOT}{extra}"],
            check=True,
            env=env,
        )
        python = venv / "bin" / "python"
        site = Path(
            subprocess.run(
                [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        dists = len(list(site.glob("*.dist-info")))
        timing = subprocess.run(
            [
                str(python),
                "-c",
                "import time; t = time.perf_counter(); import platform_components; "
                "print(time.perf_counter() - t)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        # second run: bytecode is compiled by then, as on a user's machine
        timing = subprocess.run(timing.args, capture_output=True, text=True, check=True)
        return dists, _size(site) / 1e6, float(timing.stdout)


def main() -> None:
    uv = os.environ.get("UV") or str(Path(sys.executable).parent / "uv")
    exclude_newer = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["exclude-newer"]
    print(f"{'install':<16} {'packages':>8} {'MB':>8} {'import s':>9}")
    for name, extra in FLAVOURS.items():
        dists, mb, seconds = measure(uv, extra, exclude_newer)
        print(f"{name:<16} {dists:>8} {mb:>8.0f} {seconds:>9.2f}")


if __name__ == "__main__":
    main()
