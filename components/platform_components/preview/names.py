"""Object names as the Kubernetes API server validates them on creation.

Every kind validates ``metadata.name`` with a name function of its own (``ValidateNameFunc`` in
``k8s.io/apimachinery/pkg/api/validation``); the functions and the kinds that use them mirror
upstream, as do the messages:

============================  ==============================================================
rule                          kinds (upstream)
============================  ==============================================================
DNS-1123 subdomain            every kind not listed below, custom resources included
                              (``NameIsDNSSubdomain``: ``IsDNS1123Subdomain``, at most 253)
DNS-1123 label                core ``Namespace`` (``ValidateNamespaceName = NameIsDNSLabel``),
                              ``apps`` ``StatefulSet`` (``ValidateStatefulSetName =
                              NameIsDNSLabel``: its Pods' host names are the StatefulSet's
                              name plus an ordinal); ``IsDNS1123Label``, at most 63
DNS-1035 label                core ``Service`` (``ValidateServiceName = NameIsDNS1035Label``:
                              ``IsDNS1035Label``, at most 63, starts with a letter)
path segment name             ``rbac.authorization.k8s.io`` ``Role``, ``ClusterRole``,
                              ``RoleBinding``, ``ClusterRoleBinding`` (``ValidateRBACName =
                              path.IsValidPathSegmentName``: not ``.`` or ``..``, no ``/`` or
                              ``%``, no length limit)
DNS-1123 subdomain, at most   ``batch`` ``CronJob`` (``ValidateCronJob``: the Jobs it creates
52 characters                 are named ``<name>-<11 characters>``)
============================  ==============================================================

``metadata.generateName`` is validated as upstream's ``ValidateObjectMetaAccessor`` does it: with
the kind's name function in prefix mode (``maskTrailingDash`` first, so ``web-`` is a valid prefix;
rbac's name function ignores prefix mode); the name the API server then generates
(:func:`generated_name`) is validated like any name. ``metadata.namespace``, when given, is a
DNS-1123 label (``ValidateNamespaceName``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

DNS1123_LABEL_MAX_LENGTH: Final = 63
DNS1123_SUBDOMAIN_MAX_LENGTH: Final = 253
DNS1035_LABEL_MAX_LENGTH: Final = 63
CRONJOB_NAME_MAX_LENGTH: Final = DNS1035_LABEL_MAX_LENGTH - 11
"""``ValidateCronJob``: the CronJob controller names each Job ``<cronjob>-<scheduled time>``."""

_DNS1123_LABEL_FMT: Final = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_ERR: Final = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT: Final = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_ERR: Final = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_DNS1035_LABEL_FMT: Final = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_ERR: Final = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character"
)
# Go's regexp.MatchString with ^...$ anchors: fullmatch (Python's $ would also match before a final \n)
_DNS1123_LABEL: Final = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN: Final = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL: Final = re.compile(_DNS1035_LABEL_FMT)

NAME_MAY_NOT_BE: Final = (".", "..")
NAME_MAY_NOT_CONTAIN: Final = ("/", "%")

RBAC_KINDS: Final = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})

NameFunc = Callable[[str, bool], list[str]]
"""``ValidateNameFunc``: the problems of a name (``prefix``: a ``generateName``), empty when valid."""


def max_len_error(length: int) -> str:
    """``validation.MaxLenError``."""
    return f"must be no more than {length} characters"


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """``validation.RegexError`` (its punctuation included)."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    text = message + " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            text += " or "
        text += f"'{example}', "
    return text + f"regex used for validation is '{fmt}')"


