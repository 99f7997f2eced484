"""The AWS side of the offline engine: realistic outputs for ``pulumi_aws`` resources and invokes,
and AWS's own refusals, backed by moto.

:class:`AwsCloud` plugs into :class:`~platform_components.preview.mocks.PreviewMocks` as a table of output
hooks (one per type token, see :data:`RESOURCE_TYPES`) and invoke answers (:data:`INVOKES`).

**Outputs.** Every resource gets what the provider would return after a create, in the engine's
camelCase names: the state is the inputs plus the computed outputs (``id``, ``arn``, ``ownerId``,
``tagsAll``, the provider's defaults). Ids have AWS's shapes (``vpc-0`` + 16 hex, ``sg-…``,
``eipalloc-…``, ``lt-…``, KMS key UUIDs, ``AROA…`` unique ids), ARNs carry the partition, the
region and account ``123456789012``, and resources without a name get the provider's auto-name
(logical name + ``-`` + 7 hex; lower-case for S3 buckets, ``.fifo`` for FIFO queues). An EKS
cluster gets an endpoint ``https://<32 HEX>.gr7.<region>.eks.amazonaws.com``, a certificate
authority (a real, parseable self-signed CA, base64 PEM), an OIDC issuer
``https://oidc.eks.<region>.amazonaws.com/id/<32 HEX>`` and its cluster security group, so those
values flow into IAM trust policies, OIDC providers and kubeconfigs as they would for real.
Everything is deterministic (derived from the type and the logical name), so two previews of the
same program give the same state.

The region is, by precedence: the resource's own ``region`` input, the ``region`` of the explicit
``aws`` provider it uses, the stack's ``aws:region``, ``us-east-1``.

**Refusals.** During :meth:`PreviewMocks.session` (the engine opens one around every program run:
:meth:`AwsCloud.start`/:meth:`AwsCloud.stop`) the resources are also created in moto, in-process
(``moto.mock_aws``, seeded, started on the first call the stack's tape of moto's answers cannot
answer (:mod:`.moto_tape`), stopped with all its state when the run ends;
dummy credentials, the user's AWS profile and config files ignored, no network), and what moto
refuses is reported through ``mocks.reject`` as ``"<AWS error code>: <AWS message>"`` on the
offending camelCase field (reported by the engine as a schema error of the resource). Registrations
arrive on executor threads; one lock serialises them. From moto:

- EC2: VPC CIDR validity and size (``InvalidVpc.Range``); a subnet CIDR outside its VPC
  (``InvalidSubnet.Range``) or overlapping another (``InvalidSubnet.Conflict``); duplicate security
  group names; malformed or duplicate security-group rules, unknown referenced groups; routes
  (malformed or duplicate destinations, unknown gateways), NAT gateways (unknown allocations).
- IAM: managed and inline policy documents (JSON syntax, Version, Effect, Action, Resource ARN
  format, Sid uniqueness, condition operators: ``MalformedPolicyDocument``); trust policies
  (the same, plus only ``sts:`` actions and no ``Resource``); duplicate names; OIDC provider URL,
  client ids and thumbprints; ``maxSessionDuration`` bounds.
- KMS: key spec/usage values, rotation period bounds, alias names (pattern, duplicates).
- SQS: queue names, FIFO naming, ``maxMessageSize``, the redrive policy's dead-letter queue.
- EventBridge: event patterns (``InvalidEventPatternException``), schedule expressions, a rule
  needing one of the two; targets need their rule.
- CloudWatch Logs: duplicate log group names. EKS: node groups need their cluster, launch template
  vs. disk size/remote access, role ARN format.

moto accepts some things AWS refuses; these minimal equivalents are checked here (messages follow
AWS's wording where it is known):

- IAM: a trust policy statement without ``Principal`` (moto does not validate ``CreateRole``'s
  document at all; it is validated through ``UpdateAssumeRolePolicy``); an identity policy with a
  ``Principal``; malformed principals (``AWS`` not an ARN/account/``*``, ``Service`` not a
  ``*.amazonaws.com`` name); role names (pattern, 64 characters); AWS-managed policy ARNs that do
  not exist (checked against moto's copy of the AWS-managed policy list).
- KMS: a key policy must be a JSON object with ``Statement``, each statement with a valid
  ``Effect``, ``Principal``, ``Action`` and ``Resource``, and (unless
  ``bypassPolicyLockoutSafetyCheck``) must let some principal of the account change it
  (``kms:PutKeyPolicy``): AWS's lockout safety check, in a lenient form since who deploys is
  unknown; ``deletionWindowInDays`` 7 to 30.
- EC2: subnet sizes (/16 to /28) and availability zones of the region; a subnet associated with two
  route tables; IP protocols and port ranges of security-group rules.
- SQS: attribute ranges (visibility timeout, retention, delay, wait time, data key reuse) and the
  queue/queue policy documents (JSON, statements with ``Effect``/``Principal``/``Action``).
- CloudWatch Logs: log group name pattern and allowed ``retentionInDays`` values.
- EventBridge: a target's ``input`` must be JSON.
- EC2 launch templates: the name pattern.
- EKS: cluster name pattern, at least two subnets in two availability zones (when the program chose
  the zones), node group scaling (``minSize <= desiredSize <= maxSize``, ``maxSize >= 1``), access
  policy scope, ARN formats, add-on ``configurationValues`` being JSON or YAML.
- S3 (not created in moto: moto does not validate names or policies): bucket names, bucket policy
  documents (JSON, ``Principal``, only ``s3:`` actions, resources inside the bucket), default
  encryption (a KMS key only with ``aws:kms``), lifecycle day counts.

Resources whose references point outside the program (an existing VPC id, a role created
elsewhere) are not created in moto, so nothing is claimed about them; ``get``/``import`` of
existing resources never is. Secret inputs are plaintext here (moto needs them) but never appear
in a refusal (``PreviewMocks.reject`` scrubs them). Outside a session (``PreviewMocks`` used with
``pulumi.runtime.set_mocks`` directly) the outputs are the same and only the checks made here apply.

**Cost.** A warm run answers ~150 resources in about 1 s (moto's request handling dominates; while
it runs, its default AMIs are not loaded, KMS keys get their RSA key pair only when used and the
per-request lookup of a handler's methods is cached). The first AWS
preview of a process also imports moto's models and boto3's service models (2 to 4 s, more without
bytecode caching); a stack previewed again with the same AWS calls needs none of it (its tape). Inside someone else's ``mock_aws`` (a test of the caller's) moto is not used
at all (a warning says so): its state would be shared and not reset.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import importlib.util
import ipaddress
import json
import logging
import os
import re
import sys
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pulumi.runtime import MockCallArgs, MockResourceArgs

from .._iam_documents import load_document, matches_action, statement_list
from .._optional import require
from .mocks import InvokeError, secret_strings
from .moto_tape import SEED, Call, MotoTape, Outcome

if TYPE_CHECKING:
    from .mocks import InvokeHook, OutputsHook, PreviewMocks

ACCOUNT_ID = "123456789012"
"""The account every preview runs in (moto's default account too)."""
DEFAULT_REGION = "us-east-1"
CREATED = "2025-01-01T00:00:00Z"
"""Timestamp of every ``createDate``/``createdAt`` (deterministic)."""
DEFAULT_EKS_VERSION = "1.35"
EKS_THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"

log = logging.getLogger("platform-components.preview")

REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "ca-central-1": "Canada (Central)",
    "eu-west-1": "Europe (Ireland)",
    "eu-west-2": "Europe (London)",
    "eu-west-3": "Europe (Paris)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-central-2": "Europe (Zurich)",
    "eu-north-1": "Europe (Stockholm)",
    "eu-south-1": "Europe (Milan)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "sa-east-1": "South America (Sao Paulo)",
}
S3_HOSTED_ZONES = {
    "us-east-1": "Z3AQBSTGFYJSTF",
    "us-east-2": "Z2O1EMRO9K5GLX",
    "us-west-1": "Z2F56UZL2M1ACD",
    "us-west-2": "Z3BJ6K6RIION7M",
    "eu-west-1": "Z1BKCTXD74EZPE",
    "eu-west-2": "Z3GKZC51ZF0DB4",
    "eu-central-1": "Z21DNDUVLTQW6Q",
    "ap-southeast-1": "Z3O0J2DXBE1FTB",
    "ap-southeast-2": "Z1WCIGYICN2BYD",
    "ap-northeast-1": "Z2M4EHUR26P7ZW",
}
LOG_RETENTION_DAYS = (
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
SQS_RANGES = {  # input -> (API attribute, min, max)
    "visibilityTimeoutSeconds": ("VisibilityTimeout", 0, 43200),
    "messageRetentionSeconds": ("MessageRetentionPeriod", 60, 1209600),
    "maxMessageSize": ("MaximumMessageSize", 1024, 1048576),
    "delaySeconds": ("DelaySeconds", 0, 900),
    "receiveWaitTimeSeconds": ("ReceiveMessageWaitTimeSeconds", 0, 20),
    "kmsDataKeyReusePeriodSeconds": ("KmsDataKeyReusePeriodSeconds", 60, 86400),
}
SQS_ATTRIBUTES = {  # input -> API attribute (besides the ranges)
    "fifoQueue": "FifoQueue",
    "contentBasedDeduplication": "ContentBasedDeduplication",
    "deduplicationScope": "DeduplicationScope",
    "fifoThroughputLimit": "FifoThroughputLimit",
    "kmsMasterKeyId": "KmsMasterKeyId",
    "sqsManagedSseEnabled": "SqsManagedSseEnabled",
    "policy": "Policy",
    "redrivePolicy": "RedrivePolicy",
    "redriveAllowPolicy": "RedriveAllowPolicy",
}
IP_PROTOCOLS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "all": "-1", "-1": "-1"}


# -- deterministic values ----------------------------------------------------------------------------


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).digest()


def _hex(length: int, *parts: object) -> str:
    return _digest(*parts).hex()[:length]


def _digits(length: int, *parts: object) -> str:
    return str(int.from_bytes(_digest(*parts), "big"))[-length:].zfill(length)


def _uuid(*parts: object) -> str:
    return str(uuid.UUID(bytes=_digest(*parts)[:16], version=4))


def _iam_unique_id(prefix: str, *parts: object) -> str:
    """``AROA…``/``ANPA…``/``AIPA…``: prefix + 17 upper-case base32 characters."""
    return prefix + base64.b32encode(_digest(*parts)).decode()[:17]


def _host_in(cidr: str | None, *parts: object, fallback: str = "10.0.0.0/16") -> str:
    """A deterministic usable address of ``cidr`` (AWS reserves the first four and the last)."""
    try:
        network = ipaddress.ip_network(cidr or fallback, strict=False)
    except ValueError:
        network = ipaddress.ip_network(fallback)
    usable = max(network.num_addresses - 5, 1)
    return str(network.network_address + 4 + int.from_bytes(_digest(*parts)[:8], "big") % usable)


def _public_ip(*parts: object) -> str:
    b = _digest(*parts)
    return f"{(3, 18, 34, 44, 52, 54)[b[0] % 6]}.{b[1]}.{b[2]}.{max(b[3], 1)}"


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def dns_suffix(partition: str) -> str:
    return {"aws-cn": "amazonaws.com.cn", "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov"}.get(
        partition, "amazonaws.com"
    )


def _zone_id(region: str, index: int) -> str:
    """AWS's zone id shape: ``use1-az1``, ``apse2-az2``, ``euc1-az3``."""
    parts = region.split("-")
    if len(parts) < 3:
        return f"{region}-az{index + 1}"
    short = "".join(w[0] for w in re.findall(r"north|south|east|west|central", parts[1])) or parts[1][:1]
    return f"{parts[0]}{short}{parts[-1]}-az{index + 1}"


def certificate_authority(*parts: object) -> str:
    """A real self-signed CA certificate (``CN=kubernetes``, Ed25519, so deterministic), base64 PEM
    as in ``certificateAuthority.data``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.x509.oid import NameOID

    key = ed25519.Ed25519PrivateKey.from_private_bytes(_digest("ca-key", *parts))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(_digest("ca-serial", *parts)[:16], "big") >> 1 or 1)
        .not_valid_before(datetime(2025, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2035, 1, 1, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, None)
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode()


# -- small helpers -------------------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _api_value(value: Any) -> str:
    """An SQS/attribute-style string value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _tags(state: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (state.get("tags") or {}).items() if v is not None}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


_managed_policy_paths: frozenset[str] | None = None


