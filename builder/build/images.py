"""Publishing pictures: every variant encoded once, kept in the build cache.

The variants of a picture (builder.site.pictures) depend only on its bytes
and the encoder's settings, so each is kept under the picture's digest in
.cache/explainer/pictures/, in a folder named for the encoder: a rebuild, cold
or warm, encodes only pictures it has never seen. A warm rebuild keeps a
published variant whose key is the same without reading it.

Encoding is reproducible: fixed quality and effort, no timestamps, and no
metadata carried over but the colour profile. EXIF (the camera, the time,
GPS positions) never reaches a published file; its orientation is applied to
the pixels first.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# Pillow's version alone, for the encoder's digest. Its imaging modules load where
# a picture is encoded: a build whose pictures are all published already, or
# that has none, is spared a sixtieth of a second of importing them.
import PIL

from builder.content.model import Image, ImageFile, Site
from builder.core.diagnostics import Position, Report
from builder.incremental.plan import ArticleRecord
from builder.incremental.records import OutputRecord, digest
from builder.incremental.uptodate import CACHE_FOLDER
from builder.site.pictures import Variant, crops, responsive
from builder.site.templates import PageTarget, PageWriter

if TYPE_CHECKING:
    from PIL import Image as PillowImage

JPEG_QUALITY = 82
WEBP_QUALITY = 80
WEBP_METHOD = 4  # libwebp's effort, 0-6: 4 is its default balance of size and time
PNG_COMPRESSION = 6
ENCODER = digest(PIL.__version__, JPEG_QUALITY, WEBP_QUALITY, WEBP_METHOD, PNG_COMPRESSION, 1)
# Pillow leaves the interpreter while it resizes and encodes: threads use every core.
THREADS = max(1, min(len(os.sched_getaffinity(0)), 8))


@dataclass(frozen=True)
class Wanted:
    """A picture to publish, and whether it is a lead image, which has crops too."""

    file: ImageFile
    crops: bool

    def variants(self) -> tuple[Variant, ...]:
        return responsive(self.file) + (crops(self.file) if self.crops else ())


@dataclass(frozen=True)
class PublishedPictures:
    outputs: list[tuple[str, OutputRecord]]
    encoded: int  # variants encoded in this build; the rest came from the cache or the output


def wanted_pictures(site: Site, bodies: Iterable[ArticleRecord]) -> list[Wanted]:
    """Each picture the site shows once, in a stable order; lead images with crops.

    Lead images, the pictures in bodies, entries' and authors' portraits and the
    publisher's logo: a picture file that nothing shows is not published.
    """
    leads = [bundle.front.image for bundle in site.bundles]
    others = [entry.image for entry in site.entries]
    others.extend(author.image for author in site.authors or ())
    publisher = site.config.publisher
    others.append(publisher.logo if publisher else None)
    found = {file.source: Wanted(file, False) for body in bodies for file in body.pictures}
    found.update((f.source, Wanted(f, False)) for f in _files(others))
    found.update((f.source, Wanted(f, True)) for f in _files(leads))
    return [found[source] for source in sorted(found)]


def _files(images: Iterable[Image | None]) -> Iterator[ImageFile]:
    for image in images:
        if image is not None and image.file is not None:
            yield image.file


def publish_pictures(
    site: Path,
    wanted: list[Wanted],
    target: PageTarget,
    writer: PageWriter,
    previous: dict[str, OutputRecord],
    report: Report,
) -> PublishedPictures:
    """Stage every variant: kept in place, copied from the cache, or encoded now."""
    cache = site / CACHE_FOLDER / "pictures" / ENCODER[:16]
    outputs: list[tuple[str, OutputRecord]] = []
    missing: list[tuple[Wanted, list[Variant]]] = []
    for item in wanted:
        to_make = []
        for variant in item.variants():
            key = digest(ENCODER, item.file.digest, variant)
            kept = previous.get(variant.output)
            if kept is not None and target.keeps(kept, variant.output, key):
                outputs.append((variant.output, kept))
            else:
                to_make.append(variant)
        if to_make:
            missing.append((item, to_make))
    encoded = 0
    for item, made, count in _made(site, cache, missing, report):
        encoded += count
        for variant, data in made:
            key = digest(ENCODER, item.file.digest, variant)
            outputs.append(writer.write(variant.output, data, key))
    return PublishedPictures(outputs, encoded)


def _made(
    site: Path, cache: Path, missing: list[tuple[Wanted, list[Variant]]], report: Report
) -> Iterator[tuple[Wanted, list[tuple[Variant, bytes]], int]]:
    """Each picture's missing variants as bytes, and how many had to be encoded."""
    if not missing:
        return
    from concurrent.futures import ThreadPoolExecutor  # here: only an edit that encodes

    with ThreadPoolExecutor(min(THREADS, len(missing))) as pool:
        results = pool.map(lambda job: _make_variants(site, cache, *job), missing)
        for (item, _), (made, count, problem) in zip(missing, results, strict=True):
            if problem is not None:
                report.error(Position(item.file.source), problem)
                continue
            yield item, made, count


