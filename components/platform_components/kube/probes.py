"""Probe models and their rendering (readiness, liveness, startup)."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import Field, field_validator, model_validator

from .._base import StrictModel
from .names import check_port_name


class ProbeKind(enum.StrEnum):
    HTTP = "http"
    TCP = "tcp"
    GRPC = "grpc"
    EXEC = "exec"


class ProbeArgs(StrictModel):
    """How Kubernetes checks a container. ``port`` is a container port name or number."""

    kind: ProbeKind = Field(default=ProbeKind.HTTP, description="http GET, tcp connect, grpc health or exec.")
    path: str = Field(default="/healthz", description="HTTP path (http probes only).")
    port: str | int | None = Field(
        default=None,
        description="Container port name or number; defaults to the workload's first port (http/tcp/grpc).",
    )
    command: list[str] = Field(default_factory=list, description="Command for exec probes.")
    initial_delay_seconds: int = Field(default=0, ge=0, le=3600, description="Delay before the first check.")
    period_seconds: int = Field(default=10, ge=1, le=3600, description="How often to check.")
    timeout_seconds: int = Field(default=2, ge=1, le=600, description="Per-check timeout; 2s tolerates GC.")
    failure_threshold: int = Field(default=3, ge=1, le=100, description="Failures before acting.")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"probe path {value!r} must start with '/'")
        return value

    @field_validator("port")
    @classmethod
    def _port(cls, value: str | int | None) -> str | int | None:
        if isinstance(value, int):
            if not 1 <= value <= 65535:
                raise ValueError(f"probe port {value} must be between 1 and 65535")
        elif isinstance(value, str):
            check_port_name(value)
        return value

    @model_validator(mode="after")
    def _exec_needs_command(self) -> ProbeArgs:
        if self.kind is ProbeKind.EXEC and not self.command:
            raise ValueError("an exec probe needs a non-empty 'command'")
        if self.kind is not ProbeKind.EXEC and self.command:
            raise ValueError(f"'command' is only used by exec probes, not {self.kind.value} probes")
        return self

    def render(self, default_port: str | int | None, *, success_threshold: int = 1) -> dict[str, Any]:
        port = self.port if self.port is not None else default_port
        probe: dict[str, Any]
        if self.kind is ProbeKind.EXEC:
            probe = {"exec": {"command": list(self.command)}}
        else:
            if port is None:
                raise ValueError(f"a {self.kind.value} probe needs a port and the container has none")
            if self.kind is ProbeKind.HTTP:
                probe = {"httpGet": {"path": self.path, "port": port, "scheme": "HTTP"}}
            elif self.kind is ProbeKind.TCP:
                probe = {"tcpSocket": {"port": port}}
            else:
                if not isinstance(port, int):
                    raise ValueError("a grpc probe needs a numeric port (Kubernetes does not resolve names)")
                probe = {"grpc": {"port": port}}
        probe.update(
            {
                "initialDelaySeconds": self.initial_delay_seconds,
                "periodSeconds": self.period_seconds,
                "timeoutSeconds": self.timeout_seconds,
                "failureThreshold": self.failure_threshold,
                "successThreshold": success_threshold,
            }
        )
        return probe


__all__ = ["ProbeArgs", "ProbeKind"]
