"""Picture files: what one holds, and which file an `image` field or a body image names.

A story's pictures are the files next to its article.md; pictures the whole
site shares (portraits, the publisher's logo) are under content/media/. Each
file is read once when it is found: its digest names what it holds, and
Pillow reads it whole, so that a file that would fail when published fails
here instead, at the line that names it.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TypeVar

from builder.content.discover import MEDIA_FOLDER, SUFFIX_FORMATS, is_picture, suffix_of
from builder.content.model import Author, Entry, Image, ImageFile, SiteConfig
from builder.core.diagnostics import Report, did_you_mean

FORMAT_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
MAX_IMAGE_BYTES = 50_000_000
# Narrower than this, a picture looks blurred even at its smallest published width.
SMALLEST_SENSIBLE_WIDTH = 240
_ORIENTATION = 0x0112  # the EXIF tag; values 5 to 8 turn the picture a quarter


def read_picture(file: str, source: str, name: str) -> ImageFile:
    """What the picture file holds, or what is wrong with it (never an exception)."""
    try:
        path = Path(file)
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            megabytes = f"{size / 1e6:.0f}"
            return _broken(source, name, f"is {megabytes} MB, over the limit of 50 MB")
        data = path.read_bytes()
    except OSError as problem:
        return _broken(source, name, f"cannot be read: {problem.strerror}")
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    try:
        width, height, found = _decode(data)
    except _Unusable as problem:
        return _broken(source, name, str(problem))
    expected = SUFFIX_FORMATS[suffix_of(name)]
    if found != expected:
        stem = PurePosixPath(name).stem
        return _broken(
            source,
            name,
            f"holds a {found} picture, not the {expected} its name says; "
            f"rename it {stem}{FORMAT_SUFFIXES[found]}",
        )
    return ImageFile(source, name, digest, found, width, height)


class _Unusable(Exception):
    """A picture file that cannot be published, saying why."""


def _decode(data: bytes) -> tuple[int, int, str]:
    """Width and height as readers see it, and the format; raises _Unusable."""
    # Imported at the first picture: most builds read none.
    from PIL import Image as PillowImage
    from PIL import UnidentifiedImageError

    # Pillow warns of a picture over its limit of pixels (some 89 million, more than
    # any camera's): most likely a decompression bomb, small on disk and gigabytes
    # once decoded. Here the warning is an error, raised before decoding.
    with warnings.catch_warnings():
        warnings.simplefilter("error", PillowImage.DecompressionBombWarning)
        try:
            with PillowImage.open(io.BytesIO(data), formats=list(FORMAT_SUFFIXES)) as picture:
                width, height = picture.size
                turned = picture.getexif().get(_ORIENTATION) in (5, 6, 7, 8)
                found = str(picture.format)
                if found == "JPEG":
                    # Decoded at an eighth of its size: every byte is still read.
                    picture.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                picture.load()
        except UnidentifiedImageError:
            raise _Unusable(
                "is not a picture the builder can read; save it as JPEG, PNG or WebP"
            ) from None
        except (PillowImage.DecompressionBombError, PillowImage.DecompressionBombWarning):
            limit = (PillowImage.MAX_IMAGE_PIXELS or 0) // 1_000_000
            raise _Unusable(
                f"has more pixels than the limit of {limit} megapixels; "
                "scale it down before adding it"
            ) from None
        except (OSError, SyntaxError, ValueError) as problem:
            raise _Unusable(f"is damaged ({problem}); export it again") from None
    return (height, width, found) if turned else (width, height, found)


def _broken(source: str, name: str, problem: str) -> ImageFile:
    return ImageFile(source, name, "", "", 0, 0, problem)


@dataclass(frozen=True)
class Found:
    """The file a src names, or what is wrong; a warning may come with a usable file."""

    file: ImageFile | None
    problem: str | None = None
    warning: str | None = None


def story_pictures(files: tuple[ImageFile, ...]) -> dict[str, ImageFile]:
    """A story's picture files by the name article.md gives them."""
    return {file.name.rpartition("/")[2]: file for file in files}


