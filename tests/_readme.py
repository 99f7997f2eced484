"""The commands a README section shows (its first ``bash`` block), for the tests that execute them."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def section_commands(heading: str) -> list[str]:
    """The command lines of the first ``bash`` block after ``heading`` (a whole heading line such as
    ``"## Benchmark"``), each without its trailing ``  # comment``."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(f"{heading}\n") :]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]