def is_dns1123_label(value: str) -> list[str]:
    """``validation.IsDNS1123Label``."""
    errors = []
    if len(value) > DNS1123_LABEL_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL.fullmatch(value):
        if _DNS1123_SUBDOMAIN.fullmatch(value):
            errors.append("must not contain dots")
        else:
            errors.append(regex_error(_DNS1123_LABEL_ERR, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errors


def is_dns1123_subdomain(value: str) -> list[str]:
    """``validation.IsDNS1123Subdomain``."""
    errors = []
    if len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        errors.append(regex_error(_DNS1123_SUBDOMAIN_ERR, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def is_dns1035_label(value: str) -> list[str]:
    """``validation.IsDNS1035Label``."""
    errors = []
    if len(value) > DNS1035_LABEL_MAX_LENGTH:
        errors.append(max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL.fullmatch(value):
        errors.append(regex_error(_DNS1035_LABEL_ERR, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errors


def is_valid_path_segment_name(name: str) -> list[str]:
    """``path.IsValidPathSegmentName``."""
    for illegal in NAME_MAY_NOT_BE:
        if name == illegal:
            return [f"may not be '{illegal}'"]
    return is_valid_path_segment_prefix(name)


def is_valid_path_segment_prefix(name: str) -> list[str]:
    """``path.IsValidPathSegmentPrefix``."""
    return [f"may not contain '{illegal}'" for illegal in NAME_MAY_NOT_CONTAIN if illegal in name]


def mask_trailing_dash(name: str) -> str:
    """``maskTrailingDash``: a prefix may end with ``-`` (the generated suffix follows it).

    Upstream replaces the last *two* characters by ``a`` (``name[:len(name)-2] + "a"``), which
    only ever makes the prefix shorter; mirrored as is, for a prefix of at least two characters
    (as upstream's earlier ``len(name) > 1`` guard did: ``-`` alone stays ``-`` and is refused)."""
    if len(name) > 1 and name.endswith("-"):
        return name[:-2] + "a"
    return name


def name_is_dns_subdomain(name: str, prefix: bool) -> list[str]:
    """``NameIsDNSSubdomain``."""
    return is_dns1123_subdomain(mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool) -> list[str]:
    """``NameIsDNSLabel`` (= ``ValidateNamespaceName``)."""
    return is_dns1123_label(mask_trailing_dash(name) if prefix else name)


def name_is_dns1035_label(name: str, prefix: bool) -> list[str]:
    """``NameIsDNS1035Label`` (= core ``ValidateServiceName``)."""
    return is_dns1035_label(mask_trailing_dash(name) if prefix else name)


def validate_path_segment_name(name: str, prefix: bool) -> list[str]:
    """``path.ValidatePathSegmentName`` (the name function of an embedded resource's metadata)."""
    return is_valid_path_segment_prefix(name) if prefix else is_valid_path_segment_name(name)


def validate_rbac_name(name: str, prefix: bool) -> list[str]:
    """rbac ``ValidateRBACName``: ``path.IsValidPathSegmentName`` whether or not the name is a
    prefix (so a generateName of ``.`` is refused too)."""
    return is_valid_path_segment_name(name)


def validate_cronjob_name(name: str, prefix: bool) -> list[str]:
    """``ValidateCronJob``: ``ValidateReplicationControllerName`` (a subdomain), then at most 52
    characters for the name itself."""
    errors = name_is_dns_subdomain(name, prefix)
    if not prefix and len(name) > CRONJOB_NAME_MAX_LENGTH:
        errors.append(max_len_error(CRONJOB_NAME_MAX_LENGTH))
    return errors


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def name_function(api_version: str, kind: str) -> NameFunc:
    """The name function the API server applies to objects of ``apiVersion``/``kind``."""
    group = _group(api_version)
    if group == "" and kind == "Service":
        return name_is_dns1035_label
    if group == "" and kind == "Namespace":
        return name_is_dns_label
    if group == "apps" and kind == "StatefulSet":
        return name_is_dns_label
    if group == "batch" and kind == "CronJob":
        return validate_cronjob_name
    if group == "rbac.authorization.k8s.io" and kind in RBAC_KINDS:
        return validate_rbac_name
    return name_is_dns_subdomain


_GENERATED_ALPHABET: Final = "bcdfghjklmnpqrstvwxz2456789"
"""``utilrand.String``'s alphabet (no vowels, no confusable characters)."""
MAX_GENERATED_NAME_LENGTH: Final = 63 - 5
"""``names.MaxGeneratedNameLength``: ``SimpleNameGenerator`` keeps 58 characters of the prefix."""


def generated_name(generate_name: str, seed: str) -> str:
    """The name the API server generates from ``generateName`` (``SimpleNameGenerator``: the prefix
    cut to 58 characters and 5 random characters), the random part derived from ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    suffix = "".join(_GENERATED_ALPHABET[b % len(_GENERATED_ALPHABET)] for b in digest[:5])
    return generate_name[:MAX_GENERATED_NAME_LENGTH] + suffix


def metadata_errors(manifest: Mapping[str, Any], path: str = "metadata") -> Iterator[tuple[str, str]]:
    """``(field path, message)`` for the generateName, name and namespace of ``manifest`` that the
    API server refuses, in the order upstream's ``ValidateObjectMetaAccessor`` reports them.

    Values that are not strings are left to the schema (they are type errors there)."""
    meta = manifest.get("metadata")
    if not isinstance(meta, Mapping):
        return
    check = name_function(str(manifest.get("apiVersion") or ""), str(manifest.get("kind") or ""))
    generate_name = meta.get("generateName")
    if isinstance(generate_name, str) and generate_name:
        for message in check(generate_name, True):
            yield f"{path}.generateName", message
    name = meta.get("name")
    if isinstance(name, str) and name:
        for message in check(name, False):
            yield f"{path}.name", message
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace:
        for message in name_is_dns_label(namespace, False):
            yield f"{path}.namespace", message


__all__ = [
    "generated_name",
    "is_dns1035_label",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_valid_path_segment_name",
    "metadata_errors",
    "name_function",
    "validate_path_segment_name",
]
