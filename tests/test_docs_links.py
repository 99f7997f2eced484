"""Every link of the README and of the Markdown pages it points into resolves: the file exists and so
does the heading an anchor names (slugs as Python-Markdown's toc and GitHub make them). A page under
``docs/`` links only to pages under ``docs/`` (``mkdocs build --strict`` refuses anything else)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from _readme import DOCS, GUIDE, README, RECIPES, ROOT

PAGES = [
    README,
    DOCS / "architecture.md",
    DOCS / "troubleshooting.md",
    *GUIDE.glob("*.md"),
    *RECIPES.glob("*.md"),
]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    text = re.sub(r"[`*_]", "", heading)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {slug(heading) for heading in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def links(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", "", text)
    return [link for link in LINK.findall(text) if "://" not in link and not link.startswith("mailto:")]


def test_the_pages_exist() -> None:
    assert all(page.is_file() for page in PAGES)
    assert len(PAGES) > 20


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_link_resolves(page: Path) -> None:
    broken = []
    for link in links(page):
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.is_file():
            broken.append(
                f"{link}: no file {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
            )
        elif page.is_relative_to(DOCS) and not target.is_relative_to(DOCS):
            broken.append(f"{link}: outside docs/ (name the file in backticks instead)")
        elif anchor and anchor not in anchors(target):
            broken.append(f"{link}: no heading with the anchor #{anchor}")
    assert broken == []


def test_the_slugs_are_the_toc_extensions() -> None:
    assert slug("Platform stacks: `pulumi up` per environment") == "platform-stacks-pulumi-up-per-environment"
    assert slug("Admission: the same rules in the cluster") == "admission-the-same-rules-in-the-cluster"
