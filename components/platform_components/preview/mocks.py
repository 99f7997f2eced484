"""Pulumi mocks that record every registration the way the engine would see it.

:class:`RecordingMonitor` wraps Pulumi's own ``MockMonitor`` and keeps, per resource, what the
engine receives: type, logical name, URN, parent URN, inputs (camelCase, secrets masked), resource
options (protect, retainOnDelete, dependencies, provider) and property dependencies (which resources
each input's value came from). :class:`PreviewMocks` answers with
realistic outputs: Kubernetes objects echo their manifest (with the provider's auto-naming when no
``metadata.name`` is given, or the API server's name generation for a ``metadata.generateName``), AWS resources and invokes get what the AWS provider would return (see
:mod:`platform_components.preview.aws`, backed by moto during :meth:`PreviewMocks.session`), other resources
get a deterministic id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs

from ._sdk import (
    SPECIAL_SECRET_SIG,
    SPECIAL_SIG_KEY,
    MockMonitor,
    ResourceRegistration,
    deserialize_properties,
    ensure_event_loop,
    has_special_values,
    is_unknown,
    offload,
    plain_properties,
    register_resource_response,
    serialize_properties,
)
from .names import generated_name

if TYPE_CHECKING:
    from .aws import AwsCloud

SECRET_MARKER = "[secret]"
"""What a secret value looks like in every recorded input, manifest and report."""
UNKNOWN_MARKER = "[unknown]"
"""A value only known after the resource is created (shown as ``output<T>`` by ``pulumi preview``)."""


@dataclass
class ResourceRecord:
    """One registered resource, as the engine saw it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    inputs: dict[str, Any]
    provider: str = ""
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    dependencies: list[str] = field(default_factory=list)
    """URNs of the resources this one depends on, sorted: the engine treats them as a set, and the
    SDK gathers them from sets whose order changes from one run to the next."""
    ignore_changes: list[str] = field(default_factory=list)
    id: str = ""
    has_secrets: bool = False
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    """Input name (camelCase) -> URNs of the resources its value came from (``bucket=bucket.id``
    depends through ``bucket`` on the bucket), sorted as :attr:`dependencies`; inputs with no
    dependency are left out."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "custom": self.custom,
            "parent": self.parent,
            "provider": self.provider,
            "id": self.id,
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "deleteBeforeReplace": self.delete_before_replace,
            "dependencies": list(self.dependencies),
            "propertyDependencies": {key: list(urns) for key, urns in self.property_dependencies.items()},
            "ignoreChanges": list(self.ignore_changes),
            "inputs": self.inputs,
        }


def mask_secrets(value: Any) -> tuple[Any, bool]:
    """``value`` with every leaf of every Pulumi secret replaced by :data:`SECRET_MARKER` (maps and
    lists keep their keys and length), unknowns by :data:`UNKNOWN_MARKER` and integral floats made
    integers again; and whether a secret was found."""
    found = False

    def walk(item: Any) -> Any:
        nonlocal found
        if isinstance(item, dict):
            if item.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
                found = True
                return _redact(item.get("value"))
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        if isinstance(item, float) and item.is_integer():
            return int(item)  # protobuf numbers are doubles; JSON (and the API server) sees integers
        if is_unknown(item):
            return UNKNOWN_MARKER
        return item

    return walk(value), found


def _redact(value: Any) -> Any:
    """A secret value with its shape kept (the keys of a Secret's ``stringData`` are not secret) and
    every leaf replaced by :data:`SECRET_MARKER`."""
    if isinstance(value, dict) and value.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
        return _redact(value.get("value"))
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return SECRET_MARKER


def unwrap_secrets(value: Any) -> Any:
    """``value`` with secrets replaced by their plaintext (what a resource provider receives)."""
    if isinstance(value, dict):
        if value.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
            return unwrap_secrets(value.get("value"))
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def secret_strings(value: Any) -> set[str]:
    """The plaintext strings inside every Pulumi secret of ``value`` (a JSON string's string leaves
    too), so that messages can be scrubbed of them."""
    found: set[str] = set()

    def collect(item: Any) -> None:
        if isinstance(item, dict):
            for v in item.values():
                collect(v)
        elif isinstance(item, list):
            for v in item:
                collect(v)
        elif isinstance(item, str) and len(item) >= 3:
            found.add(item)
            if item[:1] in "{[":
                with suppress(ValueError):
                    collect(json.loads(item))

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            if item.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
                collect(item.get("value"))
                return
            for v in item.values():
                walk(v)
        elif isinstance(item, list):
            for v in item:
                walk(v)

    walk(value)
    return found


def _short_hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Rejection:
    """What a cloud or cluster API would refuse, found while answering a registration."""

    type: str
    name: str
    path: str
    message: str


OutputsHook = Callable[["PreviewMocks", MockResourceArgs, dict[str, Any]], dict[str, Any] | None]
"""Extra outputs for a resource type; may call ``mocks.reject(args, path, message)``. An ``"id"`` key
in the result becomes the resource's id (it is not part of the state)."""

InvokeHook = Callable[["PreviewMocks", MockCallArgs], dict[str, Any]]
"""The result of a provider function (``args.args`` holds plaintext arguments); may raise
:class:`InvokeError`."""


class InvokeError(Exception):
    """A provider function refuses its arguments (the program fails, as it would for real)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class PreviewMocks(pulumi.runtime.Mocks):
    """Realistic outputs for the resource types this library uses.

    ``hooks`` maps a type token (or a ``"package:"`` prefix) to a function returning extra outputs,
    and ``invokes`` maps a function token to its answer, so that layers can plug in richer fakes
    without changing the engine. Unless ``aws=False``, :class:`~platform_components.preview.aws.AwsCloud`
    provides both for the ``aws`` package (``region``: the stack's ``aws:region``; when ``None``,
    it is read from the configuration when :meth:`session` starts, else ``us-east-1``).
    Caller-supplied ``hooks``/``invokes`` win over the AWS ones.
    """

    def __init__(
        self,
        hooks: dict[str, OutputsHook] | None = None,
        *,
        invokes: dict[str, InvokeHook] | None = None,
        region: str | None = None,
        aws: bool = True,
    ) -> None:
        from .randomness import HOOKS as RANDOM_HOOKS  # late: randomness.py imports this module

        self.hooks: dict[str, OutputsHook] = dict(RANDOM_HOOKS)
        self.invokes: dict[str, InvokeHook] = {}
        self.aws: AwsCloud | None = None
        if aws:
            from .aws import AwsCloud  # late: aws.py imports this module

            self.aws = AwsCloud(region)
            self.hooks.update(self.aws.hooks())
            self.invokes.update(self.aws.invokes())
        self.hooks.update(hooks or {})
        self.invokes.update(invokes or {})
        self.rejections: list[Rejection] = []

    @contextmanager
    def session(self, label: str | None = None) -> Iterator[PreviewMocks]:
        """One program run: rejections start empty and the AWS backends (moto, started on first
        use) are torn down, with all their state, when the run ends. The engine wraps every
        program run in this; outside a session, AWS hooks answer without moto. ``label`` names the
        program and stack whose recorded moto answers may be replayed (:mod:`.moto_tape`)."""
        self.rejections.clear()
        if self.aws is not None:
            self.aws.start(label)
        try:
            yield self
        finally:
            if self.aws is not None:
                self.aws.stop()

    def reject(self, args: MockResourceArgs, path: str, message: str) -> None:
        """Record that the real API would refuse this resource (reported like a schema error).

        Secret input values never reach the message: they are replaced by ``[secret]``."""
        for secret in sorted(secret_strings(args.inputs), key=len, reverse=True):
            message = message.replace(secret, SECRET_MARKER)
        self.rejections.append(Rejection(args.typ, args.name, path, message))

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        inputs = unwrap_secrets(args.inputs)
        state: dict[str, Any] = dict(inputs)
        resource_id = f"{args.name}-{_short_hash(args.typ, args.name)}"
        if args.typ.startswith("kubernetes:") and "kind" in inputs:
            metadata = dict(state.get("metadata") or {})
            if not metadata.get("name"):
                generate_name = metadata.get("generateName")
                metadata["name"] = (
                    # the provider leaves the name to the API server, which appends 5 characters
                    generated_name(generate_name, f"{args.typ}\0{args.name}")
                    if isinstance(generate_name, str) and generate_name
                    else f"{args.name}-{_short_hash(args.typ, args.name)}"
                )
            state["metadata"] = metadata
            namespace = metadata.get("namespace")
            resource_id = f"{namespace}/{metadata['name']}" if namespace else str(metadata["name"])
        hook = self.hooks.get(args.typ) or self.hooks.get(args.typ.split(":", 1)[0] + ":")
        if hook is not None:
            extra = hook(self, args, state)
            if extra:
                if "id" in extra:
                    resource_id = str(extra.pop("id"))
                state.update(extra)
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        # (MockMonitor.Invoke iterates the failures of a tuple answer: never None)
        hook = self.invokes.get(args.token)
        if hook is None:
            return {}, []
        plain = MockCallArgs(token=args.token, args=unwrap_secrets(args.args), provider=args.provider)
        try:
            return hook(self, plain), []
        except InvokeError as exc:
            return {}, [(exc.path, exc.reason)]


def _secret_outputs(inputs: dict[str, Any], additional: Any) -> set[str]:
    """The top-level output properties the engine marks secret: those whose input held a secret
    (``inputs``: empty when none does), and those the resource names in ``additionalSecretOutputs``
    (a Kubernetes Secret's ``data`` and ``stringData``). Only top-level properties can be secret
    outputs."""
    secret = set(additional)
    for key, value in inputs.items():
        if key not in secret and mask_secrets(value)[1]:
            secret.add(key)
    return secret


def _as_secret(value: Any) -> dict[str, Any]:
    return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": value}


class RecordingMonitor(MockMonitor):
    """Pulumi's MockMonitor plus a record of every registration and its options."""

    def __init__(self, mocks: pulumi.runtime.Mocks, *, project: str, stack: str) -> None:
        super().__init__(mocks)
        self.project = project
        self.stack = stack
        self.records: list[ResourceRecord] = []
        self.outputs: dict[str, dict[str, Any]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine makes them: ``urn:pulumi:<stack>::<project>::<parent types$>type::name``.

        (Registrations may run on worker threads, where Pulumi's context-variable settings are not
        always visible, so project and stack are fixed at construction. Children of the stack resource get
        no ``pulumi:pulumi:Stack$`` prefix, like in a real deployment.)"""
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != "pulumi:pulumi:Stack":
                qualified = f"{parent_type}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{qualified}::{name}"

    # With inline monitor calls (:func:`~platform_components.preview._sdk.run_on_own_loop`) these
    # methods run on the event loop's thread. What can wait on a loop goes to a worker thread
    # (``offload``): the SDK's invokes and reads, and a registration whose properties hold resource
    # references, assets or output values (deserialising them can create resources). Plain data is
    # deserialised and serialised right here (``plain_properties``: without the SDK's dispatch).

    def RegisterResource(self, request: Any) -> Any:
        plain = plain_properties(request.object)  # plain data holds no special value either
        if plain is None and has_special_values(request.object):
            return offload(self._register, request, None)
        return self._register(request, plain)

    def Invoke(self, request: Any) -> Any:
        return offload(super().Invoke, request)

    def ReadResource(self, request: Any) -> Any:
        return offload(super().ReadResource, request)

    def _register(self, request: Any, plain: dict[str, Any] | None) -> Any:
        # Same as MockMonitor.RegisterResource, but deserialises the inputs once and records them;
        # ``plain``: the inputs already read by ``plain_properties``, when they are plain data.
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return register_resource_response(urn=urn)
        raw = plain
        if raw is None:
            ensure_event_loop()  # deserialising resource references needs one on this thread
            raw = deserialize_properties(request.object)
        resource_args = MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=raw,
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        id_, state = self.mocks.new_resource(resource_args)
        inputs, has_secrets = mask_secrets(raw)
        secret = _secret_outputs(raw if has_secrets else {}, request.additionalSecretOutputs)
        # When the mocks answer with the plain inputs unchanged (a Kubernetes object that names
        # itself, ...), the request's own Struct is that answer in the wire format already.
        if plain is not None and not secret and state == raw:
            obj_proto = request.object
        else:
            obj_proto = serialize_properties(
                {key: _as_secret(value) if key in secret else value for key, value in state.items()}
            )
        self.resources[urn] = ResourceRegistration(urn, id_ or "", state)
        self.records.append(
            ResourceRecord(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                inputs=inputs,
                provider=request.provider,
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                delete_before_replace=bool(request.deleteBeforeReplace),
                dependencies=sorted(request.dependencies),
                ignore_changes=list(request.ignoreChanges),
                id=id_ or "",
                has_secrets=has_secrets,
                property_dependencies={
                    key: sorted(deps.urns) for key, deps in request.propertyDependencies.items() if deps.urns
                },
            )
        )
        return register_resource_response(urn=urn, id=id_ or "", object=obj_proto)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if has_special_values(request.outputs):
            return offload(self._register_outputs, request)
        return self._register_outputs(request)

    def _register_outputs(self, request: Any) -> Any:
        outputs, _ = mask_secrets(deserialize_properties(request.outputs))
        self.outputs[request.urn] = outputs
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


__all__ = [
    "SECRET_MARKER",
    "UNKNOWN_MARKER",
    "InvokeError",
    "InvokeHook",
    "OutputsHook",
    "PreviewMocks",
    "RecordingMonitor",
    "Rejection",
    "ResourceRecord",
    "unwrap_secrets",
]
