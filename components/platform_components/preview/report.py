"""Outputs of a preview: ``manifests/``, ``resources.json``, ``report.json`` and the terminal summary."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, Final, TextIO

import yaml

from .._console import Style, colour_enabled
from ..policies.refs import externals_in
from .engine import PreviewResult, display_of


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


class _PyDumper(yaml.SafeDumper):
    pass


_PyDumper.add_representer(str, _str_presenter)
_Dumper: type[Any] = _PyDumper
"""The manifests' YAML writer: libyaml's emitter where PyYAML has it (about 5 times faster: a
third of a second of a prod preview), else PyYAML's own. On every golden manifest both write the
same bytes; in corner cases (an empty mapping key) the text differs, the documents never do
(``tests/preview/test_report.py``)."""
if hasattr(yaml, "CSafeDumper"):

    class _CDumper(yaml.CSafeDumper):
        pass

    _CDumper.add_representer(str, _str_presenter)  # type: ignore[arg-type]  # the same representer API
    _Dumper = _CDumper


MAX_FILE_NAME: Final = 128
"""The longest manifest file name written (characters, all ASCII): well under the 255 bytes of common
file systems and the 143 of encrypted home directories, whatever the object's name."""
HASH_MARK: Final = "~"
"""Separates a shortened name from its hash; never part of an ordinary file name."""
_HASH_LENGTH: Final = 16
_ORDINARY: Final = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_NAMESPACE: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_UNSAFE: Final = re.compile(r"[^-A-Za-z0-9_.]")
_CLUSTER_FOLDER: Final = "_cluster"
REPORT_SCHEMA_VERSION: Final = 1
"""``schema_version`` of ``report.json`` (and ``preview --json``); its JSON Schema is
``docs/schemas/report.schema.json``. Raised when a field is removed, renamed or changes meaning."""
RESOURCES_SCHEMA_VERSION: Final = 1
"""``schema_version`` of ``resources.json``; its JSON Schema is ``docs/schemas/resources.schema.json``."""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_LENGTH]


def _shortened(readable: str, digest: str, suffix: str = "") -> str:
    """``<readable, made safe and cut to fit>~<digest><suffix>``, at most :data:`MAX_FILE_NAME`."""
    tail = f"{HASH_MARK}{digest}{suffix}"
    safe = _UNSAFE.sub("_", readable)[: MAX_FILE_NAME - len(tail)]
    if safe.startswith("."):
        safe = "_" + safe[1:]
    return safe + tail


def _folder(namespace: str | None) -> str:
    """The folder of a namespace: its name when the API server allows it (a DNS-1123 label), else
    a safe shortened name with a hash (``..`` or ``a/b`` never leave ``manifests/``)."""
    if namespace is None or namespace == "":
        return _CLUSTER_FOLDER
    if len(namespace) <= 63 and _NAMESPACE.fullmatch(namespace):
        return namespace
    return _shortened(namespace, _digest(namespace))


def _file_name(kind: str, name: str) -> str:
    """``<kind>-<name>.yaml`` for an ordinary name (alphanumerics, ``-``, ``_``, ``.``, short enough);
    ``<kind>-<name made safe, cut>~<16 hex of sha256>.yaml`` for any other."""
    stem = f"{kind.lower()}-{name}"
    if _ORDINARY.fullmatch(stem) and len(stem) + len(".yaml") <= MAX_FILE_NAME:
        return f"{stem}.yaml"
    return _shortened(stem[:MAX_FILE_NAME], _digest(name), ".yaml")


