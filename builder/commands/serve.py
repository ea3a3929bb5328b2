"""`serve`: a local preview that rebuilds on save and reloads the open page.

Built on MkDocs' live-reload server, which watches the files, serves the
output and long-polls for reloads. A failed rebuild keeps the last good pages
and shows the problems in the terminal and as a banner on every page.
"""

from __future__ import annotations

import html
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from mkdocs.livereload import LiveReloadServer

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.core.diagnostics import ContentError, Severity, UsageError

HOST = "127.0.0.1"


class PreviewServer(LiveReloadServer):
    """The live-reload server, plus a banner listing the current problems."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.problems: list[str] = []
        self.problems_lock = threading.Lock()

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        content = super()._inject_js_into_html(_without_csp(content), epoch)
        with self.problems_lock:
            problems = list(self.problems)
        if not problems:
            return content
        return _with_banner(content, problems)


def _without_csp(content: bytes) -> bytes:
    """The preview's reload script is inline, which the pages' own policy forbids."""
    start = content.find(b'<meta http-equiv="Content-Security-Policy"')
    if start < 0:
        return content
    end = content.find(b">", start) + 1
    return content[:start] + content[end:]


def _with_banner(content: bytes, problems: list[str]) -> bytes:
    items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    banner = (
        '<div role="alert" data-preview-errors style="position:sticky;top:0;z-index:99;'
        "background:#fde8e8;color:#7a0000;border-bottom:3px solid #b00020;padding:.75rem 1rem;"
        'font:14px/1.4 system-ui,sans-serif"><strong>The last save has errors; this is the '
        f"last good version of the page.</strong><ul>{items}</ul></div>"
    ).encode()
    start = content.find(b"<body")
    end = content.find(b">", start) + 1 if start >= 0 else 0
    return content[:end] + banner + content[end:]


def serve(site: Path, port: int) -> int:
    """Preview the site, drafts and scheduled stories included, until Ctrl+C."""
    preview = Path(tempfile.mkdtemp(prefix="explainer-preview-"))
    server = PreviewServer(builder=lambda: None, host=HOST, port=port, root=str(preview))
    server.builder = lambda: rebuild(site, preview, server)
    rebuild(site, preview, server)
    for watched in (site / "content", site / "site.yaml", site / "templates"):
        if watched.exists():
            server.watch(str(watched))
    print(f"Serving a preview on http://{HOST}:{port}/ (Ctrl+C to stop)", flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(preview, ignore_errors=True)
    return 0


def rebuild(site: Path, preview: Path, server: PreviewServer) -> None:
    """One build into the preview folder; never raises, so the server stays up."""
    warnings: list[str] = []
    errors: list[str] = []
    try:
        result = build(BuildOptions(site=site, out=preview, drafts=True, future=True))
        warnings = [d.format() for d in result.report.sorted()]
        print(f"rebuilt {result.pages} pages", flush=True)
    except ContentError as problem:
        for found in problem.report.sorted():
            (errors if found.severity is Severity.ERROR else warnings).append(found.format())
    except UsageError as problem:
        errors = [f"error: {problem}"]
    except Exception as problem:  # an editor's half-saved file must not stop the preview
        errors = [f"error: internal error during rebuild: {type(problem).__name__}: {problem}"]
    for line in warnings + errors:
        print(line, file=sys.stderr, flush=True)
    with server.problems_lock:
        server.problems = errors
