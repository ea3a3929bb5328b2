"""What a picture file is published as, and how pages show it.

Each picture is published at a few widths, never wider than the file
itself, in WebP and in its own format, which browsers without WebP fall back
to; a story's lead image also as three crops (16:9, 4:3 and 1:1) that social
networks and search engines pick from. Names carry a digest of the file, so a
changed picture gets new URLs that no cache holds. The encoder
(builder.build.images) writes exactly the variants named here.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import NamedTuple

from builder.content.images import story_picture
from builder.content.model import Image, ImageFile
from builder.text.pictures import BodyImage, Picture, PictureLookup

WIDTHS = (480, 960, 1600)
CROPS = ((16, 9), (4, 3), (1, 1))
CROP_WIDTH = 1200  # social networks ask for 1200 pixels wide
FALLBACK_WIDTH = 960  # what a browser without srcset loads
MIME_TYPES = {"WEBP": "image/webp", "JPEG": "image/jpeg", "PNG": "image/png"}
SUFFIXES = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png"}
# The lead image spans the article's head, 52rem at most.
LEAD_SIZES = "(min-width: 56rem) 52rem, calc(100vw - 2rem)"
# Portraits on entry pages, in fact boxes and in pop-over cards.
PORTRAIT_SIZES = "8rem"


class Variant(NamedTuple):
    """One published file made from a picture."""

    output: str  # its path in the output folder
    format: str  # WEBP, JPEG or PNG
    width: int
    height: int
    crop: tuple[int, int] | None = None  # the aspect ratio of a crop, centred


def _stem(file: ImageFile) -> str:
    root, _ = posixpath.splitext(file.name)
    return f"{root}-{file.digest[:8]}"


def widths(file: ImageFile) -> tuple[int, ...]:
    """The published widths: the standard ones below the file's own, and its own up to 1600."""
    return tuple(sorted({min(width, file.width) for width in WIDTHS}))


def responsive(file: ImageFile) -> tuple[Variant, ...]:
    """Every width in WebP, then in the file's own format (none more for a WebP file)."""
    formats = ("WEBP",) if file.format == "WEBP" else ("WEBP", file.format)
    stem = _stem(file)
    return tuple(
        Variant(
            f"{stem}-{width}.{SUFFIXES[kind]}",
            kind,
            width,
            max(1, round(file.height * width / file.width)),
        )
        for kind in formats
        for width in widths(file)
    )


def crops(file: ImageFile) -> tuple[Variant, ...]:
    """The three crops of a lead image, JPEG, as wide as the file allows up to 1200."""
    found = []
    for across, down in CROPS:
        box_width = min(file.width, file.height * across // down)
        width = min(CROP_WIDTH, box_width)
        height = max(1, width * down // across)
        name = f"{_stem(file)}-{across}x{down}.jpg"
        found.append(Variant(name, "JPEG", width, height, (across, down)))
    return tuple(found)


def picture(file: ImageFile, root: str) -> Picture:
    """The picture's URLs relative to a page whose root is `root`."""
    variants = responsive(file)
    by_format: dict[str, list[Variant]] = {}
    for variant in variants:
        by_format.setdefault(variant.format, []).append(variant)
    fallback = by_format[file.format]
    widest = fallback[-1]
    shown = next((v for v in fallback if v.width >= FALLBACK_WIDTH), widest)
    sources = tuple(
        (MIME_TYPES[kind], _srcset(found, root))
        for kind, found in by_format.items()
        if kind != file.format
    )
    return Picture(
        f"{root}{shown.output}",
        widest.width,
        widest.height,
        sources,
        _srcset(fallback, root),
    )


def _srcset(variants: list[Variant], root: str) -> str:
    return ", ".join(f"{root}{v.output} {v.width}w" for v in variants)


def body_lookup(files: dict[str, ImageFile], root: str) -> PictureLookup:
    """What each body image's src names, for builder.text.pictures."""

    def lookup(src: str) -> BodyImage:
        found = story_picture(src, files)
        shown = picture(found.file, root) if found.file is not None else None
        return BodyImage(shown, found.problem, found.warning)

    return lookup


@dataclass(frozen=True)
class PictureView:
    """A picture as templates show it, with its words."""

    picture: Picture
    alt: str
    credit: str | None
    caption: str | None
    sizes: str


def picture_view(image: Image | None, root: str, sizes: str) -> PictureView | None:
    """The view of an image whose file was found; None for no image or a broken one."""
    if image is None or image.file is None:
        return None
    return PictureView(picture(image.file, root), image.alt, image.credit, image.caption, sizes)


def portrait_urls(image: Image | None, base_url: str) -> tuple[str, ...]:
    """A portrait's widest variant as an absolute URL, for og:image and JSON-LD; none
    without one."""
    if image is None or image.file is None:
        return ()
    return (f"{base_url}{responsive(image.file)[-1].output}",)


def crop_urls(file: ImageFile, base_url: str) -> tuple[str, ...]:
    """The crops' absolute URLs, widest aspect first, for og:image and JSON-LD."""
    return tuple(f"{base_url}{variant.output}" for variant in crops(file))
