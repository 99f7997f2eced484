"""The PSS rules agree with the Pod Security Admission conformance fixtures of kubernetes/pod-security-admission.

The fixtures (``<level>/<pass|fail>/*.yaml``, policy v1.37, generated upstream by ``TestFixtures``) live in
the sibling ``shared/upstream/pod-security-admission`` folder of the repository root and are read from
there, never copied into the repository (see its ``SOURCE.md``). A missing folder fails the run when
``CI`` is set and is otherwise a skip that names the missing path.

Each pod is evaluated the way the pack evaluates a Pod (:func:`platform_components.policies.check` over
one ``kubernetes:core/v1:Pod`` resource), keeping the findings of the PSS rules:

* ``restricted/fail``: at least one mandatory PSS finding, including the rule of the fixture's check
  (the file name is ``<check id lower case><n>.yaml``);
* ``restricted/pass``: no mandatory PSS finding;
* ``baseline/fail``: at least one mandatory finding of a baseline-level rule, including the rule of the
  fixture's check;
* ``baseline/pass``: no finding of a baseline-level rule (the baseline minimal pod is not restricted
  compliant, so restricted rules are not asked).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from platform_components.policies import Enforcement, Resource, Violation, check
from platform_components.policies.pss import PINNED_POLICY_VERSION, PSA_CHECKS, safe_sysctls

UPSTREAM = Path(__file__).resolve().parents[2] / ".." / "shared" / "upstream"
FIXTURES = UPSTREAM / "pod-security-admission"
POLICY_VERSION = "v1.37"
LEVELS = ("baseline", "restricted")
VERDICTS = ("pass", "fail")

NEWER_SYSCTLS = (
    "sets net.ipv4.tcp_slow_start_after_idle and net.ipv4.tcp_notsent_lowat, safe only from policy v1.37; "
    "namespaces pin PSA to the cluster minor (at most the newest supported one, PINNED_POLICY_VERSION), "
    "where PSA refuses them, so pss-sysctls refuses them too"
)
#: Fixtures the pack cannot agree with while it pins an older policy than the fixtures', each with its
#: reason (strict expected failures: they must start passing once the pinned version reaches v1.37).
DISAGREEMENTS: dict[str, str] = (
    {"restricted/pass/sysctls1.yaml": NEWER_SYSCTLS, "baseline/pass/sysctls1.yaml": NEWER_SYSCTLS}
    if PINNED_POLICY_VERSION < (1, 37)
    else {}
)

PSS_RULES = frozenset(check.rule for check in PSA_CHECKS.values())
BASELINE_RULES = frozenset(check.rule for check in PSA_CHECKS.values() if check.level == "baseline")
CHECK_BY_PREFIX = {check_id.lower(): check for check_id, check in PSA_CHECKS.items()}


def fixture_dir(level: str, verdict: str) -> Path:
    """``<level>/<verdict>`` of the copied fixtures (or upstream's ``test/testdata/<level>/v1.37/<verdict>``)."""
    upstream_layout = FIXTURES / "test" / "testdata" / level / POLICY_VERSION / verdict
    return upstream_layout if upstream_layout.is_dir() else FIXTURES / level / verdict


def fixture_params() -> list[object]:
    if not FIXTURES.is_dir():
        return [pytest.param("", "", None, id="fixtures-missing")]
    return [
        pytest.param(
            level,
            verdict,
            path,
            id=f"{level}/{verdict}/{path.name}",
            marks=[pytest.mark.xfail(reason=DISAGREEMENTS[key], strict=True)] if key in DISAGREEMENTS else [],
        )
        for level in LEVELS
        for verdict in VERDICTS
        for path in sorted(fixture_dir(level, verdict).glob("*.yaml"))
        for key in [f"{level}/{verdict}/{path.name}"]
    ]


def require_fixtures() -> None:
    if FIXTURES.is_dir():
        return
    message = f"PSS conformance fixtures missing: {FIXTURES.resolve()}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def check_of(path: Path) -> str:
    """The PSA check id of a fixture file name (``""`` for the minimal pods ``base*.yaml``)."""
    prefix = path.stem.rstrip("0123456789")
    if prefix.startswith("base"):
        return ""
    assert prefix in CHECK_BY_PREFIX, f"{path.name}: no rule for the PSA check {prefix!r}"
    return CHECK_BY_PREFIX[prefix].id


def pss_findings(path: Path, rules: frozenset[str]) -> list[Violation]:
    pod = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert pod["kind"] == "Pod", path
    resource = Resource(
        "kubernetes:core/v1:Pod", path.stem, pod, urn=f"urn:pulumi:pss::fixtures::Pod::{path.stem}"
    )
    return [v for v in check([resource]).violations if v.rule_id in rules]


@pytest.mark.parametrize(("level", "verdict", "path"), fixture_params())
def test_fixture_agrees_with_pod_security_admission(level: str, verdict: str, path: Path | None) -> None:
    require_fixtures()
    assert path is not None
    key = f"{level}/{verdict}/{path.name}"
    rules = PSS_RULES if level == "restricted" else BASELINE_RULES
    findings = pss_findings(path, rules)
    mandatory = [v for v in findings if v.enforcement is Enforcement.MANDATORY]
    if verdict == "pass":
        assert mandatory == [], f"{key}: PSA admits this pod at {level}"
        if level == "baseline":
            assert findings == [], f"{key}: PSA admits this pod at baseline"
        return
    check_id = check_of(path)
    assert mandatory, f"{key}: PSA refuses this pod at {level} ({check_id}), the pack does not"
    assert PSA_CHECKS[check_id].rule in {v.rule_id for v in mandatory}, (
        f"{key}: refused by PSA check {check_id}; the pack fails it only through "
        f"{sorted({v.rule_id for v in mandatory})}"
    )


def test_every_psa_check_has_a_failing_fixture() -> None:
    """The fixtures exercise every check the pack maps (and the pack maps every check they exercise)."""
    require_fixtures()
    exercised = {check_of(path) for path in fixture_dir("restricted", "fail").glob("*.yaml")}
    assert exercised == set(PSA_CHECKS)


def test_fixture_counts() -> None:
    """The copied fixture set (SOURCE.md: baseline 15 pass / 34 fail, restricted 23 pass / 76 fail)."""
    require_fixtures()
    counts = {
        f"{level}/{verdict}": len(list(fixture_dir(level, verdict).glob("*.yaml")))
        for level in LEVELS
        for verdict in VERDICTS
    }
    assert all(counts.values()), counts
    assert counts["restricted/fail"] > counts["baseline/fail"], counts


def test_missing_fixtures_fail_in_ci_and_skip_locally(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "shared" / "upstream" / "pod-security-admission"
    monkeypatch.setitem(globals(), "FIXTURES", missing)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=str(missing)):
        require_fixtures()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=str(missing)):
        require_fixtures()


def test_safe_sysctls_at_policy_1_37_agree_with_the_fixtures() -> None:
    """The listed v1.37 safe set is upstream's: the sysctls fixtures agree with it at v1.37 (the pack
    itself applies the set of the pinned version, see DISAGREEMENTS)."""
    require_fixtures()
    allowed = safe_sysctls((1, 37))
    for level in LEVELS:
        for verdict in VERDICTS:
            for path in sorted(fixture_dir(level, verdict).glob("sysctls*.yaml")):
                pod = yaml.safe_load(path.read_text(encoding="utf-8"))
                names = {
                    item["name"] for item in (pod["spec"].get("securityContext") or {}).get("sysctls") or []
                }
                assert (names <= allowed) is (verdict == "pass"), f"{level}/{verdict}/{path.name}: {names}"
