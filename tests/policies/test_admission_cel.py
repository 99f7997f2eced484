"""The rules' Python checks and their CEL forms agree: the preview and admission cannot drift.

For every rule with a CEL form (:class:`platform_components.policies.base.CelCheck`), the generated
ValidatingAdmissionPolicies (:func:`platform_components.policies.admission.admission_policies`) are
evaluated offline (:mod:`platform_components.preview.admission`) next to the Python check on:

* every fixture of the rule (its firing and silent cases of ``test_policies_rules.CASES``);
* the Pod Security Admission conformance fixtures (``shared/upstream/pod-security-admission``);
* generated pod-bearing objects (:mod:`_admission_objects`, hypothesis).

"The rule fires" is one verdict on both sides: the Python check yields a message (and the object
carries no exemption for it) exactly when a policy of the rule fails one of its validations. A
CEL evaluation error is a failure too (a mandatory rule's policy fails closed). Objects that
admission never judges are left out of the comparison, each case with its reason: a Pod with a
controller owner (judged through its controller) and ephemeral containers (refused on create).

The generated objects themselves are checked too: every policy and binding validates against the
API's schema, every expression compiles, and every policy evaluates without error on a minimal
object (required fields only) of each kind it matches.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from platform_components.policies import RULES, Resource, Rule
from platform_components.policies.admission import (
    Action,
    Binding,
    admission_policies,
    enforcement_point,
    missing_forms,
    resource_of,
)
from platform_components.policies.base import exemption_reason
from platform_components.preview import admission as offline
from platform_components.preview.schema import validate_manifest
from policies._admission_objects import pod_bearing
from policies._admission_other_objects import other_objects

CEL_RULES: tuple[Rule, ...] = tuple(rule for rule in RULES if rule.cel)
POLICIES: list[dict[str, Any]] = admission_policies()
VAPS = [doc for doc in POLICIES if doc["kind"] == "ValidatingAdmissionPolicy"]

UPSTREAM = Path(__file__).resolve().parents[2] / ".." / "shared" / "upstream" / "pod-security-admission"


def type_token(manifest: Mapping[str, Any]) -> str:
    api_version = str(manifest["apiVersion"])
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{manifest['kind']}"


def python_fires(rule: Rule, resource: Resource) -> bool:
    return bool(list(rule.check(resource))) and exemption_reason(resource, rule.id) is None


def fired_rules(manifest: Mapping[str, Any]) -> set[str]:
    """The ids of the rules whose validations fail on ``manifest``, over every generated policy."""
    fired: set[str] = set()
    for policy in VAPS:
        outcome = offline.evaluate(policy, manifest)
        if outcome is not None:
            fired |= {message.split(":", 1)[0] for message in outcome.failures}
    return fired


def cel_fires(rule: Rule, manifest: Mapping[str, Any]) -> bool:
    return rule.id in fired_rules(manifest)


def judged_at_admission(manifest: Mapping[str, Any]) -> str:
    """Why admission never judges ``manifest`` as it is (``""`` when it does)."""
    if manifest.get("kind") == "Pod":
        owners = (manifest.get("metadata") or {}).get("ownerReferences") or []
        if any(owner.get("controller") for owner in owners):
            return "a Pod with a controller owner is judged through its controller"
        if (manifest.get("spec") or {}).get("ephemeralContainers"):
            return "ephemeral containers are refused on create"
    return ""


def assert_agree(rules: tuple[Rule, ...], manifest: Mapping[str, Any], label: str) -> None:
    """Every rule of ``rules`` judging ``manifest``'s kind gives the same verdict in Python and CEL."""
    if judged_at_admission(manifest):
        return
    resource = Resource(type_token(manifest), "fixture", manifest)
    try:
        fired = fired_rules(manifest)
    except offline.CELEvaluationError as ex:
        pytest.fail(f"on {label}: a generated policy fails to evaluate: {ex}")
    for rule in rules:
        if resource.type not in {t for cel in rule.cel for t in (cel.types or rule.types)}:
            continue
        expected = python_fires(rule, resource)
        actual = rule.id in fired
        assert actual == expected, (
            f"{rule.id} on {label}: the Python check {'fires' if expected else 'is silent'}, "
            f"the CEL form {'fires' if actual else 'is silent'}\n{yaml.safe_dump(dict(manifest), sort_keys=False)}"
        )


