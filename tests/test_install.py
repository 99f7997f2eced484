"""The library installed as a team installs it, core only: no AWS SDK, no offline engine.

A core install must run a workload-only program (here under Pulumi's own public mocks, as a team's
unit test would) and the shipped CrossGuard pack's policies, never load pulumi-aws, and answer a
command that needs an extra with one line naming it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXCLUDE_NEWER = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["exclude-newer"]


def _uv() -> str:
    uv = os.environ.get("UV") or str(Path(sys.executable).parent / "uv")
    assert Path(uv).exists(), "the install tests run through uv; run them with `uv run pytest`"
    return uv


@pytest.fixture(scope="module")
def core_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the repository with ``pip install platform-components``."""
    venv = tmp_path_factory.mktemp("core") / "venv"
    subprocess.run([_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [_uv(), "pip", "install", "--quiet", "--exclude-newer", EXCLUDE_NEWER, str(ROOT)],
        check=True,
        env={**os.environ, "VIRTUAL_ENV": str(venv)},
        timeout=900,
    )
    return venv / "bin" / "python"


def _run(python: Path, code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
    )


def test_core_install_has_no_extras(core_python: Path) -> None:
    proc = _run(
        core_python,
        """
        import importlib.util
        missing = [m for m in ("pulumi_aws", "moto", "boto3", "kubernetes_validate", "celpy")
                   if importlib.util.find_spec(m) is None]
        print(",".join(missing))
        """,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "pulumi_aws,moto,boto3,kubernetes_validate,celpy"


PROGRAM = """
    import copy, sys
    import pulumi
    import platform_components
    from platform_components import ProbeArgs, SecureWorkload, SecureWorkloadArgs
    from platform_components.policies.crossguard import build_policies
    from pulumi_policy import (
        EnforcementLevel, PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs,
        ResourceValidationPolicy,
    )

    assert "pulumi_aws" not in sys.modules, "importing the library loaded pulumi-aws"
    registered = []

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            registered.append((args.typ, args.name, args.inputs))
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args):
            return {}

    pulumi.runtime.set_mocks(Mocks(), preview=True)

    @pulumi.runtime.test
    def program():
        api = SecureWorkload("api", SecureWorkloadArgs(
            namespace="shop",
            image="ghcr.io/acme/api:1.2.3",
            readiness=ProbeArgs(path="/readyz"),
            liveness=ProbeArgs(path="/livez"),
        ))
        return api.service_host

    program()
    assert "pulumi_aws" not in sys.modules, "the program loaded pulumi-aws"
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    policies = [p for p in build_policies() if isinstance(p, ResourceValidationPolicy)]

    def mandatory(resources):
        found = set()
        for typ, name, inputs in resources:
            args = ResourceValidationArgs(typ, inputs, f"urn:{name}", name, options, None)
            for policy in policies:
                if policy.enforcement_level == EnforcementLevel.MANDATORY:
                    policy.validate(args, lambda message, urn=None, p=policy: found.add(p.name))
        return ",".join(sorted(found))

    tampered = copy.deepcopy(registered)
    for typ, name, inputs in tampered:
        if typ == "kubernetes:apps/v1:Deployment":
            inputs["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = True
    print(len(registered), mandatory(registered) or "-", mandatory(tampered) or "-")
"""


def test_workload_program_and_shipped_pack_on_core(core_python: Path) -> None:
    """A SecureWorkload program passes every mandatory policy of the pack; the same Deployment made
    privileged fails ``pss-privileged`` (so the policies really ran)."""
    proc = _run(core_python, PROGRAM)
    assert proc.returncode == 0, proc.stderr
    count, clean, tampered = proc.stdout.split()
    assert int(count) >= 4  # ServiceAccount, Deployment, Service, NetworkPolicy, ...
    assert clean == "-"
    assert "pss-privileged" in tampered.split(","), tampered


def test_database_scripts_ship_in_the_wheel(core_python: Path) -> None:
    """The shell scripts are package data: the installed package reads the same bytes as the repo."""
    proc = _run(
        core_python,
        """
        import json
        from platform_components.database import config_files
        print(json.dumps({name: config_files.read_script(name) for name in config_files.SCRIPTS}))
        """,
        cwd=Path("/"),
    )
    assert proc.returncode == 0, proc.stderr
    scripts = ROOT / "components" / "platform_components" / "database" / "scripts"
    shipped = {path.name: path.read_bytes().decode() for path in scripts.glob("*.sh")}
    assert json.loads(proc.stdout) == shipped


def test_stack_file_schema_ships_in_the_wheel(core_python: Path) -> None:
    """The schema file is package data, and ``platformctl schema`` on a core install prints it."""
    shipped = ROOT / "components" / "platform_components" / "schemas" / "stack-file.schema.json"
    proc = _run(
        core_python,
        """
        from platform_components.stack_schema import shipped_schema_file
        print(shipped_schema_file().read_text(encoding="utf-8"), end="")
        """,
        cwd=Path("/"),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == shipped.read_text(encoding="utf-8")
    proc = subprocess.run(
        [str(core_python.parent / "platformctl"), "schema"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd="/",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == shipped.read_text(encoding="utf-8")


def test_preview_without_the_extra_is_one_line(core_python: Path, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: team\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("")
    proc = subprocess.run(
        [str(core_python.parent / "platformctl"), "preview", str(tmp_path), "--stack", "dev"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "needs the 'preview' extra" in proc.stderr
    assert "pip install 'platform-components[preview]'" in proc.stderr


def test_aws_component_without_the_extra_is_one_line(core_python: Path) -> None:
    """An AWS component fails before it registers anything, with one line naming the extra."""
    proc = _run(
        core_python,
        """
        import pulumi
        from platform_components import EksCluster, EksClusterArgs
        from platform_components.errors import PlatformError

        registered = []

        class Mocks(pulumi.runtime.Mocks):
            def new_resource(self, args):
                registered.append(args.typ)
                return "id", dict(args.inputs)

            def call(self, args):
                return {}

        pulumi.runtime.set_mocks(Mocks(), preview=True)
        args = EksClusterArgs(
            kubernetes_version="1.35",
            region="eu-west-1",
            availability_zones=["eu-west-1a", "eu-west-1b"],
            admin_principals=["arn:aws:iam::123456789012:role/admins"],
        )
        try:
            EksCluster("c", args)
        except PlatformError as exc:
            print(exc)
        print(registered)
        """,
    )
    assert proc.returncode == 0, proc.stderr
    message, registered = proc.stdout.splitlines()
    assert message == (
        "EksCluster (and ClusterRef) needs the 'aws' extra (pulumi_aws is not installed): "
        "pip install 'platform-components[aws]'"
    )
    assert registered == "[]"
