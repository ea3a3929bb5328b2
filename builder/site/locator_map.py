"""Locator maps: an inline SVG of numbered pins over country outlines.

Drawn at build time from places' coordinates, with no tiles and nothing
fetched, so a page shows its map offline and under its Content-Security-Policy.
The steps are plain functions: frame the pins, project, clip and simplify the
outlines that fall in the frame, then write the SVG with fixed number
formatting, so that two builds write the same bytes.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy
import shapely
from markupsafe import Markup, escape

from builder.site.outlines import Outlines, country_outlines

WIDTH = 320  # of the SVG's viewBox; the stylesheet scales it to the column
HEIGHT = 240
PADDING = 24  # pixels between the outermost pin and the edge of the map
MIN_SPAN = 6.0  # degrees of latitude the map shows at least: a lone pin shows its region
PIN_RADIUS = 9.0
TOLERANCE = 1.0  # pixels an outline may move when simplified; outlines are written in whole pixels
MIN_AREA = 4.0  # square pixels: a smaller island is a speck, and costs bytes

Point = tuple[float, float]


@dataclass(frozen=True)
class Pin:
    """A place on the map: numbered like its card in the where box, or None for a lone pin."""

    number: int | None
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Frame:
    """The part of the world a map shows, and how: an equirectangular projection
    centred on `center`, its east-west scale shrunk by cos(`parallel`)."""

    center: float  # the longitude the map is centred on; pins are within 180° of it
    shrink: float  # cos of the parallel at the pins' middle latitude
    left: float  # projected x and y of the map's top-left corner
    top: float
    scale: float  # pixels per projected unit (a degree of latitude)


def central_longitude(longitudes: Sequence[float]) -> float:
    """The middle of the shortest arc holding every longitude, so that pins on
    both sides of the antimeridian (Chukotka and Alaska) sit side by side."""
    ordered = sorted(lon % 360 for lon in longitudes)
    gaps = [
        ((ordered[(i + 1) % len(ordered)] - ordered[i]) % 360 or 360, i)
        for i in range(len(ordered))
    ]
    widest, before = max(gaps)
    start = ordered[(before + 1) % len(ordered)]  # the arc begins after the widest gap
    middle = (start + (360 - widest) / 2) % 360
    return middle - 360 if middle > 180 else middle


def unwrap(longitude: float, center: float) -> float:
    """The longitude shifted by whole turns to lie within 180° of the centre."""
    return center + (longitude - center + 180) % 360 - 180


def frame(pins: Sequence[Pin]) -> Frame:
    """A frame holding every pin with room around it, at least MIN_SPAN degrees tall."""
    center = central_longitude([pin.longitude for pin in pins])
    latitudes = [pin.latitude for pin in pins]
    south, north = min(latitudes), max(latitudes)
    shrink = max(math.cos(math.radians((south + north) / 2)), 0.1)
    xs = [(unwrap(pin.longitude, center) - center) * shrink for pin in pins]
    span_x = max(max(xs) - min(xs), MIN_SPAN * WIDTH / HEIGHT)
    span_y = max(north - south, MIN_SPAN)
    scale = min((WIDTH - 2 * PADDING) / span_x, (HEIGHT - 2 * PADDING) / span_y)
    middle_x, middle_y = (max(xs) + min(xs)) / 2, (north + south) / 2
    return Frame(
        center=center,
        shrink=shrink,
        left=middle_x - WIDTH / 2 / scale,
        top=middle_y + HEIGHT / 2 / scale,
        scale=scale,
    )


def project(view: Frame, longitude: float, latitude: float) -> Point:
    """Pixels from the map's top-left corner; the longitude already unwrapped."""
    x = (longitude - view.center) * view.shrink
    return ((x - view.left) * view.scale, (view.top - latitude) * view.scale)


