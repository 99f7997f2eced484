"""docs/architecture.md cannot drift from the code.

* The package map names every module that exists, and nothing that does not: each top-level module
  and subpackage on a line of its own, every public module of a subpackage on its package's lines
  (private ones may be named too), each as a path relative to the package.
* The component tree is the parent/child relation of the component types the golden URN lists record
  (``tests/golden/<target>/urns.txt`` as recorded, plus the resources ``added-resources.txt`` and
  ``allowed-differences.txt`` list as added since; ``tests/test_golden.py`` holds a preview of each
  target equal to exactly that), each component in the module the tree names, and every
  ``pulumi.ComponentResource`` of the package in the tree.
* Every file path the page mentions exists; the SDK range it states is ``SUPPORTED_PULUMI``.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import platform_components
import pulumi
from platform_components.preview._sdk import SUPPORTED_PULUMI

ROOT = Path(__file__).resolve().parents[1]
PAGE_PATH = ROOT / "docs" / "architecture.md"
PAGE = PAGE_PATH.read_text(encoding="utf-8")
PACKAGE = Path(platform_components.__file__).parent
GOLDEN = ROOT / "tests" / "golden"
STACK = "Stack"
"""The tree's name for a stack's root (a resource without a parent component)."""


def _block(name: str, page: str = PAGE) -> str:
    """The fenced block between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    section = page.split(f"<!-- {name}:start -->\n", 1)[1].split(f"<!-- {name}:end -->", 1)[0]
    return section.split("```text\n", 1)[1].split("```", 1)[0]


# --------------------------------------------------------------------------------------------------
# The package map

_CONTINUATION = 10
"""A map line indented this far continues the description of the entry above it."""
_NAMED = re.compile(r"(?<![\w/.])([\w-]+(?:\.py|\.md|\.txt|/))(?=[\s,;:)]|$)")


def package_map(page: str = PAGE) -> tuple[set[str], set[str]]:
    """(entries, named): the paths that have a line of their own, and every path the map names, both
    relative to the package (a directory ends with ``/``)."""
    entries: set[str] = set()
    named: set[str] = set()
    parents: list[str] = []  # the directory of each indentation level
    base = ""  # where the names of the current line's description are resolved
    for line in _block("package-map", page).splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent >= _CONTINUATION:
            description = line
        else:
            assert indent % 2 == 0, f"package map: odd indentation: {line!r}"
            entry, _, description = line.strip().partition(" ")
            depth = indent // 2
            if depth == 0:
                assert entry == "platform_components/", f"package map: the root is the package: {line!r}"
                parents = [""]
                continue
            parents = parents[:depth]
            assert len(parents) == depth, f"package map: an entry without its directory: {line!r}"
            path = parents[-1] + entry
            entries.add(path)
            named.add(path)
            base = path if path.endswith("/") else parents[-1]
            if path.endswith("/"):
                parents.append(path)
        named.update(base + name for name in _NAMED.findall(description))
    return entries, named


def _packages() -> list[Path]:
    """The package's directory and every subpackage's (a directory with an ``__init__.py``)."""
    found = [PACKAGE]
    for directory in sorted(p for p in PACKAGE.rglob("*") if p.is_dir()):
        parts = directory.relative_to(PACKAGE).parts
        if "__pycache__" in parts:
            continue
        if all((PACKAGE.joinpath(*parts[: i + 1]) / "__init__.py").is_file() for i in range(len(parts))):
            found.append(directory)
    return found


def modules() -> tuple[set[str], set[str]]:
    """(top level, required): the package's top-level modules and subpackages, and every module and
    subpackage the map must name (public ones at any depth, private ones at the top level), as paths
    relative to the package."""
    top: set[str] = set()
    required: set[str] = set()
    for directory in _packages():
        relative = directory.relative_to(PACKAGE)
        if directory != PACKAGE:
            path = f"{relative.as_posix()}/"
            required.add(path)
            if len(relative.parts) == 1:
                top.add(path)
        for file in sorted(directory.glob("*.py")):
            path = file.relative_to(PACKAGE).as_posix()
            if directory == PACKAGE:
                top.add(path)
                required.add(path)
            elif not file.name.startswith("_"):
                required.add(path)
    return top, required


def test_the_map_names_every_module() -> None:
    top, required = modules()
    entries, named = package_map()
    assert {"_base.py", "config.py", "preview/apiserver/", "preview/apiserver/pods.py"} <= required
    assert "preview/_sdk.py" not in required, "a private module of a subpackage may go unnamed"
    assert sorted(top - entries) == [], "give each on a line of its own in docs/architecture.md's package map"
    subpackages = {path for path in required if path.endswith("/")}
    assert sorted(subpackages - entries) == [], "give each subpackage a line in the package map"
    assert sorted(required - named) == [], "name them in docs/architecture.md's package map"


def test_every_path_in_the_map_exists() -> None:
    entries, named = package_map()
    assert len(entries) > 20 and len(named) > 60, "the map's parsing finds the map"
    missing = [path for path in sorted(named) if not (PACKAGE / path).exists()]
    assert missing == [], "the package map names what is not there: fix docs/architecture.md"


# --------------------------------------------------------------------------------------------------
# The component tree

_TREE_LINE = re.compile(r"^(?P<prefix>[│├└─ ]*)(?P<name>[A-Z]\w*)(?:\s+(?P<module>[\w/]+\.py))?")


