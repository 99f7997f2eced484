"""The string and number validators of ``k8s.io/apimachinery`` (v0.35) that the rule families share,
and the wording of ``field.Error`` (``k8s.io/apimachinery/pkg/util/validation/field/errors.go``).

Each function returns upstream's list of problems (empty when the value is valid) and names the
function it mirrors (``validation.*`` is ``pkg/util/validation/validation.go``, ``content.*`` is
``pkg/api/validate/content``).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from ..names import is_dns1123_subdomain, max_len_error, regex_error

LABEL_KEY_MAX_LENGTH: Final = 63
LABEL_VALUE_MAX_LENGTH: Final = 63
PORT_NAME_MAX_LENGTH: Final = 15
CONFIG_MAP_KEY_MAX_LENGTH: Final = 253

_LABEL_KEY_FMT: Final = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_KEY_ERR: Final = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_LABEL_KEY: Final = re.compile(_LABEL_KEY_FMT)
_LABEL_VALUE_FMT: Final = f"({_LABEL_KEY_FMT})?"
_LABEL_VALUE_ERR: Final = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE: Final = re.compile(_LABEL_VALUE_FMT)
_C_IDENTIFIER_FMT: Final = "[A-Za-z_][A-Za-z0-9_]*"
_C_IDENTIFIER_ERR: Final = (
    "a valid C identifier must start with alphabetic character or '_', followed by a string of "
    "alphanumeric characters or '_'"
)
_C_IDENTIFIER: Final = re.compile(_C_IDENTIFIER_FMT)
_ENV_VAR_NAME_FMT: Final = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_ENV_VAR_NAME_ERR: Final = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', "
    "and must not start with a digit"
)
_ENV_VAR_NAME: Final = re.compile(_ENV_VAR_NAME_FMT)
_RELAXED_ENV_VAR_NAME_ERR: Final = (
    "a valid environment variable name must consist only of printable ASCII characters other than '='"
)
_CONFIG_MAP_KEY_FMT: Final = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_ERR: Final = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
_CONFIG_MAP_KEY: Final = re.compile(_CONFIG_MAP_KEY_FMT)
_PORT_NAME_CHARS: Final = re.compile("[-a-z0-9]+")
_PORT_NAME_LETTER: Final = re.compile("[a-z]")
_PERCENT_FMT: Final = "[0-9]+%"
_PERCENT: Final = re.compile(_PERCENT_FMT)


def empty_error() -> str:
    """``validation.EmptyError``."""
    return "must be non-empty"


def inclusive_range_error(lo: int, hi: int) -> str:
    """``validation.InclusiveRangeError``."""
    return f"must be between {lo} and {hi}, inclusive"


def is_label_key(value: str) -> list[str]:
    """``content.IsLabelKey`` (``validation.IsQualifiedName``): an optional DNS-1123 subdomain
    prefix and ``/``, then a name of at most 63 characters."""
    parts = value.split("/")
    errors: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part " + empty_error())
        else:
            errors += ["prefix part " + message for message in is_dns1123_subdomain(prefix)]
    else:
        return [
            "a valid label key "
            + regex_error(_LABEL_KEY_ERR, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part " + empty_error())
    elif len(name) > LABEL_KEY_MAX_LENGTH:
        errors.append("name part " + max_len_error(LABEL_KEY_MAX_LENGTH))
    if not _LABEL_KEY.fullmatch(name):
        errors.append(
            "name part " + regex_error(_LABEL_KEY_ERR, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


is_qualified_name = is_label_key
"""``validation.IsQualifiedName`` (= ``content.IsLabelKey``)."""


def is_label_value(value: str) -> list[str]:
    """``content.IsLabelValue`` (``validation.IsValidLabelValue``)."""
    errors = []
    if len(value) > LABEL_VALUE_MAX_LENGTH:
        errors.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE.fullmatch(value):
        errors.append(regex_error(_LABEL_VALUE_ERR, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errors


def is_c_identifier(value: str) -> list[str]:
    """``content.IsCIdentifier``."""
    if _C_IDENTIFIER.fullmatch(value):
        return []
    return [regex_error(_C_IDENTIFIER_ERR, _C_IDENTIFIER_FMT, "my_name", "MY_NAME", "MyName")]


def _has_chdir_prefix(value: str) -> list[str]:
    """``validation.hasChDirPrefix``."""
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


def is_env_var_name(value: str) -> list[str]:
    """``validation.IsEnvVarName`` (the strict form, used where relaxed names are not allowed)."""
    errors = []
    if not _ENV_VAR_NAME.fullmatch(value):
        errors.append(
            regex_error(_ENV_VAR_NAME_ERR, _ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1")
        )
    return errors + _has_chdir_prefix(value)


def is_relaxed_env_var_name(value: str) -> list[str]:
    """``validation.IsRelaxedEnvVarName``: printable ASCII other than ``=`` (the rule of
    container env names since the RelaxedEnvironmentVariableValidation gate went GA)."""
    errors = []
    if not value:
        errors.append("environment variable name " + empty_error())
    if any(ord(ch) > 127 or not ch.isprintable() or ch == "=" for ch in value):
        errors.append(_RELAXED_ENV_VAR_NAME_ERR)
    return errors


def is_config_map_key(value: str) -> list[str]:
    """``validation.IsConfigMapKey`` (also Secret keys, projected paths' keys)."""
    errors = []
    if len(value) > CONFIG_MAP_KEY_MAX_LENGTH:
        errors.append(max_len_error(CONFIG_MAP_KEY_MAX_LENGTH))
    if not _CONFIG_MAP_KEY.fullmatch(value):
        errors.append(
            regex_error(_CONFIG_MAP_KEY_ERR, _CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name")
        )
    return errors + _has_chdir_prefix(value)


def is_valid_port_num(port: int) -> list[str]:
    """``validation.IsValidPortNum``: 1-65535."""
    return [] if 1 <= port <= 65535 else [inclusive_range_error(1, 65535)]


def is_in_range(value: int, lo: int, hi: int) -> list[str]:
    """``validation.IsInRange``."""
    return [] if lo <= value <= hi else [inclusive_range_error(lo, hi)]


def is_valid_port_name(port: str) -> list[str]:
    """``validation.IsValidPortName`` (an IANA_SVC_NAME: at most 15 characters, lowercase
    letters, digits and single inner hyphens, at least one letter)."""
    errors = []
    if not 1 <= len(port) <= PORT_NAME_MAX_LENGTH:
        errors.append(max_len_error(PORT_NAME_MAX_LENGTH))
    if not _PORT_NAME_CHARS.fullmatch(port):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(port):
        errors.append("must contain at least one letter (a-z)")
    if "--" in port:
        errors.append("must not contain consecutive hyphens")
    if port.startswith("-") or port.endswith("-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def is_valid_percent(value: str) -> list[str]:
    """``validation.IsValidPercent``."""
    return (
        []
        if _PERCENT.fullmatch(value)
        else [
            regex_error(
                "a valid percent string must be a numeric string followed by an ending '%'",
                _PERCENT_FMT,
                "1%",
                "93%",
            )
        ]
    )


def is_int(value: Any) -> bool:
    """A JSON integer (``bool`` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def bad_value(value: Any) -> str:
    """How ``field.Error`` prints a bad value: strings quoted, numbers and booleans plain,
    anything else as JSON."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def invalid(value: Any, detail: str) -> str:
    """``field.Invalid``'s body."""
    return f"Invalid value: {bad_value(value)}: {detail}" if detail else f"Invalid value: {bad_value(value)}"


def required(detail: str = "") -> str:
    """``field.Required``'s body."""
    return f"Required value: {detail}" if detail else "Required value"


def duplicate(value: Any) -> str:
    """``field.Duplicate``'s body."""
    return f"Duplicate value: {bad_value(value)}"


def forbidden(detail: str) -> str:
    """``field.Forbidden``'s body."""
    return f"Forbidden: {detail}"


def not_supported(value: Any, supported: list[str]) -> str:
    """``field.NotSupported``'s body."""
    listed = ", ".join(json.dumps(item) for item in supported)
    return f"Unsupported value: {bad_value(value)}: supported values: {listed}"


def too_long(limit: int) -> str:
    """``field.TooLong``'s body (the byte limit of a value)."""
    return f"Too long: may not be more than {limit} bytes"


__all__ = [
    "bad_value",
    "duplicate",
    "empty_error",
    "forbidden",
    "inclusive_range_error",
    "invalid",
    "is_c_identifier",
    "is_config_map_key",
    "is_env_var_name",
    "is_in_range",
    "is_int",
    "is_label_key",
    "is_label_value",
    "is_qualified_name",
    "is_relaxed_env_var_name",
    "is_valid_percent",
    "is_valid_port_name",
    "is_valid_port_num",
    "not_supported",
    "required",
    "too_long",
]
