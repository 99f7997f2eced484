"""Signed images end to end: ``admission.images.signed`` with a public key, verified at admission by
the Kyverno admission controller (``signing.py``: crane's registry, cosign, Kyverno, all built from
their Go modules by ``tools/build-real-tools``).

A control plane of its own (Kyverno's webhooks must not reach the other modules' server), a loopback
registry holding the fixture images, and the ``ClusterPolicy`` that
:func:`platform_components.admission_policies.admission_documents` generates for::

    admission:
      images:
        allowed_registries: [127.0.0.1:PORT/acme]
        signed:
          - registry: 127.0.0.1:PORT/acme
            public_key: <the trusted key's cosign.pub>
            transparency_log: false   # no Rekor on this machine

created for real. Then, with server-side dry-run: an image signed by the trusted key is admitted and
pinned to its digest (``mutateDigest``), as a Pod and as a Deployment (Kyverno's autogen); an unsigned
image, an image signed by another key, and a signed tag moved to other content are refused, with the
policy's name in the message; the excluded namespaces (kube-system) and images from other sources
are left to the other rules.

Not verified here: keyless signatures (they need Fulcio and Rekor, out of reach offline), and the
Kyverno Helm chart itself (the controller runs outside the cluster, as Kyverno's own DEVELOPMENT.md
runs it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from platform_components.admission_policies import (
    SIGNATURE_POLICY,
    AdmissionPoliciesArgs,
    admission_documents,
)
from real_engine_apiserver import free_port, spawn, start  # loaded by conftest
from real_engine_kubeapi import DRY_RUN, Api, Verdict
from real_engine_signing import Registry, make_signer, policy_ready, start_kyverno, start_registry

pytestmark = pytest.mark.real_engine

NAMESPACE = "shop"
POLICY_TIMEOUT = 120.0


@dataclass
class Setup:
    api: Api
    registry: Registry
    folder: Path  # where fixture images' layers are written
    signed: str  # host/acme/api:1.0, signed by the trusted key
    signed_digest: str
    unsigned: str  # host/acme/worker:1.0, no signature
    foreign: str  # host/acme/batch:1.0, signed by another key
    moved: str  # host/acme/api:1.1: the signed repository, a tag on content nobody signed


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, signing_tools: Path) -> Iterator[Setup]:
    bin_dir = signing_tools
    folder = tmp_path_factory.mktemp("signatures")
    plane = start(folder / "plane")
    processes: list[Any] = []

    def spawn_here(name: str, args: list[str], env: dict[str, str] | None = None) -> Any:
        process = spawn(name, args, folder, env)
        processes.append(process)
        return process

    try:
        registry = start_registry(bin_dir, folder, free_port(), spawn_here)
        trusted = make_signer(bin_dir, folder / "trusted")
        other = make_signer(bin_dir, folder / "other")
        repo = f"{registry.host}/acme"
        signed_digest = registry.push("acme/api", "1.0", "api 1.0", folder)
        trusted.sign(f"{repo}/api@{signed_digest}")
        registry.push("acme/worker", "1.0", "worker 1.0", folder)
        foreign_digest = registry.push("acme/batch", "1.0", "batch 1.0", folder)
        other.sign(f"{repo}/batch@{foreign_digest}")
        registry.push("acme/api", "1.1", "api 1.1, never signed", folder)
        assert f"sha256-{signed_digest.removeprefix('sha256:')}.sig" in registry.tags("acme/api")

        start_kyverno(bin_dir, plane, free_port(), spawn_here)
        api = Api(plane)
        args = AdmissionPoliciesArgs(
            images={
                "allowed_registries": [repo],
                "signed": [{"registry": repo, "public_key": trusted.public_key, "transparency_log": False}],
            }
        )
        (policy,) = [doc for doc in admission_documents(args) if doc["kind"] == "ClusterPolicy"]
        created = api.post(policy)
        assert created.status == 201 and not created.warnings, created
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
        assert api.post(namespace).status == 201
        out = Setup(
            api,
            registry,
            folder,
            signed=f"{repo}/api:1.0",
            signed_digest=signed_digest,
            unsigned=f"{repo}/worker:1.0",
            foreign=f"{repo}/batch:1.0",
            moved=f"{repo}/api:1.1",
        )
        _wait_until_enforced(plane, out)
        yield out
    except Exception:
        print("\n".join(f"--- {p.name}:\n{p.tail(40)}" for p in processes))
        raise
    finally:
        for process in reversed(processes):
            process.stop()
        plane.stop()


def _wait_until_enforced(plane: Any, setup: Setup) -> None:
    """Kyverno marks the policy Ready, then adds Pods to its webhooks: wait for a refusal."""
    deadline = time.monotonic() + POLICY_TIMEOUT
    last: Any = None
    while time.monotonic() < deadline:
        ready, conditions = policy_ready(plane, SIGNATURE_POLICY)
        if ready:
            last = setup.api.post(pod("probe", setup.unsigned), DRY_RUN)
            if last.status >= 400:
                return
        else:
            last = conditions
        time.sleep(1)
    raise AssertionError(f"the signature policy is not enforced after {POLICY_TIMEOUT:.0f} s: {last}")


def pod(name: str, image: str, namespace: str = NAMESPACE) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"containers": [{"name": "app", "image": image}]},
    }


def deployment(name: str, image: str) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod(name, image)["spec"]},
        },
    }


def admitted_image(verdict: Verdict) -> str:
    assert verdict.status == 201 and not verdict.warnings, verdict
    spec = verdict.answer["spec"]
    spec = spec.get("template", {}).get("spec", spec)
    return str(spec["containers"][0]["image"])


def assert_refused(verdict: Verdict, image: str, reason: str) -> None:
    assert verdict.status == 400, verdict
    assert SIGNATURE_POLICY in verdict.message, verdict.message
    assert f"failed to verify image {image}" in verdict.message, verdict.message
    assert reason in verdict.message, verdict.message


@pytest.mark.parametrize("make", [pod, deployment], ids=["Pod", "Deployment"])
def test_a_signed_image_is_admitted_and_pinned_to_its_digest(setup: Setup, make: Any) -> None:
    image = admitted_image(setup.api.post(make("api", setup.signed), DRY_RUN))
    assert image == f"{setup.signed}@{setup.signed_digest}"


@pytest.mark.parametrize("make", [pod, deployment], ids=["Pod", "Deployment"])
def test_an_unsigned_image_is_refused(setup: Setup, make: Any) -> None:
    assert_refused(
        setup.api.post(make("worker", setup.unsigned), DRY_RUN), setup.unsigned, "no signatures found"
    )


def test_an_image_signed_by_another_key_is_refused(setup: Setup) -> None:
    assert_refused(setup.api.post(pod("batch", setup.foreign), DRY_RUN), setup.foreign, "keys")


def test_a_signed_tag_moved_to_other_content_is_refused(setup: Setup) -> None:
    """The signature belongs to a digest, not to the repository or the tag."""
    assert_refused(setup.api.post(pod("api", setup.moved), DRY_RUN), setup.moved, "no signatures found")


def test_an_unsigned_image_by_digest_is_refused(setup: Setup) -> None:
    digest = setup.registry.push("acme/worker", "1.2", "worker 1.2", setup.folder)
    image = f"{setup.unsigned.rsplit(':', 1)[0]}@{digest}"
    assert_refused(setup.api.post(pod("worker", image), DRY_RUN), image, "no signatures found")


def test_the_excluded_namespaces_are_left_alone(setup: Setup) -> None:
    """kube-system is excluded by every binding and by the signature policy (EKS add-ons run there)."""
    assert (
        admitted_image(setup.api.post(pod("worker", setup.unsigned, "kube-system"), DRY_RUN))
        == setup.unsigned
    )


def test_an_image_from_another_source_is_not_judged_by_signatures(setup: Setup) -> None:
    """Only the signed sources are verified; where images may come from is img-allowed-registries'."""
    assert (
        admitted_image(setup.api.post(pod("other", "ghcr.io/other/tool:1.0"), DRY_RUN))
        == "ghcr.io/other/tool:1.0"
    )
