"""Helm values stay true across chart upgrades.

The keys the library's Helm releases set are recorded per chart *and version*
(``components/platform_components/helm_keys/<chart>-<version>.txt``), each citing the line of the
chart's ``values.yaml`` (or the template file and line of ``template-reads.txt``) it was read from.
Every stack's rendered release values (and the library's other configurations: IRSA, webhook
notifications, no hostname, no HA) must set only listed keys; the lists are recomputed from the
charts' upstream files (``../shared/upstream/helm-values/``, never copied into the repository), so a
key the chart does not have or a stale citation fails; and a pinned chart version without a list
fails, so upgrading a chart means writing the new version's list:

    python tests/test_helm_values.py --write     # (with the project's environment: uv run python ...)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from platform_components import gitops, karpenter, versions
from platform_components.helm_keys import (
    KEY_LISTS,
    ChartSource,
    KeyPath,
    find_line,
    format_path,
    key_list_path,
    load_key_list,
    missing_key_lists,
    parse_path,
    pinned_charts,
    read_key_list,
    render_key_list,
    unlisted_keys,
    value_paths,
)
from platform_components.testing import preview_project

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = (ROOT / ".." / "shared" / "upstream").resolve()
HELM_VALUES = UPSTREAM / "helm-values"
STACKS = ("dev", "staging", "prod", "local")
RELEASE = "kubernetes:helm.sh/v3:Release"

Release = tuple[str, str, str, str, dict[str, Any]]
"""(where: stack or library configuration, release name, chart, version, values)."""


def stack_releases(stacks: tuple[str, ...] = STACKS) -> list[Release]:
    """Every Helm release the stacks declare, with the values the offline preview recorded."""
    out: list[Release] = []
    for stack in stacks:
        for record in preview_project(ROOT, stack).resources:
            if record.type == RELEASE:
                chart = str(record.inputs["chart"]).rsplit("/", 1)[-1]
                values = record.inputs.get("values") or {}
                assert isinstance(values, dict), (stack, record.name, values)
                out.append((stack, record.name, chart, str(record.inputs["version"]), values))
    return out


def library_releases() -> list[Release]:
    """The values of the library's configurations the stacks do not use (every branch of the value
    functions), for every supported chart version."""
    base: dict[str, Any] = {
        "engine": "argocd",
        "repository": {"url": "https://github.com/acme/gitops.git"},
        "environment": "dev",
    }
    argocd = {
        "minimal": {},
        "webhook": {
            "teams": ["shop"],
            "notifications": {"type": "webhook", "secret": "hook"},
            "argocd": {"ha": True, "hostname": "gitops.example.com"},
        },
        "slack": {
            "notifications": {"type": "slack", "channel": "alerts", "secret": "slack"},
            "argocd": {
                "hostname": "gitops.example.com",
                "sso": {"issuer": "https://login.example.com", "client_id": "argocd"},
            },
        },
    }
    out: list[Release] = [
        (
            f"argocd_values({name})",
            "argo-cd",
            "argo-cd",
            versions.ARGOCD_CHART_VERSION,
            gitops.argocd_values(gitops.GitOpsBootstrapArgs.model_validate({**base, **extra})),
        )
        for name, extra in argocd.items()
    ]
    for version in versions.KARPENTER_KUBERNETES:
        for irsa in (False, True):
            values = karpenter._helm_values(
                karpenter.KarpenterArgs(version=version),
                cluster_name="c",
                queue="q",
                role_arn="arn:aws:iam::1:role/r",
                irsa=irsa,
            )
            out.append((f"Karpenter(irsa={irsa})", "karpenter", "karpenter", version, values))
        out.append(("Karpenter", "karpenter-crd", "karpenter-crd", version, {}))
    return out


def upstream_or_skip() -> Path:
    if not HELM_VALUES.is_dir():
        message = f"the charts' upstream values are not there: {HELM_VALUES}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return HELM_VALUES


def key_paths(releases: list[Release], upstream: Path) -> dict[tuple[str, str], set[KeyPath]]:
    """(chart, version) -> the key paths the releases set (free-form maps from the upstream chart)."""
    out: dict[tuple[str, str], set[KeyPath]] = {pin: set() for pin in pinned_charts()}
    for _, _, chart, version, values in releases:
        free_form = set(ChartSource.load(upstream, chart, version).free_form())
        out.setdefault((chart, version), set()).update(value_paths(values, free_form))
    return out


@pytest.fixture(scope="module")
def stacks() -> list[Release]:
    return stack_releases()


@pytest.fixture(scope="module")
def upstream() -> Path:
    return upstream_or_skip()


# --------------------------------------------------------------------------------------------------
# The key lists' tools


VALUES = """\
# -- a comment
nameOverride: ""
server:
  # -- replicas
  replicas: 1
  pdb:
    enabled: false
    maxUnavailable: ""
  extraArgs: []
configs:
  params:
    server.insecure: false
  "quoted.key": 1
