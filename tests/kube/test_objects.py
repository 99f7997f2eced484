"""kube/objects.py: the one way a component registers a rendered manifest."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from platform_components.kube.objects import TYPED

PACKAGE = Path(__file__).resolve().parents[2] / "components" / "platform_components"

NOT_A_MANIFEST = {
    "Provider": "the cluster's Kubernetes provider",
    "Release": "a Helm release (the chart renders the objects)",
    "ConfigFile": "an upstream install manifest applied as published",
    "NamespacePatch": "a server-side patch of a namespace another install created",
}
"""pulumi_kubernetes classes components may call directly, and why each is not a rendered manifest."""


def direct_registrations() -> list[str]:
    """``file:line Class`` of every ``k8s.<...>.Class(...)`` call outside kube/objects.py."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "kube" / "objects.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            chain, target = [], node.func
            while isinstance(target, ast.Attribute):
                chain.append(target.attr)
                target = target.value
            if isinstance(target, ast.Name) and target.id == "k8s" and chain[0][:1].isupper():
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {chain[0]}")
    return found


def test_components_register_manifests_only_through_create_object() -> None:
    stray = [entry for entry in direct_registrations() if entry.split()[-1] not in NOT_A_MANIFEST]
    assert not stray, "register these through kube/objects.create_object: " + ", ".join(stray)


def test_the_scan_sees_the_direct_calls_that_remain() -> None:
    kinds = {entry.split()[-1] for entry in direct_registrations()}
    assert {"Provider", "Release", "NamespacePatch"} <= kinds


@pytest.mark.parametrize("kind", sorted(TYPED))
def test_each_typed_class_is_the_kind_it_is_keyed_by(kind: str) -> None:
    assert TYPED[kind].__name__ == kind


def test_a_kinds_api_group_is_imported_when_a_manifest_of_it_is_registered() -> None:
    # the typed classes resolve on first use: importing the library loads no API group's module
    code = (
        "import sys, platform_components\n"
        "from platform_components.kube.objects import TYPED\n"
        "loaded = lambda: sorted(m for m in sys.modules if m.startswith('pulumi_kubernetes.') and m.count('.') == 3 and m.endswith('._inputs'))\n"
        "print(loaded())\n"
        "TYPED['Role']\n"
        "print(loaded())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = done.stdout.splitlines()
    assert before == "[]", before
    assert "pulumi_kubernetes.rbac.v1._inputs" in after
    assert "pulumi_kubernetes.batch.v1._inputs" not in after


def test_an_unknown_kind_has_no_typed_class() -> None:
    assert TYPED.get("Widget") is None
    assert "Widget" not in TYPED
    assert len(TYPED) == len(list(TYPED))
