"""A renamed flag keeps working under its old name, with one warning line on stderr (docs/cli.md,
"Changing flags"). No flag has been renamed yet, so these tests rename two for themselves."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from platform_components import cli
from platform_components._deprecated_flags import keep_old_name

_PARSER = cli._parser


def _renamed_parser() -> argparse.ArgumentParser:
    """platformctl's parser with two test-only old names: ``--output-dir`` for preview's ``--out``
    (a flag with a value) and ``--machine`` for its ``--json`` (a switch)."""
    parser = _PARSER()
    [commands] = [action for action in parser._actions if action.dest == "command"]
    assert isinstance(commands.choices, dict)
    preview: argparse.ArgumentParser = commands.choices["preview"]
    actions = {option: action for action in preview._actions for option in action.option_strings}
    keep_old_name(preview, actions["--out"], "--output-dir")
    keep_old_name(preview, actions["--json"], "--machine")
    return parser


@pytest.mark.parametrize(
    ("argv", "expected", "warnings"),
    [
        pytest.param(["--out", "x"], {"out": Path("x"), "json": False}, [], id="new-name"),
        pytest.param(
            ["--output-dir", "x"],
            {"out": Path("x"), "json": False},
            ["--output-dir is deprecated; use --out"],
            id="old-name-with-value",
        ),
        pytest.param(
            ["--output-dir=x", "--machine"],
            {"out": Path("x"), "json": True},
            ["--output-dir is deprecated; use --out", "--machine is deprecated; use --json"],
            id="old-names-equals-form-and-switch",
        ),
    ],
)
def test_the_old_name_works_and_warns(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: dict[str, object], warnings: list[str]
) -> None:
    args = _renamed_parser().parse_args(["preview", "--stack", "dev", *argv])
    assert {key: getattr(args, key) for key in expected} == expected
    assert not hasattr(args, "output_dir") and not hasattr(args, "machine")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"platformctl: warning: {warning}" for warning in warnings]


def test_the_old_name_is_hidden_from_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _renamed_parser().parse_args(["preview", "--help"])
    shown = capsys.readouterr().out
    assert "--out" in shown
    assert "--output-dir" not in shown and "--machine" not in shown


def test_a_whole_run_under_the_old_name(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_parser", _renamed_parser)
    code = cli.main(["preview", "--stack", "local", "--quiet", "--output-dir", str(tmp_path / "old")])
    assert code == cli.EXIT_CLEAN
    assert capsys.readouterr().err == "platformctl: warning: --output-dir is deprecated; use --out\n"
    assert (tmp_path / "old" / "report.json").is_file()


def test_an_old_name_is_a_long_option() -> None:
    parser = argparse.ArgumentParser()
    new = parser.add_argument("--new")
    with pytest.raises(ValueError, match="long option"):
        keep_old_name(parser, new, "-n")
