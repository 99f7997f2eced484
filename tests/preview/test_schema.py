"""Schema checks of core kinds (``preview/schema.py``): where an unknown field is reported, and the
fields the server defaults before it validates."""

from __future__ import annotations

from typing import Any

from platform_components.preview.schema import validate_manifest


def errors(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e.path, e.message) for e in validate_manifest(manifest, "1.35", display="x")]


def pod(**container: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "registry.example/app:1.0", **container}]},
    }


def test_an_unknown_field_is_reported_at_its_own_path() -> None:
    """As strict field validation does: ``unknown field "spec.containers[0].imagePullPolcy"``."""
    assert errors(pod(imagePullPolcy="Always")) == [
        ("spec.containers[0].imagePullPolcy", 'unknown field "imagePullPolcy"')
    ]
    assert errors({**pod(), "spek": {}}) == [("spek", 'unknown field "spek"')]


def binding(kind: str, role_ref: dict[str, str]) -> dict[str, Any]:
    meta = {"name": "b"} | ({"namespace": "default"} if kind == "RoleBinding" else {})
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta, "roleRef": role_ref}


def test_a_role_ref_without_api_group_is_defaulted_not_refused() -> None:
    """rbac/v1 ``SetDefaults_RoleBinding``/``SetDefaults_ClusterRoleBinding`` fill in an empty
    ``roleRef.apiGroup`` before validation; the schema's ``required`` is not the server's rule."""
    for kind in ("RoleBinding", "ClusterRoleBinding"):
        assert errors(binding(kind, {"kind": "ClusterRole", "name": "view"})) == []
        refused = errors(binding(kind, {"apiGroup": "rbac.authorization.k8s.io", "name": "view"}))
        assert ("roleRef", "'kind' is a required property") in refused  # not defaulted: still required
