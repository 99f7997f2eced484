"""The JSON Schema of a stack file (``Pulumi.<stack>.yaml``) as an editor sees it.

Generated from :class:`~platform_components.config.PlatformConfig` (pydantic's JSON Schema of the
model the loader validates with) and wrapped in the shape of a whole Pulumi stack settings file:
the attributes Pulumi reads (``config``, ``secretsprovider``, ``encryptedkey``, ``encryptionsalt``,
``environment``), under ``config`` every ``<project>:platform`` key is the platform definition,
``platform:environment`` one of the environments, and any other ``<namespace>:<name>`` key
(``aws:region``, ``team-service:image``) is free. Where a model refuses unknown keys the schema says
``additionalProperties: false``, so an editor flags a typo where ``platformctl preview`` would.

The schema ships as package data (:data:`SCHEMA_FILE` under ``platform_components/schemas/``);
``platformctl schema`` prints it. A stack file points an editor at it with a first-line comment
(:func:`schema_comment`), read by the YAML language server.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

from .config import CONFIG_KEY, PlatformConfig
from .context import ENVIRONMENT_KEY, ENVIRONMENTS

SCHEMA_FILE: Final = "stack-file.schema.json"
"""The file name of the shipped schema, under ``platform_components/schemas/``."""
REGENERATE: Final = f"uv run platformctl schema --out components/platform_components/schemas/{SCHEMA_FILE}"
"""The command that rewrites the shipped schema from the models (run from the repository root)."""
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"

PLATFORM_KEY_PATTERN: Final = f"^[^:]+:{CONFIG_KEY}$"
"""``<project>:platform``: the loader reads the key namespaced by the project's name."""
CONFIG_KEY_PATTERN: Final = "^[^:]+:(config:)?[^:]+$"
"""``<namespace>:<name>``, the form Pulumi requires of every config key (or its older spelling
``<namespace>:config:<name>``, which Pulumi still reads)."""


def stack_file_schema() -> dict[str, Any]:
    """The schema of a whole stack file, the platform key's model in ``$defs``."""
    model = PlatformConfig.model_json_schema(ref_template="#/$defs/{model}")
    definitions = dict(model.pop("$defs", {}))
    definitions["PlatformConfig"] = model
    config = {
        "type": "object",
        "description": "Stack configuration: '<namespace>:<name>' keys. '<project>:platform' holds the "
        "platform definition; other keys (aws:region, <project>:<key>) are the program's own.",
        "properties": {
            ENVIRONMENT_KEY: {
                "description": "The environment whose rules apply (prod and staging databases backed up, ...); "
                "default: the stack name when it is dev, staging or prod.",
                "enum": list(ENVIRONMENTS),
            },
        },
        "patternProperties": {PLATFORM_KEY_PATTERN: {"$ref": "#/$defs/PlatformConfig"}},
        "propertyNames": {"pattern": CONFIG_KEY_PATTERN},
    }
    return {
        "$schema": DRAFT,
        "title": "Pulumi stack file of a platform-components project",
        "description": "Pulumi.<stack>.yaml: Pulumi's stack settings with the platform definition under "
        "config.'<project>:platform'. Generated from platform_components.config.PlatformConfig.",
        "type": "object",
        "properties": {
            "config": config,
            "secretsprovider": {
                "type": "string",
                "description": "The secrets provider that encrypts the stack's secret values.",
            },
            "encryptedkey": {
                "type": "string",
                "description": "The KMS-encrypted data key for secrets (cloud secrets providers).",
            },
            "encryptionsalt": {
                "type": "string",
                "description": "The base64 encryption salt (passphrase secrets provider).",
            },
            "environment": {
                "description": "Pulumi ESC environments the stack imports (a list of names, or a definition).",
                "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}],
            },
        },
        "additionalProperties": False,
        "$defs": dict(sorted(definitions.items())),
    }


def render_schema() -> str:
    """:func:`stack_file_schema` as the text of the shipped file: two-space indent, a final newline."""
    return json.dumps(stack_file_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_file() -> Traversable:
    """The schema shipped with the package."""
    return resources.files("platform_components").joinpath("schemas", SCHEMA_FILE)


def run_schema(out: Path | None) -> int:
    """``platformctl schema``: the schema to stdout or to ``out``."""
    from ._output import write_output

    return write_output(render_schema(), out)


def schema_comment(schema_path: str) -> str:
    """The first line of a stack file that points the YAML language server at the schema."""
    return f"# yaml-language-server: $schema={schema_path}"


__all__ = [
    "CONFIG_KEY_PATTERN",
    "DRAFT",
    "PLATFORM_KEY_PATTERN",
    "REGENERATE",
    "SCHEMA_FILE",
    "render_schema",
    "run_schema",
    "schema_comment",
    "shipped_schema_file",
    "stack_file_schema",
]
