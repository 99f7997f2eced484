"""Validation of rendered Kubernetes objects against the OpenAPI schema of a Kubernetes minor.

Core kinds use the strict schemas bundled with ``kubernetes-validate`` (unknown fields rejected).
``kubernetes_validate.validate`` re-reads its schema bundle on every call (~20 ms per object), so
this module loads the definitions once per Kubernetes minor and builds one validator per kind.
An object is first given to the kind's compiled yes/no check (:mod:`.fast_schema`, 10 to 15 times
faster); only one it refuses is walked by ``jsonschema``, which reports the errors.

Custom resources go to the validators registered in :data:`CUSTOM_VALIDATORS` (by
``apiVersion``/``kind``), then to the shipped CRDs (:mod:`platform_components.preview.crds`: structural
schema, defaults, then ``x-kubernetes-validations`` CEL rules); an object whose kind has none of
these is itself a schema error: it would be rejected by the API server. Before any of these, every
object's name is checked with the API server's rule for its kind (:mod:`platform_components.preview.names`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
from referencing import Registry, Resource

from ..errors import ConfigError
from . import apiserver, crds, fast_schema, names


@dataclass(frozen=True)
class SchemaError:
    resource: str
    path: str
    message: str
    source: str = ""
    """Where in the stack file the rejected value came from (:mod:`.provenance`), when known."""

    def as_dict(self) -> dict[str, str]:
        found = {"resource": self.resource, "path": self.path, "message": self.message}
        return found | {"source": self.source} if self.source else found

    def __str__(self) -> str:
        text = f"{self.resource}: {self.path or '<root>'}: {self.message}"
        return f"{text} (from {self.source})" if self.source else text


CustomValidator = Callable[[dict[str, Any]], Iterable[tuple[str, str]]]
"""Validates a custom resource; yields ``(field path, message)``."""

CUSTOM_VALIDATORS: dict[tuple[str, str], CustomValidator] = {}


def _bundle_root() -> Any:
    return resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")


@lru_cache(maxsize=1)
def available_versions() -> tuple[str, ...]:
    pattern = re.compile(r"^v(\d+\.\d+)\.\d+-local-strict$")
    found = [m.group(1) for entry in _bundle_root().iterdir() if (m := pattern.match(entry.name))]
    return tuple(sorted(found, key=lambda v: tuple(int(x) for x in v.split("."))))


def _schema_dir(minor: str) -> str:
    versions = available_versions()
    if minor not in versions:
        raise ConfigError(
            f"no Kubernetes OpenAPI schema for {minor}; the bundled schemas cover {versions[0]}-{versions[-1]}"
        )
    return f"v{minor}.0-local-strict"


@lru_cache(maxsize=8)
def _definitions(minor: str) -> tuple[dict[str, Any], str]:
    """The minor's ``_definitions.json`` and the SHA-256 of its text."""
    text = _bundle_root().joinpath(_schema_dir(minor), "_definitions.json").read_text(encoding="utf-8")
    return json.loads(text), hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=8)
def _registry(minor: str) -> Registry:
    return Resource.from_contents(_definitions(minor)[0]) @ Registry()


def _api_file_part(api_version: str) -> str:
    # rbac.authorization.k8s.io/v1 -> rbac-v1 ; v1 -> v1 ; apps/v1 -> apps-v1
    return re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)


