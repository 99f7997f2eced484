"""The example team repository installed as a team installs it, outside this repository.

``examples/team-service`` is copied into a temporary folder, its dependency on the library pointed at
this checkout (a team points it at a Git tag), installed with ``uv sync`` into ``.venv`` *inside* the
program folder (the usual layout), and then the team's own tests and ``platformctl preview`` run
there: both must pass with no warning at all (the example's pytest turns warnings into errors).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from _project import run_bash, uv_executable
from _readme import GUIDE, RECIPES, blocks, command_lines, section, section_commands
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "team-service"
EXCLUDE_NEWER = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["exclude-newer"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return {**env, "UV_EXCLUDE_NEWER": EXCLUDE_NEWER, "UV_PYTHON": sys.executable}


def install_team_repo(dest: Path) -> Path:
    """Copy the example to ``dest`` as a team's repository and ``uv sync`` it; return the project."""
    project = dest / "team-service"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".venv", "__pycache__", "uv.lock", "out"))
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    text, count = re.subn(
        r'^platform-components = \{ path = "\.\./\.\.", editable = true \}$',
        f'platform-components = {{ path = "{ROOT}" }}',
        text,
        flags=re.MULTILINE,
    )
    assert count == 1, "examples/team-service/pyproject.toml no longer names the library's path source"
    pyproject.write_text(text)
    subprocess.run([uv_executable(), "sync", "--quiet"], cwd=project, env=_env(), check=True, timeout=900)
    return project


@pytest.fixture(scope="module")
def team_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_team_repo(tmp_path_factory.mktemp("team"))


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [uv_executable(), "run", "--no-sync", *args],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_venv_is_inside_the_program_folder(team_repo: Path) -> None:
    assert (team_repo / ".venv" / "pyvenv.cfg").is_file()
    proc = _run(team_repo, "python", "-c", "import platform_components; print(platform_components.__file__)")
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).is_relative_to(team_repo / ".venv")


def test_team_tests_pass_without_warnings(team_repo: Path) -> None:
    proc = _run(team_repo, "pytest", "-p", "no:cacheprovider", "-q", "-W", "error")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning" not in proc.stdout.lower(), proc.stdout


def test_team_preview_is_clean(team_repo: Path) -> None:
    proc = _run(team_repo, "platformctl", "preview", "--stack", "dev")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 violations, 0 warnings, 0 schema errors" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr


FRESH_PROGRAM = '''\
"""The orders team: an API behind the platform's shared Gateway, and its PostgreSQL database."""

import pulumi
from platform_components import (
    EgressRule,
    ExternalKind,
    ExternalRef,
    MeshMode,
    NamespaceRef,
    NetworkArgs,
    ParentRef,
    PortRef,
    ProbeArgs,
    RouteArgs,
    SecureWorkload,
    SecureWorkloadArgs,
    StatefulDatabase,
    StatefulDatabaseArgs,
)

config = pulumi.Config()
namespace = NamespaceRef(name="orders", mesh=MeshMode(config.require("mesh")))

api = SecureWorkload(
    "api",
    SecureWorkloadArgs(
        namespace="orders",
        image="ghcr.io/acme/orders-api:1.4.2",
        readiness=ProbeArgs(path="/readyz"),
        liveness=ProbeArgs(path="/livez"),
        route=RouteArgs(parent=ParentRef(name="public", namespace="gateway"), hostnames=["orders.acme.dev"]),
        network=NetworkArgs(egress=[EgressRule(workload="orders-db", ports=[PortRef(port=5432)])]),
    ),
    mesh=namespace,
    externals=[ExternalRef(kind=ExternalKind.GATEWAY, namespace="gateway", name="public")],
)
database = StatefulDatabase(
    "orders-db",
    StatefulDatabaseArgs(namespace="orders", clients=[{"workload": "api"}], backup={"enabled": False}),
    mesh=namespace,
)
pulumi.export("api", api.service_host)
'''

