"""The real control plane of the tests (fixture ``apiserver``, tests/real_engine/apiserver.py) is the
pinned Kubernetes, enforces what EKS enforces (Pod Security Admission, ValidatingAdmissionPolicy,
RBAC), and deletes for real (the namespace and garbage-collector controllers run).

The tests talk HTTPS with the admin client certificate (no client library, no kubectl: the
machine's kubectl is 1.32, outside the one-minor-version skew kubectl supports against 1.35)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.real_engine

ROOT = Path(__file__).resolve().parents[2]
DRY_RUN = {"dryRun": "All"}


def pins() -> dict[str, str]:
    lines = (ROOT / "tools" / "versions.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def eventually(what: str, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f} s: {what} (last: {last!r})")


def create(api: Any, path: str, body: dict[str, Any], **params: str) -> Any:
    status, answer = api.request("POST", path, body, params=params or None)
    assert status == 201, (status, answer)
    return answer


def namespace(api: Any, labels: dict[str, str] | None = None) -> str:
    """A new namespace, once its default ServiceAccount exists (the ServiceAccount admission plugin
    refuses Pods before the controller manager has made it)."""
    name = unique("t")
    create(
        api,
        "/api/v1/namespaces",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}},
    )
    eventually(
        f"ServiceAccount {name}/default",
        lambda: api.request("GET", f"/api/v1/namespaces/{name}/serviceaccounts/default")[0] == 200,
    )
    return name


def pod(
    name: str, security_context: dict[str, Any], pod_security: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "securityContext": pod_security or {},
            "containers": [
                {"name": "app", "image": "registry.example/app:1.0", "securityContext": security_context}
            ],
        },
    }


RESTRICTED_CONTAINER = {
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def test_the_server_is_the_pinned_kubernetes(apiserver: Any) -> None:
    status, version = apiserver.request("GET", "/version")
    assert status == 200, version
    want = pins()["KUBE_APISERVER_VERSION"]
    assert version["gitVersion"] == f"v{want}"
    assert (version["major"], version["minor"]) == tuple(want.split(".")[:2])


def test_the_kubeconfig_names_the_server_and_the_admin(apiserver: Any) -> None:
    import yaml

    config = yaml.safe_load(apiserver.kubeconfig.read_text())
    assert config["clusters"][0]["cluster"]["server"] == apiserver.url
    review = create(
        apiserver,
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
    )
    assert review["status"]["userInfo"]["username"] == "admin"
    assert "system:masters" in review["status"]["userInfo"]["groups"]


def test_pod_security_restricted_refuses_a_privileged_pod_and_admits_a_restricted_one(apiserver: Any) -> None:
    ns = namespace(apiserver, {"pod-security.kubernetes.io/enforce": "restricted"})
    path = f"/api/v1/namespaces/{ns}/pods"
    status, answer = apiserver.request("POST", path, pod("privileged", {"privileged": True}), params=DRY_RUN)
    assert status == 403, answer
    assert 'violates PodSecurity "restricted:latest"' in answer["message"]
    assert "privileged" in answer["message"]

    admitted = create(apiserver, path, pod("restricted", RESTRICTED_CONTAINER), **DRY_RUN)
    assert admitted["metadata"]["namespace"] == ns
    status, _ = apiserver.request("GET", f"{path}/restricted")
    assert status == 404  # a dry run stores nothing


def test_a_validating_admission_policy_denies(apiserver: Any) -> None:
    name = unique("no-latest-tag")
    ns = namespace(apiserver, {"vap-test": name})
    create(
        apiserver,
        "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies",
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": name},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {
                    "resourceRules": [
                        {
                            "apiGroups": [""],
                            "apiVersions": ["v1"],
                            "operations": ["CREATE", "UPDATE"],
                            "resources": ["pods"],
                        },
                    ]
                },
                "validations": [
                    {
                        "expression": "object.spec.containers.all(c, !c.image.endsWith(':latest'))",
                        "message": "no :latest images",
                    }
                ],
            },
        },
    )
    create(
        apiserver,
        "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings",
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": name},
            "spec": {
                "policyName": name,
                "validationActions": ["Deny"],
                "matchResources": {"namespaceSelector": {"matchLabels": {"vap-test": name}}},
            },
        },
    )
    path = f"/api/v1/namespaces/{ns}/pods"
    latest = pod("latest", RESTRICTED_CONTAINER)
    latest["spec"]["containers"][0]["image"] = "registry.example/app:latest"

    def denied() -> Any:  # the policy takes effect once the server's informers have it
        status, answer = apiserver.request("POST", path, latest, params=DRY_RUN)
        return answer if status == 422 else None

    answer = eventually("the policy denies", denied, timeout=30)
    assert f"ValidatingAdmissionPolicy '{name}'" in answer["message"]
    assert "no :latest images" in answer["message"]
    create(apiserver, path, pod("pinned", RESTRICTED_CONTAINER), **DRY_RUN)


def test_a_deleted_namespace_and_its_configmap_disappear(apiserver: Any) -> None:
    ns = namespace(apiserver)
    create(
        apiserver,
        f"/api/v1/namespaces/{ns}/configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "1"}},
    )
    status, answer = apiserver.request("DELETE", f"/api/v1/namespaces/{ns}")
    assert status == 200, answer
    assert answer["status"]["phase"] == "Terminating"
    eventually(
        f"namespace {ns} is gone", lambda: apiserver.request("GET", f"/api/v1/namespaces/{ns}")[0] == 404
    )
    status, listed = apiserver.request("GET", f"/api/v1/namespaces/{ns}/configmaps")
    assert status == 200 and listed["items"] == [], listed


def test_foreground_deletion_waits_for_the_garbage_collector(apiserver: Any) -> None:
    """The Kubernetes provider deletes with Foreground propagation: the owner stays (with the
    foregroundDeletion finalizer) until the garbage collector has deleted its dependents."""
    ns = namespace(apiserver)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    owner = create(apiserver, path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}})
    ref = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": "owner",
        "uid": owner["metadata"]["uid"],
        "blockOwnerDeletion": True,
    }
    create(
        apiserver,
        path,
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "dependent", "ownerReferences": [ref]},
        },
    )
    status, answer = apiserver.request(
        "DELETE",
        f"{path}/owner",
        {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Foreground"},
    )
    assert status in (200, 202), answer
    eventually(
        "owner and dependent are gone",
        lambda: all(apiserver.request("GET", f"{path}/{name}")[0] == 404 for name in ("owner", "dependent")),
    )
