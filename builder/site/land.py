"""The land under a locator map: country outlines cut to the map's frame,
projected to its pixels, simplified and written as one SVG path.

Kept apart from builder.site.locator_map, which imports it only when a page
has a map: numpy, shapely and the outlines are slow to load.
"""

from __future__ import annotations

import functools
import itertools

import numpy
import shapely

from builder.site.map_frame import Frame, outline_window
from builder.site.outlines import Outlines, country_outlines

TOLERANCE = 1.0  # pixels an outline may move when simplified; outlines are written in whole pixels
MIN_AREA = 4.0  # square pixels: a smaller island is a speck, and costs bytes


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
