"""Where a locator map looks: the frame that holds its pins, and the
projection from degrees to the map's pixels. Shared by the map's markup
(builder.site.locator_map) and its land (builder.site.land)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320  # of the SVG's viewBox; the stylesheet scales it to the column
HEIGHT = 240
PADDING = 24  # pixels between the outermost pin and the edge of the map
MIN_SPAN = 6.0  # degrees of latitude the map shows at least: a lone pin shows its region

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
