"""Security contexts that pass Pod Security Standards *restricted* and checkov's quirks.

Both the pod-level and the container-level context are set: checkov's CKV_K8S_31 only reads the pod
level, PSA accepts either, and a container-level ``allowPrivilegeEscalation: false`` must be explicit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DEFAULT_UID = 65532
"""The distroless/Chainguard ``nonroot`` user: non-zero, and >= 10000 so it never maps to a host user."""


def pod_security_context(
    *,
    run_as_user: int,
    run_as_group: int,
    fs_group: int | None,
    run_as_non_root: bool = True,
    seccomp_profile: str = "RuntimeDefault",
    localhost_profile: str | None = None,
    supplemental_groups: Sequence[int] = (),
) -> dict[str, Any]:
    seccomp: dict[str, Any] = {"type": seccomp_profile}
    if seccomp_profile == "Localhost" and localhost_profile:
        seccomp["localhostProfile"] = localhost_profile
    context: dict[str, Any] = {
        "runAsNonRoot": run_as_non_root,
        "runAsUser": run_as_user,
        "runAsGroup": run_as_group,
        "seccompProfile": seccomp,
    }
    if fs_group is not None:
        context["fsGroup"] = fs_group
        context["fsGroupChangePolicy"] = "OnRootMismatch"
    if supplemental_groups:
        context["supplementalGroups"] = list(supplemental_groups)
    return context


def container_security_context(
    *,
    read_only_root_filesystem: bool = True,
    allow_privilege_escalation: bool = False,
    add_capabilities: Sequence[str] = (),
    run_as_non_root: bool = True,
    run_as_user: int | None = None,
    run_as_group: int | None = None,
    privileged: bool = False,
) -> dict[str, Any]:
    capabilities: dict[str, Any] = {"drop": ["ALL"]}
    if add_capabilities:
        capabilities["add"] = list(add_capabilities)
    context: dict[str, Any] = {
        "allowPrivilegeEscalation": allow_privilege_escalation,
        "readOnlyRootFilesystem": read_only_root_filesystem,
        "runAsNonRoot": run_as_non_root,
        "capabilities": capabilities,
        "privileged": privileged,
    }
    if run_as_user is not None:
        context["runAsUser"] = run_as_user
    if run_as_group is not None:
        context["runAsGroup"] = run_as_group
    return context


__all__ = ["DEFAULT_UID", "container_security_context", "pod_security_context"]