# --- coverage ------------------------------------------------------------------------------------------


def test_every_kubernetes_rule_has_a_cel_form_or_a_reason() -> None:
    assert list(missing_forms(RULES)) == []


def test_cel_rules_count() -> None:
    """Printed by the test run: rules with a CEL form / Kubernetes rules preview-only / AWS rules."""
    preview_only = [
        rule.id
        for rule in RULES
        if not rule.cel and enforcement_point(rule).startswith("preview only (") and rule.preview_only
    ]
    print(f"rules with a CEL form: {len(CEL_RULES)}; preview-only Kubernetes rules: {len(preview_only)}")
    assert CEL_RULES


# --- fixtures of the rules -----------------------------------------------------------------------------


def _cases() -> Iterator[Any]:
    from policies.test_policies_rules import CASES  # the rule fixtures (firing, silent)

    for rule in CEL_RULES:
        bad, good = CASES[rule.id]
        yield pytest.param(rule, bad, id=f"{rule.id}-firing")
        yield pytest.param(rule, good, id=f"{rule.id}-silent")


@pytest.mark.parametrize(("rule", "case"), list(_cases()))
def test_python_and_cel_agree_on_the_rule_fixtures(
    rule: Rule, case: Callable[[Any], list[Resource]], kit: Any
) -> None:
    for resource in case(kit):
        assert_agree((rule,), copy.deepcopy(dict(resource.props)), f"{resource.display}")


def _pss_fixtures() -> list[Any]:
    return [
        pytest.param(path, id=str(path.relative_to(UPSTREAM))) for path in sorted(UPSTREAM.rglob("*.yaml"))
    ]


@pytest.mark.parametrize("path", _pss_fixtures())
def test_python_and_cel_agree_on_the_pod_security_fixtures(path: Path) -> None:
    pod = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(pod, dict) or pod.get("kind") != "Pod":
        return
    pod.setdefault("metadata", {}).setdefault("namespace", "team-a")
    assert_agree(CEL_RULES, pod, path.name)


def test_the_pod_security_fixtures_are_there() -> None:
    assert len(_pss_fixtures()) > 100, f"PSS conformance fixtures missing under {UPSTREAM.resolve()}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pod_bearing())
def test_python_and_cel_agree_on_generated_objects(manifest: dict[str, Any]) -> None:
    assert_agree(CEL_RULES, manifest, f"generated {manifest['kind']}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(other_objects())
def test_python_and_cel_agree_on_other_generated_objects(manifest: dict[str, Any]) -> None:
    assert_agree(CEL_RULES, manifest, f"generated {manifest['kind']}")


# --- the generated objects -----------------------------------------------------------------------------


@pytest.mark.parametrize("document", POLICIES, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_generated_objects_validate_against_the_api_schema(document: dict[str, Any]) -> None:
    assert validate_manifest(document, "1.35", display=document["metadata"]["name"]) == []
    if document["kind"] == "ValidatingAdmissionPolicy":
        offline.compile_policy(document)


def minimal(type_: str) -> dict[str, Any]:
    """An object of ``type_`` with only the fields the API requires."""
    _, group_version, kind = type_.split(":")
    api_version = group_version.removeprefix("core/")
    pod = {"containers": [{"name": "c", "image": "i"}]}
    template = {"spec": pod}
    specs: dict[str, Any] = {
        "Pod": pod,
        "CronJob": {
            "schedule": "* * * * *",
            "jobTemplate": {"spec": {"template": {"spec": {**pod, "restartPolicy": "Never"}}}},
        },
        "Job": {"template": {"spec": {**pod, "restartPolicy": "Never"}}},
    }
    obj: dict[str, Any] = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "m", "namespace": "a"},
    }
    if kind in specs:
        obj["spec"] = specs[kind]
    elif kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"):
        obj["spec"] = {
            "selector": {"matchLabels": {"a": "b"}},
            "template": {"metadata": {"labels": {"a": "b"}}, **template},
        }
    return obj


