"""No function of ``platform_components`` is longer than 80 lines, except those listed in
:data:`ALLOWED`, each with the one-line reason it stays long.

A function's length is ``end_lineno - lineno + 1`` of its ``def`` (functions, methods and nested
functions alike, found with :mod:`ast`). A function is named by its qualified name, the module path
and then the enclosing classes and functions: ``platform_components.cluster.EksCluster.__init__``. A
package's ``__init__.py`` is the package itself, so turning ``database.py`` into a ``database/``
package keeps the names of what stays in its ``__init__.py``; a function moved to another module
changes name, and the test names both sides.

A new long function fails the test: split it into named steps (pure builders, and methods that each
register one group of children), or add it here with its reason. A listed function that became
short, moved or was removed fails it too: remove (or rename) its entry. The failure message lists
what to change, ready to paste.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "components" / "platform_components"
LIMIT = 80


ALLOWED: dict[str, str] = {
    # components
    "platform_components.gitops.argocd_values": "the argo-cd chart's Helm values in one mapping",
    "platform_components.karpenter.controller_policy": "the upstream Karpenter v1 controller policy, statement by statement",
    "platform_components.kube.delivery.prometheus_rule_spec": "a workload's availability alerts, one PrometheusRule",
    # the offline API server: ports of its validation functions, in their shape (named in the docstrings)
    "platform_components.preview.apiserver.pods.pod_spec_errors": "port of ValidatePodSpec, kept in its shape",
    "platform_components.preview.apiserver.pods._volume_mounts": "port of ValidateVolumeMounts and ValidateVolumeDevices",
    "platform_components.preview.apiserver.services.service_errors": "port of ValidateService, kept in its shape",
    "platform_components.preview.apiserver.workloads.job_spec_errors": "port of validateJobSpec, kept in its shape",
    "platform_components.preview.apiserver.scheduling.limit_errors": "port of one ValidateLimitRange item",
}
"""Qualified name -> why it stays longer than :data:`LIMIT` lines (one line)."""


def module_name(path: Path, package: Path) -> str:
    """``a/b/c.py`` under the package's parent -> ``a.b.c``; ``a/b/__init__.py`` -> ``a.b``."""
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def function_lengths(package: Path) -> dict[str, int]:
    """Qualified name -> length in lines of every function, method and nested function."""
    lengths: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}.{child.name}"
                assert child.end_lineno is not None
                # a name defined twice (a property's setter, a TYPE_CHECKING branch) keeps its longest
                lengths[name] = max(lengths.get(name, 0), child.end_lineno - child.lineno + 1)
                visit(child, name)
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}.{child.name}")
            else:
                visit(child, prefix)

    for path in sorted(package.rglob("*.py")):
        visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), module_name(path, package))
    return lengths


def long_functions(package: Path, limit: int = LIMIT) -> dict[str, int]:
    """Qualified name -> length of every function longer than ``limit`` lines."""
    return {name: length for name, length in function_lengths(package).items() if length > limit}


def allow_list_problems(found: dict[str, int], allowed: dict[str, str]) -> list[str]:
    """What to change in :data:`ALLOWED` so it lists exactly the long functions ``found``."""
    problems = [
        f"{name} has {found[name]} lines (over {LIMIT}): split it into named steps, or add it to "
        f'ALLOWED with its reason:  "{name}": "<why it stays long>",'
        for name in sorted(set(found) - set(allowed))
    ]
    problems += [
        f"{name} is listed in ALLOWED but is no longer a function over {LIMIT} lines "
        "(shortened, moved or removed): remove or rename its entry"
        for name in sorted(set(allowed) - set(found))
    ]
    return problems


def test_only_the_allowed_functions_are_longer_than_the_limit() -> None:
    problems = allow_list_problems(long_functions(PACKAGE), ALLOWED)
    assert not problems, "\n".join(problems)


def test_every_allowed_function_has_a_one_line_reason() -> None:
    for name, reason in ALLOWED.items():
        assert name.startswith("platform_components."), name
        assert reason.strip() and "\n" not in reason, name


def test_the_measure_finds_long_functions_methods_and_nested_functions(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)

    def function(name: str, lines: int, indent: str = "", asynchronous: bool = False) -> str:
        body = "".join(f"{indent}    x{i} = {i}\n" for i in range(lines - 1))
        return f"{indent}{'async ' if asynchronous else ''}def {name}() -> None:\n{body}"

    (package / "__init__.py").write_text(function("top", LIMIT + 1))
    (package / "mod.py").write_text(
        function("short", LIMIT)
        + "class C:\n"
        + function("method", LIMIT + 1, "    ")
        + function("outer", LIMIT + 5, asynchronous=True).replace(
            "    x0 = 0\n", function("inner", LIMIT + 2, "    "), 1
        )
    )
    (package / "sub" / "__init__.py").write_text(function("in_package", LIMIT + 3))

    found = long_functions(package)
    assert set(found) == {
        "pkg.top",
        "pkg.mod.C.method",
        "pkg.mod.outer",
        "pkg.mod.outer.inner",
        "pkg.sub.in_package",
    }
    assert found["pkg.mod.C.method"] == LIMIT + 1
    assert "pkg.mod.short" not in found

    allowed = {"pkg.top": "r", "pkg.mod.C.method": "r", "pkg.gone": "r"}
    problems = allow_list_problems(found, allowed)
    assert [p.split(" ")[0] for p in problems] == [
        "pkg.mod.outer",
        "pkg.mod.outer.inner",
        "pkg.sub.in_package",
        "pkg.gone",
    ]
