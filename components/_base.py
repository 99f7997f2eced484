"""The base of every args and config model: frozen, and a typo is an error rather than a silent no-op."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, use_enum_values=False)
