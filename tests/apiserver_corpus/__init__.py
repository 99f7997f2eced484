"""The API-server corpus: objects kube-apiserver rejects or accepts, with its recorded verdicts.

The offline engine imitates the API server's validation (OpenAPI schemas, names, the per-kind rules
of ``platform_components.preview.apiserver``, CRD schemas and CEL rules). This corpus keeps the
imitation honest. Each family file ``cases/<family>.yaml`` lists hand-written objects, each with
the author's intent (``reject`` or ``accept``) and the upstream function it exercises. The server's
verdict on each is **recorded by running it**. ``tools/apiserver-corpus record`` starts the pinned
control plane, installs the shipped CRDs, sends every object with server-side dry-run
(``dryRun=All``, ``fieldValidation=Strict``) in the namespace ``corpus``, and writes
``recorded/<family>.json``. Nothing in ``recorded/`` is written by hand, and its diff is committed.

Three suites read it:

* the fast suite (``tests/test_apiserver_corpus.py``) runs the offline engine's validation on every
  case and compares it with the recording. A known disagreement is listed in
  ``offline-differences.yaml`` with its reason and runs as ``xfail(strict=True)``;
* the real-server suite (``tests/real_engine/test_apiserver_corpus_real.py``) sends every case to
  the server again and fails when a live verdict, or the field paths of a rejection, differ from the
  recording;
* ``tools/apiserver-corpus report`` prints "rejects caught X/Y, accepts clean X/Y", overall and per
  family.

A reject counts as *caught* when the offline engine refuses the object. Its field paths are
compared with the server's separately ("at the server's field"), because upstream sometimes
reports a different path for the same error: the parent list for a duplicate, or the template's
labels for a selector mismatch. Cases are never deleted to raise a figure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
RECORDED = HERE / "recorded"
DIFFERENCES = HERE / "offline-differences.yaml"
NAMESPACE = "corpus"
"""The namespace every namespaced case lives in (created for real, no Pod Security labels)."""
KUBERNETES_MINOR = "1.35"

FAMILIES: tuple[str, ...] = (
    "names",
    "labels-annotations",
    "selectors",
    "quantities",
    "ports",
    "env",
    "probes-lifecycle",
    "volumes-mounts",
    "security-context",
    "strategies-restart",
    "jobs-cronjobs",
    "hpa-pdb",
    "networkpolicy",
    "rbac",
    "configdata",
    "priorityclass",
    "schema",
    "crd-cel",
)
"""The rule families of the API-server validation the offline engine mirrors (the families of
``platform_components.preview.apiserver``, split as the fidelity work names them), plus the
OpenAPI schema itself and the CRDs' CEL rules. One file per family under ``cases/``."""

Intent = Literal["reject", "accept"]


@dataclass(frozen=True)
class Case:
    family: str
    id: str
    intent: Intent
    upstream: str
    object: dict[str, Any]
    why: str = ""

    @property
    def key(self) -> str:
        return f"{self.family}/{self.id}"


@dataclass(frozen=True)
class Recorded:
    """The server's verdict on one case: ``rejected`` (with the HTTP code, the ``Status`` reason,
    the field paths of its causes and its message) or ``admitted`` (with any warnings)."""

    verdict: Literal["rejected", "admitted"]
    code: int
    reason: str = ""
    fields: tuple[str, ...] = ()
    message: str = ""
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"verdict": self.verdict, "code": self.code}
        if self.verdict == "rejected":
            found |= {"reason": self.reason, "fields": list(self.fields), "message": self.message}
        if self.warnings:
            found["warnings"] = list(self.warnings)
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recorded:
        return cls(
            verdict=data["verdict"],
            code=int(data["code"]),
            reason=str(data.get("reason", "")),
            fields=tuple(data.get("fields", ())),
            message=str(data.get("message", "")),
            warnings=tuple(data.get("warnings", ())),
        )

    def same_verdict(self, other: Recorded) -> bool:
        """Same verdict: for a rejection the same HTTP code and field paths, for an admission the
        same warnings. A rejection's message is not compared (its wording may change between
        patch releases)."""
        if self.verdict != other.verdict:
            return False
        if self.verdict == "admitted":
            return self.warnings == other.warnings
        return (self.code, self.fields) == (other.code, other.fields)


