"""`serve`: a local preview that rebuilds on save and reloads the open page.

Built on MkDocs' live-reload server, which watches the files, serves the
output and long-polls for reloads. A failed rebuild keeps the last good pages
and shows the problems in the terminal and as a banner on every page.
"""

from __future__ import annotations

import gc
import html
import re
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mkdocs.livereload import LiveReloadServer

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.build.warm import Warm
from builder.commands.watch import CHANGE_EVENTS, Recorder
from builder.core.diagnostics import ContentError, Severity, UsageError

HOST = "127.0.0.1"


class PreviewServer(LiveReloadServer):
    """The live-reload server, plus a banner listing the current problems.

    It answers only requests addressed to this machine by name: a web page
    elsewhere could otherwise point a DNS name at 127.0.0.1 and read the
    drafts (DNS rebinding). Pages carry their own Content-Security-Policy as
    a response header, widened only by a nonce for the reload script.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.problems: list[str] = []
        self.problems_lock = threading.Lock()
        self.error_handler = _error_page
        self._request = threading.local()  # each request is served in a thread of its own

    def serve_request(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        if not _addressed_here(environ.get("HTTP_HOST", ""), self.server_port):
            start_response("421 Misdirected Request", [("Content-Type", "text/plain")])
            return [b"This preview answers only http://127.0.0.1 and http://localhost.\n"]
        self._request.nonce = secrets.token_urlsafe(16)
        self._request.policy = DEFAULT_POLICY

        def with_policy(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            policy = _with_nonce(self._request.policy, self._request.nonce)
            return start_response(status, [*headers, ("Content-Security-Policy", policy)], *rest)

        return super().serve_request(environ, with_policy)

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        page_policy, content = _without_csp(content)
        if page_policy is not None:
            self._request.policy = page_policy
        nonce = self._request.nonce.encode()
        content = super()._inject_js_into_html(content, epoch)
        script = content.rindex(b"<script>")
        content = content[:script] + b'<script nonce="%s">' % nonce + content[script + 8 :]
        with self.problems_lock:
            problems = list(self.problems)
        if not problems:
            return content
        return _with_banner(content, problems, nonce)


StartResponse = Callable[..., Any]

# The policy the default theme's pages carry; the preview's own pages (the
# 404 page, plain files) get it too.
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: https:; object-src 'none'; base-uri 'none'; form-action 'none'"
)


def _addressed_here(host: str, port: int) -> bool:
    name, _, given_port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    if given_port and given_port != str(port):
        return False
    return name.lower() in {"127.0.0.1", "localhost"}


def _with_nonce(policy: str, nonce: str) -> str:
    """The policy with the nonce allowed for scripts and styles (the reload
    script, the problem banner), whatever else it allows."""
    widened = ("script-src", "style-src")
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    named = {part.split()[0].lower() for part in directives}
    directives += [f"{name} 'self'" for name in widened if name not in named]
    return "; ".join(
        f"{part} 'nonce-{nonce}'" if part.split()[0].lower() in widened else part
        for part in directives
    )


def _without_csp(content: bytes) -> tuple[str | None, bytes]:
    """The page's policy, moved out of the page: the preview sends it as a header."""
    start = content.find(b'<meta http-equiv="Content-Security-Policy"')
    if start < 0:
        return None, content
    end = content.find(b">", start) + 1
    found = re.search(rb'content="([^"]*)"', content[start:end])
    policy = html.unescape(found.group(1).decode()) if found else None
    return policy, content[:start] + content[end:]


def _error_page(code: int) -> bytes | None:
    if code != 404:
        return None
    return (
        b'<!doctype html><html lang="en"><meta charset="utf-8">'
        b"<title>Not found: preview</title><h1>No page here</h1>"
        b"<p>The preview has no page at this address. A story is at "
        b"<code>/SECTION/SLUG/</code>, an entry at <code>/glossary/ID/</code>.</p>"
        b'<p><a href="/">The front page</a></p></html>'
    )


_BANNER_STYLE = (
    "[data-preview-errors]{position:sticky;top:0;z-index:99;background:#fde8e8;color:#7a0000;"
    "border-bottom:3px solid #b00020;padding:.75rem 1rem;font:14px/1.4 system-ui,sans-serif}"
)


def _with_banner(content: bytes, problems: list[str], nonce: bytes) -> bytes:
    items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    banner = (
        f'<style nonce="{nonce.decode()}">{_BANNER_STYLE}</style>'
        '<div role="alert" data-preview-errors><strong>The last save has errors; this is the '
        f"last good version of the page.</strong><ul>{items}</ul></div>"
    ).encode()
    start = content.find(b"<body")
    end = content.find(b">", start) + 1 if start >= 0 else 0
    return content[:end] + banner + content[end:]


def serve(site: Path, port: int) -> int:
    """Preview the site, drafts and scheduled stories included, until Ctrl+C."""
    preview = Path(tempfile.mkdtemp(prefix="explainer-preview-"))
    site, warm = site.resolve(), Warm()  # resolved, as the watcher names paths
    gc.enable()  # running for hours, it collects between builds (off in a one-shot command)
    server = PreviewServer(builder=lambda: None, host=HOST, port=port, root=str(preview))
    server.builder = lambda: rebuild(site, preview, server, warm)
    for watched in (site / "content", site / "site.yaml", site / "templates"):
        if watched.exists():
            server.watch(str(watched))
            # Beside the server's own handler, on the same watcher thread: each
            # change is noted before the server's build starts, which waits for
            # the changes to stop for a tenth of a second.
            only = str(watched) if watched.is_file() else None
            recorder = Recorder(warm.changes, threading.Event(), only)
            folder = watched.parent if watched.is_file() else watched
            server.observer.schedule(
                recorder, str(folder), recursive=watched.is_dir(), event_filter=CHANGE_EVENTS
            )
    rebuild(site, preview, server, warm)
    print(f"Serving a preview on http://{HOST}:{port}/ (Ctrl+C to stop)", flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        warm.settle()
        shutil.rmtree(preview, ignore_errors=True)
    return 0


def rebuild(site: Path, preview: Path, server: PreviewServer, warm: Warm | None = None) -> None:
    """One build into the preview folder; never raises, so the server stays up.
    `warm`: the server's memory of its last build and of the changes since."""
    warnings: list[str] = []
    errors: list[str] = []
    try:
        result = build(BuildOptions(site=site, out=preview, drafts=True, future=True), warm)
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
