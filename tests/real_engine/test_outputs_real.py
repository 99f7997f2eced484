"""Stack outputs: which are secret, by the real engine and by the offline preview.

The engine marks an output property secret when the resource's input for it was secret, or when
the resource names it in ``additionalSecretOutputs`` (pulumi-kubernetes names a Secret's ``data``
and ``stringData``); the offline preview's recording monitor answers the same way, so an exported
secret shows as ``[secret]`` in its stack outputs, never in plaintext."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from platform_components.preview.engine import preview
from platform_components.preview.mocks import SECRET_MARKER

pytestmark = pytest.mark.real_engine

PROGRAM = """
import pulumi
import pulumi_kubernetes as k8s

meta = lambda name: {"name": name, "namespace": "default"}
token = k8s.core.v1.Secret("token", metadata=meta("token"), string_data={"token": "in-the-clear"})
settings = k8s.core.v1.ConfigMap("settings", metadata=meta("settings"), data={"a": "b"})
wrapped = k8s.core.v1.ConfigMap("wrapped", metadata=meta("wrapped"), data=pulumi.Output.secret({"k": "v"}))
flagged = k8s.core.v1.ConfigMap(
    "flagged",
    metadata=meta("flagged"),
    data={"k": "v"},
    opts=pulumi.ResourceOptions(additional_secret_outputs=["data"]),
)
pulumi.export("token_string_data", token.string_data)
pulumi.export("flagged_data", flagged.data)
pulumi.export("settings_data", settings.data)
pulumi.export("settings_name", settings.metadata.name)
pulumi.export("wrapped_data", wrapped.data)
"""
EXPECTED_SECRET = {
    "token_string_data": True,  # pulumi-kubernetes makes a Secret's inputs secret
    "flagged_data": True,  # a plain input the resource names in additionalSecretOutputs
    "settings_data": False,
    "settings_name": False,
    "wrapped_data": True,  # a secret input
}


def _masked(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_masked(item) for item in value.values())
    return value == SECRET_MARKER


def test_the_offline_preview_marks_the_outputs_the_engine_marks_secret(driver: Any, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: secret-outputs\nruntime: python\n")
    (project / "Pulumi.test.yaml").write_text("config: {}\n")
    (project / "__main__.py").write_text(PROGRAM)

    real = driver("up", project, "test", tmp_path / "real", policy=False)
    assert real.ok, real.error + real.stderr
    assert {name: output["secret"] for name, output in real.outputs.items()} == EXPECTED_SECRET
    assert real.outputs["settings_data"]["value"] == {"a": "b"}

    offline = preview(project, "test").stack_outputs
    assert {name: _masked(value) for name, value in offline.items()} == EXPECTED_SECRET
    assert offline["settings_data"] == real.outputs["settings_data"]["value"]
    assert offline["settings_name"] == real.outputs["settings_name"]["value"] == "settings"
