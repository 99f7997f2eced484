"""The documentation site (mkdocs.yml): it builds strictly, its generated parts are complete, its
commands are the ones CI runs, and its search finds a component's page in a real browser.

The browser test drives Debian's headless Chromium through Debian's chromedriver (selenium with the
driver's path set, so nothing is downloaded) against the built site served on loopback. Without
Chromium it skips locally and fails under CI (``CI`` set), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from platform_components._reference import SECTIONS
from platform_components.policies import rule_catalogue
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "mkdocs.yml"
DOCS = ROOT / "docs"
GETTING_STARTED = (DOCS / "getting-started.md").read_text(encoding="utf-8")
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
    # the site loads nothing from elsewhere; should it try, no name resolves but loopback
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def _bash_blocks(page: str) -> list[list[str]]:
    """The command lines of each ``bash`` block of a page."""
    return [
        [line.strip() for line in block.split("```", 1)[0].splitlines() if line.strip()]
        for block in page.split("```bash\n")[1:]
    ]


def site_command() -> list[str]:
    """The build command the getting-started page shows, less its ``uv run`` prefix."""
    (command,) = _bash_blocks(GETTING_STARTED)[-1]
    prefix = ".tools/bin/uv run "
    assert command.startswith(prefix), command
    return command.removeprefix(prefix).split()


def build(config: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run the page's build command with this config file and site directory."""
    command = site_command()
    command[command.index("--site-dir") + 1] = str(site_dir)
    return subprocess.run(
        [sys.executable, "-m", *command, "--config-file", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def warnings_of(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (proc.stdout + proc.stderr).splitlines() if "WARNING" in line]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    site_dir = tmp_path_factory.mktemp("site")
    return site_dir, build(CONFIG, site_dir)


@pytest.fixture(scope="module")
def site(built: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    site_dir, proc = built
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{proc.stderr}")
    return site_dir


def page_html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# The build


def test_the_site_builds_strictly_without_warnings(
    built: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    site_dir, proc = built
    assert proc.returncode == 0, proc.stderr
    assert warnings_of(proc) == []
    assert (site_dir / "index.html").is_file() and (site_dir / "search" / "search_index.json").is_file()


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    """The same configuration over a copy of the pages, one of them with a link to nothing."""
    docs = shutil.copytree(DOCS, tmp_path / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    with (docs / "index.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the missing page](no-such-page.md).\n")
    text = CONFIG.read_text(encoding="utf-8")
    for old, new in {
        "docs_dir: docs\n": f"docs_dir: {docs}\n",
        "  - docs/hooks/generated.py\n": f"  - {DOCS / 'hooks' / 'generated.py'}\n",
        "paths: [components]\n": f"paths: [{ROOT / 'components'}]\n",
    }.items():
        assert text.count(old) == 1, f"mkdocs.yml no longer has {old!r}: update this test"
        text = text.replace(old, new)
    config = tmp_path / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    proc = build(config, tmp_path / "site")
    assert proc.returncode != 0
    assert any("index.md" in line and "no-such-page.md" in line for line in warnings_of(proc)), proc.stderr


def test_an_unknown_model_fails_the_build_with_one_line() -> None:
    sys.path.insert(0, str(DOCS / "hooks"))
    try:
        import generated
    finally:
        sys.path.remove(str(DOCS / "hooks"))
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match=r"^components/x\.md: <!-- args: \.\.\. --> names \['NoSuchArgs'\]"):
        generated.args_tables(["SecureWorkloadArgs", "NoSuchArgs"], "components/x.md")
    with pytest.raises(PluginError):
        generated.args_tables(["platform_components.workload._private"], "components/x.md")


# --------------------------------------------------------------------------------------------------
# What is generated


def _documented_models() -> dict[str, str]:
    """Each model an ``<!-- args: ... -->`` marker names: the page (its path in the site) naming it."""
    pages: dict[str, str] = {}
    for page in sorted(DOCS.rglob("*.md")):
        for names in re.findall(r"^<!-- args:([^>]*) -->$", page.read_text(encoding="utf-8"), re.MULTILINE):
            site_path = page.relative_to(DOCS).with_suffix("").as_posix()
            for name in names.split():
                pages.setdefault(name, site_path)
    return pages


def _model(name: str) -> type[BaseModel]:
    import importlib

    module, _, attribute = name.rpartition(".")
    model = getattr(importlib.import_module(module or "platform_components"), attribute)
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


def _section(page: str, anchor: str) -> str:
    """The HTML from the heading with this id to the next heading of level 2 or 3."""
    start = page.index(f'<h3 id="{anchor}">')
    return re.split(r"<h[23] ", page[start + 4 :], maxsplit=1)[0]


def test_every_reference_model_is_on_a_page() -> None:
    documented = set(_documented_models())
    missing = {model.__name__ for models in SECTIONS.values() for model in models} - documented
    assert sorted(missing) == [], "add them to an <!-- args: ... --> marker of a component page"


def test_each_argument_table_lists_every_field_of_its_model(site: Path) -> None:
    documented = _documented_models()
    assert len(documented) >= sum(len(models) for models in SECTIONS.values())
    for name, path in documented.items():
        model = _model(name)
        table = _section(page_html(site, path), model.__name__.lower())
        rows = re.findall(r"<tr>\s*<td><code>([^<]*)</code></td>", table)
        assert rows == list(model.model_fields), f"{path}: the table of {name}"


def test_each_component_page_has_its_class_reference(site: Path) -> None:
    pages = {
        "SecureWorkload": ("components/secure-workload", "service_name"),
        "StatefulDatabase": ("components/stateful-database", "host"),
        "MeshNamespace": ("components/mesh-namespace", "namespace"),
        "KarpenterNodePool": ("components/karpenter-node-pool", None),
        "GitOpsBootstrap": ("components/gitops-bootstrap", "namespace"),
        "EksCluster": ("components/eks-cluster", "endpoint"),
        "PlatformEnvironment": ("components/platform-environment", "namespaces"),
    }
    for component, (path, output) in pages.items():
        text = page_html(site, path)
        assert f'id="platform_components.{component}"' in text, path
        assert ":class:" not in text, f"{path}: a Sphinx role shown raw (docs/hooks/generated.py)"
        if output:
            assert f'id="platform_components.{component}.{output}"' in text, f"{path}: output {output}"


def test_the_rule_catalogue_lists_every_rule(site: Path) -> None:
    rules = rule_catalogue()
    text = page_html(site, "reference/rules")
    entries = re.findall(r'<h3 id="([^"]+)">', text)
    assert entries == [str(rule["id"]) for rule in rules if rule["kind"] == "resource"] + [
        str(rule["id"]) for rule in rules if rule["kind"] == "stack"
    ]
    for rule in rules:
        entry = _section(text, str(rule["id"]))
        for value in (rule["severity"], rule["enforcement"], rule["enforced_at"], rule["preview_only"]):
            assert html.escape(str(value), quote=False) in entry, (rule["id"], value)
        assert _item(entry, "fix") == str(rule["fix"]).replace("`", ""), rule["id"]
        assert f"exempt.{rule['id']}" in _item(entry, "exemption"), rule["id"]


def _item(entry: str, label: str) -> str:
    """The text of a catalogue entry's list item ``<strong>label</strong>: ...``, without markup."""
    match = re.search(rf"<li><strong>{label}</strong>: (.*?)</li>", entry, re.DOTALL)
    assert match, f"no {label} item in {entry}"
    return html.unescape(re.sub(r"<[^>]+>", "", match[1]))


# --------------------------------------------------------------------------------------------------
# The commands the pages show


def test_getting_started_shows_the_readme_quick_start() -> None:
    """The page's first block is the README's two commands (tests/test_readme.py holds those to .ci/run)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start")[1].split("```bash\n")[1].split("```")[0].strip().splitlines()
    assert len(quick_start) == 2
    assert _bash_blocks(GETTING_STARTED)[0] == quick_start


def test_the_site_command_is_the_strict_build_the_tests_run() -> None:
    assert site_command() == ["mkdocs", "build", "--strict", "--site-dir", "out/site"]
    # The README shows the same command (the build above is what runs it).
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [".tools/bin/uv run " + " ".join(site_command())] in _bash_blocks(readme)


# --------------------------------------------------------------------------------------------------
# In a browser


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class names it)
        pass


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    """The built site over HTTP on loopback: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _browser_or_skip() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if not missing:
        return
    reason = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (.ci/run installs them)")
    pytest.skip(reason)


def test_search_finds_the_component_page_in_a_browser(served: str, tmp_path: Path) -> None:
    _browser_or_skip()
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        driver.get(f"{served}/components/secure-workload/")
        assert "SecureWorkload" in driver.title
        box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
        box.click()
        box.send_keys("SecureWorkload")

        paths: list[str] = []

        def found(_: object) -> bool:
            # Search re-renders its results as the index answers: a link read a moment after it was
            # found may be gone (stale), so the wait reads the list again until the page is in it.
            links = driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item a.md-search-result__link")
            paths[:] = [urlparse(link.get_attribute("href") or "").path for link in links]
            return "/components/secure-workload/" in paths

        wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
        try:
            wait.until(found)
        except TimeoutException:
            pytest.fail(f"no search result links to /components/secure-workload/ after 30 s: {paths}")
    finally:
        driver.quit()
