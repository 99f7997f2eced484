"""The recording monitor's records (preview/mocks.py): what resources.json is made of."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
from platform_components.preview.engine import run_program

NAMES = [f"cm-{letter}" for letter in "qwertyuiopasdfgh"]
"""Sixteen ConfigMaps, registered out of alphabetical order: the SDK gathers a resource's
dependencies from sets, whose order follows the objects' addresses, not their names."""


def _fan_in_program() -> None:
    maps = [k8s.core.v1.ConfigMap(name, metadata={"namespace": "apps"}) for name in NAMES]
    k8s.core.v1.ConfigMap(
        "all",
        metadata={"namespace": "apps"},
        data={"names": pulumi.Output.all(*(m.metadata.name for m in maps)).apply(",".join)},
        opts=pulumi.ResourceOptions(depends_on=list(reversed(maps))),
    )


def test_dependencies_are_recorded_sorted() -> None:
    """The engine treats a resource's dependencies as a set; recorded sorted, resources.json is the
    same from one run to the next."""
    run = run_program(_fan_in_program, project="p", stack="s")
    (record,) = [r for r in run.records if r.name == "all"]
    expected = sorted(r.urn for r in run.records if r.name in NAMES)
    assert record.dependencies == expected
    assert record.property_dependencies == {"data": expected}
    assert record.as_dict()["dependencies"] == expected


def test_two_runs_record_the_same() -> None:
    first = [r.as_dict() for r in run_program(_fan_in_program, project="p", stack="s").records]
    second = [r.as_dict() for r in run_program(_fan_in_program, project="p", stack="s").records]
    assert first == second