def outline_window(view: Frame) -> tuple[float, float, float, float]:
    """West, south, east and north of the frame in degrees, a pixel or two wider
    all round so that no outline's cut edge shows along the map's sides; the
    longitudes unwrapped like the pins', so west may be below -180 or east above 180."""
    margin = 2 / view.scale
    west = view.center + (view.left - margin) / view.shrink
    east = view.center + (view.left + WIDTH / view.scale + margin) / view.shrink
    return west, view.top - HEIGHT / view.scale - margin, east, view.top + margin


def projected_outlines(view: Frame, outlines: Outlines) -> list[shapely.Geometry]:
    """The country rings in the frame, cut to it, projected to pixels and
    simplified to TOLERANCE (Douglas–Peucker). A ring
    is drawn once for every whole turn that brings it in; where the frame spans
    the antimeridian, a country's pieces on either side (Chukotka, Fiji) are
    joined, so that no border is drawn along the 180th meridian."""
    west, south, east, north = outline_window(view)
    pieces: dict[int, list[shapely.Geometry]] = {}
    sides: dict[int, set[float]] = {}
    for turn in (-360.0, 0.0, 360.0):
        low, high = max(west - turn, -180.0), min(east - turn, 180.0)
        if low >= high:
            continue
        found = outlines.within(low, south, high, north)
        cut = shapely.clip_by_rect([outlines.rings[i] for i in found], low, south, high, north)
        moved = shapely.transform(cut, functools.partial(_to_pixels, view, turn))
        # Without topology, GEOS simplifies ten times faster; a ring that
        # crosses itself by a pixel after it does not show.
        moved = shapely.simplify(moved, TOLERANCE, preserve_topology=False)
        for index, geometry in zip(found, moved, strict=True):
            country = outlines.countries[index]
            pieces.setdefault(country, []).append(geometry)
            sides.setdefault(country, set()).add(turn)
    joined: list[shapely.Geometry] = []
    for country in sorted(pieces):
        if len(sides[country]) > 1:
            joined.append(shapely.union_all(pieces[country], grid_size=0.1))
        else:
            joined.extend(pieces[country])
    return joined


def _to_pixels(view: Frame, turn: float, points: numpy.ndarray) -> numpy.ndarray:
    x = (points[:, 0] + turn - view.center) * view.shrink
    return numpy.column_stack(
        ((x - view.left) * view.scale, (view.top - points[:, 1]) * view.scale)
    )


def outer_rings(geometries: list[shapely.Geometry]) -> list[numpy.ndarray]:
    """The outer ring of every polygon large enough to see."""
    return [
        shapely.get_coordinates(polygon.exterior)
        for polygon in shapely.get_parts(geometries)
        if isinstance(polygon, shapely.Polygon) and polygon.area >= MIN_AREA
    ]


def pixel(value: float) -> str:
    """A pin's coordinate to a tenth of a pixel, written short and always alike:
    12, 12.5, -0.5 (never 12.0, -0 or 1e-05)."""
    tenths = round(value * 10)
    whole, part = divmod(abs(tenths), 10)
    text = f"{whole}.{part}" if part else str(whole)
    return f"-{text}" if tenths < 0 else text


def ring_path(points: numpy.ndarray) -> str:
    """One closed subpath in whole pixels, moves relative after the first (the
    shortest to write); "" for a ring that rounds to less than a triangle."""
    rounded = [(int(x), int(y)) for x, y in numpy.rint(points)]
    if rounded[-1] == rounded[0]:
        rounded.pop()
    steps = [
        (x - px, y - py) for (px, py), (x, y) in itertools.pairwise(rounded) if (x, y) != (px, py)
    ]
    if len(steps) < 2:
        return ""
    moves = " ".join(f"{dx} {dy}" for dx, dy in steps)
    return f"M{rounded[0][0]} {rounded[0][1]}l{moves}z".replace(" -", "-")


# A map's land depends on its frame alone; stories about the same place share it.
@functools.lru_cache(maxsize=256)
def land_path(view: Frame) -> str:
    """Every country in the frame as one path, in the data's fixed order."""
    rings = outer_rings(projected_outlines(view, country_outlines()))
    return "".join(ring_path(points) for points in rings)


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
