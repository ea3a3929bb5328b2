"""Rendering view models through Jinja2 templates.

A site's own templates/ folder overrides the builder's default theme file by
file. Every template is autoescaped and undefined names are errors; template
problems become diagnostics pointing at the template line.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from builder.diagnostics import Position, Report

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
