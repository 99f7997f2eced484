"""The fast path of the core-kind schema check: a yes/no answer from compiled code.

``jsonschema`` walks a schema as data, about 2 ms for a Deployment; almost every object of a stack
is valid, and for those the answer is all that is needed. fastjsonschema turns a schema into Python
code that answers the same question 10 to 15 times faster. :func:`validity_check` gives that code
for a kind; :mod:`.schema` asks it first and asks ``jsonschema`` only for an object the code
refuses, so every reported error, its path and its message still come from ``jsonschema``.

The schema given to fastjsonschema is the kind's own file with the definitions it reaches (not the
whole bundle: about 100 for a Deployment, 15 for a Service), references made local
(``/api/_definitions.json#/$defs/X`` -> ``#/$defs/X``, as the definitions refer to each other), and declared draft 7. The bundle's schemas
only use keywords whose meaning is the same in draft 7 and 2020-12, and a ``$ref`` has only
annotations beside it; a schema for which either is not so gets no fast path (:func:`convertible`),
nor does one fastjsonschema cannot compile. Defaults are not applied (``use_default=False``: the
check must not change the object) and ``format`` is not checked, as ``jsonschema`` does not check it
without a format checker.

Generating and compiling the code costs 0.02 to 0.4 s per kind, so the compiled code is kept in the
user cache (:mod:`._derived`'s folder, ``PLATFORM_COMPONENTS_CACHE=off`` turns it off), named by
the schema's and the definitions' text, the Python release (the code is marshalled), the fastjsonschema release and this
module's code.
"""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
import logging
import marshal
import sys
from collections.abc import Callable, Mapping
from typing import Any, Final

from . import _derived

log = logging.getLogger("platform-components.preview")

Check = Callable[[Any], bool]
"""True when the object is valid against the kind's schema."""

DRAFT7_KEYWORDS: Final = frozenset(
    {
        "$ref", "$defs", "$schema", "$id", "description", "default", "title", "type", "properties",
        "additionalProperties", "required", "items", "enum", "format", "pattern", "minimum", "maximum",
        "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "allOf", "anyOf", "oneOf", "not",
    }
)  # fmt: skip
"""Keywords that mean the same in draft 7 and 2020-12 (and annotations); ``x-kubernetes-*``
extensions are annotations to both."""

ANNOTATIONS: Final = frozenset({"description", "default", "title"})
BUNDLE_REFS: Final = ("/api/_definitions.json#/$defs/", "#/$defs/")
"""How a kind file, and a definition, refer to a definition of the bundle."""


def _definition_name(ref: str) -> str | None:
    for prefix in BUNDLE_REFS:
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return None


def convertible(schema: Any, definitions: Mapping[str, Any]) -> bool:
    """Whether ``schema`` (and what it reaches) uses only :data:`DRAFT7_KEYWORDS` and references
    into the bundle's definitions with nothing but annotations beside them."""
    seen: set[str] = set()
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = _definition_name(ref)
            if (
                name is None
                or name not in definitions
                or set(node) - ANNOTATIONS - {"$ref"} - _extensions(node)
            ):
                return False
            if name not in seen:
                seen.add(name)
                pending.append(definitions[name])
            continue
        if set(node) - DRAFT7_KEYWORDS - _extensions(node):
            return False
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                pending.extend(value.values())  # property names are not keywords
            elif key not in ANNOTATIONS and key != "enum" and not key.startswith("x-kubernetes-"):
                pending.append(value)
    return True


def _extensions(node: dict[str, Any]) -> set[str]:
    return {key for key in node if key.startswith("x-kubernetes-")}


def draft7(schema: dict[str, Any], definitions: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with the definitions it reaches, references made local, declared draft 7."""
    reached: dict[str, Any] = {}

    def local(node: Any) -> Any:
        if isinstance(node, list):
            return [local(item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                name = _definition_name(value)
                if name is None:
                    raise ValueError(f"a reference outside the bundle's definitions: {value}")
                if name not in reached:
                    reached[name] = None  # placeholder first: a definition may reach itself
                    reached[name] = local(definitions[name])
                out[key] = f"#/$defs/{name}"
            elif key in ("$id", "$schema") and isinstance(value, str):
                continue
            elif key == "properties" and isinstance(value, dict):
                out[key] = {name: local(sub) for name, sub in value.items()}
            elif key in ANNOTATIONS or key == "enum" or key.startswith("x-kubernetes-"):
                out[key] = value
            else:
                out[key] = local(value)
        return out

    converted: dict[str, Any] = local(schema)
    converted["$defs"] = reached
    converted["$schema"] = "http://json-schema.org/draft-07/schema#"
    return converted


def _release() -> str:
    try:
        return importlib.metadata.version("fastjsonschema")
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _options(compile_to_code: Callable[..., str]) -> dict[str, Any]:
    """fastjsonschema's options that this check needs, as far as its release has them."""
    wanted = {"use_default": False, "use_formats": False, "detailed_exceptions": False}
    accepted = inspect.signature(compile_to_code).parameters
    return {key: value for key, value in wanted.items() if key in accepted}


@functools.cache
def _code_key() -> str:
    """What else the compiled code depends on: the Python release (it is marshalled), the
    fastjsonschema release and this module's code (read once per process)."""
    return "\0".join((sys.version, _release(), _derived.code_digest(__file__)))


def _compiled(schema: dict[str, Any], source_key: str) -> Any | None:
    """The code object of the validator module for ``schema`` (from the cache when there)."""
    key = f"{source_key}\0{_code_key()}"
    cached = _derived.load_bytes("fastschema", key, ".marshal")
    if cached is not None:
        try:
            return marshal.loads(cached)
        except (ValueError, EOFError, TypeError):
            pass  # unreadable: compile again
    try:
        import fastjsonschema
    except ImportError:
        return None
    try:
        source = fastjsonschema.compile_to_code(schema, **_options(fastjsonschema.compile_to_code))
        code = compile(source, f"<fast schema check {schema.get('description', '')[:40]}>", "exec")
    except Exception as exc:  # a schema fastjsonschema cannot compile: jsonschema alone judges it
        log.debug("no fast schema check: %s: %s", type(exc).__name__, exc)
        return None
    if not _derived.store_bytes("fastschema", key, ".marshal", marshal.dumps(code)):
        log.debug("the fast schema check was not cached")
    return code


def validity_check(schema: dict[str, Any], definitions: Mapping[str, Any], source_key: str) -> Check | None:
    """A function telling whether an object is valid against ``schema`` (a kind file of the bundle),
    or ``None`` when there is no fast path for it. ``source_key`` names the kind file's text and the
    definitions' (the compiled code is cached under it)."""
    if not convertible(schema, definitions):
        return None
    code = _compiled(draft7(schema, definitions), source_key)
    if code is None:
        return None
    namespace: dict[str, Any] = {}
    try:
        exec(code, namespace)  # the code fastjsonschema generated from the bundled schema
    except ImportError as exc:  # the code imports fastjsonschema's exceptions: it was uninstalled
        log.debug("no fast schema check: %s", exc)
        return None
    validate = namespace.get("validate")
    if not callable(validate):
        return None

    def check(instance: Any) -> bool:
        try:
            validate(instance)
        except Exception:  # refused, or anything unexpected: jsonschema judges the object
            return False
        return True

    return check


__all__ = ["Check", "convertible", "draft7", "validity_check"]
