"""Locator maps: framing, projection, the antimeridian, pins, bytes and size."""

from __future__ import annotations

import re

import pytest

from builder.site.land import ring_path
from builder.site.locator_map import Pin, locator_map, pixel, place_badges
from builder.site.map_frame import (
    HEIGHT,
    MIN_SPAN,
    PADDING,
    WIDTH,
    central_longitude,
    frame,
    project,
    unwrap,
)

LINDMOUTH = [
    Pin(1, "Old Mill Bridge", 54.2143, -3.2871),
    Pin(2, "River Carrow", 54.2121, -3.2905),
    Pin(3, "Lindmouth", 54.2105, -3.2790),
]
AMUR = [
    Pin(1, "Vostochny Cosmodrome", 51.884, 128.334),
    Pin(2, "Komsomolsk-on-Amur", 50.55, 137.0),
    Pin(3, "Pyongyang", 39.03, 125.75),
]
BERING = [Pin(1, "Anadyr", 64.73, 177.5), Pin(2, "Nome", 64.5, -165.4)]


def pixels(pins: list[Pin]) -> list[tuple[float, float]]:
    view = frame(pins)
    return [project(view, unwrap(p.longitude, view.center), p.latitude) for p in pins]


@pytest.mark.parametrize(
    ("longitudes", "center"),
    [
        ([10.0, 20.0], 15.0),
        ([177.5, -165.4], -173.95),  # across the antimeridian, not across Greenwich
        ([-170.0, 170.0], 180.0),
        ([100.0], 100.0),
    ],
)
def test_the_centre_is_the_middle_of_the_shortest_arc(
    longitudes: list[float], center: float
) -> None:
    assert central_longitude(longitudes) == pytest.approx(center) or (
        abs(center) == 180 and abs(central_longitude(longitudes)) == pytest.approx(180)
    )


def test_unwrap_brings_a_longitude_within_half_a_turn_of_the_centre() -> None:
    assert unwrap(-165.4, 178.0) == pytest.approx(194.6)
    assert unwrap(177.5, -170.0) == pytest.approx(-182.5)
    assert unwrap(20.0, 15.0) == pytest.approx(20.0)


def test_places_across_the_antimeridian_sit_close_together() -> None:
    (ax, _), (bx, _) = pixels(BERING)
    assert ax < bx  # Anadyr, in the west, is drawn left of Nome
    assert bx - ax < WIDTH  # and not a world apart


def test_every_pin_is_inside_the_frame_with_padding() -> None:
    for pins in (LINDMOUTH, AMUR, BERING):
        for x, y in pixels(pins):
            assert PADDING - 0.01 <= x <= WIDTH - PADDING + 0.01
            assert PADDING - 0.01 <= y <= HEIGHT - PADDING + 0.01


def test_a_lone_pin_is_centred_and_shows_its_region() -> None:
    pin = Pin(None, "Budapest", 47.5, 19.04)
    view = frame([pin])
    assert project(view, pin.longitude, pin.latitude) == pytest.approx((WIDTH / 2, HEIGHT / 2))
    degrees_tall = HEIGHT / view.scale
    assert degrees_tall >= MIN_SPAN


def test_north_is_up_and_east_is_right() -> None:
    (bridge_x, bridge_y), _, (city_x, city_y) = pixels(LINDMOUTH)
    assert city_x > bridge_x  # Lindmouth lies east of the bridge
    assert city_y > bridge_y  # and south of it


