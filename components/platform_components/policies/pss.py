"""Pod Security Standards (baseline and restricted) as one rule per PSA control.

Each rule mirrors a ``policy/check_*.go`` of kubernetes/pod-security-admission at the newest policy
version (policy-anchors §1A, §1B and §2) and applies to the pod template of every pod-bearing kind.
Every PSA check of the newest policy version the platform pins (namespaces pin
``pod-security.kubernetes.io/enforce-version`` to the cluster minor, ``v1.35`` by default and at most
``v1.36``, which have the same 19 checks as policy 1.37; only the safe sysctls differ) is a
**mandatory** rule, because PSA refuses a pod that fails any of them: a preview must fail where
admission would. :data:`PSS_CONTROLS` maps the controls of the Kubernetes "Pod Security Standards" page
to their rules.

* ``PS.os.name == "windows"`` exempts the restricted checks marked [W] (allowPrivilegeEscalation,
  seccompProfile_restricted, capabilities_restricted), as PSA does since policy 1.25.
* ``PS.hostUsers == false`` (a user-namespaced pod) relaxes the checks marked [U] (runAsNonRoot,
  runAsUser), as PSA does since policy 1.35. The baseline ``procMount`` check is relaxed the same way
  since policy 1.35, but ``procMount_restricted`` (policy 1.35, ``check_procMount_restricted.go``,
  which overrides ``procMount`` at restricted) is not: ``pss-proc-mount`` is the baseline check and
  ``pss-proc-mount-restricted`` the restricted one.
* ``hostProbesAndHostLifecycle`` (``check_hostProbesAndHostLifecycle.go``, baseline, policy 1.34+)
  forbids any non-empty ``host`` in ``httpGet``/``tcpSocket`` of the probes and lifecycle hooks of
  ``C*`` (``127.0.0.1`` and ``::1`` included); it is mandatory like every other control.
* ``hostPorts`` judges a Pod as PSA sees it, after ``SetDefaults_Pod``: with ``hostNetwork: true`` an
  unset ``hostPort`` becomes the ``containerPort`` (pod templates are not defaulted so).
* ``sysctls`` allows the safe set of :data:`PINNED_POLICY_VERSION` (the newest minor the platform supports),
  not of the newest policy: the 1.37 additions are refused by PSA at a v1.35 or v1.36 pin.
* ``pss-non-root-groups`` is not a PSA control (an old draft listed it as optional; no PSA check
  exists for it); it is advisory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from platform_components.policies._pod import (
    WORKLOAD_TYPES,
    Container,
    PodView,
    as_int,
    as_list,
    as_map,
    dig,
    is_false,
    is_true,
    is_zero,
    maps,
    one_of,
    pod_view,
    show,
    strings,
    text,
    unset_or_false,
)
from platform_components.policies.base import CelCheck, Enforcement, Resource, ResourceCheck, Rule, Severity
from platform_components.versions import SUPPORTED_KUBERNETES_VERSIONS

PodCheck = Callable[[PodView], Iterator[str]]

BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
RESTRICTED_ADD_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})

#: The PSS safe sysctls (policy-anchors §2; ``check_sysctls.go``) -> the policy version that allowed them.
SAFE_SYSCTLS_SINCE: Mapping[str, tuple[int, int]] = {
    "kernel.shm_rmid_forced": (1, 0),
    "net.ipv4.ip_local_port_range": (1, 0),
    "net.ipv4.tcp_syncookies": (1, 0),
    "net.ipv4.ping_group_range": (1, 0),
    "net.ipv4.ip_unprivileged_port_start": (1, 0),
    "net.ipv4.ip_local_reserved_ports": (1, 27),
    "net.ipv4.tcp_keepalive_time": (1, 29),
    "net.ipv4.tcp_fin_timeout": (1, 29),
    "net.ipv4.tcp_keepalive_intvl": (1, 29),
    "net.ipv4.tcp_keepalive_probes": (1, 29),
    "net.ipv4.tcp_rmem": (1, 32),
    "net.ipv4.tcp_wmem": (1, 32),
    "net.ipv4.tcp_slow_start_after_idle": (1, 37),
    "net.ipv4.tcp_notsent_lowat": (1, 37),
}


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.removeprefix("v").split(".")
    return int(major), int(minor)


#: The newest PSA policy version a namespace of the platform can pin: namespaces pin
#: ``pod-security.kubernetes.io/enforce-version`` to ``v<cluster minor>`` and the cluster minor is one of
#: :data:`~platform_components.versions.SUPPORTED_KUBERNETES_VERSIONS`.
PINNED_POLICY_VERSION: tuple[int, int] = max(_minor(version) for version in SUPPORTED_KUBERNETES_VERSIONS)


def safe_sysctls(version: tuple[int, int]) -> frozenset[str]:
    """The sysctls PSA allows at policy ``version``."""
    return frozenset(name for name, since in SAFE_SYSCTLS_SINCE.items() if since <= version)


#: The sysctls ``pss-sysctls`` allows: those of :data:`PINNED_POLICY_VERSION`. A sysctl allowed only by a
#: newer policy (the 1.37 additions while the platform pins at most 1.36) is refused by PSA at the
#: pinned version, so the preview refuses it too.
SAFE_SYSCTLS = safe_sysctls(PINNED_POLICY_VERSION)

SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
APPARMOR_TYPES = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
SECCOMP_RESTRICTED_TYPES = frozenset({"RuntimeDefault", "Localhost"})
RESTRICTED_VOLUME_TYPES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
#: Every volume source of ``core/v1`` ``Volume`` (the API schema of every supported minor: checked by
#: tests/policies/test_pss_admission.py). The CEL form of ``pss-volume-types`` cannot iterate over the
#: fields of a typed object, so it names the sources outside :data:`RESTRICTED_VOLUME_TYPES`.
VOLUME_SOURCE_TYPES = RESTRICTED_VOLUME_TYPES | frozenset(
    {
        "awsElasticBlockStore",
        "azureDisk",
        "azureFile",
        "cephfs",
        "cinder",
        "fc",
        "flexVolume",
        "flocker",
        "gcePersistentDisk",
        "gitRepo",
        "glusterfs",
        "hostPath",
        "iscsi",
        "nfs",
        "photonPersistentDisk",
        "portworxVolume",
        "quobyte",
        "rbd",
        "scaleIO",
        "storageos",
        "vsphereVolume",
    }
)
PROBE_FIELDS = ("livenessProbe", "readinessProbe", "startupProbe")
LIFECYCLE_FIELDS = ("postStart", "preStop")


def on_pod(check: PodCheck) -> ResourceCheck:
    """Adapt a check over the pod view into a :data:`ResourceCheck` (non-pod types yield nothing)."""

    def run(resource: Resource) -> Iterator[str]:
        view = pod_view(resource.type, resource.props)
        if view is not None:
            yield from check(view)

    run.__name__ = check.__name__
    run.__doc__ = check.__doc__
    return run


def _rule(
    rule_id: str,
    severity: Severity,
    enforcement: Enforcement,
    description: str,
    check: PodCheck,
    cel: CelCheck | None = None,
    *,
    fix: str,
) -> Rule:
    return Rule(
        id=rule_id,
        description=description,
        severity=severity,
        enforcement=enforcement,
        types=WORKLOAD_TYPES,
        check=on_pod(check),
        cel=(cel,) if cel else (),
        fix=fix,
    )


def _contexts(view: PodView) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(path, securityContext)`` of the pod and of every container of ``C*``."""
    yield view.sc_path, view.security_context
    for container in view.containers():
        yield f"{container.label}.securityContext", container.security_context


