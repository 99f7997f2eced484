"""Cluster layer: bad input exits 2 with one clear line; insecure-but-valid input is a policy violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from platform_components.cli import main

ROOT = Path(__file__).resolve().parents[2]
PROD = (ROOT / "stacks" / "Pulumi.prod.yaml").read_text(encoding="utf-8")
DEV = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8")


def preview_with(
    project: Path, capsys: pytest.CaptureFixture[str], stack: str, text: str
) -> tuple[int, str, str]:
    (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(text, encoding="utf-8")
    code = main(["preview", "--stack", stack, "--out", str(project / "out")])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("platformctl: error:")]
    assert len(lines) == 1, err
    return lines[0]


def replaced(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BAD_INPUTS = {
    "unknown node pool field": (
        PROD,
        '        cpu_limit: "1000"\n',
        '        cpu_limit: "1000"\n        cpu_limt: "2"\n',
        "platform.node_pools[0].cpu_limt: unknown key 'cpu_limt'; did you mean 'cpu_limit'?",
    ),
    "max below min": (
        PROD,
        "{instance_types: [m7i.xlarge], min_size: 3, max_size: 6, desired_size: 3}",
        "{instance_types: [m7i.xlarge], min_size: 3, max_size: 2, desired_size: 3}",
        "platform.cluster.system_node_group: max_size=2 is below min_size=3; raise max_size",
    ),
    "operator that does not exist": (
        PROD,
        "        instance_categories: [c, m]\n",
        "        instance_categories: [c, m]\n        requirements:\n"
        "          - {key: karpenter.k8s.aws/instance-size, operator: Contains, values: [large]}\n",
        "platform.node_pools[1].requirements[0].operator='Contains': Input should be 'In', 'NotIn', 'Exists', "
        "'DoesNotExist', 'Gt', 'Lt', 'Gte' or 'Lte'",
    ),
    "In requirement without values": (
        PROD,
        "        instance_categories: [c, m]\n",
        "        instance_categories: [c, m]\n        requirements:\n"
        "          - {key: karpenter.k8s.aws/instance-size, operator: In, values: []}\n",
        "requirement 'karpenter.k8s.aws/instance-size': operator In needs at least one value",
    ),
    "budget schedule without duration": (
        PROD,
        '{nodes: "0", schedule: "0 8 * * mon-fri", duration: 10h, reasons: [Underutilized, Drifted]}',
        '{nodes: "0", schedule: "0 8 * * mon-fri", reasons: [Underutilized, Drifted]}',
        "a budget with a schedule needs a duration, and a duration needs a schedule",
    ),
    "admin principal that is not an IAM ARN": (
        PROD,
        "        - arn:aws:iam::345678901234:role/platform-break-glass\n",
        "        - platform-break-glass\n",
        "is not an IAM role or user ARN such as 'arn:aws:iam::123456789012:role/platform-admins'",
    ),
    "unsupported Kubernetes minor": (
        PROD,
        'kubernetes_version: "1.35"',
        'kubernetes_version: "1.29"',
        "platform.kubernetes_version='1.29': Kubernetes '1.29' is not supported; use one of",
    ),
    "floating AMI in prod": (
        PROD,
        "node_class: {ami_alias: al2023@v20251117, volume_size: 100Gi}",
        "node_class: {ami_alias: al2023@latest, volume_size: 100Gi}",
        "platform.node_pools[0].node_class.ami_alias: 'al2023@latest' floats in prod; pin an AMI version",
    ),
    "public endpoint without an allow-list": (
        DEV,
        "        public_cidrs: [203.0.113.0/24]\n",
        "",
        "platform.cluster.endpoint: a public endpoint needs public_cidrs",
    ),
    "zone outside the region": (
        PROD,
        "availability_zones: [eu-west-1a, eu-west-1b, eu-west-1c]",
        "availability_zones: [eu-west-1a, eu-west-1b, us-east-1c]",
        "availability zone 'us-east-1c' is not a zone of region eu-west-1",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_cluster_input_exits_2_with_one_line(
    case: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, old, new, expected = BAD_INPUTS[case]
    stack = "prod" if base is PROD else "dev"
    code, _out, err = preview_with(project, capsys, stack, replaced(base, old, new))
    line = error_line(err)
    assert code == 2, err
    assert f"stacks/Pulumi.{stack}.yaml:" in line
    assert expected in line, line


def test_public_endpoint_open_to_the_world_is_a_policy_violation(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = preview_with(
        project, capsys, "dev", replaced(DEV, "public_cidrs: [203.0.113.0/24]", "public_cidrs: [0.0.0.0/0]")
    )
    assert code == 1, out + err
    assert "[eks-public-cidrs]" in out
    assert "0.0.0.0/0" in out
