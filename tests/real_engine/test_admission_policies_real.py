"""The generated ValidatingAdmissionPolicies on a real API server (fixture ``apiserver``).

Every policy :func:`platform_components.policies.admission.admission_policies` generates is created
for real, and the API server's own type check (``status.typeChecking``, written by
kube-controller-manager's ``validatingadmissionpolicy-status-controller``) must report no warning.
Then, for every rule with a CEL form, its fixtures (``test_policies_rules.CASES``) go through
admission with server-side dry-run: the firing fixture is refused (a mandatory rule, ``Deny``) or
admitted with a warning (an advisory rule, ``Warn``), with the rule id in the message; the silent
fixture is admitted without a word from the rule.

The fixtures of a rule are judged by the policies generated for that rule alone (``admission_policies
([rule])``: the same validations as in the stack's policies, in policies of their own), each renamed
``<name>.<rule id>`` and bound with an ``objectSelector`` on the label
``platform-components.io/fixture-rule: <rule id>`` that each fixture object carries: a firing fixture of
one rule is not hidden by another rule refusing it first. The stack's policies themselves are created
without bindings here (they are type-checked); ``test_stacks_admitted_real.py`` binds them as a stack
does.

Everything is deleted at the end of the module, and the module waits until the API server has
stopped enforcing the policies (the later modules send objects the policies would refuse).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

import pytest
from platform_components.admission_policies import AdmissionPoliciesArgs, admission_documents
from platform_components.policies import RULES, Enforcement, Rule
from platform_components.policies.admission import admission_policies
from platform_components.policies.images import image_rule
from policies.conftest import Kit
from policies.test_policies_rules import CASES
from real_engine_kubeapi import DRY_RUN, Api, Verdict, install_crds  # loaded by conftest

pytestmark = pytest.mark.real_engine

NAMESPACE = "admission-fixtures"
FIXTURE_LABEL = "platform-components.io/fixture-rule"
VAP_PATH = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies"
BINDING_PATH = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings"
CEL_RULES = tuple(rule for rule in RULES if rule.cel)
IMAGE_RULE = image_rule(["123456789012.dkr.ecr.eu-west-1.amazonaws.com", "ghcr.io/acme"])
"""A stack's allowed-registries rule (the kit's workloads come from the ECR registry)."""
TYPE_CHECK_TIMEOUT = 120.0
ACTIVATION_TIMEOUT = 60.0


def policies() -> list[dict[str, Any]]:
    """The generated policies, as a stack installs them (created without bindings: type-checked only)."""
    return [doc for doc in admission_policies() if doc["kind"] == "ValidatingAdmissionPolicy"]


def isolated(rule: Rule) -> list[dict[str, Any]]:
    """The policies and bindings generated for ``rule`` alone, renamed ``<name>.<rule id>``, each binding
    also selecting only the objects labelled with the rule's id."""
    out = []
    for doc in admission_policies([rule]):
        doc = copy.deepcopy(doc)
        doc["metadata"]["name"] += f".{rule.id}"
        if doc["kind"] == "ValidatingAdmissionPolicyBinding":
            doc["spec"]["policyName"] += f".{rule.id}"
            match = doc["spec"].setdefault("matchResources", {})
            match["objectSelector"] = {"matchLabels": {FIXTURE_LABEL: rule.id}}
        out.append(doc)
    return out


def fixture_objects(rule: Rule, verdict: str) -> list[dict[str, Any]]:
    """The objects of a rule's firing (``"firing"``: those its CEL forms judge) or silent (all) fixture,
    labelled for the rule; a namespaced object without a namespace goes to ``default``, as kubectl
    sends it, any other to the test's namespace."""
    bad, good = CASES[rule.id]
    case = bad if verdict == "firing" else good
    types = {type_ for cel in rule.cel for type_ in (cel.types or rule.types)}
    objects = []
    for resource in case(Kit()):
        if verdict == "firing" and resource.type not in types:
            continue
        manifest = copy.deepcopy(dict(resource.props))
        metadata = manifest.setdefault("metadata", {})
        metadata.setdefault("labels", {})[FIXTURE_LABEL] = rule.id
        if resource.type.split(":")[2] not in CLUSTER_SCOPED:
            metadata["namespace"] = NAMESPACE if metadata.get("namespace") else "default"
        objects.append(manifest)
    return objects


CLUSTER_SCOPED = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "NodePool", "EC2NodeClass", "PriorityClass"}
)