def manifest_paths(manifests: Iterable[dict[str, Any]]) -> list[PurePosixPath]:
    """Where each object is written under ``manifests/``: ``<namespace>/<kind>-<name>.yaml`` or
    ``_cluster/<kind>-<name>.yaml``, in the order given.

    Ordinary names keep that form. A name too long for a file name, or with characters a file
    system may refuse or fold, is cut and followed by ``~`` and 16 hex digits of its sha256, so the
    file stays recognisable, stable from run to run and distinct. Two objects never share a file
    (not even on a case-insensitive file system): an object whose path is taken gets ``~`` and the
    hash of its apiVersion, kind, namespace and name (and a counter, for the same object twice)."""
    taken: set[str] = set()
    paths: list[PurePosixPath] = []
    for manifest in manifests:
        meta = manifest.get("metadata") or {}
        namespace = meta.get("namespace")
        name = meta.get("name")
        kind = str(manifest.get("kind"))
        folder = _folder(None if namespace is None else str(namespace))
        file_name = _file_name(kind, "" if name is None else str(name))
        path = PurePosixPath(folder, file_name)
        if path.as_posix().casefold() in taken:
            identity = json.dumps(
                [str(manifest.get("apiVersion")), kind, namespace, name], default=str, ensure_ascii=True
            )
            stem = file_name.removesuffix(".yaml")
            digest = _digest(identity)
            count = 1
            while path.as_posix().casefold() in taken:
                suffix = ".yaml" if count == 1 else f"{HASH_MARK}{count}.yaml"
                path = PurePosixPath(folder, _shortened(stem, digest, suffix))
                count += 1
        taken.add(path.as_posix().casefold())
        paths.append(path)
    return paths


def summary(result: PreviewResult) -> dict[str, Any]:
    return {
        "resources": len(result.records),
        "kubernetes_objects": len(result.manifests),
        "violations": len(result.violations),
        "warnings": len(result.warnings),
        "exemptions": len(result.evaluation.exemptions),
        "schema_errors": len(result.schema_errors),
        "clean": result.clean,
    }


def components_table(result: PreviewResult) -> list[tuple[str, str, int]]:
    """(component type, component name, number of direct children) for every component resource."""
    children: Counter[str] = Counter(r.parent for r in result.records)
    rows = []
    for record in result.records:
        if not record.custom:
            rows.append((record.type.rsplit(":", 1)[-1], record.name, children[record.urn]))
    return rows


def _detail(record_type: str, inputs: dict[str, Any]) -> tuple[str, str, str] | None:
    """A one-line description of the resources a platform engineer looks for first."""
    if record_type == "aws:eks/cluster:Cluster":
        vpc = inputs.get("vpcConfig") or {}
        exposure = (
            f"public endpoint for {', '.join(vpc.get('publicAccessCidrs') or [])}"
            if vpc.get("endpointPublicAccess")
            else "private endpoint"
        )
        protection = ", deletion protection" if inputs.get("deletionProtection") else ""
        return (
            "EKS cluster",
            str(inputs.get("name")),
            f"Kubernetes {inputs.get('version')}, {exposure}{protection}",
        )
    if record_type == "aws:eks/nodeGroup:NodeGroup":
        scaling = inputs.get("scalingConfig") or {}
        types = ", ".join(inputs.get("instanceTypes") or [])
        return (
            "EKS node group",
            str(inputs.get("nodeGroupName") or ""),
            f"{scaling.get('minSize')}-{scaling.get('maxSize')} x {types} ({inputs.get('amiType')})",
        )
    if record_type == "aws:eks/addon:Addon":
        return "EKS add-on", str(inputs.get("addonName")), str(inputs.get("addonVersion"))
    if record_type == "kubernetes:yaml/v2:ConfigFile":
        url = str(inputs.get("file") or "")
        parts = url.split("/")
        project = "/".join(parts[3:5]) if url.startswith("https://github.com/") else parts[-1]
        return "Manifest", project, url
    if record_type == "kubernetes:helm.sh/v3:Release":
        return "Helm release", str(inputs.get("name")), f"{inputs.get('chart')} {inputs.get('version')}"
    if record_type == "kubernetes:karpenter.sh/v1:NodePool":
        spec = inputs.get("spec") or {}
        requirements = (spec.get("template") or {}).get("spec", {}).get("requirements") or []
        capacity: list[str] = next(
            (r.get("values") for r in requirements if r.get("key") == "karpenter.sh/capacity-type"), []
        )
        limits = spec.get("limits") or {}
        return (
            "Karpenter NodePool",
            str((inputs.get("metadata") or {}).get("name")),
            f"{'/'.join(capacity or [])}, limits cpu {limits.get('cpu')} memory {limits.get('memory')}",
        )
    metadata = inputs.get("metadata") or {}
    where = f"{metadata.get('namespace')}/{metadata.get('name')}"
    if record_type == "kubernetes:apps/v1:StatefulSet":
        spec = inputs.get("spec") or {}
        claims = spec.get("volumeClaimTemplates") or []
        if not claims:
            return None
        claim = claims[0].get("spec") or {}
        size = ((claim.get("resources") or {}).get("requests") or {}).get("storage")
        retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
        containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or [{}]
        return (
            "StatefulSet",
            where,
            f"{spec.get('replicas')} x {str(containers[0].get('image', '')).rsplit('/', 1)[-1]}, "
            f"{size} {claim.get('storageClassName')} per pod, PVCs kept on delete/scale: "
            f"{retention.get('whenDeleted', 'Retain')}/{retention.get('whenScaled', 'Retain')}",
        )
    if record_type == "kubernetes:batch/v1:CronJob":
        spec = inputs.get("spec") or {}
        return "CronJob", where, f"{spec.get('schedule')} ({spec.get('timeZone') or 'controller time zone'})"
    return None


