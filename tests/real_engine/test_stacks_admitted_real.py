"""Every stack's and example's Kubernetes objects, admitted by the real API server (fixture ``apiserver``).

For dev, staging, prod, local and the example team repository, the objects ``platformctl preview``
renders are sent to kube-apiserver 1.35 with server-side dry-run (``dryRun=All``,
``fieldValidation=Strict``), after the CRDs the package ships are installed for real:

* every object is admitted, and an admission warning (Pod Security on a controller, a deprecated
  field, an unknown field) counts as a failure;
* Pod Security Admission enforces on Pods only, so each pod template (Deployments, StatefulSets,
  Jobs, CronJobs, Rollouts) is also dry-run as a Pod in its namespace;
* in every namespace a stack declares, a privileged Pod is denied (one test per namespace);
* all of it under the stack's own ValidatingAdmissionPolicies and bindings (``AdmissionPolicies``;
  a team program under the dev platform's), created for real first: a privileged hostNetwork
  DaemonSet is admitted in kube-system and denied, with the rule ids, in a namespace of the stack;
* for every team, SubjectAccessReviews against the stack's own Roles and RoleBindings (created for
  real with its Namespaces): the team's GitOps identity manages workloads in its namespace, the
  team's developers read them, neither can write in another team's namespace, and neither can read
  Secrets in the platform's namespaces.

A namespace an object needs but the stack does not declare (the example deploys into the dev
platform's team namespace and uses its PriorityClasses; Argo CD's namespace is the Helm release's)
is created from the dev stack's declaration, or bare. Namespaces, PriorityClasses, ServiceAccounts
and RBAC objects are created for real (Pod admission looks them up). Everything created is deleted again, and the namespaces are gone
before the module ends (the ``local`` stack's real ``up`` runs on the same server).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from _targets import TARGETS
from platform_components.preview.engine import preview
from real_engine_kubeapi import DRY_RUN, Api, Verdict, install_crds  # loaded by conftest

pytestmark = pytest.mark.real_engine

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
CREATED_FOR_REAL = (
    "Namespace",
    "PriorityClass",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
)
PLATFORM_NAMESPACES = ("kube-system", "argocd", "flux-system", "karpenter")
"""Namespaces of the platform's controllers (whether or not a stack renders them)."""


def declared_namespaces(target: str) -> list[str]:
    """The Namespaces a target declares, from its golden manifests (collection needs no preview;
    the live preview must declare the same ones, :func:`test_the_declared_namespaces_are_current`)."""
    manifests = json.loads((GOLDEN / target / "manifests.json").read_text(encoding="utf-8")).values()
    return sorted(m["metadata"]["name"] for m in manifests if m["kind"] == "Namespace")


NAMESPACE_CASES = [(target, ns) for target in TARGETS for ns in declared_namespaces(target)]


@dataclass
class TargetRun:
    namespaces: list[str] = field(default_factory=list)
    objects: dict[str, Verdict] = field(default_factory=dict)
    pods: dict[str, Verdict] = field(default_factory=dict)
    privileged: dict[str, Verdict] = field(default_factory=dict)
    daemonsets: dict[str, Verdict] = field(default_factory=dict)
    """A privileged hostNetwork DaemonSet, by namespace: kube-system and the first declared one."""
    access: list[tuple[str, bool, bool]] = field(default_factory=list)  # (question, expected, answer)


def display(manifest: dict[str, Any]) -> str:
    meta = manifest["metadata"]
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{manifest['kind']} {where}{meta['name']}"


POD_BEARING = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Rollout")


def pod_template(manifest: dict[str, Any]) -> dict[str, Any] | None:
    if manifest["kind"] not in POD_BEARING:
        return None
    spec = manifest.get("spec") or {}
    if manifest["kind"] == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    template = spec.get("template")
    return template if isinstance(template, dict) and "spec" in template else None


def pod_from(manifest: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """The Pod the controller would create, owned by it (a StatefulSet's claims become volumes of its
    pod 0)."""
    meta = template.get("metadata") or {}
    spec = dict(template["spec"])
    name = manifest["metadata"]["name"]
    claims = (manifest.get("spec") or {}).get("volumeClaimTemplates") or []
    if manifest["kind"] == "StatefulSet" and claims:
        spec["volumes"] = [
            *(spec.get("volumes") or []),
            *(
                {
                    "name": c["metadata"]["name"],
                    "persistentVolumeClaim": {"claimName": f"{c['metadata']['name']}-{name}-0"},
                }
                for c in claims
            ),
        ]
    owner = {  # as the controller sets it: the admission policies judged the controller instead
        "apiVersion": manifest["apiVersion"],
        "kind": "Job" if manifest["kind"] == "CronJob" else manifest["kind"],
        "name": name,
        "uid": "00000000-0000-0000-0000-000000000000",
        "controller": True,
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{manifest['metadata']['name']}-from-template",
            "namespace": manifest["metadata"]["namespace"],
            "labels": meta.get("labels") or {},
            "annotations": meta.get("annotations") or {},
            "ownerReferences": [owner],
        },
        "spec": spec,
    }


