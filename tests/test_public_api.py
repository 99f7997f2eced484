"""The public API is the documented API.

Every type the documentation shows (the generated argument reference's models and the types of their
fields, the names the Python examples of the README and of the pages under docs/ import, the package's
classes they name in the text) is exported by the package root; the root exports nothing the
documentation does not show, but for the few names listed below with their reason; every public module declares ``__all__``, and a leading ``_`` marks the private ones.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import platform_components
import pytest
from platform_components._reference import SECTIONS, reference

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    ROOT / "README.md",
    *sorted((ROOT / "docs" / "guide").glob("*.md")),
    *sorted((ROOT / "docs" / "recipes").glob("*.md")),
    *sorted((ROOT / "docs" / "components").glob("*.md")),
    *sorted((ROOT / "docs" / "concepts").glob("*.md")),
    ROOT / "docs" / "troubleshooting.md",
]
"""The user documentation: the README and the guide, recipe, component, concept and troubleshooting pages
(docs/architecture.md is the map of the modules, private ones included)."""
DOCUMENTATION = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)

UNDOCUMENTED: dict[str, str] = {
    "DEFAULT_KUBERNETES_VERSION": "the default of the stack key kubernetes_version, for programs that build a config",
    "SUPPORTED_KUBERNETES_VERSIONS": "the minors the documentation states as a range (1.32 to 1.36), for programs to check against",
    "ClusterRef": "an existing EKS cluster as a team program sees it, for StatefulDatabase(cluster=...) backups",
    "ConfigError": "the one-line error of a bad argument or stack file, which the documentation shows by its message",
    "PreviewError": "what the offline engine raises when it cannot run a program (platformctl exit 2)",
    "DatabaseConfig": "an entry of the stack key databases, documented as YAML",
    "WorkloadConfig": "an entry of the stack key workloads, documented as YAML",
    "Environment": "the stack key environment (dev, staging, prod, local), documented as YAML",
    "load_platform_config": "reads and validates the stack key; what platform/__main__.py calls",
}
"""Exported by the root although the documentation does not show them, each with why it is public."""

DOCUMENTED_ELSEWHERE: dict[str, tuple[str, str]] = {
    "AdmissionPolicies": (
        "platform_components.admission_policies",
        "installed by PlatformEnvironment from the stack key admission; its arguments are stack data",
    ),
    "CelCheck": (
        "platform_components.policies.base",
        "named with its source folder for rule authors, not for programs",
    ),
    "SdkCompatibilityError": (
        "platform_components.errors",
        "raised by the offline engine when the installed Pulumi SDK lacks what it needs; programs never build one",
    ),
}
"""Classes of the package the documentation names that are not root API: where they are public, and why."""

NOT_OURS = frozenset({"None", "Union", "Output", "Input", "Optional", "Any", "Literal"})
"""Python and Pulumi typing in the tables' type column."""


def _is_private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split("."))


def _module_names() -> list[str]:
    """Every module of the package; ``walk_packages`` imports the packages, not their modules."""

    def fail(name: str) -> None:
        raise ImportError(f"cannot import {name}")

    walked = pkgutil.walk_packages(platform_components.__path__, "platform_components.", onerror=fail)
    return [platform_components.__name__, *(info.name for info in walked)]


MODULE_NAMES = _module_names()
PUBLIC_MODULES = [name for name in MODULE_NAMES if not _is_private(name)]


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


@functools.cache
def _package_classes() -> frozenset[str]:
    return frozenset(
        name
        for module_name in MODULE_NAMES
        for name, value in vars(_module(module_name)).items()
        if inspect.isclass(value) and value.__module__ == module_name
    )


def _reference_blocks() -> dict[str, str]:
    """The generated argument reference, one block of tables per section."""
    return {section: reference(section) for section in SECTIONS}


def _table_models() -> set[str]:
    return {
        name for block in _reference_blocks().values() for name in re.findall(r"^#### `(\w+)`$", block, re.M)
    }


def _field_types() -> set[str]:
    names: set[str] = set()
    for block in _reference_blocks().values():
        for row in re.findall(r"^\| `\w+` \| (.*?) \| .* \|$", block, re.M):
            names.update(re.findall(r"\b[A-Z]\w*\b", row))
    return names - NOT_OURS


def _python_imports() -> list[tuple[str, str]]:
    """``(module, name)`` for every ``from platform_components... import name`` in the Python blocks."""
    found = []
    for code in re.findall(r"^```python\n(.*?)^```", DOCUMENTATION, re.S | re.M):
        for node in ast.walk(ast.parse(code)):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").split(".")[0] == "platform_components"
            ):
                found.extend((str(node.module), alias.name) for alias in node.names)
    return found


