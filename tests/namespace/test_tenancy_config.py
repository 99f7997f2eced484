"""Teams in the stack file: bad input exits 2 with one line; a PSA downgrade is a violation (exit 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from platform_components.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEV = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8")
PAYMENTS = "      - name: payments\n        mesh: none\n"


def preview_dev(
    project: Path, capsys: pytest.CaptureFixture[str], *edits: tuple[str, str]
) -> tuple[int, str, str]:
    text = DEV
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    (project / "stacks" / "Pulumi.dev.yaml").write_text(text, encoding="utf-8")
    code = main(["preview", "--stack", "dev", "--out", str(project / "out")])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


BAD: dict[str, tuple[list[tuple[str, str]], str]] = {
    "unknown mesh mode": (
        [(PAYMENTS, "      - name: payments\n        mesh: consul\n")],
        "platform.teams[1].mesh='consul': Input should be 'none', 'istio-ambient', 'istio-sidecar', 'linkerd' or 'cilium'",
    ),
    "team name that is not a DNS-1123 label": (
        [(PAYMENTS, "      - name: Payments_Team\n        mesh: none\n")],
        "platform.teams[1].name='Payments_Team': 'Payments_Team' is not a DNS-1123 label",
    ),
    "two teams with the same name": (
        [(PAYMENTS, "      - name: shop\n        mesh: none\n")],
        "platform.teams: duplicate name 'shop' (teams[0] and teams[1]); team names must be unique in the stack",
    ),
    "workload in an undeclared team": (
        [
            (
                "      - name: frontend\n        team: shop\n",
                "      - name: frontend\n        team: marketing\n",
            )
        ],
        "workloads[0] (frontend) is in namespace 'marketing', which is not a declared team (payments, shop)",
    ),
    "quota that is not a quantity": (
        [(PAYMENTS, PAYMENTS + "        quota: {requests.cpu: lots}\n")],
        "quota requests.cpu: 'lots' is not a Kubernetes quantity",
    ),
    "sidecar mesh under restricted without CNI": (
        [
            ("    mesh_cni: true                   # Istio ambient runs the Istio CNI\n", ""),
            (PAYMENTS, "      - name: payments\n        mesh: istio-sidecar\n"),
        ],
        "teams[1] (payments): mesh istio-sidecar injects an init container that needs NET_ADMIN and NET_RAW",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_team_input_exits_2_with_one_line(
    case: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edits, expected = BAD[case]
    code, _out, err = preview_dev(project, capsys, *edits)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("platformctl: error:")]
    assert len(lines) == 1, err
    assert code == 2
    assert "stacks/Pulumi.dev.yaml:" in lines[0]
    assert expected in lines[0], lines[0]


def test_psa_downgrade_is_a_violation_naming_the_namespace(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = preview_dev(project, capsys, (PAYMENTS, PAYMENTS + "        pod_security: baseline\n"))
    assert code == 1, out
    assert "[ns-psa-labels] Namespace payments:" in out


def test_justified_psa_downgrade_is_reported_as_an_exemption(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exemption = "        policy_exemptions: {ns-psa-labels: legacy batch image needs CHOWN until 2027-01}\n"
    code, out, _err = preview_dev(
        project, capsys, (PAYMENTS, PAYMENTS + "        pod_security: baseline\n" + exemption)
    )
    assert code == 0, out
    assert "[ns-psa-labels] Namespace payments: legacy batch image needs CHOWN until 2027-01" in out
