"""The SecureWorkload arguments the tests of workload.py start from (tests/workload/)."""

from __future__ import annotations

from typing import Any

from platform_components import SecureWorkloadArgs

NAME = "api"
NAMESPACE = "shop"
IMAGE = "ghcr.io/acme/api:1.4.2"
SQS_TRIGGER = {
    "type": "aws-sqs-queue",
    "metadata": {
        "queueURL": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
        "queueLength": "20",
        "awsRegion": "eu-west-1",
    },
    "authentication": "orders-queue",
}
"""A KEDA trigger scaling on an SQS queue, authenticated by a TriggerAuthentication."""


def make_args(**overrides: Any) -> SecureWorkloadArgs:
    """The minimal arguments (namespace, image, readiness, liveness) plus ``overrides``."""
    base: dict[str, Any] = {
        "namespace": NAMESPACE,
        "image": IMAGE,
        "readiness": {"path": "/readyz"},
        "liveness": {"path": "/livez"},
    }
    return SecureWorkloadArgs.model_validate({**base, **overrides})
