"""Writing the output folder atomically.

The whole site is written into a temporary folder beside the output and
swapped in only when every file is there, so a failed or interrupted build
leaves the last good site exactly as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from builder.core.diagnostics import UsageError

MARKER = ".explainer-output"
MARKER_TEXT = b"Made by the explainer builder; the whole folder is replaced on each build.\n"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_output_folder(out: Path, site: Path) -> None:
    """Refuse an output folder whose replacement would destroy sources or other files."""
    out, site = out.resolve(), site.resolve()
    content = site / "content"
    if out == site or out in site.parents:
        raise UsageError(f"output folder {out} is the site folder or contains it")
    if out == content or content in out.parents:
        raise UsageError(f"output folder {out} is inside content/")
    if out == site / "templates" or (site / "templates") in out.parents:
        raise UsageError(f"output folder {out} is inside templates/")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise UsageError(
            f"output folder {out} already holds files the builder did not make; "
            "remove it or choose another --out"
        )


class Staging:
    """A temporary folder beside the output, for what a build writes.

    A cold build stages the whole site and swaps it in with one rename. A
    warm incremental build stages only the pages that changed and, once every
    page has rendered, renames each over its old version: each file is
    replaced atomically, and nothing is touched before the build has
    succeeded, without copying or linking the thousands of pages that did not
    change.
    """

    def __init__(self, out: Path, in_place: bool = False) -> None:
        self.in_place = in_place
        self.out = out.absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.out)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        self._clearing: threading.Thread | None = None

    def write(self, relative: str, data: bytes) -> None:
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def commit(self, keep: Iterable[str] = (), keep_folder: str | None = None) -> None:
        """Make the staged files the output.

        In place, every other file of the output is deleted unless it is in
        `keep` (the pages reused from the last build) or under `keep_folder`,
        so the result is what a cold build would have swapped in.
        """
        if not self.in_place:
            (self.folder / MARKER).write_bytes(MARKER_TEXT)
            old = _swap_in(self.folder, self.out)
            if old is not None:
                self._clear(old)
            return
        staged = {
            f.relative_to(self.folder).as_posix() for f in self.folder.rglob("*") if f.is_file()
        }
        for relative in sorted(staged):
            target = self.out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            (self.folder / relative).replace(target)
        wanted = staged | set(keep) | {MARKER}
        for relative in _files_below(self.out):
            inside_kept = keep_folder and relative.startswith(f"{keep_folder}/")
            if relative not in wanted and not inside_kept:
                _remove_page(self.out, relative)

    def _clear(self, old: Path) -> None:
        """Delete the replaced site while the build finishes (the store, the
        summary): on some disks freeing thousands of files takes seconds."""
        self._clearing = threading.Thread(
            target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True}
        )
        self._clearing.start()

    def discard(self) -> None:
        """Delete what is left of the staging folder, and wait for the old site's deletion."""
        if self._clearing is not None:
            self._clearing.join()
            self._clearing = None
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)


def _files_below(folder: Path) -> list[str]:
    """Every file below a folder, as relative paths with forward slashes.

    One scandir a folder and string paths: on a large site os.walk's extra
    calls cost more than the rebuild that needs the list."""
    found: list[str] = []
    pending = [(str(folder), "")]
    while pending:
        here, below = pending.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                relative = f"{below}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{relative}/"))
                else:
                    found.append(relative)
    return sorted(found)


def _remove_page(out: Path, relative: str) -> None:
    """Delete an output file, and the folders it leaves empty."""
    target = out / relative
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def replace_folder(new: Path, target: Path) -> None:
    """Put a freshly made folder where another stands, in one step where possible."""
    if target.exists() and _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)
        return
    if target.exists():
        shutil.rmtree(target)
    new.rename(target)


def remove_leftovers(out: Path) -> None:
    """Temporary folders of builds that were killed before they finished."""
    name = glob.escape(out.name)  # an output named "*" must not match other folders
    for pattern in (f".{name}.tmp-*", f".{name}.old-*", f".{name}.search-*"):
        for leftover in out.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(staging: Path, out: Path) -> Path | None:
    """Put the staged site where the output stands; the replaced site, left to delete."""
    if not out.exists():
        staging.rename(out)
        return None
    if _exchange(staging, out):
        return staging
    # No atomic exchange here: move the old site aside, then the new one in.
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    staging.rename(out)
    return old


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step with Linux's renameat2; False where unsupported."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)
