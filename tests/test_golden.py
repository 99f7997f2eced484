"""Upgrade safety: every stack's and example's URNs and rendered manifests against the golden files.

``tests/golden/<target>/`` was recorded before the packaging changes of 0.2 (import name, extras,
SDK range); a URN that changes means ``pulumi up`` replaces or deletes a resource, so URNs must match
exactly unless ``tests/golden/allowed-differences.txt`` lists the URN (file ``urns.txt``, the URN as
the path) with the reason it is deliberately added or removed. A manifest may differ only where that
file lists the difference with its reason, one line per (target, manifest file, field path). A
resource added since is listed in ``tests/golden/added-resources.txt`` with its URN, its manifest
file and its reason (a URN and a file ending in ``*`` stand for every URN and file with that prefix: a
group of resources added together, e.g. the admission policies); the golden files themselves stay
as recorded.

This module also runs in the dependency matrix's highest and lowest legs (``scripts/test``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _previews import preview_of
from _targets import TARGETS
from platform_components.preview.report import write_outputs

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
URNS = "urns.txt"


def allowed_differences() -> dict[tuple[str, str, str], str]:
    """(target, manifest file, dotted field path) -> reason."""
    allowed: dict[tuple[str, str, str], str] = {}
    for number, line in enumerate((GOLDEN / "allowed-differences.txt").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|", 3)]
        assert len(parts) == 4 and all(parts), (
            f"allowed-differences.txt:{number}: target | file | path | reason"
        )
        allowed[(parts[0], parts[1], parts[2])] = parts[3]
    return allowed


def differences(
    old: Any, new: Any, path: str = "", matches: Callable[[Any, Any], bool] | None = None
) -> list[str]:
    """Dotted paths where ``old`` and ``new`` differ (a list index is a path part); ``matches``
    may declare two differing leaves equivalent (e.g. a masked secret and its value)."""
    if matches is not None and matches(old, new):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in old or key not in new:
                out.append(sub)
            else:
                out.extend(differences(old[key], new[key], sub, matches))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in differences(a, b, f"{path}[{i}]", matches)
        ]
    return [] if old == new else [path or "."]


def added_resources() -> dict[tuple[str, str], tuple[str, str]]:
    """(target, URN or URN prefix ``…*``) -> (manifest file or prefix ``…*``, reason) of resources added
    since the golden files."""
    added: dict[tuple[str, str], tuple[str, str]] = {}
    for number, line in enumerate((GOLDEN / "added-resources.txt").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|", 3)]
        assert len(parts) == 4 and all(parts), f"added-resources.txt:{number}: target | URN | file | reason"
        added[(parts[0], parts[1])] = (parts[2], parts[3])
    return added


@pytest.fixture(scope="module", params=sorted(TARGETS))
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    target = request.param
    out = tmp_path_factory.mktemp(target)
    write_outputs(preview_of(target), out)
    return target, out


def test_every_target_previews_clean(rendered: tuple[str, Path]) -> None:
    """On every leg of the matrix, not only the lock: an SDK (or moto) at the floor of its range
    must give the same clean preview, with no schema error and no mandatory violation."""
    target, out = rendered
    report = json.loads((out / "report.json").read_text())
    summary = report["summary"]
    assert (summary["violations"], summary["schema_errors"]) == (0, 0), (target, summary)


def current_urns(out: Path) -> list[str]:
    return sorted(r["urn"] for r in json.loads((out / "resources.json").read_text())["resources"])


def listed(value: str, entries: set[str]) -> bool:
    """``value`` is one of ``entries``, or starts with the prefix of an entry ending in ``*``."""
    return value in entries or any(e.endswith("*") and value.startswith(e[:-1]) for e in entries)


def test_urns_are_unchanged(rendered: tuple[str, Path]) -> None:
    target, out = rendered
    urns = current_urns(out)
    golden = (GOLDEN / target / URNS).read_text().split()
    changed = {path for (t, name, path) in allowed_differences() if t == target and name == URNS}
    added_listed = {urn for t, urn in added_resources() if t == target}
    removed = [u for u in golden if u not in urns and u not in changed]
    added = [u for u in urns if u not in golden and u not in changed and not listed(u, added_listed)]
    assert removed == [], "resources that would be deleted or replaced"
    assert added == [], "new resources: record them only with a reason (tests/golden/added-resources.txt)"
    stale = [entry for entry in added_listed if not any(listed(u, {entry}) for u in urns)]
    assert stale == [], "stale entries in added-resources.txt"


def test_manifests_are_unchanged_or_listed(rendered: tuple[str, Path]) -> None:
    import yaml

    target, out = rendered
    golden = json.loads((GOLDEN / target / "manifests.json").read_text())
    current = {
        str(p.relative_to(out / "manifests")): yaml.safe_load(p.read_text())
        for p in sorted((out / "manifests").rglob("*.yaml"))
    }
    added = {name for (t, _), (name, _) in added_resources().items() if t == target and name != "-"}
    patterns = {name for name in added if name.endswith("*")}
    expected = sorted([*golden, *(added - patterns)])
    assert sorted(name for name in current if name in golden or not listed(name, patterns)) == expected
    allowed = allowed_differences()
    unlisted = [
        f"{name}: {path}"
        for name in sorted(golden)
        for path in differences(golden[name], current[name])
        if (target, name, path) not in allowed
    ]
    assert unlisted == [], "differences not in tests/golden/allowed-differences.txt"


def test_every_allowed_difference_still_happens(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A listed difference that no longer occurs is stale: the list stays an exact account."""
    import yaml

    stale = []
    by_target: dict[str, list[tuple[str, str]]] = {}
    for target, name, path in allowed_differences():
        by_target.setdefault(target, []).append((name, path))
    for target, entries in sorted(by_target.items()):
        out = tmp_path_factory.mktemp(f"stale-{target}")
        write_outputs(preview_of(target), out)
        golden = json.loads((GOLDEN / target / "manifests.json").read_text())
        golden_urns = set((GOLDEN / target / URNS).read_text().split())
        urns = set(current_urns(out))
        for name, path in entries:
            if name == URNS:  # a listed URN is still added or removed
                if (path in golden_urns) == (path in urns):
                    stale.append(f"{target} | {name} | {path}")
                continue
            current = yaml.safe_load((out / "manifests" / name).read_text())
            if path not in differences(golden[name], current):
                stale.append(f"{target} | {name} | {path}")
    assert stale == []