empty: {}
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("nameOverride",), 2),
        (("server",), 3),
        (("server", "replicas"), 5),
        (("server", "pdb", "maxUnavailable"), 8),
        (("server", "extraArgs"), 9),
        (("configs", "params", "server.insecure"), 12),
        (("configs", "quoted.key"), 13),
        (("empty",), 14),
        (("server", "replica"), None),  # misspelt
        (("server", "replicas", "count"), None),  # below a scalar
        (("server", "extraArgs", "0"), None),  # into a list
        (("empty", "key"), None),
        (("configs", "params", "server"), None),  # a dotted key is one key
        (("missing",), None),
    ],
)
def test_find_line(path: KeyPath, line: int | None) -> None:
    assert find_line(VALUES, path) == line


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("server", "pdb", "maxUnavailable"), "server.pdb.maxUnavailable"),
        (("configs", "params", "server.insecure"), 'configs.params."server.insecure"'),
        (("redis-ha", "enabled"), "redis-ha.enabled"),
        (("nodeSelector", "*"), "nodeSelector.*"),
    ],
)
def test_key_paths_format_and_parse(path: KeyPath, text: str) -> None:
    assert format_path(path) == text
    assert parse_path(text) == path


def test_value_paths_stop_at_free_form_maps_and_lists() -> None:
    values = {
        "configs": {"cm": {"admin.enabled": False}, "rbac": {}},
        "server": {"replicas": 2, "service": {"type": "ClusterIP"}},
        "tolerations": [{"key": "CriticalAddonsOnly"}],
        "podLabels": {},
    }
    assert sorted(value_paths(values, {("configs", "cm"), ("configs", "rbac")})) == [
        ("configs", "cm", "*"),
        ("configs", "rbac", "*"),
        ("podLabels",),
        ("server", "replicas"),
        ("server", "service", "type"),
        ("tolerations",),
    ]


def test_citations_of_sub_charts_template_reads_and_free_form_maps(tmp_path: Path) -> None:
    folder = tmp_path / "chart-1.0.0"
    (folder / "charts" / "sub").mkdir(parents=True)
    (folder / "values.yaml").write_text("sub:\n  enabled: false\ncm:\n  create: true\nextra: {}\n")
    (folder / "charts" / "sub" / "values.yaml").write_text("image:\n  tag: x\n")
    (folder / "template-reads.txt").write_text(
        "# comment\ncm.*  templates/cm.yaml:3-5 ranges over cm\nhidden.key  templates/d.yaml:9 reads it\n"
    )
    source = ChartSource.load(tmp_path, "chart", "1.0.0")
    assert source.cite(("sub", "enabled")) == ["values.yaml:2"]
    assert source.cite(("sub", "image", "tag")) == ["charts/sub/values.yaml:2"]
    assert source.cite(("cm", "*")) == ["values.yaml:3", "templates/cm.yaml:3-5"]
    assert source.cite(("hidden", "key")) == ["templates/d.yaml:9"]
    assert source.cite(("cm", "url")) is None  # below a free-form map only as cm.*
    assert source.cite(("extra", "*")) is None  # declared, but not free-form by the chart or FREE_FORM
    assert source.cite(("sub", "enable")) is None
    text, missing = render_key_list(source, {("sub", "enabled"), ("cm", "*"), ("sub", "enable")})
    assert missing == ["sub.enable"]
    assert read_key_list(text) == {
        ("cm", "*"): "values.yaml:3 templates/cm.yaml:3-5",
        ("sub", "enabled"): "values.yaml:2",
    }


def test_missing_upstream_data_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"argo-cd 99\.0\.0.*argo-cd-99\.0\.0"):
        ChartSource.load(tmp_path, "argo-cd", "99.0.0")


@pytest.mark.parametrize("ci", ["", "true"])
def test_missing_upstream_folder_skips_or_fails_under_ci(
    ci: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "HELM_VALUES", tmp_path / "helm-values")
    if ci:
        monkeypatch.setenv("CI", ci)
    else:
        monkeypatch.delenv("CI", raising=False)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match=r"not there: .*helm-values"):
        upstream_or_skip()


# --------------------------------------------------------------------------------------------------
# Every pinned chart version has a key list


def test_every_pinned_chart_version_has_a_key_list() -> None:
    assert missing_key_lists() == []
    assert {("argo-cd", versions.ARGOCD_CHART_VERSION), ("karpenter", versions.KARPENTER_VERSION)} <= set(
        pinned_charts()
    )


def test_every_key_list_is_of_a_pinned_version() -> None:
    """An old version's list goes when its pin does (the lists say what the platform sets now)."""
    pinned = {key_list_path(chart, version).name for chart, version in pinned_charts()}
    assert sorted(p.name for p in KEY_LISTS.glob("*.txt")) == sorted(pinned)


def test_a_pinned_version_without_a_key_list_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(versions, "ARGOCD_CHART_VERSION", "10.9.9")
    monkeypatch.setattr(versions, "KARPENTER_KUBERNETES", {"1.99.0": ("1.35",)})
    problems = missing_key_lists()
    assert len(problems) == 3, problems
    assert problems[0].startswith(
        "argo-cd 10.9.9 is pinned (platform_components/versions.py) but has no key list"
    )
    assert "helm_keys/argo-cd-10.9.9.txt" in problems[0]
    assert any("karpenter 1.99.0" in p and "karpenter-1.99.0.txt" in p for p in problems)
    assert any("karpenter-crd 1.99.0" in p for p in problems)
    # and a release of the unlisted version is reported as such, not key by key
    assert unlisted_keys("argo-cd", "10.9.9", {"server": {"replicas": 2}}) == [
        "argo-cd 10.9.9: no key list argo-cd-10.9.9.txt"
    ]