@pytest.mark.parametrize("policy", VAPS, ids=lambda policy: policy["metadata"]["name"])
def test_every_policy_evaluates_on_a_minimal_object(policy: dict[str, Any]) -> None:
    """Each policy, on an object of each kind it matches with only the fields the API requires."""
    types = [
        f"kubernetes:{group or 'core'}/{version}:{kind}"
        for rule in policy["spec"]["matchConstraints"]["resourceRules"]
        for group in rule["apiGroups"]
        for version in rule["apiVersions"]
        for resource in rule["resources"]
        for kind in [KINDS_BY_RESOURCE[resource]]
    ]
    for type_ in types:
        assert offline.evaluate(policy, minimal(type_)) is not None, f"{type_}: not matched"


KINDS_BY_RESOURCE = {
    resource_of("", type_.rsplit(":", 1)[-1])[2]: type_.rsplit(":", 1)[-1]
    for rule in RULES
    for type_ in rule.types
}


def test_an_exempt_object_is_not_judged() -> None:
    rule = next(rule for rule in CEL_RULES if rule.id == "pss-privileged")
    dep = minimal("kubernetes:apps/v1:Deployment")
    dep["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {"privileged": True}
    assert cel_fires(rule, dep)
    dep["metadata"]["annotations"] = {"policy.platform-components.io/exempt.pss-privileged": "  "}
    assert cel_fires(rule, dep), "an exemption without a reason does not count"
    dep["metadata"]["annotations"]["policy.platform-components.io/exempt.pss-privileged"] = "node agent"
    assert not cel_fires(rule, dep)


def test_bindings_follow_the_rule_and_the_stack() -> None:
    rule = next(rule for rule in CEL_RULES if rule.id == "pss-privileged")
    bindings = [d for d in admission_policies([rule]) if d["kind"] == "ValidatingAdmissionPolicyBinding"]
    assert {tuple(b["spec"]["validationActions"]) for b in bindings} == {("Deny", "Audit")}
    selector = bindings[0]["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"][0]
    assert selector["operator"] == "NotIn" and "kube-system" in selector["values"]
    warned = admission_policies([rule], Binding(actions={"pss-privileged": Action.WARN}))
    assert {tuple(d["spec"]["validationActions"]) for d in warned if "validationActions" in d["spec"]} == {
        ("Warn", "Audit")
    }
    assert admission_policies([rule], Binding(actions={"pss-privileged": Action.OFF})) == []


def test_a_rollout_borrowing_its_template_is_judged_on_its_own_fields() -> None:
    """A Rollout with workloadRef and no template has no pod view: the pod rules skip it (in Python and
    in CEL), the rules on the object's own metadata still judge it."""
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "api", "namespace": "default"},
        "spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}},
    }
    assert_agree(CEL_RULES, rollout, "a Rollout with workloadRef")
    assert "ns-not-default" in fired_rules(rollout)


@pytest.mark.parametrize(
    ("username", "judged"),
    [
        ("kubernetes-admin", True),
        ("system:serviceaccount:argocd:argocd-application-controller", True),
        ("system:apiserver", False),
        ("system:kube-controller-manager", False),
        ("system:serviceaccount:kube-system:service-account-controller", False),
    ],
)
def test_the_control_plane_is_never_judged(username: str, judged: bool) -> None:
    """The serviceaccount controller creates every namespace's default ServiceAccount (which
    ns-default-sa-locked would refuse); the API server reconciles the bootstrap ClusterRoles."""
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "default", "namespace": "team-a"},
    }
    outcomes = [offline.evaluate(policy, account, username=username) for policy in VAPS]
    failed = [outcome for outcome in outcomes if outcome is not None and not outcome.passed]
    assert bool(failed) == judged
