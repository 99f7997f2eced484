"""Drive the real Pulumi engine (the CLI from ``tools/build-real-tools``) over a project's program.

No ``pulumi-language-python`` can be built here (tools/README.md), so a program runs the way the
Automation API runs an *inline* program: this process serves the program to the CLI
(``pulumi preview --client=…``) and the CLI does everything else for real: the engine, the state in
a ``file://`` backend, config and secrets, the Kubernetes provider from ``.realtools/bin`` and the
CrossGuard pack as an analyzer plugin (``platform-components-analyzer`` of the same environment).

The module is pytest-free so that it can run under any interpreter, e.g. a team repository's own
virtual environment (which holds the library as the team installed it)::

    <python> tests/real_engine/engine.py preview --project DIR --stack NAME --workdir DIR \\
        [--config FILE.json] [--secrets FILE.json] [--no-policy] [--expect-no-changes]

The last line of stdout is ``REALRUN <json>`` (:class:`RealRun`); the exit status is 0 when the
operation succeeded. Kubernetes objects are rendered to ``<workdir>/rendered`` by the provider's
``renderYamlToDirectory`` (no cluster is contacted) unless the config sets
``kubernetes:renderYamlToDirectory`` to ``None`` (then ``kubernetes:kubeconfig`` names the cluster);
the state lives in ``<workdir>/state``. The program runs unmodified: what a test changes (the
cluster, the stack option ``skip_await`` for a cluster without kubelets) is stack config.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
REALTOOLS = REPO / ".realtools"
PASSPHRASE = "local"
"""The passphrase of the ``local`` stack's secrets (a disposable laptop stack; stacks/Pulumi.local.yaml)."""
MARKER = "REALRUN "
OPERATIONS = ("preview", "up", "destroy")


@dataclass(frozen=True)
class Finding:
    """One policy event of the real analyzer."""

    rule: str
    level: str  # mandatory | advisory | remediate | disabled
    urn: str
    message: str


@dataclass
class RealRun:
    op: str
    ok: bool
    changes: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (op, urn) per resource step
    diagnostics: list[tuple[str, str]] = field(default_factory=list)  # (severity, message)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """After ``up``: each stack output's ``{"secret": bool, "value": ...}`` (a secret's value left out)."""
    stdout: str = ""
    error: str = ""
    stderr: str = ""  # the driver process's (set by the caller)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> RealRun:
        data = json.loads(text)
        data["findings"] = [Finding(**f) for f in data["findings"]]
        data["steps"] = [tuple(s) for s in data["steps"]]
        data["diagnostics"] = [tuple(d) for d in data["diagnostics"]]
        return cls(**data)

    def rule_ids(self, level: str | None = None) -> set[str]:
        return {f.rule for f in self.findings if level is None or f.level == level}


def tool_environment(workdir: Path, passphrase: str = PASSPHRASE) -> dict[str, str]:
    """What the CLI needs to run offline: its state, home and plugins inside known folders."""
    return {
        "PATH": f"{REALTOOLS / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_HOME": str(REPO / ".pulumi-home"),
        "PULUMI_BACKEND_URL": (workdir / "state").resolve().as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_CONFIRMATIONS": "true",
    }


