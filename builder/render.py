"""Rendering view models through Jinja2 templates.

A site's own templates/ folder overrides the builder's default theme file by
file. Every template is autoescaped and undefined names are errors; template
problems become diagnostics pointing at the template line.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from builder.diagnostics import Position, Report
from builder.records import OutputRecord, record_output, reusable

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Theme:
    folders: tuple[Path, ...]  # the site's templates first, then the default theme


def theme_for(site: Path) -> Theme:
    own = site / "templates"
    folders = [own] if own.is_dir() else []
    if DEFAULT_THEME.is_dir() and DEFAULT_THEME.resolve() not in [f.resolve() for f in folders]:
        folders.append(DEFAULT_THEME)
    return Theme(tuple(folders))


def theme_digest(theme: Theme) -> str:
    """A digest of every file of the theme, so any template edit changes it."""
    hasher = hashlib.blake2b(digest_size=16)
    for folder in theme.folders:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                hasher.update(file.relative_to(folder).as_posix().encode() + b"\0")
                hasher.update(file.read_bytes() + b"\0")
    return hasher.hexdigest()


def template_environment(theme: Theme) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in theme.folders]),
        # Templates do not change during a build: no stat of every template per page.
        auto_reload=False,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["urlhost"] = url_host
    environment.globals["once"] = _Once()
    return environment


class _Once:
    """`once(key, macro, *args)`: a fragment rendered once per key and process.

    An entry's pop-over card is the same on every article that links it; a
    template names the key that fully determines the fragment.
    """

    def __init__(self) -> None:
        self.rendered: dict[object, Markup] = {}

    def __call__(self, key: object, render: Callable[..., str], *args: object) -> Markup:
        found = self.rendered.get(key)
        if found is None:
            found = self.rendered[key] = Markup(render(*args))
        return found


def url_host(url: str) -> str:
    """The host of a URL, for link text: "en.wikipedia.org"."""
    return urlsplit(url).netloc.removeprefix("www.") or url


def render_page(
    environment: jinja2.Environment, template: str, page: object, report: Report, site: Path
) -> str | None:
    """The page's text, or None with the template problem reported."""
    try:
        return environment.get_template(template).render(page=page)
    except jinja2.TemplateSyntaxError as problem:
        report.error(
            Position(_template_path(problem.filename, template, site), problem.lineno or 1),
            f"template error: {problem.message}",
        )
    except jinja2.TemplateError as problem:
        line = _template_line(sys.exc_info()[2])
        report.error(
            Position(_template_path(line[0], template, site), line[1]),
            f"template error: {problem}",
        )
    return None


@dataclass(frozen=True)
class PageTarget:
    """Where rendered pages go: the staging folder, beside the last build's output."""

    site_folder: Path  # template problems are reported relative to it
    staging: Path | None  # None when checking: render, write nothing
    old_output: Path
    in_place: bool = False  # staging holds only what changed; the rest stays in old_output

    def keeps(self, record: OutputRecord, output: str, key: str) -> bool:
        """True when the last build's page was made from the same inputs and can stay.

        Only a build that commits in place can keep pages: one that stages the
        whole site (a cold build) has no previous output beside it.
        """
        if self.staging is not None and not self.in_place:
            return False
        return reusable(record, key, self.old_output / output)


class PageWriter:
    """Renders pages through the theme's templates and stages them; one per process."""

    def __init__(self, theme: Theme, target: PageTarget) -> None:
        self.templates = template_environment(theme)
        self.target = target
        self._folders: set[str] = set()  # staged folders known to exist

    def page(
        self, output: str, template: str, view: object, report: Report, key: str
    ) -> tuple[str, OutputRecord] | None:
        """Render and stage a page; None when checking or when the template failed."""
        text = render_page(self.templates, template, view, report, self.target.site_folder)
        if text is None or self.target.staging is None:
            return None
        return self.write(output, text.encode("utf-8"), key)

    def write(self, output: str, data: bytes, key: str) -> tuple[str, OutputRecord]:
        """Stage a file, or, in place, keep the old one where its bytes are the same."""
        target = self.target
        assert target.staging is not None
        if target.in_place:
            old_file = target.old_output / output
            if old_file.is_file() and old_file.read_bytes() == data:
                return output, record_output(old_file, key)
        folder, _, _ = output.rpartition("/")
        if folder not in self._folders:
            (target.staging / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        # os-level calls: a page is four system calls, not the dozen of open() and stat().
        descriptor = os.open(target.staging / output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _write_all(descriptor, data)
            info = os.fstat(descriptor)
        finally:
            os.close(descriptor)
        return output, OutputRecord(key, info.st_size, info.st_mtime_ns)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _template_path(filename: str | None, fallback: str, site: Path) -> str:
    if not filename:
        return f"templates/{fallback}"
    file = Path(filename).resolve()
    for base in (site.resolve(), DEFAULT_THEME.parent):
        if base in file.parents:
            return file.relative_to(base).as_posix()
    return f"templates/{file.name}"


def _template_line(trace: TracebackType | None) -> tuple[str | None, int]:
    """The innermost template frame of a traceback: Jinja maps its lines back."""
    found: tuple[str | None, int] = (None, 1)
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".j2")):
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


def static_files(theme: Theme, report: Report) -> dict[str, bytes]:
    """Files under each theme's static/ folder, the site's own winning.

    A file that is a link leading out of its theme folder is refused: it could
    publish anything the builder can read.
    """
    files: dict[str, bytes] = {}
    for folder in reversed(theme.folders):
        static = folder / "static"
        if not static.is_dir():
            continue
        inside = folder.resolve()
        for file in sorted(static.rglob("*")):
            if not file.is_file() or file.name.startswith("."):
                continue
            name = f"static/{file.relative_to(static).as_posix()}"
            if inside not in file.resolve().parents:
                report.error(
                    Position(f"templates/{name}"),
                    "symbolic link leads outside the templates folder; copy the file instead",
                )
                continue
            files[name] = file.read_bytes()
    return files
