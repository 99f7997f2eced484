"""The tape of moto's answers (platform_components.preview.moto_tape): a stack's AWS calls are
answered from its last run while they match it, and moto answers the rest."""

from __future__ import annotations

import json
import textwrap
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from platform_components.preview import _derived
from platform_components.preview.aws import _Moto
from platform_components.preview.engine import check, run_program
from platform_components.preview.moto_tape import Call, MotoTape, Outcome, decode, encode, tape_name

with warnings.catch_warnings():  # pulumi-aws's import-time deprecations (the library silences them too)
    warnings.simplefilter("ignore", DeprecationWarning)
    import pulumi_aws

    _LOADED = (pulumi_aws.ec2.Vpc, pulumi_aws.iam.Role)  # pulumi-aws loads a module on first use


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PLATFORM_COMPONENTS_CACHE", str(folder))
    return folder


class FakeMoto:
    """Answers ``create`` calls with an id that counts the calls made since it started."""

    def __init__(self, *, drift: bool = False) -> None:
        self.made: list[Call] = []
        self.drift = drift

    def __call__(self, call: Call) -> Outcome:
        self.made.append(call)
        if call.params.get("bad"):
            return Outcome("client_error", ["InvalidParameterValue", f"{call.params['bad']} is bad"])
        number = len(self.made) + (100 if self.drift else 0)
        return Outcome(
            "ok", {"Id": f"id-{number}", "Created": datetime(2026, 1, number % 28 + 1, tzinfo=UTC)}
        )


def calls(*names: str) -> list[Call]:
    return [Call("ec2", "us-east-1", "create_thing", {"Name": n}) for n in names]


def run(
    label: str | None, live: FakeMoto, wanted: list[Call], secrets: frozenset[str] = frozenset()
) -> MotoTape:
    tape = MotoTape.open(label, live)
    for call in wanted:
        tape.call(call, secrets)
    tape.close()
    return tape


def test_encoding_round_trips_times_and_bytes() -> None:
    value = {"When": datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC), "Blob": b"\x00\xff", "List": [1, "a", None]}
    assert decode(json.loads(json.dumps(encode(value)))) == value
    with pytest.raises(TypeError, match="no JSON form for set"):
        encode({"x": {1}})


def test_a_call_digest_is_the_call_whatever_the_key_order() -> None:
    one = Call("iam", "us-east-1", "create_role", {"RoleName": "a", "Path": "/"})
    same = Call("iam", "us-east-1", "create_role", {"Path": "/", "RoleName": "a"})
    assert one.digest() == same.digest()
    for other in (
        Call("iam", "eu-west-1", "create_role", {"RoleName": "a", "Path": "/"}),
        Call("iam", "us-east-1", "create_role", {"RoleName": "b", "Path": "/"}),
        Call("iam", "us-east-1", "delete_role", {"RoleName": "a", "Path": "/"}),
    ):
        assert other.digest() != one.digest()


def test_without_a_label_every_call_is_live_and_nothing_is_kept(own_cache: Path) -> None:
    live = FakeMoto()
    run(None, live, calls("a", "b"))
    assert len(live.made) == 2
    assert not own_cache.exists()


def test_the_same_calls_are_answered_from_the_tape() -> None:
    first = FakeMoto()
    recorded = run("stack", first, calls("a", "b", "c"))
    second = FakeMoto()
    replayed = run("stack", second, calls("a", "b", "c"))
    assert second.made == []
    assert [o for _, _, o in replayed.calls] == [o for _, _, o in recorded.calls]
    assert replayed.calls[1][2].value["Id"] == "id-2"
    assert isinstance(replayed.calls[1][2].value["Created"], datetime)