def _make_variants(
    site: Path, cache: Path, item: Wanted, variants: list[Variant]
) -> tuple[list[tuple[Variant, bytes]], int, str | None]:
    """The variants' bytes, from the cache or encoded (and kept); or a problem."""
    folder = cache / item.file.digest
    made: list[tuple[Variant, bytes]] = []
    to_encode: list[Variant] = []
    for variant in variants:
        try:
            made.append((variant, (folder / _cache_name(variant)).read_bytes()))
        except OSError:
            to_encode.append(variant)
    if not to_encode:
        return made, 0, None
    data = (site / item.file.source).read_bytes()
    if digest_of(data) != item.file.digest:
        return [], 0, "changed while the site was being built; build again"
    with _upright(data) as picture:
        for variant in to_encode:
            encoded = encode(picture, variant)
            _keep(folder / _cache_name(variant), encoded)
            made.append((variant, encoded))
    return made, len(to_encode), None


def digest_of(data: bytes) -> str:
    """As builder.content.images digests a picture file."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _cache_name(variant: Variant) -> str:
    suffix = variant.output.rpartition(".")[2]
    if variant.crop is not None:
        return f"{variant.crop[0]}x{variant.crop[1]}.{suffix}"
    return f"{variant.width}.{suffix}"


def _keep(file: Path, data: bytes) -> None:
    """Write a cache file whole or not at all: a build stopped halfway leaves no half file."""
    file.parent.mkdir(parents=True, exist_ok=True)
    # Two sources may hold the same bytes, encoded at once in two threads.
    temporary = file.with_name(f".{file.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(file)


class _upright:
    """The decoded picture turned as its EXIF orientation says, in RGB or RGBA."""

    def __init__(self, data: bytes) -> None:
        from PIL import Image as PillowImage

        self.source = PillowImage.open(io.BytesIO(data))

    def __enter__(self) -> PillowImage.Image:
        from PIL import ImageOps

        picture = ImageOps.exif_transpose(self.source)
        has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
        converted = picture.convert("RGBA" if has_alpha else "RGB")
        converted.info["icc_profile"] = self.source.info.get("icc_profile")
        return converted

    def __exit__(self, *exc: object) -> None:
        self.source.close()


def encode(picture: PillowImage.Image, variant: Variant) -> bytes:
    """One variant's bytes: cropped, resized, encoded with fixed settings, no metadata."""
    from PIL import Image as PillowImage

    profile = picture.info.get("icc_profile")
    if variant.crop is not None:
        picture = picture.crop(_crop_box(picture.size, variant.crop))
    if picture.size != (variant.width, variant.height):
        size = (variant.width, variant.height)
        picture = picture.resize(size, PillowImage.Resampling.LANCZOS)
    extra = {"icc_profile": profile} if profile else {}
    out = io.BytesIO()
    if variant.format == "JPEG":
        _flattened(picture).save(
            out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **extra
        )
    elif variant.format == "WEBP":
        picture.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, **extra)
    else:
        picture.save(out, "PNG", compress_level=PNG_COMPRESSION, **extra)
    return out.getvalue()


def _crop_box(size: tuple[int, int], ratio: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest box of this aspect ratio, centred."""
    width, height = size
    across, down = ratio
    box_width = min(width, height * across // down)
    box_height = min(height, box_width * down // across)
    left, top = (width - box_width) // 2, (height - box_height) // 2
    return left, top, left + box_width, top + box_height


def _flattened(picture: PillowImage.Image) -> PillowImage.Image:
    """JPEG has no transparency: transparent parts become white."""
    if picture.mode != "RGBA":
        return picture
    from PIL import Image as PillowImage

    background = PillowImage.new("RGB", picture.size, (255, 255, 255))
    background.paste(picture, mask=picture.getchannel("A"))
    background.info = picture.info
    return background
