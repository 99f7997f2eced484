"""ConfigMap and Secret validation: ``ValidateConfigMap`` and ``ValidateSecret``
(``pkg/apis/core/validation/validation.go``, Kubernetes 1.35)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from platform_components.preview.apiserver import object_errors
from platform_components.preview.apiserver.configdata import decode_base64
from platform_components.preview.schema import validate_manifest


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def config_map(**fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "t"}, **fields}


def secret(kind: str | None = None, **fields: Any) -> dict[str, Any]:
    manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "t"}, **fields}
    if kind is not None:
        manifest["type"] = kind
    return manifest


def errors(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return list(object_errors(manifest))


def test_validate_config_map_through_validate_manifest() -> None:
    """ValidateConfigMap runs in the preview: a key that is not a config key."""
    found = validate_manifest(config_map(data={"app/config": "x"}), "1.35", display="ConfigMap/c")
    assert [e.path for e in found] == ["data[app/config]"]
    assert found[0].message.startswith('Invalid value: "app/config": a valid config key must consist of')
    assert validate_manifest(config_map(data={"app.yaml": "x", "KEY_1": "y"}), "1.35", display="c") == []


def test_validate_config_map_keys() -> None:
    """ValidateConfigMap: IsConfigMapKey on data and binaryData keys ('..' prefix refused)."""
    assert errors(config_map(binaryData={"..data": b64("x")})) == [
        ("binaryData[..data]", "Invalid value: \"..data\": must not start with '..'")
    ]
    assert errors(config_map(binaryData={".hidden": b64("x")})) == []


def test_validate_config_map_key_in_both_bags() -> None:
    """ValidateConfigMap: a key may not be in both data and binaryData."""
    assert errors(config_map(data={"a": "x"}, binaryData={"a": b64("y")})) == [
        ("data[a]", 'Invalid value: "a": duplicate of key present in binaryData')
    ]


def test_validate_config_map_total_size() -> None:
    """ValidateConfigMap: at most 1 MiB of data and decoded binaryData."""
    half = "x" * (512 * 1024)
    assert errors(config_map(data={"a": half}, binaryData={"b": b64(half + "y")})) == [
        ("", "Too long: may not be more than 1048576 bytes")
    ]
    assert errors(config_map(data={"a": half}, binaryData={"b": b64(half)})) == []


def test_validate_config_map_binary_data_must_be_base64() -> None:
    """ConfigMap binaryData is []byte: a value that is not base64 fails decoding."""
    found = errors(config_map(binaryData={"a": "not base64!"}))
    assert found[0][0] == "binaryData[a]"
    assert "illegal base64 data at input byte 3" in found[0][1]


def test_validate_secret_keys_and_string_data() -> None:
    """ValidateSecret: data and stringData keys are config keys (stringData is merged into data)."""
    assert [path for path, _ in errors(secret(data={"a b": b64("x")}, stringData={"c:d": "x"}))] == [
        "data[a b]",
        "stringData[c:d]",
    ]
    assert errors(secret(data={"a": b64("x")}, stringData={"a": "y", "b": "z"})) == []


def test_validate_secret_total_size_counts_decoded_data_and_string_data() -> None:
    """ValidateSecret: at most 1 MiB of decoded data plus stringData."""
    half = "x" * (512 * 1024)
    assert errors(secret(data={"a": b64(half)}, stringData={"b": half + "y"})) == [
        ("data", "Too long: may not be more than 1048576 bytes")
    ]
    # base64 inflates by 4/3: the limit applies to the decoded bytes
    assert errors(secret(data={"a": b64(half)}, stringData={"b": half})) == []


def test_validate_secret_data_must_be_base64() -> None:
    """Secret data is []byte: plain text fails decoding; line breaks in base64 are ignored."""
    found = errors(secret(data={"password": "hunter2!"}))
    assert found[0][0] == "data[password]" and "illegal base64 data at input byte 7" in found[0][1]
    assert errors(secret(data={"password": "aHVu\ndGVy"})) == []
    assert isinstance(decode_base64("abc"), str)  # missing padding


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        ("kubernetes.io/tls", {"data": {"tls.crt": b64("c")}}, [("data[tls.key]", "Required value")]),
        ("kubernetes.io/dockerconfigjson", {}, [("data[.dockerconfigjson]", "Required value")]),
        (
            "kubernetes.io/dockerconfigjson",
            {"stringData": {".dockerconfigjson": "[1]"}},
            [
                (
                    "stringData[.dockerconfigjson]",
                    'Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value '
                    "of type map[string]interface {}",
                )
            ],
        ),
        ("kubernetes.io/dockercfg", {"data": {".dockercfg": b64("{")}}, [("data[.dockercfg]", None)]),
        (
            "kubernetes.io/basic-auth",
            {},
            [("data[username]", "Required value"), ("data[password]", "Required value")],
        ),
        (
            "kubernetes.io/ssh-auth",
            {"data": {"ssh-privatekey": ""}},
            [("data[ssh-privatekey]", "Required value")],
        ),
        (
            "kubernetes.io/service-account-token",
            {},
            [("metadata.annotations[kubernetes.io/service-account.name]", "Required value")],
        ),
    ],
)
def test_validate_secret_type_fires(
    kind: str, fields: dict[str, Any], expected: list[tuple[str, str | None]]
) -> None:
    """ValidateSecret: the keys each Secret type requires."""
    found = errors(secret(kind, **fields))
    assert [path for path, _ in found] == [path for path, _ in expected]
    for (_, message), (_, wanted) in zip(found, expected, strict=True):
        if wanted is not None:
            assert message == wanted


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("kubernetes.io/tls", {"stringData": {"tls.crt": "c", "tls.key": "k"}}),
        ("kubernetes.io/dockerconfigjson", {"data": {".dockerconfigjson": b64('{"auths": {}}')}}),
        ("kubernetes.io/basic-auth", {"stringData": {"password": ""}}),
        ("kubernetes.io/ssh-auth", {"stringData": {"ssh-privatekey": "k"}}),
        ("Opaque", {}),
        ("example.com/custom", {}),
        (None, {}),
    ],
)
def test_validate_secret_type_silent(kind: str | None, fields: dict[str, Any]) -> None:
    """ValidateSecret: the accepted cases (stringData counts, an empty password, custom types)."""
    assert errors(secret(kind, **fields)) == []


def test_validate_secret_service_account_token_with_annotation() -> None:
    """ValidateSecret: a service-account-token Secret with its annotation is accepted."""
    manifest = secret("kubernetes.io/service-account-token")
    manifest["metadata"]["annotations"] = {"kubernetes.io/service-account.name": "app"}
    assert errors(manifest) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"data": "x"},
        {"data": {"a": 3}, "stringData": [1]},
        {"binaryData": {"a": None}, "data": None},
        {"type": 3},
    ],
)
def test_configdata_never_raises_on_malformed_input(fields: dict[str, Any]) -> None:
    """Wrong types are the schema's job."""
    list(object_errors(config_map(**fields)))
    list(object_errors(secret(**fields)))
