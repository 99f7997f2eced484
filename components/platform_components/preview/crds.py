"""Validation of custom resources against the CustomResourceDefinitions shipped with this library.

The CRDs are package data under ``components/platform_components/schemas/`` (see ``SOURCES.md`` there). A custom
resource is checked the way the Kubernetes API server checks it on creation:

1. ``metadata`` is validated as ObjectMeta (name a DNS subdomain of at most 253 characters, an
   embedded resource's a path segment name, see :mod:`platform_components.preview.names`; label
   and annotation keys and values, only known ObjectMeta fields);
2. unknown fields are reported (the API server silently prunes them, which is a bug in a rendered
   manifest) unless the schema node has ``x-kubernetes-preserve-unknown-fields`` (an
   ``x-kubernetes-embedded-resource`` node also allows ``apiVersion``, ``kind`` and ``metadata``,
   validated as an embedded object); ``null`` in a non-nullable field is dropped, as the API
   server does;
3. ``default:`` values are applied to missing object properties;
4. the defaulted object is validated against the ``openAPIV3Schema`` of the apiVersion used,
   converted to a JSON Schema 2020-12 validator (``nullable``, ``x-kubernetes-int-or-string``,
   RE2 ``pattern``, Kubernetes formats, ``x-kubernetes-list-type`` set/map uniqueness);
5. unless step 4 found a type or enum error (the API server then skips CEL too), the
   ``x-kubernetes-validations`` CEL rules are evaluated (:mod:`platform_components.preview.cel`).
   Transition rules (``oldSelf``) only run for an update: ``CRDValidator.validate(new, old=...)``.

CRD files are parsed lazily, each at most once per process, and only when an object of a kind
they may define is validated: a plain text search (``group: <group>`` and ``kind: <kind>``) picks
the candidate files. A parsed file is kept as JSON in the user cache (:mod:`._derived`, keyed by
the file's content), so only the first process parses its YAML; which files mention which groups
and kinds is kept there too. One validator is built and cached per (apiVersion, kind): its JSON
Schema and the map of where the CEL rules are come from the user cache after the first process, and
its tree of schema nodes (pruning, defaults, CEL) is built only as far as the objects validated
reach into it.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime
import hashlib
import ipaddress
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import jsonschema
import re2  # type: ignore[import-untyped]  # google-re2 (a cel-python dependency): Go regexp semantics
import yaml

from . import _derived, names

if TYPE_CHECKING:
    from .cel import ValidationRule

__all__ = [
    "CRDValidator",
    "CRDVersion",
    "crd_versions",
    "find_crd",
    "find_validator",
    "rule_tree",
    "shipped_kinds",
    "to_json_schema",
]

SCHEMA_PACKAGE: Final = "platform_components"
SCHEMA_DIR: Final = "schemas"


@dataclass(frozen=True)
class CRDVersion:
    """One version of one CustomResourceDefinition."""

    group: str
    kind: str
    plural: str
    scope: str
    version: str
    served: bool
    storage: bool
    schema: Mapping[str, Any]
    source: str  # file, relative to the schemas directory

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _schemas_root() -> Traversable:
    return resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_DIR)


def _walk(directory: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in directory.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _walk(entry, f"{name}/")
        elif entry.name.endswith((".yaml", ".yml")):
            yield name, entry


@lru_cache(maxsize=1)
def _files() -> dict[str, Traversable]:
    return dict(sorted(_walk(_schemas_root(), "")))


_MENTION: Final = re.compile(rb"""(group|kind): ["']?([^\s"']+)""")
"""Over bytes: a plain byte scan is several times faster than a Unicode one."""


def _file_key(name: str, entry: Traversable) -> str:
    """What identifies a file's content for :func:`_mentioned`'s cache entry: its size and
    modification time (as Python's own bytecode cache does), or its digest when the package is not
    a folder (a zip)."""
    if isinstance(entry, Path):
        stat = entry.stat()
        return f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}"
    return f"{name}\0{hashlib.sha256(entry.read_bytes()).hexdigest()}"