# --- baseline ----------------------------------------------------------------------------------------------


def _host_namespaces(view: PodView) -> Iterator[str]:
    for field_name in ("hostNetwork", "hostPID", "hostIPC"):
        value = view.spec.get(field_name)
        if not unset_or_false(value):
            yield (
                f"{view.path}.{field_name} is {show(value)}; remove it or set it to false "
                "(PSS baseline: host namespaces)"
            )


def _privileged(view: PodView) -> Iterator[str]:
    for container in view.containers():
        value = container.security_context.get("privileged")
        if not unset_or_false(value):
            yield (
                f"{container.label}.securityContext.privileged is {show(value)}; remove it or set it to "
                "false (PSS baseline: privileged containers)"
            )


def _added_capabilities(container: Container) -> list[str]:
    """``capabilities.add`` as strings (a non-string entry is rendered so that it fails the allowlist)."""
    added = dig(container.security_context, "capabilities", "add")
    items = [added] if isinstance(added, str) else as_list(added)
    return [item if isinstance(item, str) else show(item) for item in items]


def _capabilities_baseline(view: PodView) -> Iterator[str]:
    for container in view.containers():
        bad = sorted(set(_added_capabilities(container)) - BASELINE_CAPABILITIES)
        if bad:
            yield (
                f"{container.label}.securityContext.capabilities.add contains {', '.join(bad)}; add only "
                "capabilities of the PSS baseline set (PSS baseline: capabilities)"
            )


def _host_path(view: PodView) -> Iterator[str]:
    for label, volume in view.volumes():
        if volume.get("hostPath") is not None:
            yield (
                f"{label}.hostPath is set; use an emptyDir, configMap, secret, projected or PVC volume "
                "instead (PSS baseline: hostPath volumes)"
            )


RUNTIME_SOCKETS = ("docker.sock", "containerd.sock", "crio.sock")
#: RE2 for CEL ``matches``: a path ending with one of :data:`RUNTIME_SOCKETS`, trailing slashes ignored.
RUNTIME_SOCKET_RE2 = "(?:" + "|".join(name.replace(".", "[.]") for name in RUNTIME_SOCKETS) + ")/*$"


def _runtime_socket(view: PodView) -> Iterator[str]:
    for label, volume in view.volumes():
        path = text(dig(volume, "hostPath", "path")).rstrip("/")
        if path.endswith(RUNTIME_SOCKETS):
            yield (
                f"{label}.hostPath.path mounts the container runtime socket {path}; remove the volume "
                "(access to the runtime socket is root on the node)"
            )


def _host_ports(view: PodView) -> Iterator[str]:
    """``hostPorts``. On a Pod (not a pod template) with ``hostNetwork: true`` the API server sets every
    unset (or 0) ``hostPort`` of its containers and init containers to the ``containerPort``
    (``SetDefaults_Pod``) before PSA judges the pod, so such a port is a host port too."""
    defaulted = view.path == "spec" and is_true(view.spec.get("hostNetwork"))  # a Pod's own spec
    for container in view.containers():
        for index, port in maps(container.body.get("ports")):
            value = port.get("hostPort")
            container_port = as_int(port.get("containerPort"))
            if value is not None and not is_zero(value):
                yield (
                    f"{container.label}.ports[{index}].hostPort is {show(value)}; remove it and expose the "
                    "port through a Service (PSS baseline: host ports)"
                )
            elif defaulted and container.field != "ephemeralContainers" and container_port not in (None, 0):
                yield (
                    f"{container.label}.ports[{index}] has no hostPort, but on a Pod with hostNetwork: true "
                    f"the API server sets it to the containerPort {container_port}; remove the port or "
                    "hostNetwork (PSS baseline: host ports)"
                )


