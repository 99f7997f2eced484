"""platformctl for people: --version, colour only where wanted, the progress display on stderr."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest
from platform_components import _console
from platform_components._progress import TICK_SECONDS, ProgressDisplay, progress_mode
from platform_components.cli import main

ANSI = re.compile(r"\x1b\[")
PROGRESS = re.compile(r"^\[\s*\d+\.\d+s\] ")
CLEAR_LINE = "\r\x1b[2K"
PHASES = (
    "loading stack local",
    "running platform for stack local",
    "the program registered ",
    "validating ",
    " policy rules over ",
    "writing ",
)
"""The phases of a preview, in order, as the progress display names them."""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _platformctl() -> list[str]:
    script = Path(sys.executable).parent / "platformctl"
    return [str(script)] if script.exists() else [sys.executable, "-m", "platform_components.cli"]


def _in_order(text: str, needles: tuple[str, ...]) -> bool:
    position = 0
    for needle in needles:
        found = text.find(needle, position)
        if found < 0:
            return False
        position = found + len(needle)
    return True


# --------------------------------------------------------------------------------------------------
# --version


def test_version_prints_one_line_with_the_sdk_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == f"platformctl {version('platform-components')} (pulumi SDK {version('pulumi')})\n"


# --------------------------------------------------------------------------------------------------
# Colour


@pytest.mark.parametrize(
    ("tty", "mode", "env", "expected"),
    [
        pytest.param(True, "auto", {}, True, id="terminal"),
        pytest.param(False, "auto", {}, False, id="pipe"),
        pytest.param(True, "auto", {"NO_COLOR": "1"}, False, id="terminal-NO_COLOR"),
        pytest.param(True, "auto", {"NO_COLOR": ""}, True, id="terminal-empty-NO_COLOR-ignored"),
        pytest.param(True, "auto", {"TERM": "dumb"}, False, id="dumb-terminal"),
        pytest.param(False, "auto", {"FORCE_COLOR": "1"}, True, id="pipe-FORCE_COLOR"),
        pytest.param(False, "auto", {"FORCE_COLOR": ""}, False, id="pipe-empty-FORCE_COLOR-ignored"),
        pytest.param(False, "auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, id="NO_COLOR-wins"),
        pytest.param(False, "always", {"NO_COLOR": "1"}, True, id="always-wins-over-NO_COLOR"),
        pytest.param(True, "never", {"FORCE_COLOR": "1"}, False, id="never-wins-over-FORCE_COLOR"),
    ],
)
def test_colour_enabled(tty: bool, mode: str, env: dict[str, str], expected: bool) -> None:
    stream = _Terminal() if tty else io.StringIO()
    assert _console.colour_enabled(stream, mode, env) is expected


@pytest.fixture
def plain_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    return monkeypatch


def test_piped_output_has_no_escape_codes(
    project: Path, plain_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["preview", "--stack", "local"], ["rules"], ["preview", "--stack", "nope"]):
        _code, out, err = run(capsys, *argv)
        assert not ANSI.search(out + err), argv


def test_color_always_colours_piped_output_and_errors(
    project: Path, plain_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "preview", "--stack", "local", "--color=always")
    assert code == 0
    assert "\x1b[32mclean\x1b[0m" in out.splitlines()[-1]
    _code, out, _err = run(capsys, "rules", "--color", "always")
    assert ANSI.search(out)
    code, _out, err = run(capsys, "preview", "--stack", "nope", "--color=always")
    assert code == 2
    assert err.splitlines()[-1].startswith("platformctl: \x1b[31merror:\x1b[0m stack 'nope' does not exist")


def test_force_color_colours_a_pipe_unless_no_color(
    project: Path, plain_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plain_env.setenv("FORCE_COLOR", "1")
    assert ANSI.search(run(capsys, "rules")[1])
    plain_env.setenv("NO_COLOR", "1")
    assert not ANSI.search(run(capsys, "rules")[1])
    assert ANSI.search(run(capsys, "rules", "--color=always")[1])


def test_color_never_on_a_terminal(
    project: Path, plain_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = _Terminal()
    plain_env.setattr(sys, "stdout", terminal)
    assert main(["preview", "--stack", "local", "--color=never", "--quiet"]) == 0
    assert "clean" in terminal.getvalue()
    assert not ANSI.search(terminal.getvalue())


def test_every_command_takes_color(capsys: pytest.CaptureFixture[str]) -> None:
    from platform_components.cli import _parser

    parser = _parser()
    [commands] = [action for action in parser._actions if action.dest == "command"]
    for name in commands.choices:
        with pytest.raises(SystemExit):
            parser.parse_args([name, "--color=never", "--help"])
        assert "--color {auto,always,never}" in capsys.readouterr().out, name


# --------------------------------------------------------------------------------------------------
# Progress


def test_progress_mode() -> None:
    assert progress_mode(_Terminal(), quiet=False, machine_output=True) == "live"
    assert progress_mode(_Terminal(), quiet=True, machine_output=False) == "off"
    assert progress_mode(io.StringIO(), quiet=False, machine_output=False) == "lines"
    assert progress_mode(io.StringIO(), quiet=False, machine_output=True) == "off"


def test_progress_lines_off_a_terminal(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "--stack", "local")
    assert code == 0
    lines = err.splitlines()
    assert lines and all(PROGRESS.match(line) for line in lines), err
    assert _in_order(err, PHASES), err
    assert not any(PROGRESS.match(line) for line in out.splitlines())


def test_quiet_is_silent(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stderr", _Terminal())
    code, out, _err = run(capsys, "preview", "--stack", "local", "--quiet")
    assert code == 0
    assert sys.stderr.getvalue() == ""  # type: ignore[attr-defined]
    assert "clean" in out.splitlines()[-1]


def test_live_progress_on_a_terminal_keeps_json_on_stdout(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code, out, _err = run(capsys, "preview", "--stack", "local", "--json")
    assert code == 0
    assert json.loads(out)["summary"]["clean"] is True
    shown = terminal.getvalue()
    assert "\n" not in shown, "a terminal gets one line rewritten in place"
    assert _in_order(shown, PHASES), shown
    assert shown.endswith(CLEAR_LINE), "the line is cleared when the command ends"


def test_live_line_ticks_while_a_phase_runs_and_is_cleared_on_error() -> None:
    terminal = _Terminal()
    with pytest.raises(RuntimeError), ProgressDisplay(terminal, "live") as say:
        say("a long phase")
        time.sleep(TICK_SECONDS * 4)
        raise RuntimeError("stop")
    shown = terminal.getvalue()
    assert shown.count("a long phase") >= 3, shown
    assert shown.endswith(CLEAR_LINE)


def test_ctrl_c_clears_the_live_line_and_exits_130(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from platform_components.preview import engine

    def interrupted(*_args: object, progress: Callable[[str], None], **_kwargs: object) -> None:
        progress("running the program")
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "preview", interrupted)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["preview", "--stack", "local"]) == 130
    assert "running the program" in terminal.getvalue()
    assert terminal.getvalue().endswith(CLEAR_LINE)
    assert capsys.readouterr().out == ""
    assert not (project / "out").exists()


def test_lines_and_off_modes() -> None:
    stream = io.StringIO()
    with ProgressDisplay(stream, "lines") as say:
        say("one")
        say("two")
    assert [PROGRESS.sub("", line) for line in stream.getvalue().splitlines()] == ["one", "two"]
    silent = io.StringIO()
    with ProgressDisplay(silent, "off") as say:
        say("one")
    assert silent.getvalue() == ""


def _read_all(fd: int, proc: subprocess.Popen[bytes]) -> bytes:
    """Everything written to the pseudo-terminal until the process ends (read as it comes, so that
    the terminal's buffer never fills)."""
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the process closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif proc.poll() is not None:
            break
    return b"".join(chunks)


def test_progress_through_a_real_terminal_never_reaches_stdout(project: Path, tmp_path: Path) -> None:
    """stderr is a pseudo-terminal, stdout a pipe: the live line goes to the terminal, stdout is the
    report and nothing else."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | {"TERM": "xterm"}
    with subprocess.Popen(
        [*_platformctl(), "preview", "--stack", "local", "--json", "--out", str(tmp_path / "out")],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
    ) as proc:
        os.close(follower)
        assert proc.stdout is not None
        stdout = proc.stdout
        collected: list[bytes] = []
        reader = threading.Thread(target=lambda: collected.append(stdout.read()))
        reader.start()  # a report larger than the pipe's buffer must not stall the process
        shown = _read_all(leader, proc).decode("utf-8")
        code = proc.wait(timeout=300)
        reader.join(timeout=60)
        out = b"".join(collected)
    os.close(leader)
    assert code == 0, shown
    report = json.loads(out)
    assert report["summary"]["clean"] is True
    assert not ANSI.search(out.decode("utf-8"))
    assert CLEAR_LINE in shown and _in_order(shown, PHASES), shown
    assert shown.endswith(CLEAR_LINE)
