"""The API-server corpus, live: every case's verdict from kube-apiserver equals the recorded one.

Each case of ``tests/apiserver_corpus`` is sent to the session's control plane (fixture
``apiserver``) with server-side dry-run and strict field validation, after the shipped CRDs and
the namespace ``corpus`` exist. A live verdict that differs from the recording (admitted against
rejected, or a rejection with another HTTP code or other field paths) fails: the server or the
case changed, and ``tools/apiserver-corpus record`` is the explicit way to accept it. The record
command itself runs here too, on one family, into a temporary folder.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apiserver_corpus as corpus
import pytest
import real_engine_kubeapi as kubeapi  # loaded by conftest
from _readme import GUIDE, section_commands
from apiserver_corpus import live

pytestmark = pytest.mark.real_engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def api(apiserver: Any) -> Iterator[Any]:
    api = kubeapi.Api(apiserver)
    live.prepare(api, kubeapi)
    yield api
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": corpus.NAMESPACE}}
    api.delete(namespace)
    deadline = time.monotonic() + 120
    while not api.gone(namespace) and time.monotonic() < deadline:
        time.sleep(1)


def test_the_recording_is_from_the_pinned_server(api: Any) -> None:
    server = live.server_version(api)
    stale = {family: version for family, version in corpus.recorded_server().items() if version != server}
    assert stale == {}, f"recorded with another server than {server}: run tools/apiserver-corpus record"


@pytest.mark.parametrize("case", corpus.cases(), ids=lambda case: case.key)
def test_the_live_verdict_is_the_recorded_one(api: Any, case: corpus.Case) -> None:
    recorded = corpus.recorded()[case.key]
    found = live.verdict(api, kubeapi, case)
    assert found.same_verdict(recorded), (
        f"{case.key}: recorded {recorded.as_dict()}\nlive {found.as_dict()}\n"
        "if the change is right, re-record: tools/apiserver-corpus record --family " + case.family
    )


def readme_record_command() -> str:
    (command,) = [
        c for c in section_commands("## The API-server corpus", GUIDE / "running.md") if c.endswith(" record")
    ]
    return command


def test_the_record_command_writes_what_is_committed(tmp_path: Path) -> None:
    done = subprocess.run(
        [*shlex.split(readme_record_command()), "--family", "names", "--into", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = json.loads((tmp_path / "names.json").read_text(encoding="utf-8"))
    committed = json.loads(corpus.recorded_path("names").read_text(encoding="utf-8"))
    assert written["server"] == committed["server"]
    assert written["cases"].keys() == committed["cases"].keys()
    # Verdicts, codes and fields; messages may differ (a generateName case's name is random).
    drift = [
        key
        for key, verdict in written["cases"].items()
        if not corpus.Recorded.from_dict(verdict).same_verdict(
            corpus.Recorded.from_dict(committed["cases"][key])
        )
    ]
    assert drift == []