def component_tree(page: str = PAGE) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """(edges, modules): the tree's (parent, child) pairs and each component's module."""
    edges: set[tuple[str, str]] = set()
    defined_in: dict[str, str] = {}
    path: list[str] = []
    for line in _block("component-tree", page).splitlines():
        if not line.strip():
            continue
        match = _TREE_LINE.match(line)
        assert match, f"component tree: not a node: {line!r}"
        depth, name, module = len(match["prefix"]) // 4, match["name"], match["module"]
        assert len(match["prefix"]) % 4 == 0 and depth <= len(path), f"component tree: bad indent: {line!r}"
        path = [*path[:depth], name]
        if depth == 0:
            assert name == STACK, f"component tree: the root is the {STACK}: {line!r}"
            continue
        assert module, f"component tree: name the module of {name}: {line!r}"
        assert defined_in.setdefault(name, module) == module, f"{name} is in two modules"
        edges.add((path[-2], name))
    return edges, defined_in


def _type_chain(urn: str) -> list[str]:
    """The types of a URN's parents and its own (``urn:pulumi:<stack>::<project>::<a>$<b>$<c>::<name>``)."""
    return urn.split("::")[2].rstrip("*").split("$")


def golden_urns() -> set[str]:
    """Every target's URNs: as recorded, less those listed as removed, plus those listed as added."""
    urns: set[str] = set()
    changed: dict[str, set[str]] = {}
    for line in (GOLDEN / "allowed-differences.txt").read_text(encoding="utf-8").splitlines():
        parts = [part.strip() for part in line.split("|", 3)]
        if line.strip() and not line.startswith("#") and parts[1] == "urns.txt":
            changed.setdefault(parts[0], set()).add(parts[2])
    for recorded in sorted(GOLDEN.glob("*/urns.txt")):
        golden = set(recorded.read_text(encoding="utf-8").split())
        listed = changed.get(recorded.parent.name, set())
        urns |= (golden - listed) | (listed - golden)
    for line in (GOLDEN / "added-resources.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            urns.add(line.split("|", 3)[1].strip())
    return urns


def golden_edges() -> set[tuple[str, str]]:
    """The (parent, child) pairs of component types (``platform:index:<Name>``) in the golden URNs."""
    prefix = "platform:index:"
    edges: set[tuple[str, str]] = set()
    for urn in golden_urns():
        parent = STACK
        for token in _type_chain(urn):
            if not token.startswith(prefix):
                break
            edges.add((parent, token.removeprefix(prefix)))
            parent = token.removeprefix(prefix)
    return edges


def _component_classes() -> dict[str, str]:
    """Every class of the package that derives from ``pulumi.ComponentResource``, by name: its module."""
    found: dict[str, str] = {}
    for file in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base) in ("pulumi.ComponentResource", "ComponentResource") for base in node.bases
            ):
                found[node.name] = file.relative_to(PACKAGE).as_posix()
    return found


def test_the_tree_is_the_golden_parent_child_relation() -> None:
    edges, _ = component_tree()
    recorded = golden_edges()
    assert {(STACK, "PlatformEnvironment"), ("PlatformEnvironment", "AdmissionPolicies")} <= recorded
    assert sorted(edges - recorded) == [], "the page shows a parent/child pair no stack creates"
    assert sorted(recorded - edges) == [], "a stack creates this parent/child pair: add it to the tree"


def test_the_tree_names_each_component_and_its_module() -> None:
    _, defined_in = component_tree()
    assert defined_in == _component_classes(), "every ComponentResource of the package, in its module"
    for name, module_path in defined_in.items():
        module = importlib.import_module(
            "platform_components." + module_path.removesuffix(".py").replace("/", ".")
        )
        assert issubclass(getattr(module, name), pulumi.ComponentResource)
        assert f"platform:index:{name}" in vars(module).values(), (
            f"{module_path} has no type token for {name}"
        )


# --------------------------------------------------------------------------------------------------
# Paths and facts named in the text

_PATH = re.compile(r"`([\w.<>/-]+)`")
_SUFFIXES = (".py", ".yaml", ".md", ".txt", ".toml")


def mentioned_paths(page: str = PAGE) -> list[str]:
    """Every backticked path of the text outside the package map: with a ``/`` or a file suffix."""
    text = page.replace(_block("package-map", page), "")
    return sorted(
        {
            token
            for token in _PATH.findall(text)
            if ("/" in token or token.endswith(_SUFFIXES)) and not token.startswith("/")
        }
    )


def _exists(path: str) -> bool:
    """A path of the repository, or of the package; ``<name>`` stands for any one name."""
    pattern = re.sub(r"<[^>/]+>", "*", path).rstrip("/")
    return any(
        any(base.glob(pattern)) if "*" in pattern else (base / pattern).exists() for base in (ROOT, PACKAGE)
    )


def test_every_path_the_page_mentions_exists() -> None:
    paths = mentioned_paths()
    assert {"platform/__main__.py", "stacks/Pulumi.<stack>.yaml", "preview/_sdk.py"} <= set(paths)
    assert [path for path in paths if not _exists(path)] == [], "fix the paths in docs/architecture.md"


def test_the_sdk_range_is_the_tested_one() -> None:
    assert f"`{SUPPORTED_PULUMI}`" in PAGE, "docs/architecture.md states another SDK range than _sdk.py"


def test_the_readme_and_the_layout_page_link_the_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/architecture.md)" in readme
    layout = (ROOT / "docs" / "guide" / "layout.md").read_text(encoding="utf-8")
    assert "(../architecture.md)" in layout
