"""What every pod-bearing object of a database carries: the restricted security context and the
checkov skips with their reasons."""

from __future__ import annotations

from typing import Any

from ..kube.security import container_security_context
from ..policies.base import exemption_annotations
from .args import StatefulDatabaseArgs
from .constants import CHECKOV_SKIP


def checkov_skips(args: StatefulDatabaseArgs) -> dict[str, str]:
    skips = [
        "CKV_K8S_11=no CPU limit by design: limits cause CFS throttling; the CPU request is set",
        "CKV_K8S_40=the official postgres image owns its files as UID 999 (postgres); "
        "non-root, no privilege escalation, all capabilities dropped",
    ]
    annotations = {f"{CHECKOV_SKIP}{i}": reason for i, reason in enumerate(skips, start=1)}
    annotations.update(exemption_annotations(args.policy_exemptions))
    return annotations


def restricted(*, uid: int) -> dict[str, Any]:
    return container_security_context(run_as_user=uid, run_as_group=uid)


__all__ = ["checkov_skips", "restricted"]
