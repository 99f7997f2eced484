"""AdmissionPolicies and ``platformctl admission``: what each stack installs, and its stack data.

* ``platformctl admission --stack S`` prints exactly the ValidatingAdmissionPolicies and bindings
  that the stack's preview renders (the GitOps manifests and the installed objects cannot differ);
* bindings leave the default namespaces and the GitOps controller's namespace alone, each with a
  reason, and follow the stack's per-rule actions;
* bad ``admission`` data is one error line naming the field and the fix;
* the admission page's commands run (docs/guide/admission.md), and its table of where each rule is enforced is the pack's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from _readme import GUIDE, section_commands
from platform_components.admission_policies import AdmissionPoliciesArgs, admission_documents
from platform_components.cli import main
from platform_components.errors import ConfigError
from platform_components.policies import rule_catalogue
from platform_components.policies.admission import EXCLUDED_NAMESPACES
from platform_components.preview.engine import preview

ROOT = Path(__file__).resolve().parent.parent
ADMISSION_KINDS = ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ClusterPolicy")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rendered_admission_objects(stack: str) -> list[dict[str, Any]]:
    result = preview(ROOT, stack)
    return sorted(
        (dict(obj) for _record, obj in result.manifests if obj.get("kind") in ADMISSION_KINDS),
        key=lambda obj: (obj["metadata"]["name"], obj["kind"]),
    )


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_command_prints_what_the_stack_installs(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "admission", str(ROOT), "--stack", stack)
    assert code == 0
    printed = sorted(yaml.safe_load_all(out), key=lambda obj: (obj["metadata"]["name"], obj["kind"]))
    assert printed == rendered_admission_objects(stack)
    assert {obj["kind"] for obj in printed} >= set(ADMISSION_KINDS[:2])


def test_out_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "gitops" / "admission.yaml"
    code, out, err = run(capsys, "admission", str(ROOT), "--stack", "prod", "--out", str(target))
    assert (code, out) == (0, "")
    assert f"Wrote {target}" in err
    assert len(list(yaml.safe_load_all(target.read_text()))) > 2


def test_bindings_leave_the_controller_namespaces_alone() -> None:
    for obj in admission_documents(AdmissionPoliciesArgs(), {"argocd": "the Argo CD chart's controllers"}):
        if obj["kind"] != "ValidatingAdmissionPolicyBinding":
            continue
        (expression,) = obj["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"]
        assert expression["operator"] == "NotIn"
        assert set(expression["values"]) == {*EXCLUDED_NAMESPACES, "argocd"}
    assert all(reason.strip() for reason in EXCLUDED_NAMESPACES.values())


def test_stack_actions_change_a_rule_and_off_removes_it() -> None:
    denied = admission_documents(AdmissionPoliciesArgs())
    warned = admission_documents(AdmissionPoliciesArgs(actions={"pss-privileged": "warn"}))

    def rules_of(documents: list[dict[str, Any]], action: str) -> set[str]:
        return {
            rule
            for obj in documents
            if obj["kind"] == "ValidatingAdmissionPolicy" and f".{action}." in obj["metadata"]["name"]
            for rule in obj["metadata"]["annotations"]["policy.platform-components.io/rules"].split(",")
        }

    assert "pss-privileged" in rules_of(denied, "deny") - rules_of(denied, "warn")
    assert "pss-privileged" in rules_of(warned, "warn") - rules_of(warned, "deny")
    off = admission_documents(AdmissionPoliciesArgs(actions={"pss-privileged": "off"}))
    assert "pss-privileged" not in rules_of(off, "deny") | rules_of(off, "warn")
    assert admission_documents(AdmissionPoliciesArgs(enabled=False)) == []


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        (
            {"actions": {"pss-privilegd": "warn"}},
            ["actions", "'pss-privilegd'", "did you mean 'pss-privileged'?"],
        ),
        ({"actions": {"avail-pdb": "warn"}}, ["'avail-pdb' is not a rule with an admission form"]),
        ({"actions": {"pss-privileged": "allow"}}, ["actions.pss-privileged", "deny", "warn", "off"]),
        ({"excluded_namespaces": {"monitoring": " "}}, ["excluded_namespaces.monitoring", "reason"]),
        ({"excluded_namespaces": {"Monitoring": "x"}}, ["Monitoring"]),
    ],
)
def test_bad_admission_data_is_one_line(data: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        AdmissionPoliciesArgs(**data)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_a_stack_file_with_bad_admission_data_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = project / "stacks" / "Pulumi.dev.yaml"
    text = stack.read_text(encoding="utf-8")
    anchor = "        avail-liveness-probe: warn\n"
    assert anchor in text
    stack.write_text(text.replace(anchor, "        pss-privilegd: warn\n", 1))
    code, out, err = run(capsys, "admission", "--stack", "dev")
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("platformctl: error: stacks/Pulumi.dev.yaml:")
    assert "did you mean 'pss-privileged'?" in line


def readme_commands() -> list[str]:
    return section_commands("# Admission: the same rules in the cluster", GUIDE / "admission.md")


def test_the_readme_commands_print_the_manifests() -> None:
    write, show = readme_commands()
    target = ROOT / write.split("--out ", 1)[1]
    target.unlink(missing_ok=True)
    for command in (write, show):
        done = subprocess.run(
            ["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[:2] == [
        "apiVersion: admissionregistration.k8s.io/v1",
        "kind: ValidatingAdmissionPolicy",
    ]
    assert len(done.stdout.splitlines()) == 20
    documents = list(yaml.safe_load_all(target.read_text(encoding="utf-8")))
    assert {d["kind"] for d in documents} == set(ADMISSION_KINDS[:2])


def rules_table() -> list[str]:
    """The admission page's table of where each rule is enforced, from the pack's catalogue."""
    lines = ["| Rule | Enforcement | Enforced at |", "| --- | --- | --- |"]
    for rule in rule_catalogue():
        where = rule["enforced_at"]
        if rule["preview_only"]:
            where = f"{where}: {rule['preview_only']}"
        lines.append(f"| `{rule['id']}` | {rule['enforcement']} | {where} |")
    return lines


def test_the_readme_lists_where_each_rule_is_enforced() -> None:
    text = (GUIDE / "admission.md").read_text(encoding="utf-8")
    table = text.split("<!-- rules-table:begin -->\n", 1)[1].split("<!-- rules-table:end -->", 1)[0]
    expected = "\n".join(rules_table()) + "\n"
    assert table == expected, "docs/guide/admission.md rules table is stale; replace it with:\n" + expected


def test_dev_warns_where_prod_denies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The difference is stack data (stacks/Pulumi.dev.yaml admission.actions), not code."""

    def actions(stack: str) -> dict[str, set[str]]:
        code, _, _ = run(
            capsys, "admission", str(ROOT), "--stack", stack, "--out", str(tmp_path / f"{stack}.yaml")
        )
        assert code == 0
        by_action: dict[str, set[str]] = {"deny": set(), "warn": set()}
        for obj in yaml.safe_load_all((tmp_path / f"{stack}.yaml").read_text(encoding="utf-8")):
            if obj["kind"] == "ValidatingAdmissionPolicy":
                action = obj["metadata"]["name"].split(".")[1]
                by_action[action] |= set(
                    obj["metadata"]["annotations"]["policy.platform-components.io/rules"].split(",")
                )
        return by_action

    dev, prod = actions("dev"), actions("prod")
    for rule in ("avail-liveness-probe", "avail-readiness-probe", "res-mem-limit"):
        assert rule in dev["warn"] and rule not in dev["deny"]
        assert rule in prod["deny"] and rule not in prod["warn"]


