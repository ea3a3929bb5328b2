"""Publishing pictures: variants encoded once and kept, nothing but pixels published."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.core.diagnostics import ContentError
from tests.conftest import snapshot, write_files

ARTICLE = "content/world/story/article.md"
FRONT = (
    "---\ntitle: T\nsection: World\ndate: 2024-03-01\n"
    "image: {src: lead.jpg, alt: A quay, credit: Desk}\n---\n"
)


def jpeg_with_gps(colour: tuple[int, int, int], size: tuple[int, int] = (1000, 600)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Example Camera Co"
    exif[0x0112] = 6  # turned a quarter: published upright, 600 wide
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (50.0, 30.0, 0.0)
    data = io.BytesIO()
    Image.new("RGB", size, colour).save(data, "JPEG", exif=exif)
    return data.getvalue()


def make_site(folder: Path, colour: tuple[int, int, int] = (40, 90, 160)) -> Path:
    return write_files(
        folder,
        {
            "site.yaml": "title: T\nbase_url: https://example.org/\n",
            ARTICLE: FRONT + "A story.\n\n![A map](map.png)\n",
            "content/world/story/lead.jpg": jpeg_with_gps(colour),
            "content/world/story/map.png": png(),
        },
    )


def png() -> bytes:
    data = io.BytesIO()
    Image.new("RGBA", (700, 500), (200, 40, 40, 128)).save(data, "PNG")
    return data.getvalue()


def pictures(out: Path) -> dict[str, bytes]:
    return {
        path: data
        for path, data in snapshot(out).items()
        if path.endswith((".jpg", ".png", ".webp"))
    }


def test_published_pictures_carry_no_metadata_and_stand_upright(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(site=site, out=tmp_path / "out", workers=1))
    published = pictures(tmp_path / "out")
    assert len(published) == 4 + 3 + 4  # lead: 2 widths x 2 formats, 3 crops; map: 2 x 2
    for path, data in published.items():
        with Image.open(io.BytesIO(data)) as picture:
            assert not picture.getexif(), path
            assert "exif" not in picture.info and "xmp" not in picture.info, path
            if "/lead-" in path and "x" not in path.rpartition("-")[2]:
                assert picture.width < picture.height, f"{path} is not upright"
    assert b"Example Camera" not in b"".join(published.values())


def test_widths_are_never_wider_than_the_picture(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(site=site, out=tmp_path / "out", workers=1))
    names = sorted(path.rpartition("/")[2] for path in pictures(tmp_path / "out"))
    widths = {name.rpartition("-")[2].partition(".")[0] for name in names}
    assert widths == {"480", "600", "700", "16x9", "4x3", "1x1"}, names


def test_unchanged_pictures_are_not_encoded_again(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    first = build(BuildOptions(site=site, out=tmp_path / "out", workers=1))
    assert first.encoded == 11
    # An edit elsewhere: the pictures stay where they are.
    write_files(site, {ARTICLE: FRONT + "A story, edited.\n\n![A map](map.png)\n"})
    assert build(BuildOptions(site=site, out=tmp_path / "out", workers=1)).encoded == 0
    # A clean build into another folder takes every variant from the cache.
    clean = build(BuildOptions(site=site, out=tmp_path / "clean", workers=1, clean=True))
    assert clean.encoded == 0
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "clean")


def test_a_changed_picture_is_encoded_again_and_alone(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    build(BuildOptions(site=site, out=tmp_path / "out", workers=1))
    before = pictures(tmp_path / "out")
    write_files(site, {"content/world/story/lead.jpg": jpeg_with_gps((200, 200, 40))})
    result = build(BuildOptions(site=site, out=tmp_path / "out", workers=1))
    assert result.encoded == 7  # the lead's 4 widths and 3 crops; not the map
    after = pictures(tmp_path / "out")
    assert {p for p in after if "/map-" in p} == {p for p in before if "/map-" in p}
    assert not any(p in before for p in after if "/lead-" in p), "a changed picture keeps its URL"
    page = (tmp_path / "out/world/story/index.html").read_text(encoding="utf-8")
    assert all(p.rpartition("/")[2] in page for p in after if "/lead-" in p and "-480." in p)


def test_two_builds_in_two_places_write_the_same_bytes(tmp_path: Path) -> None:
    for name in ("one", "two"):
        site = make_site(tmp_path / name)
        build(BuildOptions(site=site, out=tmp_path / name / "out", workers=1))
    assert snapshot(tmp_path / "one/out") == snapshot(tmp_path / "two/out")


def test_an_author_portrait_is_published_on_the_author_page(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    write_files(
        site,
        {
            "content/authors.yaml": (
                "- id: jane-doe\n  name: Jane Doe\n"
                "  image: {src: media/jane.png, alt: Jane Doe at her desk, credit: Desk}\n"
            ),
            "content/media/jane.png": png(),
            ARTICLE: FRONT.replace("---\nimage", "authors: [jane-doe]\nimage")
            + "A story.\n\n![A map](map.png)\n",
        },
    )
    out = tmp_path / "out"
    build(BuildOptions(site=site, out=out, workers=1))
    page = (out / "authors/jane-doe/index.html").read_text(encoding="utf-8")
    assert 'alt="Jane Doe at her desk"' in page
    published = [path for path in pictures(out) if path.startswith("media/jane")]
    assert published, "the portrait's variants are published"
    assert all(f"../../{path}" in page for path in published if path.endswith(".webp"))
    assert '"image":["https://example.org/media/jane' in page  # in the ProfilePage's Person


def test_an_author_portrait_that_is_missing_is_an_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    write_files(
        site,
        {
            "content/authors.yaml": (
                "- id: jane-doe\n  name: Jane Doe\n"
                "  image: {src: media/nobody.png, alt: Jane, credit: Desk}\n"
            )
        },
    )
    try:
        build(BuildOptions(site=site, out=tmp_path / "out", workers=1))
    except ContentError as failure:
        lines = [d.format() for d in failure.report.sorted()]
    else:
        raise AssertionError("a missing portrait must fail the build")
    assert any(line.startswith("content/authors.yaml:3:") for line in lines), lines