@lru_cache(maxsize=1)
def _mentioned() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Per file, the values written after ``group:`` and after ``kind:`` (one byte scan of every
    file, about 0.1 s for 11 MB, instead of parsing the YAML). Kept in the user cache
    (:mod:`._derived`) keyed by every file's name, size and modification time."""
    files = _files()
    key = "\n".join(_file_key(name, entry) for name, entry in files.items())
    kind = "crd-mentions-" + _derived.code_digest(__file__)
    cached = _derived.load(kind, key)
    if isinstance(cached, dict) and set(cached) == set(files):
        try:
            return {name: (frozenset(groups), frozenset(kinds)) for name, (groups, kinds) in cached.items()}
        except (TypeError, ValueError):
            pass  # not this code's shape: scan again and replace it
    found = {}
    for name, entry in files.items():
        groups: set[str] = set()
        kinds: set[str] = set()
        for mention, value in _MENTION.findall(entry.read_bytes()):
            (groups if mention == b"group" else kinds).add(value.decode("utf-8", "replace"))
        found[name] = (frozenset(groups), frozenset(kinds))
    _derived.store(
        kind, key, {name: [sorted(groups), sorted(kinds)] for name, (groups, kinds) in found.items()}
    )
    return found


@cache
def _candidate_files(group: str, kind: str) -> tuple[str, ...]:
    """The files that may define ``group``/``kind``: those with a ``group:`` and a ``kind:`` line
    for them."""
    return tuple(name for name, (groups, kinds) in _mentioned().items() if group in groups and kind in kinds)


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _load_file(name: str) -> tuple[CRDVersion, ...]:
    """Every CRD version defined in one file (parsed once per process; the parsed versions are kept
    as JSON in the user cache, :mod:`._derived`, so that later processes skip the YAML)."""
    text = _files()[name].read_text(encoding="utf-8")
    kind = _cache_kind()
    versions = _derived.load(kind, text)
    if not isinstance(versions, list):
        versions = _parse_versions(text)
        _derived.store(kind, text, versions)
    return tuple(CRDVersion(**version, source=name) for version in versions)


@cache
def _cache_kind() -> str:
    """The cache entries' name: what parsed them (this module's code)."""
    return "crd-versions-" + _derived.code_digest(__file__)