KEYLESS = {"issuer": "https://token.actions.githubusercontent.com", "subject": "https://github.com/acme/*"}


def test_signed_sources_make_a_kyverno_policy_and_leave_its_namespace_alone() -> None:
    args = AdmissionPoliciesArgs(
        images={
            "allowed_registries": ["ghcr.io/acme"],
            "signed": [{"registry": "ghcr.io/acme", "keyless": KEYLESS}],
        }
    )
    documents = admission_documents(args)
    (policy,) = [d for d in documents if d["kind"] == "ClusterPolicy"]
    (rule,) = policy["spec"]["rules"]
    (verify,) = rule["verifyImages"]
    assert verify["imageReferences"] == ["ghcr.io/acme/*", "ghcr.io/acme:*", "ghcr.io/acme@*"]
    assert (verify["failureAction"], verify["required"], verify["mutateDigest"]) == ("Enforce", True, True)
    assert verify["attestors"][0]["entries"][0]["keyless"]["subject"] == KEYLESS["subject"]
    assert policy["spec"]["failurePolicy"] == "Fail"
    assert "kyverno" in rule["exclude"]["any"][0]["resources"]["namespaces"]
    for binding in (d for d in documents if d["kind"] == "ValidatingAdmissionPolicyBinding"):
        assert (
            "kyverno"
            in binding["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"][0]["values"]
        )
    assert [d for d in admission_documents(AdmissionPoliciesArgs()) if d["kind"] == "ClusterPolicy"] == []