# --------------------------------------------------------------------------------------------------
# The stacks set only listed keys


def test_the_stacks_releases_are_covered(stacks: list[Release]) -> None:
    covered = sorted({(where, chart, version) for where, _, chart, version, _ in stacks})
    assert covered == sorted(
        [
            *[(s, "karpenter", versions.KARPENTER_VERSION) for s in ("dev", "staging", "prod")],
            *[(s, "karpenter-crd", versions.KARPENTER_VERSION) for s in ("dev", "staging", "prod")],
            *[(s, "argo-cd", versions.ARGOCD_CHART_VERSION) for s in ("staging", "prod")],
        ]
    )


def test_the_stacks_set_only_listed_keys(stacks: list[Release]) -> None:
    unlisted = {
        (where, name): keys
        for where, name, chart, version, values in stacks
        if (keys := unlisted_keys(chart, version, values))
    }
    assert unlisted == {}


def test_the_librarys_other_configurations_set_only_listed_keys() -> None:
    unlisted = {
        (where, name, version): keys
        for where, name, chart, version, values in library_releases()
        if (keys := unlisted_keys(chart, version, values))
    }
    assert unlisted == {}


def test_a_misspelt_key_in_a_stack_is_caught(monkeypatch: pytest.MonkeyPatch, upstream: Path) -> None:
    """A stack whose release sets a key the chart does not have (``server.replica``), and one whose
    free-form map is misplaced (``configs.cmm``), fails both the list and the upstream chart."""
    original = gitops.argocd_values

    def misspelt(args: gitops.GitOpsBootstrapArgs) -> dict[str, Any]:
        values = original(args)
        values["server"]["replica"] = values["server"].pop("replicas")
        values["configs"]["cmm"] = values["configs"].pop("cm")
        return values

    monkeypatch.setattr(gitops, "argocd_values", misspelt)
    ((_, _, chart, version, values),) = [r for r in stack_releases(("prod",)) if r[2] == "argo-cd"]
    unlisted = unlisted_keys(chart, version, values)
    assert "server.replica" in unlisted and any(k.startswith("configs.cmm.") for k in unlisted), unlisted
    source = ChartSource.load(upstream, chart, version)
    assert source.cite(parse_path("server.replica")) is None
    assert source.cite(parse_path("server.replicas")) is not None
    text, missing = render_key_list(source, set(value_paths(values, set(source.free_form()))))
    assert "server.replica" in missing and "server.replica " not in text


# --------------------------------------------------------------------------------------------------
# The lists agree with the charts' upstream files


def expected_key_lists(upstream: Path, releases: list[Release]) -> Iterator[tuple[Path, str, list[str]]]:
    for (chart, version), paths in sorted(key_paths(releases, upstream).items()):
        text, missing = render_key_list(ChartSource.load(upstream, chart, version), paths)
        yield key_list_path(chart, version), text, missing


def test_the_key_lists_cite_the_charts_upstream_files(stacks: list[Release], upstream: Path) -> None:
    """Recomputed from the stacks' and the library's values and the upstream charts: every key is in
    the chart (values.yaml or template-reads.txt), every citation is current, no entry is stale."""
    for path, text, missing in expected_key_lists(upstream, [*stacks, *library_releases()]):
        assert missing == [], f"{path.name}: keys the chart {path.stem} does not have"
        assert path.is_file(), f"no key list {path}: python tests/test_helm_values.py --write"
        assert path.read_text() == text, f"{path.name} is stale: python tests/test_helm_values.py --write"


def test_a_moved_key_makes_a_citation_stale(upstream: Path) -> None:
    chart, version = "argo-cd", versions.ARGOCD_CHART_VERSION
    listed = load_key_list(chart, version)
    assert listed
    source = ChartSource.load(upstream, chart, version)
    source.values = "# a line added upstream\n" + source.values
    text, missing = render_key_list(source, set(listed))
    assert missing == []
    assert text != key_list_path(chart, version).read_text()
    assert read_key_list(text)[parse_path("server.replicas")] == "values.yaml:2045"


def write_key_lists() -> int:
    """Write every pinned chart version's key list; 1 when a release sets a key the chart lacks."""
    upstream = HELM_VALUES
    if not upstream.is_dir():
        print(f"the charts' upstream values are not there: {upstream}", file=sys.stderr)
        return 1
    status = 0
    for path, text, missing in expected_key_lists(upstream, [*stack_releases(), *library_releases()]):
        if missing:
            print(f"{path.stem}: keys the chart does not have: {', '.join(missing)}", file=sys.stderr)
            status = 1
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)} ({len(read_key_list(text))} keys)")
    return status


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_helm_values.py --write")
    sys.exit(write_key_lists())
