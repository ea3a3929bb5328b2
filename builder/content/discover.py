"""Finding the site's source files, and refusing paths that leave the site."""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from builder.core.diagnostics import Position, Report, did_you_mean
from builder.core.patterns import ID_PATTERN

SIDECARS = ("who.yaml", "what.yaml", "where.yaml", "background.yaml")
BUNDLE_FILES = ("article.md", *SIDECARS)
GLOSSARY_FOLDER = "glossary"
AUTHORS_FILE = "authors.yaml"  # directly in content/: the newsroom's authors
TAGS_FILE = "tags.yaml"  # directly in content/: the names of tags
AUTHORS_FOLDER = "authors"  # where the authors' pages are written
MEDIA_FOLDER = "media"  # pictures the whole site shares
# The picture formats published, by file suffix: what browsers and social networks all read.
SUFFIX_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
# Every top-level folder the builder writes into the output (the search index
# is "pagefind"): a section of the same name would collide with them.
RESERVED_TOP_FOLDERS = (
    GLOSSARY_FOLDER,
    MEDIA_FOLDER,
    "static",
    "tags",
    "sections",
    AUTHORS_FOLDER,
    "pagefind",
)


@dataclass(frozen=True)
class BundleFiles:
    path: str  # below content/, with forward slashes
    location: str  # the folder on disk; a string, as 5,000 Path objects cost a build's time
    sidecars: tuple[str, ...]  # the sidecar file names present
    images: tuple[str, ...] = ()  # the picture files beside article.md, by name

    @property
    def folder(self) -> Path:
        return Path(self.location)

    @property
    def names(self) -> tuple[str, ...]:
        """The bundle's files: its article, its sidecars, then its pictures."""
        return ("article.md", *self.sidecars, *self.images)


@dataclass(frozen=True)
class SourceFiles:
    glossary: tuple[Path, ...]
    bundles: tuple[BundleFiles, ...]
    authors: Path | None = None  # content/authors.yaml, when the site has one
    media: tuple[str, ...] = ()  # picture files under content/media/, as media/NAME
    tags: Path | None = None  # content/tags.yaml, when the site has one


def is_picture(name: str) -> bool:
    """True for a file name with the suffix of a picture format the builder publishes."""
    return suffix_of(name) in SUFFIX_FORMATS


def suffix_of(name: str) -> str:
    """ "photo.JPG" -> ".jpg"; "" for a name without one."""
    _, dot, suffix = name.rpartition(".")
    return f".{suffix.lower()}" if dot and "/" not in suffix else ""


def relative(site: Path, file: Path) -> str:
    return file.relative_to(site).as_posix()


# A folder as a walk found it: its path, and the times, inode and device
# of the folder itself, taken before it was listed. A name added, removed or
# renamed in it changes its times.
FolderStat = tuple[str, int, int, int, int]


def folder_stat(folder: str) -> tuple[int, int, int, int]:
    """What tells a folder changed: its modification and change times, inode and
    device (builder.incremental.walked compares them from build to build)."""
    info = os.stat(folder)  # noqa: PTH116 (a string: every folder of the site)
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def discover(site: Path, report: Report, folders: list[FolderStat] | None = None) -> SourceFiles:
    """Walk content/, in sorted order, and classify what is there. `folders`:
    where to note each folder walked, in the order walked."""
    content = site / "content"
    if not content.is_dir():
        report.error(Position("content"), "the site has no content/ folder")
        return SourceFiles((), ())
    if not _stays_inside(site, site.resolve(), content, report):
        return SourceFiles((), ())
    glossary: list[Path] = []
    bundles: list[BundleFiles] = []
    authors = tags = None
    media: list[str] = []
    for folder, below, names in _walk(site, content, report, folders):
        if below == "." and AUTHORS_FILE in names:
            authors = Path(folder, AUTHORS_FILE)
            names = [name for name in names if name != AUTHORS_FILE]
        if below == "." and TAGS_FILE in names:
            tags = Path(folder, TAGS_FILE)
            names = [name for name in names if name != TAGS_FILE]
        if below == MEDIA_FOLDER or below.startswith(MEDIA_FOLDER + "/"):
            media.extend(f"{below}/{name}" for name in names if is_picture(name))
            if "article.md" in names:
                _bundle_path_ok(site, folder, below, report)  # reports the reserved name
        elif below == GLOSSARY_FOLDER:
            glossary.extend(Path(folder, n) for n in names if n.endswith((".yaml", ".yml")))
        elif below.startswith(GLOSSARY_FOLDER + "/"):
            if "article.md" in names:
                _bundle_path_ok(site, folder, below, report)  # reports the reserved name
            continue
        else:
            found = _bundle_in(site, folder, below, names, report)
            if found is not None:
                bundles.append(found)
    return SourceFiles(tuple(glossary), tuple(bundles), authors, tuple(media), tags)


