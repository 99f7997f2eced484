"""The README stays short and true: its commands match .ci/run, its snippets run, its links resolve.

What moved out of it (the guide and recipe pages under ``docs/``) is held to the same standard here
and in the tests of what each page describes.
"""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest
from _readme import GUIDE, README, ROOT, blocks, command_lines, section

TEXT = README.read_text(encoding="utf-8")
MAX_LINES = 250


def test_the_readme_is_short() -> None:
    lines = len(TEXT.splitlines())
    assert lines <= MAX_LINES, f"README.md has {lines} lines; move detail into a page under docs/"


def test_ci_runs_the_readme_test_command() -> None:
    quick_start = TEXT.split("## Quick start")[1].split("```bash")[1].split("```")[0].strip().splitlines()
    assert len(quick_start) == 2, "the quick start is exactly two commands"
    setup, test_command = quick_start
    assert "platformctl preview --stack dev" in setup
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
    # CI installs the same locked environment the README's first command does.
    for step in (
        "python3 -m venv .tools",
        "uv==0.13.8",
        ".tools/bin/uv sync --frozen --compile-bytecode",
        ".tools/bin/uv run python -m compileall -q components",
    ):
        assert step in setup and step in ci, step
    # The page that explains the two commands shows the same two.
    running = section("## The setup and the test command", GUIDE / "running.md")
    assert command_lines(blocks(running, "bash")[0]) == quick_start


def test_the_platform_preview_line_runs() -> None:
    """The platform-stack block's offline line, as written; the pulumi lines need the language host."""
    lines = command_lines(blocks(section("## Platform stacks: `pulumi up` per environment"), "bash")[0])
    assert [line.split()[2] for line in lines] == ["platformctl", "pulumi", "pulumi", "pulumi"]
    assert lines[0] == ".tools/bin/uv run platformctl preview --stack prod"
    done = subprocess.run(
        ["bash", "-c", f"{lines[0]} --out out/readme-prod"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "0 violations" in done.stdout and "Traceback" not in done.stderr


README_TEAM = section("## Team repositories: import the components")
GUIDE_TEAM = (GUIDE / "team-repository.md").read_text(encoding="utf-8")
TEAM_TEXTS = pytest.mark.parametrize("text", [README_TEAM, GUIDE_TEAM], ids=["readme", "guide"])


@TEAM_TEXTS
def test_team_install_block_matches_the_example_project(text: str) -> None:
    """The install block is the example's pyproject, a Git tag in place of the path."""
    block = tomllib.loads(blocks(text, "toml")[0])
    example = tomllib.loads((ROOT / "examples" / "team-service" / "pyproject.toml").read_text())
    assert block["project"]["dependencies"] == example["project"]["dependencies"]
    assert block["dependency-groups"] == example["dependency-groups"]
    assert set(block["tool"]["uv"]["sources"]["platform-components"]) == {"git", "tag"}


@TEAM_TEXTS
def test_team_python_snippet_previews_clean(text: str) -> None:
    """The team program runs under the offline engine and passes every rule, no warning."""
    from platform_components.testing import preview_function

    code = blocks(text, "python")[0]
    result = preview_function(lambda: exec(code, {}), config={"mesh": "istio-ambient"})
    assert result.clean, result.problems()
    assert not result.warnings, [w.message for w in result.warnings]
    assert sorted(result.externals) == ["gateway gateway/public", "workload edge/gateway"]


def test_the_readme_and_the_guide_show_the_same_team_program() -> None:
    program = blocks(README_TEAM, "python")[0]
    assert program.startswith("# __main__.py\n")
    assert program.removeprefix("# __main__.py\n") == blocks(GUIDE_TEAM, "python")[0]


DATABASE_PAGE = (GUIDE / "statefuldatabase.md").read_text(encoding="utf-8")


def test_database_credentials_snippet_previews_clean_without_random_resources() -> None:
    """The page's caller-supplied credentials example runs offline: no RandomPassword, the config
    values in the Secrets (masked as secrets)."""
    from platform_components.testing import preview_function

    code = DATABASE_PAGE.split("**Passwords from the caller")[1].split("```python")[1].split("```")[0]
    assert "require_secret" in code
    keys = ("orders-app-password", "orders-replication-password", "orders-backup-password")
    result = preview_function(
        lambda: exec(code, {}),
        config={key: f"Readme{index}Password0123456789" for index, key in enumerate(keys)},
    )
    assert result.clean, result.problems()
    assert [r.name for r in result.resources if r.type.startswith("random:")] == []
    secret = result.manifest("Secret", "orders-app", "shop")
    assert secret["stringData"]["password"] == "[secret]"


def test_the_readme_links_into_the_docs() -> None:
    """Where each moved part is now (tests/test_docs_links.py checks that every link resolves)."""
    links = set(re.findall(r"\]\((docs/[^)#]*)", TEXT))
    pages = {"running", "environments", "layout", "stack-configuration", "team-repository", "policy-pack"}
    pages |= {"admission", "benchmark", "secureworkload", "statefuldatabase", "tenancy", "gitops", "cluster"}
    assert {f"docs/guide/{page}.md" for page in pages} <= links
    assert {"docs/troubleshooting.md", "docs/architecture.md"} <= links


def test_the_team_snippet_names_its_files() -> None:
    """Each block of the team section starts with the file it is (the fresh-repository test writes it)."""
    named = [
        block.splitlines()[0]
        for language in ("toml", "yaml", "python")
        for block in blocks(README_TEAM, language)
    ]
    assert sorted(named) == sorted(
        ["# pyproject.toml", "# Pulumi.yaml", "# Pulumi.dev.yaml", "# __main__.py", "# tests/test_program.py"]
    )
