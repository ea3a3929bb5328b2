"""Incremental builds: what each output was made from, and what can be reused.

After every successful build a cache under the site folder records, for each
source file, its stat signature and what loading it produced; for each
article, the key of its body and the mentions found there; for each output
page, the digest of everything it was made from. The next build reparses only
sources whose signature changed, renders only pages whose key changed, and
links every other page from the previous output into the new staging folder.

A cache from another builder version, site or output folder, or one that
does not unpickle cleanly, is ignored and replaced, never trusted. Unpickling
runs code, so a cache is read only if it carries the HMAC of this user's own
key, kept outside the site folder: a cache planted in the site, or copied
from another machine, is never loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import pickle
import secrets
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from builder import __version__
from builder.diagnostics import Diagnostic, Report
from builder.discover import BundleFiles, SourceFiles
from builder.linking import Mention
from builder.load import load_glossary_file
from builder.model import BundleSummary, Entry, SiteConfig
from builder.records import OutputRecord, Signature, digest, signature

CACHE_FORMAT = 3
CACHE_FOLDER = Path(".cache") / "explainer"


@dataclass(frozen=True)
class LoadedBundle:
    """A parsed bundle as the main process keeps it, from this build or the last."""

    signature: Signature
    summary: BundleSummary | None  # None when the bundle could not be used
    diagnostics: tuple[Diagnostic, ...]  # of parsing it and of checking its quotations
    digest: str  # of the whole bundle's content, computed once when it is parsed


@dataclass(frozen=True)
class LoadedGlossary:
    signature: Signature
    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class RenderedArticle:
    body_key: str
    mentions: tuple[Mention, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class BuildCache:
    identity: str
    bundles: dict[str, LoadedBundle] = field(default_factory=dict)  # by bundle folder
    glossary: dict[str, LoadedGlossary] = field(default_factory=dict)  # by file path
    articles: dict[str, RenderedArticle] = field(default_factory=dict)  # by bundle path
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # by output path
    # The bundles, the bulk of the cache, live in a file of their own, rewritten
    # only when a bundle changed; the token pairs the two files.
    bundles_token: str = ""
    bundles_changed: bool = False


def cache_identity(site: Path, out: Path, drafts: bool) -> str:
    return digest(
        __version__, CACHE_FORMAT, sys.version, str(site.resolve()), str(out.resolve()), drafts
    )


def cache_file(site: Path, out: Path) -> Path:
    """One cache per output folder, so building into two folders keeps both warm."""
    return site / CACHE_FOLDER / f"build-{digest(str(out.resolve()))[:16]}.pickle"


MAGIC = b"explainer-build-cache\n"
KEY_BYTES = 32


def cache_key() -> bytes | None:
    """This user's secret for signing caches, made on first use; None if it cannot be kept."""
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(home) / "explainer-builder"
    key_file = folder / "cache-key"
    try:
        if key_file.is_file():
            key = key_file.read_bytes()
            if len(key) == KEY_BYTES:
                return key
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(KEY_BYTES)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as opened:
            opened.write(key)
        return key
    except OSError:
        return None


def _signature_of(key: bytes, payload: bytes | memoryview) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def bundles_file(cache: Path) -> Path:
    return cache.with_suffix(".bundles")


def load_cache(file: Path, identity: str) -> BuildCache:
    """The previous build's cache, or an empty one if it is missing, foreign or corrupt."""
    cache = _unpickle_signed(file)
    if not isinstance(cache, BuildCache) or cache.identity != identity:
        return BuildCache(identity)
    stored = _unpickle_signed(bundles_file(file))
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == cache.bundles_token:
        cache.bundles = stored[1]
    else:
        cache.bundles = {}
    cache.bundles_changed = False
    return cache


