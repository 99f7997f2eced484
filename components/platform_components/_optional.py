"""Optional dependencies: which extra brings which package, and one clear line when it is missing.

The core install is what a team's workload-only program needs for ``pulumi up`` and for the
CrossGuard pack (``pulumi``, ``pulumi-kubernetes``, ``pulumi-random``, ``pulumi-policy``, pydantic,
PyYAML). The rest is behind extras:

==========  =====================================================  ==============================
extra       packages                                               needed for
==========  =====================================================  ==============================
``aws``     pulumi-aws                                             EksCluster, Karpenter, database
                                                                   backups, EKS access entries
``preview`` kubernetes-validate, jsonschema, referencing,          ``platformctl preview``,
            cel-python                                             ``platform_components.testing``
``all``     both, plus moto (boto3)                                previews of programs with AWS
                                                                   resources (AWS's refusals,
                                                                   reproduced by moto)
==========  =====================================================  ==============================

Modules that use an optional package bind it with :func:`lazy_module`: nothing is imported until
the first attribute is read, so ``import platform_components`` never loads pulumi-aws (about a
second of start-up and most of the install's size) unless an AWS component is actually used.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Final

from .errors import MissingExtraError

DISTRIBUTION: Final = "platform-components"

EXTRA_OF: Final[dict[str, str]] = {
    "pulumi_aws": "aws",
    "kubernetes_validate": "preview",
    "jsonschema": "preview",
    "referencing": "preview",
    "celpy": "preview",
    "moto": "all",
    "boto3": "all",
    "botocore": "all",
}
"""Top-level import name -> the extra that installs it."""

SUBMODULES: Final[dict[str, tuple[str, ...]]] = {
    "pulumi_aws": ("cloudwatch", "ec2", "eks", "iam", "kms", "s3", "sqs"),
}
"""Sub-packages loaded with the package, under :func:`_quiet_deprecations`: pulumi-aws 7 warns at
*import* time about every deprecated resource class of a sub-package (``s3.BucketV2``, …), so
``aws.s3.Bucket`` printed 22 DeprecationWarnings in every team's test run although the library uses
none of those classes. The warnings are the SDK's, about code we do not call: they are silenced at
this one place, not in anybody's pytest configuration."""


def missing_extra(module: str, purpose: str) -> MissingExtraError:
    """The one-line error for ``module`` missing while doing ``purpose``."""
    top = module.partition(".")[0]
    extra = EXTRA_OF.get(top, "all")
    return MissingExtraError(
        f"{purpose} needs the '{extra}' extra ({top} is not installed): pip install '{DISTRIBUTION}[{extra}]'"
    )


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra that installs it.

    Only the absence of ``module`` itself (or of its top-level package) is translated: an import
    error *inside* an installed package is a real bug and propagates unchanged."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.partition(".")[0]
        if exc.name not in (module, top):
            raise
        raise missing_extra(module, purpose) from None


def require_installed(modules: tuple[str, ...], purpose: str) -> None:
    """Raise :class:`MissingExtraError` for the first of ``modules`` that is not installed, without
    importing any of them (a lookup of the module spec only)."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise missing_extra(module, purpose)


@contextlib.contextmanager
def _quiet_deprecations() -> Iterator[None]:
    """Ignore DeprecationWarnings while this block imports an SDK (some pulumi-aws releases attribute
    them to ``importlib`` rather than to their own modules, so the filter cannot go by module)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


class LazyModule(ModuleType):
    """A module imported on first attribute access (``aws.ec2.Vpc(...)`` imports ``pulumi_aws``).

    Unlike :class:`importlib.util.LazyLoader` nothing is put into ``sys.modules`` before the first
    use, so "is pulumi-aws loaded?" keeps its plain meaning."""

    def __init__(self, name: str, purpose: str) -> None:
        super().__init__(name)
        self._lazy_purpose = purpose
        self._lazy_module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._lazy_module is None:
            with _quiet_deprecations():
                module = require(self.__name__, self._lazy_purpose)
                for sub in SUBMODULES.get(self.__name__, ()):
                    submodule = importlib.import_module(f"{self.__name__}.{sub}")
                    # pulumi-aws imports its sub-packages lazily: reading any attribute runs them
                    hasattr(submodule, "_platform_components_load")
            self._lazy_module = module
        return self._lazy_module

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_lazy_"):
            raise AttributeError(attr)
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        state = "loaded" if self._lazy_module is not None else "not loaded yet"
        return f"<lazy module {self.__name__!r} ({state})>"


def ensure_loaded(module: Any) -> None:
    """Import a :func:`lazy_module` now, so that a component with a missing extra fails before it
    registers anything (nothing half-applied)."""
    if isinstance(module, LazyModule):
        module._load()


def lazy_module(name: str, purpose: str) -> Any:
    """``name``, imported on first use; ``purpose`` completes "… needs the 'aws' extra"."""
    return LazyModule(name, purpose)


__all__ = [
    "EXTRA_OF",
    "LazyModule",
    "MissingExtraError",
    "ensure_loaded",
    "lazy_module",
    "missing_extra",
    "require",
    "require_installed",
]
