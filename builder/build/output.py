"""Writing the output folder atomically.

A cold build writes the whole site into a temporary folder beside the output
and swaps it in with one rename. A warm build stages only the changed pages;
before it moves them in, it writes a journal of every move and deletion
beside the output, in one atomic rename. A build killed while moving leaves
the journal, and the next build's first act is to finish it. So a failed or
interrupted build leaves the last good site exactly as it was. A build killed
partway through its commit leaves the new site, once any build starts.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import asdict, dataclass
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
    for kept in ("templates", ".cache"):  # the theme, and what the builder remembers
        if out == site / kept or (site / kept) in out.parents:
            raise UsageError(f"output folder {out} is inside {kept}/")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise UsageError(
            f"output folder {out} already holds files the builder did not make; "
            "remove it or choose another --out"
        )


class Staging:
    """A temporary folder beside the output, for what a build writes.

    A cold build stages the whole site and swaps it in with one rename. A
    warm incremental build stages only the pages that changed and, once every
    page has rendered, moves each over its old version under a journal (see
    the module's note), without copying or linking the thousands of pages
    that did not change.
    """

    def __init__(self, out: Path, in_place: bool = False) -> None:
        self.in_place = in_place
        self.out = out.absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        finish_interrupted_commit(self.out)
        remove_leftovers(self.out)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        self._clearing: threading.Thread | None = None

    def write(self, relative: str, data: bytes) -> None:
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def staged_files(self) -> list[str]:
        return files_below(self.folder)

    def commit(
        self,
        keep: Iterable[str] = (),
        keep_folder: str | None = None,
        folder: Path | None = None,
        listing: Iterable[str] | None = None,
    ) -> None:
        """Make the staged files the output.

        In place, every other file of the output is deleted unless it is in
        `keep` (the pages reused from the last build) or under `keep_folder`,
        so the result is what a cold build would have swapped in; `folder`, a
        finished folder beside the output, replaces `keep_folder` in the same
        journal. `listing`: the output's files, when the caller knows them
        without listing the folder.
        """
        if not self.in_place:
            (self.folder / MARKER).write_bytes(MARKER_TEXT)
            old = _swap_in(self.folder, self.out)
            if old is not None:
                self._clear(old)
            return
        staged = self.staged_files()
        wanted = {*staged, MARKER}
        # The pages reused stay: as given (every output of an archive), not copied.
        kept = keep if isinstance(keep, AbstractSet) else frozenset(keep)
        inside = f"{keep_folder}/" if keep_folder else None
        found = files_below(self.out) if listing is None else listing
        # Only what goes is sorted, not the whole output (63,000 files at 50,000 stories).
        removed = sorted(
            relative
            for relative in found
            if relative not in wanted
            and relative not in kept
            and not (inside and relative.startswith(inside))
        )
        journal = Journal(
            staging=self.folder.name,
            moves=staged,
            removes=removed,
            folder=folder.relative_to(self.out.parent).as_posix() if folder else None,
            folder_target=keep_folder if folder else None,
        )
        journal.write(self.out)
        journal.apply(self.out)
        journal_file(self.out).unlink()

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


@contextmanager
def search_workspace(out: Path) -> Iterator[tuple[Path, Path]]:
    """A folder for a view of the new site and one for its search index, beside
    the output and deleted afterwards (the index, once moved in, is gone from it)."""
    workspace = Path(tempfile.mkdtemp(prefix=f".{out.name}.search-", dir=out.parent))
    try:
        yield workspace / "site", workspace / "index"
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def link_or_copy(source: Path, target: Path) -> None:
    """A second name for a file where the disk allows one, else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def journal_file(out: Path) -> Path:
    return out.parent / f".{out.name}.journal"


@dataclass(frozen=True)
class Journal:
    """What a warm commit does to the output, written down before it starts.

    Every step can be repeated: a move whose staged file is gone was made, a
    deletion of a missing file was made. So finishing a journal twice, or one
    that was half done when the build was killed, gives the same site.
    """

    staging: str  # the staging folder's name, beside the output
    moves: list[str]  # staged files, by path below the output
    removes: list[str]  # output files the new site no longer has
    folder: str | None = None  # a finished folder beside the output ...
    folder_target: str | None = None  # ... that replaces this one inside it

    def write(self, out: Path) -> None:
        """Write the journal whole or not at all: to a temporary file, flushed, renamed."""
        target = journal_file(out)
        temporary = target.with_name(target.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as stream:
            json.dump(asdict(self), stream)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.replace(target)
        _sync_folder(out.parent)

    @staticmethod
    def read(out: Path) -> Journal:
        data = json.loads(journal_file(out).read_text(encoding="utf-8"))
        return Journal(**data)

    def apply(self, out: Path) -> None:
        staging = out.parent / self.staging
        for relative in self.moves:
            source = staging / relative
            if source.exists():
                target = out / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                source.replace(target)
        for relative in self.removes:
            _remove_page(out, relative)
        if self.folder and self.folder_target:
            _move_folder_in(out.parent / self.folder, out / self.folder_target, out)


def finish_interrupted_commit(out: Path) -> None:
    """Finish the commit of a build killed while it moved pages into the output."""
    if not journal_file(out).exists():
        return
    try:
        journal = Journal.read(out)
    except (ValueError, TypeError) as problem:
        raise UsageError(
            f"the journal {journal_file(out)} of an interrupted build cannot be read "
            f"({problem}); delete it and the output folder, then build again"
        ) from None
    journal.apply(out.absolute())
    journal_file(out).unlink()


def _move_folder_in(new: Path, target: Path, out: Path) -> None:
    """Put a finished folder where another stands; repeatable, unlike an exchange."""
    if not new.exists():
        return
    if target.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        target.rename(trash / target.name)
        shutil.rmtree(trash, ignore_errors=True)
    new.rename(target)


def _sync_folder(folder: Path) -> None:
    """Make a rename in a folder durable (a no-op where folders cannot be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def files_seen_below(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below a folder, as `files_below` lists it, with its size and
    modification time (nanoseconds); a file gone before its look is left out."""
    return _seen(os.fspath(folder), files_below(folder))


def _seen(base: str, files: Iterable[str]) -> dict[str, tuple[int, int]]:
    seen: dict[str, tuple[int, int]] = {}
    for relative in files:
        try:
            info = os.stat(f"{base}/{relative}")  # noqa: PTH116 (every page of a large site)
        except OSError:
            continue
        seen[relative] = (info.st_size, info.st_mtime_ns)
    return seen


def files_seen_in_parts(
    folder: Path, take: Callable[[], int | None], parts: int
) -> tuple[dict[str, tuple[int, int]], int]:
    """What `files_seen_below` sees, of the parts `take()` hands this process until
    it hands none; and how many parts that was. Another process taking parts of the
    same folder from the same source sees the rest.

    The parts are every `parts`-th of the folder's files and subfolders two levels
    down, in name order: so that two processes that start on them a few
    milliseconds apart finish a few milliseconds apart."""
    base = os.fspath(folder)
    units: list[tuple[str, bool]] | None = None
    seen: dict[str, tuple[int, int]] = {}
    taken = 0
    while (part := take()) is not None:
        taken += 1
        if units is None:
            units = _units(base)
        files: list[str] = []
        for relative, is_folder in units[part::parts]:
            if is_folder:
                _files_into(f"{base}/{relative}", f"{relative}/", files)
            else:
                files.append(relative)
        seen.update(_seen(base, files))
    return seen, taken


def _units(base: str) -> list[tuple[str, bool]]:
    """The folder's files, and its subfolders' files and folders, in name order:
    (path below the folder, whether it is a folder)."""
    units: list[tuple[str, bool]] = []
    with os.scandir(base) as entries:
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                units.append((entry.name, False))
                continue
            with os.scandir(entry.path) as inner:
                units.extend(
                    (f"{entry.name}/{each.name}", each.is_dir(follow_symlinks=False))
                    for each in inner
                )
    return sorted(units)


def files_below(folder: Path) -> list[str]:
    """Every file below a folder, as relative paths with forward slashes.

    One scandir a folder and string paths: on a large site os.walk's extra
    calls cost more than the rebuild that needs the list."""
    found: list[str] = []
    _files_into(str(folder), "", found)
    return sorted(found)


def _files_into(top: str, prefix: str, found: list[str]) -> None:
    """Add the files below `top` to `found`, each as `prefix` and its path below."""
    pending = [(top, prefix)]
    while pending:
        here, below = pending.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                relative = f"{below}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{relative}/"))
                else:
                    found.append(relative)


def _remove_page(out: Path, relative: str) -> None:
    """Delete an output file, and the folders it leaves empty."""
    target = out / relative
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


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
    import ctypes  # here: only a build that stages the whole site needs it
    import ctypes.util

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