def _apparmor(view: PodView) -> Iterator[str]:
    for key, value in view.annotations.items():
        if not isinstance(key, str) or not key.startswith(APPARMOR_ANNOTATION):
            continue
        profile = text(value)
        if not isinstance(value, str) or not (
            profile in ("", "runtime/default") or profile.startswith("localhost/")
        ):
            yield (
                f'{view.metadata_path}.annotations["{key}"] is {show(value)}; use "runtime/default" or '
                '"localhost/<profile>" (PSS baseline: AppArmor)'
            )
    for path, context in _contexts(view):
        profile_type = dig(context, "appArmorProfile", "type")
        if profile_type is not None and not one_of(profile_type, APPARMOR_TYPES):
            yield (
                f"{path}.appArmorProfile.type is {show(profile_type)}; use RuntimeDefault or Localhost "
                "(PSS baseline: AppArmor)"
            )


def _selinux(view: PodView) -> Iterator[str]:
    for path, context in _contexts(view):
        options = context.get("seLinuxOptions")
        if options is None:
            continue
        if not isinstance(options, Mapping):
            yield f"{path}.seLinuxOptions is malformed; remove it (PSS baseline: SELinux)"
            continue
        selinux_type = options.get("type")
        if selinux_type is not None and not one_of(selinux_type, SELINUX_TYPES):
            yield (
                f"{path}.seLinuxOptions.type is {show(selinux_type)}; use container_t, container_init_t, "
                "container_kvm_t or container_engine_t (PSS baseline: SELinux)"
            )
        for field_name in ("user", "role"):
            value = options.get(field_name)
            if value is not None and value != "":
                yield (f"{path}.seLinuxOptions.{field_name} is set; remove it (PSS baseline: SELinux)")


def _unmasked_proc(view: PodView, level: str) -> Iterator[str]:
    for container in view.containers():
        value = container.security_context.get("procMount")
        if value is not None and value != "Default":
            yield (
                f"{container.label}.securityContext.procMount is {show(value)}; remove it or set it to "
                f"Default ({level}: /proc mount type)"
            )


def _proc_mount(view: PodView) -> Iterator[str]:
    """``procMount`` (baseline): since policy 1.35 a user-namespaced pod (``hostUsers: false``) may
    unmask /proc (``check_procMount.go``)."""
    if view.user_namespace:
        return
    yield from _unmasked_proc(view, "PSS baseline")


def _proc_mount_restricted(view: PodView) -> Iterator[str]:
    """``procMount_restricted`` (policy 1.35, ``check_procMount_restricted.go``): no user-namespace
    relaxation under restricted."""
    yield from _unmasked_proc(view, "PSS restricted")


def _seccomp_baseline(view: PodView) -> Iterator[str]:
    for path, context in _contexts(view):
        if dig(context, "seccompProfile", "type") == "Unconfined":
            yield (
                f"{path}.seccompProfile.type is Unconfined; use RuntimeDefault or Localhost "
                "(PSS baseline: seccomp)"
            )


def _sysctls(view: PodView) -> Iterator[str]:
    for index, sysctl in maps(view.security_context.get("sysctls")):
        name = sysctl.get("name")
        if not one_of(name, SAFE_SYSCTLS):
            yield (
                f"{view.sc_path}.sysctls[{index}].name {show(name)} is not a safe sysctl; remove it or "
                "use one of the PSS safe sysctls (PSS baseline: sysctls)"
            )


def _windows_host_process(view: PodView) -> Iterator[str]:
    for path, context in _contexts(view):
        value = dig(context, "windowsOptions", "hostProcess")
        if not unset_or_false(value):
            yield (
                f"{path}.windowsOptions.hostProcess is {show(value)}; remove it or set it to false "
                "(PSS baseline: Windows HostProcess)"
            )


def _host_probes(view: PodView) -> Iterator[str]:
    for container in view.containers():
        handlers: list[tuple[str, Any]] = [(probe, container.body.get(probe)) for probe in PROBE_FIELDS]
        lifecycle = as_map(container.body.get("lifecycle"))
        handlers += [(f"lifecycle.{hook}", lifecycle.get(hook)) for hook in LIFECYCLE_FIELDS]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = dig(handler, action, "host")
                if host is not None and host != "":
                    yield (
                        f"{container.label}.{where}.{action}.host is set; remove it so the kubelet probes "
                        "the pod itself (PSS baseline: host probes and lifecycle hooks)"
                    )


# --- restricted ----------------------------------------------------------------------------------------


def _volume_types(view: PodView) -> Iterator[str]:
    for label, volume in view.volumes():
        bad = sorted(
            str(key)
            for key, value in volume.items()
            if key != "name" and value is not None and key not in RESTRICTED_VOLUME_TYPES
        )
        if bad:
            yield (
                f"{label} uses the volume type {', '.join(bad)}; use only configMap, csi, downwardAPI, "
                "emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret (PSS restricted: "
                "volume types)"
            )


def _no_privilege_escalation(view: PodView) -> Iterator[str]:
    if view.is_windows:
        return
    for container in view.containers():
        if not is_false(container.security_context.get("allowPrivilegeEscalation")):
            yield (
                f"{container.label}.securityContext.allowPrivilegeEscalation is not false; set it to false "
                "explicitly (PSS restricted)"
            )


