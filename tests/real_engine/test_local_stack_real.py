"""The ``local`` stack through the real engine, the real Kubernetes provider and the real pack.

``pulumi preview --policy-pack``, ``pulumi up`` (twice: the second shows no change) and ``pulumi
destroy`` of the local stack, with the provider's ``renderYamlToDirectory`` (no cluster): the rendered
manifests are compared object by object, field by field, with ``platformctl preview --stack local``'s.
The only differences allowed are the lines of ``allowed-differences.txt`` (kind | field path |
reason). The stack's database takes its passwords from secret stack config (no ``random`` provider
can be built here); their values must appear in no state file, output or report.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.real_engine

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
STACK = "local"
MAX_ALLOWED = 10
SECRET_MASK = "[secret]"  # how the offline engine writes a value it only knows as a Pulumi secret


@dataclass
class LocalRuns:
    workdir: Path
    offline_out: Path
    offline_stdout: str
    runs: dict[str, Any] = field(default_factory=dict)
    state_text: str = ""
    rendered: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)


def objects(folder: Path) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """Every object of every YAML file below ``folder`` by (apiVersion, kind, namespace, name)."""
    found: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for path in sorted(folder.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not doc:
                continue
            meta = doc.get("metadata") or {}
            key = (doc["apiVersion"], doc["kind"], meta.get("namespace") or "", meta["name"])
            assert key not in found, f"{key} rendered twice"
            found[key] = secret_as_string_data(doc)
    return found


def secret_as_string_data(doc: dict[str, Any]) -> dict[str, Any]:
    """A Secret's ``data`` (base64, how the provider writes it) as ``stringData`` (how it is declared)."""
    if doc.get("kind") != "Secret" or "data" not in doc:
        return doc
    decoded = {k: base64.b64decode(v).decode() for k, v in (doc["data"] or {}).items()}
    rest = {k: v for k, v in doc.items() if k != "data"}
    return {**rest, "stringData": {**decoded, **(doc.get("stringData") or {})}}


@functools.cache
def _golden() -> ModuleType:
    spec = importlib.util.spec_from_file_location("golden_differences", ROOT / "tests" / "test_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def masked(old: Any, new: Any) -> bool:
    """A value the offline engine masks as a secret matches any real string."""
    return old == SECRET_MASK and isinstance(new, str)


def differences(old: Any, new: Any) -> list[str]:
    """Field paths where the offline object ``old`` and the real ``new`` differ (test_golden's)."""
    return list(_golden().differences(old, new, "", masked))


def value_at(obj: Any, path: str) -> Any:
    """The value at a dotted field path (``None`` where it is absent)."""
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            index = int(part[1:-1])
            obj = obj[index] if isinstance(obj, list) and index < len(obj) else None
        else:
            obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def allowed_differences() -> dict[tuple[str, str], str]:
    """(kind, field path) -> reason, from allowed-differences.txt."""
    allowed: dict[tuple[str, str], str] = {}
    for number, line in enumerate((HERE / "allowed-differences.txt").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|", 2)]
        assert len(parts) == 3 and all(parts), f"allowed-differences.txt:{number}: kind | field path | reason"
        kind, path, _ = parts
        assert path not in (".", "spec", "metadata", "data", "stringData") and "*" not in path, (
            f"allowed-differences.txt:{number}: a difference names one field, never a whole object or spec"
        )
        allowed[(kind, path)] = parts[2]
    return allowed


def secret_config(workdir: Path) -> dict[str, str]:
    """The stack's secret config values, decrypted by the real CLI."""
    env = {**os.environ, **real_engine_environment(workdir)}
    proc = subprocess.run(
        [str(ROOT / ".realtools" / "bin" / "pulumi"), "config", "--show-secrets", "--json", "--stack", STACK],
        cwd=workdir / "project",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {key: entry["value"] for key, entry in json.loads(proc.stdout).items() if entry.get("secret")}


def real_engine_environment(workdir: Path) -> dict[str, str]:
    from real_engine_driver import tool_environment  # loaded by conftest

    return tool_environment(workdir)


@pytest.fixture(scope="module")
def local(driver, local_offline: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> LocalRuns:
    workdir = tmp_path_factory.mktemp("local-real")
    offline_out, offline_output = local_offline
    result = LocalRuns(workdir, offline_out, offline_output)
    result.runs["preview"] = driver("preview", ROOT, STACK, workdir)
    result.runs["up"] = driver("up", ROOT, STACK, workdir)
    result.rendered = objects(workdir / "rendered")
    result.runs["up-again"] = driver("up", ROOT, STACK, workdir, expect_no_changes=True)
    result.secrets = secret_config(workdir)
    result.state_text = "\n".join(p.read_text() for p in sorted((workdir / "state").rglob("*.json")))
    result.runs["destroy"] = driver("destroy", ROOT, STACK, workdir)
    return result


def test_preview_with_the_pack_passes(local: LocalRuns) -> None:
    run = local.runs["preview"]
    assert run.ok, run.error
    assert run.rule_ids("mandatory") == set()
    assert run.changes.get("create", 0) > 0


def test_up_then_up_again_changes_nothing_then_destroy(local: LocalRuns) -> None:
    up, again, destroy = local.runs["up"], local.runs["up-again"], local.runs["destroy"]
    assert up.ok, up.error
    assert again.ok, again.error
    assert set(again.changes) == {"same"}, again.changes
    assert again.changes["same"] == up.changes["create"]
    assert destroy.ok, destroy.error
    assert destroy.changes.get("delete") == up.changes["create"]


def test_rendered_manifests_match_platformctl_object_by_object(local: LocalRuns) -> None:
    offline = objects(local.offline_out / "manifests")
    real = local.rendered
    assert set(real) == set(offline), {
        "only rendered by the real provider": sorted(set(real) - set(offline)),
        "only rendered offline": sorted(set(offline) - set(real)),
    }
    allowed = allowed_differences()
    assert len(allowed) <= MAX_ALLOWED
    unexpected, used = [], set()
    for key in sorted(offline):
        for path in differences(offline[key], real[key]):
            if (key[1], path) in allowed:
                used.add((key[1], path))
            else:
                unexpected.append(
                    f"{key[1]} {key[2]}/{key[3]}: {path}: offline {value_at(offline[key], path)!r},"
                    f" real {value_at(real[key], path)!r}"
                )
    assert unexpected == [], "\n".join(unexpected)
    assert used == set(allowed), f"allowed differences that no longer happen: {sorted(set(allowed) - used)}"


def test_the_database_credentials_appear_in_no_state_output_or_report(local: LocalRuns) -> None:
    assert local.secrets, "the local stack's database passwords come from secret stack config"
    texts = {
        "state file": local.state_text,
        "platformctl output": local.offline_stdout,
        "report.json": (local.offline_out / "report.json").read_text(),
        "resources.json": (local.offline_out / "resources.json").read_text(),
        **{f"pulumi {op} output": run.stdout + run.error + run.stderr for op, run in local.runs.items()},
    }
    for key, value in local.secrets.items():
        leaks = [name for name, text in texts.items() if value in text]
        assert leaks == [], f"{key} in plaintext in {leaks}"