def aws_managed_policy_paths() -> frozenset[str]:
    """``<path><name>`` of every AWS-managed IAM policy in moto's copy of AWS's list (read as text:
    the module is several MB of JSON that importing would compile); empty if it cannot be read."""
    global _managed_policy_paths
    if _managed_policy_paths is None:
        try:  # found, not imported: importing moto costs ~0.5 s, and a replayed run needs none of it
            spec = importlib.util.find_spec("moto")
            folders = list(spec.submodule_search_locations or []) if spec is not None else []
            if not folders:
                raise ImportError("moto is not installed")
            source = os.path.join(folders[0], "iam", "aws_managed_policies.py")
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
        except (ImportError, OSError) as exc:
            log.debug("no AWS-managed policy list: %s", exc)
            text = ""
        names = re.findall(r'^ "([^"]+)":\{$', text, re.MULTILINE)
        paths = re.findall(r'^  "Path":"([^"]*)"', text, re.MULTILINE)
        _managed_policy_paths = frozenset(f"{p}{n}" for n, p in zip(names, paths, strict=False))
    return _managed_policy_paths


# -- moto --------------------------------------------------------------------------------------------


_CLIENTS: dict[tuple[str, str], Any] = {}
"""boto3 clients on dummy credentials, kept for the process (building one loads the service model:
~0.1-0.4 s each). They only ever talk to moto: they are used only while :class:`_Moto` runs."""
_SESSION: dict[str, Any] = {}
"""The one boto3 session the clients are made from (``"session"``, made with the first client): a
session per client re-read botocore's endpoint table and re-registered its handlers for each one
(about 0.1 s of CPU per client; 7 clients for the prod stack took 0.8-1.0 s, from one session
0.25-0.35 s). The region is each client's own."""


def _moto_internal(module: Any, name: str) -> Callable[..., Any] | None:
    """A moto internal that :class:`_Moto` speeds up, or None when this moto release has none."""
    found = getattr(module, name, None)
    return found if callable(found) else None


def _idempotency_tokens(client: Any, call: Call) -> dict[str, str]:
    """The call's idempotency tokens (``clientRequestToken`` & co.), derived from the call: boto3
    would make random ones, and moto echoes some of them, so that the same call would not get the
    same answer (:mod:`.moto_tape` relies on it)."""
    model = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[call.operation])
    shape = model.input_shape
    members = shape.members if shape is not None else {}
    token = str(uuid.UUID(call.digest()[:32]))
    return {name: token for name, member in members.items() if member.metadata.get("idempotencyToken")}


class _Moto:
    """moto's ``mock_aws`` for one preview run (started lazily, on the first call).

    While it runs, the user's AWS profile and config/credentials files are out of the picture
    (``AWS_PROFILE`` & co. unset, the files pointed at ``/dev/null``; restored by :meth:`stop`): moto
    itself reads them, and a preview must neither depend on nor reach a real account. moto's
    default AMIs are not loaded (nothing here uses them; loading them costs ~0.5 s per region)."""

    ISOLATED_ENV = {
        "AWS_PROFILE": None,
        "AWS_DEFAULT_PROFILE": None,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }

    def __init__(self) -> None:
        self._mock: Any = None
        self._saved_env: dict[str, str | None] = {}
        self._patches: list[Any] = []
        self._kms_patched = False
        self.tape = MotoTape.open(None, self.answer)

    def begin(self, label: str | None) -> None:
        """A new run; ``label`` names the stack whose tape answers while the calls match it
        (:mod:`.moto_tape`; ``None``: every call goes to moto)."""
        self.tape = MotoTape.open(label, self.answer)

    def call(self, call: Call, secrets: frozenset[str] = frozenset()) -> Outcome:
        """moto's answer to ``call``: from the tape while this run's calls match it, else moto's."""
        return self.tape.call(call, secrets)

    def answer(self, call: Call) -> Outcome:
        """moto's answer to ``call``, for real (moto starts on the first one)."""
        from botocore.exceptions import (  # type: ignore[import-untyped]
            ClientError,
            ParamValidationError,
        )

        try:
            client = self.client(call.service, call.region)
            params = {**_idempotency_tokens(client, call), **call.params}
            response = getattr(client, call.operation)(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", "Error"))
            return Outcome("client_error", [code, str(error.get("Message", "")) or code])
        except ParamValidationError as exc:
            return Outcome("param_error", str(exc.kwargs.get("report", exc)).strip().replace("\n", "; "))
        except Exception as exc:  # moto could not model this: the handler says so
            return Outcome("failed", [type(exc).__name__, str(exc)])
        return Outcome("ok", {k: v for k, v in response.items() if k != "ResponseMetadata"})

    def client(self, service: str, region: str) -> Any:
        if self._mock is None:
            self._isolate_env()
            try:
                moto = require("moto", "previewing AWS resources offline")
                mock = moto.mock_aws()
                mock.start()  # also sets dummy AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
            except BaseException:
                self._restore_env()
                raise
            self._mock = mock
            self._seed()
            self._cache_action_lookup()
        if service == "kms" and not self._kms_patched:
            self._lazy_kms_keys()
        key = (service, region)
        if key not in _CLIENTS:
            import boto3  # type: ignore[import-untyped]
            import botocore.config  # type: ignore[import-untyped]

            if "session" not in _SESSION:
                _SESSION["session"] = boto3.session.Session(
                    aws_access_key_id="preview",
                    aws_secret_access_key="preview",  # moto's dummy credentials
                    region_name=DEFAULT_REGION,
                )
            config = botocore.config.Config(retries={"max_attempts": 1}, ignore_configured_endpoint_urls=True)
            _CLIENTS[key] = _SESSION["session"].client(service, region_name=region, config=config)
        return _CLIENTS[key]

    def stop(self) -> None:
        self.tape.close()
        self.tape = MotoTape.open(None, self.answer)
        if self._mock is not None:
            self._mock.stop()  # moto forgets everything it modelled
            self._restore_env()
        for patch in reversed(self._patches):
            patch.stop()
        self._patches.clear()
        self._kms_patched = False
        self._mock = None

    @staticmethod
    def _seed() -> None:
        """Seed moto's random generator (its documented ``/moto-api/seed`` endpoint, answered
        in-process while ``mock_aws`` runs), so that its ids follow from the calls alone."""
        import requests

        try:
            requests.post(f"http://motoapi.amazonaws.com/moto-api/seed?a={SEED}", timeout=10)
        except Exception as exc:  # ids stay random: a tape cannot be replayed past a change
            log.debug("moto was not seeded: %s", exc)

    def _cache_action_lookup(self) -> None:
        """moto lists a response class's methods (``inspect.getmembers``) on every request, which is
        about half of its time here: the list never changes, so remember it per class. (A moto
        internal, moto 5.0 to 5.2: feature-detected, skipped when absent; both paths are tested.)"""
        from unittest import mock

        import moto.core.responses as responses

        original = _moto_internal(responses, "method_names_from_class")
        if original is None:  # a moto without this helper: no speed-up, same answers
            log.debug("moto has no method_names_from_class; its method lookup stays uncached")
            return
        lookup = functools.cache(original)
        self._patches.append(mock.patch.object(responses, "method_names_from_class", lookup))
        self._patches[-1].start()

    def _lazy_kms_keys(self) -> None:
        """moto makes an RSA key pair for every KMS key (~0.1-0.2 s), used only to sign/verify:
        make it when first used instead. (A moto internal, moto 5.0 to 5.2: feature-detected, skipped
        when absent; both paths are tested.)"""
        from unittest import mock

        import moto.kms.models as kms_models

        generate = _moto_internal(kms_models, "generate_private_key")
        if generate is None:  # a moto without this helper: keys are made eagerly, as moto does
            log.debug("moto has no generate_private_key; KMS keys are generated eagerly")
            self._kms_patched = True
            return
        make_key = generate

        class LazyPrivateKey:
            def __init__(self, key_spec: str) -> None:
                self._key_spec = key_spec
                self._key: Any = None

            def __getattr__(self, name: str) -> Any:
                if self._key is None:
                    self._key = make_key(self._key_spec)
                return getattr(self._key, name)

        self._patches.append(mock.patch.object(kms_models, "generate_private_key", LazyPrivateKey))
        self._patches[-1].start()
        self._kms_patched = True

    def _isolate_env(self) -> None:
        self._saved_env = {key: os.environ.get(key) for key in self.ISOLATED_ENV}
        for key, value in self.ISOLATED_ENV.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def _restore_env(self) -> None:
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}


@dataclass
class _Run:
    """What this run created (our ids -> moto's ids and facts later resources are checked against)."""

    moto_ids: dict[str, str] = field(default_factory=dict)
    vpcs: dict[str, str] = field(default_factory=dict)  # vpc id -> CIDR
    subnets: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> cidr, vpc, az
    eips: dict[str, str] = field(default_factory=dict)  # allocation id -> public IP
    kms_keys: dict[str, str] = field(default_factory=dict)  # key id and ARN -> ARN
    roles: set[str] = field(default_factory=set)  # role names in moto
    policies: set[str] = field(default_factory=set)  # customer policy ARNs in moto
    queues: dict[str, str] = field(default_factory=dict)  # URL and ARN -> name (in moto)
    rules: set[str] = field(default_factory=set)
    clusters: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> version, moto
    route_table_of_subnet: dict[str, str] = field(default_factory=dict)
    default_egress: set[str] = field(default_factory=set)  # moto groups still with AWS's allow-all egress
    zones: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    provider_regions: dict[str, str] = field(default_factory=dict)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)


# -- one registration ----------------------------------------------------------------------------------


@dataclass
class _Request:
    cloud: AwsCloud
    mocks: PreviewMocks
    args: MockResourceArgs
    state: dict[str, Any]
    region: str
    seq: int

    @property
    def name(self) -> str:
        return self.args.name

    @property
    def typ(self) -> str:
        return self.args.typ

    @property
    def existing(self) -> bool:
        """``get``/``import`` of a resource that exists already: nothing to create or check."""
        return bool(self.args.resource_id)

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    @property
    def account(self) -> str:
        return self.cloud.account_id

    @property
    def run(self) -> _Run:
        return self.cloud.run

    def get(self, key: str, default: Any = None) -> Any:
        value = self.state.get(key)
        return default if value is None else value

    def hex(self, length: int, *parts: object) -> str:
        return _hex(length, self.typ, self.name, self.seq, *parts)

    def ec2_id(self, prefix: str) -> str:
        """``<prefix>-0`` + 16 hex (the resource's own id when it exists already)."""
        if self.args.resource_id:
            return str(self.args.resource_id)
        return f"{prefix}-0{self.hex(16, prefix)}"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account if account else ''}:{resource}"
        )

    def autoname(
        self,
        key: str = "name",
        *,
        maxlen: int = 255,
        lower: bool = False,
        suffix: str = "",
        prefix_key: str = "namePrefix",
    ) -> str:
        """The input name, else ``namePrefix`` + a unique suffix, else the provider's auto-name."""
        given = self.state.get(key)
        if given:
            return str(given)
        prefix = self.state.get(prefix_key)
        if prefix:
            return f"{prefix}{'2025010100000000' + self.hex(10, 'prefix')}"[:maxlen] + suffix
        base = self.name[: max(maxlen - 8 - len(suffix), 1)]
        name = f"{base}-{self.hex(7, 'autoname')}{suffix}"
        return name.lower() if lower else name

    def reject(self, path: str, code: str, message: str) -> None:
        self.mocks.reject(self.args, path, f"{code}: {message}")

    @property
    def moto(self) -> bool:
        """Whether to create this resource in moto (only new resources, only inside a session)."""
        return self.cloud.active and not self.existing

    def aws(self, service: str, operation: str, path: str | Mapping[str, str], **params: Any) -> Any:
        """Call moto; ``None`` when moto refused (reported on ``path``, or ``path[code]``) or failed."""
        params = {k: v for k, v in params.items() if v is not None}
        secrets = frozenset(secret_strings(self.args.inputs))
        outcome = self.cloud.moto.call(Call(service, self.region, operation, params), secrets)
        if outcome.kind == "ok":
            return outcome.value
        if outcome.kind == "client_error":
            code, message = outcome.value
            self.reject(path if isinstance(path, str) else path.get(code, path.get("", "")), code, message)
        elif outcome.kind == "param_error":
            where = path if isinstance(path, str) else path.get("ValidationException", path.get("", ""))
            self.reject(where, "ValidationException", outcome.value)
        else:  # moto could not model this: say so, never fail the preview for it
            kind, text = outcome.value
            log.warning(
                "the AWS model could not check %s %s (%s.%s: %s: %s)",
                self.typ,
                self.name,
                service,
                operation,
                kind,
                text,
            )
        return None