def _unpickle_signed(file: Path) -> object:
    """What a file this user's builder signed holds; None for anything else."""
    key = cache_key()
    try:
        data = file.read_bytes()
    except OSError:
        return None
    start = len(MAGIC) + hashlib.sha256().digest_size
    view = memoryview(data)  # slices of a large cache without copying it
    signed, payload = bytes(view[len(MAGIC) : start]), view[start:]
    if key is None or not data.startswith(MAGIC):
        return None
    if not hmac.compare_digest(signed, _signature_of(key, payload)):
        return None  # not made by this user's builder: never unpickled
    try:
        return pickle.loads(payload)
    except Exception:  # a corrupt cache is simply not used
        return None


def save_cache(target: Path, cache: BuildCache) -> None:
    key = cache_key()
    if key is None:
        return  # nowhere to keep a key: every build is a cold build
    target.parent.mkdir(parents=True, exist_ok=True)
    ignore = target.parent.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# The explainer builder's cache; safe to delete.\n*\n")
    if cache.bundles_changed or not cache.bundles_token or not bundles_file(target).is_file():
        cache.bundles_token = secrets.token_hex(16)
        _pickle_signed(bundles_file(target), (cache.bundles_token, cache.bundles), key)
    _pickle_signed(target, replace(cache, bundles={}, bundles_changed=False), key)
    _prune(target.parent)


def _pickle_signed(target: Path, value: object, key: bytes) -> None:
    temporary = target.with_suffix(".tmp")
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    with temporary.open("wb") as file:
        file.write(MAGIC)  # in three writes: one concatenation would copy the whole cache
        file.write(_signature_of(key, payload))
        file.write(payload)
    temporary.replace(target)


KEPT_CACHES = 8


def _prune(folder: Path) -> None:
    """Keep the caches of the few output folders built most recently."""
    caches = sorted(folder.glob("build-*.pickle"), key=lambda f: f.stat().st_mtime_ns)
    for stale in caches[:-KEPT_CACHES]:
        stale.unlink(missing_ok=True)
        summary_file(stale).unlink(missing_ok=True)
        bundles_file(stale).unlink(missing_ok=True)


@dataclass(frozen=True)
class SourceSignatures:
    """The signature of every source file, taken once per build."""

    site_yaml: Signature
    glossary: dict[str, Signature]  # by file path below the site
    bundles: dict[str, Signature]  # by bundle path


def source_signatures(site: Path, files: SourceFiles) -> SourceSignatures:
    return SourceSignatures(
        signature([site / "site.yaml"]),
        {f.relative_to(site).as_posix(): signature([f]) for f in files.glossary},
        {b.path: bundle_signature(b) for b in files.bundles},
    )


def load_glossary(
    site: Path,
    files: SourceFiles,
    signatures: SourceSignatures,
    config: SiteConfig,
    cache: BuildCache,
    report: Report,
) -> list[Entry]:
    """Every glossary entry, reparsing only files whose signature changed.

    The cache is updated in place; the diagnostics of reused files are replayed.
    """
    entries: list[Entry] = []
    for file in files.glossary:
        key = file.relative_to(site).as_posix()
        found = cache.glossary.get(key)
        if found is None or found.signature != signatures.glossary[key]:
            local = Report()
            loaded = load_glossary_file(site, file, config, local)
            diagnostics = tuple(local.diagnostics)
            found = LoadedGlossary(signatures.glossary[key], tuple(loaded), diagnostics)
            cache.glossary[key] = found
        entries.extend(found.entries)
        report.extend(found.diagnostics)
    glossary = {f.relative_to(site).as_posix() for f in files.glossary}
    for path in [p for p in cache.glossary if p not in glossary]:
        del cache.glossary[path]
    return entries


def stale_bundles(
    files: SourceFiles, signatures: SourceSignatures, cache: BuildCache
) -> list[BundleFiles]:
    """The bundles that are new or whose files changed since the cache was made."""
    return [
        bundle
        for bundle in files.bundles
        if (cached := cache.bundles.get(bundle.path)) is None
        or cached.signature != signatures.bundles[bundle.path]
    ]