class CorpusError(ValueError):
    """A malformed case file, named with its family and the case."""


def _case(family: str, raw: Any, position: int) -> Case:
    where = f"cases/{family}.yaml, case {position + 1}"
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: a case is a mapping with id, intent, upstream and object")
    missing = [key for key in ("id", "intent", "upstream", "object") if key not in raw]
    if missing:
        raise CorpusError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(raw) - {"id", "intent", "upstream", "object", "why"})
    if unknown:
        raise CorpusError(f"{where} ({raw['id']}): unknown key(s) {', '.join(unknown)}")
    if raw["intent"] not in ("reject", "accept"):
        raise CorpusError(f"{where} ({raw['id']}): intent is reject or accept, not {raw['intent']!r}")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", str(raw["id"])):
        raise CorpusError(f"{where}: id {raw['id']!r} must be lower-case words joined by '-'")
    if not isinstance(raw["object"], dict):
        raise CorpusError(f"{where} ({raw['id']}): object must be a mapping (one Kubernetes object)")
    return Case(
        family, str(raw["id"]), raw["intent"], str(raw["upstream"]), raw["object"], str(raw.get("why", ""))
    )


@cache
def cases() -> tuple[Case, ...]:
    """Every case, family by family in :data:`FAMILIES` order."""
    files = {path.stem for path in CASES.glob("*.yaml")}
    if stray := sorted(files - set(FAMILIES)):
        raise CorpusError(f"cases/{stray[0]}.yaml is not a family of FAMILIES (add it there or rename it)")
    found: list[Case] = []
    for family in FAMILIES:
        path = CASES / f"{family}.yaml"
        if not path.is_file():
            continue
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise CorpusError(f"cases/{family}.yaml is not valid YAML: {error}") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("cases", []), list):
            raise CorpusError(f"cases/{family}.yaml: the file is a mapping with a list under 'cases'")
        found += [_case(family, item, i) for i, item in enumerate(raw.get("cases") or [])]
    keys = [case.key for case in found]
    if duplicates := sorted({key for key in keys if keys.count(key) > 1}):
        raise CorpusError(f"duplicate case id(s): {', '.join(duplicates)}")
    return tuple(found)


def recorded_path(family: str, into: Path = RECORDED) -> Path:
    return into / f"{family}.json"


@cache
def recorded() -> dict[str, Recorded]:
    """Every recorded verdict by case key (``family/id``)."""
    found: dict[str, Recorded] = {}
    for family in FAMILIES:
        path = recorded_path(family)
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            found |= {f"{family}/{key}": Recorded.from_dict(v) for key, v in data["cases"].items()}
    return found


def recorded_server() -> dict[str, str]:
    """The server version each family was recorded with."""
    found = {}
    for family in FAMILIES:
        path = recorded_path(family)
        if path.is_file():
            found[family] = json.loads(path.read_text(encoding="utf-8"))["server"]
    return found


def write_recorded(family: str, server: str, verdicts: Mapping[str, Recorded], into: Path = RECORDED) -> Path:
    """Write one family's verdicts (keys are case ids) to ``into/<family>.json``."""
    path = recorded_path(family, into)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"server": server, "cases": {key: verdicts[key].as_dict() for key in verdicts}}
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@cache
def differences() -> dict[str, str]:
    """Known disagreements of the offline engine with the recording: case key -> reason."""
    if not DIFFERENCES.is_file():
        return {}
    raw = yaml.safe_load(DIFFERENCES.read_text(encoding="utf-8")) or {}
    return {str(key): str(reason) for key, reason in raw.items()}


