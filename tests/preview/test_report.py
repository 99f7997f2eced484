"""Where a preview writes each object: ``manifest_paths`` maps any name the API server allows (and any
it refuses) to a file name a file system takes, keeps ordinary names as they are, and never lets
two objects share a file."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from platform_components.preview import report
from platform_components.preview.report import MAX_FILE_NAME, manifest_paths

ROOT = Path(__file__).resolve().parents[2]
HASHED = re.compile(r"^(?P<readable>[-A-Za-z0-9_.]*)~(?P<digest>[0-9a-f]{16})\.yaml$")


def obj(kind: str, name: Any, namespace: str | None = None, api_version: str = "v1") -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata}


def path_of(manifest: dict[str, Any]) -> str:
    [path] = manifest_paths([manifest])
    return path.as_posix()


def test_ordinary_names_keep_their_file_names() -> None:
    assert path_of(obj("Deployment", "api", "shop")) == "shop/deployment-api.yaml"
    assert path_of(obj("Namespace", "shop")) == "_cluster/namespace-shop.yaml"
    assert path_of(obj("ClusterRole", "platform.view-1")) == "_cluster/clusterrole-platform.view-1.yaml"
    # the kind comes first, so no name makes a hidden file or a reserved device name
    assert path_of(obj("ClusterRole", ".hidden")) == "_cluster/clusterrole-.hidden.yaml"
    assert path_of(obj("ClusterRole", "CON")) == "_cluster/clusterrole-CON.yaml"


@pytest.mark.parametrize("target", ["dev", "staging", "prod", "local", "team-service"])
def test_the_golden_file_names_are_ordinary(target: str) -> None:
    """Every file name recorded in tests/golden is what the mapping still gives for it."""
    golden = json.loads((ROOT / "tests" / "golden" / target / "manifests.json").read_text())
    manifests = list(golden.values())
    assert [p.as_posix() for p in manifest_paths(manifests)] == list(golden)


@pytest.mark.parametrize(
    "name",
    [
        "a" * 254,
        ("a" * 62 + ".") * 4 + "b",  # the longest DNS-1123 subdomain
        "x" * 5000,  # an RBAC name has no length limit
        "system:controller:job-controller",
        "a b",
        "ünïcödé",
        "../../etc/passwd",
        "..",
        "",
        "a\nb",
    ],
    ids=lambda n: repr(n[:40]),
)
def test_unusual_names_get_a_short_safe_name_with_a_hash(name: str) -> None:
    path = manifest_paths([obj("ClusterRole", name)])[0]
    assert path.parent == PurePosixPath("_cluster")
    match = HASHED.match(path.name)
    assert match, path.name
    assert len(path.name) <= MAX_FILE_NAME
    assert path.name.isascii()
    assert match["digest"] == hashlib.sha256(name.encode()).hexdigest()[:16]
    assert match["readable"].startswith("clusterrole-")
    assert not path.name.startswith(".")


def test_a_long_name_keeps_as_much_of_itself_as_fits() -> None:
    name = "settings-" + "a" * 244
    path = path_of(obj("ConfigMap", name, "apps"))
    assert path.startswith("apps/configmap-settings-aaaa")
    assert len(PurePosixPath(path).name) == MAX_FILE_NAME


def test_file_names_are_stable() -> None:
    manifest = obj("ConfigMap", "a" * 254, "apps")
    assert manifest_paths([manifest]) == manifest_paths([manifest])


def test_long_names_sharing_a_prefix_get_different_files() -> None:
    first, second = obj("ConfigMap", "a" * 200 + "-one", "apps"), obj("ConfigMap", "a" * 200 + "-two", "apps")
    paths = manifest_paths([first, second])
    assert paths[0] != paths[1]
    assert paths[0].name[:100] == paths[1].name[:100]


@pytest.mark.parametrize("namespace", ["../..", "a/b", "Team", "x" * 300, "_cluster", "."])
def test_a_namespace_never_leaves_its_folder(namespace: str) -> None:
    path = manifest_paths([obj("ConfigMap", "settings", namespace)])[0]
    assert len(path.parts) == 2
    assert path.parts[0] not in ("_cluster", ".", "..")
    assert "/" not in path.parts[0]
    assert len(path.parts[0]) <= MAX_FILE_NAME
    assert HASHED.match(path.parts[0] + ".yaml")


def test_two_objects_never_share_a_file() -> None:
    """Same kind, namespace and name in two API groups; the same object twice; names that differ
    only in case (one file on a case-insensitive file system)."""
    manifests = [
        obj("Policy", "default", "apps", api_version="kyverno.io/v1"),
        obj("Policy", "default", "apps", api_version="example.com/v1"),
        obj("Policy", "default", "apps", api_version="example.com/v1"),
        obj("ClusterRole", "Admin"),
        obj("ClusterRole", "admin"),
    ]
    paths = [p.as_posix() for p in manifest_paths(manifests)]
    assert len({p.casefold() for p in paths}) == len(paths)
    assert paths[0] == "apps/policy-default.yaml"  # the first keeps its ordinary name
    assert paths[3] == "_cluster/clusterrole-Admin.yaml"
    assert re.fullmatch(r"apps/policy-default~[0-9a-f]{16}\.yaml", paths[1])
    assert re.fullmatch(r"apps/policy-default~[0-9a-f]{16}~2\.yaml", paths[2])
    assert re.fullmatch(r"_cluster/clusterrole-admin~[0-9a-f]{16}\.yaml", paths[4])
    assert all(len(PurePosixPath(p).name) <= MAX_FILE_NAME for p in paths)


def test_a_collision_between_long_names_stays_short() -> None:
    manifests = [obj("ConfigMap", "a" * 254, "apps", api_version=f"example.com/v{i}") for i in range(3)]
    paths = manifest_paths(manifests)
    assert len(set(paths)) == 3
    assert all(len(p.name) <= MAX_FILE_NAME for p in paths)


def test_the_written_files_are_the_mapped_paths(tmp_path: Path) -> None:
    """write_outputs writes each object at its mapped path, every one of them."""
    from platform_components.preview.engine import preview
    from platform_components.preview.report import write_outputs

    result = preview(ROOT / "examples" / "team-service", "dev")
    outputs = write_outputs(result, tmp_path)
    expected = {p.as_posix() for p in manifest_paths([m for _r, m in result.manifests])}
    written = {p.relative_to(outputs["manifests"]).as_posix() for p in outputs["manifests"].rglob("*.yaml")}
    assert written == expected


# --- the YAML writer ---------------------------------------------------------------------------------


GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def dump_with(dumper: Any, manifest: Any) -> str:
    return yaml.dump(manifest, Dumper=dumper, sort_keys=False, width=120)


def test_the_fast_writer_is_libyamls_where_pyyaml_has_it() -> None:
    assert report._Dumper is (report._CDumper if hasattr(yaml, "CSafeDumper") else report._PyDumper)


def test_both_writers_write_the_golden_manifests_byte_for_byte() -> None:
    manifests = [
        m for path in sorted(GOLDEN.glob("*/manifests.json")) for m in json.loads(path.read_text()).values()
    ]
    assert len(manifests) > 200
    assert [dump_with(report._Dumper, m) for m in manifests] == [
        dump_with(report._PyDumper, m) for m in manifests
    ]


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_both_writers_write_the_same_documents(value: Any) -> None:
    """Where the text differs (an empty mapping key is written "? ''" by one, "''" by the other),
    the document read back is the same."""
    fast, plain = dump_with(report._Dumper, value), dump_with(report._PyDumper, value)
    assert yaml.safe_load(fast) == yaml.safe_load(plain) == value