def _run_as_non_root(view: PodView) -> Iterator[str]:
    if view.user_namespace:
        return
    pod_value = view.security_context.get("runAsNonRoot")
    if is_false(pod_value):
        yield f"{view.sc_path}.runAsNonRoot is false; set it to true (PSS restricted: run as non-root)"
    unset: list[str] = []
    for container in view.containers():
        value = container.security_context.get("runAsNonRoot")
        if is_false(value):
            yield (
                f"{container.label}.securityContext.runAsNonRoot is false; set it to true or remove it "
                "(PSS restricted: run as non-root)"
            )
        elif not is_true(value):
            unset.append(container.label)
    if not is_true(pod_value) and unset:
        yield (
            f"{view.sc_path}.runAsNonRoot is not true and securityContext.runAsNonRoot is not true on "
            f"{', '.join(unset)}; set runAsNonRoot: true on the pod securityContext (PSS restricted: run as "
            "non-root)"
        )


def _run_as_user_nonzero(view: PodView) -> Iterator[str]:
    if view.user_namespace:
        return
    for path, context in _contexts(view):
        if is_zero(context.get("runAsUser")):
            yield (
                f"{path}.runAsUser is 0 (root); use a non-zero UID such as 65532 "
                "(PSS restricted: run as non-root user)"
            )


def _seccomp_restricted(view: PodView) -> Iterator[str]:
    if view.is_windows:
        return
    for path, context in _contexts(view):
        profile_type = dig(context, "seccompProfile", "type")
        if profile_type is not None and not one_of(profile_type, SECCOMP_RESTRICTED_TYPES):
            yield (
                f"{path}.seccompProfile.type is {show(profile_type)}; use RuntimeDefault or Localhost "
                "(PSS restricted: seccomp)"
            )
    if one_of(dig(view.security_context, "seccompProfile", "type"), SECCOMP_RESTRICTED_TYPES):
        return
    unset = [
        container.label
        for container in view.containers()
        if dig(container.security_context, "seccompProfile", "type") is None
    ]
    if unset:
        yield (
            f"{view.sc_path}.seccompProfile.type is not set and securityContext.seccompProfile.type is not "
            f"set on {', '.join(unset)}; set seccompProfile.type: RuntimeDefault on the pod securityContext "
            "(PSS restricted: seccomp)"
        )


def _capabilities_restricted(view: PodView) -> Iterator[str]:
    if view.is_windows:
        return
    for container in view.containers():
        dropped = strings(dig(container.security_context, "capabilities", "drop"))
        if "ALL" not in dropped:
            yield (
                f'{container.label}.securityContext.capabilities.drop does not contain "ALL"; set drop: '
                '["ALL"] (PSS restricted: capabilities)'
            )
        bad = sorted(set(_added_capabilities(container)) - RESTRICTED_ADD_CAPABILITIES)
        if bad:
            yield (
                f"{container.label}.securityContext.capabilities.add contains {', '.join(bad)}; add at most "
                "NET_BIND_SERVICE (PSS restricted: capabilities)"
            )


def _non_root_groups(view: PodView) -> Iterator[str]:
    for path, context in _contexts(view):
        if is_zero(context.get("runAsGroup")):
            yield f"{path}.runAsGroup is 0 (root group); use a non-zero GID such as 65532"
    if is_zero(view.security_context.get("fsGroup")):
        yield f"{view.sc_path}.fsGroup is 0 (root group); use a non-zero GID such as 65532"
    for index, group in enumerate(as_list(view.security_context.get("supplementalGroups"))):
        if as_int(group) == 0:
            yield f"{view.sc_path}.supplementalGroups[{index}] is 0 (root group); remove it"


# --- CEL forms of the PSS rules (admission; see platform_components.policies.admission) ----------------
#
# Written against ``variables.spec`` (PS), ``variables.containers`` (initContainers + containers) and
# ``variables.annotations`` (PM.annotations). Every optional field is guarded with has(); the pod's
# securityContext (a PodSecurityContext) and a container's (a SecurityContext) share the fields the
# "every context" checks read.

_CEL_WINDOWS = "has(variables.spec.os) && has(variables.spec.os.name) && variables.spec.os.name.lowerAscii() == 'windows'"
"""``PodView.is_windows``: exempts the [W] restricted checks."""
_CEL_USER_NAMESPACE = "has(variables.spec.hostUsers) && !variables.spec.hostUsers"
"""``PodView.user_namespace`` (``hostUsers: false``): relaxes the [U] checks."""
_CEL_POD_HOST_NETWORK = (
    "object.kind == 'Pod' && has(variables.spec.hostNetwork) && variables.spec.hostNetwork"
)
"""A Pod (not a template) with ``hostNetwork: true``: its unset hostPorts become the containerPorts."""

_CelValue = Callable[[str], str]


def _cel_list(values: frozenset[str]) -> str:
    """A CEL list literal of ``values`` (sorted), made from the Python constant."""
    return "[" + ", ".join(f"'{value}'" for value in sorted(values)) + "]"


def _cel_has(base: str, path: str) -> str:
    """``has()`` of every level of ``base.path``: ``has(c.a) && has(c.a.b)``."""
    parts = path.split(".")
    return " && ".join(f"has({'.'.join([base, *parts[: i + 1]])})" for i in range(len(parts)))


def _cel_absent_or(base: str, path: str, condition: _CelValue) -> str:
    """CEL: ``base.path`` is absent (at any level) or ``condition`` holds for its value."""
    parts = path.split(".")
    absent = " || ".join(f"!has({'.'.join([base, *parts[: i + 1]])})" for i in range(len(parts)))
    return f"({absent} || {condition(f'{base}.{path}')})"


def _cel_set_and(base: str, path: str, condition: _CelValue) -> str:
    """CEL: ``base.path`` is set and ``condition`` holds for its value."""
    return f"({_cel_has(base, path)} && {condition(f'{base}.{path}')})"


