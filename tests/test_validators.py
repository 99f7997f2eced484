"""The shared field validators (``platform_components._validators``) and the stack's uniqueness checks."""

from __future__ import annotations

import ast
import copy
import importlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import platform_components
import pytest
import yaml
from platform_components import _validators
from platform_components._validators import (
    check_cron,
    check_duration,
    check_unique_names,
    validate_database_name,
    validate_workload_name,
)
from platform_components.config import CONFIG_KEY, StackFile, validate_config
from platform_components.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(platform_components.__file__).parent

# --------------------------------------------------------------------------------------------------
# The validators


@pytest.mark.parametrize("value", ["30s", "5m", "720h", "1h30m", "1.5h", "100ms", "10us", "10µs", "0s"])
def test_durations(value: str) -> None:
    assert check_duration(value) == value


@pytest.mark.parametrize("value", ["", "5", "5 m", "5min", "1d", "-5m", "Never", "h"])
def test_bad_durations(value: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration such as '30s', '5m' or '720h'$"):
        check_duration(value)


def test_never_is_a_duration_only_when_allowed() -> None:
    assert check_duration("Never", allow_never=True) == "Never"
    assert check_duration("5m", allow_never=True) == "5m"
    with pytest.raises(ValueError, match=r"or 'Never'$"):
        check_duration("never", allow_never=True)


@pytest.mark.parametrize("value", ["0 9 * * mon-fri", "*/15 * * * *", "17 3 * * *", "0 0 1,15 * ?", "@daily"])
def test_cron_schedules(value: str) -> None:
    assert check_cron(value) == value


@pytest.mark.parametrize("value", ["", "@often", "0 9 * *", "0 9 * * * *", "0 9 * * mon fri", "0 9 * * $"])
def test_bad_cron_schedules(value: str) -> None:
    with pytest.raises(ValueError, match="is not a cron schedule with 5 fields"):
        check_cron(value)


@pytest.mark.parametrize("value", ["web", "api-v2", "a" * 63])
def test_workload_names(value: str) -> None:
    assert validate_workload_name(value) == value


@pytest.mark.parametrize("value", ["Web", "2web", "web_1", "web-", "a" * 64, ""])
def test_bad_workload_names(value: str) -> None:
    with pytest.raises(ValueError):
        validate_workload_name(value)


def test_database_names() -> None:
    assert validate_database_name("orders") == "orders"
    assert validate_database_name("a" * 40) == "a" * 40
    with pytest.raises(ValueError, match="is 41 characters; database names are at most 40"):
        validate_database_name("a" * 41)
    with pytest.raises(ValueError):
        validate_database_name("1orders")  # a DNS-1035 label starts with a letter


def test_unique_names() -> None:
    named = [SimpleNamespace(name=n) for n in ("a", "b", "c", "b", "a")]
    check_unique_names(named[:3], field="workloads", kind="workload")
    check_unique_names([], field="workloads", kind="workload")
    with pytest.raises(ValueError) as info:
        check_unique_names(named, field="node_pools", kind="node pool")
    assert str(info.value) == (
        "duplicate name 'b' (node_pools[1] and node_pools[3]); node pool names must be unique in the "
        "stack, rename one"
    )


# --------------------------------------------------------------------------------------------------
# One home: no component borrows a validator from another


def test_the_shared_validators_are_imported_from_their_module_only() -> None:
    shared = set(_validators.__all__)
    borrowed = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] != "_validators":
                borrowed.extend(
                    f"{path.relative_to(PACKAGE)}: {alias.name} from {node.module}"
                    for alias in node.names
                    if alias.name in shared
                )
            if isinstance(node, ast.FunctionDef) and node.name in shared and path.name != "_validators.py":
                borrowed.append(f"{path.relative_to(PACKAGE)}: defines {node.name}")
    assert borrowed == [], "import them from platform_components._validators"


@pytest.mark.parametrize(
    ("module_name", "name"),
    [
        ("platform_components.karpenter", "check_cron"),
        ("platform_components.karpenter", "check_duration"),
        ("platform_components.workload", "validate_workload_name"),
        ("platform_components.database.names", "validate_database_name"),
    ],
)
def test_the_old_public_names_still_import(module_name: str, name: str) -> None:
    module = importlib.import_module(module_name)
    assert name in module.__all__
    assert getattr(module, name) is getattr(_validators, name)


# --------------------------------------------------------------------------------------------------
# The stack's uniqueness checks: one message form, located in the stack file

DEV = ROOT / "stacks" / "Pulumi.dev.yaml"
PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))["name"]
KEY = f"{PROJECT}:{CONFIG_KEY}"


def _stack_error(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    stack = StackFile(path, display="stacks/Pulumi.dev.yaml")
    with pytest.raises(ConfigError) as info:
        validate_config(
            stack.config[KEY],
            source=stack.display,
            locate=lambda loc: stack.line_of(["config", KEY, *loc]),
        )
    return str(info.value)


@pytest.mark.parametrize(
    ("field", "kind"),
    [("workloads", "workload"), ("databases", "database"), ("node_pools", "node pool"), ("teams", "team")],
)
def test_a_repeated_name_is_one_line_naming_the_field_both_entries_and_the_fix(
    tmp_path: Path, field: str, kind: str
) -> None:
    data = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    entries = data["config"][KEY][field]
    assert len(entries) >= 1, f"the dev stack declares no {field}"
    name = entries[0]["name"]
    entries.append(copy.deepcopy(entries[0]))
    message = _stack_error(tmp_path, data)
    assert "\n" not in message
    assert message.startswith("stacks/Pulumi.dev.yaml:"), message
    assert (
        f": platform.{field}: duplicate name {name!r} ({field}[0] and {field}[{len(entries) - 1}]); "
        f"{kind} names must be unique in the stack, rename one"
    ) in message, message
