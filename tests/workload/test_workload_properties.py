"""Property tests: any valid SecureWorkloadArgs previews clean; any invalid quantity is rejected."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from platform_components import ExternalKind, ExternalRef, SecureWorkload, SecureWorkloadArgs
from platform_components.kube.quantity import parse_quantity
from platform_components.testing import preview_function
from platform_components.workload import render_workload
from pydantic import ValidationError

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

PORT_NAMES = ["http", "grpc", "metrics", "admin", "web", "api-v2"]
CPU = ["10m", "50m", "100m", "250m", "500m", "1", "1.5", "2"]
MEMORY = ["32Mi", "64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "1.5Gi"]


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"cpu": draw(st.sampled_from(CPU)), "memory": draw(st.sampled_from(MEMORY))}
    request = parse_quantity(out["memory"])
    limits = [m for m in MEMORY if parse_quantity(m) >= request]
    if draw(st.booleans()):
        out["memory_limit"] = draw(st.sampled_from(limits))
    if draw(st.booleans()):
        cpu = parse_quantity(out["cpu"])
        out["cpu_limit"] = draw(st.sampled_from([c for c in CPU if parse_quantity(c) >= cpu]))
    return out


@st.composite
def ports(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=1, max_value=3))
    names = draw(st.lists(st.sampled_from(PORT_NAMES), min_size=count, max_size=count, unique=True))
    numbers = draw(st.lists(st.integers(1024, 65535), min_size=count, max_size=count, unique=True))
    out = []
    for index, (name, number) in enumerate(zip(names, numbers, strict=True)):
        port: dict[str, Any] = {"name": name, "port": number}
        if index and draw(st.booleans()):
            port["expose"] = False
        out.append(port)
    return out


def probe(draw: st.DrawFn, declared: list[dict[str, Any]]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["http", "tcp", "grpc"]))
    out: dict[str, Any] = {"kind": kind}
    choice = draw(st.sampled_from(["default", "name", "number"]))
    target = draw(st.sampled_from(declared))
    if choice == "name":
        out["port"] = target["name"]
    elif choice == "number":
        out["port"] = target["port"]
    if kind == "http":
        out["path"] = draw(st.sampled_from(["/healthz", "/readyz", "/livez", "/status/ok"]))
    out["period_seconds"] = draw(st.integers(1, 60))
    out["timeout_seconds"] = draw(st.integers(1, 10))
    out["failure_threshold"] = draw(st.integers(1, 10))
    return out


@st.composite
def valid_args(draw: st.DrawFn) -> dict[str, Any]:
    declared = draw(ports())
    raw: dict[str, Any] = {
        "namespace": draw(st.sampled_from(["shop", "payments", "team-a"])),
        "image": draw(
            st.sampled_from(
                [
                    "ghcr.io/acme/api:1.4.2",
                    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:2024.01.02",
                    "registry.example.com:5000/team/web:v3@sha256:" + "0f" * 32,
                    "docker.io/library/nginx@sha256:" + "a1" * 32,
                ]
            )
        ),
        "ports": declared,
        "readiness": probe(draw, declared),
        "liveness": probe(draw, declared),
        "resources": draw(resources()),
    }
    if draw(st.booleans()):
        minimum = draw(st.integers(1, 5))
        raw["autoscaling"] = {
            "min_replicas": minimum,
            "max_replicas": draw(st.integers(minimum, minimum + 5)),
            "target_cpu_utilization": draw(st.sampled_from([50, 70, 90])),
        }
    else:
        raw["replicas"] = draw(st.integers(1, 5))
    if draw(st.booleans()):
        raw["startup"] = {**probe(draw, declared), "failure_threshold": 30}
    if draw(st.booleans()):
        names = [p["name"] for p in declared]
        raw["network"] = {
            "ingress": [
                {
                    "namespace": "edge",
                    "workload": "gateway",
                    "ports": draw(st.lists(st.sampled_from(names), unique=True)),
                }
            ],
            "egress": [{"workload": "db", "ports": [{"port": 5432}]}],
            "allow_dns": draw(st.booleans()),
        }
    if draw(st.booleans()):
        raw["spread"] = {"enabled": draw(st.booleans())}
    if draw(st.booleans()):
        raw["service"] = {"enabled": draw(st.booleans())}
    return raw


def peers_of(args: SecureWorkloadArgs) -> list[ExternalRef]:
    """Every peer of the generated rules, declared external: no other component is in the program."""
    refs = []
    for rule in (*args.network.ingress, *args.network.egress):
        if rule.workload is not None:
            refs.append(ExternalRef(namespace=rule.namespace, name=rule.workload))
        elif rule.cidr is None:
            refs.append(ExternalRef(kind=ExternalKind.NAMESPACE, namespace=rule.namespace or args.namespace))
    return refs


@SETTINGS
@given(raw=valid_args())
def test_valid_args_preview_without_mandatory_violations_or_schema_errors(raw: dict[str, Any]) -> None:
    args = SecureWorkloadArgs.model_validate(raw)
    manifests = render_workload("api", args)
    assert ("HorizontalPodAutoscaler" in manifests) == ("autoscaling" in raw)
    assert ("replicas" in manifests["Deployment"]["spec"]) == ("autoscaling" not in raw)
    assert ("PodDisruptionBudget" in manifests) == (args.minimum_replicas > 1)

    result = preview_function(lambda: SecureWorkload("api", args, externals=peers_of(args)))
    assert result.violations == [], result.problems()
    assert result.schema_errors == []
    deployment = result.manifest("Deployment", "api")
    assert deployment["spec"] == manifests["Deployment"]["spec"]


VALID_SUFFIXES = ["", "m", "k", "M", "G", "Ki", "Mi", "Gi"]
# not "Mi " with a trailing space: quantities are stripped, so "1Mi " is valid
BAD_SUFFIXES = ["mi", "K", "KB", "MB", "gb", "Gib", "iB", "x", "%", " Mi", "m2"]


def invalid_quantities() -> st.SearchStrategy[str]:
    number = st.integers(min_value=1, max_value=100_000).map(str)
    words = st.text(alphabet="abcdfghjlopqrstvwxyz", min_size=1, max_size=8)
    return st.one_of(
        st.sampled_from(
            ["lots", "-1", "1.2.3", "", " ", "0", "0Mi", "-128Mi", "..", "1..2", "Mi", "1e", "nan", "inf"]
        ),
        words,
        st.builds(lambda n: f"-{n}", number),
        st.builds(lambda n, s: f"-{n}{s}", number, st.sampled_from(VALID_SUFFIXES)),
        st.builds(lambda a, b, c: f"{a}.{b}.{c}", number, number, number),
        st.builds(lambda n, s: f"{n}{s}", number, st.sampled_from(BAD_SUFFIXES)),
        st.builds(lambda w, n: f"{w}{n}", words, number),
    )


@pytest.mark.parametrize("field", ["cpu", "memory", "memory_limit", "cpu_limit"])
@SETTINGS
@given(value=invalid_quantities())
def test_invalid_quantities_raise_validation_error(field: str, value: str) -> None:
    raw = {
        "namespace": "shop",
        "image": "ghcr.io/acme/api:1.4.2",
        "readiness": {"path": "/readyz"},
        "liveness": {"path": "/livez"},
        "resources": {field: value},
    }
    with pytest.raises(ValidationError, match=r"resources\.|quantity|greater than zero"):
        SecureWorkloadArgs.model_validate(raw)


@SETTINGS
@given(value=invalid_quantities())
def test_invalid_tmp_size_limit_raises_validation_error(value: str) -> None:
    with pytest.raises(ValidationError, match="tmp_size_limit"):
        SecureWorkloadArgs.model_validate(
            {
                "namespace": "shop",
                "image": "ghcr.io/acme/api:1.4.2",
                "readiness": {},
                "liveness": {},
                "tmp_size_limit": value,
            }
        )


@SETTINGS
@given(
    number=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10_000), places=3),
    suffix=st.sampled_from(VALID_SUFFIXES),
)
def test_valid_quantities_are_accepted_unchanged(number: Decimal, suffix: str) -> None:
    text = f"{number.normalize():f}{suffix}"
    resources = SecureWorkloadArgs.model_validate(
        {
            "namespace": "shop",
            "image": "ghcr.io/acme/api:1.4.2",
            "readiness": {},
            "liveness": {},
            "resources": {"cpu": text, "memory": text},
        }
    ).resources
    assert resources.cpu == text
    assert resources.render()["limits"] == {"memory": text}
