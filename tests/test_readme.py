"""The README stays true: its reference tables match the models; its commands match .ci/run."""

from pathlib import Path

import pytest
from platform_components._reference import SECTIONS, markers, reference

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_reference_tables_match_the_models(section: str) -> None:
    start, end = markers(section)
    block = README.split(start)[1].split(end)[0].strip()
    assert block == reference(section).strip(), "run: uv run python -m platform_components._reference --write"


def test_ci_runs_the_readme_test_command() -> None:
    quick_start = README.split("## Quick start")[1].split("```bash")[1].split("```")[0].strip().splitlines()
    assert len(quick_start) == 2, "the quick start is exactly two commands"
    setup, test_command = quick_start
    assert "platformctl preview --stack dev" in setup
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
    # CI installs the same locked environment the README's first command does.
    for step in ("python3 -m venv .tools", "uv==0.13.8", ".tools/bin/uv sync --frozen --compile-bytecode"):
        assert step in setup and step in ci, step


TEAM_SECTION = README.split("## Using the components in a team repository")[1].split("\n## ")[0]


def test_team_install_block_matches_the_example_project() -> None:
    """The README's install block is the example's pyproject, a Git tag in place of the path."""
    import tomllib

    block = tomllib.loads(TEAM_SECTION.split("```toml")[1].split("```")[0])
    example = tomllib.loads((ROOT / "examples" / "team-service" / "pyproject.toml").read_text())
    assert block["project"]["dependencies"] == example["project"]["dependencies"]
    assert block["dependency-groups"] == example["dependency-groups"]
    assert set(block["tool"]["uv"]["sources"]["platform-components"]) == {"git", "tag"}


def test_team_python_snippet_previews_clean() -> None:
    """The README's team program runs under the offline engine and passes every rule, no warning."""
    from platform_components.testing import preview_function

    code = TEAM_SECTION.split("```python")[1].split("```")[0]
    result = preview_function(lambda: exec(code, {}), config={"mesh": "istio-ambient"})
    assert result.clean, result.problems()
    assert not result.warnings, [w.message for w in result.warnings]
    assert sorted(result.externals) == ["gateway gateway/public", "workload edge/gateway"]


DATABASE_SECTION = README.split("## StatefulDatabase")[1].split("\n## ")[0]


def test_database_credentials_snippet_previews_clean_without_random_resources() -> None:
    """The README's caller-supplied credentials example runs offline: no RandomPassword, the config
    values in the Secrets (masked as secrets)."""
    from platform_components.testing import preview_function

    code = DATABASE_SECTION.split("**Passwords from the caller")[1].split("```python")[1].split("```")[0]
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
