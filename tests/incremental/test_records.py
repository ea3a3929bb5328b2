"""Signatures: a bundle's files' sizes, times and inodes, digested with its path
into one number, and the sum of them all that fingerprints the archive."""

from __future__ import annotations

import os
from pathlib import Path

from builder.content.discover import BundleFiles
from builder.incremental.records import SET_MODULUS, bundle_signature, signatures_sum


def bundle(root: Path, path: str, text: str = "---\ntitle: A\n---\nBody.\n") -> BundleFiles:
    folder = root / path
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.md").write_text(text, encoding="utf-8")
    (folder / "who.yaml").write_text("- ref: a\n", encoding="utf-8")
    return BundleFiles(path, str(folder), ("who.yaml",))


def test_a_bundle_s_signature_changes_with_any_of_its_files_and_with_its_path(
    tmp_path: Path,
) -> None:
    first = bundle(tmp_path, "world/a")
    signed = bundle_signature(first)
    assert isinstance(signed, int) and 0 <= signed < SET_MODULUS
    assert bundle_signature(first) == signed  # nothing changed
    same_size = tmp_path / "world/a/who.yaml"
    stat = same_size.stat()
    same_size.write_text("- ref: b\n", encoding="utf-8")  # same size, same mtime set back
    os.utime(same_size, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert bundle_signature(first) != signed  # its ctime moved
    twin = bundle(tmp_path, "world/b")  # files alike, another folder
    assert bundle_signature(twin) != bundle_signature(first)
    (tmp_path / "world/b/who.yaml").unlink()
    assert bundle_signature(twin) != bundle_signature(bundle(tmp_path, "world/c"))


def test_the_archive_s_sum_does_not_depend_on_the_order_of_its_bundles(tmp_path: Path) -> None:
    signed = {path: bundle_signature(bundle(tmp_path, path)) for path in ("a/x", "a/y", "b/z")}
    backwards = dict(reversed(signed.items()))
    assert signatures_sum(signed) == signatures_sum(backwards)
    assert signatures_sum(signed) == sum(signed.values()) % SET_MODULUS
    del signed["a/y"]
    assert signatures_sum(signed) != signatures_sum(backwards)
