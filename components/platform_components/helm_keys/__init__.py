"""The Helm values keys the library sets, per chart and version, each citing where the chart declares it.

One key list per pinned (chart, version): ``helm_keys/<chart>-<version>.txt`` next to this module, one
line per key path the library's releases set, with the ``values.yaml`` line (or, for a key the chart's
templates read although ``values.yaml`` does not spell it out, the template file and line) it was read
from. ``tests/test_helm_values.py`` checks every stack's rendered release values against the list of
the release's (chart, version), and recomputes the citations from the chart's upstream files
(``../shared/upstream/helm-values/<chart>-<version>/``): a key the chart does not have, a stale
citation, or a pinned version without a list fails.

Key paths are dotted (``server.pdb.maxUnavailable``); a key that itself contains a dot is quoted
(``configs.params."server.insecure"``). A path ending in ``.*`` is a free-form map: its keys are the
user's (ConfigMap data, labels, node selectors), the chart renders it wholesale, and the check stops
at the map. A list value is taken whole (the path of the list is the leaf).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

KEY_LISTS = Path(__file__).resolve().parent
"""Where the key lists live (``<chart>-<version>.txt``)."""

WILDCARD = "*"

KeyPath = tuple[str, ...]

FREE_FORM: dict[str, dict[str, str]] = {
    # maps values.yaml declares empty ({}) for the user to fill, rendered wholesale by the chart; the
    # maps the templates read wholesale are listed by the chart's template-reads.txt instead
    "argo-cd": {
        "notifications.notifiers": "notifier services (service.<name>) rendered into argocd-notifications-cm",
        "notifications.templates": "message templates (template.<name>) rendered into argocd-notifications-cm",
        "notifications.triggers": "triggers (trigger.<name>) rendered into argocd-notifications-cm",
    },
    "karpenter": {
        "controller.resources": "the controller container's Kubernetes ResourceRequirements, rendered with toYaml",
    },
}
"""Free-form maps per chart (dotted path -> what the chart does with it), besides template-reads.txt's."""


def format_path(path: KeyPath) -> str:
    """``("configs", "params", "server.insecure")`` -> ``configs.params."server.insecure"``."""
    return ".".join(f'"{part}"' if "." in part or '"' in part or not part else part for part in path)


_PART = re.compile(r'"([^"]*)"|([^."]+|\*)')


def parse_path(text: str) -> KeyPath:
    """The inverse of :func:`format_path`."""
    parts: list[str] = []
    position = 0
    while True:
        match = _PART.match(text, position)
        if match is None:
            raise ValueError(f"not a key path: {text!r}")
        parts.append(match.group(1) if match.group(1) is not None else match.group(2))
        position = match.end()
        if position == len(text):
            return tuple(parts)
        if text[position] != ".":
            raise ValueError(f"not a key path: {text!r}")
        position += 1


def value_paths(
    values: Mapping[str, Any], free_form: set[KeyPath], prefix: KeyPath = ()
) -> Iterator[KeyPath]:
    """The leaf key paths ``values`` sets: a free-form map stops at ``<map>.*``, a list or scalar is a
    leaf, an empty map is a leaf (it sets the map to nothing)."""
    if prefix in free_form:
        yield (*prefix, WILDCARD)
        return
    if not values and prefix:
        yield prefix
        return
    for key, value in values.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping):
            yield from value_paths(value, free_form, path)
        else:
            yield path


@functools.lru_cache(maxsize=8)
def _compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=yaml.SafeLoader)


def find_line(text: str, path: KeyPath) -> int | None:
    """The 1-based line of the key ``path`` in a values.yaml's text, or None when it does not declare it."""
    node: yaml.Node | None = _compose(text)
    line = None
    for part in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                line = key.start_mark.line + 1
                node = value
                break
        else:
            return None
    return line


@dataclass(frozen=True)
class TemplateRead:
    path: KeyPath
    evidence: str
    """``templates/<file>:<line>[-<line>]``."""
    note: str