def _cel_every_context(path: str, condition: _CelValue) -> str:
    """CEL: ``condition`` holds for ``securityContext.<path>`` of the pod and of every container, where set
    (``_contexts``)."""
    return (
        f"({_cel_absent_or('variables.spec', f'securityContext.{path}', condition)} && "
        f"variables.containers.all(c, {_cel_absent_or('c', f'securityContext.{path}', condition)}))"
    )


def _cel_empty(value: str) -> str:
    return f"{value} == ''"


def _cel_no_host(handler: str) -> str:
    """CEL: no non-empty ``host`` in the httpGet / tcpSocket of a probe or lifecycle handler."""
    return (
        "("
        + " && ".join(
            _cel_absent_or(handler, f"{action}.host", _cel_empty) for action in ("httpGet", "tcpSocket")
        )
        + ")"
    )


def _cel_host_probes() -> str:
    handlers = [_cel_absent_or("c", probe, _cel_no_host) for probe in PROBE_FIELDS]
    handlers += [_cel_absent_or("c", f"lifecycle.{hook}", _cel_no_host) for hook in LIFECYCLE_FIELDS]
    return f"variables.containers.all(c, {' && '.join(handlers)})"


class PsaCheck(NamedTuple):
    """One check of kubernetes/pod-security-admission (``policy/check_<id>.go``) and its rule."""

    id: str
    level: str
    rule: str


_b, _r = "baseline", "restricted"

#: The controls of the Kubernetes "Pod Security Standards" page at policy 1.37 (the same controls as at
#: the pinned 1.35 and 1.36: the newest, Host Probes / Lifecycle Hooks, came with 1.34) -> their PSA
#: checks, each with the rule enforcing it. Every rule listed here is mandatory
#: (tests/policies/test_pss_controls.py); the upstream conformance fixtures are checked against them
#: (tests/policies/test_pss_conformance.py).
PSS_CONTROLS: Mapping[str, tuple[PsaCheck, ...]] = {
    # baseline
    "HostProcess": (PsaCheck("windowsHostProcess", _b, "pss-windows-hostprocess"),),
    "Host Namespaces": (PsaCheck("hostNamespaces", _b, "pss-host-namespaces"),),
    "Privileged Containers": (PsaCheck("privileged", _b, "pss-privileged"),),
    "Capabilities": (PsaCheck("capabilities_baseline", _b, "pss-capabilities-baseline"),),
    "HostPath Volumes": (PsaCheck("hostPathVolumes", _b, "pss-host-path"),),
    "Host Ports": (PsaCheck("hostPorts", _b, "pss-host-ports"),),
    "Host Probes / Lifecycle Hooks": (PsaCheck("hostProbesAndHostLifecycle", _b, "pss-host-probes"),),
    "AppArmor": (PsaCheck("appArmorProfile", _b, "pss-apparmor"),),
    "SELinux": (PsaCheck("seLinuxOptions", _b, "pss-selinux"),),
    "/proc Mount Type": (
        PsaCheck("procMount", _b, "pss-proc-mount"),
        PsaCheck("procMount_restricted", _r, "pss-proc-mount-restricted"),
    ),
    "Seccomp": (PsaCheck("seccompProfile_baseline", _b, "pss-seccomp-baseline"),),
    "Sysctls": (PsaCheck("sysctls", _b, "pss-sysctls"),),
    # restricted
    "Volume Types": (PsaCheck("restrictedVolumes", _r, "pss-volume-types"),),
    "Privilege Escalation": (PsaCheck("allowPrivilegeEscalation", _r, "pss-no-privilege-escalation"),),
    "Running as Non-root": (PsaCheck("runAsNonRoot", _r, "pss-run-as-non-root"),),
    "Running as Non-root user": (PsaCheck("runAsUser", _r, "pss-run-as-user-nonzero"),),
    "Seccomp (restricted)": (PsaCheck("seccompProfile_restricted", _r, "pss-seccomp-restricted"),),
    "Capabilities (restricted)": (PsaCheck("capabilities_restricted", _r, "pss-capabilities-restricted"),),
}

#: PSA check id -> the check (with its level and rule); policy 1.37 has 19 checks for 18 controls.
PSA_CHECKS: Mapping[str, PsaCheck] = {check.id: check for checks in PSS_CONTROLS.values() for check in checks}

B, R = "PSS baseline", "PSS restricted"
M, A = Enforcement.MANDATORY, Enforcement.ADVISORY

