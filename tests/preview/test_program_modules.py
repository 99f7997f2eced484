"""After a run the engine forgets the modules the program imported from its folder, and only
those: installed packages stay loaded, even from a virtualenv inside the folder (``myproj/.venv``
next to ``myproj/__main__.py``, the usual layout of a team's project)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from platform_components.preview.engine import ProgramFiles
from platform_components.testing import preview_project

SITE = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"

PROGRAM = """\
import pulumi
import pulumi_kubernetes as k8s

import helpers
import {sdk}.lazy

k8s.core.v1.ConfigMap("settings", metadata={{"namespace": "apps"}}, data={{"v": helpers.VALUE}})
pulumi.export("answer", {sdk}.lazy.answer() + helpers.VALUE)
"""


def _project(root: Path, sdk: str) -> Path:
    root.mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (root / "Pulumi.dev.yaml").write_text("config: {}\n")
    (root / "__main__.py").write_text(PROGRAM.format(sdk=sdk))
    (root / "helpers.py").write_text("VALUE = '-own'\n")
    return root


def _package(site: Path, name: str) -> Path:
    """An installed package whose submodule ``lazy`` is first imported by the program (like the
    submodules pulumi_kubernetes imports lazily)."""
    package = site / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from ._names import NAME\n")
    (package / "_names.py").write_text("NAME = 'installed'\n")
    (package / "lazy.py").write_text(f"from {name} import NAME\n\n\ndef answer():\n    return NAME\n")
    return package


@pytest.fixture
def clean_modules() -> Iterator[None]:
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.split(".")[0] in {"helpers", "venvsdk", "cfgsdk", "othersdk"}:
            del sys.modules[name]


def _run_twice(project: Path, sdk: str) -> None:
    first = preview_project(project, stack="dev")
    assert first.outputs == {"answer": "installed-own"}
    installed = {name: sys.modules.get(name) for name in (sdk, f"{sdk}._names", f"{sdk}.lazy")}
    assert all(installed.values()), f"an installed package was forgotten: {installed}"
    assert "helpers" not in sys.modules, "the program's own module must be imported afresh next run"
    (project / "helpers.py").write_text("VALUE = '-changed'\n")
    second = preview_project(project, stack="dev")
    assert second.outputs == {"answer": "installed-changed"}
    assert sorted(r.urn for r in second.resources) == sorted(r.urn for r in first.resources)
    assert {name: sys.modules.get(name) for name in installed} == installed  # imported once


def test_a_virtualenv_inside_the_program_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_modules: None
) -> None:
    project = _project(tmp_path / "myproj", "venvsdk")
    venv = project / ".venv"
    _package(venv / SITE, "venvsdk")
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    monkeypatch.syspath_prepend(str(venv / SITE))
    import venvsdk  # noqa: F401 (like pulumi: imported before the run, its submodule during it)

    _run_twice(project, "venvsdk")


def test_a_virtualenv_found_by_its_pyvenv_cfg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_modules: None
) -> None:
    """A virtualenv whose packages directory is not called site-packages is still not the program's."""
    project = _project(tmp_path / "myproj", "cfgsdk")
    env = project / "env"
    _package(env / "packages", "cfgsdk")
    (env / "pyvenv.cfg").write_text("home = /usr/bin\n")
    monkeypatch.syspath_prepend(str(env / "packages"))
    _run_twice(project, "cfgsdk")


def test_a_virtualenv_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_modules: None) -> None:
    project = _project(tmp_path / "myproj", "othersdk")
    elsewhere = tmp_path / "venvs" / "myproj" / SITE
    _package(elsewhere, "othersdk")
    monkeypatch.syspath_prepend(str(elsewhere))
    _run_twice(project, "othersdk")


def test_the_programs_own_packages_are_forgotten(tmp_path: Path, clean_modules: None) -> None:
    project = tmp_path / "myproj"
    (project / "helpers" / "deep").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / "helpers" / "__init__.py").write_text("")
    (project / "helpers" / "deep" / "names.py").write_text("NAME = 'first'\n")  # in a namespace package
    (project / "__main__.py").write_text(
        "import pulumi\nfrom helpers.deep import names\npulumi.export('name', names.NAME)\n"
    )
    assert preview_project(project, stack="dev").outputs == {"name": "first"}
    assert not [name for name in sys.modules if name.split(".")[0] == "helpers"]
    (project / "helpers" / "deep" / "names.py").write_text("NAME = 'second'\n")
    assert preview_project(project, stack="dev").outputs == {"name": "second"}


# --------------------------------------------------------------------------------------------------
# ProgramFiles: which files are the program's own


def test_program_files(tmp_path: Path) -> None:
    folder = tmp_path / "myproj"
    (folder / ".venv").mkdir(parents=True)
    (folder / ".venv" / "pyvenv.cfg").write_text("")
    own = ProgramFiles(folder)
    assert own.owns(str(folder / "__main__.py"))
    assert own.owns(str(folder / "lib" / "helpers.py"))
    assert own.owns(str(folder / "site-packages.py"))  # a file name, not a packages directory
    assert not own.owns(str(folder / ".venv" / SITE / "pulumi" / "__init__.py"))
    assert not own.owns(str(folder / ".venv" / "lib" / "anything.py"))
    assert not own.owns(str(folder / "vendor" / "dist-packages" / "x.py"))
    assert not own.owns(str(folder / "build" / "site-packages" / "x.py"))
    assert not own.owns(str(tmp_path / "elsewhere.py"))
    assert not own.owns(str(tmp_path / "myproj-other" / "x.py"))


@pytest.mark.parametrize("prefix", ["prefix", "base_prefix", "exec_prefix"])
def test_program_files_under_the_interpreters_prefixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    folder = tmp_path / "myproj"
    monkeypatch.setattr(sys, prefix, str(folder / "python"))
    own = ProgramFiles(folder)
    assert not own.owns(str(folder / "python" / "lib" / "module.py"))
    assert own.owns(str(folder / "__main__.py"))


def test_a_program_folder_inside_the_interpreters_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``/usr/src/app`` with the interpreter in ``/usr``: the prefix says nothing about the program."""
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path / "usr"))
    folder = tmp_path / "usr" / "src" / "app"
    own = ProgramFiles(folder)
    assert own.owns(str(folder / "__main__.py"))
    assert own.owns(str(folder / "helpers.py"))
    assert not own.owns(str(folder / ".venv" / SITE / "pulumi" / "__init__.py"))


def test_the_module_scan_does_not_load_lazy_modules(tmp_path: Path) -> None:
    """pulumi's SDKs import sub-packages lazily; reading their location must not run them (pulumi-aws
    7.13's would warn, and loading every SDK sub-package costs seconds)."""
    import importlib.util

    from platform_components.preview.engine import _module_location

    source = tmp_path / "lazy_probe.py"
    source.write_text("import builtins\nbuiltins.lazy_probe_ran = True\n")
    spec = importlib.util.spec_from_file_location("lazy_probe", source)
    assert spec is not None and spec.loader is not None
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import builtins

    assert _module_location(module) == str(source)
    assert not hasattr(builtins, "lazy_probe_ran")
