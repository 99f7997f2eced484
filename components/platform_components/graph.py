"""The component tree of a stack as a Mermaid flowchart (``platformctl graph``).

The tree is the one an offline preview records: every resource with its type, name and parent URN.
Components (``platform:index:SecureWorkload`` and the other component resources) are nodes, linked to
their parent; the Kubernetes, AWS and other resources a component creates directly are counted per
kind in one box under it, so that a stack of a few hundred resources stays readable. With
``resources=True`` every resource is a node of its own instead.

Node labels are ``Type<br/>name``; node ids (``c0``, ``c0r``, ``r12``) follow the tree in a fixed
order (children sorted by type and name), so the same stack gives the same text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .preview.mocks import ResourceRecord

DIRECTION: Final = "LR"
COMPONENT_STYLE: Final = "fill:#eef3fd,stroke:#3b6fd8"
RESOURCES_STYLE: Final = "fill:#f7f7f7,stroke:#9a9a9a,stroke-dasharray:3 3"


def kind_of(type_token: str) -> str:
    """A resource type as a graph shows it: ``Deployment``, ``SecureWorkload``, ``aws:Vpc``,
    ``provider:aws``, ``Stack``."""
    package = type_token.split(":", 1)[0]
    last = type_token.rsplit(":", 1)[-1]
    if type_token == "pulumi:pulumi:Stack":
        return "Stack"
    if type_token.startswith("pulumi:providers:"):
        return f"provider:{last}"
    if package in ("kubernetes", "platform"):
        return last
    return f"{package}:{last}"


def _escape(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _label(*lines: str) -> str:
    return '"' + "<br/>".join(_escape(line) for line in lines) + '"'


def _many(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _urn_kind(urn: str) -> str:
    return kind_of(urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1])


PACKAGES: Final = {"kubernetes": "Kubernetes", "aws": "AWS"}
"""How a box of counts names a package; others go by their own name (random, providers)."""
TIMES: Final = "\N{MULTIPLICATION SIGN}"
PER_LINE: Final = 3
"""Kinds on one line of a box of counts."""


def _counts(records: Sequence[ResourceRecord]) -> list[str]:
    """The lines of a box of counts: per package its total, then its kinds with their counts."""
    by_package: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        package = record.type.split(":", 1)[0]
        kind = kind_of(record.type).removeprefix(f"{package}:")
        if record.type.startswith("pulumi:providers:"):
            package, kind = "providers", kind.removeprefix("provider:")
        by_package[PACKAGES.get(package, package)][kind] += 1
    lines = []
    for package, kinds in sorted(by_package.items()):
        entries = [f"{kind} {TIMES}{count}" for kind, count in sorted(kinds.items())]
        chunks = [", ".join(entries[i : i + PER_LINE]) for i in range(0, len(entries), PER_LINE)]
        lines.append(f"{package} {sum(kinds.values())}: {chunks[0]}")
        lines.extend(chunks[1:])
    return lines


@dataclass
class _Tree:
    """Records by parent URN, and the roots: parents no record is (the stack)."""

    children: dict[str, list[ResourceRecord]] = field(default_factory=lambda: defaultdict(list))
    roots: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, records: Sequence[ResourceRecord]) -> _Tree:
        tree = cls()
        urns = {record.urn for record in records}
        for record in sorted(records, key=lambda r: (kind_of(r.type), r.name, r.urn)):
            tree.children[record.parent].append(record)
            if record.parent not in urns and record.parent not in tree.roots:
                tree.roots.append(record.parent)
        return tree


@dataclass
class _Writer:
    resources: bool
    tree: _Tree
    lines: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    boxes: list[str] = field(default_factory=list)
    count: int = 0

    def node(self, urn: str, label: str, parent: str | None) -> None:
        node_id = f"c{len(self.components)}"
        self.components.append(node_id)
        self.lines.append(f"  {node_id}[{label}]")
        if parent is not None:
            self.lines.append(f"  {parent} --> {node_id}")
        kids = self.tree.children.get(urn, [])
        own = [record for record in kids if record.custom]
        if own and self.resources:
            for record in own:
                self.count += 1
                self.lines.append(f"  r{self.count}[{_label(kind_of(record.type), record.name)}]")
                self.lines.append(f"  {node_id} -.-> r{self.count}")
                self.boxes.append(f"r{self.count}")
        elif own:
            self.lines.append(f"  {node_id}r[{_label(*_counts(own))}]")
            self.lines.append(f"  {node_id} -.-> {node_id}r")
            self.boxes.append(f"{node_id}r")
        for record in kids:
            if not record.custom:
                self.node(record.urn, _label(kind_of(record.type), record.name), node_id)


def component_graph(records: Sequence[ResourceRecord], *, resources: bool = False) -> str:
    """The Mermaid ``flowchart`` of the components in ``records`` (a preview's recorded resources)."""
    tree = _Tree.of(records)
    writer = _Writer(resources=resources, tree=tree)
    components = sum(1 for record in records if not record.custom)
    writer.lines.append(f"flowchart {DIRECTION}")
    writer.lines.append(
        f"  %% {_many(components, 'component')}, {_many(len(records) - components, 'resource')}"
    )
    for root in tree.roots:
        label = _label(_urn_kind(root), _urn_name(root)) if root else _label("Stack")
        writer.node(root, label, None)
    writer.lines.append(f"  classDef component {COMPONENT_STYLE}")
    writer.lines.append(f"  classDef resources {RESOURCES_STYLE}")
    writer.lines.append(f"  class {','.join(writer.components)} component")
    if writer.boxes:
        writer.lines.append(f"  class {','.join(writer.boxes)} resources")
    return "\n".join(writer.lines) + "\n"


def run_graph(project_dir: str | Path, stack: str, *, out: Path | None, resources: bool) -> int:
    """``platformctl graph``: preview ``stack`` offline and write its graph to stdout or ``out``."""
    from ._output import write_output
    from .preview.engine import preview

    result = preview(project_dir, stack)
    return write_output(component_graph(result.records, resources=resources), out)


__all__ = ["component_graph", "kind_of", "run_graph"]