Handler = Callable[[_Request], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def _handles(*tokens: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for token in tokens:
            _HANDLERS[token] = handler
        return handler

    return register


RESOURCE_TYPES: tuple[str, ...] = ()
"""Every ``aws`` type token with realistic outputs (filled in below)."""


class AwsCloud:
    """Realistic AWS answers for one :class:`PreviewMocks`, backed by moto between :meth:`start`
    and :meth:`stop` (the mocks' ``session``)."""

    def __init__(self, region: str | None = None, account_id: str = ACCOUNT_ID) -> None:
        self.configured_region = region
        self.region = region or DEFAULT_REGION
        self.account_id = account_id
        self.moto = _Moto()
        self.run = _Run()
        self.active = False
        self.answers_consistent = True
        """False when moto, gone live, answered a call of the run differently from the tape that had
        answered it already (:mod:`.moto_tape`): the run must be made again without a tape."""
        self._lock = threading.RLock()  # registrations arrive on executor threads

    # lifecycle ------------------------------------------------------------------------------------
    def start(self, label: str | None = None) -> None:
        """A new run: forget the previous one; moto starts on the first AWS resource that its tape
        (``label``'s, see :mod:`.moto_tape`) cannot answer."""
        with self._lock:
            self.moto.stop()
            self.run = _Run()
            self.region = self.configured_region or _config_region() or DEFAULT_REGION
            self.active = not _outer_moto()
            if not self.active:
                log.warning("moto is already mocking AWS here: AWS resources are checked without it")
            self.moto.begin(label if self.active else None)
            self.answers_consistent = True

    def stop(self) -> None:
        with self._lock:
            self.active = False
            self.answers_consistent = self.moto.tape.consistent
            self.moto.stop()

    # tables ----------------------------------------------------------------------------------------
    def hooks(self) -> dict[str, OutputsHook]:
        table: dict[str, OutputsHook] = {token: self._hook(h) for token, h in _HANDLERS.items()}
        table["pulumi:providers:aws"] = self._provider_hook
        table["aws:"] = self._hook(_generic)
        return table

    def invokes(self) -> dict[str, InvokeHook]:
        return {
            "aws:index/getCallerIdentity:getCallerIdentity": self._caller_identity,
            "aws:index/getRegion:getRegion": self._get_region,
            "aws:index/getPartition:getPartition": self._get_partition,
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._availability_zones,
            "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document_invoke,
        }

    def _region_for(self, provider: str, explicit: Any) -> str:
        if isinstance(explicit, str) and explicit:
            return explicit
        if provider:
            parts = provider.rsplit("::", 2)
            if len(parts) == 3 and parts[1] in self.run.provider_regions:
                return self.run.provider_regions[parts[1]]
        return self.region

    def _hook(self, handler: Handler) -> OutputsHook:
        def hook(mocks: PreviewMocks, args: MockResourceArgs, state: dict[str, Any]) -> dict[str, Any]:
            with self._lock:
                key = (args.typ, args.name)
                seq = self.run.seen.get(key, 0)
                self.run.seen[key] = seq + 1
                region = self._region_for(args.provider or "", state.get("region"))
                request = _Request(self, mocks, args, state, region, seq)
                outputs = handler(request)
                if "tags" in state or "tagsAll" not in outputs:
                    outputs.setdefault("tagsAll", _tags(state))
                if args.resource_id:
                    outputs["id"] = args.resource_id
                return outputs

        return hook

    def _provider_hook(
        self, mocks: PreviewMocks, args: MockResourceArgs, state: dict[str, Any]
    ) -> dict[str, Any]:
        region = state.get("region")
        if isinstance(region, str) and region:
            with self._lock:
                self.run.provider_regions[args.name] = region
        return {}

    # invokes ---------------------------------------------------------------------------------------
    def _caller_identity(self, mocks: PreviewMocks, args: MockCallArgs) -> dict[str, Any]:
        partition = partition_of(self._region_for(args.provider, None))
        return {
            "accountId": self.account_id,
            "arn": f"arn:{partition}:iam::{self.account_id}:user/platform-preview",
            "userId": _iam_unique_id("AIDA", "caller", self.account_id),
            "id": self.account_id,
        }

    def _get_region(self, mocks: PreviewMocks, args: MockCallArgs) -> dict[str, Any]:
        region = self._region_for(args.provider, args.args.get("region") or args.args.get("name"))
        return {
            "name": region,
            "region": region,
            "id": region,
            "endpoint": f"ec2.{region}.{dns_suffix(partition_of(region))}",
            "description": REGION_NAMES.get(region, region),
        }

    def _get_partition(self, mocks: PreviewMocks, args: MockCallArgs) -> dict[str, Any]:
        partition = partition_of(self._region_for(args.provider, None))
        suffix = dns_suffix(partition)
        return {
            "partition": partition,
            "id": partition,
            "dnsSuffix": suffix,
            "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
        }

    def _availability_zones(self, mocks: PreviewMocks, args: MockCallArgs) -> dict[str, Any]:
        region = self._region_for(args.provider, args.args.get("region"))
        with self._lock:
            zones = self.zones(region)
        exclude_names = set(args.args.get("excludeNames") or [])
        exclude_ids = set(args.args.get("excludeZoneIds") or [])
        kept = [(n, z) for n, z in zones if n not in exclude_names and z not in exclude_ids]
        return {
            "id": region,
            "region": region,
            "names": [n for n, _ in kept],
            "zoneIds": [z for _, z in kept],
            "groupNames": [region] * len(kept),
            "state": args.args.get("state") or None,
            "allAvailabilityZones": args.args.get("allAvailabilityZones") or None,
        }

    def zones(self, region: str) -> list[tuple[str, str]]:
        """(name, zone id) of the region's availability zones: moto's during a session."""
        if region not in self.run.zones:
            zones: list[tuple[str, str]] = []
            if self.active:
                outcome = self.moto.call(Call("ec2", region, "describe_availability_zones", {}))
                if outcome.kind == "ok":
                    zones = [(z["ZoneName"], z["ZoneId"]) for z in outcome.value["AvailabilityZones"]]
                else:  # an unknown region: fall back to three zones
                    log.debug("no availability zones from moto for %s: %s", region, outcome.value)
            if not zones:
                zones = [(f"{region}{letter}", _zone_id(region, i)) for i, letter in enumerate("abc")]
            self.run.zones[region] = zones
        return self.run.zones[region]


def _outer_moto() -> bool:
    """Whether someone else's ``mock_aws`` is running (its state must be neither used nor polluted)."""
    models = sys.modules.get("moto.core.models")
    return models is not None and getattr(models.MockAWS, "_nested_count", 0) > 0


def _config_region() -> str | None:
    """``aws:region`` of the running program (readable on the thread that set the config)."""
    try:
        import pulumi

        value = pulumi.Config("aws").get("region")
    except Exception:  # no config: not inside a program
        return None
    return value or None


# -- getPolicyDocument ---------------------------------------------------------------------------------


def _go_json(value: Any, *, indent: bool) -> str:
    """JSON as Go's ``encoding/json`` writes it (what the provider returns): HTML characters escaped."""
    text = json.dumps(
        value, ensure_ascii=False, indent=2 if indent else None, separators=None if indent else (",", ":")
    )
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _string_list(values: Iterable[Any]) -> str | list[str]:
    """The provider's ``policyDecodeConfigStringList``: a set; one item as a string, else reverse-sorted."""
    items = sorted({str(v) for v in values}, reverse=True)
    return items[0] if len(items) == 1 else items


def _vars(value: str | list[str], version: str, what: str) -> str | list[str]:
    items = [value] if isinstance(value, str) else value
    for item in items:
        if version == "2008-10-17" and "&{" in item:
            raise InvokeError(
                what, f"found &{{ sequence in ({item}), which is not supported in document version 2008-10-17"
            )
    out = [item.replace("&{", "${") for item in items]
    return out[0] if isinstance(value, str) else out


def _principals(blocks: list[Any], version: str, what: str) -> Any:
    parsed = []
    for block in blocks:
        identifiers = _vars(_string_list(block.get("identifiers") or []), version, what)
        parsed.append((str(block.get("type", "")), identifiers))
    if len(parsed) == 1 and parsed[0][0] == "*" and parsed[0][1] in ("*", ["*"]):
        return "*"
    merged: dict[str, Any] = {}
    for kind, identifiers in parsed:
        current = merged.get(kind)
        if isinstance(identifiers, list):
            ordered = sorted(identifiers, reverse=True)
            merged[kind] = ([current] if isinstance(current, str) else (current or [])) + ordered
        elif current is None:
            merged[kind] = identifiers
        else:
            merged[kind] = ([current] if isinstance(current, str) else current) + [identifiers]
    return dict(sorted(merged.items()))


def _conditions(blocks: list[Any], version: str, what: str) -> dict[str, Any]:
    raw: dict[str, dict[str, list[str]]] = {}
    for block in blocks:
        values = _vars([str(v) for v in block.get("values") or []], version, what)
        raw.setdefault(str(block.get("test")), {}).setdefault(str(block.get("variable")), []).extend(values)
    return {
        test: {var: vals[0] if len(vals) == 1 else vals for var, vals in sorted(variables.items())}
        for test, variables in sorted(raw.items())
    }


_STATEMENT_KEYS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition")  # fmt: skip


def _normalise_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    """A statement of a source/override document as the provider re-encodes it."""
    out: dict[str, Any] = {}
    for key in _STATEMENT_KEYS:
        value = statement.get(key)
        if value in (None, "", [], {}):
            continue
        if key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            value = {
                k: (sorted(v, reverse=True) if isinstance(v, list) else v) for k, v in sorted(value.items())
            }
        elif key == "Condition" and isinstance(value, dict):
            value = {
                t: {
                    var: (vals[0] if isinstance(vals, list) and len(vals) == 1 else vals)
                    for var, vals in sorted(variables.items())
                }
                for t, variables in sorted(value.items())
                if isinstance(variables, dict)
            }
        out[key] = value
    return out


def _merge(into: dict[str, Any], doc: Mapping[str, Any]) -> None:
    if doc.get("Id"):
        into["Id"] = doc["Id"]
    if str(doc.get("Version") or "") > str(into.get("Version") or ""):
        into["Version"] = doc["Version"]
    statements = into.setdefault("Statement", [])
    for statement in doc.get("Statement") or []:
        sid = statement.get("Sid")
        for index, existing in enumerate(statements):
            if sid and existing.get("Sid") == sid:
                statements[index] = statement
                break
        else:
            statements.append(statement)


def render_policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    """``aws.iam.getPolicyDocument``: the JSON the provider renders (its ordering rules included:
    string sets reverse-sorted, single values unwrapped, ``&{`` -> ``${``, source documents merged
    first, override documents last, statements with the same ``Sid`` replaced)."""
    version = str(args.get("version") or "2012-10-17")
    if version not in ("2008-10-17", "2012-10-17"):
        raise InvokeError(
            "version", f'expected version to be one of ["2008-10-17" "2012-10-17"], got {version}'
        )
    merged: dict[str, Any] = {}
    for index, source in enumerate(args.get("sourcePolicyDocuments") or []):
        doc, error = load_document(source)
        if error or not isinstance(doc, dict):
            raise InvokeError(f"sourcePolicyDocuments[{index}]", f"merging source document {index}: {error}")
        _merge(merged, {**doc, "Statement": [_normalise_statement(s) for s in statement_list(doc)]})
    current: dict[str, Any] = {"Version": version}
    if args.get("policyId"):
        current["Id"] = args["policyId"]
    statements = []
    sids: set[str] = set()
    for index, raw in enumerate(args.get("statements") or []):
        what = f"statements[{index}]"
        effect = raw.get("effect") or "Allow"
        if effect not in ("Allow", "Deny"):
            raise InvokeError(
                f"{what}.effect", f'expected effect to be one of ["Allow" "Deny"], got {effect}'
            )
        statement: dict[str, Any] = {}
        sid = raw.get("sid") or ""
        if sid:
            if sid in sids:
                raise InvokeError(
                    f"{what}.sid", f"duplicate Sid ({sid}). Remove the Sid or ensure the Sid is unique."
                )
            sids.add(sid)
            statement["Sid"] = sid
        statement["Effect"] = effect
        for key, out in (("actions", "Action"), ("notActions", "NotAction")):
            if raw.get(key):
                statement[out] = _string_list(raw[key])
        for key, out in (("resources", "Resource"), ("notResources", "NotResource")):
            if raw.get(key):
                statement[out] = _vars(_string_list(raw[key]), version, f"{what}.{key}")
        for key, out in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if raw.get(key):
                statement[out] = _principals(raw[key], version, f"{what}.{key}")
        if raw.get("conditions"):
            statement["Condition"] = _conditions(raw["conditions"], version, f"{what}.conditions")
        statements.append(statement)
    if statements:
        current["Statement"] = statements
    _merge(merged, current)
    for index, override in enumerate(args.get("overridePolicyDocuments") or []):
        doc, error = load_document(override)
        if error or not isinstance(doc, dict):
            raise InvokeError(
                f"overridePolicyDocuments[{index}]", f"merging override document {index}: {error}"
            )
        _merge(merged, {**doc, "Statement": [_normalise_statement(s) for s in statement_list(doc)]})
    document = {k: merged[k] for k in ("Version", "Id", "Statement") if merged.get(k)}
    rendered = _go_json(document, indent=True)
    return {
        "id": str(zlib.crc32(rendered.encode())),
        "json": rendered,
        "minifiedJson": _go_json(document, indent=False),
        "version": version,
        "policyId": args.get("policyId"),
        "statements": args.get("statements"),
        "sourcePolicyDocuments": args.get("sourcePolicyDocuments"),
        "overridePolicyDocuments": args.get("overridePolicyDocuments"),
    }


def _policy_document_invoke(mocks: PreviewMocks, args: MockCallArgs) -> dict[str, Any]:
    return render_policy_document(args.args)


# -- policy document checks (what moto lets through) -----------------------------------------------------


def _principal_problem(principal: Any, partition: str) -> str | None:
    """AWS's ``Invalid principal in policy`` for malformed principals."""
    if principal == "*":
        return None
    if not isinstance(principal, dict) or not principal:
        return f"Invalid principal in policy: {json.dumps(principal)}"
    for kind, values in principal.items():
        for value in _as_list(values):
            if not isinstance(value, str):
                return f'Invalid principal in policy: "{kind}":{json.dumps(value)}'
            if kind == "AWS" and not (
                value == "*" or re.fullmatch(r"\d{12}", value) or value.startswith("arn:")
            ):
                return f'Invalid principal in policy: "AWS":"{value}"'
            if kind == "Service" and not (
                value == "*" or re.fullmatch(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?", value)
            ):
                return f'Invalid principal in policy: "SERVICE":"{value}"'
            if kind not in ("AWS", "Service", "Federated", "CanonicalUser", "*"):
                return f'Invalid principal in policy: "{kind}":"{value}"'
    return None


def check_identity_policy(text: Any) -> str | None:
    """What moto's validator misses in a managed/inline policy: a principal is not allowed."""
    doc, error = load_document(text)
    if error or not isinstance(doc, dict):
        return None  # moto reports syntax errors itself
    for statement in statement_list(doc):
        if isinstance(statement, dict) and ("Principal" in statement or "NotPrincipal" in statement):
            return "MalformedPolicyDocument: Policy document should not specify a principal."
    return None


def check_trust_policy(text: Any, partition: str) -> str | None:
    """What moto's trust policy validator misses: every statement needs a well-formed principal."""
    doc, error = load_document(text)
    if error or not isinstance(doc, dict):
        return None
    for statement in statement_list(doc):
        if not isinstance(statement, dict):
            continue
        if "Principal" not in statement and "NotPrincipal" not in statement:
            return "MalformedPolicyDocument: Missing required field Principal"
        problem = _principal_problem(statement.get("Principal", statement.get("NotPrincipal")), partition)
        if problem:
            return f"MalformedPolicyDocument: {problem}"
    return None


def check_resource_policy(
    text: Any, code: str, *, service: str | None = None, bucket_arn: str | None = None
) -> str | None:
    """A resource policy (KMS key, SQS queue, S3 bucket) that the service would refuse, or ``None``.

    Checks (moto validates none of it): a JSON object with ``Statement``; every statement with a
    valid ``Effect``, a well-formed ``Principal``, ``Action`` and (except SQS, which defaults it)
    ``Resource``; for S3, only ``s3:`` actions and resources inside the bucket."""
    doc, error = load_document(text)
    if error:
        return f"{code}: The policy is not valid JSON: {error}"
    if not isinstance(doc, dict):
        return f"{code}: The policy must be a JSON object"
    statements = statement_list(doc)
    if not statements:
        return f"{code}: Missing required field Statement"
    for index, statement in enumerate(statements):
        where = (
            f"statement {index}"
            if not isinstance(statement, dict) or not statement.get("Sid")
            else f"statement {statement['Sid']!r}"
        )
        if not isinstance(statement, dict):
            return f"{code}: The policy has an invalid {where}"
        if statement.get("Effect") not in ("Allow", "Deny"):
            return f"{code}: Invalid effect in {where}: {json.dumps(statement.get('Effect'))}"
        if "Principal" not in statement and "NotPrincipal" not in statement:
            return f"{code}: Missing required field Principal in {where}"
        problem = _principal_problem(statement.get("Principal", statement.get("NotPrincipal")), "")
        if problem:
            return f"{code}: {problem}"
        if "Action" not in statement and "NotAction" not in statement:
            return f"{code}: Missing required field Action in {where}"
        if service != "sqs" and "Resource" not in statement and "NotResource" not in statement:
            return f"{code}: Missing required field Resource in {where}"
        if service == "s3":
            for action in _as_list(statement.get("Action", statement.get("NotAction"))):
                if not (isinstance(action, str) and (action == "*" or action.lower().startswith("s3:"))):
                    return f"{code}: Policy has invalid action"
            for resource in _as_list(statement.get("Resource", statement.get("NotResource"))):
                if not (
                    isinstance(resource, str)
                    and bucket_arn
                    and (resource == bucket_arn or resource.startswith(bucket_arn + "/"))
                ):
                    return f"{code}: Policy has invalid resource"
    return None


def check_key_policy(text: Any, *, account: str) -> str | None:
    """A KMS key policy AWS would refuse: :func:`check_resource_policy` plus the lockout safety check.

    AWS checks that the principal creating the key could change the policy later. Who deploys is
    unknown here, so the check is the lenient form: some ``Allow`` statement must give
    ``kms:PutKeyPolicy`` (``kms:*``, ``*``, ``kms:Put*``...) to ``*``, the account, or a principal
    of the account (its root, a role, a user)."""
    problem = check_resource_policy(text, "MalformedPolicyDocumentException")
    if problem:
        return problem
    doc, _ = load_document(text)
    for statement in statement_list(doc):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        ids = (
            ["*"]
            if principal == "*"
            else _as_list((principal or {}).get("AWS") if isinstance(principal, dict) else None)
        )
        if not any(
            isinstance(p, str)
            and (p in ("*", account) or re.fullmatch(rf"arn:[\w-]+:(iam|sts)::{account}:.+", p))
            for p in ids
        ):
            continue
        if "Action" in statement and matches_action(_as_list(statement["Action"]), "kms:PutKeyPolicy"):
            return None
        if "NotAction" in statement and not matches_action(
            _as_list(statement["NotAction"]), "kms:PutKeyPolicy"
        ):
            return None
    return (
        "MalformedPolicyDocumentException: The new key policy will not allow you to update the key "
        "policy in the future."
    )


# -- handlers: generic -----------------------------------------------------------------------------------


def _generic(req: _Request) -> dict[str, Any]:
    """Any other ``aws`` resource: tags echoed, nothing invented."""
    return {"tagsAll": _tags(req.state)}


# -- handlers: EC2 network ---------------------------------------------------------------------------------


@_handles("aws:ec2/vpc:Vpc")
def _vpc(req: _Request) -> dict[str, Any]:
    vpc_id = req.ec2_id("vpc")
    cidr = req.get("cidrBlock")
    if req.moto and cidr:
        created = req.aws(
            "ec2", "create_vpc", "cidrBlock", CidrBlock=cidr, InstanceTenancy=req.get("instanceTenancy")
        )
        if created:
            req.run.moto_ids[vpc_id] = created["Vpc"]["VpcId"]
            req.run.vpcs[vpc_id] = str(cidr)
    return {
        "id": vpc_id,
        "arn": req.arn("ec2", f"vpc/{vpc_id}"),
        "ownerId": req.account,
        "cidrBlock": cidr or "10.0.0.0/16",
        "instanceTenancy": req.get("instanceTenancy", "default"),
        "enableDnsSupport": req.get("enableDnsSupport", True),
        "enableDnsHostnames": req.get("enableDnsHostnames", False),
        "enableNetworkAddressUsageMetrics": req.get("enableNetworkAddressUsageMetrics", False),
        "assignGeneratedIpv6CidrBlock": req.get("assignGeneratedIpv6CidrBlock", False),
        "defaultNetworkAclId": f"acl-0{req.hex(16, 'acl')}",
        "defaultRouteTableId": f"rtb-0{req.hex(16, 'main-rtb')}",
        "mainRouteTableId": f"rtb-0{req.hex(16, 'main-rtb')}",
        "defaultSecurityGroupId": f"sg-0{req.hex(16, 'default-sg')}",
        "dhcpOptionsId": f"dopt-0{req.hex(16, 'dopt')}",
        "region": req.region,
    }


def _check_zone(req: _Request, zone: Any, key: str) -> str | None:
    """The zone name (``availabilityZone``) or id (``availabilityZoneId``) must be in the region."""
    if not zone:
        return None
    zones = req.cloud.zones(req.region)
    index = 0 if key == "availabilityZone" else 1
    if any(z[index] == zone for z in zones):
        return None
    if not req.cloud.active and (key != "availabilityZone" or str(zone).startswith(req.region)):
        return None  # without moto's zone list only a zone of another region is known to be wrong
    listed = ", ".join(z[index] for z in zones)
    req.reject(
        key,
        "InvalidParameterValue",
        f"Value ({zone}) for parameter {key} is invalid. Subnets can currently only be created in the "
        f"following availability zones: {listed}.",
    )
    return "rejected"


@_handles("aws:ec2/subnet:Subnet")
def _subnet(req: _Request) -> dict[str, Any]:
    subnet_id = req.ec2_id("subnet")
    vpc_id = req.get("vpcId")
    cidr = req.get("cidrBlock")
    zones = req.cloud.zones(req.region)
    zone = req.get("availabilityZone")
    zone_id = req.get("availabilityZoneId")
    if not req.existing:
        bad_zone = _check_zone(req, zone, "availabilityZone") or _check_zone(
            req, zone_id, "availabilityZoneId"
        )
        prefix = None
        with contextlib.suppress(ValueError):  # moto reports malformed CIDRs
            prefix = ipaddress.ip_network(str(cidr), strict=False).prefixlen if cidr else None
        if prefix is not None and not 16 <= prefix <= 28:
            req.reject("cidrBlock", "InvalidSubnet.Range", f"The CIDR '{cidr}' is invalid.")
        elif req.moto and cidr and vpc_id in req.run.moto_ids:
            moto_zone = zone if zone and not bad_zone else None
            created = req.aws(
                "ec2",
                "create_subnet",
                "cidrBlock",
                VpcId=req.run.moto_ids[vpc_id],
                CidrBlock=cidr,
                AvailabilityZone=moto_zone,
            )
            if created:
                req.run.moto_ids[subnet_id] = created["Subnet"]["SubnetId"]
    chosen = zone or next((n for n, z in zones if z == zone_id), None)
    # only a zone the program chose is a fact (AWS picks one otherwise; so does this, arbitrarily)
    req.run.subnets[subnet_id] = {"cidr": str(cidr or ""), "vpc": str(vpc_id or ""), "az": str(chosen or "")}
    if not zone:
        zone = chosen or zones[int(req.hex(4), 16) % len(zones)][0]
    if not zone_id:
        zone_id = next((z for n, z in zones if n == zone), _zone_id(req.region, 0))
    return {
        "id": subnet_id,
        "arn": req.arn("ec2", f"subnet/{subnet_id}"),
        "ownerId": req.account,
        "availabilityZone": zone,
        "availabilityZoneId": zone_id,
        "mapPublicIpOnLaunch": req.get("mapPublicIpOnLaunch", False),
        "assignIpv6AddressOnCreation": req.get("assignIpv6AddressOnCreation", False),
        "enableDns64": req.get("enableDns64", False),
        "enableResourceNameDnsARecordOnLaunch": req.get("enableResourceNameDnsARecordOnLaunch", False),
        "enableResourceNameDnsAaaaRecordOnLaunch": req.get("enableResourceNameDnsAaaaRecordOnLaunch", False),
        "privateDnsHostnameTypeOnLaunch": req.get("privateDnsHostnameTypeOnLaunch", "ip-name"),
        "ipv6Native": req.get("ipv6Native", False),
        "region": req.region,
    }


@_handles("aws:ec2/internetGateway:InternetGateway")
def _internet_gateway(req: _Request) -> dict[str, Any]:
    igw_id = req.ec2_id("igw")
    if req.moto:
        created = req.aws("ec2", "create_internet_gateway", "")
        if created:
            moto_igw = created["InternetGateway"]["InternetGatewayId"]
            req.run.moto_ids[igw_id] = moto_igw
            vpc_id = req.get("vpcId")
            if vpc_id in req.run.moto_ids:
                req.aws(
                    "ec2",
                    "attach_internet_gateway",
                    "vpcId",
                    InternetGatewayId=moto_igw,
                    VpcId=req.run.moto_ids[vpc_id],
                )
    return {
        "id": igw_id,
        "arn": req.arn("ec2", f"internet-gateway/{igw_id}"),
        "ownerId": req.account,
        "region": req.region,
    }


@_handles("aws:ec2/eip:Eip")
def _eip(req: _Request) -> dict[str, Any]:
    allocation = req.ec2_id("eipalloc")
    public_ip = str(req.get("address") or _public_ip(req.typ, req.name, req.seq))
    if req.moto:
        created = req.aws("ec2", "allocate_address", "domain", Domain="vpc")
        if created:
            req.run.moto_ids[allocation] = created["AllocationId"]
    req.run.eips[allocation] = public_ip
    host = "ec2-" + public_ip.replace(".", "-")
    compute = (
        "compute-1.amazonaws.com" if req.region == "us-east-1" else f"{req.region}.compute.amazonaws.com"
    )
    return {
        "id": allocation,
        "allocationId": allocation,
        "arn": req.arn("ec2", f"elastic-ip/{allocation}"),
        "domain": req.get("domain", "vpc"),
        "publicIp": public_ip,
        "publicDns": f"{host}.{compute}",
        "publicIpv4Pool": req.get("publicIpv4Pool", "amazon"),
        "networkBorderGroup": req.get("networkBorderGroup", req.region),
        "region": req.region,
    }


@_handles("aws:ec2/natGateway:NatGateway")
def _nat_gateway(req: _Request) -> dict[str, Any]:
    nat_id = req.ec2_id("nat")
    subnet_id = req.get("subnetId")
    allocation = req.get("allocationId")
    subnet = req.run.subnets.get(str(subnet_id), {})
    private_ip = req.get("privateIp") or _host_in(subnet.get("cidr"), req.typ, req.name, req.seq)
    connectivity = req.get("connectivityType", "public")
    if (
        req.moto
        and subnet_id in req.run.moto_ids
        and (connectivity == "private" or allocation in req.run.moto_ids)
    ):
        created = req.aws(
            "ec2",
            "create_nat_gateway",
            "allocationId",
            SubnetId=req.run.moto_ids[subnet_id],
            AllocationId=req.run.moto_ids.get(str(allocation)) if connectivity != "private" else None,
            ConnectivityType=connectivity,
        )
        if created:
            req.run.moto_ids[nat_id] = created["NatGateway"]["NatGatewayId"]
    outputs: dict[str, Any] = {
        "id": nat_id,
        "connectivityType": connectivity,
        "networkInterfaceId": f"eni-0{req.hex(16, 'eni')}",
        "privateIp": private_ip,
        "secondaryAllocationIds": req.get("secondaryAllocationIds", []),
        "secondaryPrivateIpAddresses": req.get("secondaryPrivateIpAddresses", []),
        "secondaryPrivateIpAddressCount": req.get("secondaryPrivateIpAddressCount", 0),
        "region": req.region,
    }
    if connectivity == "public":
        outputs["publicIp"] = req.run.eips.get(str(allocation)) or _public_ip("nat", req.name, req.seq)
        outputs["associationId"] = f"eipassoc-0{req.hex(16, 'assoc')}"
    return outputs


_ROUTE_TARGETS = {  # input -> (CreateRoute parameter, whether it is one of our EC2 ids)
    "gatewayId": "GatewayId",
    "natGatewayId": "NatGatewayId",
    "egressOnlyGatewayId": "EgressOnlyInternetGatewayId",
    "networkInterfaceId": "NetworkInterfaceId",
    "transitGatewayId": "TransitGatewayId",
    "vpcPeeringConnectionId": "VpcPeeringConnectionId",
    "vpcEndpointId": "VpcEndpointId",
    "carrierGatewayId": "CarrierGatewayId",
    "localGatewayId": "LocalGatewayId",
}


def _create_route(
    req: _Request, moto_table: str, route: Mapping[str, Any], prefix: str, cidr_key: str
) -> None:
    """The route in moto when its target is one of ours (else AWS's view of it is unknown)."""
    params: dict[str, Any] = {"RouteTableId": moto_table}
    cidr = route.get(cidr_key)
    ipv6 = route.get("ipv6CidrBlock" if cidr_key == "cidrBlock" else "destinationIpv6CidrBlock")
    if cidr:
        params["DestinationCidrBlock"] = cidr
    elif ipv6:
        params["DestinationIpv6CidrBlock"] = ipv6
    else:
        return  # prefix-list destinations are not modelled
    for key, param in _ROUTE_TARGETS.items():
        target = route.get(key)
        if target:
            if target == "local":
                return
            if target not in req.run.moto_ids:
                return
            params[param] = req.run.moto_ids[target]
    if len(params) < 3:
        return
    path = (
        f"{prefix}{cidr_key}"
        if cidr
        else f"{prefix}{'ipv6CidrBlock' if cidr_key == 'cidrBlock' else 'destinationIpv6CidrBlock'}"
    )
    target_path = next((f"{prefix}{k}" for k in _ROUTE_TARGETS if route.get(k)), path)
    codes = {"": target_path, "RouteAlreadyExists": path, "InvalidParameterValue": path}
    req.aws("ec2", "create_route", codes, **params)


@_handles("aws:ec2/routeTable:RouteTable")
def _route_table(req: _Request) -> dict[str, Any]:
    table_id = req.ec2_id("rtb")
    vpc_id = req.get("vpcId")
    routes = list(req.get("routes", []))
    if req.moto and vpc_id in req.run.moto_ids:
        created = req.aws("ec2", "create_route_table", "vpcId", VpcId=req.run.moto_ids[vpc_id])
        if created:
            moto_table = created["RouteTable"]["RouteTableId"]
            req.run.moto_ids[table_id] = moto_table
            for index, route in enumerate(routes):
                if isinstance(route, dict):
                    _create_route(req, moto_table, route, f"routes[{index}].", "cidrBlock")
    return {
        "id": table_id,
        "arn": req.arn("ec2", f"route-table/{table_id}"),
        "ownerId": req.account,
        "routes": routes,
        "propagatingVgws": req.get("propagatingVgws", []),
        "region": req.region,
    }


@_handles("aws:ec2/route:Route")
def _route(req: _Request) -> dict[str, Any]:
    table_id = str(req.get("routeTableId", ""))
    destination = str(
        req.get("destinationCidrBlock")
        or req.get("destinationIpv6CidrBlock")
        or req.get("destinationPrefixListId")
        or ""
    )
    if req.moto and table_id in req.run.moto_ids:
        _create_route(req, req.run.moto_ids[table_id], req.state, "", "destinationCidrBlock")
    return {
        "id": f"r-{table_id}{zlib.crc32(destination.encode())}",
        "origin": "CreateRoute",
        "state": "active",
        "region": req.region,
    }


@_handles("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _route_table_association(req: _Request) -> dict[str, Any]:
    table_id = str(req.get("routeTableId", ""))
    subnet_id = req.get("subnetId")
    if not req.existing and subnet_id:
        other = req.run.route_table_of_subnet.get(str(subnet_id))
        if other and other != table_id:
            req.reject(
                "subnetId",
                "Resource.AlreadyAssociated",
                f"the specified association for route table {table_id} conflicts with an existing "
                f"association (subnet {subnet_id} is associated with route table {other})",
            )
        else:
            req.run.route_table_of_subnet[str(subnet_id)] = table_id
            if req.moto and table_id in req.run.moto_ids and subnet_id in req.run.moto_ids:
                req.aws(
                    "ec2",
                    "associate_route_table",
                    "subnetId",
                    RouteTableId=req.run.moto_ids[table_id],
                    SubnetId=req.run.moto_ids[subnet_id],
                )
    return {"id": req.ec2_id("rtbassoc"), "region": req.region}


# -- handlers: security groups ------------------------------------------------------------------------


def _protocol_problem(protocol: Any, from_port: Any, to_port: Any) -> tuple[str, str] | None:
    """(field, message) when EC2 would refuse the protocol or port range."""
    text = str(protocol).lower() if protocol is not None else ""
    number = IP_PROTOCOLS.get(text, text)
    if not re.fullmatch(r"-1|\d{1,3}", number) or (number != "-1" and int(number) > 255):
        return (
            "protocol",
            f"InvalidParameterValue: Invalid value '{protocol}' for IP protocol. Unknown protocol.",
        )
    if number in ("6", "17"):
        low, high = _int(from_port), _int(to_port)
        if low is None or high is None:
            return "fromPort", "InvalidParameterValue: TCP/UDP rules require a fromPort and a toPort."
        if not (0 <= low <= 65535 and 0 <= high <= 65535) or low > high:
            return "fromPort", f"InvalidParameterValue: Invalid TCP/UDP port range: {low}-{high}."
    return None


def _permission(req: _Request, rule: Mapping[str, Any], *, inline: bool) -> dict[str, Any] | None:
    """An EC2 ``IpPermission`` for a rule, or ``None`` when it references groups that are not ours."""
    protocol = rule.get("protocol" if inline else "ipProtocol")
    number = IP_PROTOCOLS.get(str(protocol).lower(), str(protocol))
    permission: dict[str, Any] = {"IpProtocol": number}
    if number != "-1":
        if _int(rule.get("fromPort")) is not None:
            permission["FromPort"] = _int(rule.get("fromPort"))
        if _int(rule.get("toPort")) is not None:
            permission["ToPort"] = _int(rule.get("toPort"))
    description = rule.get("description")
    extra = {"Description": description} if description else {}
    if inline:
        cidrs = _as_list(rule.get("cidrBlocks"))
        ipv6 = _as_list(rule.get("ipv6CidrBlocks"))
        groups = _as_list(rule.get("securityGroups"))
        prefix_lists = _as_list(rule.get("prefixListIds"))
    else:
        cidrs = _as_list(rule.get("cidrIpv4"))
        ipv6 = _as_list(rule.get("cidrIpv6"))
        groups = _as_list(rule.get("referencedSecurityGroupId"))
        prefix_lists = _as_list(rule.get("prefixListId"))
    if prefix_lists:
        return None  # prefix lists are not modelled
    if any(g not in req.run.moto_ids for g in groups):
        return None
    if cidrs:
        permission["IpRanges"] = [{"CidrIp": c, **extra} for c in cidrs]
    if ipv6:
        permission["Ipv6Ranges"] = [{"CidrIpv6": c, **extra} for c in ipv6]
    if groups:
        permission["UserIdGroupPairs"] = [{"GroupId": req.run.moto_ids[g], **extra} for g in groups]
    return permission


def _readds_default_egress(req: _Request, kind: str, moto_group: str, permission: Mapping[str, Any]) -> bool:
    """The provider removes AWS's default allow-all egress rule from every group it creates (moto
    keeps it): the first allow-all egress rule of a group is new, not a duplicate."""
    allow_all = (
        kind == "egress"
        and permission.get("IpProtocol") == "-1"
        and [r.get("CidrIp") for r in permission.get("IpRanges", [])] == ["0.0.0.0/0"]
        and not permission.get("Ipv6Ranges")
        and not permission.get("UserIdGroupPairs")
    )
    if allow_all and moto_group in req.run.default_egress:
        req.run.default_egress.discard(moto_group)
        return True
    return False


@_handles("aws:ec2/securityGroup:SecurityGroup")
def _security_group(req: _Request) -> dict[str, Any]:
    group_id = req.ec2_id("sg")
    name = req.autoname(maxlen=255)
    description = req.get("description", "Managed by Pulumi")
    vpc_id = req.get("vpcId")
    ingress = list(req.get("ingress", []))
    egress = list(req.get("egress", []))
    if not req.existing:
        problems = False
        for key, rules in (("ingress", ingress), ("egress", egress)):
            for index, rule in enumerate(rules):
                problem = _protocol_problem(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"))
                if problem:
                    code, _, message = problem[1].partition(": ")
                    req.reject(f"{key}[{index}].{problem[0]}", code, message)
                    problems = True
        if req.moto and (vpc_id is None or vpc_id in req.run.moto_ids):
            created = req.aws(
                "ec2",
                "create_security_group",
                "name",
                GroupName=name,
                Description=description,
                VpcId=req.run.moto_ids.get(str(vpc_id)),
            )
            if created:
                moto_group = created["GroupId"]
                req.run.moto_ids[group_id] = moto_group
                req.run.default_egress.add(moto_group)
                if not problems:
                    for key, rules, operation in (
                        ("ingress", ingress, "authorize_security_group_ingress"),
                        ("egress", egress, "authorize_security_group_egress"),
                    ):
                        for index, rule in enumerate(rules):
                            permission = _permission(req, rule, inline=True)
                            if permission is not None and not _readds_default_egress(
                                req, key, moto_group, permission
                            ):
                                req.aws(
                                    "ec2",
                                    operation,
                                    f"{key}[{index}]",
                                    GroupId=moto_group,
                                    IpPermissions=[permission],
                                )
    return {
        "id": group_id,
        "arn": req.arn("ec2", f"security-group/{group_id}"),
        "ownerId": req.account,
        "name": name,
        "description": description,
        "ingress": ingress,
        "egress": egress,
        "revokeRulesOnDelete": req.get("revokeRulesOnDelete", False),
        "region": req.region,
    }


@_handles(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
)
def _security_group_rule(req: _Request) -> dict[str, Any]:
    rule_id = req.ec2_id("sgr")
    if not req.existing:
        problem = _protocol_problem(req.get("ipProtocol"), req.get("fromPort"), req.get("toPort"))
        if problem:
            code, _, message = problem[1].partition(": ")
            req.reject("ipProtocol" if problem[0] == "protocol" else problem[0], code, message)
        else:
            group = req.get("securityGroupId")
            if req.moto and group in req.run.moto_ids:
                permission = _permission(req, req.state, inline=False)
                moto_group = req.run.moto_ids[group]
                kind = "ingress" if "Ingress" in req.typ else "egress"
                if permission is not None and not _readds_default_egress(req, kind, moto_group, permission):
                    where = next(
                        (k for k in ("cidrIpv4", "cidrIpv6", "referencedSecurityGroupId") if req.get(k)),
                        "ipProtocol",
                    )
                    operation = f"authorize_security_group_{kind}"
                    req.aws("ec2", operation, where, GroupId=moto_group, IpPermissions=[permission])
    return {
        "id": rule_id,
        "arn": req.arn("ec2", f"security-group-rule/{rule_id}"),
        "securityGroupRuleId": rule_id,
        "region": req.region,
    }


@_handles("aws:ec2/launchTemplate:LaunchTemplate")
def _launch_template(req: _Request) -> dict[str, Any]:
    template_id = req.ec2_id("lt")
    name = req.autoname(maxlen=128)
    if not req.existing and not re.fullmatch(r"[a-zA-Z0-9().\-/_]{3,128}", name):
        req.reject(
            "name",
            "InvalidLaunchTemplateName.MalformedException",
            "A launch template name must be between 3 and 128 characters, and may contain letters, "
            "numbers, and the following characters: - ( ) . / _.",
        )
    return {
        "id": template_id,
        "arn": req.arn("ec2", f"launch-template/{template_id}"),
        "name": name,
        "latestVersion": 1,
        "defaultVersion": req.get("defaultVersion", 1),
        "region": req.region,
    }


# -- handlers: KMS and logs ----------------------------------------------------------------------------


def _default_key_policy(req: _Request) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{req.partition}:iam::{req.account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )


@_handles("aws:kms/key:Key")
def _kms_key(req: _Request) -> dict[str, Any]:
    multi_region = bool(req.get("multiRegion", False))
    key_id = req.args.resource_id or (
        f"mrk-{req.hex(32, 'mrk')}" if multi_region else _uuid(req.typ, req.name, req.seq)
    )
    arn = req.arn("kms", f"key/{key_id}")
    policy = req.get("policy")
    rotation = bool(req.get("enableKeyRotation", False))
    spec = req.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT")
    if not req.existing:
        window = _int(req.get("deletionWindowInDays"))
        if window is not None and not 7 <= window <= 30:
            req.reject(
                "deletionWindowInDays",
                "ValidationException",
                f"1 validation error detected: Value '{window}' at 'pendingWindowInDays' failed to satisfy "
                "constraint: Member must have value between 7 and 30",
            )
        policy_ok = True
        if policy is not None and not req.get("bypassPolicyLockoutSafetyCheck", False):
            problem = check_key_policy(policy, account=req.account)
            if problem:
                code, _, message = problem.partition(": ")
                req.reject("policy", code, message)
                policy_ok = False
        if req.moto:
            created = req.aws(
                "kms",
                "create_key",
                {"": "customerMasterKeySpec", "MalformedPolicyDocumentException": "policy"},
                Policy=policy if policy_ok else None,
                Description=req.get("description"),
                KeyUsage=req.get("keyUsage"),
                KeySpec=spec,
                MultiRegion=multi_region or None,
            )
            if created:
                moto_key = created["KeyMetadata"]["KeyId"]
                req.run.moto_ids[key_id] = moto_key
                req.run.moto_ids[arn] = moto_key
                if rotation:
                    req.aws(
                        "kms",
                        "enable_key_rotation",
                        "rotationPeriodInDays",
                        KeyId=moto_key,
                        RotationPeriodInDays=_int(req.get("rotationPeriodInDays")),
                    )
    req.run.kms_keys[key_id] = arn
    req.run.kms_keys[arn] = arn
    outputs: dict[str, Any] = {
        "id": key_id,
        "keyId": key_id,
        "arn": arn,
        "policy": policy if policy is not None else _default_key_policy(req),
        "keyUsage": req.get("keyUsage", "ENCRYPT_DECRYPT"),
        "customerMasterKeySpec": spec,
        "isEnabled": req.get("isEnabled", True),
        "enableKeyRotation": rotation,
        "multiRegion": multi_region,
        "bypassPolicyLockoutSafetyCheck": req.get("bypassPolicyLockoutSafetyCheck", False),
        "region": req.region,
    }
    if rotation:
        outputs["rotationPeriodInDays"] = req.get("rotationPeriodInDays", 365)
    return outputs


@_handles("aws:kms/alias:Alias")
def _kms_alias(req: _Request) -> dict[str, Any]:
    name = req.get("name") or ("alias/" + req.autoname(prefix_key="namePrefix").removeprefix("alias/"))
    target = str(req.get("targetKeyId", ""))
    target_arn = req.run.kms_keys.get(target) or (
        target if target.startswith("arn:") else req.arn("kms", f"key/{target}")
    )
    if req.moto and target in req.run.moto_ids:
        req.aws("kms", "create_alias", "name", AliasName=name, TargetKeyId=req.run.moto_ids[target])
    return {
        "id": name,
        "name": name,
        "arn": req.arn("kms", name),
        "targetKeyArn": target_arn,
        "region": req.region,
    }


@_handles("aws:cloudwatch/logGroup:LogGroup")
def _log_group(req: _Request) -> dict[str, Any]:
    name = req.autoname(maxlen=512)
    retention = _int(req.get("retentionInDays"))
    if not req.existing:
        if not re.fullmatch(r"[\.\-_/#A-Za-z0-9]{1,512}", name):
            req.reject(
                "name",
                "InvalidParameterException",
                f"1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy constraint: "
                r"Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+",
            )
        elif req.moto:
            req.aws("logs", "create_log_group", "name", logGroupName=name, kmsKeyId=req.get("kmsKeyId"))
        if retention is not None and retention not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS[1:])
            req.reject(
                "retentionInDays",
                "InvalidParameterException",
                f"1 validation error detected: Value '{retention}' at 'retentionInDays' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{allowed}]",
            )
    return {
        "id": name,
        "name": name,
        "arn": req.arn("logs", f"log-group:{name}"),
        "retentionInDays": retention or 0,
        "logGroupClass": req.get("logGroupClass", "STANDARD"),
        "skipDestroy": req.get("skipDestroy", False),
        "region": req.region,
    }


# -- handlers: IAM ----------------------------------------------------------------------------------------


def _iam_arn(req: _Request, kind: str, name: str, path: str = "/") -> str:
    return f"arn:{req.partition}:iam::{req.account}:{kind}{path}{name}"


def _check_iam_name(req: _Request, name: str, *, maxlen: int, what: str) -> bool:
    if len(name) > maxlen:
        req.reject(
            "name",
            "ValidationError",
            f"1 validation error detected: Value '{name}' at '{what}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {maxlen}",
        )
        return False
    if not re.fullmatch(r"[\w+=,.@-]+", name):
        req.reject(
            "name",
            "ValidationError",
            f"1 validation error detected: Value '{name}' at '{what}' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\w+=,.@-]+",
        )
        return False
    return True


def _identity_policy(req: _Request, path: str, document: Any, operation: str, **params: Any) -> bool:
    """Create/put an identity policy in moto after the check moto lacks; whether it was accepted."""
    problem = check_identity_policy(document)
    if problem:
        code, _, message = problem.partition(": ")
        req.reject(path, code, message)
        return False
    text = document if isinstance(document, str) else json.dumps(document)
    codes = {"": "name", "MalformedPolicyDocument": path, "LimitExceeded": path}
    return req.aws("iam", operation, codes, PolicyDocument=text, **params) is not None


def _attach_managed(req: _Request, path: str, role: str, policy_arn: str) -> None:
    match = re.fullmatch(r"arn:[\w-]+:iam::aws:policy(/.*)", policy_arn)
    if match:
        known = aws_managed_policy_paths()
        if known and match.group(1) not in known:
            req.reject(path, "NoSuchEntity", f"Policy {policy_arn} does not exist or is not attachable.")
    elif policy_arn in req.run.policies and role in req.run.roles and req.moto:
        req.aws("iam", "attach_role_policy", path, RoleName=role, PolicyArn=policy_arn)


@_handles("aws:iam/role:Role")
def _role(req: _Request) -> dict[str, Any]:
    name = req.autoname(maxlen=64)
    path = req.get("path", "/")
    trust = req.get("assumeRolePolicy")
    if not req.existing and _check_iam_name(req, name, maxlen=64, what="roleName"):
        if req.moto:
            created = req.aws(
                "iam",
                "create_role",
                {"": "name", "ValidationException": "maxSessionDuration"},
                RoleName=name,
                AssumeRolePolicyDocument=trust if isinstance(trust, str) else json.dumps(trust),
                Path=path,
                Description=req.get("description"),
                MaxSessionDuration=_int(req.get("maxSessionDuration")),
                PermissionsBoundary=req.get("permissionsBoundary"),
            )
            if created:
                req.run.roles.add(name)
                problem = check_trust_policy(trust, req.partition)
                if problem:
                    code, _, message = problem.partition(": ")
                    req.reject("assumeRolePolicy", code, message)
                else:  # CreateRole does not validate in moto; UpdateAssumeRolePolicy does
                    req.aws(
                        "iam",
                        "update_assume_role_policy",
                        "assumeRolePolicy",
                        RoleName=name,
                        PolicyDocument=trust if isinstance(trust, str) else json.dumps(trust),
                    )
                for index, inline in enumerate(req.get("inlinePolicies", [])):
                    if isinstance(inline, dict) and inline.get("policy"):
                        _identity_policy(
                            req,
                            f"inlinePolicies[{index}].policy",
                            inline["policy"],
                            "put_role_policy",
                            RoleName=name,
                            PolicyName=inline.get("name") or f"{name}-{index}",
                        )
                for index, policy_arn in enumerate(req.get("managedPolicyArns", [])):
                    _attach_managed(req, f"managedPolicyArns[{index}]", name, str(policy_arn))
        else:
            problem = check_trust_policy(trust, req.partition)
            if problem:
                code, _, message = problem.partition(": ")
                req.reject("assumeRolePolicy", code, message)
    return {
        "id": name,
        "name": name,
        "arn": _iam_arn(req, "role", name, path),
        "uniqueId": _iam_unique_id("AROA", req.typ, req.name, req.seq),
        "createDate": CREATED,
        "path": path,
        "maxSessionDuration": req.get("maxSessionDuration", 3600),
        "forceDetachPolicies": req.get("forceDetachPolicies", False),
        "description": req.get("description", ""),
    }


@_handles("aws:iam/policy:Policy")
def _iam_policy(req: _Request) -> dict[str, Any]:
    name = req.autoname(maxlen=128)
    path = req.get("path", "/")
    arn = _iam_arn(req, "policy", name, path)
    if not req.existing and _check_iam_name(req, name, maxlen=128, what="policyName") and req.moto:
        document = req.get("policy")
        if _identity_policy(
            req,
            "policy",
            document,
            "create_policy",
            PolicyName=name,
            Path=path,
            Description=req.get("description"),
        ):
            req.run.policies.add(arn)
    return {
        "id": arn,
        "arn": arn,
        "name": name,
        "path": path,
        "policyId": _iam_unique_id("ANPA", req.typ, req.name, req.seq),
        "attachmentCount": 0,
    }


@_handles("aws:iam/rolePolicy:RolePolicy")
def _role_policy(req: _Request) -> dict[str, Any]:
    role = str(req.get("role", ""))
    name = req.autoname(maxlen=128)
    if not req.existing and _check_iam_name(req, name, maxlen=128, what="policyName"):
        document = req.get("policy")
        if req.moto and role in req.run.roles:
            _identity_policy(req, "policy", document, "put_role_policy", RoleName=role, PolicyName=name)
        else:
            problem = check_identity_policy(document)
            if problem:
                code, _, message = problem.partition(": ")
                req.reject("policy", code, message)
    return {"id": f"{role}:{name}", "name": name}


@_handles("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _role_policy_attachment(req: _Request) -> dict[str, Any]:
    role = str(req.get("role", ""))
    if not req.existing:
        _attach_managed(req, "policyArn", role, str(req.get("policyArn", "")))
    return {"id": f"{role}-2025010100000000{req.hex(10, 'attach')}"}


@_handles("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
def _oidc_provider(req: _Request) -> dict[str, Any]:
    url = str(req.get("url", ""))
    arn = _iam_arn(req, "oidc-provider", url.removeprefix("https://"))
    thumbprints = req.get("thumbprintLists") or [EKS_THUMBPRINT]
    if req.moto:
        req.aws(
            "iam",
            "create_open_id_connect_provider",
            {"": "url", "ValidationError": "url"},
            Url=url,
            ClientIDList=list(req.get("clientIdLists", [])),
            ThumbprintList=list(thumbprints),
        )
    return {"id": arn, "arn": arn, "thumbprintLists": thumbprints}


@_handles("aws:iam/instanceProfile:InstanceProfile")
def _instance_profile(req: _Request) -> dict[str, Any]:
    name = req.autoname(maxlen=128)
    path = req.get("path", "/")
    role = req.get("role")
    if not req.existing and _check_iam_name(req, name, maxlen=128, what="instanceProfileName") and req.moto:
        created = req.aws("iam", "create_instance_profile", "name", InstanceProfileName=name, Path=path)
        if created and role in req.run.roles:
            req.aws("iam", "add_role_to_instance_profile", "role", InstanceProfileName=name, RoleName=role)
    return {
        "id": name,
        "name": name,
        "arn": _iam_arn(req, "instance-profile", name, path),
        "uniqueId": _iam_unique_id("AIPA", req.typ, req.name, req.seq),
        "createDate": CREATED,
        "path": path,
    }


# -- handlers: EKS -----------------------------------------------------------------------------------------


def _is_arn(value: Any, service: str, resource: str = "") -> bool:
    return isinstance(value, str) and bool(
        re.fullmatch(rf"arn:[\w-]+:{service}::\d{{12}}:{resource}.+", value)
    )


@_handles("aws:eks/cluster:Cluster")
def _eks_cluster(req: _Request) -> dict[str, Any]:
    name = req.autoname(maxlen=100)
    version = str(req.get("version", DEFAULT_EKS_VERSION))
    vpc_config = dict(req.get("vpcConfig", {}))
    subnet_ids = [str(s) for s in vpc_config.get("subnetIds") or []]
    known = [req.run.subnets[s] for s in subnet_ids if s in req.run.subnets]
    if not req.existing:
        if not re.fullmatch(r"[0-9A-Za-z][A-Za-z0-9\-_]{0,99}", name):
            req.reject(
                "name",
                "InvalidParameterException",
                f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must "
                r"satisfy regular expression pattern: ^[0-9A-Za-z][A-Za-z0-9\-_]*",
            )
        if not _is_arn(req.get("roleArn"), "iam", "role/"):
            req.reject("roleArn", "InvalidParameterException", f"Invalid role ARN: {req.get('roleArn')}")
        if (
            len(known) == len(subnet_ids)
            and all(s["az"] for s in known)
            and len({s["az"] for s in known}) < 2
        ):
            req.reject(
                "vpcConfig.subnetIds",
                "InvalidParameterException",
                "Subnets specified must be in at least two different AZs",
            )
        if req.moto:
            created = req.aws(
                "eks",
                "create_cluster",
                "name",
                name=name,
                version=version,
                roleArn=req.get("roleArn"),
                resourcesVpcConfig={"subnetIds": subnet_ids},
            )
            if created:
                req.run.clusters[name] = {"version": version}
    token = req.hex(32, "endpoint").upper()
    cell = ("gr7", "yl4", "sk1")[int(token[:2], 16) % 3]
    suffix = dns_suffix(req.partition)
    vpc_id = next((s["vpc"] for s in known if s["vpc"]), f"vpc-0{req.hex(16, 'vpc')}")
    vpc_config.setdefault("endpointPrivateAccess", False)
    vpc_config.setdefault("endpointPublicAccess", True)
    if vpc_config.get("endpointPublicAccess"):
        vpc_config.setdefault("publicAccessCidrs", ["0.0.0.0/0"])
    vpc_config.setdefault("securityGroupIds", [])
    vpc_config["clusterSecurityGroupId"] = f"sg-0{req.hex(16, 'cluster-sg')}"
    vpc_config["vpcId"] = vpc_id
    network = {
        "serviceIpv4Cidr": "172.20.0.0/16",
        "ipFamily": "ipv4",
        **dict(req.get("kubernetesNetworkConfig", {})),
    }
    req.run.clusters.setdefault(name, {"version": version})
    arn = req.arn("eks", f"cluster/{name}")
    return {
        "id": name,
        "name": name,
        "arn": arn,
        "version": version,
        "endpoint": f"https://{token}.{cell}.{req.region}.eks.{suffix}",
        "certificateAuthority": {"data": certificate_authority(arn)},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{req.region}.{suffix}/id/{token}"}]}],
        "vpcConfig": vpc_config,
        "kubernetesNetworkConfig": network,
        "accessConfig": {
            "authenticationMode": "CONFIG_MAP",
            "bootstrapClusterCreatorAdminPermissions": True,
            **dict(req.get("accessConfig", {})),
        },
        "upgradePolicy": {"supportType": "EXTENDED", **dict(req.get("upgradePolicy", {}))},
        "bootstrapSelfManagedAddons": req.get("bootstrapSelfManagedAddons", True),
        "platformVersion": "eks.1",
        "status": "ACTIVE",
        "createdAt": CREATED,
        "region": req.region,
    }


@_handles("aws:eks/nodeGroup:NodeGroup")
def _eks_node_group(req: _Request) -> dict[str, Any]:
    cluster = str(req.get("clusterName", ""))
    name = req.autoname("nodeGroupName", maxlen=63, prefix_key="nodeGroupNamePrefix")
    scaling = dict(req.get("scalingConfig", {}))
    cluster_version = req.run.clusters.get(cluster, {}).get("version", DEFAULT_EKS_VERSION)
    version = str(req.get("version", cluster_version))
    launch_template = req.get("launchTemplate")
    if not req.existing:
        low, desired, high = (_int(scaling.get(k)) for k in ("minSize", "desiredSize", "maxSize"))
        if high is not None and high < 1:
            req.reject(
                "scalingConfig.maxSize", "InvalidParameterException", "Maximum capacity must be at least 1"
            )
        elif low is not None and desired is not None and high is not None and not low <= desired <= high:
            req.reject(
                "scalingConfig",
                "InvalidParameterException",
                f"Scaling config must satisfy minSize <= desiredSize <= maxSize (got {low}, {desired}, {high})",
            )
        if req.moto and cluster in req.run.clusters:
            req.aws(
                "eks",
                "create_nodegroup",
                {"": "nodeGroupName", "InvalidParameterException": "launchTemplate"},
                clusterName=cluster,
                nodegroupName=name,
                nodeRole=req.get("nodeRoleArn"),
                subnets=[str(s) for s in req.get("subnetIds", [])],
                diskSize=_int(req.get("diskSize")),
                remoteAccess=(
                    {"ec2SshKey": req.get("remoteAccess", {}).get("ec2SshKey")}
                    if req.get("remoteAccess")
                    else None
                ),
                launchTemplate=(
                    {k: str(v) for k, v in launch_template.items() if k in ("id", "name", "version") and v}
                    if isinstance(launch_template, dict)
                    else None
                ),
            )
    ami = req.get("amiType", "AL2023_x86_64_STANDARD")
    outputs: dict[str, Any] = {
        "id": f"{cluster}:{name}",
        "nodeGroupName": name,
        "arn": req.arn("eks", f"nodegroup/{cluster}/{name}/{_uuid(req.typ, req.name, req.seq)}"),
        "amiType": ami,
        "capacityType": req.get("capacityType", "ON_DEMAND"),
        "instanceTypes": req.get("instanceTypes", ["t3.medium"]),
        "version": version,
        "releaseVersion": req.get("releaseVersion", f"{version}.0-20250101"),
        "updateConfig": req.get("updateConfig", {"maxUnavailable": 1}),
        "resources": [
            {
                "autoscalingGroups": [{"name": f"eks-{name}-{_uuid('asg', req.typ, req.name, req.seq)}"}],
                "remoteAccessSecurityGroupId": f"sg-0{req.hex(16, 'remote')}"
                if req.get("remoteAccess")
                else "",
            }
        ],
        "status": "ACTIVE",
        "region": req.region,
    }
    if not launch_template:
        outputs["diskSize"] = req.get("diskSize", 20)
    return outputs


@_handles("aws:eks/addon:Addon")
def _eks_addon(req: _Request) -> dict[str, Any]:
    cluster = str(req.get("clusterName", ""))
    addon = str(req.get("addonName", ""))
    configuration = req.get("configurationValues")
    if not req.existing and configuration and load_document(configuration)[1]:
        import yaml

        try:
            yaml.safe_load(str(configuration))
        except yaml.YAMLError:
            req.reject(
                "configurationValues",
                "InvalidParameterException",
                "ConfigurationValue provided in request is not supported: the configuration is neither JSON nor YAML",
            )
    return {
        "id": f"{cluster}:{addon}",
        "arn": req.arn("eks", f"addon/{cluster}/{addon}/{_uuid(req.typ, req.name, req.seq)}"),
        "addonVersion": req.get("addonVersion", "v1.0.0-eksbuild.1"),
        "createdAt": CREATED,
        "modifiedAt": CREATED,
        "region": req.region,
    }


@_handles("aws:eks/accessEntry:AccessEntry")
def _eks_access_entry(req: _Request) -> dict[str, Any]:
    cluster = str(req.get("clusterName", ""))
    principal = str(req.get("principalArn", ""))
    if not req.existing and not re.fullmatch(
        r"arn:[\w-]+:(iam|sts)::\d{12}:(role|user|assumed-role)/.+", principal
    ):
        req.reject(
            "principalArn",
            "InvalidParameterException",
            f"The specified principalArn is invalid: invalid ARN {principal}",
        )
    match = re.fullmatch(r"arn:([\w-]+):iam::(\d{12}):role/(?:.*/)?([^/]+)", principal)
    user_name = (
        f"arn:{match.group(1)}:sts::{match.group(2)}:assumed-role/{match.group(3)}/{{{{SessionName}}}}"
        if match
        else principal
    )
    kind = str(req.get("type", "STANDARD"))
    groups = req.get("kubernetesGroups", [])
    if kind == "EC2_LINUX":
        groups, user_name = (
            groups or ["system:nodes"],
            req.get("userName") or "system:node:{{EC2PrivateDNSName}}",
        )
    parts = re.fullmatch(
        r"arn:[\w-]+:(?:iam|sts)::(\d{12}):(role|user|assumed-role)/(?:.*/)?([^/]+)", principal
    )
    who = f"{parts.group(2)}/{parts.group(1)}/{parts.group(3)}" if parts else "unknown"
    return {
        "id": f"{cluster}:{principal}",
        "accessEntryArn": req.arn("eks", f"access-entry/{cluster}/{who}/{_uuid(req.typ, req.name, req.seq)}"),
        "kubernetesGroups": groups,
        "type": kind,
        "userName": req.get("userName", user_name),
        "createdAt": CREATED,
        "modifiedAt": CREATED,
        "region": req.region,
    }


@_handles("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
def _eks_access_policy(req: _Request) -> dict[str, Any]:
    cluster = str(req.get("clusterName", ""))
    principal = str(req.get("principalArn", ""))
    policy = str(req.get("policyArn", ""))
    if not req.existing:
        if not re.fullmatch(r"arn:[\w-]+:eks::aws:cluster-access-policy/[A-Za-z0-9]+", policy):
            req.reject(
                "policyArn",
                "InvalidParameterException",
                f"The policyArn {policy} is not a valid EKS access policy ARN",
            )
        scope = dict(req.get("accessScope", {}))
        kind = scope.get("type")
        namespaces = scope.get("namespaces") or []
        if kind not in ("cluster", "namespace"):
            req.reject(
                "accessScope.type",
                "InvalidParameterException",
                f"accessScope type must be cluster or namespace, got {kind}",
            )
        elif kind == "namespace" and not namespaces:
            req.reject(
                "accessScope.namespaces",
                "InvalidParameterException",
                "namespaces must be specified for accessScope type namespace",
            )
        elif kind == "cluster" and namespaces:
            req.reject(
                "accessScope.namespaces",
                "InvalidParameterException",
                "namespaces cannot be specified for accessScope type cluster",
            )
    return {
        "id": f"{cluster}#{principal}#{policy}",
        "associatedAt": CREATED,
        "modifiedAt": CREATED,
        "region": req.region,
    }


@_handles("aws:eks/podIdentityAssociation:PodIdentityAssociation")
def _eks_pod_identity(req: _Request) -> dict[str, Any]:
    cluster = str(req.get("clusterName", ""))
    association = "a-" + base64.b32encode(_digest(req.typ, req.name, req.seq)).decode().lower()[:17]
    if not req.existing and not _is_arn(req.get("roleArn"), "iam", "role/"):
        req.reject("roleArn", "InvalidParameterException", f"Invalid role ARN: {req.get('roleArn')}")
    return {
        "id": f"{cluster},{association}",
        "associationId": association,
        "associationArn": req.arn("eks", f"podidentityassociation/{cluster}/{association}"),
        "externalId": _uuid("external", req.typ, req.name, req.seq),
        "disableSessionTags": req.get("disableSessionTags", False),
        "region": req.region,
    }


# -- handlers: SQS and EventBridge -------------------------------------------------------------------------


@_handles("aws:sqs/queue:Queue")
def _queue(req: _Request) -> dict[str, Any]:
    fifo = bool(req.get("fifoQueue", False))
    name = req.autoname(maxlen=80, suffix=".fifo" if fifo else "")
    url = f"https://sqs.{req.region}.{dns_suffix(req.partition)}/{req.account}/{name}"
    arn = req.arn("sqs", name)
    if not req.existing:
        attributes: dict[str, str] = {}
        fine = True
        for key, (attribute, low, high) in SQS_RANGES.items():
            value = req.get(key)
            if value is None:
                continue
            number = _int(value)
            if number is None or not low <= number <= high:
                req.reject(key, "InvalidAttributeValue", f"Invalid value for the parameter {attribute}.")
                fine = False
            attributes[attribute] = _api_value(value)
        for key in ("policy", "redrivePolicy", "redriveAllowPolicy"):
            value = req.get(key)
            if value in (None, ""):
                continue
            if key == "policy":
                problem = check_resource_policy(value, "InvalidAttributeValue", service="sqs")
            else:
                problem = (
                    None
                    if not load_document(value)[1]
                    else f"InvalidAttributeValue: Invalid value for the parameter {SQS_ATTRIBUTES[key]}."
                )
            if problem:
                code, _, message = problem.partition(": ")
                req.reject(key, code, message)
                fine = False
        for key, attribute in SQS_ATTRIBUTES.items():
            value = req.get(key)
            if value not in (None, "") and attribute not in attributes:
                attributes[attribute] = _api_value(value)
        redrive, _ = load_document(attributes.get("RedrivePolicy"))
        if isinstance(redrive, dict) and redrive.get("deadLetterTargetArn") not in req.run.queues:
            attributes.pop("RedrivePolicy")  # a DLQ created elsewhere: moto cannot know it
        if fifo:
            attributes["FifoQueue"] = "true"
        elif attributes.get("FifoQueue") == "false":
            attributes.pop("FifoQueue")
        if req.moto and fine:
            codes = {
                "": "name",
                "AWS.SimpleQueueService.NonExistentQueue": "redrivePolicy",
                "InvalidAttributeValue": "maxMessageSize",  # the one attribute moto checks on create
            }
            created = req.aws("sqs", "create_queue", codes, QueueName=name, Attributes=attributes)
            if created:
                req.run.queues[url] = name
                req.run.queues[arn] = name
    return {
        "id": url,
        "url": url,
        "arn": arn,
        "name": name,
        "fifoQueue": fifo,
        "visibilityTimeoutSeconds": req.get("visibilityTimeoutSeconds", 30),
        "messageRetentionSeconds": req.get("messageRetentionSeconds", 345600),
        "maxMessageSize": req.get("maxMessageSize", 262144),
        "delaySeconds": req.get("delaySeconds", 0),
        "receiveWaitTimeSeconds": req.get("receiveWaitTimeSeconds", 0),
        "kmsDataKeyReusePeriodSeconds": req.get("kmsDataKeyReusePeriodSeconds", 300),
        "sqsManagedSseEnabled": req.get("sqsManagedSseEnabled", not req.get("kmsMasterKeyId")),
        "contentBasedDeduplication": req.get("contentBasedDeduplication", False),
        "region": req.region,
    }


@_handles("aws:sqs/queuePolicy:QueuePolicy")
def _queue_policy(req: _Request) -> dict[str, Any]:
    url = str(req.get("queueUrl", ""))
    policy = req.get("policy")
    if not req.existing:
        problem = check_resource_policy(policy, "InvalidAttributeValue", service="sqs")
        if problem:
            code, _, message = problem.partition(": ")
            req.reject("policy", code, message)
        elif req.moto and url in req.run.queues:
            text = policy if isinstance(policy, str) else json.dumps(policy)
            req.aws("sqs", "set_queue_attributes", "policy", QueueUrl=url, Attributes={"Policy": text})
    return {"id": url, "region": req.region}


@_handles("aws:cloudwatch/eventRule:EventRule")
def _event_rule(req: _Request) -> dict[str, Any]:
    name = req.autoname(maxlen=64)
    bus = str(req.get("eventBusName", "default"))
    state = req.get("state") or ("ENABLED" if req.get("isEnabled", True) else "DISABLED")
    if req.moto:
        codes = {
            "": "name",
            "InvalidEventPatternException": "eventPattern",
            "ValidationException": "scheduleExpression" if req.get("scheduleExpression") else "eventPattern",
        }
        created = req.aws(
            "events",
            "put_rule",
            codes,
            Name=name,
            EventPattern=req.get("eventPattern"),
            ScheduleExpression=req.get("scheduleExpression"),
            Description=req.get("description"),
            State="DISABLED" if state == "DISABLED" else "ENABLED",
            RoleArn=req.get("roleArn"),
        )
        if created:
            req.run.rules.add(name)
    rule_path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
    return {
        "id": name if bus == "default" else f"{bus}/{name}",
        "name": name,
        "arn": req.arn("events", rule_path),
        "eventBusName": bus,
        "state": state,
        "forceDestroy": req.get("forceDestroy", False),
        "region": req.region,
    }


@_handles("aws:cloudwatch/eventTarget:EventTarget")
def _event_target(req: _Request) -> dict[str, Any]:
    rule = str(req.get("rule", ""))
    target_id = req.autoname("targetId", maxlen=64, prefix_key="targetIdPrefix")
    if not req.existing:
        payload = req.get("input")
        if payload not in (None, "") and load_document(payload)[1]:
            req.reject(
                "input", "ValidationException", "Parameter Input is not valid: it must be a valid JSON text."
            )
        elif req.moto and rule in req.run.rules:
            target = {
                "Id": target_id,
                "Arn": req.get("arn"),
                "RoleArn": req.get("roleArn"),
                "Input": payload,
                "InputPath": req.get("inputPath"),
            }
            req.aws(
                "events", "put_targets", "arn", Rule=rule, Targets=[{k: v for k, v in target.items() if v}]
            )
    return {
        "id": f"{rule}-{target_id}",
        "targetId": target_id,
        "eventBusName": req.get("eventBusName", "default"),
        "region": req.region,
    }


# -- handlers: S3 (checked here; moto validates neither names nor policies) ------------------------------


def _bucket_name_problem(name: str) -> bool:
    return not (
        re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name)
        and ".." not in name
        and not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name)
        and not name.startswith(("xn--", "sthree-", "amzn-s3-demo-"))
        and not name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3"))
    )


@_handles("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _bucket(req: _Request) -> dict[str, Any]:
    name = req.autoname("bucket", maxlen=63, lower=True, prefix_key="bucketPrefix")
    if not req.existing and _bucket_name_problem(name):
        req.reject("bucket", "InvalidBucketName", "The specified bucket is not valid.")
    suffix = dns_suffix(req.partition)
    outputs: dict[str, Any] = {
        "id": name,
        "bucket": name,
        "arn": f"arn:{req.partition}:s3:::{name}",
        "bucketDomainName": f"{name}.s3.{suffix}",
        "bucketRegionalDomainName": f"{name}.s3.{req.region}.{suffix}",
        "bucketRegion": req.region,
        "region": req.region,
        "forceDestroy": req.get("forceDestroy", False),
        "objectLockEnabled": req.get("objectLockEnabled", False),
        "requestPayer": req.get("requestPayer", "BucketOwner"),
    }
    if req.region in S3_HOSTED_ZONES:
        outputs["hostedZoneId"] = S3_HOSTED_ZONES[req.region]
    return outputs


@_handles("aws:s3/bucketPolicy:BucketPolicy")
def _bucket_policy(req: _Request) -> dict[str, Any]:
    bucket = str(req.get("bucket", ""))
    if not req.existing:
        problem = check_resource_policy(
            req.get("policy"),
            "MalformedPolicy",
            service="s3",
            bucket_arn=f"arn:{req.partition}:s3:::{bucket}",
        )
        if problem:
            code, _, message = problem.partition(": ")
            req.reject("policy", code, message)
    return {"id": bucket, "region": req.region}


@_handles(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
def _bucket_encryption(req: _Request) -> dict[str, Any]:
    bucket = str(req.get("bucket", ""))
    if not req.existing:
        for index, rule in enumerate(req.get("rules", [])):
            default = (rule or {}).get("applyServerSideEncryptionByDefault") or {}
            algorithm = default.get("sseAlgorithm")
            if algorithm not in (None, "AES256", "aws:kms", "aws:kms:dsse"):
                req.reject(
                    f"rules[{index}].applyServerSideEncryptionByDefault.sseAlgorithm",
                    "MalformedXML",
                    "The XML you provided was not well-formed or did not validate against our published schema",
                )
            elif default.get("kmsMasterKeyId") and algorithm not in ("aws:kms", "aws:kms:dsse"):
                req.reject(
                    f"rules[{index}].applyServerSideEncryptionByDefault.kmsMasterKeyId",
                    "InvalidArgument",
                    "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                )
    return {"id": bucket, "region": req.region}


@_handles(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
def _bucket_lifecycle(req: _Request) -> dict[str, Any]:
    bucket = str(req.get("bucket", ""))
    if not req.existing:
        for index, rule in enumerate(req.get("rules", [])):
            rule = rule or {}
            where = f"rules[{index}]"
            if rule.get("status") not in ("Enabled", "Disabled"):
                req.reject(
                    f"{where}.status",
                    "MalformedXML",
                    "The XML you provided was not well-formed or did not validate against our published schema",
                )
            days = _int((rule.get("expiration") or {}).get("days"))
            if days is not None and days <= 0:
                req.reject(
                    f"{where}.expiration.days",
                    "InvalidArgument",
                    "'Days' for Expiration action must be a positive integer",
                )
            noncurrent = _int((rule.get("noncurrentVersionExpiration") or {}).get("noncurrentDays"))
            if noncurrent is not None and noncurrent <= 0:
                req.reject(
                    f"{where}.noncurrentVersionExpiration.noncurrentDays",
                    "InvalidArgument",
                    "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
                )
            for t_index, transition in enumerate(rule.get("transitions") or []):
                t_days = _int((transition or {}).get("days"))
                storage = (transition or {}).get("storageClass")
                if storage in ("STANDARD_IA", "ONEZONE_IA") and t_days is not None and t_days < 30:
                    req.reject(
                        f"{where}.transitions[{t_index}].days",
                        "InvalidArgument",
                        f"'Days' in Transition action must be greater than or equal to 30 for storageClass '{storage}'",
                    )
    return {"id": bucket, "region": req.region}


@_handles(
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
)
def _bucket_setting(req: _Request) -> dict[str, Any]:
    return {"id": str(req.get("bucket", "")), "region": req.region}


RESOURCE_TYPES = tuple(sorted(_HANDLERS))
INVOKES: tuple[str, ...] = tuple(sorted(AwsCloud(DEFAULT_REGION).invokes()))
"""Every ``aws`` function token answered."""

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_REGION",
    "INVOKES",
    "RESOURCE_TYPES",
    "AwsCloud",
    "certificate_authority",
    "check_identity_policy",
    "check_key_policy",
    "check_resource_policy",
    "check_trust_policy",
    "render_policy_document",
]
