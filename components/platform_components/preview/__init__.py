"""The offline engine (the ``preview`` extra): run a program under mocks, render, validate, police.

Importing any of its modules without the extra installed raises
:class:`~platform_components.errors.MissingExtraError`, one line naming the extra.
"""

from .._optional import require_installed

require_installed(
    ("kubernetes_validate", "jsonschema", "referencing", "celpy"),
    "the offline engine (platformctl preview, platform_components.testing)",
)


__all__: list[str] = []  # the modules are the API: import from them
