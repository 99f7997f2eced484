"""The environment a program deploys to, from one config key: ``platform:environment``.

Environment rules (a prod or staging database is backed up and restore-tested, protect in prod, Git
wins in staging and prod) read the label ``platform-components.io/environment`` of the objects they
judge, which is what CrossGuard sees too. The platform's own program labels its objects from its
stack file; any other program, a team's included, gets the same rules by setting::

    config:
      platform:environment: prod      # dev | staging | prod | local

(``pulumi config set platform:environment prod``; read as ``pulumi.Config("platform").get("environment")``).
Without it the stack name is used, but only when it is exactly ``dev``, ``staging`` or ``prod``; any
other stack name applies no environment (a stack called ``prod-eu`` must say so). SecureWorkload,
StatefulDatabase and MeshNamespace label their objects with the environment unless their ``labels``
already name one, and ``platformctl preview`` prints the environment applied and where it came from.

This is the one place components read Pulumi config themselves (DESIGN keeps config reading in the
program): threading the value through every component of every team program would make the
environment rules opt-in, which is what they must not be.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigError
from .kube.labels import ENVIRONMENT

ENVIRONMENT_KEY = "platform:environment"
"""The config key (namespace ``platform``, key ``environment``)."""
ENVIRONMENTS = ("dev", "staging", "prod", "local")
STACK_NAME_ENVIRONMENTS = ("dev", "staging", "prod")
"""Stack names taken as the environment when ``platform:environment`` is not set."""


@dataclass(frozen=True)
class ResolvedEnvironment:
    """The environment applied (``None``: none) and where it came from, for the preview summary."""

    name: str | None
    source: str

    def describe(self) -> str:
        if self.name is None:
            return f"none ({self.source})"
        return f"{self.name} (from {self.source})"


def resolve_environment(value: str | None, stack: str) -> ResolvedEnvironment:
    """The environment from the value of ``platform:environment`` (``None`` when unset) and the stack
    name; ConfigError for a value that is not an environment."""
    if value is not None:
        name = value.strip()
        if name not in ENVIRONMENTS:
            raise ConfigError(f"{ENVIRONMENT_KEY} is {value!r}; use one of {', '.join(ENVIRONMENTS)}")
        return ResolvedEnvironment(name, f"config {ENVIRONMENT_KEY}")
    if stack in STACK_NAME_ENVIRONMENTS:
        return ResolvedEnvironment(stack, f"the stack name '{stack}'")
    return ResolvedEnvironment(
        None,
        f"{ENVIRONMENT_KEY} is not set and the stack name '{stack}' is not dev, staging or prod; "
        "environment rules do not apply",
    )


def current_environment() -> ResolvedEnvironment:
    """The environment of the running Pulumi program (its config and stack name)."""
    import pulumi

    return resolve_environment(pulumi.Config("platform").get("environment"), pulumi.get_stack())


def labelled(labels: dict[str, str]) -> dict[str, str]:
    """``labels`` plus the environment label of the running program, unless they already name one
    (the platform's program sets it from its stack file) or no environment applies."""
    if ENVIRONMENT in labels:
        return labels
    name = current_environment().name
    return {**labels, ENVIRONMENT: name} if name is not None else labels


__all__ = [
    "ENVIRONMENTS",
    "ENVIRONMENT_KEY",
    "ResolvedEnvironment",
    "current_environment",
    "labelled",
    "resolve_environment",
]
