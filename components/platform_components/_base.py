"""The base of every args and config model (frozen; a typo is an error, not a silent no-op), and `plain`."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("platform_components_model_depth", default=0)
"""How many StrictModel constructors are running (pydantic calls a custom ``__init__`` for nested
models too): only the outermost one turns a pydantic error into a one-line error."""
_RAW: contextvars.ContextVar[bool] = contextvars.ContextVar("platform_components_raw_errors", default=False)


@contextlib.contextmanager
def raw_validation_errors() -> Iterator[None]:
    """Let pydantic's ``ValidationError`` through, for callers that locate it themselves (the stack
    file loader adds the file, the line and the YAML path)."""
    token = _RAW.set(True)
    try:
        yield
    finally:
        _RAW.reset(token)


class StrictModel(BaseModel):
    """Frozen, unknown keys refused; a bad argument in Python code is one line with the model, the
    field and the fix, as in stack files (``SecureWorkloadArgs.imgae: unknown key 'imgae'; did you
    mean 'image'?``), raised as :class:`~platform_components.errors.ConfigError`."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, use_enum_values=False)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """pydantic's ``model_validate``, raising pydantic's ``ValidationError`` as it documents (the
        one-line form is for constructor calls in Python code)."""
        with raw_validation_errors():
            return super().model_validate(obj, *args, **kwargs)

    def __init__(self, /, **data: Any) -> None:
        depth = _DEPTH.get()
        token = _DEPTH.set(depth + 1)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            if depth or _RAW.get():
                raise
            from .config import format_validation_error  # config builds on this module

            raise format_validation_error(exc, root=type(self).__name__) from None
        finally:
            _DEPTH.reset(token)


def plain(value: Any) -> Any:
    """Plain dicts for pulumi_aws input types: the SDK accepts them, its TypedDicts are too strict for
    mypy to see that."""
    return value
