"""Rendering view models through Jinja2 templates.

A site's own templates/ folder overrides the builder's default theme file by
file. Every template is autoescaped and undefined names are errors; template
problems become diagnostics pointing at the template line.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
from markupsafe import Markup

from builder.core.diagnostics import Position, Report
from builder.core.recent import Recent
from builder.incremental.records import OutputRecord, record_output, reusable
from builder.incremental.signing import cache_key, signed, verified
from builder.site.theme import DEFAULT_THEME, Theme


def template_environment(
    theme: Theme,
    bytecode: jinja2.BytecodeCache | None = None,
    fragments: Fragments | None = None,
) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in theme.folders]),
        bytecode_cache=bytecode,
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
    environment.globals["each"] = _Each(fragments)
    return environment


class Templates:
    """The theme's templates, compiled once per build and kept compiled between builds.

    The main process compiles every template before it starts workers, which
    inherit them compiled. Compiled templates are kept in the cache, signed as
    the rest of it: loading one runs its code. They are written only when the
    build succeeds, so a failed build leaves nothing behind.
    """

    def __init__(
        self, theme: Theme, cache: Path | None, fragments: Fragments | None = None
    ) -> None:
        self._bytecode = _SignedBytecode(cache) if cache is not None else None
        self.environment = template_environment(theme, self._bytecode, fragments)

    def compile_all(self) -> None:
        """Load every page template now; one with an error is reported when it renders."""
        environment = self.environment
        for name in environment.list_templates(extensions=("html", "xml")):
            if not name.startswith("static/"):
                with contextlib.suppress(jinja2.TemplateError):
                    environment.get_template(name)

    def keep(self) -> None:
        if self._bytecode is not None:
            self._bytecode.write_pending()

    def for_another_build(self) -> Templates:
        """These templates, compiled, for a build after the one they served: what
        `once` rendered is forgotten, as its keys hold within one build only (an
        entry's card shows its summary, which an edit may change). The same `once`,
        emptied: the macros' modules, made once per template, hold it."""
        once = self.environment.globals["once"]
        assert isinstance(once, _Once)
        once.rendered.clear()
        return self


class _SignedBytecode(jinja2.BytecodeCache):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = cache_key()
        self.pending: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.key is None:
            return
        try:
            data = (self.folder / f"{bucket.key}.template").read_bytes()
        except OSError:
            return
        payload = verified(self.key, data)
        if payload is not None:
            bucket.bytecode_from_string(bytes(payload))  # checks the source's checksum too

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.key is not None:
            self.pending[bucket.key] = signed(self.key, bucket.bytecode_to_string())

    def write_pending(self) -> None:
        if not self.pending:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.pending.items():
            temporary = self.folder / f"{name}.tmp"
            temporary.write_bytes(data)
            temporary.replace(self.folder / f"{name}.template")
        self.pending.clear()


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


class Fragments(Recent[tuple[str, Hashable], Markup]):
    """Fragments a running builder keeps from build to build, each under a key
    that is its whole input: the macro's name and the item it was given.

    An edited story's title is on the entry page of each of its twenty
    entries, which list a hundred stories each: the page is rendered again,
    but of its list only the edited story's item. Kept only for one theme
    (`made_from` its digest); the least recently used go first past `limit`.
    """

    def __init__(self, limit: int = 20_000) -> None:
        super().__init__(limit)


class _Each:
    """`each(name, macro, items)`: the macro's output for every item, joined.

    The macro must depend on its item alone (import it without context) and
    the item must be a plain value, a tuple of strings say, whose equality
    means the same fragment. In a running builder each fragment is kept
    between builds under (name, item); elsewhere nothing is kept.
    """

    def __init__(self, fragments: Fragments | None) -> None:
        self.fragments = fragments

    def __call__(
        self, name: str, render: Callable[[object], str], items: Iterable[object]
    ) -> Markup:
        fragments = self.fragments
        if fragments is None:
            return Markup("".join([render(item) for item in items]))
        parts = []
        for item in items:
            key = (name, item)
            found = fragments.get(key)
            if found is None:
                found = Markup(render(item))
                fragments.put(key, found)
            parts.append(found)
        return Markup("".join(parts))


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
    except Exception as problem:
        # Besides Jinja's own errors, a call the template makes can fail: a
        # filter or global given the wrong arguments. Raised from a line of a
        # template, that is the theme's problem, reported there with the rest.
        line = _template_line(sys.exc_info()[2])
        if not isinstance(problem, jinja2.TemplateError) and line[0] is None:
            raise
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
    # The old output is as this process's last build left it (builder.build.warm):
    # a page whose key is the same stays without a look at its file.
    trusted: bool = False
    # The old output's files, each with its (size, mtime_ns), taken at the start
    # of the build (builder.build.pipeline.last_build); None: each looked at here.
    seen: Mapping[str, tuple[int, int]] | None = None

    def keeps(self, record: OutputRecord, output: str, key: str) -> bool:
        """True when the last build's page was made from the same inputs and can stay.

        Only a build that commits in place can keep pages: one that stages the
        whole site (a cold build) has no previous output beside it.
        """
        if self.staging is not None and not self.in_place:
            return False
        if self.trusted:
            return record.key == key
        if self.seen is not None:
            return record.key == key and self.seen.get(output) == (record.size, record.mtime_ns)
        # Strings, not Path objects: a warm build asks this of every page.
        return reusable(record, key, f"{os.fspath(self.old_output)}/{output}")

    def as_recorded(self, records: Mapping[str, OutputRecord]) -> Collection[str] | None:
        """The outputs `keeps` would keep at their recorded keys, asked all at once;
        None where each file must be looked at in turn. The sizes and times of an
        archive's pages are compared as two sets, not one by one (63,000 pages at
        50,000 stories)."""
        if self.staging is not None and not self.in_place:
            return frozenset()
        if self.trusted:
            return records.keys()
        if self.seen is None:
            return None
        stats = dict(zip(records, map(_SIZE_AND_TIME, records.values()), strict=True))
        unlike = {output for output, _ in stats.items() ^ self.seen.items()}
        return records.keys() - unlike

    def __getstate__(self) -> dict[str, object]:
        # Workers that render are sent the target, and never ask what it keeps.
        return {name: value for name, value in self.__dict__.items() if name != "seen"}


_SIZE_AND_TIME = itemgetter(1, 2)  # of an OutputRecord: as PageTarget.seen holds them


class PageWriter:
    """Renders pages through the theme's templates and stages them."""

    def __init__(self, templates: jinja2.Environment, target: PageTarget) -> None:
        self.templates = templates
        self.target = target
        self._folders: set[str] = set()  # staged folders known to exist
        self._staging = os.fspath(target.staging) if target.staging is not None else ""

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
        # Strings and os-level calls: a page is four system calls, not the dozen
        # of open() and stat(), and no Path objects to make for each.
        staging = self._staging
        folder, _, _ = output.rpartition("/")
        if folder not in self._folders:
            Path(staging, folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        path = f"{staging}/{output}"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _write_all(descriptor, data)
            info = os.fstat(descriptor)
        except OSError as problem:  # os.write names no file: a full disk would name none
            raise OSError(problem.errno, problem.strerror, path) from None
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