def _walk(
    site: Path, content: Path, report: Report, folders: list[FolderStat] | None = None
) -> list[tuple[str, str, list[str]]]:
    """Every folder, its path below content/ ("." for content/ itself) and its visible
    file names, following only links that stay inside; each folder's stat noted in
    `folders`, if given, before it is listed.

    os.scandir reads each entry's type with the listing, so a large site costs
    one system call per folder rather than several per file; paths stay
    strings, which cost a tenth of pathlib's objects on 5,000 folders.
    """
    site_real = site.resolve()
    found: list[tuple[str, str, list[str]]] = []
    seen: set[str] = set()
    top = str(content)
    pending = [(top, ".", str(content.resolve()))]  # each folder with its real path
    while pending:
        folder, below, real = pending.pop()
        if real in seen:  # a link back to a folder already walked
            continue
        seen.add(real)
        files: list[str] = []
        if folders is not None:
            folders.append((folder, *folder_stat(folder)))
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=_entry_name):
                name = entry.name
                if name.startswith("."):
                    continue
                if entry.is_symlink() and not _stays_inside(
                    site, site_real, Path(entry.path), report
                ):
                    continue
                if entry.is_dir():
                    target = (
                        os.path.realpath(entry.path) if entry.is_symlink() else f"{real}/{name}"
                    )
                    inner = name if below == "." else f"{below}/{name}"
                    if _named_as_a_file(site, entry.path, name, report):
                        pending.append((entry.path, inner, target))
                elif entry.is_file():
                    files.append(name)
                else:
                    _report_special_file(site, entry, report)
        found.append((folder, below, files))
    return sorted(found, key=lambda item: "" if item[1] == "." else item[1])


_entry_name = attrgetter("name")
_BUNDLE_NAMES = frozenset(BUNDLE_FILES)  # no picture: most of the names a site holds


def rescan_bundle(site: Path, bundle: BundleFiles, report: Report) -> BundleFiles | None:
    """A known bundle's files listed again, as discover() would list them; None
    when the folder is gone, or now holds a folder, a link or a special file:
    then only a whole walk says what the site holds."""
    names: list[str] = []
    try:
        with os.scandir(bundle.location) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink() or not entry.is_file():
                    return None
                names.append(entry.name)
    except OSError:
        return None
    return _bundle_in(site, bundle.location, bundle.path, sorted(names), report)


def _named_as_a_file(site: Path, path: str, name: str, report: Report) -> bool:
    """False, after saying so, for a folder named like a file the builder reads."""
    if name != "article.md" and name not in SIDECARS:
        return True
    report.error(
        Position(relative(site, Path(path))),
        f"'{name}' is a folder; the builder reads it only as a file: "
        "move what is inside and make it a file",
    )
    return False


