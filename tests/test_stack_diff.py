"""``platformctl diff``: dev against prod shows the differences the stack files make, a stack against
itself shows none, secrets stay masked, and bad usage is one line with exit 2."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from _previews import preview_of, use_cached_previews
from _targets import ROOT
from platform_components.cli import main
from platform_components.preview.mocks import SECRET_MARKER
from platform_components.stack_diff import Change, changes, diff_results, objects, render_text

PLATFORM_KEY = "platform-components:platform"


def _platform(stack: str) -> dict[str, Any]:
    text = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text)["config"][PLATFORM_KEY])


def _database(stack: str, name: str) -> dict[str, Any]:
    (found,) = [d for d in _platform(stack)["databases"] if d["name"] == name]
    return dict(found)


@pytest.fixture
def cached_previews(monkeypatch: pytest.MonkeyPatch) -> None:
    use_cached_previews(monkeypatch)


def test_dev_against_prod_shows_the_database_backup_settings() -> None:
    diff = diff_results(preview_of("dev"), preview_of("prod"))
    dev, prod = _database("dev", "orders")["backup"], _database("prod", "orders")["backup"]
    assert dev["schedule"] != prod["schedule"]
    assert (
        Change("spec.schedule", dev["schedule"], prod["schedule"])
        in diff.changed["CronJob shop/orders-backup"]
    )
    lifecycle = diff.changed["aws:BucketLifecycleConfiguration orders-backups-lifecycle"]
    assert Change("rules[0].expiration.days", dev["retention_days"], prod["retention_days"]) in lifecycle


def test_dev_against_prod_shows_the_database_replicas() -> None:
    diff = diff_results(preview_of("dev"), preview_of("prod"))
    assert "replicas" not in _database("dev", "orders") and _database("prod", "orders")["replicas"] > 1
    assert "StatefulSet shop/orders-replica" in diff.only_in_b
    assert "StatefulSet shop/orders" not in diff.only_in_a + diff.only_in_b
    assert "StatefulSet shop/orders" in diff.changed


def test_resources_named_after_the_stack_are_the_same_object() -> None:
    diff = diff_results(preview_of("dev"), preview_of("prod"))
    assert "aws:Vpc platform-<stack>-vpc" in diff.changed
    assert not [key for key in diff.only_in_a + diff.only_in_b if key.startswith("aws:Vpc")]
    dev_cidr, prod_cidr = (_platform(stack)["cluster"]["vpc_cidr"] for stack in ("dev", "prod"))
    cidrs = [c for c in diff.changed["aws:Vpc platform-<stack>-vpc"] if c.path == "cidrBlock"]
    assert cidrs == ([Change("cidrBlock", dev_cidr, prod_cidr)] if dev_cidr != prod_cidr else [])


def test_a_stack_against_itself_is_empty() -> None:
    diff = diff_results(preview_of("dev"), preview_of("dev"))
    assert diff.empty and diff.as_dict()["changed"] == []
    assert render_text(diff) == "no differences between the objects of dev and dev\n"


def test_secrets_stay_masked() -> None:
    found = objects(preview_of("dev"))
    assert found["Secret shop/orders-app"]["stringData"]["password"] == SECRET_MARKER


def test_changed_fields_are_dotted_paths() -> None:
    a = {"metadata": {"labels": {"app.kubernetes.io/name": "x", "tier": "web"}}, "ports": [1, 2]}
    b = {"metadata": {"labels": {"app.kubernetes.io/name": "y"}}, "ports": [1]}
    found = [(c.path, c.as_dict()) for c in changes(a, b)]
    assert found == [
        (
            'metadata.labels["app.kubernetes.io/name"]',
            {"path": 'metadata.labels["app.kubernetes.io/name"]', "a": "x", "b": "y"},
        ),
        ("metadata.labels.tier", {"path": "metadata.labels.tier", "a": "web"}),
        ("ports", {"path": "ports", "a": [1, 2], "b": [1]}),
    ]
    containers = [{"name": "app", "image": "a:1"}, {"name": "proxy", "image": "p:1"}]
    moved = [{"name": "proxy", "image": "p:1"}, {"name": "app", "image": "a:2"}]
    assert list(changes({"containers": containers}, {"containers": moved})) == [
        Change("containers[name=app].image", "a:1", "a:2")
    ]
    assert [c.path for c in changes({"x": [{"a": 1}]}, {"x": [{"a": 2}, {"a": 3}]})] == ["x[0].a", "x[1]"]


def test_platformctl_diff_text_and_json(cached_previews: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--stack", "dev", "--stack", "prod"]) == 0
    text = capsys.readouterr().out
    assert text == render_text(diff_results(preview_of("dev"), preview_of("prod")))
    assert text.startswith("dev -> prod: ") and "\n  + StatefulSet shop/orders-replica\n" in text
    assert main(["diff", "--stack", "dev", "--stack", "prod", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == json.loads(json.dumps(diff_results(preview_of("dev"), preview_of("prod")).as_dict()))
    assert {"schema_version", "a", "b", "only_in_a", "only_in_b", "changed"} == set(data)
    assert main(["diff", "--stack", "local", "--stack", "local", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == []


@pytest.mark.parametrize(
    "argv", [["diff"], ["diff", "--stack", "dev"], ["diff", "-s", "a", "-s", "b", "-s", "c"]]
)
def test_bad_usage_is_one_line_exit_2(
    argv: list[str], cached_previews: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("platformctl: error: diff compares two stacks: give --stack twice"), line


def test_a_missing_stack_is_one_line_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["diff", "--stack", "nope", "--stack", "dev"]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith("platformctl: error:") and "Pulumi.nope.yaml" in line, line


def test_the_docs_excerpt_is_real_output() -> None:
    doc = (ROOT / "docs" / "graph-and-diff.md").read_text(encoding="utf-8")
    (excerpt,) = re.findall(r"^```text\n(.*?)^```", doc, re.S | re.M)
    output = render_text(diff_results(preview_of("dev"), preview_of("prod"))).splitlines()
    shown = [line for line in excerpt.splitlines() if line != "..."]
    assert len(shown) > 5
    assert shown[0] == output[0]
    start = output.index(shown[1])
    assert output[start : start + len(shown) - 1] == shown[1:], "one contiguous excerpt of the output"


def test_objects_sharing_a_name_are_told_apart() -> None:
    from types import SimpleNamespace

    def gateway(api_version: str) -> dict[str, Any]:
        return {
            "apiVersion": api_version,
            "kind": "Gateway",
            "metadata": {"name": "edge", "namespace": "shop"},
        }

    istio, gateway_api = gateway("networking.istio.io/v1"), gateway("gateway.networking.k8s.io/v1")
    result = SimpleNamespace(stack="dev", records=[], manifests=[(None, istio), (None, gateway_api)])
    assert objects(result) == {  # type: ignore[arg-type]
        "Gateway shop/edge (networking.istio.io/v1)": istio,
        "Gateway shop/edge (gateway.networking.k8s.io/v1)": gateway_api,
    }
