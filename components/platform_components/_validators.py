"""Field validators that more than one component (or the stack config) uses, in one place.

Each takes a value and returns it unchanged when it is valid, or raises ``ValueError`` with one line
saying what is wrong and what a valid value looks like (pydantic turns that into the field's error).
A validator that only one module needs stays in that module; the Kubernetes name and quantity rules
live in :mod:`platform_components.kube.names` and :mod:`platform_components.kube.quantity`.

The components' public modules re-export the ones they used to define (``karpenter.check_cron``,
``karpenter.check_duration``, ``workload.validate_workload_name``,
``database.names.validate_database_name``), so existing imports keep working.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .kube.names import check_dns1035_label

_GO_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")
_CRON_FIELD = re.compile(r"^[0-9*/,\-A-Za-z?]+$")
_CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
DATABASE_NAME_MAX = 40
"""Database names prefix pod, PVC and bucket names, so they are shorter than a DNS-1035 label."""


def check_duration(value: str, *, allow_never: bool = False) -> str:
    """A Go duration (``30s``, ``5m``, ``1h30m``), as Karpenter, Argo CD and Flux read them;
    ``Never`` too when ``allow_never``."""
    if allow_never and value == "Never":
        return value
    if not _GO_DURATION.match(value):
        extra = " or 'Never'" if allow_never else ""
        raise ValueError(f"{value!r} is not a duration such as '30s', '5m' or '720h'{extra}")
    return value


def check_cron(value: str) -> str:
    """A five-field cron schedule or a macro (``@daily``), as CronJobs and Karpenter budgets read them."""
    if value in _CRON_MACROS:
        return value
    fields = value.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(f"{value!r} is not a cron schedule with 5 fields such as '0 9 * * mon-fri'")
    return value


def validate_workload_name(name: str) -> str:
    """Workload names become Service names, so they must be DNS-1035 labels."""
    return check_dns1035_label(name)


def validate_database_name(name: str) -> str:
    """Database names become Service names (DNS-1035) and prefix pod, PVC and bucket names (<= 40)."""
    check_dns1035_label(name)
    if len(name) > DATABASE_NAME_MAX:
        raise ValueError(
            f"{name!r} is {len(name)} characters; database names are at most {DATABASE_NAME_MAX} (pod, PVC "
            "and bucket names are derived from them)"
        )
    return name


def check_unique_names(items: Sequence[Any], *, field: str, kind: str) -> None:
    """Every item's ``name`` differs from the others'; the first repeat is reported with both indexes.

    The message has one form for every list of named entries of a stack file::

        duplicate name 'web' (workloads[0] and workloads[2]); workload names must be unique in the stack, rename one

    ``field`` is the list's key (``workloads``), ``kind`` what an entry is (``workload``).
    """
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        name = item.name
        if name in first:
            raise ValueError(
                f"duplicate name {name!r} ({field}[{first[name]}] and {field}[{index}]); "
                f"{kind} names must be unique in the stack, rename one"
            )
        first[name] = index


__all__ = [
    "DATABASE_NAME_MAX",
    "check_cron",
    "check_duration",
    "check_unique_names",
    "validate_database_name",
    "validate_workload_name",
]
