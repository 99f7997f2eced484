"""Kubernetes name rules (DNS-1123 / DNS-1035 labels, IANA service names, label keys and values)."""

from __future__ import annotations

import ipaddress
import re

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_IANA_SVC_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


def check_dns1123_label(value: str) -> str:
    """A namespace or object name: lowercase alphanumerics and '-', at most 63 characters."""
    if len(value) > 63 or not _DNS1123_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a DNS-1123 label: use at most 63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    return value


def check_dns1035_label(value: str) -> str:
    """A Service name: like a DNS-1123 label but starting with a letter."""
    if len(value) > 63 or not _DNS1035_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a DNS-1035 label: use at most 63 lowercase letters, digits and '-', "
            "starting with a letter and ending with a letter or digit"
        )
    return value


def check_dns1123_subdomain(value: str) -> str:
    if len(value) > 253 or not _DNS1123_SUBDOMAIN.match(value):
        raise ValueError(f"{value!r} is not a DNS-1123 subdomain (lowercase, digits, '-' and '.')")
    return value


def check_port_name(value: str) -> str:
    """An IANA service name, as Kubernetes requires for container port names (at most 15 characters)."""
    if len(value) > 15 or not _IANA_SVC_NAME.match(value) or "--" in value:
        raise ValueError(
            f"{value!r} is not a valid port name: at most 15 lowercase letters, digits and '-', "
            "with at least one letter, no '--', not starting or ending with '-'"
        )
    return value


def check_label_key(key: str) -> str:
    prefix, _, name = key.rpartition("/")
    if prefix:
        check_dns1123_subdomain(prefix)
    if len(name) > 63 or not _LABEL_NAME.match(name):
        raise ValueError(f"{key!r} is not a valid label key: name part at most 63 chars of [-A-Za-z0-9_.]")
    return key


def check_label_value(value: str) -> str:
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        raise ValueError(f"{value!r} is not a valid label value: at most 63 characters of [-A-Za-z0-9_.]")
    return value


def check_labels(labels: dict[str, str]) -> dict[str, str]:
    for key, value in labels.items():
        check_label_key(key)
        check_label_value(value)
    return labels


def check_env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError(f"{value!r} is not a valid environment variable name")
    return value


def check_cidr(value: str) -> str:
    """A CIDR block in canonical form ('10.0.0.0/16'); host bits must be zero."""
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a CIDR block such as '10.0.0.0/16' ({exc})") from None


__all__ = [
    "check_cidr",
    "check_dns1035_label",
    "check_dns1123_label",
    "check_dns1123_subdomain",
    "check_env_name",
    "check_label_key",
    "check_label_value",
    "check_labels",
    "check_port_name",
]
