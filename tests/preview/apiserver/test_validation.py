"""apimachinery's shared validators (``pkg/util/validation``, ``pkg/api/validate/content``) and
``field.Error``'s wording, as the rule families use them."""

import pytest
from platform_components.preview.apiserver import _validation as v


@pytest.mark.parametrize(
    "key", ["app", "app.kubernetes.io/name", "a_b.C-1", "x" * 63, "example.com/" + "y" * 63]
)
def test_is_label_key_accepts(key: str) -> None:
    """content.IsLabelKey (validation.IsQualifiedName)."""
    assert v.is_label_key(key) == []


@pytest.mark.parametrize(
    ("key", "start"),
    [
        ("", "name part must be non-empty"),
        ("/name", "prefix part must be non-empty"),
        ("x" * 64, "name part must be no more than 63 characters"),
        ("-app", "name part must consist of"),
        ("Example.com/app", "prefix part a lowercase RFC 1123 subdomain"),
        ("a/b/c", "a valid label key must consist of"),
    ],
)
def test_is_label_key_refuses(key: str, start: str) -> None:
    """content.IsLabelKey."""
    assert v.is_label_key(key)[0].startswith(start)


def test_is_label_value() -> None:
    """content.IsLabelValue: empty or a 63-character name."""
    assert v.is_label_value("") == v.is_label_value("v1.2_3-a") == []
    assert v.is_label_value("x" * 64) == ["must be no more than 63 characters"]
    assert v.is_label_value("bad value")[0].startswith("a valid label must be an empty string")


def test_port_numbers_and_names() -> None:
    """validation.IsValidPortNum and validation.IsValidPortName (IANA_SVC_NAME)."""
    assert v.is_valid_port_num(1) == v.is_valid_port_num(65535) == []
    assert v.is_valid_port_num(0) == v.is_valid_port_num(65536) == ["must be between 1 and 65535, inclusive"]
    assert v.is_valid_port_name("http-metrics") == []
    assert v.is_valid_port_name("a" * 16) == ["must be no more than 15 characters"]
    assert v.is_valid_port_name("8080") == ["must contain at least one letter (a-z)"]
    assert v.is_valid_port_name("a--b") == ["must not contain consecutive hyphens"]
    assert v.is_valid_port_name("-ab") == ["must not begin or end with a hyphen"]
    assert v.is_valid_port_name("HTTP") == [
        "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
        "must contain at least one letter (a-z)",
    ]


def test_env_and_config_keys() -> None:
    """validation.IsEnvVarName, IsRelaxedEnvVarName, IsConfigMapKey (with hasChDirPrefix), IsCIdentifier."""
    assert v.is_env_var_name("MY_VAR.x-1") == []
    assert v.is_env_var_name("1VAR")[0].startswith("a valid environment variable name")
    assert v.is_relaxed_env_var_name("1 VAR!") == []
    assert v.is_relaxed_env_var_name("A=B") == [
        "a valid environment variable name must consist only of printable ASCII characters other than '='"
    ]
    assert v.is_relaxed_env_var_name("") == ["environment variable name must be non-empty"]
    assert v.is_config_map_key("tls.crt") == []
    assert v.is_config_map_key("..data") == ["must not start with '..'"]
    assert v.is_config_map_key("a/b")[0].startswith("a valid config key")
    assert v.is_c_identifier("_ok1") == []
    assert v.is_c_identifier("1no")[0].startswith("a valid C identifier")


def test_field_error_wording() -> None:
    """field.Error.ErrorBody: strings quoted, numbers plain, other values as JSON."""
    assert v.invalid("x", "bad") == 'Invalid value: "x": bad'
    assert v.invalid(70000, "too big") == "Invalid value: 70000: too big"
    assert v.invalid(True, "no") == "Invalid value: true: no"
    assert v.invalid({"b": 1, "a": 2}, "d") == 'Invalid value: {"a":2,"b":1}: d'
    assert v.required() == "Required value"
    assert v.required("give one") == "Required value: give one"
    assert v.duplicate("http") == 'Duplicate value: "http"'
    assert v.not_supported("X", ["A", "B"]) == 'Unsupported value: "X": supported values: "A", "B"'
    assert v.forbidden("not here") == "Forbidden: not here"
    assert v.is_int(3) and not v.is_int(True) and not v.is_int("3")
    assert v.is_valid_percent("25%") == [] and v.is_valid_percent("25")