def externals(result: PreviewResult) -> list[tuple[str, str]]:
    """(external, component declaring it) for every external a component declared (``ExternalRef``),
    read from the rendered objects as the policy pack reads them; sorted."""
    rows: set[tuple[str, str]] = set()
    for _record, manifest in result.manifests:
        meta = manifest.get("metadata") or {}
        declared = externals_in(meta)
        if declared:
            component = (meta.get("labels") or {}).get("app.kubernetes.io/instance") or meta.get("name")
            owner = f"{meta.get('namespace')}/{component}" if meta.get("namespace") else str(component)
            rows.update((str(external), owner) for external in declared)
    return sorted(rows)


def highlights(result: PreviewResult) -> list[tuple[str, str, str]]:
    """(what, name, detail) for the cluster, node groups, add-ons, Helm releases, node pools, StatefulSets
    with data volumes and CronJobs."""
    rows = [_detail(r.type, r.inputs) for r in result.records]
    return [row for row in rows if row is not None]


def _environment(result: PreviewResult) -> dict[str, str | None]:
    """The environment applied (``platform:environment`` or the stack name) and where it came from."""
    env = result.environment
    return (
        {"name": env.name, "source": env.source} if env is not None else {"name": None, "source": "unknown"}
    )


def report_dict(result: PreviewResult) -> dict[str, Any]:
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "project": result.project,
        "stack": result.stack,
        "kubernetes_version": result.kubernetes_version,
        "environment": _environment(result),
        "summary": summary(result),
        "components": [{"type": t, "name": n, "children": c} for t, n, c in components_table(result)],
        "platform": [{"what": w, "name": n, "detail": d} for w, n, d in highlights(result)],
        "kinds": dict(sorted(Counter(str(m["kind"]) for _, m in result.manifests).items())),
        "externals": [{"external": e, "declared_by": c} for e, c in externals(result)],
        "violations": [v.as_dict() for v in result.violations],
        "warnings": [v.as_dict() for v in result.warnings],
        "exemptions": [e.as_dict() for e in result.evaluation.exemptions],
        "schema_errors": [e.as_dict() for e in result.schema_errors],
        "stack_outputs": result.stack_outputs,
        "logs": result.logs,
        "timings_seconds": {k: round(v, 4) for k, v in result.timings.items()},
    }


def resources_dict(result: PreviewResult) -> dict[str, Any]:
    """``resources.json``: every registered resource as the engine saw it, in registration order."""
    return {
        "schema_version": RESOURCES_SCHEMA_VERSION,
        "resources": [r.as_dict() for r in result.records],
    }


