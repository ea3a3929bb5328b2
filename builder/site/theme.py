"""The theme: the templates and static files a site is built with.

A site's own templates/ folder overrides the builder's default theme file by
file. Everything here is plain file work, so that a build with nothing to do
can tell the theme has not changed without loading the template engine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from builder.core.diagnostics import Position, Report


def _default_theme() -> Path:
    """The builder's own theme: inside the installed package, or templates/ of a checkout.

    The wheel ships the checkout's templates/ folder as builder/default_theme
    (pyproject.toml maps it), so both are the same files.
    """
    package = Path(__file__).resolve().parents[1]
    installed = package / "default_theme"
    return installed if installed.is_dir() else package.parent / "templates"


DEFAULT_THEME = _default_theme()


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


def static_files(theme: Theme, report: Report) -> dict[str, bytes]:
    """Files under each theme's static/ folder, the site's own winning.

    A file that is a link leading out of its theme folder is refused: it could
    publish anything the builder can read.
    """
    files: dict[str, bytes] = {}
    for folder in reversed(theme.folders):
        inside = folder.resolve()
        for name, file in _static_files_of(folder):
            if inside not in file.resolve().parents:
                report.error(
                    Position(f"templates/{name}"),
                    "symbolic link leads outside the templates folder; copy the file instead",
                )
                continue
            files[name] = file.read_bytes()
    return files


def static_names(theme: Theme) -> set[str]:
    """The names under which static_files publishes the theme's files, without reading them."""
    return {name for folder in theme.folders for name, _ in _static_files_of(folder)}


def _static_files_of(folder: Path) -> list[tuple[str, Path]]:
    """Each file of a theme folder's static/, by the name it is published under."""
    static = folder / "static"
    if not static.is_dir():
        return []
    return [
        (f"static/{file.relative_to(static).as_posix()}", file)
        for file in sorted(static.rglob("*"))
        if file.is_file() and not file.name.startswith(".")
    ]
