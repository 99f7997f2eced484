"""The IAM policy-document reader shared by the offline engine's AWS checks and the pack's AWS rules."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components._iam_documents import (
    load_document,
    matches_action,
    policy_document,
    statement_list,
    statements,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('{"Statement": []}', ({"Statement": []}, None)),
        ({"Statement": []}, ({"Statement": []}, None)),
        ([1], ([1], None)),
        (None, (None, "the document is not a string")),
        ('{"Statement": [}', (None, "invalid JSON (Expecting value at line 1 column 16)")),
        ("[" * 100_000, (None, "invalid JSON (unreadable or nested too deeply)")),
    ],
    ids=["text", "mapping", "list", "none", "bad-json", "too-deep"],
)
def test_load_document(value: Any, expected: tuple[Any, str | None]) -> None:
    assert load_document(value) == expected


def test_policy_document_is_an_object_or_nothing() -> None:
    assert policy_document('{"Version": "2012-10-17"}') == {"Version": "2012-10-17"}
    assert policy_document("[]") is None
    assert policy_document("[secret]") is None  # a masked secret is not judged
    assert policy_document(42) is None


def test_statements_one_object_or_a_list() -> None:
    single = {"Statement": {"Effect": "Allow"}}
    assert statement_list(single) == [{"Effect": "Allow"}]
    assert list(statements(single)) == [("Statement", {"Effect": "Allow"})]
    many = {"Statement": [{"Sid": "a"}, "junk", {"Sid": "b"}]}
    assert statement_list(many) == [{"Sid": "a"}, "junk", {"Sid": "b"}]  # the engine reports the junk
    assert [path for path, _ in statements(many)] == ["Statement[0]", "Statement[2]"]
    assert statement_list({}) == [] and list(statements({})) == []


@pytest.mark.parametrize(
    ("patterns", "action", "covered"),
    [
        (["kms:*"], "kms:PutKeyPolicy", True),
        (["KMS:put*"], "kms:PutKeyPolicy", True),
        (["*"], "iam:passrole", True),
        (["kms:Put?eyPolicy"], "kms:PutKeyPolicy", True),
        (["kms:Get*"], "kms:PutKeyPolicy", False),
        ([None, 3], "kms:PutKeyPolicy", False),
        ([], "kms:PutKeyPolicy", False),
    ],
)
def test_matches_action(patterns: list[Any], action: str, covered: bool) -> None:
    assert matches_action(patterns, action) is covered
