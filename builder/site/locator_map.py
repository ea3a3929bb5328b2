"""Locator maps: an inline SVG of numbered pins over country outlines.

Drawn at build time from places' coordinates, with no tiles and nothing
fetched, so a page shows its map offline and under its Content-Security-Policy.
The steps are plain functions: frame the pins, project, clip and simplify the
outlines that fall in the frame, then write the SVG with fixed number
formatting, so that two builds write the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from builder.site.map_frame import HEIGHT, WIDTH, Frame, Pin, Point, frame, project, unwrap

PIN_RADIUS = 9.0


def pixel(value: float) -> str:
    """A pin's coordinate to a tenth of a pixel, written short and always alike:
    12, 12.5, -0.5 (never 12.0, -0 or 1e-05)."""
    tenths = round(value * 10)
    whole, part = divmod(abs(tenths), 10)
    text = f"{whole}.{part}" if part else str(whole)
    return f"-{text}" if tenths < 0 else text


def _distance2(a: Point, b: Point) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def place_badges(view: Frame, pins: Sequence[Pin]) -> list[tuple[Point, Point]]:
    """For each pin, the point it marks and where its numbered badge goes: on
    the point, or, when an earlier badge covers it, the nearest free spot on
    rings around it, inside the map, so that every number can be read."""
    placed: list[tuple[Point, Point]] = []
    for pin in pins:
        spot = project(view, unwrap(pin.longitude, view.center), pin.latitude)
        badge = next((c for c in _candidates(spot) if _free(c, [b for _, b in placed])), spot)
        placed.append((spot, badge))
    return placed


def _candidates(spot: Point) -> list[Point]:
    gap = 2 * PIN_RADIUS + 1
    around = [
        (
            spot[0] + distance * gap * math.cos(step * math.pi / 4),
            spot[1] - distance * gap * math.sin(step * math.pi / 4),
        )
        for distance in range(1, 6)
        for step in range(8)
    ]
    inside = [
        (x, y)
        for x, y in around
        if PIN_RADIUS <= x <= WIDTH - PIN_RADIUS and PIN_RADIUS <= y <= HEIGHT - PIN_RADIUS
    ]
    return [spot, *inside]


def _free(point: Point, badges: list[Point]) -> bool:
    gap = 2 * PIN_RADIUS + 1
    return all(_distance2(point, other) >= gap * gap for other in badges)


def _leader_markup(spot: Point, badge: Point) -> str:
    """A line from a moved badge back to its place, and a dot on the place."""
    return (
        f'<line class="map-leader" x1="{pixel(spot[0])}" y1="{pixel(spot[1])}" '
        f'x2="{pixel(badge[0])}" y2="{pixel(badge[1])}"></line>'
        f'<circle class="map-spot" cx="{pixel(spot[0])}" cy="{pixel(spot[1])}" r="2"></circle>'
    )


def _badge_markup(pin: Pin, badge: Point) -> str:
    x, y = pixel(badge[0]), pixel(badge[1])
    if pin.number is None:
        return f'<circle class="map-pin" cx="{x}" cy="{y}" r="6"></circle>'
    return (
        f'<circle class="map-pin" cx="{x}" cy="{y}" r="{pixel(PIN_RADIUS)}"></circle>'
        f'<text class="map-pin-number" x="{x}" y="{y}">{pin.number}</text>'
    )


def locator_map(pins: Sequence[Pin], title: str, element_id: str) -> Markup:
    """The SVG element: role img, named by its title, its places listed in its
    description with the numbers the pins and the where box show. Every element
    has its end tag, as HTML's own elements do: the page's markup never self-closes."""
    # Imported here: numpy, shapely and the outlines take a third of a second
    # to load, which a rebuild whose pages have no map should not pay.
    from builder.site.land import land_path

    view = frame(pins)
    badges = place_badges(view, pins)
    places = "; ".join(
        f"{pin.number}, {pin.name}" if pin.number is not None else pin.name for pin in pins
    )
    leaders = "".join(_leader_markup(spot, badge) for spot, badge in badges if spot != badge)
    marks = "".join(_badge_markup(pin, badge) for pin, (_, badge) in zip(pins, badges, strict=True))
    return Markup(
        f'<svg class="locator-map" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="{element_id}-title {element_id}-desc">'
        f'<title id="{element_id}-title">{escape(title)}</title>'
        f'<desc id="{element_id}-desc">{escape(places)}</desc>'
        f'<rect class="map-sea" width="{WIDTH}" height="{HEIGHT}"></rect>'
        f'<path class="map-land" d="{land_path(view)}"></path>'
        f"{leaders}{marks}</svg>"
    )
