"""Every documented default of MeshNamespaceArgs (the argument reference) is asserted."""

from platform_components.namespace import QUOTA_PRESETS, MeshMode, MeshNamespaceArgs, PodSecurityLevel, Size


def test_mesh_namespace_defaults() -> None:
    actual = {
        name: field.get_default(call_default_factory=True)
        for name, field in MeshNamespaceArgs.model_fields.items()
        if not field.is_required()
    }
    assert actual == {
        "mesh": MeshMode.NONE,
        "waypoint": False,
        "mesh_cni": False,
        "pod_security": PodSecurityLevel.RESTRICTED,
        "policy_exemptions": {},
        "pod_security_version": "v1.35",
        "size": Size.SMALL,
        "quota": {},
        "group": None,
        "owners": [],
        "labels": {},
    }
    assert [name for name, field in MeshNamespaceArgs.model_fields.items() if not field.description] == []


def test_quota_presets_grow_with_size_and_forbid_load_balancers() -> None:
    cpu = [int(QUOTA_PRESETS[size]["requests.cpu"]) for size in (Size.SMALL, Size.MEDIUM, Size.LARGE)]
    assert cpu == sorted(cpu) == [4, 16, 64]
    for preset in QUOTA_PRESETS.values():
        assert preset["services.loadbalancers"] == "0"
        assert preset["services.nodeports"] == "0"
