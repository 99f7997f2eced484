"""Reading a Pulumi project the way the CLI does: ``Pulumi.yaml`` (name, main, stackConfigDir) and stacks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..config import StackFile
from ..errors import ConfigError

SECRET_PLACEHOLDER = "offlinepreviewsecretplaceholder"
"""The value a ``secure:`` config entry gets offline (it cannot be decrypted without the backend).
Letters only and 31 long, so that it passes what programs check of a password (StatefulDatabase
credentials: at least 16 letters and digits) and a stack whose passwords are secrets previews clean."""


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    main: Path
    stack_config_dir: Path

    @property
    def display_config_dir(self) -> str:
        rel = self.stack_config_dir.relative_to(self.root)
        return "." if str(rel) == "." else f"{rel}/"

    def stacks(self) -> list[str]:
        return sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in self.stack_config_dir.glob("Pulumi.*.yaml")
        )

    def stack_file(self, stack: str) -> StackFile:
        path = self.stack_config_dir / f"Pulumi.{stack}.yaml"
        display = str(path.relative_to(self.root))
        if not path.is_file():
            known = self.stacks()
            listing = ", ".join(known) if known else "none"
            raise ConfigError(
                f"stack {stack!r} does not exist (no {display}); existing stacks: {listing}",
                source=str(self.root / "Pulumi.yaml") if not known else None,
            )
        return StackFile(path, display=display)

    def runtime_config(self, stack: StackFile) -> tuple[dict[str, str], list[str]]:
        """Stack config as the Pulumi engine hands it to a program: namespaced keys, JSON for objects."""
        config: dict[str, str] = {}
        secret_keys: list[str] = []
        for key, value in stack.config.items():
            full = key if ":" in key else f"{self.name}:{key}"
            if isinstance(value, dict) and set(value) == {"secure"}:
                config[full] = SECRET_PLACEHOLDER
                secret_keys.append(full)
            elif isinstance(value, str):
                config[full] = value
            else:
                config[full] = json.dumps(value)
        return config, secret_keys


def load_project(path: str | Path) -> Project:
    root = Path(path).resolve()
    project_file = root / "Pulumi.yaml"
    if not project_file.is_file():
        raise ConfigError(f"{root} is not a Pulumi project (no Pulumi.yaml); pass the project directory")
    try:
        data: Any = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{project_file}:{mark.line + 1}" if mark is not None else str(project_file)
        raise ConfigError(f"YAML syntax error: {getattr(exc, 'problem', exc)}", source=where) from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ConfigError("Pulumi.yaml needs a 'name'", source=str(project_file))
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise ConfigError(
            f"runtime {runtime_name!r} is not supported offline; only Python programs can be previewed",
            source=str(project_file),
        )
    main = (root / str(data.get("main") or ".")).resolve()
    if not (main / "__main__.py").is_file():
        raise ConfigError(f"main {data.get('main') or '.'!r} has no __main__.py", source=str(project_file))
    config_dir = (root / str(data.get("stackConfigDir") or ".")).resolve()
    return Project(root=root, name=data["name"], main=main, stack_config_dir=config_dir)


__all__ = ["Project", "load_project"]
