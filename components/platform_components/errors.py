"""Errors raised by platform-components.

Exception tree::

    pulumi.RunError
     └── PlatformError            base of everything this library raises on purpose
          ├── ConfigError         bad input: a stack file, an args model, a CLI argument (exit 2)
          ├── MissingExtraError   an optional dependency is missing; names the extra (exit 2)
          └── PreviewError        the offline engine could not run a program (exit 2)
               └── SdkCompatibilityError  the installed Pulumi SDK lacks an internal the engine needs

``PlatformError`` derives from :class:`pulumi.RunError` so that a real ``pulumi up`` prints the
message alone instead of a traceback, exactly like ``platformctl preview`` does.
"""

from __future__ import annotations

import pulumi


class PlatformError(pulumi.RunError):
    """Base class for errors this library raises deliberately; ``str()`` is the user-facing message."""


class ConfigError(PlatformError, ValueError):
    """Invalid configuration: names the file (when known), the field path and the fix."""

    def __init__(self, message: str, *, source: str | None = None, path: str | None = None) -> None:
        self.source = source
        self.path = path
        self.detail = message
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{message}")


class MissingExtraError(PlatformError):
    """An optional dependency is not installed; the message names the extra that brings it."""


class PreviewError(PlatformError):
    """The offline engine could not load or run a Pulumi program."""


class SdkCompatibilityError(PreviewError):
    """The installed Pulumi SDK lacks something the offline engine needs; names the installed
    version and the supported range."""


__all__ = ["ConfigError", "MissingExtraError", "PlatformError", "PreviewError", "SdkCompatibilityError"]
