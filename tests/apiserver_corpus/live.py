"""The server's verdict on corpus cases, live: sent to a running control plane with server-side dry-run.

``prepare`` installs the shipped CRDs and creates the namespace ``corpus`` (no Pod Security labels,
so only validation and the other admission plugins decide). ``verdict`` sends one case and reads
the answer into a :class:`~apiserver_corpus.Recorded`. It works with ``kubeapi.Api`` from
``tests/real_engine/kubeapi.py``. The real-server suite and ``tools/apiserver-corpus record`` both
call it.
"""

from __future__ import annotations

import re
import time
from typing import Any

from . import NAMESPACE, Case, Recorded

_UNKNOWN_FIELD = re.compile(r'unknown field "([^"]+)"')
_DUPLICATE_FIELD = re.compile(r'duplicate field "([^"]+)"')


def prepare(api: Any, kubeapi: Any) -> None:
    """The shipped CRDs (established) and the namespace ``corpus``, both for real."""
    kubeapi.install_crds(api)
    verdict = api.post({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    assert verdict.status in (201, 409), f"namespace {NAMESPACE}: {verdict.status} {verdict.message}"
    # Pods name no ServiceAccount, so admission looks up "default", which the controller creates.
    deadline = time.monotonic() + 60
    while api.server.request("GET", f"/api/v1/namespaces/{NAMESPACE}/serviceaccounts/default")[0] != 200:
        assert time.monotonic() < deadline, f"no default ServiceAccount in {NAMESPACE} after 60 s"
        time.sleep(0.5)


def server_version(api: Any) -> str:
    status, answer = api.server.request("GET", "/version")
    assert status == 200, answer
    return str(answer["gitVersion"])


def _fields(answer: Any, message: str) -> tuple[str, ...]:
    causes = (answer.get("details") or {}).get("causes") or [] if isinstance(answer, dict) else []
    found = {str(cause["field"]) for cause in causes if cause.get("field")}
    # Strict field validation reports unknown and duplicate fields in the message only.
    found |= set(_UNKNOWN_FIELD.findall(message)) | set(_DUPLICATE_FIELD.findall(message))
    return tuple(sorted(found))


def verdict(api: Any, kubeapi: Any, case: Case) -> Recorded:
    """The server's verdict on ``case.object`` (created with ``dryRun=All``, strict field validation).

    A kind the server does not serve is a rejection with code 404 and reason ``NotFound``, as
    ``kubectl`` reports it."""
    manifest = case.object
    if not api.serves(str(manifest.get("apiVersion")), str(manifest.get("kind"))):
        return Recorded(
            "rejected",
            404,
            "NotFound",
            message=f"the server could not find the requested resource ({manifest.get('apiVersion')} {manifest.get('kind')})",
        )
    answer = api.post(manifest, kubeapi.DRY_RUN)
    if answer.status in (200, 201):
        return Recorded("admitted", answer.status, warnings=tuple(answer.warnings))
    body = answer.answer if isinstance(answer.answer, dict) else {}
    return Recorded(
        "rejected",
        answer.status,
        reason=str(body.get("reason", "")),
        fields=_fields(body, answer.message),
        message=answer.message,
        warnings=tuple(answer.warnings),
    )


__all__ = ["prepare", "server_version", "verdict"]