def test_badges_of_places_too_close_to_tell_apart_are_moved_apart() -> None:
    view = frame(LINDMOUTH)
    placed = place_badges(view, LINDMOUTH)
    assert placed[0][0] == placed[0][1]  # the first stays on its place
    badges = [badge for _, badge in placed]
    for i, a in enumerate(badges):
        for b in badges[i + 1 :]:
            assert (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 >= 18**2


def test_pins_carry_the_numbers_of_the_where_box_and_the_description_lists_them() -> None:
    svg = str(locator_map(AMUR, "Map of the places in this story", "where-map"))
    numbers = re.findall(r'<text class="map-pin-number"[^>]*>(\d+)</text>', svg)
    assert numbers == ["1", "2", "3"]
    assert (
        '<desc id="where-map-desc">1, Vostochny Cosmodrome; 2, Komsomolsk-on-Amur; '
        "3, Pyongyang</desc>"
    ) in svg
    assert 'role="img" aria-labelledby="where-map-title where-map-desc"' in svg


def test_names_are_escaped() -> None:
    svg = str(locator_map([Pin(1, "<b>Fish & Ships</b>", 50.0, 0.0)], "A & B", "m"))
    assert "Fish &amp; Ships" in svg
    assert "<b>" not in svg
    assert "A &amp; B" in svg


def test_the_map_has_its_size_so_the_page_does_not_shift() -> None:
    svg = str(locator_map(LINDMOUTH, "Map", "m"))
    assert svg.startswith(
        f'<svg class="locator-map" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
    )


def test_the_same_places_give_the_same_bytes() -> None:
    first = str(locator_map(AMUR, "Map", "m"))
    again = str(locator_map(list(AMUR), "Map", "m"))
    assert first == again


@pytest.mark.parametrize("pins", [LINDMOUTH, AMUR, BERING, [Pin(None, "Budapest", 47.5, 19.04)]])
def test_a_map_stays_a_few_kilobytes(pins: list[Pin]) -> None:
    svg = str(locator_map(pins, "Map", "m"))
    assert 1000 < len(svg.encode()) < 6000  # land drawn, and not every bay of the coast


def test_a_map_draws_the_land_around_its_places() -> None:
    svg = str(locator_map([Pin(None, "Budapest", 47.5, 19.04)], "Map", "m"))
    land = re.search(r'<path class="map-land" d="([^"]*)"', svg)
    assert land is not None
    assert land.group(1).count("M") >= 5  # Hungary and its neighbours


def test_no_border_is_drawn_along_the_antimeridian() -> None:
    # Natural Earth cuts Russia at 180°; joined again, no vertical line runs
    # down the 180th meridian through Chukotka.
    view = frame(BERING)
    seam_x = round(project(view, unwrap(180.0, view.center), 65.0)[0])
    svg = str(locator_map(BERING, "Map", "m"))
    path = re.search(r'<path class="map-land" d="([^"]*)"', svg)
    assert path is not None
    vertical_runs = _vertical_runs_at(path.group(1), seam_x)
    assert vertical_runs == 0


def _vertical_runs_at(path: str, x: int) -> int:
    """Segments of a whole-pixel relative path that run straight down or up
    more than ten pixels at the given x."""
    runs = 0
    for subpath in re.findall(r"M([^l]*)l([^z]*)z", path):
        start, moves = subpath
        numbers = [int(n) for n in re.findall(r"-?\d+", start + " " + moves)]
        px, py = numbers[0], numbers[1]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            if dx == 0 and abs(dy) > 10 and abs(px - x) <= 1:
                runs += 1
            px, py = px + dx, py + dy
    return runs


@pytest.mark.parametrize(
    ("value", "text"),
    [(12.0, "12"), (12.54, "12.5"), (-0.5, "-0.5"), (-0.01, "0"), (0.0, "0"), (239.96, "240")],
)
def test_pixel_numbers_are_written_short_and_alike(value: float, text: str) -> None:
    assert pixel(value) == text


def test_a_ring_path_is_relative_and_drops_what_rounds_away() -> None:
    import numpy

    square = numpy.array([[0.2, 0.1], [10.0, 0.0], [10.0, 10.4], [0.0, 10.0], [0.0, 0.0]])
    assert ring_path(square) == "M0 0l10 0 0 10-10 0z"
    speck = numpy.array([[0.1, 0.1], [0.3, 0.2], [0.2, 0.4], [0.1, 0.1]])
    assert ring_path(speck) == ""