def test_a_moto_setting_names_another_tape(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tape_name("stack")
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    assert tape_name("stack") != plain


def test_another_label_or_release_has_its_own_tape() -> None:
    run("stack", FakeMoto(), calls("a"))
    other = FakeMoto()
    run("other-stack", other, calls("a"))
    assert len(other.made) == 1
    assert tape_name("stack") != tape_name("other-stack")
    assert "moto=" in tape_name("stack") and "botocore=" in tape_name("stack")


def test_a_changed_call_goes_live_from_there_and_replaces_the_tape() -> None:
    run("stack", FakeMoto(), calls("a", "b", "c"))
    live = FakeMoto()
    changed = run("stack", live, calls("a", "B", "c"))
    # the call before the change is given to moto again, so that moto's state is the run's
    assert [c.params["Name"] for c in live.made] == ["a", "B", "c"]
    assert changed.consistent
    after = FakeMoto()
    run("stack", after, calls("a", "B", "c"))
    assert after.made == []


def test_more_calls_than_the_tape_go_live_and_fewer_need_no_moto() -> None:
    run("stack", FakeMoto(), calls("a", "b"))
    fewer = FakeMoto()
    run("stack", fewer, calls("a"))
    assert fewer.made == []
    more = FakeMoto()
    run("stack", more, calls("a", "b", "c"))
    assert [c.params["Name"] for c in more.made] == ["a", "b", "c"]


def test_moto_contradicting_the_tape_marks_the_run_and_keeps_no_tape(own_cache: Path) -> None:
    run("stack", FakeMoto(), calls("a", "b"))
    kept = sorted(own_cache.iterdir())
    drifting = run("stack", FakeMoto(drift=True), calls("a", "x"))
    assert not drifting.consistent
    assert sorted(own_cache.iterdir()) == kept
    assert [p.read_text() for p in kept] == [p.read_text() for p in sorted(own_cache.iterdir())]


def test_refusals_are_taped_too() -> None:
    first = FakeMoto()
    run("stack", first, [Call("ec2", "us-east-1", "create_thing", {"bad": "cidr"})])
    second = FakeMoto()
    tape = run("stack", second, [Call("ec2", "us-east-1", "create_thing", {"bad": "cidr"})])
    assert second.made == []
    assert tape.calls[0][2] == Outcome("client_error", ["InvalidParameterValue", "cidr is bad"])


def test_a_run_whose_calls_carry_a_secret_keeps_no_tape(own_cache: Path) -> None:
    run("stack", FakeMoto(), calls("hunter2-password"), secrets=frozenset({"hunter2-password"}))
    assert not own_cache.exists() or not any(own_cache.iterdir())


def test_an_answer_with_no_json_form_keeps_no_tape(own_cache: Path) -> None:
    def odd(call: Call) -> Outcome:
        return Outcome("ok", {"Body": object()})

    tape = run("stack", odd, calls("a"))  # type: ignore[arg-type]
    assert not tape.keep
    assert not own_cache.exists() or not any(own_cache.iterdir())


def test_an_unreadable_or_foreign_tape_is_ignored(own_cache: Path) -> None:
    assert _derived.store("moto-tape", tape_name("stack"), [["digest", "ok"]])  # wrong shape
    live = FakeMoto()
    run("stack", live, calls("a"))
    assert len(live.made) == 1


def test_with_the_cache_off_there_is_no_tape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_COMPONENTS_CACHE", "off")
    run("stack", FakeMoto(), calls("a"))
    again = FakeMoto()
    run("stack", again, calls("a"))
    assert len(again.made) == 1


# -- through the engine, with moto ----------------------------------------------------------------

PROGRAM = """
import pulumi_aws as aws

vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
aws.ec2.Subnet("a", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
aws.ec2.Subnet("b", vpc_id=vpc.id, cidr_block="{second}")
aws.iam.Role("role", assume_role_policy='{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", '
    '"Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}}')
"""


def aws_program(folder: Path, second: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "__main__.py").write_text(textwrap.dedent(PROGRAM.format(second=second)))
    return folder


def preview(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], int, dict[str, Any]]:
    """The run's refusals, how many calls moto answered for real, and the state of every resource."""
    live: list[Call] = []
    answer = _Moto.answer

    def counting(self: _Moto, call: Call) -> Outcome:
        live.append(call)
        return answer(self, call)

    monkeypatch.setattr(_Moto, "answer", counting)
    program_run = run_program(folder, project="tape", stack="test")
    monkeypatch.setattr(_Moto, "answer", answer)
    result = check(program_run, project="tape", stack="test", kubernetes_version="1.35")
    return [str(e) for e in result.schema_errors], len(live), program_run.state


def test_a_stack_preview_replays_moto_and_a_change_is_judged_by_moto(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = aws_program(tmp_path / "program", "10.0.2.0/24")
    errors, made, state = preview(folder, monkeypatch)
    # the VPC, the region's zones, two subnets, the role and its trust policy
    assert errors == [] and made == 6
    again, made, same_state = preview(folder, monkeypatch)
    assert (again, made, same_state) == ([], 0, state)

    aws_program(folder, "10.0.1.128/25")  # now overlaps subnet a: moto refuses it
    errors, made, _ = preview(folder, monkeypatch)
    assert made == 6  # the calls before subnet b again (for moto's state), then the rest
    assert len(errors) == 1 and "InvalidSubnet.Conflict" in errors[0]
    replayed, made, _ = preview(folder, monkeypatch)
    assert (replayed, made) == (errors, 0)


def test_moto_contradicting_its_tape_runs_the_program_again_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_cache: Path
) -> None:
    folder = aws_program(tmp_path / "program", "10.0.2.0/24")
    _, _, state = preview(folder, monkeypatch)
    (entry,) = own_cache.glob("moto-tape-*.json")
    tape = json.loads(entry.read_text())
    tape[0][2]["Vpc"]["VpcId"] = "vpc-0000000000000000f"  # a VPC moto would not make
    entry.write_text(json.dumps(tape))
    aws_program(folder, "10.0.3.0/24")
    errors, made, changed_state = preview(folder, monkeypatch)
    assert errors == []
    # the run goes live at subnet b, moto's VPC differs from the tape's: the run ends live (6 calls)
    # and the program runs again without a tape (6 more)
    assert made == 6 + 6
    assert changed_state.keys() == state.keys()


def test_idempotency_tokens_follow_from_the_call() -> None:
    import boto3
    from platform_components.preview.aws import _idempotency_tokens

    eks = boto3.session.Session(
        aws_access_key_id="preview", aws_secret_access_key="preview", region_name="us-east-1"
    ).client("eks")
    create = Call("eks", "us-east-1", "create_cluster", {"name": "a", "roleArn": "arn:aws:iam::1:role/r"})
    tokens = _idempotency_tokens(eks, create)
    assert list(tokens) == ["clientRequestToken"]
    assert tokens == _idempotency_tokens(eks, Call("eks", "us-east-1", "create_cluster", dict(create.params)))
    other = Call("eks", "us-east-1", "create_cluster", {"name": "b", "roleArn": "arn:aws:iam::1:role/r"})
    assert _idempotency_tokens(eks, other) != tokens
    assert _idempotency_tokens(eks, Call("eks", "us-east-1", "list_clusters", {})) == {}
