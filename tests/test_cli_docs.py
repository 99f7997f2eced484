"""docs/cli.md stays true: every command it shows runs (offline, on the local stack) with the exit
code it states, every flag of every command is documented in that command's section, the exit-code
table is the EXIT_* constants of cli.py, and its JSON example is valid against the schema."""

from __future__ import annotations

import argparse
import json
import re
import shlex
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from platform_components import cli

ROOT = Path(__file__).resolve().parents[1]
PAGE_PATH = ROOT / "docs" / "cli.md"
PAGE = PAGE_PATH.read_text(encoding="utf-8")
EXPECTED_EXIT = re.compile(r"\s+#\s*exit (\d+)$")
ENVIRONMENT = re.compile(r"^[A-Z_]+=\S*$")
GLOBAL_FLAGS = {"--help", "-h", "--version", "--color"}
"""Flags of the top-level parser, or of every command: documented once, before the commands."""


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", PAGE, flags=re.MULTILINE | re.DOTALL)


def _commands() -> list[str]:
    return [line for block in _blocks("bash") for line in block.splitlines() if line.strip()]


def _section(command: str) -> str:
    return PAGE.split(f"\n## {command}\n", 1)[1].split("\n## ", 1)[0]


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    [commands] = [action for action in parser._actions if action.dest == "command"]
    assert isinstance(commands.choices, dict)
    return dict(commands.choices)


def test_the_page_shows_commands() -> None:
    commands = _commands()
    assert len(commands) >= 10
    for command in commands:
        words = [w for w in shlex.split(command, comments=True) if not ENVIRONMENT.match(w)]
        assert words[0] == "platformctl", command
        assert "|" not in words and ">" not in words, f"a plain command, no shell: {command}"
    shown = {word for command in commands for word in shlex.split(command, comments=True)}
    assert set(_subparsers()) <= shown, "an example for every command"


@pytest.mark.parametrize("command", _commands())
def test_each_command_runs_with_the_exit_code_shown(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    match = EXPECTED_EXIT.search(command)
    expected = int(match.group(1)) if match else cli.EXIT_CLEAN
    words = shlex.split(command, comments=True)
    while ENVIRONMENT.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        monkeypatch.setenv(name, value)
    assert words.pop(0) == "platformctl"
    try:
        code = cli.main(words)
    except SystemExit as exit_:  # --help, --version: argparse ends the process itself
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    assert code == expected, captured.out + captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("command", sorted(_subparsers()))
def test_every_flag_is_documented_in_its_section(command: str) -> None:
    section = _section(command)
    for action in _subparsers()[command]._actions:
        names = set(action.option_strings) - GLOBAL_FLAGS
        if not action.option_strings:
            names = {str(action.metavar or action.dest)}
        for name in names:
            assert f"`{name}" in section, f"docs/cli.md, ## {command}: document {name}"


def test_the_global_flags_are_documented() -> None:
    intro = PAGE.split("\n## ", 1)[0]
    for flag in ("--version", "--help", "--color"):
        assert flag in intro, flag


def test_the_exit_code_table_is_the_constants() -> None:
    table = PAGE.split("<!-- exit-codes:start -->\n", 1)[1].split("<!-- exit-codes:end -->", 1)[0]
    rows = re.findall(r"^\| (\d+) \| `(EXIT_[A-Z_]+)` \| (.+) \|$", table, flags=re.MULTILINE)
    documented = {name: int(code) for code, name, _meaning in rows}
    constants = {name: value for name, value in vars(cli).items() if name.startswith("EXIT_")}
    assert documented == constants
    assert [int(code) for code, _name, _meaning in rows] == sorted(constants.values())


def test_the_json_example_is_a_valid_report() -> None:
    [example] = _blocks("json")
    schema = json.loads((ROOT / "docs" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(json.loads(example))]
    assert errors == []


def test_the_linked_schemas_exist() -> None:
    links = re.findall(r"\]\((schemas/[^)]+)\)", PAGE)
    assert sorted(set(links)) == ["schemas/report.schema.json", "schemas/resources.schema.json"]
    for link in links:
        assert (PAGE_PATH.parent / link).is_file(), link
