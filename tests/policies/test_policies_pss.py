"""Pod Security Standards rules: per-kind resolution, C* coverage, Windows and user-namespace handling."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from platform_components.policies import RULES, Violation, evaluate
from platform_components.policies.pss import PINNED_POLICY_VERSION, SAFE_SYSCTLS, safe_sysctls
from platform_components.versions import SUPPORTED_KUBERNETES_VERSIONS

if TYPE_CHECKING:
    from conftest import Kit

POD_KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Rollout"]
RULES_BY_ID = {rule.id: rule for rule in RULES}


def run(kit: Kit, obj: dict[str, object], rule_id: str) -> list[Violation]:
    return evaluate([kit.resource(obj)], [RULES_BY_ID[rule_id]]).violations


def messages(kit: Kit, obj: dict[str, object], rule_id: str) -> list[str]:
    return [v.message for v in run(kit, obj, rule_id)]


@pytest.mark.parametrize("kind", POD_KINDS)
def test_privileged_fires_for_every_pod_kind_with_its_path(kit: Kit, kind: str) -> None:
    obj = kit.workload(kind)
    kit.pod_spec_of(obj)["containers"][0]["securityContext"]["privileged"] = True
    path = kit.pod_spec_path(kind)
    assert messages(kit, obj, "pss-privileged") == [
        f"{kind} team-a/api: {path}.containers[0] (api).securityContext.privileged is true; remove it or set "
        "it to false (PSS baseline: privileged containers)"
    ]


@pytest.mark.parametrize("kind", POD_KINDS)
def test_privilege_escalation_message_names_path_and_fix(kit: Kit, kind: str) -> None:
    obj = kit.workload(kind)
    del kit.pod_spec_of(obj)["containers"][0]["securityContext"]["allowPrivilegeEscalation"]
    path = kit.pod_spec_path(kind)
    assert messages(kit, obj, "pss-no-privilege-escalation") == [
        f"{kind} team-a/api: {path}.containers[0] (api).securityContext.allowPrivilegeEscalation is not false; "
        "set it to false explicitly (PSS restricted)"
    ]


def test_pss_rules_apply_to_every_pod_bearing_type() -> None:
    expected = {
        "kubernetes:core/v1:Pod",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:DaemonSet",
        "kubernetes:apps/v1:ReplicaSet",
        "kubernetes:batch/v1:Job",
        "kubernetes:batch/v1:CronJob",
        "kubernetes:argoproj.io/v1alpha1:Rollout",
    }
    for rule in RULES:
        if rule.id.startswith("pss-"):
            assert rule.types == expected, rule.id


def test_rollout_that_borrows_a_deployment_template_is_not_judged(kit: Kit) -> None:
    """A Rollout with spec.workloadRef and no template runs the Deployment's pods: the Deployment's
    template is judged, the Rollout's (absent) one is not."""
    rollout = kit.migration_rollout()
    pss = [rule for rule in RULES if rule.id.startswith("pss-")]
    assert evaluate([kit.resource(rollout)], pss).violations == []
    pod_rules = [rule for rule in RULES if "kubernetes:argoproj.io/v1alpha1:Rollout" in rule.types]
    assert [v.rule_id for v in evaluate([kit.resource(rollout)], pod_rules).violations] == []


def test_rollout_template_is_judged_like_a_deployment(kit: Kit) -> None:
    rollout = kit.rollout()
    spec = kit.pod_spec_of(rollout)
    spec["hostNetwork"] = True
    del spec["containers"][0]["readinessProbe"]
    ids = {v.rule_id for v in evaluate([kit.resource(rollout)], RULES).violations}
    assert ids == {"pss-host-namespaces", "avail-readiness-probe"}


@pytest.mark.parametrize("field", ["initContainers", "ephemeralContainers"])
def test_init_and_ephemeral_containers_are_checked(kit: Kit, field: str) -> None:
    dep = kit.deployment()
    extra = kit.container()
    extra["name"] = "helper"
    extra["securityContext"]["privileged"] = True
    kit.pod_spec_of(dep)[field] = [extra]
    (violation,) = run(kit, dep, "pss-privileged")
    assert f"spec.template.spec.{field}[0] (helper).securityContext.privileged" in violation.message


def test_windows_pods_are_exempt_from_the_w_checks_only(kit: Kit) -> None:
    dep = kit.deployment()
    spec = kit.pod_spec_of(dep)
    spec["os"] = {"name": "windows"}
    del spec["securityContext"]["seccompProfile"]
    context = spec["containers"][0]["securityContext"]
    del context["allowPrivilegeEscalation"]
    del context["capabilities"]
    for rule_id in ("pss-no-privilege-escalation", "pss-seccomp-restricted", "pss-capabilities-restricted"):
        assert run(kit, dep, rule_id) == [], rule_id
    context["privileged"] = True
    assert run(kit, dep, "pss-privileged")
    spec["os"] = {"name": "linux"}
    for rule_id in ("pss-no-privilege-escalation", "pss-seccomp-restricted", "pss-capabilities-restricted"):
        assert run(kit, dep, rule_id), rule_id


def test_user_namespaces_relax_run_as_checks_and_baseline_proc_mount_only(kit: Kit) -> None:
    dep = kit.deployment()
    spec = kit.pod_spec_of(dep)
    spec["hostUsers"] = False
    spec["securityContext"] = {"seccompProfile": {"type": "RuntimeDefault"}, "runAsUser": 0}
    spec["containers"][0]["securityContext"]["procMount"] = "Unmasked"
    assert run(kit, dep, "pss-run-as-non-root") == []
    assert run(kit, dep, "pss-run-as-user-nonzero") == []
    assert run(kit, dep, "pss-proc-mount") == []
    assert run(kit, dep, "pss-proc-mount-restricted")
    spec["hostUsers"] = True
    assert run(kit, dep, "pss-run-as-non-root")
    assert run(kit, dep, "pss-run-as-user-nonzero")
    assert run(kit, dep, "pss-proc-mount")


