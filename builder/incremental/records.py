"""What the builder remembers of sources and outputs between builds.

A stat signature tells whether a source file may have changed; a digest
names what a page was made from; an output record tells whether the page
the last build wrote is still there, as it was written.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from builder.content.discover import BundleFiles, SourceFiles

# (name, size, mtime_ns, ctime_ns, inode) per file. ctime cannot be set back by
# tools that restore mtime (cp -p, rsync -a, tar), so an edit always shows.
Signature = tuple[tuple[str, int, int, int, int], ...]
# A bundle's signature as one number: the digest of its path and its files'
# signatures (`bundle_signature`).
BundleSignature = int


def digest(*parts: object) -> str:
    """A short, stable digest of the reprs of some values."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(repr(part).encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()


SET_MODULUS = 1 << 128


def signed_item(path: str, found: Signature) -> int:
    """One bundle's share of `signatures_sum`."""
    # Pickled rather than repr'd: a third of the time, for every bundle on every
    # look (0.33 against 0.14 s at 50,000 stories). The bytes are the values'
    # alone, as no object occurs twice in one signature for the pickle to share.
    data = pickle.dumps((path, found), protocol=4)
    return int.from_bytes(hashlib.blake2b(data, digest_size=16).digest(), "big")


def signatures_sum(signatures: dict[str, BundleSignature]) -> int:
    """A digest of every bundle's signature that does not depend on their order,
    and that a builder that stays running updates for the few bundles that
    changed, rather than digesting every bundle of the archive again."""
    return sum(signatures.values()) % SET_MODULUS


def signature(files: Iterable[Path]) -> Signature:
    found = []
    for file in files:
        try:
            info = file.stat()
        except OSError:
            continue
        found.append((file.name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    return tuple(found)


class OutputRecord(NamedTuple):
    key: str  # digest of what the page was made from
    size: int  # of the file as written, to notice a hand-edited output
    mtime_ns: int


def record_output(file: Path, key: str) -> OutputRecord:
    info = file.stat()
    return OutputRecord(key, info.st_size, info.st_mtime_ns)


def reusable(previous: OutputRecord | None, key: str, old_file: str) -> bool:
    """True when the previous output of a page was made from the same inputs and is intact."""
    if previous is None or previous.key != key:
        return False
    try:
        info = os.stat(old_file)  # noqa: PTH116 (a string: called for every page of a rebuild)
    except OSError:
        return False
    return info.st_size == previous.size and info.st_mtime_ns == previous.mtime_ns


@dataclass(frozen=True)
class SourceSignatures:
    """The signature of every source file, taken once per build."""

    site_yaml: Signature
    glossary: dict[str, Signature]  # by file path below the site
    bundles: dict[str, BundleSignature]  # by bundle path
    authors: Signature = ()  # of content/authors.yaml; empty when there is none
    media: dict[str, Signature] = field(default_factory=dict)  # by path below content/
    tags: Signature = ()  # of content/tags.yaml; empty when there is none


def source_signatures(site: Path, files: SourceFiles) -> SourceSignatures:
    content = site / "content"
    return SourceSignatures(
        signature([site / "site.yaml"]),
        {f.relative_to(site).as_posix(): signature([f]) for f in files.glossary},
        {b.path: bundle_signature(b) for b in files.bundles},
        signature([files.authors]) if files.authors is not None else (),
        {name: signature([content / name]) for name in files.media},
        signature([files.tags]) if files.tags is not None else (),
    )


def bundle_signature(files: BundleFiles) -> BundleSignature:
    """The signatures of a bundle's files, digested with its path into one number.

    Kept as a number, not as the tuples it is made of: every rebuild in a new
    process unpickles the signature of every bundle of the archive twice, from the
    child that took them and from the store's records, where a tuple of five
    tuples was a third of the time a record takes to unpickle. The number is the
    bundle's share of `signatures_sum` too."""
    # Strings, not pathlib: this runs for every file of the site on every build.
    folder = files.location
    found = []
    for name in files.names:
        try:
            info = os.stat(f"{folder}/{name}")  # noqa: PTH116
        except OSError:
            continue
        found.append((name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    return signed_item(files.path, tuple(found))