@dataclass
class ChartSource:
    """A chart version's upstream files: values.yaml, its sub-charts' values.yaml, template-reads.txt."""

    chart: str
    version: str
    folder: Path
    values: str = ""
    subcharts: dict[str, str] = field(default_factory=dict)
    reads: list[TemplateRead] = field(default_factory=list)

    @classmethod
    def load(cls, upstream: Path, chart: str, version: str) -> ChartSource:
        folder = upstream / f"{chart}-{version}"
        if not (folder / "values.yaml").is_file():
            raise FileNotFoundError(
                f"no upstream values.yaml for {chart} {version}: add the chart's values.yaml (and "
                f"template-reads.txt) under {folder}"
            )
        source = cls(chart, version, folder, values=(folder / "values.yaml").read_text())
        for sub in sorted((folder / "charts").glob("*/values.yaml")):
            source.subcharts[sub.parent.name] = sub.read_text()
        reads = folder / "template-reads.txt"
        if reads.is_file():
            for number, line in enumerate(reads.read_text().splitlines(), 1):
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split(None, 2)
                if len(parts) < 2 or not parts[1].startswith("templates/"):
                    raise ValueError(f"{reads}:{number}: <path> templates/<file>:<line> <note>")
                source.reads.append(
                    TemplateRead(parse_path(parts[0]), parts[1], parts[2] if len(parts) > 2 else "")
                )
        return source

    def free_form(self) -> dict[KeyPath, str]:
        """Free-form map -> why (template-reads.txt's ``path.*`` entries and :data:`FREE_FORM`)."""
        out = {parse_path(p): why for p, why in FREE_FORM.get(self.chart, {}).items()}
        for read in self.reads:
            if read.path[-1] == WILDCARD:
                out[read.path[:-1]] = read.note
        return out

    def declared(self, path: KeyPath) -> str | None:
        """``values.yaml:<line>`` (or ``charts/<sub>/values.yaml:<line>``) where ``path`` is declared."""
        line = find_line(self.values, path)
        if line is not None:
            return f"values.yaml:{line}"
        if len(path) > 1 and path[0] in self.subcharts:
            line = find_line(self.subcharts[path[0]], path[1:])
            if line is not None:
                return f"charts/{path[0]}/values.yaml:{line}"
        return None

    def cite(self, path: KeyPath) -> list[str] | None:
        """Where the chart backs ``path`` (a leaf or ``<map>.*``), or None when it does not."""
        reads = [r.evidence for r in self.reads if r.path == path]
        if path[-1] == WILDCARD:
            if path[:-1] not in self.free_form():
                return None  # a map the chart does not render wholesale: its keys must be checked
            declared = self.declared(path[:-1])
            if declared is None and not reads:
                return None
            return [c for c in (declared, *reads) if c]
        declared = self.declared(path)
        if declared is not None:
            return [declared]
        return reads or None


def key_list_path(chart: str, version: str) -> Path:
    return KEY_LISTS / f"{chart}-{version}.txt"


def render_key_list(source: ChartSource, paths: set[KeyPath]) -> tuple[str, list[str]]:
    """The key list text of ``paths`` for ``source``'s chart version, and the paths the chart lacks."""
    free_form = source.free_form()
    rows: list[tuple[str, str, str]] = []
    missing: list[str] = []
    for path in sorted(paths):
        citations = source.cite(path)
        if citations is None:
            missing.append(format_path(path))
            continue
        why = f"  # free-form: {free_form[path[:-1]]}" if path[-1] == WILDCARD else ""
        rows.append((format_path(path), " ".join(citations), why))
    width = max((len(p) for p, _, _ in rows), default=0)
    header = [
        f"# {source.chart} {source.version}: the Helm values keys platform-components sets, each with where the chart",
        "# declares it (values.yaml line, or templates/<file>:<line> from template-reads.txt for a key the",
        "# templates read although values.yaml does not spell it out). Written by",
        "# `python tests/test_helm_values.py --write` from "
        f"../shared/upstream/helm-values/{source.chart}-{source.version}/;",
        "# tests/test_helm_values.py recomputes it. <map>.* = a free-form map (its keys are the user's; the",
        "# check stops at the map). A list is taken whole.",
    ]
    body = [f"{p.ljust(width)}  {c}{why}".rstrip() for p, c, why in rows]
    return "\n".join([*header, *body]) + "\n", missing


def read_key_list(text: str) -> dict[KeyPath, str]:
    """Key path -> its citations, from a key list's text."""
    out: dict[KeyPath, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        entry = line.split("  #", 1)[0].split()
        out[parse_path(entry[0])] = " ".join(entry[1:])
    return out


def load_key_list(chart: str, version: str) -> dict[KeyPath, str] | None:
    """The recorded key list of a chart version, or None when there is none."""
    path = key_list_path(chart, version)
    return read_key_list(path.read_text()) if path.is_file() else None


def pinned_charts() -> list[tuple[str, str]]:
    """The (chart, version) pairs :mod:`platform_components.versions` pins (read at call time): the
    argo-cd chart, and the karpenter and karpenter-crd charts of every supported Karpenter release."""
    from .. import versions

    pins = [("argo-cd", versions.ARGOCD_CHART_VERSION)]
    for version in versions.KARPENTER_KUBERNETES:
        pins += [("karpenter", version), ("karpenter-crd", version)]
    return pins


def missing_key_lists() -> list[str]:
    """One message per pinned chart version without a key list."""
    return [
        f"{chart} {version} is pinned (platform_components/versions.py) but has no key list "
        f"{key_list_path(chart, version).relative_to(KEY_LISTS.parent)}: write it from the chart's "
        f"values.yaml (python tests/test_helm_values.py --write)"
        for chart, version in pinned_charts()
        if not key_list_path(chart, version).is_file()
    ]


def unlisted_keys(chart: str, version: str, values: Mapping[str, Any]) -> list[str]:
    """The key paths ``values`` sets that the (chart, version) key list does not record (all of them,
    reported as one message, when there is no list)."""
    listed = load_key_list(chart, version)
    if listed is None:
        return [f"{chart} {version}: no key list {key_list_path(chart, version).name}"]
    free_form = {p[:-1] for p in listed if p[-1] == WILDCARD}
    return [format_path(p) for p in sorted(set(value_paths(values, free_form))) if p not in listed]


__all__ = [
    "KEY_LISTS",
    "ChartSource",
    "KeyPath",
    "TemplateRead",
    "find_line",
    "format_path",
    "key_list_path",
    "load_key_list",
    "missing_key_lists",
    "parse_path",
    "pinned_charts",
    "read_key_list",
    "render_key_list",
    "unlisted_keys",
    "value_paths",
]
