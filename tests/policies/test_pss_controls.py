"""Every control of the Kubernetes "Pod Security Standards" page is a mandatory rule of the pack.

``TABLE`` lists the controls as the page names them (policy 1.37; the pinned 1.35 and 1.36 have the same
controls, the newest being Host Probes / Lifecycle Hooks from 1.34), the rules that enforce them, and a
firing and a silent change of the compliant baseline Deployment. A firing change must give a mandatory
finding of every rule of its control through :func:`platform_components.policies.check` (so it fails a
preview); a silent change, a close but admitted variant, must give no finding of any PSS rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pytest
from platform_components.policies import RULES, Enforcement, Evaluation, check
from platform_components.policies.pss import PSA_CHECKS, PSS_CONTROLS

if TYPE_CHECKING:
    from conftest import Kit

PS = "spec.template.spec"
PM = ("spec", "template", "metadata")
C0 = f"{PS}.containers.0"
SC = f"{C0}.securityContext"
PSC = f"{PS}.securityContext"

Changes = Mapping[Any, Any]
#: control -> (rule ids, firing changes, silent changes).
TABLE: dict[str, tuple[tuple[str, ...], Changes, Changes]] = {
    # --- baseline ----------------------------------------------------------------------------------------
    "HostProcess": (
        ("pss-windows-hostprocess",),
        {f"{SC}.windowsOptions": {"hostProcess": True}},
        {f"{SC}.windowsOptions": {"hostProcess": False}},
    ),
    "Host Namespaces": (("pss-host-namespaces",), {f"{PS}.hostPID": True}, {f"{PS}.hostNetwork": False}),
    "Privileged Containers": (("pss-privileged",), {f"{SC}.privileged": True}, {f"{SC}.privileged": False}),
    "Capabilities": (
        ("pss-capabilities-baseline",),
        {f"{SC}.capabilities.add": ["SYS_ADMIN"]},
        {f"{SC}.capabilities.add": ["NET_BIND_SERVICE"]},
    ),
    "HostPath Volumes": (
        ("pss-host-path",),
        {f"{PS}.volumes": [{"name": "tmp", "hostPath": {"path": "/var/log"}}]},
        {f"{PS}.volumes": [{"name": "tmp", "emptyDir": {"medium": "Memory"}}]},
    ),
    "Host Ports": (
        ("pss-host-ports",),
        {f"{C0}.ports": [{"name": "http", "containerPort": 8080, "hostPort": 8080}]},
        {f"{C0}.ports": [{"name": "http", "containerPort": 8080, "hostPort": 0}]},
    ),
    "Host Probes / Lifecycle Hooks": (
        ("pss-host-probes",),
        {f"{C0}.lifecycle": {"preStop": {"httpGet": {"port": 8080, "path": "/stop", "host": "127.0.0.1"}}}},
        {f"{C0}.lifecycle": {"preStop": {"httpGet": {"port": 8080, "path": "/stop", "host": ""}}}},
    ),
    "AppArmor": (
        ("pss-apparmor",),
        {f"{PSC}.appArmorProfile": {"type": "Unconfined"}},
        {f"{PSC}.appArmorProfile": {"type": "RuntimeDefault"}},
    ),
    "SELinux": (
        ("pss-selinux",),
        {f"{SC}.seLinuxOptions": {"type": "spc_t"}},
        {f"{SC}.seLinuxOptions": {"type": "container_t", "level": "s0:c123,c456"}},
    ),
    "/proc Mount Type": (
        ("pss-proc-mount", "pss-proc-mount-restricted"),
        {f"{SC}.procMount": "Unmasked"},
        {f"{SC}.procMount": "Default"},
    ),
    "Seccomp": (
        ("pss-seccomp-baseline",),
        {f"{SC}.seccompProfile": {"type": "Unconfined"}},
        {f"{SC}.seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/api.json"}},
    ),
    "Sysctls": (
        ("pss-sysctls",),
        {f"{PSC}.sysctls": [{"name": "kernel.msgmax", "value": "65536"}]},
        {f"{PSC}.sysctls": [{"name": "net.ipv4.tcp_keepalive_time", "value": "300"}]},
    ),
    # --- restricted --------------------------------------------------------------------------------------
    "Volume Types": (
        ("pss-volume-types",),
        {f"{PS}.volumes": [{"name": "tmp", "nfs": {"server": "10.0.0.2", "path": "/"}}]},
        {f"{PS}.volumes": [{"name": "tmp", "ephemeral": {"volumeClaimTemplate": {"spec": {}}}}]},
    ),
    "Privilege Escalation": (
        ("pss-no-privilege-escalation",),
        {f"{SC}.allowPrivilegeEscalation": True},
        {f"{SC}.allowPrivilegeEscalation": False},
    ),
    "Running as Non-root": (
        ("pss-run-as-non-root",),
        {f"{PSC}.runAsNonRoot": False},
        {f"{SC}.runAsNonRoot": True},
    ),
    "Running as Non-root user": (
        ("pss-run-as-user-nonzero",),
        {f"{SC}.runAsUser": 0},
        {f"{SC}.runAsUser": 1000},
    ),
    "Seccomp (restricted)": (
        ("pss-seccomp-restricted",),
        {f"{PSC}.seccompProfile": None},
        {f"{PSC}.seccompProfile": None, f"{SC}.seccompProfile": {"type": "RuntimeDefault"}},
    ),
    "Capabilities (restricted)": (
        ("pss-capabilities-restricted",),
        {f"{SC}.capabilities.drop": ["NET_RAW"]},
        {f"{SC}.capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}},
    ),
}

RULES_BY_ID = {rule.id: rule for rule in RULES}
PSS_RULE_IDS = frozenset(check.rule for check in PSA_CHECKS.values())


def evaluation(kit: Kit, changes: Changes) -> Evaluation:
    obj = kit.deployment()
    for path, value in changes.items():
        if value is None:
            kit.drop(obj, path)
        else:
            kit.put(obj, path, value)
    return check([kit.resource(obj)])


def test_the_table_lists_every_control_of_the_pss_page_with_its_rules() -> None:
    assert list(TABLE) == list(PSS_CONTROLS)
    assert len(TABLE) == 18
    for control, (rule_ids, _fire, _silent) in TABLE.items():
        assert rule_ids == tuple(check.rule for check in PSS_CONTROLS[control]), control


def test_every_pss_rule_but_non_root_groups_enforces_a_control() -> None:
    """pss-non-root-groups is no PSS control (no PSA check exists for it): it alone stays advisory."""
    pss_prefixed = {rule.id for rule in RULES if rule.id.startswith("pss-")}
    assert pss_prefixed - PSS_RULE_IDS == {"pss-non-root-groups"}
    assert RULES_BY_ID["pss-non-root-groups"].enforcement is Enforcement.ADVISORY
    assert len(PSA_CHECKS) == 19


@pytest.mark.parametrize("control", list(TABLE))
def test_control_is_mandatory(control: str) -> None:
    for rule_id in TABLE[control][0]:
        assert RULES_BY_ID[rule_id].enforcement is Enforcement.MANDATORY, (control, rule_id)


@pytest.mark.parametrize("control", list(TABLE))
def test_control_fires_as_a_mandatory_finding(kit: Kit, control: str) -> None:
    rule_ids, firing, _silent = TABLE[control]
    assert [v for v in evaluation(kit, {}).violations if v.rule_id in PSS_RULE_IDS] == [], "PSS compliant"
    found = {v.rule_id for v in evaluation(kit, firing).mandatory}
    assert set(rule_ids) <= found, (control, found)


@pytest.mark.parametrize("control", list(TABLE))
def test_control_is_silent_on_an_admitted_variant(kit: Kit, control: str) -> None:
    _rule_ids, _firing, silent = TABLE[control]
    found = [v.message for v in evaluation(kit, silent).violations if v.rule_id in PSS_RULE_IDS]
    assert found == [], control


def test_windows_host_process_is_checked_on_the_pod_and_every_container(kit: Kit) -> None:
    """HostProcess: ``spec.securityContext.windowsOptions.hostProcess`` and the same field of every
    container of ``C*`` (``check_windowsHostProcess.go``)."""
    changes = {
        f"{PSC}.windowsOptions": {"hostProcess": True},
        f"{PS}.initContainers": [
            {"name": "init", "image": "x", "securityContext": {"windowsOptions": {"hostProcess": True}}}
        ],
    }
    messages = [
        v.message for v in evaluation(kit, changes).mandatory if v.rule_id == "pss-windows-hostprocess"
    ]
    assert len(messages) == 2
    assert any("spec.template.spec.securityContext.windowsOptions.hostProcess" in m for m in messages)
    assert any("initContainers[0] (init).securityContext.windowsOptions.hostProcess" in m for m in messages)