@lru_cache(maxsize=512)
def _validator(minor: str, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
    path = _bundle_root().joinpath(_schema_dir(minor), f"{kind.lower()}-{_api_file_part(api_version)}.json")
    if not path.is_file():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    # The bundle's kind files pin apiVersion/kind with enums; a file found by name is the right one.
    return jsonschema.Draft202012Validator(schema, registry=_registry(minor))


@lru_cache(maxsize=512)
def _fast_check(minor: str, api_version: str, kind: str) -> fast_schema.Check | None:
    """The compiled yes/no check of the kind (:mod:`.fast_schema`), when it has one."""
    path = _bundle_root().joinpath(_schema_dir(minor), f"{kind.lower()}-{_api_file_part(api_version)}.json")
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    definitions, digest = _definitions(minor)
    return fast_schema.validity_check(json.loads(text), definitions.get("$defs", {}), f"{digest}\0{text}")


def has_core_schema(minor: str, api_version: str, kind: str) -> bool:
    return _validator(minor, api_version, kind) is not None


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate_manifest(
    manifest: dict[str, Any], minor: str, *, display: str, limit: int = 5
) -> list[SchemaError]:
    """Schema errors of one object (at most ``limit``), empty when it would be accepted.

    The object's name errors (:func:`platform_components.preview.names.metadata_errors`: the
    name, generateName and namespace rules of the API server for its kind) come first, the
    API server's validation of the kind beyond its schema
    (:func:`platform_components.preview.apiserver.object_errors`) last."""
    api_version = str(manifest.get("apiVersion") or "")
    kind = str(manifest.get("kind") or "")
    if not api_version or not kind:
        return [SchemaError(display, "", "apiVersion and kind are required")]
    found = list(names.metadata_errors(manifest))
    seen = set(found)
    found += [error for error in _schema_errors(manifest, minor, api_version, kind) if error not in seen]
    seen = set(found)
    found += [error for error in apiserver.object_errors(manifest) if error not in seen]
    return [SchemaError(display, path, message) for path, message in found[:limit]]


def _schema_errors(
    manifest: dict[str, Any], minor: str, api_version: str, kind: str
) -> Iterator[tuple[str, str]]:
    validator = _validator(minor, api_version, kind)
    if validator is not None:
        fast = _fast_check(minor, api_version, kind)
        if fast is not None and fast(manifest):
            return  # valid: jsonschema is asked only for the errors of an object the check refuses
        errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
        for error in errors:
            if not _defaulted(api_version, kind, error):
                yield from _core_errors(error)
        return
    custom = CUSTOM_VALIDATORS.get((api_version, kind)) or crds.find_validator(api_version, kind)
    if custom is not None:
        yield from custom(manifest)
        return
    yield (
        "apiVersion",
        f"no schema for {api_version} {kind} in Kubernetes {minor} or in the shipped CRDs; "
        "the API server would reject it (check the apiVersion and kind)",
    )


DEFAULTED_BEFORE_VALIDATION: dict[tuple[str, str], frozenset[tuple[str, str]]] = {
    # rbac/v1 SetDefaults_RoleBinding and SetDefaults_ClusterRoleBinding: an empty roleRef.apiGroup
    # becomes rbac.authorization.k8s.io before validation, so the server admits it left out.
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): frozenset({("roleRef", "apiGroup")}),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): frozenset({("roleRef", "apiGroup")}),
}
"""Fields the OpenAPI schema marks required that the server fills in before it validates
(``(apiVersion, kind)`` -> ``(parent path, property)``). Built-in kinds are decoded into Go structs,
defaulted, then validated; the schema's ``required`` is not checked by the server itself."""

_REQUIRED = re.compile(r"^'([^']+)' is a required property$")


def _defaulted(api_version: str, kind: str, error: jsonschema.ValidationError) -> bool:
    fields = DEFAULTED_BEFORE_VALIDATION.get((api_version, kind))
    if not fields or error.validator != "required":
        return False
    match = _REQUIRED.match(str(error.message))
    return match is not None and (_path(error.absolute_path), match.group(1)) in fields


def _core_errors(error: jsonschema.ValidationError) -> Iterator[tuple[str, str]]:
    """An unknown field is reported at its own path, as strict field validation does
    (``unknown field "spec.containers[0].imagePullPolcy"``); everything else at the error's path."""
    path = _path(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extras = [key for key in error.instance if key not in known]
        if extras:
            for key in extras:
                yield (f"{path}.{key}" if path else str(key)), f'unknown field "{key}"'
            return
    yield path, _short(error)


def _short(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return str(error.message).replace("Additional properties are not allowed", "unknown field")
    message = str(error.message)
    return message if len(message) <= 200 else message[:197] + "..."


__all__ = ["CUSTOM_VALIDATORS", "CustomValidator", "SchemaError", "validate_manifest"]