def privileged_pod(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "privileged", "namespace": namespace},
        "spec": {
            "containers": [
                {"name": "app", "image": "registry.example/app:1.0", "securityContext": {"privileged": True}}
            ]
        },
    }


def node_agent(namespace: str) -> dict[str, Any]:
    """A privileged, hostNetwork DaemonSet, as an EKS add-on or a node agent runs in kube-system."""
    labels = {"app.kubernetes.io/name": "node-agent"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "node-agent", "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "hostNetwork": True,
                    "containers": [
                        {
                            "name": "agent",
                            "image": "registry.example/agent:1.0",
                            "securityContext": {"privileged": True},
                        }
                    ],
                },
            },
        },
    }


ADMISSION_KINDS = ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")
DENIED_BY_POLICY = "ValidatingAdmissionPolicy 'platform-components."
"""The start of a refusal by one of the generated policies (the server names the first that failed)."""


def enforced(api: Api, namespace: str) -> bool:
    """Whether the admission policies refuse the node agent in ``namespace`` (they are active)."""
    verdict = api.post(node_agent(namespace), DRY_RUN)
    return verdict.status == 403 and DENIED_BY_POLICY in verdict.message


def wait_enforced(api: Api, namespace: str, expected: bool) -> None:
    deadline = time.monotonic() + 60
    while enforced(api, namespace) != expected:
        assert time.monotonic() < deadline, (
            f"admission policies {'not active' if expected else 'still active'}"
        )
        time.sleep(0.5)


