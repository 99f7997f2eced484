"""Calls the real-engine tests make to a running control plane (``apiserver.py``'s ``ControlPlane``).

Discovery (where each kind lives), create (server-side dry-run with ``params``), delete,
SubjectAccessReviews, and installing the CRDs the package ships. Pytest-free, so that
``tools/apiserver-corpus`` uses it too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "components" / "platform_components" / "schemas"
DRY_RUN = {"dryRun": "All", "fieldValidation": "Strict"}
"""Server-side dry-run with strict field validation: unknown and duplicate fields are errors."""


@dataclass
class Verdict:
    status: int
    message: str
    warnings: list[str]
    answer: Any = None
    """The decoded body of the answer (a ``Status`` when refused)."""

    @property
    def admitted(self) -> bool:
        return self.status in (200, 201) and not self.warnings


class Api:
    """Where each kind lives on the server (discovery), and the calls the tests make."""

    def __init__(self, apiserver: Any) -> None:
        self.server = apiserver
        self._resources: dict[tuple[str, str], tuple[str, bool]] = {}

    def _discover(self, api_version: str) -> tuple[int, Any]:
        """Read ``apiVersion``'s resources into the map; the discovery answer's status and body."""
        status, answer = self.server.request("GET", self._base(api_version))
        if status == 200:
            for item in answer["resources"]:
                if "/" not in item["name"]:
                    self._resources[(api_version, item["kind"])] = (item["name"], item["namespaced"])
        return status, answer

    def resource(self, api_version: str, kind: str) -> tuple[str, bool]:
        key = (api_version, kind)
        if key not in self._resources:
            status, answer = self._discover(api_version)
            assert status == 200, f"discovery of {api_version}: {status} {answer}"
        return self._resources[key]

    def serves(self, api_version: str, kind: str) -> bool:
        """Whether the server has ``kind`` in ``apiVersion`` (an unknown group is no)."""
        if (api_version, kind) not in self._resources:
            self._discover(api_version)
        return (api_version, kind) in self._resources

    @staticmethod
    def _base(api_version: str) -> str:
        return "/api/v1" if api_version == "v1" else f"/apis/{api_version}"

    def collection(self, manifest: dict[str, Any]) -> str:
        plural, namespaced = self.resource(manifest["apiVersion"], manifest["kind"])
        namespace = manifest["metadata"].get("namespace")
        scope = f"/namespaces/{namespace}" if namespaced else ""
        return f"{self._base(manifest['apiVersion'])}{scope}/{plural}"

    def post(self, manifest: dict[str, Any], params: dict[str, str] | None = None) -> Verdict:
        status, answer, warnings = self.server.request_with_warnings(
            "POST", self.collection(manifest), manifest, params=params
        )
        message = answer.get("message", "") if isinstance(answer, dict) else str(answer)
        return Verdict(status, message, warnings, answer)

    def delete(self, manifest: dict[str, Any]) -> None:
        self.server.request("DELETE", f"{self.collection(manifest)}/{manifest['metadata']['name']}")

    def gone(self, manifest: dict[str, Any]) -> bool:
        status, _ = self.server.request("GET", f"{self.collection(manifest)}/{manifest['metadata']['name']}")
        return status == 404

    def can(self, user: str, groups: list[str], verb: str, resource: str, group: str, namespace: str) -> bool:
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": user,
                "groups": groups,
                "resourceAttributes": {
                    "verb": verb,
                    "resource": resource,
                    "group": group,
                    "namespace": namespace,
                },
            },
        }
        status, answer = self.server.request(
            "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review
        )
        assert status == 201, answer
        return bool(answer["status"].get("allowed"))


def shipped_crds() -> list[dict[str, Any]]:
    crds = []
    for path in sorted(SCHEMAS.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                crds.append(doc)
    return crds


def install_crds(api: Api) -> None:
    crds = shipped_crds()
    assert crds, "no CRDs shipped"
    for crd in crds:
        verdict = api.post(crd)
        assert verdict.status in (201, 409), f"{crd['metadata']['name']}: {verdict}"
    deadline = time.monotonic() + 120
    path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    for crd in crds:
        while True:
            _, answer = api.server.request("GET", f"{path}/{crd['metadata']['name']}")
            conditions = {c["type"]: c["status"] for c in answer.get("status", {}).get("conditions", [])}
            if conditions.get("Established") == "True":
                break
            assert time.monotonic() < deadline, f"{crd['metadata']['name']} not established: {conditions}"
            time.sleep(0.5)