def _report_special_file(site: Path, entry: os.DirEntry[str], report: Report) -> None:
    """A named pipe, socket or device: reading it could block the build or never end."""
    try:
        mode = entry.stat().st_mode
    except OSError:  # a link to nothing
        what = "a link to a file that does not exist"
    else:
        what = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "not a regular file"
    report.error(
        Position(relative(site, Path(entry.path))),
        f"'{entry.name}' is {what}; content/ may hold only ordinary files and folders",
    )


def _stays_inside(site: Path, site_real: Path, child: Path, report: Report) -> bool:
    if not child.is_symlink():
        return True
    target = child.resolve()
    if target == site_real or site_real in target.parents:
        return True
    report.error(
        Position(relative(site, child)),
        "symbolic link leads outside the site folder; copy the file into the site instead",
    )
    return False


def _bundle_in(
    site: Path, folder: str, below: str, names: list[str], report: Report
) -> BundleFiles | None:
    yaml_names = [n for n in names if n.endswith((".yaml", ".yml"))]
    for name in yaml_names:
        if name not in SIDECARS:
            # Directly in content/, a misspelt authors.yaml or tags.yaml is the likelier mistake.
            at_top = below == "."
            # The nearer of the two only: "author.yaml" is not about tags.
            nearest = difflib.get_close_matches(name, [AUTHORS_FILE, TAGS_FILE], n=1)
            hint = did_you_mean(name, nearest) if at_top else ""
            site_files = f" (and {AUTHORS_FILE} or {TAGS_FILE} directly in content/)"
            report.error(
                Position(relative(site, Path(folder, name))),
                f"'{name}' is not a sidecar name; sidecars are "
                + ", ".join(SIDECARS)
                + (site_files if at_top else "")
                + (hint or did_you_mean(name, SIDECARS)),
            )
    if "article.md" not in names:
        _report_misnamed_article(site, folder, names, report)
        if any(n in SIDECARS for n in names):
            report.error(
                Position(relative(site, Path(folder))),
                "sidecars without an article.md; add article.md or move the sidecars",
            )
        return None
    if not _bundle_path_ok(site, folder, below, report):
        return None
    images = tuple(name for name in names if name not in _BUNDLE_NAMES and is_picture(name))
    return BundleFiles(below, folder, tuple(n for n in SIDECARS if n in names), images)


def _report_misnamed_article(site: Path, folder: str, names: list[str], report: Report) -> None:
    """A story file named Article.md or artcle.md would be skipped without a word."""
    for name in names:
        stem, _, extension = name.lower().rpartition(".")
        near = difflib.SequenceMatcher(None, stem, "article").ratio() >= 0.8
        if extension in ("md", "markdown") and near:
            report.error(
                Position(relative(site, Path(folder, name))),
                f"'{name}' is not read; the story's file must be named article.md, "
                "in lower case: did you mean 'article.md'?",
            )


def _bundle_path_ok(site: Path, folder: str, below: str, report: Report) -> bool:
    if below == "." or not all(ID_PATTERN.fullmatch(part) for part in below.split("/")):
        return _report_bundle_path(site, folder, below, report)
    return below.split("/")[0] not in RESERVED_TOP_FOLDERS or _report_bundle_path(
        site, folder, below, report
    )


def _report_bundle_path(site: Path, folder: str, below: str, report: Report) -> bool:
    """Say what is wrong with a bundle's folder; False."""
    where = Position(relative(site, Path(folder, "article.md")))
    if below == ".":
        report.error(
            where,
            "an article.md directly in content/ has no page of its own; "
            "move it into a folder such as content/world/my-story/",
        )
        return False
    bad = [part for part in below.split("/") if not ID_PATTERN.fullmatch(part)]
    if bad:
        report.error(
            where,
            f"folder name '{bad[0]}' is not allowed in a page path; use "
            "lower-case ASCII letters and digits joined by hyphens",
        )
        return False
    top = below.split("/")[0]
    if top in RESERVED_TOP_FOLDERS:
        report.error(
            where,
            f"'{top}' is reserved for pages the builder makes; put the bundle in another folder",
        )
        return False
    return True