def team_access(api: Api, manifests: list[dict[str, Any]], run: TargetRun) -> None:
    """The SubjectAccessReviews of every team the target declares (a ``team-developer`` binding):
    its developers' group, and its own GitOps reconciler where the stack binds one (Flux; Argo CD
    applies as its own controller)."""

    def bound(name: str) -> dict[str, str]:  # namespace -> first subject
        return {
            m["metadata"]["namespace"]: m["subjects"][0]["name"]
            for m in manifests
            if m["kind"] == "RoleBinding" and m["metadata"]["name"] == name
        }

    teams, reconciled = bound("team-developer"), bound("gitops-reconciler")
    platform = sorted({*PLATFORM_NAMESPACES, *(ns for ns in run.namespaces if ns not in teams)})
    resources = {"deployments": "apps", "services": "", "configmaps": "", "pods": "", "secrets": ""}

    known: dict[str, tuple[str, list[str]]] = {}  # identity -> (user, groups)

    def ask(who: str, verb: str, resource: str, where: str, expected: bool) -> None:
        user, groups = known[who]
        answer = api.can(user, groups, verb, resource, resources[resource], where)
        run.access.append((f"{who} {verb} {resource} in {where}", expected, answer))

    for namespace, group in sorted(teams.items()):
        identities = {group: (f"{group}-member", [group, "system:authenticated"])}
        if namespace in reconciled:
            sa = f"system:serviceaccount:{namespace}:{reconciled[namespace]}"
            identities[sa] = (sa, ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"])
        known.update(identities)

        ask(group, "list", "pods", namespace, True)
        ask(group, "get", "deployments", namespace, True)
        if namespace in reconciled:
            ask(sa, "create", "deployments", namespace, True)
            ask(sa, "update", "services", namespace, True)
        for who in identities:
            for other in sorted(set(teams) - {namespace}):
                ask(who, "create", "deployments", other, False)
                ask(who, "create", "configmaps", other, False)
            for where in platform:
                ask(who, "get", "secrets", where, False)
                ask(who, "list", "secrets", where, False)


def run_target(
    api: Api,
    target: str,
    dev_platform: dict[tuple[str, str], dict[str, Any]],
    dev_admission: list[dict[str, Any]],
) -> TargetRun:
    project, stack = TARGETS[target]
    manifests = [m for _, m in preview(project, stack).manifests]
    run = TargetRun(namespaces=sorted(m["metadata"]["name"] for m in manifests if m["kind"] == "Namespace"))
    needed = {m["metadata"].get("namespace") for m in manifests} - {
        *run.namespaces,
        None,
        "default",
        "kube-system",
    }
    implicit = [
        dev_platform.get(("Namespace", ns))
        or {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
        for ns in sorted(needed)
    ]
    if not any(m["kind"] == "PriorityClass" for m in manifests):  # a team program: the platform's
        implicit += [m for (kind, _), m in dev_platform.items() if kind == "PriorityClass"]
    real = implicit + [m for m in manifests if m["kind"] in CREATED_FOR_REAL]
    real.sort(key=lambda m: CREATED_FOR_REAL.index(m["kind"]))  # namespaces first
    # the stack's own admission policies (a team program runs under the dev platform's), for real
    admission = [m for m in manifests if m["kind"] in ADMISSION_KINDS] or dev_admission
    created: list[dict[str, Any]] = []
    excluded = {
        value
        for m in admission
        if m["kind"] == "ValidatingAdmissionPolicyBinding"
        for expression in m["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"]
        for value in expression["values"]
    }
    probe = sorted({*run.namespaces, *needed} - excluded)[0]  # a namespace the policies judge
    try:
        for manifest in [*real, *admission]:
            verdict = api.post(manifest)
            run.objects[display(manifest)] = verdict
            if verdict.status == 201:
                created.append(manifest)
        wait_enforced(api, probe, True)
        for namespace in ("kube-system", probe):
            run.daemonsets[namespace] = api.post(node_agent(namespace), DRY_RUN)
        for manifest in manifests:
            if manifest["kind"] in (*CREATED_FOR_REAL, *ADMISSION_KINDS):
                continue
            run.objects[display(manifest)] = api.post(manifest, DRY_RUN)
            template = pod_template(manifest)
            if template is not None:
                run.pods[display(manifest)] = api.post(pod_from(manifest, template), DRY_RUN)
        for namespace in run.namespaces:
            run.privileged[namespace] = api.post(privileged_pod(namespace), DRY_RUN)
        team_access(api, manifests, run)
    finally:
        for manifest in reversed(created):
            api.delete(manifest)
        deadline = time.monotonic() + 120
        while not all(api.gone(m) for m in created) and time.monotonic() < deadline:
            time.sleep(1)
    return run


@pytest.fixture(scope="module")
def runs(apiserver: Any) -> Iterator[dict[str, TargetRun]]:
    api = Api(apiserver)
    install_crds(api)
    dev = [m for _, m in preview(*TARGETS["dev"]).manifests]
    dev_platform = {
        (m["kind"], m["metadata"]["name"]): m for m in dev if m["kind"] in ("Namespace", "PriorityClass")
    }
    dev_admission = [m for m in dev if m["kind"] in ADMISSION_KINDS]
    runs = {target: run_target(api, target, dev_platform, dev_admission) for target in TARGETS}
    for target, run in runs.items():  # the figures (pytest -s)
        ok = {
            name: sum(v.admitted for v in verdicts.values())
            for name, verdicts in (("objects", run.objects), ("pods", run.pods))
        }
        denied = sum(v.status == 403 for v in run.privileged.values())
        agent = {namespace: v.status for namespace, v in run.daemonsets.items()}
        right = sum(expected == answer for _, expected, answer in run.access)
        print(
            f"admission {target}: objects {ok['objects']}/{len(run.objects)}, pods from templates "
            f"{ok['pods']}/{len(run.pods)}, privileged pod denied {denied}/{len(run.privileged)} namespaces, "
            f"access reviews as expected {right}/{len(run.access)}, privileged hostNetwork DaemonSet {agent}"
        )
    yield runs


def failures(verdicts: dict[str, Verdict]) -> list[str]:
    return [f"{what}: {v.status} {v.message} {v.warnings}" for what, v in verdicts.items() if not v.admitted]


@pytest.mark.parametrize("target", TARGETS)
def test_every_object_is_admitted_without_warnings(runs: dict[str, TargetRun], target: str) -> None:
    run = runs[target]
    bad = failures(run.objects)
    assert run.objects
    assert bad == [], f"admitted {len(run.objects) - len(bad)}/{len(run.objects)}:\n" + "\n".join(bad)


@pytest.mark.parametrize("target", TARGETS)
def test_every_pod_template_is_admitted_as_a_pod(runs: dict[str, TargetRun], target: str) -> None:
    run = runs[target]
    bad = failures(run.pods)
    assert bad == [], f"admitted {len(run.pods) - len(bad)}/{len(run.pods)}:\n" + "\n".join(bad)


@pytest.mark.parametrize("target", TARGETS)
def test_the_declared_namespaces_are_current(runs: dict[str, TargetRun], target: str) -> None:
    assert runs[target].namespaces == declared_namespaces(target)


@pytest.mark.parametrize(("target", "namespace"), NAMESPACE_CASES)
def test_a_privileged_pod_is_denied(runs: dict[str, TargetRun], target: str, namespace: str) -> None:
    verdict = runs[target].privileged[namespace]
    assert verdict.status == 403, verdict
    assert 'violates PodSecurity "restricted:' in verdict.message


@pytest.mark.parametrize("target", TARGETS)
def test_under_the_admission_policies_a_node_agent_runs_only_in_kube_system(
    runs: dict[str, TargetRun], target: str
) -> None:
    """The stack's admission policies leave kube-system alone (EKS add-ons and node agents run
    privileged with host networking there) and deny the same DaemonSet anywhere else (the server
    reports the first policy that refused it)."""
    verdicts = runs[target].daemonsets
    assert verdicts["kube-system"].status == 201, verdicts["kube-system"]
    (other,) = (namespace for namespace in verdicts if namespace != "kube-system")
    assert verdicts[other].status == 403, verdicts[other]
    assert DENIED_BY_POLICY in verdicts[other].message


@pytest.mark.parametrize("target", TARGETS)
def test_team_access_as_the_server_decides(runs: dict[str, TargetRun], target: str) -> None:
    wrong = [f"{q}: expected {e}, server says {a}" for q, e, a in runs[target].access if e != a]
    assert wrong == [], "\n".join(wrong)
