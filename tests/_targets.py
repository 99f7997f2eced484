"""What the tests preview per target: every environment stack of this project and the example team
repository's stack (``TARGETS``: name -> (project folder, stack)). Importable from any test module
(``pythonpath = ["tests"]`` in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS: dict[str, tuple[Path, str]] = {
    "dev": (ROOT, "dev"),
    "staging": (ROOT, "staging"),
    "prod": (ROOT, "prod"),
    "local": (ROOT, "local"),
    "team-service": (ROOT / "examples" / "team-service", "dev"),
}
