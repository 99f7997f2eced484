"""Container image references: ``[registry[:port]/]repository[:tag][@sha256:digest]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_REFERENCE = re.compile(
    r"^(?P<name>[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"|[a-zA-Z0-9.-]+(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)


@dataclass(frozen=True)
class ImageRef:
    name: str
    tag: str | None
    digest: str | None

    @property
    def pinned(self) -> bool:
        """A digest, or a tag other than ``latest``."""
        return self.digest is not None or (self.tag is not None and self.tag != "latest")


def parse_image(reference: str) -> ImageRef:
    match = _REFERENCE.match(reference)
    if match is None:
        raise ValueError(
            f"{reference!r} is not an image reference; expected [registry/]repository[:tag][@sha256:digest], "
            "e.g. 'ghcr.io/acme/api:1.4.2'"
        )
    return ImageRef(match.group("name"), match.group("tag"), match.group("digest"))


def check_image(reference: str) -> str:
    """Validate an image reference (for pydantic validators); returns it unchanged."""
    parse_image(reference)
    return reference


__all__ = ["ImageRef", "check_image", "parse_image"]