# --- the offline engine's verdict -------------------------------------------------------------------


@dataclass(frozen=True)
class Offline:
    """The offline engine's validation of one case: its errors as ``(field path, message)``."""

    errors: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(sorted({path for path, _ in self.errors}))


def offline(case: Case) -> Offline:
    """What ``platformctl preview`` would report for the case's object (the engine's validation of
    one manifest: names, OpenAPI or CRD schema with CEL, the API server's per-kind rules)."""
    from platform_components.preview.schema import validate_manifest

    found = validate_manifest(case.object, KUBERNETES_MINOR, display=case.key, limit=100)
    return Offline(tuple((error.path, error.message) for error in found))


def field_agrees(server: Recorded, found: Offline) -> bool:
    """A rejection caught at one of the server's field paths (a server rejection without a path,
    such as a strict-decoding error, agrees with any offline path)."""
    return not server.fields or bool(set(server.fields) & set(found.fields))


def disagreement(case: Case, server: Recorded, found: Offline) -> str | None:
    """Why the offline engine's result differs from the server's, or ``None`` when they agree."""
    if server.verdict == "admitted" and found.rejected:
        return f"the server admits it; offline refuses it: {found.errors[0][0]}: {found.errors[0][1]}"
    if server.verdict == "rejected" and not found.rejected:
        return f"the server refuses it ({', '.join(server.fields) or server.reason}); offline admits it"
    if server.verdict == "rejected" and not field_agrees(server, found):
        return f"refused at {', '.join(found.fields)}; the server refuses at {', '.join(server.fields)}"
    return None


# --- the figures --------------------------------------------------------------------------------


@dataclass
class Tally:
    rejects: int = 0
    caught: int = 0
    at_field: int = 0
    accepts: int = 0
    clean: int = 0

    def add(self, server: Recorded, found: Offline) -> None:
        if server.verdict == "rejected":
            self.rejects += 1
            self.caught += found.rejected
            self.at_field += found.rejected and field_agrees(server, found)
        else:
            self.accepts += 1
            self.clean += not found.rejected

    def line(self) -> str:
        return (
            f"rejects caught {self.caught}/{self.rejects} (at the server's field {self.at_field}), "
            f"accepts clean {self.clean}/{self.accepts}"
        )


def agreement(selected: Iterable[Case] | None = None) -> tuple[Tally, dict[str, Tally], list[str]]:
    """The overall and per-family figures, and one line per disagreement (recorded cases only)."""
    total, per_family, lines = Tally(), {family: Tally() for family in FAMILIES}, []
    verdicts = recorded()
    for case in cases() if selected is None else selected:
        server = verdicts.get(case.key)
        if server is None:
            continue
        found = offline(case)
        total.add(server, found)
        per_family[case.family].add(server, found)
        if (why := disagreement(case, server, found)) is not None:
            known = " [listed in offline-differences.yaml]" if case.key in differences() else ""
            lines.append(f"{case.key}: {why}{known}")
    return total, per_family, lines


def report() -> str:
    total, per_family, lines = agreement()
    width = max(len(family) for family in FAMILIES)
    out = [f"offline engine vs kube-apiserver {', '.join(sorted(set(recorded_server().values())))}"]
    out.append(f"{'overall':<{width}}  {total.line()}")
    out += [
        f"{family:<{width}}  {tally.line()}"
        for family, tally in per_family.items()
        if tally.rejects + tally.accepts
    ]
    out.append(f"disagreements: {len(lines)}")
    out += [f"  {line}" for line in lines]
    return "\n".join(out)


__all__ = [
    "CASES",
    "FAMILIES",
    "NAMESPACE",
    "Case",
    "CorpusError",
    "Offline",
    "Recorded",
    "Tally",
    "agreement",
    "cases",
    "differences",
    "disagreement",
    "offline",
    "recorded",
    "report",
    "write_recorded",
]
