"""Reading picture files: what each holds, or what is wrong with it, never an exception."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from builder.content.discover import discover
from builder.content.images import media_picture, read_picture, story_picture
from builder.core.diagnostics import Report
from tests.conftest import write_files


def saved(size: tuple[int, int], kind: str, **options: object) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, (30, 60, 90)).save(data, kind, **options)
    return data.getvalue()


def read(tmp_path: Path, name: str, data: bytes) -> tuple[str | None, int, int, str]:
    file = tmp_path / name
    file.write_bytes(data)
    found = read_picture(str(file), f"content/{name}", name)
    return found.problem, found.width, found.height, found.format


def test_a_picture_gives_its_size_and_format(tmp_path: Path) -> None:
    assert read(tmp_path, "a.jpg", saved((640, 360), "JPEG")) == (None, 640, 360, "JPEG")
    assert read(tmp_path, "a.webp", saved((500, 300), "WEBP")) == (None, 500, 300, "WEBP")


def test_a_turned_photo_gives_its_upright_size(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 8
    assert read(tmp_path, "a.jpg", saved((640, 360), "JPEG", exif=exif))[1:3] == (360, 640)


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("a.png", b"not a picture", "is not a picture the builder can read"),
        ("a.png", saved((64, 64), "JPEG"), "holds a JPEG picture, not the PNG its name says"),
        ("a.jpg", saved((640, 360), "JPEG")[:400], "is damaged"),
        ("a.png", saved((20000, 20000), "PNG"), "has more pixels than the limit"),
        ("a.gif.png", saved((40, 40), "GIF"), "is not a picture the builder can read"),
    ],
    ids=["not a picture", "wrong suffix", "truncated", "decompression bomb", "GIF"],
)
def test_a_broken_picture_says_what_is_wrong(
    tmp_path: Path, name: str, data: bytes, problem: str
) -> None:
    found = read(tmp_path, name, data)[0]
    assert found is not None and problem in found, found


def test_a_story_names_only_files_in_its_folder() -> None:
    assert story_picture("../x/a.jpg", {}).problem is not None
    assert "copy content/media/a.jpg" in str(story_picture("media/a.jpg", {}).problem)
    assert "did you mean 'a.jpg'" in str(story_picture("b.jpg", {"a.jpg": _file("a.jpg")}).problem)
    assert story_picture("a.jpg", {"a.jpg": _file("a.jpg")}).file is not None


def test_an_entry_names_only_files_under_media() -> None:
    media = {"media/a.jpg": _file("media/a.jpg")}
    assert media_picture("a.jpg", media).problem is not None
    assert media_picture("media/a.jpg", media).file is not None
    narrow = {"media/a.jpg": _file("media/a.jpg", width=100)}
    assert "blurred" in str(media_picture("media/a.jpg", narrow).warning)


def _file(name: str, width: int = 800) -> object:
    from builder.content.model import ImageFile

    return ImageFile(f"content/{name}", name, "0" * 32, "JPEG", width, 400)


def test_a_picture_linked_from_outside_the_site_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(saved((640, 360), "JPEG"))
    site = write_files(tmp_path / "site", {"content/world/story/article.md": "---\n---\n"})
    (site / "content/world/story/linked.jpg").symlink_to(outside)
    (site / "content/media").mkdir()
    (site / "content/media/linked.jpg").symlink_to(outside)
    report = Report()
    files = discover(site, report)
    assert files.bundles[0].images == ()
    assert files.media == ()
    assert sorted(d.position.path for d in report.diagnostics) == [
        "content/media/linked.jpg",
        "content/world/story/linked.jpg",
    ]