def write_outputs(result: PreviewResult, out: Path) -> dict[str, Path]:
    """Write the three outputs under ``out``, replacing what an earlier preview left there."""
    out.mkdir(parents=True, exist_ok=True)
    manifests_dir = out / "manifests"
    if manifests_dir.exists():
        shutil.rmtree(manifests_dir)
    objects = [manifest for _record, manifest in result.manifests]
    for manifest, relative in zip(objects, manifest_paths(objects), strict=True):
        path = manifests_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.dump(manifest, Dumper=_Dumper, sort_keys=False, width=120), encoding="utf-8")
    resources_file = out / "resources.json"
    resources_file.write_text(
        json.dumps(resources_dict(result), indent=2, sort_keys=False) + "\n", encoding="utf-8"
    )
    report_file = out / "report.json"
    report_file.write_text(json.dumps(report_dict(result), indent=2) + "\n", encoding="utf-8")
    return {"manifests": manifests_dir, "resources": resources_file, "report": report_file}


def _table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(header)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    return lines


def render_summary(
    result: PreviewResult,
    stream: TextIO,
    outputs: dict[str, Path] | None = None,
    *,
    colour: bool | None = None,
) -> str:
    """The summary a person reads; coloured when ``colour`` says so (``None``: when ``stream`` is a
    terminal and ``NO_COLOR`` is unset, see :mod:`platform_components._console`)."""
    style = Style(colour_enabled(stream) if colour is None else colour)
    lines: list[str] = []
    lines.append(
        style.bold(f"Preview of {result.project} / {result.stack} (Kubernetes {result.kubernetes_version})")
    )
    if result.environment is not None:
        lines.append(f"Environment: {result.environment.describe()}")
    lines.append("")
    component_rows = [(t, n, str(c)) for t, n, c in components_table(result)]
    if component_rows:
        lines += _table(component_rows, ("COMPONENT", "NAME", "CHILDREN"))
        lines.append("")
    platform_rows = highlights(result)
    if platform_rows:
        lines += _table(platform_rows, ("PLATFORM", "NAME", "DETAIL"))
        lines.append("")
    kinds = Counter(str(m["kind"]) for _, m in result.manifests)
    if kinds:
        lines += _table([(k, str(v)) for k, v in sorted(kinds.items())], ("KIND", "OBJECTS"))
        lines.append("")
    declared = externals(result)
    if declared:
        lines.append(f"Declared externals ({len(declared)}), not part of this program:")
        lines += ["  " + line for line in _table(declared, ("EXTERNAL", "DECLARED BY"))]
        lines.append("")
    if result.schema_errors:
        lines.append(style.red(f"Schema errors ({len(result.schema_errors)}):"))
        lines += [f"  {e}" for e in result.schema_errors]
        lines.append("")
    if result.violations:
        lines.append(style.red(f"Policy violations ({len(result.violations)}):"))
        lines += [f"  {style.red(f'[{v.rule_id}]')} {v.message}" for v in result.violations]
        lines.append("")
    if result.warnings:
        lines.append(style.yellow(f"Advisory warnings ({len(result.warnings)}):"))
        lines += [f"  {style.yellow(f'[{v.rule_id}]')} {v.message}" for v in result.warnings]
        lines.append("")
    if result.evaluation.exemptions:
        lines.append(f"Exemptions ({len(result.evaluation.exemptions)}):")
        lines += [f"  [{e.rule_id}] {e.resource}: {e.reason}" for e in result.evaluation.exemptions]
        lines.append("")
    for message in result.logs:
        lines.append(f"log {message}")
    if outputs:
        lines.append(f"Wrote {outputs['manifests']}/, {outputs['resources']}, {outputs['report']}")
    counts = summary(result)
    verdict = style.green("clean") if result.clean else style.red("FAILED")
    lines.append(
        f"{counts['resources']} resources, {counts['kubernetes_objects']} Kubernetes objects: "
        f"{counts['violations']} violations, {counts['warnings']} warnings, "
        f"{counts['schema_errors']} schema errors, {counts['exemptions']} exemptions -> {verdict}"
    )
    return "\n".join(lines) + "\n"


__all__ = [
    "REPORT_SCHEMA_VERSION",
    "RESOURCES_SCHEMA_VERSION",
    "display_of",
    "externals",
    "manifest_paths",
    "render_summary",
    "report_dict",
    "resources_dict",
    "write_outputs",
]
