"""The command line: parse arguments, run a command, turn problems into exit codes.

This is the only place that catches the builder's exceptions: content errors
exit 1, misuse exits 2, and no Python traceback reaches an editor.
"""

from __future__ import annotations

import argparse
import errno
import gc
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from builder import __version__
from builder.build.options import BuildOptions, BuildResult
from builder.build.progress import Silent, choose
from builder.build.run import build
from builder.core.diagnostics import ContentError, Report, UsageError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise UsageError(message)


STRICT_HELP = "count every warning as an error (for CI)"


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m builder", description="Build news explainer pages.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    site_help = "the site folder (default: the current folder)"

    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    build_cmd.add_argument("--site", type=Path, default=Path(), help=site_help)
    build_cmd.add_argument("--out", type=Path, help="output folder (default: site.yaml's output)")
    build_cmd.add_argument("--drafts", action="store_true", help="also build drafts")
    build_cmd.add_argument("--strict", action="store_true", help=STRICT_HELP)
    build_cmd.add_argument(
        "--future", action="store_true", help="also build stories dated after the build's time"
    )
    build_cmd.add_argument(
        "--clean", action="store_true", help="ignore the cache of the last build: a cold build"
    )
    build_cmd.add_argument(
        "--watch", action="store_true", help="build again after every save, until Ctrl+C"
    )
    _add_verbosity(build_cmd)

    check_cmd = commands.add_parser("check", help="validate the content; write nothing")
    check_cmd.add_argument("--site", type=Path, default=Path(), help=site_help)
    check_cmd.add_argument("--drafts", action="store_true", help="also check drafts")
    check_cmd.add_argument("--strict", action="store_true", help=STRICT_HELP)
    check_cmd.add_argument(
        "--future", action="store_true", help="check scheduled stories as if published"
    )
    check_cmd.add_argument("--format", choices=("text", "json"), default="text")
    _add_verbosity(check_cmd)

    serve_cmd = commands.add_parser("serve", help="preview locally, rebuilt on save")
    serve_cmd.add_argument("--site", type=Path, default=Path(), help=site_help)
    serve_cmd.add_argument("--port", type=int, default=8000)

    new_cmd = commands.add_parser("new", help="create a bundle with commented sidecars")
    new_cmd.add_argument("bundle", metavar="SECTION/SLUG")
    new_cmd.add_argument("--site", type=Path, default=Path(), help=site_help)

    links_cmd = commands.add_parser(
        "links", help="every candidate mention in one story: linked, or why not"
    )
    links_cmd.add_argument("story", metavar="SECTION/SLUG")
    links_cmd.add_argument("--site", type=Path, default=Path(), help=site_help)

    schemas_cmd = commands.add_parser("schemas", help="write the JSON Schemas for editors")
    schemas_cmd.add_argument("--site", type=Path, default=Path(), help=site_help)
    schemas_cmd.add_argument("--out", type=Path, help="folder (default: SITE/schemas)")
    return parser


def _add_verbosity(command: argparse.ArgumentParser) -> None:
    group = command.add_mutually_exclusive_group()
    group.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    group.add_argument("--verbose", "-v", action="store_true", help="say more")


def run() -> NoReturn:
    """`explainer` and `python -m builder`: the command, then the process ends at once.

    By the time a command returns, its pages are published and the store is
    committed. What is left is Python freeing every object the build made, one
    by one: about 40 ms of a 0.7 s story edit at 5,000 stories, and more the
    larger the archive. The process flushes what it printed and skips that.

    Nor does it need the cyclic collector: a build keeps it off while it runs,
    and switched on again after, its first pass would look at every object the
    build left (10 ms of that story edit, 35 at 50,000 stories) just before the
    process ends. Commands that keep running (`build --watch`, `serve`) switch
    it on for themselves.
    """
    gc.disable()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away, as `| head` does: as Python says it
        code = code or 120
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    output_format = "text"
    try:
        arguments = make_parser().parse_args(argv)
        output_format = getattr(arguments, "format", "text")
        return _run(arguments)
    except UsageError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as problem:
        _print_report(problem.report, output_format)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("interrupted; the output folder was left as it was", file=sys.stderr)
        return 130
    except OSError as problem:  # the machine, not the content or the builder
        print(f"error: {environment_problem(problem)}", file=sys.stderr)
        return EXIT_CONTENT
    except Exception as problem:  # a bug in the builder, not in the content
        if os.environ.get("EXPLAINER_DEBUG"):
            traceback.print_exc()
        print(
            f"error: internal error ({type(problem).__name__}: {problem}); this is a bug in "
            "the builder: please report it with the input that caused it",
            file=sys.stderr,
        )
        return EXIT_CONTENT