def _parse_versions(text: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for document in yaml.load_all(text, Loader=_Loader):
        if not isinstance(document, dict) or document.get("kind") != "CustomResourceDefinition":
            continue
        spec = document.get("spec") or {}
        names = spec.get("names") or {}
        for version in spec.get("versions") or ():
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            found.append(
                {
                    "group": str(spec.get("group", "")),
                    "kind": str(names.get("kind", "")),
                    "plural": str(names.get("plural", "")),
                    "scope": str(spec.get("scope", "Namespaced")),
                    "version": str(version.get("name", "")),
                    "served": bool(version.get("served", False)),
                    "storage": bool(version.get("storage", False)),
                    "schema": schema
                    if isinstance(schema, dict)
                    else {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                }
            )
    return found


@cache
def _versions_of(group: str, kind: str) -> dict[str, CRDVersion]:
    versions: dict[str, CRDVersion] = {}
    for name in _candidate_files(group, kind):
        for crd in _load_file(name):
            if crd.group == group and crd.kind == kind:
                versions.setdefault(crd.version, crd)
    return versions


def crd_versions() -> list[CRDVersion]:
    """Every version (served or not) of every shipped CRD; parses all files."""
    return [crd for name in _files() for crd in _load_file(name)]


def shipped_kinds() -> list[tuple[str, str]]:
    """``(apiVersion, kind)`` for every served version of every shipped CRD."""
    return sorted({(crd.api_version, crd.kind) for crd in crd_versions() if crd.served})


def find_crd(api_version: str, kind: str) -> CRDVersion | None:
    """The served CRD version for ``apiVersion``/``kind``, if a shipped CRD defines it."""
    group, slash, version = api_version.partition("/")
    if not slash or not group or not version or not kind:
        return None
    crd = _versions_of(group, kind).get(version)
    return crd if crd is not None and crd.served else None


@cache
def find_validator(api_version: str, kind: str) -> CRDValidator | None:
    """The validator for objects of ``apiVersion``/``kind``, ``None`` if no shipped CRD serves it."""
    crd = find_crd(api_version, kind)
    return CRDValidator(crd) if crd is not None else None


# --------------------------------------------------------------------------------------------
# ObjectMeta
# --------------------------------------------------------------------------------------------

_DNS1123_SUBDOMAIN: Final = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME: Final = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE: Final = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_OBJECT_META_FIELDS: Final = frozenset(
    {
        "name", "generateName", "namespace", "labels", "annotations", "finalizers", "ownerReferences",
        "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink",
    }
)  # fmt: skip
_ANNOTATIONS_MAX_BYTES: Final = 256 * 1024


def _qualified_name_errors(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        return f"prefix part of {key!r} must be a lowercase DNS-1123 subdomain of at most 253 characters"
    if not name or len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return (
            f"name part of {key!r} must be at most 63 characters of alphanumerics, '-', '_' or '.', "
            "starting and ending with an alphanumeric character"
        )
    return None


def _string_map_errors(value: Any, path: str, *, labels: bool) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        yield path, f"{value!r} is not of type 'object'"
        return
    for key, item in value.items():
        key_path = f"{path}.{key}"
        problem = _qualified_name_errors(str(key))
        if problem:
            yield key_path, f"invalid key: {problem}"
        if not isinstance(item, str):
            yield key_path, f"{item!r} is not of type 'string'"
        elif labels and (len(item) > 63 or not _LABEL_VALUE.match(item)):
            yield (
                key_path,
                f"invalid label value {item!r}: at most 63 characters of alphanumerics, '-', '_' or '.', "
                "starting and ending with an alphanumeric character",
            )
    if not labels:
        size = sum(len(str(k)) + len(str(v)) for k, v in value.items())
        if size > _ANNOTATIONS_MAX_BYTES:
            yield path, f"annotations are too long: {size} bytes, at most {_ANNOTATIONS_MAX_BYTES}"


def object_meta_errors(meta: Any, path: str, *, root: bool) -> Iterator[tuple[str, str]]:
    """ObjectMeta validation (``ValidateObjectMeta`` of the API server, for a create)."""
    if not isinstance(meta, dict):
        yield path, f"{meta!r} is not of type 'object'"
        return
    for key in meta:
        if key not in _OBJECT_META_FIELDS:
            yield f"{path}.{key}", f'unknown field "{key}"'
    # A custom resource's name is a DNS subdomain (``customResourceValidator``: NameIsDNSSubdomain);
    # an embedded resource's a path segment name (objectmeta ``validateEmbeddedResource``:
    # path.ValidatePathSegmentName). Both also validate a generateName, in prefix mode.
    check = names.name_is_dns_subdomain if root else names.validate_path_segment_name
    generate_name = meta.get("generateName")
    if generate_name is not None and not isinstance(generate_name, str):
        yield f"{path}.generateName", f"{generate_name!r} is not of type 'string'"
    elif generate_name:
        for message in check(generate_name, True):
            yield f"{path}.generateName", message
    name = meta.get("name")
    if name is not None:
        if not isinstance(name, str):
            yield f"{path}.name", f"{name!r} is not of type 'string'"
        else:
            for message in check(name, False):
                yield f"{path}.name", message
    elif root and not meta.get("generateName"):
        yield f"{path}.name", "Required value: name or generateName is required"
    namespace = meta.get("namespace")
    if namespace is not None:
        if not isinstance(namespace, str):
            yield f"{path}.namespace", f"{namespace!r} is not of type 'string'"
        elif namespace:
            for message in names.name_is_dns_label(namespace, False):
                yield f"{path}.namespace", message
    if "labels" in meta and meta["labels"] is not None:
        yield from _string_map_errors(meta["labels"], f"{path}.labels", labels=True)
    if "annotations" in meta and meta["annotations"] is not None:
        yield from _string_map_errors(meta["annotations"], f"{path}.annotations", labels=False)
    finalizers = meta.get("finalizers")
    if finalizers is not None:
        if not isinstance(finalizers, list):
            yield f"{path}.finalizers", f"{finalizers!r} is not of type 'array'"
        else:
            for i, finalizer in enumerate(finalizers):
                problem = _qualified_name_errors(finalizer) if isinstance(finalizer, str) else "not a string"
                if problem:
                    yield f"{path}.finalizers[{i}]", f"invalid finalizer: {problem}"
    owners = meta.get("ownerReferences")
    if owners is not None:
        if not isinstance(owners, list):
            yield f"{path}.ownerReferences", f"{owners!r} is not of type 'array'"
        else:
            for i, owner in enumerate(owners):
                missing = [
                    k
                    for k in ("apiVersion", "kind", "name", "uid")
                    if not (isinstance(owner, dict) and owner.get(k))
                ]
                if missing:
                    yield f"{path}.ownerReferences[{i}]", f"Required value: {', '.join(missing)}"


# --------------------------------------------------------------------------------------------
# OpenAPI v3 (structural) -> JSON Schema 2020-12
# --------------------------------------------------------------------------------------------

_COPIED: Final = (
    "maxLength", "minLength", "maximum", "minimum", "multipleOf", "maxItems", "minItems",
    "uniqueItems", "maxProperties", "minProperties", "format",
)  # fmt: skip


def to_json_schema(schema: Mapping[str, Any], *, root: bool = False) -> dict[str, Any]:
    """The JSON Schema 2020-12 equivalent of one structural OpenAPI v3 schema node.

    Unknown fields, defaults and CEL rules are handled outside JSON Schema (they need the pruned
    and defaulted object). ``pattern``, ``required`` and list uniqueness use the custom keywords
    of :data:`K8sValidator` (RE2 semantics and Kubernetes-style error paths).
    """
    out: dict[str, Any] = {}
    nullable = bool(schema.get("nullable"))
    types: list[str] = []
    if schema.get("x-kubernetes-int-or-string"):
        types = ["integer", "string"]
    elif isinstance(schema.get("type"), str) and schema["type"]:
        types = [schema["type"]]
    if types and nullable:
        types.append("null")
    if types:
        out["type"] = types[0] if len(types) == 1 else types
    for key in _COPIED:
        if key in schema:
            out[key] = schema[key]
    for bound, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
        if schema.get(exclusive) is True and bound in schema:
            out[exclusive] = out.pop(bound)
    if "pattern" in schema:
        out["k8sPattern"] = schema["pattern"]
    if "enum" in schema:
        enum = list(schema["enum"])
        if nullable and None not in enum:
            enum.append(None)
        out["enum"] = enum
    if schema.get("required"):
        out["k8sRequired"] = list(schema["required"])
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        out["properties"] = {name: to_json_schema(sub) for name, sub in properties.items()}
    additional = schema.get("additionalProperties")
    if isinstance(additional, Mapping):
        out["additionalProperties"] = to_json_schema(additional)
    items = schema.get("items")
    if isinstance(items, Mapping):
        out["items"] = to_json_schema(items)
    for junctor in ("allOf", "anyOf", "oneOf"):
        if isinstance(schema.get(junctor), list):
            out[junctor] = [to_json_schema(sub) for sub in schema[junctor]]
    if isinstance(schema.get("not"), Mapping):
        out["not"] = to_json_schema(schema["not"])
    list_type = schema.get("x-kubernetes-list-type")
    if list_type in ("set", "map"):
        out["k8sListType"] = {"type": list_type, "keys": list(schema.get("x-kubernetes-list-map-keys") or ())}
    if schema.get("x-kubernetes-embedded-resource"):
        out["k8sEmbeddedResource"] = True
    if root:
        props = out.setdefault("properties", {})
        props["apiVersion"] = {"type": "string"}
        props["kind"] = {"type": "string"}
        declared_meta = properties.get("metadata") if isinstance(properties, Mapping) else None
        meta: dict[str, Any] = {"type": "object"}
        if isinstance(declared_meta, Mapping) and isinstance(declared_meta.get("properties"), Mapping):
            # a CRD may only restrict metadata.name and metadata.generateName
            meta["properties"] = {
                name: to_json_schema(sub)
                for name, sub in declared_meta["properties"].items()
                if name in ("name", "generateName")
            }
        props["metadata"] = meta
    return out


@lru_cache(maxsize=2048)
def _re2(pattern: str) -> Any:
    return re2.compile(pattern)


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if isinstance(instance, str) and not _re2(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} should match {pattern!r}")


def _required(
    validator: Any, required: Sequence[str], instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if isinstance(instance, dict):
        for name in required:
            if name not in instance:
                yield jsonschema.ValidationError("Required value", path=[name])


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _list_type(
    validator: Any, spec: Mapping[str, Any], instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if not isinstance(instance, list):
        return
    keys: list[str] = spec["keys"]
    seen: set[str] = set()
    for i, item in enumerate(instance):
        if spec["type"] == "map":
            if not isinstance(item, dict):
                continue
            key = _canonical({k: item.get(k) for k in keys})
        else:
            key = _canonical(item)
        if key in seen:
            yield jsonschema.ValidationError(f"Duplicate value: {key}", path=[i])
        seen.add(key)


def _embedded_resource(
    validator: Any, enabled: bool, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if not enabled or not isinstance(instance, dict):
        return
    for key in ("apiVersion", "kind"):
        if not isinstance(instance.get(key), str) or not instance.get(key):
            yield jsonschema.ValidationError("Required value: must not be empty", path=[key])
    if "metadata" in instance:
        for sub_path, message in object_meta_errors(instance["metadata"], "", root=False):
            parts = [p for p in sub_path.split(".") if p]
            yield jsonschema.ValidationError(message, path=["metadata", *parts])


K8sValidator: Any = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {
        "k8sPattern": _pattern,
        "k8sRequired": _required,
        "k8sListType": _list_type,
        "k8sEmbeddedResource": _embedded_resource,
    },
)

# --- formats the API server checks (kube-openapi's strfmt registry); others are ignored ---------

FORMATS: Final = jsonschema.FormatChecker(formats=())
_RFC3339: Final = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_GO_DURATION_FORMAT: Final = re.compile(
    r"^[-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)(((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w))*)$"
)
_HOSTNAME: Final = re.compile(
    r"^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$"
)
_MAC: Final = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$")
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+$")


_FormatCheck = Callable[[object], bool]


def _format(name: str, *aliases: str) -> Callable[[_FormatCheck], _FormatCheck]:
    def register(check: _FormatCheck) -> _FormatCheck:
        for format_name in (name, *aliases):
            FORMATS.checks(format_name)(check)
        return check

    return register


@_format("date-time", "datetime")
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("z", "Z").replace("t", "T").replace(" ", "T"))
    except ValueError:
        return False
    return True


@_format("date")
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


@_format("duration")
def _is_duration(value: object) -> bool:
    return not isinstance(value, str) or value == "0" or bool(_GO_DURATION_FORMAT.match(value))


@_format("byte")
def _is_base64(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


@_format("ipv4")
def _is_ipv4(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


@_format("ipv6")
def _is_ipv6(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


@_format("cidr")
def _is_cidr(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return "/" in value


@_format("mac")
def _is_mac(value: object) -> bool:
    return not isinstance(value, str) or bool(_MAC.match(value))


@_format("uuid", "uuid3", "uuid4", "uuid5")
def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


@_format("hostname")
def _is_hostname(value: object) -> bool:
    return not isinstance(value, str) or (len(value) <= 255 and bool(_HOSTNAME.match(value)))


@_format("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(_EMAIL.match(value))


# --------------------------------------------------------------------------------------------
# Schema tree: pruning, defaulting and CEL
# --------------------------------------------------------------------------------------------


def rule_tree(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """Where a schema's ``x-kubernetes-validations`` are: ``None`` when neither the node nor anything
    below it has rules, else ``{"rules": True}`` when the node has some, ``"properties"`` (name ->
    tree), ``"additional"`` and ``"items"`` for the children that have some below (plain JSON, kept
    in the user cache with the validator's JSON Schema)."""
    tree: dict[str, Any] = {}
    if schema.get("x-kubernetes-validations"):
        tree["rules"] = True
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        below = {name: sub_tree for name, sub in properties.items() if (sub_tree := rule_tree(sub))}
        if below:
            tree["properties"] = below
    for key, field in (("additionalProperties", "additional"), ("items", "items")):
        sub = schema.get(key)
        if isinstance(sub, Mapping) and (sub_tree := rule_tree(sub)) is not None:
            tree[field] = sub_tree
    return tree or None


_UNSET: Final[Any] = object()


class _Node:
    """One structural schema node, prepared for pruning, defaulting and CEL evaluation.

    Children are built when first visited (a CRD's schema has thousands of nodes, an object uses
    a few of them); ``tree`` (:func:`rule_tree`) says where CEL rules are, so that finding the
    nodes to evaluate needs no walk of the whole schema."""

    __slots__ = (
        "_additional",
        "_children",
        "_items",
        "_rules",
        "cel_below",
        "defaults",
        "embedded",
        "nullable",
        "object_like",
        "preserve",
        "schema",
        "tree",
    )

    def __init__(self, schema: Mapping[str, Any], tree: Mapping[str, Any] | None) -> None:
        self.schema = schema
        self.tree = tree
        self.cel_below: bool = tree is not None
        properties = schema.get("properties")
        declared: Mapping[str, Any] = properties if isinstance(properties, Mapping) else {}
        additional = schema.get("additionalProperties")
        self.preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields") or additional is True)
        self.embedded = bool(schema.get("x-kubernetes-embedded-resource"))
        self.nullable = bool(schema.get("nullable"))
        self.object_like = schema.get("type") == "object" or bool(declared) or isinstance(additional, Mapping)
        self.defaults = {
            name: sub["default"]
            for name, sub in declared.items()
            if isinstance(sub, Mapping) and "default" in sub
        }
        self._children: dict[str, _Node | None] = {}
        self._additional: Any = _UNSET
        self._items: Any = _UNSET
        self._rules: tuple[ValidationRule, ...] | None = None

    def _sub_tree(self, *keys: str) -> Mapping[str, Any] | None:
        found: Any = self.tree
        for key in keys:
            if not isinstance(found, Mapping):
                return None
            found = found.get(key)
        return found if isinstance(found, Mapping) else None

    def declared(self, name: str) -> _Node | None:
        """The node of the declared property ``name``."""
        if name not in self._children:
            properties = self.schema.get("properties")
            sub = properties.get(name) if isinstance(properties, Mapping) else None
            self._children[name] = (
                _Node(sub, self._sub_tree("properties", name)) if isinstance(sub, Mapping) else None
            )
        return self._children[name]

    @property
    def additional(self) -> _Node | None:
        if self._additional is _UNSET:
            sub = self.schema.get("additionalProperties")
            self._additional = _Node(sub, self._sub_tree("additional")) if isinstance(sub, Mapping) else None
        node: _Node | None = self._additional
        return node

    @property
    def items(self) -> _Node | None:
        if self._items is _UNSET:
            sub = self.schema.get("items")
            self._items = _Node(sub, self._sub_tree("items")) if isinstance(sub, Mapping) else None
        node: _Node | None = self._items
        return node

    @property
    def rules(self) -> tuple[ValidationRule, ...]:
        if self._rules is None:
            self._rules = ()
            if self.tree is not None and self.tree.get("rules"):
                from .cel import ValidationRule  # cel-python is imported only for CRDs with rules

                self._rules = tuple(
                    ValidationRule.from_schema(rule) for rule in self.schema["x-kubernetes-validations"]
                )
        return self._rules

    def defaulted(self, name: str) -> _Node:
        """The node of a property with a default (one of :attr:`defaults`)."""
        node = self.declared(name)
        if node is None:
            raise KeyError(name)
        return node

    def child(self, key: str) -> _Node | None:
        return self.declared(key) or self.additional


_BLOCKING: Final = frozenset({"type", "enum"})
_BLOCKED_MESSAGE: Final = (
    "some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation"
)
_ROOT_FIELDS: Final = frozenset({"apiVersion", "kind", "metadata"})
_EMBEDDED_FIELDS: Final = frozenset({"apiVersion", "kind", "metadata"})


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def _json_path(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        out = _join(out, part if isinstance(part, int) else str(part))
    return out


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


def _compiled(crd: CRDVersion) -> dict[str, Any]:
    """A CRD version's JSON Schema (:func:`to_json_schema`) and :func:`rule_tree`, derived once per
    machine: a shipped version's are kept in the user cache (:mod:`._derived`), keyed by its file's
    text, the version and kind, and this module's code. A version built elsewhere (a test's) is
    derived every time."""
    source = _files().get(crd.source)
    shipped = source is not None and any(
        version is crd or version == crd for version in _load_file(crd.source)
    )
    key = f"{crd.api_version}\0{crd.kind}\0{source.read_text(encoding='utf-8')}" if shipped and source else ""
    if key:
        found = _derived.load(_validator_cache_kind(), key)
        if isinstance(found, dict) and isinstance(found.get("json_schema"), dict) and "rules" in found:
            return found
    compiled = {"json_schema": to_json_schema(crd.schema, root=True), "rules": rule_tree(crd.schema)}
    if key:
        _derived.store(_validator_cache_kind(), key, compiled)
    return compiled


@cache
def _validator_cache_kind() -> str:
    return "crd-validator-" + _derived.code_digest(__file__)


class CRDValidator:
    """Validates objects of one served CRD version; a :data:`~.schema.CustomValidator`."""

    def __init__(self, crd: CRDVersion) -> None:
        self.crd = crd
        compiled = _compiled(crd)
        self._root = _Node(crd.schema, compiled["rules"])
        self._json_schema: dict[str, Any] = compiled["json_schema"]
        self._validator: Any = K8sValidator(self._json_schema, format_checker=FORMATS)

    def __repr__(self) -> str:
        return f"CRDValidator({self.crd.api_version} {self.crd.kind} from {self.crd.source})"

    def prepare(self, manifest: Mapping[str, Any], errors: list[tuple[str, str]]) -> dict[str, Any]:
        """The object as the API server would store it: unknown fields pruned (and reported),
        nulls of non-nullable fields dropped, defaults applied. ``manifest`` is not modified."""
        prepared: dict[str, Any] = {}
        for key, value in manifest.items():
            if key in _ROOT_FIELDS:
                prepared[key] = value
                continue
            node = self._root.child(key)
            if node is None:
                if self._root.preserve:
                    prepared[key] = value
                else:
                    errors.append((key, f'unknown field "{key}"'))
                continue
            if value is None and not node.nullable:
                continue
            prepared[key] = self._prepare(value, node, key, errors)
        for key, default in self._root.defaults.items():
            if key not in prepared:
                prepared[key] = self._prepare(copy.deepcopy(default), self._root.defaulted(key), key, errors)
        return prepared

    def _prepare(self, value: Any, node: _Node, path: str, errors: list[tuple[str, str]]) -> Any:
        if isinstance(value, dict) and node.object_like:
            out: dict[str, Any] = {}
            for key, item in value.items():
                child = node.child(key)
                if child is None:
                    if node.preserve or (node.embedded and key in _EMBEDDED_FIELDS):
                        out[key] = item
                    else:
                        errors.append((_join(path, key), f'unknown field "{key}"'))
                    continue
                if item is None and not child.nullable:
                    continue
                out[key] = self._prepare(item, child, _join(path, key), errors)
            for key, default in node.defaults.items():
                if key not in out:
                    out[key] = self._prepare(
                        copy.deepcopy(default), node.defaulted(key), _join(path, key), errors
                    )
            return out
        if isinstance(value, list) and node.items is not None:
            return [self._prepare(item, node.items, _join(path, i), errors) for i, item in enumerate(value)]
        return value

    def __call__(self, manifest: dict[str, Any]) -> Iterator[tuple[str, str]]:
        """Errors ``(field path, message)`` of creating ``manifest``."""
        return iter(self.validate(manifest))

    def validate(
        self, manifest: Mapping[str, Any], old: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        """Errors of creating ``manifest``, or of updating ``old`` to it when ``old`` is given
        (transition rules, those that use ``oldSelf``, then apply where an old value correlates)."""
        errors: list[tuple[str, str]] = []
        if "metadata" in manifest:
            errors.extend(object_meta_errors(manifest["metadata"], "metadata", root=True))
        else:
            errors.append(("metadata", "Required value: metadata.name is required"))
        prepared = self.prepare(manifest, errors)
        blocked = False
        for error in self._validator.iter_errors(prepared):
            errors.append((_json_path(list(error.absolute_path)), _short(str(error.message))))
            blocked = blocked or error.validator in _BLOCKING
        errors.sort(key=lambda item: item[0])
        if self._root.cel_below:
            if blocked:
                errors.append(("", _BLOCKED_MESSAGE))
            else:
                old_prepared = self.prepare(old, []) if old is not None else None
                errors.extend(self.cel_errors(prepared, old_prepared))
        return errors

    def cel_errors(
        self, prepared: Mapping[str, Any], old: Mapping[str, Any] | None = None
    ) -> Iterator[tuple[str, str]]:
        """The ``x-kubernetes-validations`` errors of a pruned and defaulted object."""
        from .cel import NO_OLD_VALUE, Converter

        converter = Converter()
        yield from self._cel(
            prepared, self._root, "", converter, NO_OLD_VALUE if old is None else old, root=True
        )

    def _cel(
        self, value: Any, node: _Node, path: str, converter: Any, old: Any, *, root: bool = False
    ) -> Iterator[tuple[str, str]]:
        from .cel import NO_OLD_VALUE, check_rules

        if value is None:
            return  # the API server only validates non-null values
        if node.rules:
            old_value = (
                NO_OLD_VALUE
                if old is NO_OLD_VALUE or old is None
                else converter.convert(old, node.schema, root=root)
            )
            yield from check_rules(
                node.rules, converter.convert(value, node.schema, root=root), path, old_value=old_value
            )
        if isinstance(value, dict):
            old_map = old if isinstance(old, dict) else {}
            for key, item in value.items():
                child = node.child(key)
                if child is not None and child.cel_below and not (root and key in _ROOT_FIELDS):
                    yield from self._cel(
                        item, child, _join(path, key), converter, old_map.get(key, NO_OLD_VALUE)
                    )
        elif isinstance(value, list) and node.items is not None and node.items.cel_below:
            old_items = _correlate(value, old, node.schema)
            for i, item in enumerate(value):
                yield from self._cel(item, node.items, _join(path, i), converter, old_items[i])


def _correlate(items: list[Any], old: Any, schema: Mapping[str, Any]) -> list[Any]:
    """The old value of every item of a list: only ``x-kubernetes-list-type: map`` items correlate
    (by their keys), as in the API server."""
    from .cel import NO_OLD_VALUE

    keys = schema.get("x-kubernetes-list-map-keys") or ()
    if schema.get("x-kubernetes-list-type") != "map" or not keys or not isinstance(old, list):
        return [NO_OLD_VALUE] * len(items)
    by_key = {_canonical([o.get(k) for k in keys]): o for o in old if isinstance(o, dict)}
    return [
        by_key.get(_canonical([item.get(k) for k in keys]), NO_OLD_VALUE)
        if isinstance(item, dict)
        else NO_OLD_VALUE
        for item in items
    ]