@pytest.mark.parametrize(
    ("images", "fragment"),
    [
        (
            {
                "allowed_registries": ["ghcr.io/acme"],
                "signed": [{"registry": "quay.io/acme", "keyless": KEYLESS}],
            },
            "signed[0].registry='quay.io/acme' is not in allowed_registries",
        ),
        (
            {"allowed_registries": ["ghcr.io/acme"], "signed": [{"registry": "ghcr.io/acme"}]},
            "give either keyless (issuer, subject) or public_key",
        ),
        (
            {
                "allowed_registries": ["ghcr.io/acme"],
                "signed": [{"registry": "ghcr.io/acme", "public_key": "abc"}],
            },
            "public_key must be a PEM public key",
        ),
        (
            {
                "allowed_registries": ["ghcr.io/acme"],
                "signed": [{"registry": "ghcr.io/acme", "keyless": {**KEYLESS, "issuer": "http://x"}}],
            },
            "an OIDC issuer is an https:// URL",
        ),
        (
            {
                "allowed_registries": ["ghcr.io/acme"],
                "signed": [{"registry": "ghcr.io/acme", "keyless": KEYLESS, "transparency_log": False}],
            },
            "transparency_log: false applies to public_key signatures only",
        ),
    ],
)
def test_bad_signed_sources_are_one_line(images: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        AdmissionPoliciesArgs(images=images)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_workload_from_a_registry_not_on_the_list_fails_the_preview(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = project / "stacks" / "Pulumi.dev.yaml"
    text = stack.read_text(encoding="utf-8")
    listed = "          - ghcr.io/stefanprodan/podinfo # the shop's workloads\n"
    assert listed in text
    stack.write_text(text.replace(listed, "", 1), encoding="utf-8")
    code, out, _ = run(capsys, "preview", "--stack", "dev")
    assert code == 1
    lines = [line for line in out.splitlines() if "[img-allowed-registries]" in line]
    assert lines, out
    assert 'image "ghcr.io/stefanprodan/podinfo:6.7.1" is not from an allowed registry' in lines[0]
    assert (
        "use an image from docker.io/library/postgres, public.ecr.aws/aws-cli/aws-cli, ghcr.io/acme"
        in lines[0]
    )


def test_the_signature_policy_is_valid_against_the_kyverno_crd() -> None:
    """Offline: the shipped kyverno.io ClusterPolicy schema (the real API server checks it too,
    tests/real_engine/test_admission_policies_real.py)."""
    from platform_components.preview.schema import validate_manifest

    args = AdmissionPoliciesArgs(
        images={
            "allowed_registries": ["ghcr.io/acme", "registry.example.com"],
            "signed": [
                {"registry": "ghcr.io/acme", "keyless": KEYLESS},
                {"registry": "registry.example.com", "public_key": PUBLIC_KEY},
                {
                    "registry": "registry.example.com/air-gapped",
                    "public_key": PUBLIC_KEY,
                    "transparency_log": False,
                },
            ],
        }
    )
    (policy,) = [d for d in admission_documents(args) if d["kind"] == "ClusterPolicy"]
    assert validate_manifest(policy, "1.35", display="ClusterPolicy") == []
    keys = [
        rule["verifyImages"][0]["attestors"][0]["entries"][0].get("keys") for rule in policy["spec"]["rules"]
    ]
    assert keys[1] == {"publicKeys": PUBLIC_KEY}  # cosign's default: the Rekor entry is checked too
    assert keys[2] == {
        "publicKeys": PUBLIC_KEY,
        "rekor": {"url": "https://rekor.sigstore.dev", "ignoreTlog": True},
        "ctlog": {"ignoreSCT": True},
    }


def _public_key() -> str:
    """A fresh ECDSA P-256 public key in PEM (what ``cosign generate-key-pair`` writes)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


PUBLIC_KEY = _public_key()


def test_the_kyverno_the_tests_run_is_the_one_the_stacks_install() -> None:
    """tools/versions.env pins the Kyverno built for tests/real_engine/test_signatures_real.py."""
    from platform_components.versions import KYVERNO_VERSION

    pins = dict(
        line.split("=", 1)
        for line in (ROOT / "tools" / "versions.env").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert f"v{pins['KYVERNO_VERSION']}" == KYVERNO_VERSION
