"""The base of every args and config model (frozen; a typo is an error, not a silent no-op), and `plain`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, use_enum_values=False)


def plain(value: Any) -> Any:
    """Plain dicts for pulumi_aws input types: the SDK accepts them, its TypedDicts are too strict for
    mypy to see that."""
    return value
