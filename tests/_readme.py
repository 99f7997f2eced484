"""Sections of the README and of the Markdown pages under ``docs/``, for the tests that execute their
commands and preview their snippets."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
GUIDE = DOCS / "guide"
RECIPES = DOCS / "recipes"


def section(heading: str, page: Path = README) -> str:
    """The text of ``page`` after the whole heading line ``heading`` (such as ``"## Benchmark"``) up to
    the next heading of the same or a higher level (lines inside code blocks are not headings)."""
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    assert f"{heading}\n" in lines, f"{page.relative_to(ROOT)} has no heading {heading!r}"
    level = len(heading) - len(heading.lstrip("#"))
    start = lines.index(f"{heading}\n") + 1
    fenced = False
    for end in range(start, len(lines)):
        fenced ^= lines[end].startswith("```")
        if not fenced and re.match(rf"#{{1,{level}}} ", lines[end]):
            return "".join(lines[start:end])
    return "".join(lines[start:])


def blocks(text: str, language: str) -> list[str]:
    """The fenced code blocks of ``language`` in ``text``, in order."""
    return re.findall(rf"^```{re.escape(language)}\n(.*?)^```", text, re.S | re.M)


def command_lines(block: str) -> list[str]:
    """The command lines of a ``bash`` block, each without its trailing ``  # comment``."""
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def section_commands(heading: str, page: Path = README) -> list[str]:
    """The command lines of the first ``bash`` block of the section ``heading`` of ``page``."""
    return command_lines(blocks(section(heading, page), "bash")[0])
