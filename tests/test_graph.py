"""``platformctl graph``: each stack's component tree as Mermaid text covering every component the
preview recorded, with the resources counted (or listed) under the component that created them."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from _previews import preview_of, use_cached_previews
from _targets import ROOT
from platform_components.cli import main
from platform_components.graph import component_graph, kind_of
from platform_components.preview.mocks import ResourceRecord

STACKS = ["dev", "staging", "prod", "local"]
NODE = re.compile(r'^(\w+)\["([^"]*)"\]$')
EDGE = re.compile(r"^(\w+) (-->|-\.->) (\w+)$")
OTHER = (
    re.compile(r"^%% .*$"),
    re.compile(r"^classDef \w+ [\w#:,. -]+$"),
    re.compile(r"^class \w+(,\w+)* \w+$"),
)


class Graph:
    """A flowchart read back: nodes (id -> label lines), tree edges and resource edges."""

    def __init__(self, text: str) -> None:
        lines = text.splitlines()
        assert lines[0] == "flowchart LR"
        self.nodes: dict[str, list[str]] = {}
        self.parent: dict[str, str] = {}
        self.boxes: dict[str, list[str]] = {}
        for line in lines[1:]:
            assert line.startswith("  ") and line == line.rstrip(), repr(line)
            line = line.strip()
            if node := NODE.match(line):
                assert node.group(1) not in self.nodes, f"node {node.group(1)} defined twice"
                self.nodes[node.group(1)] = node.group(2).split("<br/>")
            elif edge := EDGE.match(line):
                source, arrow, target = edge.groups()
                assert source in self.nodes and target in self.nodes, line
                if arrow == "-->":
                    assert target not in self.parent, f"{target} has two parents"
                    self.parent[target] = source
                else:
                    self.boxes.setdefault(source, []).append(target)
            else:
                assert any(pattern.match(line) for pattern in OTHER), line

    def chain(self, node: str) -> tuple[tuple[str, ...], ...]:
        labels = [tuple(self.nodes[node])]
        while node in self.parent:
            node = self.parent[node]
            labels.append(tuple(self.nodes[node]))
        return tuple(labels)


def _expected_chains(records: list[ResourceRecord]) -> dict[str, tuple[tuple[str, ...], ...]]:
    by_urn = {record.urn: record for record in records}
    chains = {}
    for record in records:
        if record.custom:
            continue
        chain = []
        current: ResourceRecord | None = record
        while current is not None:
            chain.append((kind_of(current.type), current.name))
            parent = current.parent
            current = by_urn.get(parent)
        chain.append(("Stack", parent.rsplit("::", 1)[-1]))
        chains[record.urn] = tuple(chain)
    return chains


@pytest.mark.parametrize("stack", STACKS)
def test_graph_covers_every_component_of_the_run(stack: str) -> None:
    records = preview_of(stack).records
    graph = Graph(component_graph(records))
    expected = _expected_chains(records)
    assert len(expected) >= 5
    assert {graph.chain(node) for node in graph.parent} == set(expected.values())
    roots = [
        node
        for node in graph.nodes
        if node not in graph.parent and not any(node in b for b in graph.boxes.values())
    ]
    assert [graph.nodes[root] for root in roots] == [["Stack", f"platform-components-{stack}"]]


def _box_counts(lines: list[str]) -> Counter[str]:
    counted: Counter[str] = Counter()
    package = ""
    for line in lines:
        if (heading := re.match(r"^([\w-]+) (\d+): (.*)$", line)) is not None:
            package, total, line = heading.group(1), int(heading.group(2)), heading.group(3)
            assert total > 0
        for kind, count in re.findall(r"([\w.-]+) \N{MULTIPLICATION SIGN}(\d+)", line):
            counted[f"{package} {kind}"] += int(count)
    return counted


def _package_kind(record: ResourceRecord) -> str:
    package = record.type.split(":", 1)[0]
    names = {"kubernetes": "Kubernetes", "aws": "AWS"}
    if record.type.startswith("pulumi:providers:"):
        return f"providers {record.type.rsplit(':', 1)[-1]}"
    return f"{names.get(package, package)} {kind_of(record.type).removeprefix(package + ':')}"


@pytest.mark.parametrize("stack", STACKS)
def test_resources_are_counted_under_their_component(stack: str) -> None:
    records = preview_of(stack).records
    graph = Graph(component_graph(records))
    by_chain = {graph.chain(node): node for node in graph.nodes if node in graph.parent}
    counted_total = 0
    for urn, chain in _expected_chains(records).items():
        own = [r for r in records if r.parent == urn and r.custom]
        boxes = graph.boxes.get(by_chain[chain], [])
        if not own:
            assert boxes == []
            continue
        (box,) = boxes
        assert _box_counts(graph.nodes[box]) == Counter(_package_kind(r) for r in own), chain
        counted_total += len(own)
    urns = {r.urn for r in records}
    top = [r for r in records if r.custom and r.parent not in urns]
    (root,) = [
        node for node in graph.nodes if graph.chain(node) == (("Stack", f"platform-components-{stack}"),)
    ]
    if top:
        (box,) = graph.boxes[root]
        assert _box_counts(graph.nodes[box]) == Counter(_package_kind(r) for r in top)
    else:
        assert root not in graph.boxes
    assert counted_total + len(top) == sum(1 for r in records if r.custom)


def test_resources_option_lists_every_resource_under_its_component() -> None:
    records = preview_of("local").records
    graph = Graph(component_graph(records, resources=True))
    by_chain = {graph.chain(node): node for node in graph.nodes if node in graph.parent}
    listed = 0
    for urn, chain in _expected_chains(records).items():
        own = sorted((kind_of(r.type), r.name) for r in records if r.parent == urn and r.custom)
        drawn = sorted(tuple(graph.nodes[box]) for box in graph.boxes.get(by_chain[chain], []))
        assert drawn == own, chain
        listed += len(own)
    assert listed == sum(1 for r in records if r.custom) > 50


def test_labels_are_escaped() -> None:
    record = ResourceRecord(
        urn='urn:pulumi:s::p::platform:index:SecureWorkload::a"<b>',
        type="platform:index:SecureWorkload",
        name='a"<b>',
        custom=False,
        parent="urn:pulumi:s::p::pulumi:pulumi:Stack::p-s",
        inputs={},
    )
    text = component_graph([record])
    assert '"SecureWorkload<br/>a#quot;#lt;b#gt;"' in text
    Graph(text)


def test_platformctl_graph_writes_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "local.mmd"
    assert main(["graph", "--stack", "local", "--out", str(out)]) == 0
    assert capsys.readouterr().err == f"Wrote {out}\n"
    assert out.read_text(encoding="utf-8") == component_graph(preview_of("local").records)


def test_platformctl_graph_of_a_missing_stack_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["graph", "--stack", "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("platformctl: error:") and "Pulumi.nope.yaml" in line, line


# --------------------------------------------------------------------------------------------------
# docs/graph-and-diff.md: each stack's graph is current, every command it shows runs

DOC = (ROOT / "docs" / "graph-and-diff.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("stack", STACKS)
def test_docs_show_each_stacks_current_graph(stack: str) -> None:
    shown = re.search(
        rf"<!-- graph:{stack}:start -->\n```mermaid\n(.*?)```\n<!-- graph:{stack}:end -->", DOC, re.S
    )
    assert shown is not None, f"docs/graph-and-diff.md has no graph of {stack}"
    assert shown.group(1) == component_graph(preview_of(stack).records), (
        f"the graph of {stack} in docs/graph-and-diff.md is out of date: paste the output of "
        f"`uv run platformctl graph --stack {stack}` between its markers"
    )


def test_docs_commands_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_cached_previews(monkeypatch)
    commands = [
        line for block in re.findall(r"^```bash\n(.*?)^```", DOC, re.S | re.M) for line in block.splitlines()
    ]
    assert len(commands) == 4
    for command in commands:
        argv = command.removeprefix("uv run platformctl ").split()
        assert argv[0] in ("graph", "diff"), command
        if "--out" in argv:
            argv[argv.index("--out") + 1] = str(tmp_path / argv[argv.index("--out") + 1])
        assert main(argv) == 0, command
        assert capsys.readouterr().out or "--out" in argv
    prod = (tmp_path / "out" / "graphs" / "prod.mmd").read_text(encoding="utf-8")
    assert prod == component_graph(preview_of("prod").records, resources=True)
