"""What a picture is published as, and the URLs pages give it."""

from __future__ import annotations

import pytest

from builder.content.model import ImageFile
from builder.site.pictures import crops, picture, responsive, widths


def file(width: int, height: int, kind: str = "JPEG") -> ImageFile:
    return ImageFile("content/world/s/a.jpg", "world/s/a.jpg", "ab12cd34" * 4, kind, width, height)


@pytest.mark.parametrize(
    ("width", "expected"),
    [(3000, (480, 960, 1600)), (1600, (480, 960, 1600)), (700, (480, 700)), (300, (300,))],
)
def test_widths_stop_at_the_picture_s_own(width: int, expected: tuple[int, ...]) -> None:
    assert widths(file(width, 100)) == expected


def test_a_picture_is_published_in_webp_and_its_own_format() -> None:
    kinds = {(v.format, v.output.rpartition(".")[2]) for v in responsive(file(1000, 500))}
    assert kinds == {("WEBP", "webp"), ("JPEG", "jpg")}
    assert {v.format for v in responsive(file(1000, 500, "WEBP"))} == {"WEBP"}


def test_names_carry_the_digest_so_a_changed_picture_gets_new_urls() -> None:
    assert all("/a-ab12cd34-" in v.output for v in responsive(file(1000, 500)))


def test_crops_have_their_aspect_ratio_and_never_upscale() -> None:
    found = {v.crop: (v.width, v.height) for v in crops(file(3000, 2000))}
    assert found == {(16, 9): (1200, 675), (4, 3): (1200, 900), (1, 1): (1200, 1200)}
    small = {v.crop: (v.width, v.height) for v in crops(file(800, 300))}
    assert small == {(16, 9): (533, 299), (4, 3): (400, 300), (1, 1): (300, 300)}


def test_the_picture_reserves_the_widest_variant_s_box() -> None:
    shown = picture(file(2000, 1000), "../../")
    assert (shown.width, shown.height) == (1600, 800)
    assert shown.src.endswith("-960.jpg") and shown.src.startswith("../../world/s/")
    assert shown.sources[0][0] == "image/webp"
    assert shown.srcset.count("w,") == 2