def story_picture(src: str, pictures: Mapping[str, ImageFile]) -> Found:
    """The picture file a story names, by its name next to article.md."""
    if src.startswith(f"{MEDIA_FOLDER}/"):
        return Found(
            None,
            f"a story's pictures are files next to its article.md; copy content/{src} "
            f"into the story's folder and write '{src.rpartition('/')[2]}'",
        )
    if "/" in src or "\\" in src or src.startswith("."):
        return Found(
            None,
            f"'{src}' is not a file next to article.md; a story's pictures are files in "
            "its own folder, named without a path",
        )
    return _found(src, pictures.get(src), pictures, "next to article.md")


def media_picture(src: str, media: Mapping[str, ImageFile]) -> Found:
    """The picture file under content/media/ that `media/...` names."""
    if not src.startswith(f"{MEDIA_FOLDER}/"):
        return Found(
            None,
            f"'{src}' is not under media/; pictures shared by the site are files under "
            f"content/media/, written media/{src.rpartition('/')[2]}",
        )
    return _found(src, media.get(src), media, "under content/media/")


def _found(src: str, file: ImageFile | None, known: Mapping[str, ImageFile], where: str) -> Found:
    if not is_picture(src):
        suffix = suffix_of(src) or "no suffix"
        return Found(
            None,
            f"'{src}' has {suffix}, not a picture format the builder publishes; "
            "save it as JPEG (.jpg), PNG (.png) or WebP (.webp)",
        )
    if file is None:
        names = [name.rpartition("/")[2] if where.startswith("next") else name for name in known]
        hint = did_you_mean(src, names) if names else ""
        return Found(None, f"no picture '{src}' {where}" + hint)
    if file.problem is not None:
        return Found(None, f"{file.source} {file.problem}")
    if file.width < SMALLEST_SENSIBLE_WIDTH:
        return Found(
            file,
            warning=f"{file.source} is only {file.width} pixels wide and will look blurred; "
            f"use a picture at least {SMALLEST_SENSIBLE_WIDTH * 2} pixels wide",
        )
    return Found(file)


def attach(image: Image, found: Found, report: Report) -> Image:
    """The image with its file, reporting at its src what is wrong with it."""
    if found.problem is not None:
        report.error(image.position, found.problem)
    if found.warning is not None:
        report.warning(image.position, found.warning)
    return replace(image, file=found.file) if found.file is not None else image


# Records that may carry a portrait under content/media/.
Portrayed = TypeVar("Portrayed", Entry, Author)


def with_entry_images(
    entries: dict[str, Entry], media: Mapping[str, ImageFile], report: Report
) -> dict[str, Entry]:
    """The entries, each image with its file under content/media/."""
    return _with_portraits(entries, media, report)


def with_author_images(
    authors: dict[str, Author] | None, media: Mapping[str, ImageFile], report: Report
) -> dict[str, Author] | None:
    """The authors, each portrait with its file under content/media/."""
    return None if authors is None else _with_portraits(authors, media, report)


def _with_portraits(
    records: dict[str, Portrayed], media: Mapping[str, ImageFile], report: Report
) -> dict[str, Portrayed]:
    found = {}
    for key, record in records.items():
        image = record.image
        if image is not None:
            record = replace(record, image=attach(image, media_picture(image.src, media), report))
        found[key] = record
    return found


def with_publisher_logo(
    config: SiteConfig, media: Mapping[str, ImageFile], report: Report
) -> SiteConfig:
    """The settings, the publisher's logo with its file under content/media/."""
    publisher = config.publisher
    if publisher is None or publisher.logo is None:
        return config
    logo = attach(publisher.logo, media_picture(publisher.logo.src, media), report)
    return replace(config, publisher=replace(publisher, logo=logo))
