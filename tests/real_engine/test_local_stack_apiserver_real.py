"""The ``local`` stack for real against a real kube-apiserver (fixture ``apiserver``), not rendered.

``pulumi preview`` (the provider's server-side dry-run, with the pack), ``pulumi up``, a second
``up`` with no change and ``pulumi destroy``, with the provider talking to the test control plane.
Every object ``platformctl preview --stack local`` renders offline exists on the server after ``up``
and is gone after ``destroy`` (the namespace controller and the garbage collector finish the
deletions).

No kubelet runs, so no Pod ever becomes ready: the test's copy of the local stack sets the platform
option ``skip_await: true`` (``platform_components.kube.awaiting``; the program runs unmodified),
without which Deployments, the StatefulSet and Services wait 10 minutes; every object then carries
``pulumi.com/skipAwait: "true"`` and ``pulumi.com/deletionPropagationPolicy: background``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.real_engine

ROOT = Path(__file__).resolve().parents[2]
STACK = "local"
PLATFORM_KEY = "platform-components:platform"

Key = tuple[str, str, str, str]  # apiVersion, kind, namespace, name


@dataclass
class ClusterRuns:
    expected: list[Key]
    runs: dict[str, Any] = field(default_factory=dict)
    after_up: dict[Key, Any] = field(default_factory=dict)  # the server's object, or None when absent
    after_destroy: dict[Key, int] = field(default_factory=dict)  # HTTP status of a GET


def rendered_keys(folder: Path) -> list[Key]:
    keys: list[Key] = []
    for path in sorted(folder.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                meta = doc.get("metadata") or {}
                keys.append((doc["apiVersion"], doc["kind"], meta.get("namespace") or "", meta["name"]))
    return keys


def api_path(key: Key) -> str:
    api_version, kind, namespace, name = key
    base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    lower = kind.lower()
    plural = lower[:-1] + "ies" if lower.endswith("y") else lower + ("es" if lower.endswith("s") else "s")
    scope = f"/namespaces/{namespace}" if namespace else ""
    return f"{base}{scope}/{plural}/{name}"


def get(apiserver: Any, key: Key) -> tuple[int, Any]:
    return apiserver.request("GET", api_path(key))


@pytest.fixture(scope="module")
def cluster(
    driver, apiserver, local_offline: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> ClusterRuns:
    result = ClusterRuns(rendered_keys(local_offline[0] / "manifests"))
    assert result.expected, "platformctl rendered nothing"

    workdir = tmp_path_factory.mktemp("local-apiserver")
    stack = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{STACK}.yaml").read_text(encoding="utf-8"))
    config = {
        "kubernetes:renderYamlToDirectory": None,
        "kubernetes:kubeconfig": str(apiserver.kubeconfig),
        PLATFORM_KEY: {**stack["config"][PLATFORM_KEY], "skip_await": True},
    }

    def run(op: str, **kwargs: Any) -> Any:
        return driver(op, ROOT, STACK, workdir, config=config, **kwargs)

    result.runs["preview"] = run("preview")
    result.runs["up"] = run("up")
    for key in result.expected:
        status, body = get(apiserver, key)
        result.after_up[key] = body if status == 200 else None
    result.runs["up-again"] = run("up", expect_no_changes=True)
    result.runs["destroy"] = run("destroy")
    # skipAwait also skips the wait for a deleted Namespace: the namespace controller finishes it.
    deadline = time.monotonic() + 60
    while True:
        result.after_destroy = {key: get(apiserver, key)[0] for key in result.expected}
        if set(result.after_destroy.values()) == {404} or time.monotonic() > deadline:
            return result
        time.sleep(1)


def test_preview_against_the_server_with_the_pack_passes(cluster: ClusterRuns) -> None:
    run = cluster.runs["preview"]
    assert run.ok, run.error + run.stderr
    assert run.rule_ids("mandatory") == set()
    assert run.changes.get("create", 0) > 0


def test_up_creates_every_object_platformctl_renders(cluster: ClusterRuns) -> None:
    up = cluster.runs["up"]
    assert up.ok, up.error + up.stderr
    missing = [key for key, obj in cluster.after_up.items() if obj is None]
    assert missing == [], missing
    for key, obj in cluster.after_up.items():  # the stack option reached every object
        annotations = obj["metadata"]["annotations"]
        assert annotations["pulumi.com/skipAwait"] == "true", key
        assert annotations["pulumi.com/deletionPropagationPolicy"] == "background", key


def test_a_second_up_changes_nothing(cluster: ClusterRuns) -> None:
    up, again = cluster.runs["up"], cluster.runs["up-again"]
    assert again.ok, again.error + again.stderr
    assert set(again.changes) == {"same"}, again.changes
    assert again.changes["same"] == up.changes["create"]


def test_destroy_empties_the_server(cluster: ClusterRuns) -> None:
    up, destroy = cluster.runs["up"], cluster.runs["destroy"]
    assert destroy.ok, destroy.error + destroy.stderr
    assert destroy.changes.get("delete") == up.changes["create"]
    left = {key: status for key, status in cluster.after_destroy.items() if status != 404}
    assert left == {}, left