def _wait_type_checked(api: Api, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + TYPE_CHECK_TIMEOUT
    while True:
        status, answer = api.server.request("GET", f"{VAP_PATH}/{name}")
        assert status == 200, answer
        state = answer.get("status") or {}
        if state.get("observedGeneration") == answer["metadata"]["generation"] and "typeChecking" in state:
            return state
        assert time.monotonic() < deadline, (
            f"{name}: no typeChecking status after {TYPE_CHECK_TIMEOUT:.0f} s: {answer}\n{api.server.logs()}"
        )
        time.sleep(0.5)


def _probes() -> list[tuple[str, dict[str, Any]]]:
    """Deployments that the first and the last policies created refuse (pss-privileged's and the image
    rule's), to see when enforcement starts and stops: (rule id, object)."""
    rule = next(rule for rule in CEL_RULES if rule.id == "pss-privileged")
    return [
        (rule.id, fixture_objects(rule, "firing")[0]),
        (IMAGE_RULE.id, image_fixture("quay.io/evil/miner:1.0")),
    ]


def _refused(api: Api) -> list[bool]:
    """For each probe, whether its rule refuses it (an object refused for another reason, such as its
    namespace being deleted, is not refused by the policies)."""
    verdicts = [(rule_id, api.post(probe, DRY_RUN)) for rule_id, probe in _probes()]
    return [verdict.status >= 400 and rule_id in verdict.message for rule_id, verdict in verdicts]


def image_fixture(image: str) -> dict[str, Any]:
    """The kit's Deployment with ``image``, labelled for the image rule."""
    manifest = Kit().deployment()
    manifest["metadata"]["namespace"] = NAMESPACE
    manifest["metadata"].setdefault("labels", {})[FIXTURE_LABEL] = IMAGE_RULE.id
    manifest["spec"]["template"]["spec"]["containers"][0]["image"] = image
    return manifest


def _wait(api: Api, enforced: bool) -> None:
    """Until every probe is refused (``enforced``) or none is."""
    deadline = time.monotonic() + ACTIVATION_TIMEOUT
    while True:
        refused = _refused(api)
        if all(refused) if enforced else not any(refused):
            return
        assert time.monotonic() < deadline, f"the policies are {'not yet' if enforced else 'still'} enforced"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def api(apiserver: Any) -> Iterator[Api]:
    api = Api(apiserver)
    install_crds(api)
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
    assert api.post(namespace).status in (201, 409)
    created: list[dict[str, Any]] = []
    try:
        isolated_rules = [*CEL_RULES, IMAGE_RULE]
        for doc in [*policies(), *(doc for rule in isolated_rules for doc in isolated(rule))]:
            verdict = api.post(doc)
            assert verdict.status == 201, f"{doc['kind']} {doc['metadata']['name']}: {verdict}"
            created.append(doc)
        _wait(api, enforced=True)
        yield api
    finally:
        for doc in reversed(created):
            api.delete(doc)
        _wait(api, enforced=False)  # the probes live in the namespace: delete it only afterwards
        api.delete(namespace)


@pytest.mark.parametrize("policy", policies(), ids=lambda p: p["metadata"]["name"])
def test_the_server_type_checks_each_policy_without_warnings(api: Api, policy: dict[str, Any]) -> None:
    state = _wait_type_checked(api, policy["metadata"]["name"])
    assert state["typeChecking"].get("expressionWarnings", []) == []


def _params() -> list[Any]:
    return [
        pytest.param(rule, verdict, id=f"{rule.id}-{verdict}")
        for rule in CEL_RULES
        for verdict in ("firing", "silent")
    ]


#: Rules whose firing fixture the API server's own validation refuses before admission, with the reason.
REFUSED_BY_VALIDATION: dict[str, str] = {
    "pss-proc-mount": "procMount Unmasked needs hostUsers false (validation), which is what relaxes the "
    "baseline check: on a valid object only pss-proc-mount-restricted can fire",
    "wl-selector-matches": "apps/v1 validation refuses a selector that does not match the template; "
    "the rule matters for Argo Rollouts, whose CRD does not check it (test_a_rollout_selector_...)",
}


def as_rollout(deployment: dict[str, Any]) -> dict[str, Any]:
    """A Deployment fixture as the Argo Rollout a team would write instead (canary strategy)."""
    rollout = copy.deepcopy(deployment)
    rollout["apiVersion"], rollout["kind"] = "argoproj.io/v1alpha1", "Rollout"
    rollout["spec"]["strategy"] = {"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "60s"}}]}}
    return rollout


@pytest.mark.parametrize("verdict", ["firing", "silent"])
def test_a_rollout_selector_is_judged_by_the_policy(api: Api, verdict: str) -> None:
    """wl-selector-matches where its check is the only one: the Rollout CRD does not compare the
    selector with the template (apps/v1 validation does, REFUSED_BY_VALIDATION)."""
    (rule,) = [rule for rule in CEL_RULES if rule.id == "wl-selector-matches"]
    (deployment,) = [o for o in fixture_objects(rule, verdict) if o["kind"] == "Deployment"]
    answer = send(api, as_rollout(deployment))
    if verdict == "firing":
        assert answer.status == 403 and "wl-selector-matches:" in answer.message, answer
    else:
        assert answer.status == 201 and not answer.warnings, answer


def send(api: Api, manifest: dict[str, Any]) -> Verdict:
    """Dry-run create; an object the cluster already has (a namespace's ``default`` ServiceAccount) is
    dry-run replaced instead (admission judges an ``UPDATE`` the same way)."""
    if manifest["kind"] == "ServiceAccount" and manifest["metadata"]["name"] == "default":
        path = f"{api.collection(manifest)}/default"
        status, answer = api.server.request("GET", path)
        assert status == 200, answer
        body = {
            **manifest,
            "metadata": {**manifest["metadata"], "resourceVersion": answer["metadata"]["resourceVersion"]},
        }
        status, answer, warnings = api.server.request_with_warnings("PUT", path, body, params=DRY_RUN)
        message = answer.get("message", "") if isinstance(answer, dict) else str(answer)
        return Verdict(201 if status == 200 else status, message, warnings, answer)
    return api.post(manifest, DRY_RUN)


@pytest.mark.parametrize(("rule", "verdict"), _params())
def test_each_rule_fixture_through_admission(api: Api, rule: Rule, verdict: str) -> None:
    objects = fixture_objects(rule, verdict)
    assert objects, f"{rule.id}: the {verdict} fixture has no object"
    results = [(manifest, send(api, manifest)) for manifest in objects]
    if verdict == "firing" and rule.id in REFUSED_BY_VALIDATION:  # refused before admission is asked
        assert all(answer.status == 422 for _, answer in results), (REFUSED_BY_VALIDATION[rule.id], results)
        return
    said = [
        (manifest, answer)
        for manifest, answer in results
        if f"{rule.id}:" in answer.message or any(f"{rule.id}:" in warning for warning in answer.warnings)
    ]
    for manifest, answer in results:
        assert answer.status < 500, f"{manifest['kind']}: {answer}"
    if verdict == "silent":
        for manifest, answer in results:
            assert answer.status == 201, (
                f"{rule.id} silent fixture {manifest['kind']} refused: {answer.message}"
            )
        assert said == [], f"{rule.id} spoke on its silent fixture: {said[0][1]}"
        return
    assert said, f"{rule.id}: the server neither refused nor warned about its firing fixture: {results}"
    for _manifest, answer in said:
        if rule.enforcement is Enforcement.MANDATORY:
            assert answer.status >= 400, f"{rule.id} (mandatory) only warned: {answer}"
        else:
            assert answer.status == 201 and answer.warnings, f"{rule.id} (advisory) refused: {answer}"


def test_rules_with_a_cel_form_are_all_exercised() -> None:
    """Every rule with a CEL form has a fixture pair (the count goes into the closing figures)."""
    assert {rule.id for rule in CEL_RULES} <= set(CASES)
    print(
        f"rules with a CEL form: {len(CEL_RULES)}; firing fixture refused by the server's admission: "
        f"{len(CEL_RULES) - len(REFUSED_BY_VALIDATION)}, by its validation first: {len(REFUSED_BY_VALIDATION)} "
        "(wl-selector-matches then judged by admission on a Rollout: test_a_rollout_selector_is_judged_by_the_policy)"
    )


@pytest.mark.parametrize(
    ("image", "admitted"),
    [
        ("quay.io/evil/miner:1.0", False),
        ("ghcr.io/acmecorp/api:1.0", False),
        ("ghcr.io/acme/api:1.0", True),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4.2", True),
    ],
)
def test_a_workload_from_a_registry_not_on_the_list_is_denied(api: Api, image: str, admitted: bool) -> None:
    verdict = api.post(image_fixture(image), DRY_RUN)
    if admitted:
        assert verdict.status == 201 and not verdict.warnings, verdict
    else:
        assert verdict.status == 403, verdict
        assert "img-allowed-registries: use an image from" in verdict.message


def test_the_signature_policy_is_accepted_by_the_server(api: Api) -> None:
    """The Kyverno ClusterPolicy of admission.images.signed, against the shipped kyverno.io CRD
    (installed by install_crds), for a keyless identity; test_signatures_real.py verifies public-key
    signatures end to end with Kyverno running."""
    args = AdmissionPoliciesArgs(
        images={
            "allowed_registries": ["ghcr.io/acme"],
            "signed": [
                {
                    "registry": "ghcr.io/acme",
                    "keyless": {
                        "issuer": "https://token.actions.githubusercontent.com",
                        "subject": "https://github.com/acme/*",
                    },
                }
            ],
        }
    )
    (policy,) = [d for d in admission_documents(args) if d["kind"] == "ClusterPolicy"]
    verdict = api.post(policy, DRY_RUN)
    assert verdict.status == 201 and not verdict.warnings, verdict
