"""Shared helpers: tiny real sites written into tmp_path, and the CLI run in-process.

Most tests write a small site (the minimal one below, with some files replaced),
run `check` or `build` through ``builder.cli.main`` and compare what reaches
stderr line by line, exactly as an editor would read it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.commands.cli import main

TESTS = Path(__file__).parent
SEED_SITE = TESTS.parent  # the repository is also the example site
SEED_ARTICLE = "world/putin-kim-rifles"

SITE_YAML = "site.yaml"
PEOPLE = "content/glossary/people.yaml"
TERMS = "content/glossary/terms.yaml"
ARTICLE = "content/world/story/article.md"
WHO = "content/world/story/who.yaml"
WHAT = "content/world/story/what.yaml"
WHERE = "content/world/story/where.yaml"
BACKGROUND = "content/world/story/background.yaml"

# A valid site that draws no warning: every entry has a summary, no fact has an
# as_of, and the article mentions what the sidecars list.
MINIMAL_SITE: dict[str, str] = {
    SITE_YAML: "title: Test site\nbase_url: https://example.org/news/\n",
    PEOPLE: (
        "- id: vladimir-putin\n"
        "  name: Vladimir Putin\n"
        "  kind: person\n"
        "  aliases: [Putin]\n"
        "  summary: President of Russia.\n"
        "- id: kim-jong-un\n"
        "  name: Kim Jong Un\n"
        "  kind: person\n"
        "  aliases: [Kim]\n"
        "  summary: Leader of North Korea.\n"
    ),
    ARTICLE: (
        "---\ntitle: A story\nsection: World\ndate: 2023-09-15\n---\n"
        "Vladimir Putin met Kim Jong Un.\n"
    ),
}

# A file's new text or bytes; None removes a file of the minimal site.
Files = Mapping[str, str | bytes | None]

DIAGNOSTIC = re.compile(r"^\S[^:]*:\d+:\d+: (error|warning): ")
SUMMARY = re.compile(r"^\d+ errors?, \d+ warnings? in \d+ files?$")


def write_files(root: Path, files: Files) -> Path:
    for relative, data in files.items():
        target = root / relative
        if data is None:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8", newline="")
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below a folder, hidden ones included, by relative path."""
    return {
        file.relative_to(folder).as_posix(): file.read_bytes()
        for file in sorted(folder.rglob("*"))
        if file.is_file()
    }


def same_as_clean(site: Path, out: Path, tmp_path: Path) -> bool:
    """Whether the output equals a clean build's of the same site, byte for byte."""
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(BuildOptions(site=site, out=clean, clean=True, workers=1))
    return snapshot(out) == snapshot(clean)


VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass
class Call:
    """One call to a function a test watches: its arguments, and what it returned
    (None while it runs, or when it raised)."""

    args: tuple[Any, ...]
    result: Any = None


def calls_to(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Call]:
    """Every call to `owner.name` made in this process from now on, which still
    does what it did. A call in a forked child is the child's alone."""
    real = getattr(owner, name)
    calls: list[Call] = []

    def watched(*args: Any, **named: Any) -> Any:
        call = Call(args)
        calls.append(call)  # before the call: one that raises is counted too
        call.result = real(*args, **named)
        return call.result

    monkeypatch.setattr(owner, name, watched)
    return calls


@dataclass
class Anchor:
    """One <a> of a page, with where it stands."""

    attrs: dict[str, str]
    text: str = ""
    in_heading: bool = False
    in_article_body: bool = False
    under_h2: str | None = None  # the text of the last <h2> before it


@dataclass
class Page:
    """What the tests read from an HTML page: its links and its marked elements."""

    anchors: list[Anchor] = field(default_factory=list)
    hrefs: list[tuple[str, str]] = field(default_factory=list)  # (tag, href or src)
    article_bodies: int = 0
    factboxes: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[str] = []
        self.body_depth: int | None = None
        self.anchor: Anchor | None = None
        self.h2_text: str | None = None
        self.last_h2: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        for name in ("href", "src"):
            if name in found:
                self.page.hrefs.append((tag, found[name]))
        if "data-article-body" in found:
            self.page.article_bodies += 1
            self.body_depth = len(self.open)
        if tag == "aside" and "data-factbox" in found:
            self.page.factboxes.append(found["data-factbox"])
        if tag == "a":
            self.anchor = Anchor(
                found,
                in_heading=any(t in HEADINGS for t in self.open),
                in_article_body=self.body_depth is not None,
                under_h2=self.last_h2,
            )
            self.page.anchors.append(self.anchor)
        if tag == "h2":
            self.h2_text = ""
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS or tag not in self.open:
            return
        while self.open and self.open.pop() != tag:
            pass
        if self.body_depth is not None and len(self.open) <= self.body_depth:
            self.body_depth = None
        if tag == "a":
            self.anchor = None
        if tag == "h2" and self.h2_text is not None:
            self.last_h2, self.h2_text = self.h2_text.strip(), None

    def handle_data(self, data: str) -> None:
        if self.anchor is not None:
            self.anchor.text += data
        if self.h2_text is not None:
            self.h2_text += data


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def read_page(path: Path) -> Page:
    return parse_page(path.read_text(encoding="utf-8"))


@contextmanager
def no_cache_left_in(site: Path) -> Iterator[None]:
    """Remove what builds in this block add to the site's .cache/ folder.

    A build keeps a cache per output folder under the site folder; builds of the
    repository's own site into temporary folders must not pile them up there.
    """
    cache = site / ".cache"
    before = set(cache.rglob("*")) if cache.exists() else None
    try:
        yield
    finally:
        if before is None:
            shutil.rmtree(cache, ignore_errors=True)
        elif cache.exists():
            for path in sorted(set(cache.rglob("*")) - before, reverse=True):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Run:
    """What one run of the command line returned and printed."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()

    @property
    def problems(self) -> list[str]:
        """The `PATH:LINE:COL: error: MESSAGE` lines, in the order printed."""
        return [line for line in self.lines if DIAGNOSTIC.match(line)]

    @property
    def errors(self) -> list[str]:
        return [line for line in self.problems if ": error: " in line]


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """Write the minimal site with some files replaced; return its folder."""

    def make(files: Files | None = None, *, base: Files = MINIMAL_SITE) -> Path:
        return write_files(tmp_path / "site", {**base, **(files or {})})

    return make


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run `python -m builder ARGS` in this process."""

    def run(*args: str | Path) -> Run:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def check(cli: Callable[..., Run]) -> Callable[[Path], Run]:
    """Run `check` on a site that must have errors, and return what it printed."""

    def run(site: Path) -> Run:
        result = cli("check", "--site", site)
        assert result.code == 1, result.err
        assert "Traceback" not in result.err
        assert SUMMARY.match(result.lines[-1]), result.err
        return result

    return run


@pytest.fixture
def check_ok(cli: Callable[..., Run]) -> Callable[[Path], Run]:
    """Run `check` on a site that must be valid and draw no warning."""

    def run(site: Path) -> Run:
        result = cli("check", "--site", site)
        assert (result.code, result.err) == (0, "")
        return result

    return run


def run_subprocess(*args: str | Path, cwd: Path, env: Mapping[str, str] | None = None) -> Run:
    """Run `python -m builder ARGS` in a fresh interpreter, as an editor does."""
    completed = subprocess.run(
        [sys.executable, "-m", "builder", *(str(arg) for arg in args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)