def _named_classes() -> set[str]:
    """The package's classes the text names in backticks: ``SecureWorkload``, ``EksCluster(name, args)``."""
    named = set(re.findall(r"`([A-Z]\w*)(?:\([^`]*\))?`", DOCUMENTATION))
    return named & _package_classes()


def documented() -> set[str]:
    root_imports = {name for module, name in _python_imports() if module == "platform_components"}
    return (_table_models() | _field_types() | root_imports | _named_classes()) - set(DOCUMENTED_ELSEWHERE)


def test_the_extraction_finds_the_documented_types() -> None:
    """Guards the tests below against an extraction that silently finds nothing."""
    assert len(_reference_blocks()) == len(SECTIONS)
    assert {"SecureWorkloadArgs", "Taint", "VpaBoundsArgs", "ArgoCdArgs"} <= _table_models()
    assert {"Protocol", "CapacityType", "Peer", "ProbeKind"} <= _field_types()
    assert ("platform_components", "SecureWorkload") in _python_imports()
    assert ("platform_components.testing", "preview_project") in _python_imports()
    assert {"EksCluster", "PlatformEnvironment", "AdmissionPolicies"} <= _named_classes()
    assert len(documented()) > 70


def test_documented_names_are_exported_by_the_root() -> None:
    missing = sorted(documented() - set(platform_components.__all__))
    assert missing == [], "the documentation shows them: export them from platform_components"
    for name in sorted(documented()):
        namespace: dict[str, object] = {}
        exec(f"from platform_components import {name}", namespace)
        assert namespace[name] is getattr(platform_components, name)


def test_the_root_exports_only_documented_names() -> None:
    undocumented = set(platform_components.__all__) - documented()
    assert sorted(undocumented - set(UNDOCUMENTED)) == [], "document them, or list them in UNDOCUMENTED"
    assert sorted(set(UNDOCUMENTED) - undocumented) == [], "documented or gone: drop them from UNDOCUMENTED"


def test_names_documented_elsewhere_are_public_there() -> None:
    for name, (module_name, _reason) in DOCUMENTED_ELSEWHERE.items():
        assert name in _named_classes(), f"the documentation no longer names {name}: drop it"
        assert not _is_private(module_name)
        assert name in _module(module_name).__all__, (module_name, name)
        assert name not in platform_components.__all__, f"{name} is root API now: drop it"


def test_readme_examples_import_from_public_modules_only() -> None:
    for module_name, name in _python_imports():
        assert not _is_private(module_name), f"the documentation imports {name} from private {module_name}"
        assert name in _module(module_name).__all__, (module_name, name)


def test_the_reference_tables_document_root_models() -> None:
    for models in SECTIONS.values():
        for model in models:
            assert model.__name__ in platform_components.__all__, model
            assert getattr(platform_components, model.__name__) is model


def test_the_walk_finds_every_module() -> None:
    assert {
        "platform_components.kube.netpol",
        "platform_components.policies.base",
        "platform_components.preview.apiserver.pods",
        "platform_components._reference",
    } <= set(MODULE_NAMES)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_public_module_declares_all(module_name: str) -> None:
    module = _module(module_name)
    assert "__all__" in vars(module), (
        f"{module_name} has no __all__: add one, or make the module private (_name)"
    )
    names = list(module.__all__)
    assert all(isinstance(name, str) for name in names)
    assert len(names) == len(set(names)), f"{module_name}.__all__ has duplicates"
    assert [name for name in names if not hasattr(module, name)] == [], (
        f"{module_name}.__all__ names a missing name"
    )
    assert [name for name in names if name.startswith("_")] == [], (
        f"{module_name}.__all__ exports a private name"
    )


def test_root_names_come_from_public_modules() -> None:
    """No private module is needed for the public API: each root name is declared in the ``__all__`` of
    a public module, and each root class or function is defined in one."""
    for name in platform_components.__all__:
        value = getattr(platform_components, name)
        declared_by = [
            module_name
            for module_name in PUBLIC_MODULES
            if module_name != platform_components.__name__
            and name in getattr(_module(module_name), "__all__", ())
            and getattr(_module(module_name), name, None) is value
        ]
        assert declared_by, f"{name} is in no public module's __all__"
        if inspect.isclass(value) or inspect.isfunction(value):
            assert not _is_private(value.__module__), f"{name} is defined in private {value.__module__}"
