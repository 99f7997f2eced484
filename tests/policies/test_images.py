"""img-allowed-registries: the allowed-registries rule, its CEL form and the stack rule of the pack.

The Python check and the CEL form are built from the same list; they are compared on fixed cases and on
generated image references, with and without the digest requirement. The stack rule reads the list
from the stack's own admission policies (their annotations) and leaves the excluded namespaces alone.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from platform_components.admission_policies import AdmissionPoliciesArgs, admission_documents
from platform_components.policies import Resource, check
from platform_components.policies.admission import admission_policies
from platform_components.policies.images import RULE_ID, image_allowed, image_rule
from platform_components.preview import admission as offline

ALLOWED = ["ghcr.io/acme", "docker.io/library/postgres", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"]
DIGEST = "sha256:" + "a" * 64
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def deployment(image: str, namespace: str = "team-a", init_image: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": image}]}
    if init_image is not None:
        spec["initContainers"] = [{"name": "setup", "image": init_image}]
    labels = {"app.kubernetes.io/name": "api"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": spec},
        },
    }


@pytest.mark.parametrize(
    ("image", "allowed"),
    [
        ("ghcr.io/acme/api:1.0", True),
        ("ghcr.io/acme/team/api@" + DIGEST, True),
        ("ghcr.io/acme", True),
        ("ghcr.io/acmecorp/api:1.0", False),  # a prefix of a name is not the repository
        ("ghcr.io/acme-evil/api:1.0", False),
        ("docker.io/library/postgres:18.4", True),
        ("docker.io/library/postgresql:18", False),
        ("postgres:18.4", False),  # a short name is not expanded to Docker Hub
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4.2", True),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com:443/shop/api:1.4.2", True),
        ("evil.com/ghcr.io/acme/api:1.0", False),
        ("", False),
    ],
)
def test_image_allowed(image: str, allowed: bool) -> None:
    assert image_allowed(image, ALLOWED) is allowed


def cel_fires(rule: Any, manifest: dict[str, Any]) -> bool:
    policies = [d for d in admission_policies([rule]) if d["kind"] == "ValidatingAdmissionPolicy"]
    outcomes = [offline.evaluate(policy, manifest) for policy in policies]
    return any(outcome is not None and not outcome.passed for outcome in outcomes)


def python_fires(rule: Any, manifest: dict[str, Any]) -> bool:
    return bool(list(rule.check(Resource(DEPLOYMENT, "api", manifest))))


IMAGES = st.builds(
    lambda host, path, tag, digest: f"{host}{path}{tag}{digest}",
    st.sampled_from(
        [
            "ghcr.io/",
            "ghcr.io:443/",
            "docker.io/",
            "",
            "evil.com/",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/",
        ]
    ),
    st.sampled_from(
        ["acme/api", "acme", "acmecorp/api", "library/postgres", "library/postgresql", "shop/api", "postgres"]
    ),
    st.sampled_from(["", ":1.0", ":latest", ":"]),
    st.sampled_from(["", "@" + DIGEST, "@sha256:abc"]),
)


@settings(max_examples=300, deadline=None)
@given(IMAGES, st.none() | IMAGES, st.booleans())
def test_python_and_cel_agree(image: str, init_image: str | None, require_digest: bool) -> None:
    rule = image_rule(ALLOWED, require_digest)
    manifest = deployment(image, init_image=init_image)
    assert python_fires(rule, manifest) == cel_fires(rule, manifest), manifest


def test_the_digest_requirement() -> None:
    rule = image_rule(ALLOWED, require_digest=True)
    assert python_fires(rule, deployment("ghcr.io/acme/api:1.0"))
    assert not python_fires(rule, deployment(f"ghcr.io/acme/api:1.0@{DIGEST}"))
    messages = list(rule.check(Resource(DEPLOYMENT, "api", deployment("ghcr.io/acme/api:1.0"))))
    assert "not pinned by digest" in messages[0]


def stack_resources(*objects: dict[str, Any], allowed: list[str] | None = None) -> list[Resource]:
    args = AdmissionPoliciesArgs(images={"allowed_registries": ALLOWED if allowed is None else allowed})
    documents = admission_documents(args, {"argocd": "the Argo CD chart"})
    resources = [
        Resource(f"kubernetes:admissionregistration.k8s.io/v1:{d['kind']}", d["metadata"]["name"], d)
        for d in documents
    ]
    return resources + [Resource(DEPLOYMENT, f"obj{i}", copy.deepcopy(o)) for i, o in enumerate(objects)]


def test_the_pack_reads_the_list_from_the_stacks_policies() -> None:
    evaluation = check(
        stack_resources(deployment("quay.io/evil/miner:1.0"), deployment("ghcr.io/acme/api:1.0"))
    )
    found = [v for v in evaluation.violations if v.rule_id == RULE_ID]
    assert len(found) == 1
    assert 'image "quay.io/evil/miner:1.0" is not from an allowed registry' in found[0].message
    assert "use an image from ghcr.io/acme, docker.io/library/postgres" in found[0].message


def test_excluded_namespaces_and_stacks_without_a_list_are_left_alone() -> None:
    evil = deployment("quay.io/evil/miner:1.0", namespace="argocd")
    assert [v for v in check(stack_resources(evil)).violations if v.rule_id == RULE_ID] == []
    unlisted = check(stack_resources(deployment("quay.io/evil/miner:1.0"), allowed=[]))
    assert [v for v in unlisted.violations if v.rule_id == RULE_ID] == []


def test_an_exemption_is_honoured_by_both() -> None:
    rule = image_rule(ALLOWED)
    manifest = deployment("quay.io/vendor/agent:1.0")
    manifest["metadata"]["annotations"] = {
        f"policy.platform-components.io/exempt.{RULE_ID}": "vendor agent, vetted"
    }
    assert not cel_fires(rule, manifest)
    evaluation = check(stack_resources(manifest))
    assert [e.rule_id for e in evaluation.exemptions] == [RULE_ID]


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        (["ghcr.io/acme/"], "allowed_registries[0]='ghcr.io/acme/'"),
        (["ghcr.io/acme api"], "no spaces"),
        (["ghcr.io/acme", "ghcr.io/acme"], "duplicates"),
        (["ghcr.io/acme/api:1.0@x"], "allowed_registries[0]"),
    ],
)
def test_bad_entries_are_one_line(entries: list[str], fragment: str) -> None:
    from platform_components.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        AdmissionPoliciesArgs(images={"allowed_registries": entries})
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
