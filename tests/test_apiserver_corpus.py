"""The offline engine against kube-apiserver's recorded verdicts on the corpus (``tests/apiserver_corpus``).

Every case runs through the offline engine's validation of one manifest and is compared with the
server's recorded verdict: a rejection must be refused at one of the server's field paths, an
admitted object must pass. A known disagreement is listed in ``offline-differences.yaml`` with
its reason and runs as ``xfail(strict=True)``: when the engine learns the rule, the entry must go.
The corpus itself is checked too: every case recorded, every verdict as its case intends, and the
sizes the corpus promises.
"""

from __future__ import annotations

import shlex
import subprocess
from collections import Counter
from pathlib import Path

import apiserver_corpus as corpus
import pytest
from _readme import GUIDE, section_commands

ROOT = Path(__file__).resolve().parents[1]
MIN_REJECTS, MIN_REJECTS_PER_FAMILY, MIN_ACCEPTS = 60, 3, 15


def _params() -> list[object]:
    known = corpus.differences()
    return [
        pytest.param(case, id=case.key, marks=[pytest.mark.xfail(strict=True, reason=known[case.key])])
        if case.key in known
        else pytest.param(case, id=case.key)
        for case in corpus.cases()
    ]


@pytest.mark.parametrize("case", _params())
def test_the_offline_engine_agrees_with_the_server(case: corpus.Case) -> None:
    server = corpus.recorded()[case.key]
    found = corpus.offline(case)
    assert corpus.disagreement(case, server, found) is None, (
        f"{case.key} ({case.upstream}): {corpus.disagreement(case, server, found)}\n"
        f"server: {server.message or server.verdict}\noffline: {found.errors}"
    )


def test_every_case_is_recorded_and_every_recording_has_its_case() -> None:
    cases = {case.key for case in corpus.cases()}
    recorded = set(corpus.recorded())
    assert sorted(cases - recorded) == [], "not recorded: run tools/apiserver-corpus record --family <family>"
    assert sorted(recorded - cases) == [], "recorded without a case: re-record the family"


def test_every_recorded_verdict_is_the_one_its_case_intends() -> None:
    recorded = corpus.recorded()
    wrong = [
        f"{case.key}: intent {case.intent}, server {recorded[case.key].verdict}"
        for case in corpus.cases()
        if (recorded[case.key].verdict == "rejected") != (case.intent == "reject")
    ]
    assert wrong == []


def test_the_corpus_has_the_promised_size() -> None:
    recorded = corpus.recorded()
    rejects = Counter(case.family for case in corpus.cases() if recorded[case.key].verdict == "rejected")
    accepts = sum(v.verdict == "admitted" for v in recorded.values())
    assert sum(rejects.values()) >= MIN_REJECTS
    assert accepts >= MIN_ACCEPTS
    thin = {family: rejects[family] for family in corpus.FAMILIES if rejects[family] < MIN_REJECTS_PER_FAMILY}
    assert thin == {}, f"families with fewer than {MIN_REJECTS_PER_FAMILY} rejects"


def test_every_family_was_recorded_by_the_same_server() -> None:
    servers = corpus.recorded_server()
    assert set(servers) == set(corpus.FAMILIES)
    assert len(set(servers.values())) == 1, servers


def test_every_known_difference_names_a_case() -> None:
    keys = {case.key for case in corpus.cases()}
    assert sorted(set(corpus.differences()) - keys) == []


def test_every_case_cites_the_upstream_rule() -> None:
    assert [case.key for case in corpus.cases() if len(case.upstream) < 10] == []


def test_a_malformed_case_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        corpus.CorpusError, match=r"cases/names.yaml, case 1 \(x\): intent is reject or accept"
    ):
        corpus._case("names", {"id": "x", "intent": "maybe", "upstream": "u", "object": {}}, 0)
    with pytest.raises(corpus.CorpusError, match="missing intent, upstream, object"):
        corpus._case("names", {"id": "x"}, 0)
    with pytest.raises(corpus.CorpusError, match="unknown key"):
        corpus._case("names", {"id": "x", "intent": "reject", "upstream": "u", "object": {}, "note": 1}, 0)


def test_a_rejection_at_another_field_is_a_disagreement() -> None:
    case = corpus.cases()[0]
    server = corpus.Recorded("rejected", 422, "Invalid", ("metadata.name",))
    assert corpus.disagreement(case, server, corpus.Offline((("spec", "x"),))) is not None
    assert corpus.disagreement(case, server, corpus.Offline((("metadata.name", "x"),))) is None
    assert corpus.disagreement(case, server, corpus.Offline()) is not None
    admitted = corpus.Recorded("admitted", 201)
    assert corpus.disagreement(case, admitted, corpus.Offline((("spec", "x"),))) is not None


def readme_commands() -> dict[str, str]:
    """The corpus commands of docs/guide/running.md by subcommand (``report``, ``record``)."""
    return {
        command.split()[-1]: command
        for command in section_commands("## The API-server corpus", GUIDE / "running.md")
    }


def test_the_readme_shows_both_commands() -> None:
    assert set(readme_commands()) == {"report", "record"}


def test_the_report_command_prints_the_figures() -> None:
    done = subprocess.run(
        shlex.split(readme_commands()["report"]),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    total, per_family, lines = corpus.agreement()
    assert "overall" in done.stdout and total.line() in done.stdout
    for family in corpus.FAMILIES:
        assert f"{family} " in done.stdout and per_family[family].line() in done.stdout
    assert f"disagreements: {len(lines)}" in done.stdout
    print(done.stdout)  # the figures (pytest -s)