FRESH_TEST = """\
from pathlib import Path

from platform_components.testing import preview_project

PROJECT = Path(__file__).resolve().parents[1]


def test_dev_is_clean() -> None:
    result = preview_project(PROJECT, stack="dev")
    assert result.clean, result.problems()
    assert not result.warnings, result.problems()
    assert result.externals == ["gateway gateway/public"]


def test_the_database_admits_only_the_api() -> None:
    result = preview_project(PROJECT, stack="dev")
    policy = result.manifest("NetworkPolicy", "orders-db", "orders")
    peers = [peer for rule in policy["spec"]["ingress"] for peer in rule["from"]]
    api = {"app.kubernetes.io/instance": "api", "app.kubernetes.io/name": "api"}
    assert [peer["podSelector"]["matchLabels"] for peer in peers if "podSelector" in peer] == [api]
"""


def test_a_fresh_team_repository_installs_tests_and_previews(tmp_path: Path) -> None:
    """A new team repository outside this one: install as the README says, write a SecureWorkload,
    a StatefulDatabase and a route to the platform's Gateway (declared external), run its tests and
    the preview with the venv inside the program folder: both pass, with no warning."""
    project = tmp_path / "orders"
    (project / "tests").mkdir(parents=True)
    example = (EXAMPLE / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(
        example.replace('name = "team-service"', 'name = "orders"').replace(
            'platform-components = { path = "../..", editable = true }',
            f'platform-components = {{ path = "{ROOT}" }}',
        )
    )
    (project / "Pulumi.yaml").write_text(
        "name: orders\nruntime:\n  name: python\n  options:\n    toolchain: uv\n"
    )
    (project / "Pulumi.dev.yaml").write_text("config:\n  orders:mesh: istio-ambient\n")
    (project / "__main__.py").write_text(FRESH_PROGRAM)
    (project / "tests" / "test_orders.py").write_text(FRESH_TEST)
    subprocess.run([uv_executable(), "sync", "--quiet"], cwd=project, env=_env(), check=True, timeout=900)
    assert (project / ".venv" / "pyvenv.cfg").is_file()

    tests = _run(project, "pytest", "-p", "no:cacheprovider", "-q", "-W", "error")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "warning" not in tests.stdout.lower(), tests.stdout
    preview = _run(project, "platformctl", "preview", "--stack", "dev")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "0 violations, 0 warnings, 0 schema errors" in preview.stdout
    assert "gateway/public" in preview.stdout  # the declared external is listed
    assert "Traceback" not in preview.stderr and "Warning" not in preview.stderr, preview.stderr


def test_the_readme_ci_recipe_runs_in_the_team_repository(team_repo: Path) -> None:
    lines = section_commands("## CrossGuard in CI")
    guide = (GUIDE / "team-repository.md").read_text(encoding="utf-8")
    assert command_lines(blocks(guide.split("**CI recipe for teams.**", 1)[1], "bash")[0]) == lines
    assert len(lines) == 4 and lines[3].startswith("pulumi preview --stack dev --policy-pack")
    for line in lines[:3]:  # the pulumi line needs the language host: see tests/real_engine
        words = line.split()
        assert words[0] == "uv", line
        proc = subprocess.run(
            [uv_executable(), *words[1:]],
            cwd=team_repo,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert proc.returncode == 0, f"{line}\n{proc.stdout}\n{proc.stderr}"


GIT_SOURCE = re.compile(r'^platform-components = \{ git = "[^"]+", tag = "[^"]+" \}$', re.MULTILINE)


def write_readme_team_snippet(project: Path) -> list[str]:
    """Write the README's team files, verbatim, into ``project`` (each block's first line names its
    file); the Git tag source becomes a path source pointing at this checkout. Return the files."""
    team = section("## Team repositories: import the components")
    written = []
    for language in ("toml", "yaml", "python"):
        for block in blocks(team, language):
            name = block.splitlines()[0].removeprefix("# ")
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name == "pyproject.toml":
                block, count = GIT_SOURCE.subn(f'platform-components = {{ path = "{ROOT}" }}', block)
                assert count == 1, "the README's install block no longer names the library's Git source"
            path.write_text(block, encoding="utf-8")
            written.append(name)
    return sorted(written)


def test_the_readme_team_snippet_installs_tests_and_previews(tmp_path: Path) -> None:
    """The README's five files in a fresh folder outside this repository: ``uv sync`` as written (with
    the path source), then the snippet's own test and the preview, both clean, with no warning."""
    project = tmp_path / "payments"
    files = write_readme_team_snippet(project)
    assert files == [
        "Pulumi.dev.yaml",
        "Pulumi.yaml",
        "__main__.py",
        "pyproject.toml",
        "tests/test_program.py",
    ]
    assert not project.is_relative_to(ROOT)
    subprocess.run([uv_executable(), "sync", "--quiet"], cwd=project, env=_env(), check=True, timeout=900)
    tests = _run(project, "pytest", "-p", "no:cacheprovider", "-q")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout and "warning" not in tests.stdout.lower(), tests.stdout
    preview = _run(project, "platformctl", "preview", "--stack", "dev")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "0 violations, 0 warnings, 0 schema errors" in preview.stdout
    assert "Traceback" not in preview.stderr and "Warning" not in preview.stderr, preview.stderr
    # The schema the stack file's first comment points editors at, written as the README says; the
    # stack file validates against it.
    schema = _run(project, "platformctl", "schema", "--out", "schemas/stack-file.schema.json")
    assert schema.returncode == 0, schema.stderr
    stack_file = (project / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=schemas/stack-file.schema.json" in stack_file.splitlines()
    validator = Draft202012Validator(json.loads((project / "schemas" / "stack-file.schema.json").read_text()))
    assert list(validator.iter_errors(yaml.safe_load(stack_file))) == []


def _recipe(page: str) -> dict[str, Any]:
    text = (RECIPES / page).read_text(encoding="utf-8")
    (workflow,) = blocks(text, "yaml")
    loaded: dict[str, Any] = yaml.safe_load(workflow)
    return loaded


def _not_executed(page: str) -> str:
    return section("## Not executed in our CI", RECIPES / page)


def _run_steps(project: Path, lines: list[str], variables: dict[str, str]) -> None:
    """Run each line with bash in ``project``, with the job's variables and this uv on the PATH."""
    env = _env()
    env = {**env, **variables, "PATH": f"{Path(uv_executable()).parent}{os.pathsep}{env.get('PATH', '')}"}
    for line in lines:
        run_bash(line, project, env, timeout=900)


def test_the_github_actions_recipe_runs_every_run_step(team_repo: Path) -> None:
    jobs = _recipe("github-actions.md")["jobs"]
    steps = [step for job in jobs.values() for step in job["steps"]]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs[:3] == ["uv sync --frozen", "uv run pytest", "uv run platformctl preview --stack dev"]
    listed = _not_executed("github-actions.md")
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "uses" in step:
            assert f"`{step['uses']}`" in listed, f"list {step['uses']} under 'Not executed in our CI'"
    _run_steps(team_repo, runs, {})
    assert (team_repo / "out" / "dev" / "report.json").is_file()  # what the artifact step keeps


def test_the_gitlab_ci_recipe_runs_every_script_line(team_repo: Path) -> None:
    pipeline = _recipe("gitlab-ci.md")
    variables = {key: str(value) for key, value in pipeline["variables"].items()}
    jobs = {name: job for name, job in pipeline.items() if isinstance(job, dict) and "script" in job}
    assert list(jobs) == ["platform-preview"]
    listed = _not_executed("gitlab-ci.md")
    for job in jobs.values():
        assert f"`{job['image']}`" in listed, f"list {job['image']} under 'Not executed in our CI'"
        assert "before_script" not in job and "after_script" not in job
    lines = [line for job in jobs.values() for line in job["script"]]
    assert lines[:3] == ["uv sync --frozen", "uv run pytest", "uv run platformctl preview --stack dev"]
    assert variables["UV_CACHE_DIR"] == ".uv-cache"  # inside the project: the prune never touches ours
    _run_steps(team_repo, lines, variables)
    assert (team_repo / "out" / "dev" / "report.json").is_file()  # what the artifacts keep
