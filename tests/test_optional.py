"""Optional dependencies: loaded on first use, quietly, and one line naming the extra when missing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from platform_components._optional import lazy_module, missing_extra, require
from platform_components.errors import MissingExtraError


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=300, check=False
    )


def test_importing_the_library_loads_no_aws_sdk_and_using_it_warns_nothing() -> None:
    proc = _python(
        "import sys, platform_components\n"
        "assert 'pulumi_aws' not in sys.modules\n"
        "from platform_components.cluster import aws\n"
        "print(aws.ec2.Vpc.__name__, aws.s3.Bucket.__name__, 'pulumi_aws' in sys.modules)\n"
    )
    assert proc.returncode == 0, proc.stderr  # -W error: a DeprecationWarning would fail here
    assert proc.stdout.split() == ["Vpc", "Bucket", "True"]


def test_a_missing_module_names_its_extra() -> None:
    with pytest.raises(MissingExtraError) as info:
        require("celpy_not_installed_here", "testing")
    assert str(info.value) == (
        "testing needs the 'all' extra (celpy_not_installed_here is not installed): "
        "pip install 'platform-components[all]'"
    )
    assert "'preview' extra" in str(missing_extra("kubernetes_validate.utils", "the offline engine"))
    missing = lazy_module("pulumi_aws_not_installed_here", "EksCluster")
    with pytest.raises(MissingExtraError, match="EksCluster needs"):
        missing.ec2  # noqa: B018


def test_an_import_error_inside_an_installed_package_is_not_hidden(tmp_path: object) -> None:
    proc = _python(
        "import sys, types, importlib.abc\n"
        "from platform_components._optional import require\n"
        "class Broken(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'yaml':\n"
        "            raise ModuleNotFoundError('No module named _yaml_helper', name='_yaml_helper')\n"
        "sys.modules.pop('yaml', None)\n"
        "sys.meta_path.insert(0, Broken())\n"
        "try:\n"
        "    require('yaml', 'x')\n"
        "except ModuleNotFoundError as exc:\n"
        "    print(type(exc).__name__, exc.name)\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["ModuleNotFoundError", "_yaml_helper"]
