"""CrossGuard for real: the shipped pack loaded by the engine's analyzer, against ``platformctl preview``.

Each program below is a small team program of plain ``pulumi_kubernetes`` objects: a namespace with
its default-deny policy and a Deployment that satisfies every mandatory rule, with one defect
written into it. ``pulumi preview --policy-pack <the pack>`` through the real engine must fail with
exactly the mandatory rule ids written here, which must also be exactly what ``platformctl preview``
reports offline; the clean program passes, and an advisory finding warns without failing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.real_engine

PROGRAM = """\
import pulumi
import pulumi_kubernetes as k8s

NS = "apps"
VERSION = "v1.35"
PSA = {{
    **{{f"pod-security.kubernetes.io/{{m}}": "restricted" for m in ("enforce", "audit", "warn")}},
    **{{f"pod-security.kubernetes.io/{{m}}-version": VERSION for m in ("enforce", "audit", "warn")}},
}}
LABELS = {{"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web",
          "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "shop"}}
SELECT = {{"app.kubernetes.io/name": "web"}}

namespace_labels = {namespace_labels}
ns = k8s.core.v1.Namespace("apps", metadata={{"name": NS, "labels": namespace_labels}})
opts = pulumi.ResourceOptions(depends_on=[ns])
k8s.core.v1.ServiceAccount(
    "default-sa", metadata={{"name": "default", "namespace": NS}}, automount_service_account_token=False, opts=opts
)
k8s.core.v1.ServiceAccount(
    "web-sa", metadata={{"name": "web", "namespace": NS}}, automount_service_account_token=False, opts=opts
)
k8s.networking.v1.NetworkPolicy(
    "default-deny",
    metadata={{"name": "default-deny", "namespace": NS}},
    spec={{"podSelector": {{}}, "policyTypes": ["Ingress", "Egress"]}},
    opts=opts,
)
k8s.networking.v1.NetworkPolicy(
    "web-ingress",
    metadata={{"name": "web-ingress", "namespace": NS}},
    spec={{
        "podSelector": {{"matchLabels": SELECT}},
        "policyTypes": ["Ingress"],
        "ingress": [{{"from": [{{"podSelector": {{}}}}], "ports": [{{"port": 8080, "protocol": "TCP"}}]}}],
    }},
    opts=opts,
)
marker = k8s.core.v1.ConfigMap("marker", metadata={{"name": "marker", "namespace": NS}}, data={{"a": "b"}}, opts=opts)
image = {image}
container = {{
    "name": "web",
    "image": image,
    "ports": [{{"name": "http", "containerPort": 8080}}],
    "readinessProbe": {{"httpGet": {{"path": "/readyz", "port": "http"}}}},
    "livenessProbe": {{"httpGet": {{"path": "/livez", "port": "http"}}}},
    "resources": {resources},
    "securityContext": {security_context},
}}
k8s.apps.v1.Deployment(
    "web",
    metadata={{"name": "web", "namespace": NS, "labels": LABELS}},
    spec={{
        "replicas": 1,
        "selector": {{"matchLabels": SELECT}},
        "template": {{
            "metadata": {{"labels": LABELS}},
            "spec": {{
                "serviceAccountName": "web",
                "automountServiceAccountToken": False,
                "priorityClassName": "platform-medium",
                "securityContext": {{"runAsNonRoot": True, "seccompProfile": {{"type": "RuntimeDefault"}}}},
                "containers": [container],
            }},
        }},
    }},
    opts=opts,
)
"""

GOOD = {
    "namespace_labels": "PSA",
    "image": '"ghcr.io/acme/web:1.4.2"',
    "resources": '{"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "64Mi"}}',
    "security_context": (
        '{"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,'
        ' "runAsUser": 10001, "capabilities": {"drop": ["ALL"]}}'
    ),
}
PRIVILEGED = GOOD["security_context"].replace('"allowPrivilegeEscalation": False', '"privileged": True')

# case -> (changes to the good program, the mandatory rule ids it must fail with)
CASES: dict[str, tuple[dict[str, str], set[str]]] = {
    "clean": ({}, set()),
    "privileged-container": (
        {"security_context": PRIVILEGED},
        {"pss-privileged", "pss-no-privilege-escalation"},
    ),
    "latest-image": ({"image": '"ghcr.io/acme/web:latest"'}, {"img-pinned"}),
    "missing-requests": ({"resources": "{}"}, {"res-cpu-request", "res-mem-request", "res-mem-limit"}),
    "namespace-without-psa-labels": ({"namespace_labels": "{}"}, {"ns-psa-labels"}),
    # The image is unknown during preview (it waits for the ConfigMap's uid): the rules that need
    # it cannot judge it, and the privileged container is still caught.
    "unknown-inputs": (
        {
            "image": 'marker.metadata.apply(lambda m: "ghcr.io/acme/web:1.4.2")',
            "security_context": PRIVILEGED,
        },
        {"pss-privileged", "pss-no-privilege-escalation"},
    ),
}
ADVISORY = "avail-replicas"  # one replica: warned about in every case, never failing one


def write_program(root: Path, case: str) -> Path:
    changes, _ = CASES[case]
    project = root / case
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(f"name: crossguard-{case}\nruntime: python\n")
    (project / "__main__.py").write_text(PROGRAM.format(**{**GOOD, **changes}))
    (project / "Pulumi.dev.yaml").write_text("config:\n  platform:environment: dev\n")
    return project


def offline_findings(project: Path) -> tuple[set[str], set[str]]:
    """(violations, warnings) rule ids of ``platformctl preview --json``."""
    cli = Path(sys.executable).parent / "platformctl"
    proc = subprocess.run(
        [str(cli), "preview", str(project), "--stack", "dev", "--json", "--out", str(project / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema_errors"] == [], report["schema_errors"]
    violations = {v["rule"] for v in report["violations"]}
    warnings = {w["rule"] for w in report["warnings"]}
    return violations, warnings


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_real_pack_fails_exactly_the_rules_platformctl_reports(case: str, driver, tmp_path: Path) -> None:
    project = write_program(tmp_path, case)
    expected = CASES[case][1]
    offline, offline_warnings = offline_findings(project)
    assert offline == expected, f"platformctl preview: {sorted(offline)}"

    run = driver("preview", project, "dev", tmp_path / "work")
    mandatory = run.rule_ids("mandatory")
    assert mandatory == expected, (sorted(mandatory), run.error)
    assert run.ok is (not expected), run.error
    assert run.rule_ids("advisory") == offline_warnings
    assert ADVISORY in run.rule_ids("advisory")