RULES: tuple[Rule, ...] = (
    _rule(
        "pss-host-namespaces",
        Severity.CRITICAL,
        M,
        f"Sharing the host network, PID or IPC namespace breaks pod isolation ({B}: host namespaces; "
        "CIS EKS 4.2.2-4.2.4).",
        _host_namespaces,
        CelCheck(
            tuple(
                f"!has(variables.spec.{name}) || !variables.spec.{name}"
                for name in ("hostNetwork", "hostPID", "hostIPC")
            ),
            "hostNetwork, hostPID and hostIPC must be unset or false",
        ),
        fix="Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec or set them to `false` "
        "(SecureWorkload never sets them).",
    ),
    _rule(
        "pss-privileged",
        Severity.CRITICAL,
        M,
        f"A privileged container has nearly all host capabilities and devices ({B}: privileged "
        "containers; CIS EKS 4.2.1).",
        _privileged,
        CelCheck(
            (
                "variables.containers.all(c, !has(c.securityContext) || "
                "!has(c.securityContext.privileged) || !c.securityContext.privileged)",
            ),
            "securityContext.privileged must be unset or false in every container",
        ),
        fix="Remove `securityContext.privileged` from every container or set it to `false` (SecureWorkload "
        "never sets it).",
    ),
    _rule(
        "pss-capabilities-baseline",
        Severity.HIGH,
        M,
        f"Capabilities beyond the default runtime set (SYS_ADMIN, NET_ADMIN, ...) allow container escapes "
        f"({B}: capabilities).",
        _capabilities_baseline,
        CelCheck(
            (
                "variables.containers.all(c, "
                + _cel_absent_or(
                    "c",
                    "securityContext.capabilities.add",
                    lambda added: f"{added}.all(a, a in {_cel_list(BASELINE_CAPABILITIES)})",
                )
                + ")",
            ),
            "securityContext.capabilities.add may list only capabilities of the PSS baseline set",
        ),
        fix="Remove the capabilities outside the PSS baseline set (`SYS_ADMIN`, `NET_ADMIN`, ...) from each "
        "container's `securityContext.capabilities.add` (SecureWorkload: `security.add_capabilities`).",
    ),
    _rule(
        "pss-host-path",
        Severity.HIGH,
        M,
        f"hostPath volumes expose the node filesystem to the pod ({B}: hostPath volumes).",
        _host_path,
        CelCheck(
            ("!has(variables.spec.volumes) || variables.spec.volumes.all(v, !has(v.hostPath))",),
            "hostPath volumes are not allowed; use an emptyDir, configMap, secret, projected or PVC volume",
        ),
        fix="Replace each `hostPath` volume with an `emptyDir`, `configMap`, `secret`, `projected` or "
        "`persistentVolumeClaim` volume (SecureWorkload: `writable_paths`, `secret_files`, `config_files`).",
    ),
    _rule(
        "wl-no-runtime-socket",
        Severity.CRITICAL,
        M,
        "Mounting the docker, containerd or CRI-O socket gives root on the node (CKV_K8S_27; kube-linter "
        "docker-sock; a subset of pss-host-path kept for peer mapping).",
        _runtime_socket,
        CelCheck(
            (
                "!has(variables.spec.volumes) || variables.spec.volumes.all(v, !has(v.hostPath) || "
                f"!has(v.hostPath.path) || !v.hostPath.path.matches({RUNTIME_SOCKET_RE2!r}))",
            ),
            "no volume may mount the docker, containerd or CRI-O socket through hostPath",
        ),
        fix="Remove the volume whose `hostPath.path` is `docker.sock`, `containerd.sock` or `crio.sock`; "
        "talk to the Kubernetes API (or use a daemonless image builder) instead of the container runtime.",
    ),
    _rule(
        "pss-host-ports",
        Severity.HIGH,
        M,
        f"hostPort binds a node port, bypassing NetworkPolicy and limiting scheduling ({B}: host ports).",
        _host_ports,
        CelCheck(
            (
                "variables.containers.all(c, !has(c.ports) || c.ports.all(p, "
                "(!has(p.hostPort) || p.hostPort == 0) && "
                f"!({_CEL_POD_HOST_NETWORK} && has(p.containerPort) && p.containerPort != 0)))",
            ),
            "hostPort must be unset or 0 (on a Pod with hostNetwork: true, an unset hostPort is the "
            "containerPort); expose ports through a Service",
        ),
        fix="Remove `ports[].hostPort` from every container and expose the port through a Service; on a "
        "Pod, also remove `hostNetwork: true`, which turns every container port into a host port.",
    ),
    _rule(
        "pss-apparmor",
        Severity.MEDIUM,
        M,
        f"Overriding or disabling the default AppArmor profile removes a kernel hardening layer ({B}: "
        "AppArmor).",
        _apparmor,
        CelCheck(
            (
                f"variables.annotations.all(k, !k.startsWith('{APPARMOR_ANNOTATION}') || "
                "variables.annotations[k] in ['', 'runtime/default'] || "
                "variables.annotations[k].startsWith('localhost/'))",
                _cel_every_context(
                    "appArmorProfile.type", lambda kind: f"{kind} in {_cel_list(APPARMOR_TYPES)}"
                ),
            ),
            'AppArmor profiles must be RuntimeDefault or Localhost (annotations: "runtime/default" or '
            '"localhost/<profile>")',
        ),
        fix="Set `securityContext.appArmorProfile.type` to `RuntimeDefault` or `Localhost` (or the "
        "`container.apparmor.security.beta.kubernetes.io/<container>` annotation to `runtime/default` or "
        "`localhost/<profile>`), or remove it to keep the runtime's default profile.",
    ),
    _rule(
        "pss-selinux",
        Severity.MEDIUM,
        M,
        f"Custom SELinux users, roles or types can lift the container confinement ({B}: SELinux).",
        _selinux,
        CelCheck(
            (
                _cel_every_context(
                    "seLinuxOptions",
                    lambda options: (
                        "("
                        + " && ".join(
                            [
                                _cel_absent_or(
                                    options, "type", lambda kind: f"{kind} in {_cel_list(SELINUX_TYPES)}"
                                ),
                                _cel_absent_or(options, "user", _cel_empty),
                                _cel_absent_or(options, "role", _cel_empty),
                            ]
                        )
                        + ")"
                    ),
                ),
            ),
            "seLinuxOptions may not set user or role, and type only to container_t, container_init_t, "
            "container_kvm_t or container_engine_t",
        ),
        fix="Remove `securityContext.seLinuxOptions.user` and `securityContext.seLinuxOptions.role`, and "
        "set `seLinuxOptions.type` only to `container_t`, `container_init_t`, `container_kvm_t` or "
        "`container_engine_t` (or leave it unset).",
    ),
    _rule(
        "pss-proc-mount",
        Severity.MEDIUM,
        M,
        f"An unmasked /proc exposes host kernel interfaces ({B}: /proc mount type; a user-namespaced pod, "
        "hostUsers: false, is exempt since policy 1.35).",
        _proc_mount,
        CelCheck(
            (
                f"({_CEL_USER_NAMESPACE}) || variables.containers.all(c, "
                + _cel_absent_or("c", "securityContext.procMount", lambda mount: f"{mount} == 'Default'")
                + ")",
            ),
            "securityContext.procMount must be unset or Default (unless the pod sets hostUsers: false)",
        ),
        fix="Remove `securityContext.procMount` from every container or set it to `Default`; under PSS "
        "baseline only a user-namespaced pod (`hostUsers: false`) may unmask /proc.",
    ),
    _rule(
        "pss-seccomp-baseline",
        Severity.MEDIUM,
        M,
        f"An Unconfined seccomp profile exposes every syscall to the container ({B}: seccomp).",
        _seccomp_baseline,
        CelCheck(
            (_cel_every_context("seccompProfile.type", lambda kind: f"{kind} != 'Unconfined'"),),
            "seccompProfile.type must not be Unconfined; use RuntimeDefault or Localhost",
        ),
        fix="Replace `seccompProfile.type: Unconfined` in the pod and container `securityContext` with "
        "`RuntimeDefault`, or `Localhost` with a profile of your own.",
    ),
    _rule(
        "pss-sysctls",
        Severity.MEDIUM,
        M,
        f"Only namespaced, isolated sysctls are safe to set from a pod ({B}: sysctls, the safe set of the "
        "newest PSA version the platform pins).",
        _sysctls,
        CelCheck(
            (
                _cel_absent_or(
                    "variables.spec",
                    "securityContext.sysctls",
                    lambda sysctls: f"{sysctls}.all(s, has(s.name) && s.name in {_cel_list(SAFE_SYSCTLS)})",
                ),
            ),
            "securityContext.sysctls may set only the PSS safe sysctls",
        ),
        fix="Keep only the PSS safe sysctls of the pinned policy version (such as "
        "`net.ipv4.ip_local_port_range`) in the pod's `securityContext.sysctls` and remove the others.",
    ),
    _rule(
        "pss-windows-hostprocess",
        Severity.HIGH,
        M,
        f"Windows HostProcess containers run with host privileges ({B}: Windows HostProcess).",
        _windows_host_process,
        CelCheck(
            (_cel_every_context("windowsOptions.hostProcess", lambda host_process: f"!{host_process}"),),
            "windowsOptions.hostProcess must be unset or false",
        ),
        fix="Remove `securityContext.windowsOptions.hostProcess` from the pod and its containers or set it "
        "to `false`.",
    ),
    _rule(
        "pss-host-probes",
        Severity.MEDIUM,
        M,
        f"Probes and lifecycle hooks with a host field make the kubelet reach arbitrary hosts ({B}: host "
        "probes / lifecycle hooks, policy 1.34).",
        _host_probes,
        CelCheck(
            (_cel_host_probes(),),
            "probes and lifecycle hooks may not set httpGet.host or tcpSocket.host",
        ),
        fix="Remove the `host` field from the `httpGet` and `tcpSocket` of every probe and lifecycle hook "
        "(`livenessProbe.httpGet.host`, `lifecycle.preStop.tcpSocket.host`, ...) so the kubelet targets the "
        "pod itself.",
    ),
    _rule(
        "pss-volume-types",
        Severity.HIGH,
        M,
        f"Only ephemeral, projected and claim-based volume types are allowed ({R}: volume types).",
        _volume_types,
        CelCheck(
            (
                "!has(variables.spec.volumes) || variables.spec.volumes.all(v, "
                + " && ".join(
                    f"!has(v.{kind})" for kind in sorted(VOLUME_SOURCE_TYPES - RESTRICTED_VOLUME_TYPES)
                )
                + ")",
            ),
            "volumes may use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, "
            "persistentVolumeClaim, projected or secret",
        ),
        fix="Replace volumes of other types (`nfs`, `gitRepo`, `awsElasticBlockStore`, ...) with "
        "`configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`, "
        "`projected` or `secret` volumes; reach network storage through a `persistentVolumeClaim`.",
    ),
    _rule(
        "pss-proc-mount-restricted",
        Severity.MEDIUM,
        M,
        f"An unmasked /proc exposes host kernel interfaces, user namespace or not ({R}: /proc mount type, "
        "policy 1.35).",
        _proc_mount_restricted,
        CelCheck(
            (
                "variables.containers.all(c, "
                + _cel_absent_or("c", "securityContext.procMount", lambda mount: f"{mount} == 'Default'")
                + ")",
            ),
            "securityContext.procMount must be unset or Default",
        ),
        fix="Remove `securityContext.procMount` from every container or set it to `Default`: under PSS "
        "restricted not even a user-namespaced pod (`hostUsers: false`) may unmask /proc.",
    ),
    _rule(
        "pss-no-privilege-escalation",
        Severity.HIGH,
        M,
        f"allowPrivilegeEscalation must be false explicitly so setuid binaries cannot gain privileges ({R}; "
        "CIS EKS 4.2.5).",
        _no_privilege_escalation,
        CelCheck(
            (
                f"({_CEL_WINDOWS}) || variables.containers.all(c, "
                + _cel_set_and("c", "securityContext.allowPrivilegeEscalation", lambda value: f"!{value}")
                + ")",
            ),
            "securityContext.allowPrivilegeEscalation must be false in every container",
        ),
        fix="Set `securityContext.allowPrivilegeEscalation: false` explicitly on every container, init and "
        "ephemeral containers included (SecureWorkload does this by default: "
        "`security.allow_privilege_escalation`).",
    ),
    _rule(
        "pss-run-as-non-root",
        Severity.HIGH,
        M,
        f"Containers must be required to run as a non-root user ({R}: run as non-root; EKS BPG iam).",
        _run_as_non_root,
        CelCheck(
            (
                f"({_CEL_USER_NAMESPACE}) || "
                + _cel_absent_or("variables.spec", "securityContext.runAsNonRoot", lambda value: value),
                f"({_CEL_USER_NAMESPACE}) || variables.containers.all(c, "
                + _cel_absent_or("c", "securityContext.runAsNonRoot", lambda value: value)
                + ")",
                f"({_CEL_USER_NAMESPACE}) || "
                + _cel_set_and("variables.spec", "securityContext.runAsNonRoot", lambda value: value)
                + " || variables.containers.all(c, "
                + _cel_set_and("c", "securityContext.runAsNonRoot", lambda value: value)
                + ")",
            ),
            "runAsNonRoot must be true on the pod securityContext (or on every container) and never false",
        ),
        fix="Set `securityContext.runAsNonRoot: true` on the pod (or on every container) and a numeric "
        "non-root `runAsUser` (SecureWorkload does this by default: `security.run_as_non_root`, "
        "`security.run_as_user`).",
    ),
    _rule(
        "pss-run-as-user-nonzero",
        Severity.HIGH,
        M,
        f"runAsUser 0 runs the container as root ({R}: run as non-root user).",
        _run_as_user_nonzero,
        CelCheck(
            (f"({_CEL_USER_NAMESPACE}) || " + _cel_every_context("runAsUser", lambda uid: f"{uid} != 0"),),
            "runAsUser must not be 0 (root)",
        ),
        fix="Set `securityContext.runAsUser` of the pod and its containers to a non-zero UID such as 65532 "
        "(SecureWorkload: `security.run_as_user`).",
    ),
    _rule(
        "pss-seccomp-restricted",
        Severity.HIGH,
        M,
        f"The RuntimeDefault (or a Localhost) seccomp profile must be set, ideally on the pod ({R}: "
        "seccomp).",
        _seccomp_restricted,
        CelCheck(
            (
                f"({_CEL_WINDOWS}) || "
                + _cel_every_context(
                    "seccompProfile.type", lambda kind: f"{kind} in {_cel_list(SECCOMP_RESTRICTED_TYPES)}"
                ),
                f"({_CEL_WINDOWS}) || "
                + _cel_set_and(
                    "variables.spec",
                    "securityContext.seccompProfile.type",
                    lambda kind: f"{kind} in {_cel_list(SECCOMP_RESTRICTED_TYPES)}",
                )
                + " || variables.containers.all(c, "
                + _cel_has("c", "securityContext.seccompProfile.type")
                + ")",
            ),
            "seccompProfile.type must be RuntimeDefault or Localhost, on the pod securityContext or on every "
            "container",
        ),
        fix="Set `securityContext.seccompProfile.type: RuntimeDefault` (or `Localhost` with a "
        "`localhostProfile`) on the pod and override it in no container with another type (SecureWorkload: "
        "`security.seccomp_profile`).",
    ),
    _rule(
        "pss-capabilities-restricted",
        Severity.HIGH,
        M,
        f"Containers must drop ALL capabilities and may add back only NET_BIND_SERVICE ({R}: capabilities).",
        _capabilities_restricted,
        CelCheck(
            (
                f"({_CEL_WINDOWS}) || variables.containers.all(c, "
                + _cel_set_and("c", "securityContext.capabilities.drop", lambda drop: f"'ALL' in {drop}")
                + " && "
                + _cel_absent_or(
                    "c",
                    "securityContext.capabilities.add",
                    lambda added: f"{added}.all(a, a in {_cel_list(RESTRICTED_ADD_CAPABILITIES)})",
                )
                + ")",
            ),
            'securityContext.capabilities.drop must contain "ALL" and add at most NET_BIND_SERVICE in every '
            "container",
        ),
        fix='Set `securityContext.capabilities.drop: ["ALL"]` on every container and add back at most '
        "`NET_BIND_SERVICE` (SecureWorkload drops ALL; `security.add_capabilities`).",
    ),
    _rule(
        "pss-non-root-groups",
        Severity.LOW,
        A,
        "Running with the root group (GID 0) gives access to root-group-owned files (Kyverno "
        "require-non-root-groups; not a Pod Security Standards control, so advisory).",
        _non_root_groups,
        CelCheck(
            (
                _cel_every_context("runAsGroup", lambda gid: f"{gid} != 0"),
                _cel_absent_or("variables.spec", "securityContext.fsGroup", lambda gid: f"{gid} != 0"),
                _cel_absent_or(
                    "variables.spec",
                    "securityContext.supplementalGroups",
                    lambda gids: f"{gids}.all(g, g != 0)",
                ),
            ),
            "runAsGroup, fsGroup and supplementalGroups must not be 0 (root group)",
        ),
        fix="Set `runAsGroup` and `fsGroup` in the pod and container `securityContext` to a non-zero GID "
        "such as 65532 and remove 0 from `supplementalGroups` (SecureWorkload: `security.run_as_group`, "
        "`security.fs_group`).",
    ),
)

__all__ = ["PSA_CHECKS", "PSS_CONTROLS", "RULES", "PsaCheck", "on_pod"]
