"""GitOps, delivery and scaling in the stack file: bad input exits 2 with one line naming file, line, path and fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV_STACK = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8")
PREFIX = "platformctl: error: stacks/Pulumi.dev.yaml"


def modified(old: str, new: str) -> str:
    assert old in DEV_STACK, f"the dev stack no longer contains {old!r}; update the test"
    return DEV_STACK.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


BAD = [
    pytest.param(
        modified("      engine: flux\n", "      engine: jenkins\n"),
        "engine: jenkins",
        ["platform.gitops.engine='jenkins'", "'argocd' or 'flux'"],
        id="unknown-engine",
    ),
    pytest.param(
        modified(
            "        url: https://github.com/acme/platform-gitops.git\n",
            "        url: http://github.com/acme/platform-gitops.git\n",
        ),
        "url: http://",
        [
            "platform.gitops.repository.url='http://github.com/acme/platform-gitops.git'",
            "neither https:// nor ssh",
        ],
        id="repo-url-neither-https-nor-ssh",
    ),
    pytest.param(
        modified("      sync_interval: 1m\n", "      sync_interval: every minute\n"),
        "sync_interval: every minute",
        ["platform.gitops.sync_interval='every minute'", "not a duration"],
        id="sync-interval-not-a-duration",
    ),
    pytest.param(
        modified(
            "        autoscaling: {min_replicas: 2, max_replicas: 6, target_cpu_utilization: 75}\n",
            "        autoscaling: {min_replicas: 2, max_replicas: 6, target_cpu_utilization: 75}\n"
            "        keda: {triggers: [{type: cron, metadata: {timezone: UTC, start: 0 8 * * *, end: 0 18 * * *, desiredReplicas: '4'}}]}\n",
        ),
        "- name: api",
        ["platform.workloads[1]", "autoscaling (HPA) and keda are both set"],
        id="both-hpa-and-keda",
    ),
    pytest.param(
        modified(
            "        vpa: {}                          # recommendations for right-sizing\n",
            "        vpa: {}                          # recommendations for right-sizing\n"
            "        canary: {steps: [{weight: 10}, {weight: 50}]}\n",
        ),
        "canary: {steps",
        [
            "platform.workloads[0].canary",
            "weights [10, 50] do not rise to 100",
            "end with a step of weight 100",
        ],
        id="canary-weights-not-rising-to-100",
    ),
    pytest.param(
        modified("      sync_interval: 1m\n", "      sync_interval: 1m\n      environment: prod\n"),
        "gitops:",
        ["gitops.environment is set by the stack itself"],
        id="environment-in-gitops-block",
    ),
]


@pytest.mark.parametrize(("text", "needle", "fragments"), BAD)
def test_bad_gitops_and_delivery_input_exits_2_with_one_line(
    stack_error: Callable[[str], str], text: str, needle: str, fragments: list[str]
) -> None:
    line = stack_error(text)
    assert line.startswith(f"{PREFIX}:"), line
    if needle != "gitops:":
        assert line.startswith(f"{PREFIX}:{line_of(text, needle)}: "), line
    for fragment in fragments:
        assert fragment in line, line


STAGING_STACK = (ROOT / "stacks" / "Pulumi.staging.yaml").read_text(encoding="utf-8")
STAGING_PREFIX = "platformctl: error: stacks/Pulumi.staging.yaml"
STAGING_HOSTNAME = "        hostname: gitops.staging.example.com   # the UI's external URL: SSO redirects, notification links\n"


def test_sso_without_hostname_names_the_key_and_the_fix(stack_error: Callable[[str, str], str]) -> None:
    assert STAGING_HOSTNAME in STAGING_STACK, (
        "the staging stack no longer sets argocd.hostname; update the test"
    )
    text = STAGING_STACK.replace(STAGING_HOSTNAME, "")
    line = stack_error(text, "staging")
    assert line.startswith(f"{STAGING_PREFIX}:{line_of(text, 'argocd:')}: "), line
    for fragment in ("platform.gitops.argocd", "sso needs hostname", "hostname: gitops.example.com"):
        assert fragment in line, line


def test_misspelt_hostname_suggests_the_key(stack_error: Callable[[str, str], str]) -> None:
    text = STAGING_STACK.replace("        hostname: gitops", "        host: gitops")
    line = stack_error(text, "staging")
    assert line.startswith(f"{STAGING_PREFIX}:{line_of(text, 'host: gitops')}: "), line
    assert "did you mean 'hostname'?" in line, line


def test_hostname_is_a_host_not_a_url(stack_error: Callable[[str, str], str]) -> None:
    text = STAGING_STACK.replace(
        "hostname: gitops.staging.example.com", "hostname: https://gitops.staging.example.com"
    )
    line = stack_error(text, "staging")
    assert line.startswith(f"{STAGING_PREFIX}:{line_of(text, 'hostname: https')}: "), line
    assert "host name only (no scheme, port or path)" in line, line