def update_bundles(
    cache: BuildCache, files: SourceFiles, fresh: Iterable[tuple[str, LoadedBundle]]
) -> list[LoadedBundle]:
    """Put freshly parsed bundles into the cache, forget removed ones; every bundle, in order."""
    for path, loaded in fresh:
        cache.bundles[path] = loaded
        cache.bundles_changed = True
    present = {b.path for b in files.bundles}
    for path in [p for p in cache.bundles if p not in present]:
        del cache.bundles[path]
        cache.bundles_changed = True
    return [cache.bundles[b.path] for b in files.bundles]


def bundle_signature(files: BundleFiles) -> Signature:
    return signature(files.folder / name for name in ("article.md", *files.sidecars))


@dataclass(frozen=True)
class Keys:
    """The digests that decide whether a page must be rendered again.

    Each key covers everything its page shows; whatever a page comes to show,
    its key must come to cover.
    """

    common: str  # builder version, theme files, site config, drafts
    claims: str  # every surface form and the entries claiming it
    bundles: dict[str, str]  # bundle path -> digest of its content
    entries: dict[str, str]  # entry id -> digest of its definition

    def body(self, path: str) -> str:
        return digest(self.bundles[path], self.claims)

    def article(
        self,
        listed: tuple[str, ...],
        body_key: str,
        mentions: tuple[Mention, ...],
        related: tuple[str, ...],
    ) -> str:
        shown = sorted({*listed, *(m.entry_id for m in mentions)})
        return digest(
            self.common,
            body_key,
            [(i, self.entries.get(i)) for i in shown],
            [(path, self.bundles[path]) for path in related],
        )

    def entry(self, entry_id: str, uses: tuple[tuple[str, Mention | None], ...]) -> str:
        # Each story's mention is a function of its content and the claims,
        # which are cheaper to digest than the mention itself.
        articles = [(path, self.bundles[path]) for path, _ in uses]
        return digest(self.common, self.claims, self.entries.get(entry_id), articles)

    def site_page(self, output: str, inputs: object) -> str:
        """A page listing stories or entries: what it lists, as little as it shows of each."""
        return digest(self.common, output, inputs)


# The summary: a small signed file beside the cache saying what the last build
# was made from and what it wrote, so that a build with nothing to do finds it
# out from file signatures alone, without loading the cache.
SUMMARY_MAGIC = b"explainer-build-summary\n"


def summary_file(cache: Path) -> Path:
    return cache.with_suffix(".summary")


def inputs_digest(signatures: SourceSignatures, common_key: str, today: dt.date) -> str:
    """What every output depends on, down to each source file's signature."""
    return digest(
        common_key,
        today,
        signatures.site_yaml,
        sorted(signatures.glossary.items()),
        sorted(signatures.bundles.items()),
    )


def save_summary(
    file: Path, inputs: str, outputs: dict[str, OutputRecord], report: Report, pages: int
) -> None:
    key = cache_key()
    if key is None:
        return
    data = {
        "inputs": inputs,
        "pages": pages,
        "outputs": {path: [r.size, r.mtime_ns] for path, r in sorted(outputs.items())},
        "warnings": [
            [d.position.path, d.position.line, d.position.col, d.message] for d in report.sorted()
        ],
    }
    payload = json.dumps(data, sort_keys=True).encode("utf-8")
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_suffix(".tmp")
    temporary.write_bytes(SUMMARY_MAGIC + _signature_of(key, payload) + payload)
    temporary.replace(file)


def current_summary(file: Path, inputs: str, out: Path) -> dict[str, Any] | None:
    """The last build's summary if it was made from these inputs and its output is intact."""
    key = cache_key()
    try:
        data = file.read_bytes()
    except OSError:
        return None
    start = len(SUMMARY_MAGIC) + hashlib.sha256().digest_size
    signed, payload = data[len(SUMMARY_MAGIC) : start], data[start:]
    if key is None or not data.startswith(SUMMARY_MAGIC):
        return None
    if not hmac.compare_digest(signed, _signature_of(key, payload)):
        return None
    summary: dict[str, Any] = json.loads(payload)
    if summary.get("inputs") != inputs:
        return None
    for path, (size, mtime_ns) in summary["outputs"].items():
        try:
            info = (out / path).stat()
        except OSError:
            return None
        if (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
            return None
    return summary
