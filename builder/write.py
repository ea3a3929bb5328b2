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
from pathlib import Path

from builder.diagnostics import UsageError

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
    """A temporary folder beside the output that becomes the output on commit."""

    def __init__(self, out: Path) -> None:
        self.out = out.absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.out)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))

    def write(self, relative: str, data: bytes) -> None:
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def commit(self) -> None:
        (self.folder / MARKER).write_bytes(MARKER_TEXT)
        _swap_in(self.folder, self.out)

    def discard(self) -> None:
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Write a whole site at once: staged, then swapped in."""
    staging = Staging(out)
    try:
        for relative, data in sorted(files.items()):
            staging.write(relative, data)
        staging.commit()
    finally:
        staging.discard()


def remove_leftovers(out: Path) -> None:
    """Temporary folders of builds that were killed before they finished."""
    name = glob.escape(out.name)  # an output named "*" must not match other folders
    for pattern in (f".{name}.tmp-*", f".{name}.old-*"):
        for leftover in out.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)
        return
    # No atomic exchange here: move the old site aside, then the new one in.
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


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
