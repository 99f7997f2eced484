"""Packaging invariants: the public API, the program folder that must not be a package, typing marker."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import platform_components
from platform_components.cli import pack_directory

ROOT = Path(__file__).resolve().parent.parent


def _isort_style_key(name: str) -> tuple[int, list[tuple[int, int | str]]]:
    """The order ruff's RUF022 (``isort``-style) enforces: CONSTANTS, then Classes, then functions,
    each in natural order (``a2`` before ``a10``)."""
    if name.isupper() and len(name) > 1:
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    parts = re.split(r"(\d+)", name)
    natural = [(0, int(part)) if part.isdigit() else (1, part) for part in parts if part]
    return group, natural


def test_all_is_sorted_and_unique() -> None:
    names = list(platform_components.__all__)
    assert names == sorted(names, key=_isort_style_key)
    assert len(names) == len(set(names))


def test_every_name_in_all_exists() -> None:
    missing = [name for name in platform_components.__all__ if not hasattr(platform_components, name)]
    assert missing == []


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from platform_components import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(platform_components.__all__)


def test_platform_folder_is_not_a_package() -> None:
    assert (ROOT / "platform" / "__main__.py").is_file()
    assert not (ROOT / "platform" / "__init__.py").exists()
    assert list((ROOT / "platform").rglob("__init__.py")) == []


def test_stdlib_platform_still_imports_with_the_repo_root_on_sys_path() -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import platform; print(platform.system()); print(platform.__file__)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    system, module_file = proc.stdout.splitlines()
    assert system
    assert Path(module_file).resolve().parent != (ROOT / "platform").resolve()
    assert not Path(module_file).resolve().is_relative_to(ROOT.resolve())


def test_stdlib_platform_in_this_process() -> None:
    import platform

    assert callable(platform.system)
    assert platform.system()


def test_py_typed_marker() -> None:
    assert (ROOT / "components" / "platform_components" / "py.typed").is_file()
    assert (Path(platform_components.__file__).parent / "py.typed").is_file()


def test_policy_pack_directory_is_not_a_package() -> None:
    pack = pack_directory()
    assert pack == ROOT / "components" / "platform_components" / "policies" / "pack"
    assert (pack / "PulumiPolicy.yaml").is_file()
    assert (pack / "__main__.py").is_file()
    assert not (pack / "__init__.py").exists()