def test_run_as_non_root_false_on_a_container_overrides_the_pod(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["securityContext"]["runAsNonRoot"] = False
    (violation,) = run(kit, dep, "pss-run-as-non-root")
    assert "containers[0] (api).securityContext.runAsNonRoot is false" in violation.message


def test_run_as_non_root_needs_every_container_when_the_pod_does_not_set_it(kit: Kit) -> None:
    dep = kit.deployment()
    spec = kit.pod_spec_of(dep)
    del spec["securityContext"]["runAsNonRoot"]
    spec["containers"][0]["securityContext"]["runAsNonRoot"] = True
    sidecar = kit.container()
    sidecar["name"] = "proxy"
    spec["initContainers"] = [sidecar]
    (violation,) = run(kit, dep, "pss-run-as-non-root")
    assert "initContainers[0] (proxy)" in violation.message
    assert "spec.template.spec.containers[0]" not in violation.message


def test_seccomp_restricted_rejects_unconfined_even_with_a_pod_default(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["securityContext"]["seccompProfile"] = {"type": "Unconfined"}
    assert run(kit, dep, "pss-seccomp-restricted")
    assert run(kit, dep, "pss-seccomp-baseline")


@pytest.mark.parametrize("name", sorted(SAFE_SYSCTLS))
def test_every_safe_sysctl_is_accepted(kit: Kit, name: str) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["securityContext"]["sysctls"] = [{"name": name, "value": "1"}]
    assert run(kit, dep, "pss-sysctls") == []


def test_safe_sysctls_are_those_of_the_newest_pinned_policy_version() -> None:
    """Namespaces pin PSA to the cluster minor, at most the newest supported one: a sysctl PSA allows only
    from a newer policy (the 1.37 additions) would be refused at admission, so the pack refuses it."""
    newest = max(tuple(int(part) for part in version.split(".")) for version in SUPPORTED_KUBERNETES_VERSIONS)
    assert newest == PINNED_POLICY_VERSION
    assert {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", "net.ipv4.tcp_keepalive_time"} <= SAFE_SYSCTLS
    assert "kernel.msgmax" not in SAFE_SYSCTLS
    newer = {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"}
    assert newer <= safe_sysctls((1, 37))
    if PINNED_POLICY_VERSION < (1, 37):
        assert not newer & SAFE_SYSCTLS


def test_sysctl_of_a_newer_policy_than_the_pinned_one_is_refused(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["securityContext"]["sysctls"] = [
        {"name": "net.ipv4.tcp_notsent_lowat", "value": "1"}
    ]
    assert bool(run(kit, dep, "pss-sysctls")) is (PINNED_POLICY_VERSION < (1, 37))


def test_capabilities_baseline_vs_restricted(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["securityContext"]["capabilities"] = {
        "drop": ["ALL"],
        "add": ["CHOWN"],
    }
    assert run(kit, dep, "pss-capabilities-baseline") == []
    (violation,) = run(kit, dep, "pss-capabilities-restricted")
    assert "capabilities.add contains CHOWN" in violation.message


def test_lifecycle_host_is_flagged(kit: Kit) -> None:
    dep = kit.deployment()
    kit.pod_spec_of(dep)["containers"][0]["lifecycle"] = {"preStop": {"httpGet": {"port": 8080, "host": "x"}}}
    (violation,) = run(kit, dep, "pss-host-probes")
    assert "lifecycle.preStop.httpGet.host is set" in violation.message


def test_apparmor_profile_fields_and_selinux_user(kit: Kit) -> None:
    dep = kit.deployment()
    spec = kit.pod_spec_of(dep)
    spec["securityContext"]["appArmorProfile"] = {"type": "Unconfined"}
    spec["securityContext"]["seLinuxOptions"] = {"user": "system_u", "role": "", "type": "container_engine_t"}
    (apparmor,) = run(kit, dep, "pss-apparmor")
    assert 'spec.template.spec.securityContext.appArmorProfile.type is "Unconfined"' in apparmor.message
    (selinux,) = run(kit, dep, "pss-selinux")
    assert "seLinuxOptions.user is set" in selinux.message


def test_non_root_groups_checks_all_group_fields(kit: Kit) -> None:
    dep = kit.deployment()
    spec = kit.pod_spec_of(dep)
    spec["securityContext"].update({"runAsGroup": 0, "supplementalGroups": [1000, 0]})
    spec["containers"][0]["securityContext"]["runAsGroup"] = "0"
    found = sorted(v.message.split(": ", 1)[1].split(" ")[0] for v in run(kit, dep, "pss-non-root-groups"))
    assert found == [
        "spec.template.spec.containers[0]",
        "spec.template.spec.securityContext.runAsGroup",
        "spec.template.spec.securityContext.supplementalGroups[1]",
    ]


def test_pss_rules_are_mandatory_except_non_root_groups() -> None:
    """Every PSS control is mandatory; pss-non-root-groups is not a PSS control, so it stays advisory."""
    advisory = {
        rule.id for rule in RULES if rule.id.startswith("pss-") and rule.enforcement.value == "advisory"
    }
    assert advisory == {"pss-non-root-groups"}
