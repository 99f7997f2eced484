"""Test helpers for teams that use these components in their own Pulumi programs.

Preview a whole project directory (its ``Pulumi.yaml`` and a stack) or a plain function, then
assert on the resources, the rendered manifests and the policy findings::

    from platform_components.testing import preview_function, preview_project

    def test_my_stack_is_clean():
        result = preview_project("infra", stack="dev")
        assert result.clean, result.problems()
        deployment = result.manifest("Deployment", "api")
        assert deployment["spec"]["replicas"] == 3

    def test_a_component_in_isolation():
        def program():
            SecureWorkload("api", SecureWorkloadArgs(...))
        result = preview_function(program)
        assert not result.violations

Nothing here needs a cloud account, a cluster or the Pulumi CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from .config import DEFAULT_KUBERNETES_VERSION
from .context import ENVIRONMENT_KEY, resolve_environment
from .policies import Violation
from .preview.engine import PreviewResult, check, preview, run_program
from .preview.mocks import ResourceRecord


@dataclass
class Preview:
    """A finished offline preview with convenient accessors."""

    result: PreviewResult

    @property
    def clean(self) -> bool:
        """No mandatory violation and no schema error."""
        return self.result.clean

    @property
    def resources(self) -> list[ResourceRecord]:
        return self.result.records

    @property
    def violations(self) -> list[Violation]:
        """Mandatory policy violations."""
        return self.result.violations

    @property
    def warnings(self) -> list[Violation]:
        """Advisory policy findings."""
        return self.result.warnings

    @property
    def schema_errors(self) -> list[str]:
        return [str(e) for e in self.result.schema_errors]

    @property
    def manifests(self) -> list[dict[str, Any]]:
        return [m for _, m in self.result.manifests]

    @property
    def outputs(self) -> dict[str, Any]:
        """Stack outputs (``pulumi.export``)."""
        return self.result.stack_outputs

    def problems(self) -> str:
        """Every violation and schema error, one per line (handy as an assert message)."""
        lines = [f"[{v.rule_id}] {v.message}" for v in self.result.violations]
        lines += [f"[schema] {e}" for e in self.result.schema_errors]
        return "\n".join(lines) or "no problems"

    def of_type(self, type_token: str) -> list[ResourceRecord]:
        return [r for r in self.result.records if r.type == type_token]

    def resource(self, type_token: str, name: str) -> ResourceRecord:
        """The resource with this type token and logical name (KeyError when absent)."""
        for record in self.result.records:
            if record.type == type_token and record.name == name:
                return record
        raise KeyError(
            f"no {type_token} named {name!r}; have {sorted(r.name for r in self.of_type(type_token))}"
        )

    def manifest(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        """The rendered object of this kind and ``metadata.name`` (KeyError when absent)."""
        for manifest in self.manifests:
            meta = manifest.get("metadata") or {}
            if (
                manifest.get("kind") == kind
                and meta.get("name") == name
                and (namespace is None or meta.get("namespace") == namespace)
            ):
                return manifest
        raise KeyError(f"no {kind} named {name!r}" + (f" in {namespace}" if namespace else ""))

    @property
    def environment(self) -> str | None:
        """The environment the components applied (``platform:environment``, else a stack named dev,
        staging or prod); ``None`` when none applies."""
        return self.result.environment.name if self.result.environment is not None else None

    @property
    def externals(self) -> list[str]:
        """What the program's components declared external (``ExternalRef``), e.g.
        ``"workload payments/ledger"``, sorted; the preview summary lists them too."""
        from .preview.report import externals

        return sorted({external for external, _ in externals(self.result)})

    def rule_ids(self) -> set[str]:
        """Ids of every rule that reported something (mandatory or advisory)."""
        return {v.rule_id for v in self.result.evaluation.violations}


def preview_project(
    project_dir: str | Path,
    stack: str,
    *,
    kubernetes_version: str | None = None,
    mocks: pulumi.runtime.Mocks | None = None,
) -> Preview:
    """Preview ``stack`` of the Pulumi project in ``project_dir`` (raises ConfigError on bad config)."""
    return Preview(preview(project_dir, stack, kubernetes_version=kubernetes_version, mocks=mocks))


def preview_function(
    program: Callable[[], None],
    *,
    project: str = "test",
    stack: str = "test",
    config: dict[str, Any] | None = None,
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION,
    mocks: pulumi.runtime.Mocks | None = None,
) -> Preview:
    """Run ``program`` (a function creating resources) under the offline engine.

    ``config`` keys without a namespace get the project's (``{"platform": {...}}`` becomes
    ``test:platform``); structured values are passed as JSON, as the Pulumi CLI does.
    """
    import json

    runtime_config = {
        (key if ":" in key else f"{project}:{key}"): value if isinstance(value, str) else json.dumps(value)
        for key, value in (config or {}).items()
    }
    environment = resolve_environment(runtime_config.get(ENVIRONMENT_KEY), stack)
    run = run_program(program, project=project, stack=stack, config=runtime_config, mocks=mocks)
    return Preview(
        check(
            run, project=project, stack=stack, kubernetes_version=kubernetes_version, environment=environment
        )
    )


__all__ = ["Preview", "preview_function", "preview_project"]