# What an editor can do about the failures a machine causes, by errno.
_ENVIRONMENT = {
    errno.ENOSPC: "the disk is full; free some space and build again",
    errno.EDQUOT: "the disk quota is used up; free some space and build again",
    errno.EACCES: "permission denied; check who owns the file or folder",
    errno.EPERM: "permission denied; check who owns the file or folder",
    errno.EROFS: "the disk is read-only",
    errno.ENOTDIR: "a part of this path is a file where a folder is needed",
    errno.EISDIR: "this is a folder where a file is needed",
    errno.EEXIST: "something of the wrong type is already there",
    errno.EMFILE: "too many open files; raise the limit (ulimit -n) or close programs",
    errno.ENFILE: "too many open files on the machine",
}


def environment_problem(problem: OSError) -> str:
    """An operating-system failure in one line that names the path: not a bug."""
    what = _ENVIRONMENT.get(problem.errno or 0) or (problem.strerror or str(problem))
    paths = [str(p) for p in (problem.filename, problem.filename2) if p is not None]
    where = f"{' -> '.join(paths)}: " if paths else ""
    return f"{where}{what}".replace("\n", "\\n")


def _run(arguments: argparse.Namespace) -> int:
    site = arguments.site
    if not site.is_dir():
        raise UsageError(f"site folder {site} does not exist")
    if arguments.command == "new":
        return _new(site, arguments.bundle)
    if arguments.command == "links":
        from builder.commands.links import explain_links

        for line in explain_links(site, arguments.story):
            print(line)
        return EXIT_OK
    if arguments.command == "schemas":
        return _schemas(arguments.out or site / "schemas")
    if arguments.command == "serve":
        from builder.commands.serve import serve

        return serve(site, arguments.port)
    options = BuildOptions(
        site=site,
        out=getattr(arguments, "out", None),
        drafts=arguments.drafts,
        future=arguments.future,
        write=arguments.command == "build",
        clean=getattr(arguments, "clean", False),
        strict=arguments.strict,
        progress=choose(arguments.quiet, arguments.verbose)
        if arguments.command == "build"
        else Silent(),
    )
    if getattr(arguments, "watch", False):
        return _watch(options, arguments.quiet)
    result = build(options)
    output_format = getattr(arguments, "format", "text")
    _print_report(result.report, output_format)
    if not arguments.quiet and output_format == "text":
        _print_scheduled(result)
        _print_success(arguments.command, result)
    return EXIT_OK


def _watch(options: BuildOptions, quiet: bool) -> int:
    from builder.commands.watch import watch

    def built(result: BuildResult, seconds: float) -> None:
        _print_report(result.report, "text")
        if not quiet:
            _print_scheduled(result)
            _print_success("build", result, seconds)

    def failed(report: Report) -> None:
        _print_report(report, "text")
        print("not published: the output folder was left as it was", file=sys.stderr, flush=True)

    if not quiet:
        print("watching content/, templates/ and site.yaml (Ctrl+C to stop)", flush=True)
    return watch(options, built, failed)


def _new(site: Path, bundle: str) -> int:
    from builder.commands.new import create_bundle
    from builder.content.jsonschema import write_schemas

    for line in create_bundle(site, bundle):
        print(line)
    for path in write_schemas(site / "schemas"):  # what the new sidecars point editors at
        print(f"created {path.relative_to(site).as_posix()}")
    return EXIT_OK


def _schemas(folder: Path) -> int:
    from builder.content.jsonschema import write_schemas

    written = write_schemas(folder)
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"{folder}: up to date")
    return EXIT_OK


def _print_scheduled(result: BuildResult) -> None:
    """Each story dated after the build's time: not a problem, so on stdout."""
    for story in result.scheduled:
        outcome = "included because of --future" if story.built else "left out until then"
        print(f"{story.article_path}: scheduled for {story.goes_live}, {outcome}")


def _print_success(command: str, result: BuildResult, seconds: float | None = None) -> None:
    took = f" in {seconds:.2f} s" if seconds is not None else ""
    if command == "build" and result.rendered == 0:
        print(f"up to date: nothing changed in the {result.pages} pages in {result.out}{took}")
    elif command == "build":
        print(f"built {result.pages} pages ({result.rendered} rendered) into {result.out}{took}")
    else:
        print(f"checked {result.pages} pages: no errors")
    sys.stdout.flush()


def _print_report(report: Report, output_format: str) -> None:
    found = report.sorted()
    if output_format == "json":
        rows = [
            {
                "path": d.position.path,
                "line": d.position.line,
                "col": d.position.col,
                "severity": d.severity.value,
                "message": d.message,
            }
            for d in found
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for diagnostic in found:
        print(diagnostic.format(), file=sys.stderr)
    if found:
        print(report.summary(), file=sys.stderr)
