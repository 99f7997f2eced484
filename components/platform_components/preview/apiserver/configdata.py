"""ConfigMaps and Secrets, as ``ValidateConfigMap`` and ``ValidateSecret``
(``k8s.io/kubernetes/pkg/apis/core/validation/validation.go``, Kubernetes 1.35) validate them
beyond their schema: every key a config key (``IsConfigMapKey``), at most 1 MiB of data
(``core.MaxSecretSize``), no ConfigMap key in both ``data`` and ``binaryData``, and the keys each
Secret type requires.

The manifest is read as the API server decodes it: ``binaryData`` and Secret ``data`` values are
base64 (Go's ``encoding/json`` decodes ``[]byte`` with ``base64.StdEncoding``, line breaks
ignored; anything else fails the whole request), and a Secret's ``stringData`` is merged into its
``data`` before validation (``Convert_v1_Secret_To_core_Secret``; a ``stringData`` key wins), so its
keys are validated and counted like ``data``'s (reported at ``stringData[<key>]``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from . import register
from ._validation import invalid, is_config_map_key, required, too_long

MAX_SECRET_SIZE: Final = 1024 * 1024
"""``core.MaxSecretSize`` (also the ConfigMap limit)."""
REDACTED: Final = "<secret contents redacted>"
SERVICE_ACCOUNT_NAME_KEY: Final = "kubernetes.io/service-account.name"
_NOT_BASE64: Final = re.compile(r"[^A-Za-z0-9+/=\r\n]")


def decode_base64(value: str) -> bytes | str:
    """Go's ``base64.StdEncoding`` as ``encoding/json`` uses it for ``[]byte``: the bytes, or the
    error (``illegal base64 data at input byte N``)."""
    bad = _NOT_BASE64.search(value)
    if bad is not None:
        return f"illegal base64 data at input byte {bad.start()}"
    try:
        return base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return f"illegal base64 data at input byte {len(value)}"


def _base64_error(path: str, message: str) -> tuple[str, str]:
    return (
        path,
        invalid(REDACTED, f"{message} (values here are base64; the API server refuses the whole object)"),
    )


def _key_errors(key: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(key, str):
        for message in is_config_map_key(key):
            yield path, invalid(key, message)


@register(("", "ConfigMap"))
def config_map_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateConfigMap``: ``data`` and ``binaryData`` keys config keys, no key in both, at
    most 1 MiB in all (reported for the whole object, as upstream does)."""
    data = manifest.get("data")
    data = data if isinstance(data, Mapping) else {}
    binary = manifest.get("binaryData")
    binary = binary if isinstance(binary, Mapping) else {}
    total = 0
    for key, value in data.items():
        path = f"data[{key}]"
        yield from _key_errors(key, path)
        if key in binary:
            yield path, invalid(key, "duplicate of key present in binaryData")
        if isinstance(value, str):
            total += len(value.encode("utf-8", "surrogatepass"))
    for key, value in binary.items():
        path = f"binaryData[{key}]"
        yield from _key_errors(key, path)
        if isinstance(value, str):
            decoded = decode_base64(value)
            if isinstance(decoded, str):
                yield _base64_error(path, decoded)
            else:
                total += len(decoded)
    if total > MAX_SECRET_SIZE:
        yield "", too_long(MAX_SECRET_SIZE)


def _json_object_error(content: bytes) -> str | None:
    """``json.Unmarshal(content, &map[string]interface{}{})``'s error, or ``None``."""
    try:
        parsed = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        return str(error)
    if parsed is None or isinstance(parsed, dict):
        return None
    kind = {list: "array", str: "string", bool: "bool"}.get(type(parsed), "number")
    return f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"


@register(("", "Secret"))
def secret_errors(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``ValidateSecret``: keys config keys, at most 1 MiB of data, and per type:
    ``kubernetes.io/service-account-token`` the service account annotation,
    ``kubernetes.io/dockercfg`` ``.dockercfg`` and ``kubernetes.io/dockerconfigjson``
    ``.dockerconfigjson`` (each a JSON object), ``kubernetes.io/basic-auth`` ``username`` or
    ``password``, ``kubernetes.io/ssh-auth`` a non-empty ``ssh-privatekey``,
    ``kubernetes.io/tls`` ``tls.crt`` and ``tls.key``."""
    merged: dict[str, bytes | None] = {}
    where: dict[str, str] = {}
    data = manifest.get("data")
    if isinstance(data, Mapping):
        for key, value in data.items():
            path = f"data[{key}]"
            yield from _key_errors(key, path)
            if isinstance(value, str):
                decoded = decode_base64(value)
                if isinstance(decoded, str):
                    yield _base64_error(path, decoded)
                    merged[str(key)] = None
                else:
                    merged[str(key)] = decoded
            else:
                merged[str(key)] = b""
            where[str(key)] = path
    string_data = manifest.get("stringData")
    if isinstance(string_data, Mapping):
        for key, value in string_data.items():
            path = f"stringData[{key}]"
            if str(key) not in where:  # a key also in data has its problems reported there
                yield from _key_errors(key, path)
            merged[str(key)] = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else b""
            where[str(key)] = path
    total = sum(len(value) for value in merged.values() if value is not None)
    if total > MAX_SECRET_SIZE:
        yield "data", too_long(MAX_SECRET_SIZE)

    kind = manifest.get("type")
    if kind == "kubernetes.io/service-account-token":
        metadata = manifest.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
        name = annotations.get(SERVICE_ACCOUNT_NAME_KEY) if isinstance(annotations, Mapping) else None
        if not name:
            yield f"metadata.annotations[{SERVICE_ACCOUNT_NAME_KEY}]", required()
    elif kind in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        key = ".dockercfg" if kind == "kubernetes.io/dockercfg" else ".dockerconfigjson"
        if key not in merged:
            yield f"data[{key}]", required()
        elif (content := merged[key]) is not None and (error := _json_object_error(content)) is not None:
            yield where[key], invalid(REDACTED, error)
    elif kind == "kubernetes.io/basic-auth":
        if "username" not in merged and "password" not in merged:
            yield "data[username]", required()
            yield "data[password]", required()
    elif kind == "kubernetes.io/ssh-auth":
        private_key = merged.get("ssh-privatekey", b"")
        if private_key is not None and not private_key:
            yield "data[ssh-privatekey]", required()
    elif kind == "kubernetes.io/tls":
        for key in ("tls.crt", "tls.key"):
            if key not in merged:
                yield f"data[{key}]", required()


__all__ = ["MAX_SECRET_SIZE", "config_map_errors", "decode_base64", "secret_errors"]