def project_settings(project: Path) -> dict[str, Any]:
    data = yaml.safe_load((project / "Pulumi.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "name" not in data:
        raise SystemExit(f"{project / 'Pulumi.yaml'}: not a Pulumi project")
    return data


def project_program(project: Path) -> Callable[[], None]:
    """The project's ``main`` as an inline program, run as the language host would run it."""
    main = project / str(project_settings(project).get("main", "."))

    def program() -> None:
        os.chdir(project)
        runpy.run_path(str(main), run_name="__main__")

    return program


def project_config(project: Path, stack: str, workdir: Path, config: Mapping[str, Any] | None = None) -> Path:
    """Copy ``Pulumi.yaml`` and the stack file into ``<workdir>/project``, set for rendering.

    The copy's stack file renders Kubernetes objects into ``<workdir>/rendered`` instead of
    talking to a cluster (``kubernetes:context`` is dropped) and takes ``config`` over its own (a
    ``None`` value drops the key).
    """
    settings = project_settings(project)
    config_dir = str(settings.get("stackConfigDir", "."))
    target = workdir / "project"
    (target / config_dir).mkdir(parents=True, exist_ok=True)
    # The program is served inline, from the project's own folder: the copy names no ``main``.
    served = {key: value for key, value in settings.items() if key != "main"}
    (target / "Pulumi.yaml").write_text(yaml.safe_dump(served, sort_keys=False))
    source = project / config_dir / f"Pulumi.{stack}.yaml"
    copy = target / config_dir / f"Pulumi.{stack}.yaml"
    data: dict[str, Any] = {}
    if source.is_file():
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    if copy.is_file():  # a stack already initialised in this workdir keeps the salt of its state
        salt = (yaml.safe_load(copy.read_text(encoding="utf-8")) or {}).get("encryptionsalt")
        if salt:
            data["encryptionsalt"] = salt
    values = dict(data.get("config") or {})
    values.pop("kubernetes:context", None)
    values["kubernetes:renderYamlToDirectory"] = str((workdir / "rendered").resolve())
    for key, value in (config or {}).items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    data["config"] = values
    copy.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def policy_pack() -> Path:
    """The launcher installed next to this interpreter (the environment the program runs in)."""
    return Path(sys.executable).parent / "platform-components-analyzer"


class _Events:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.steps: list[tuple[str, str]] = []
        self.diagnostics: list[tuple[str, str]] = []

    def __call__(self, event: Any) -> None:
        if event.policy_event is not None:
            p = event.policy_event
            self.findings.append(Finding(p.policy_name, p.enforcement_level, p.resource_urn or "", p.message))
        if event.resource_pre_event is not None:
            meta = event.resource_pre_event.metadata
            self.steps.append((str(getattr(meta.op, "value", meta.op)), meta.urn))
        if event.diagnostic_event is not None and event.diagnostic_event.severity != "debug":
            d = event.diagnostic_event
            self.diagnostics.append((d.severity, d.message))


def run_project(
    op: str,
    project: Path,
    stack: str,
    workdir: Path,
    *,
    config: Mapping[str, Any] | None = None,
    secrets: Mapping[str, str] | None = None,
    policy: bool = True,
    expect_no_changes: bool = False,
    passphrase: str = PASSPHRASE,
) -> RealRun:
    from pulumi import automation as auto

    project = project.resolve()
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "state").mkdir(exist_ok=True)
    work = project_config(project, stack, workdir, config)
    env = tool_environment(workdir, passphrase)
    os.environ.update(env)  # the program's own SDK calls see the same environment as the CLI
    workspace = auto.LocalWorkspace(
        work_dir=str(work),
        pulumi_home=env["PULUMI_HOME"],
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(REALTOOLS)),
        program=project_program(project),
    )
    target = auto.Stack.create_or_select(stack, workspace)
    for key, value in (secrets or {}).items():
        target.set_config(key, auto.ConfigValue(value, secret=True))
    events = _Events()
    run = RealRun(op=op, ok=False)
    options: dict[str, Any] = {"on_event": events, "color": "never"}
    if op != "destroy" and policy:
        options["policy_packs"] = [str(policy_pack())]
    if expect_no_changes and op != "destroy":
        options["expect_no_changes"] = True
    try:
        if op == "preview":
            preview = target.preview(**options)
            run.changes = {str(k): int(v) for k, v in preview.change_summary.items()}
            run.stdout = preview.stdout
        elif op == "up":
            up = target.up(**options)
            run.changes = {str(k): int(v) for k, v in (up.summary.resource_changes or {}).items()}
            run.outputs = {
                name: {"secret": bool(output.secret), "value": None if output.secret else output.value}
                for name, output in up.outputs.items()
            }
            run.stdout = up.stdout
        else:
            destroy = target.destroy(**options)
            run.changes = {str(k): int(v) for k, v in (destroy.summary.resource_changes or {}).items()}
            run.stdout = destroy.stdout
        run.ok = True
    except auto.errors.CommandError as exc:
        run.error = str(exc)
    run.findings, run.steps, run.diagnostics = events.findings, events.steps, events.diagnostics
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("op", choices=OPERATIONS)
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--config", type=Path, help="JSON object: stack config to set (plain)")
    parser.add_argument("--secrets", type=Path, help="JSON object: stack config to set as secrets")
    parser.add_argument("--no-policy", action="store_true", help="run without the CrossGuard pack")
    parser.add_argument("--expect-no-changes", action="store_true")
    parser.add_argument("--passphrase", default=PASSPHRASE)
    args = parser.parse_args(argv)
    config = json.loads(args.config.read_text()) if args.config else None
    secrets = json.loads(args.secrets.read_text()) if args.secrets else None
    run = run_project(
        args.op,
        args.project,
        args.stack,
        args.workdir,
        config=config,
        secrets=secrets,
        policy=not args.no_policy,
        expect_no_changes=args.expect_no_changes,
        passphrase=args.passphrase,
    )
    sys.stdout.write(f"\n{MARKER}{run.to_json()}\n")
    return 0 if run.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
