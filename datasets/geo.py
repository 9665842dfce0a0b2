"""District polygons that tile the city, point-in-polygon tests and random points inside polygons.

The city is a grid of cells whose corners and edge midpoints are jittered deterministically.
Neighbouring districts share the very same vertices, so the polygons never overlap and their
union is exactly the city polygon.
"""

from __future__ import annotations

import random
from itertools import pairwise

from datasets import city

Point = tuple[float, float]  # (longitude, latitude)
Ring = list[Point]


def _corner(rng_seed: int, r: int, c: int) -> Point:
    """A grid corner, moved by up to a quarter of a cell in each direction."""
    rng = random.Random(rng_seed * 1_000_003 + r * 101 + c)
    dx = (city.EAST - city.WEST) / city.GRID_COLUMNS
    dy = (city.NORTH - city.SOUTH) / city.GRID_ROWS
    return (
        round(city.WEST + c * dx + rng.uniform(-0.22, 0.22) * dx, 6),
        round(city.NORTH - r * dy + rng.uniform(-0.22, 0.22) * dy, 6),
    )


def _midpoint(rng_seed: int, a: tuple[int, int], b: tuple[int, int]) -> Point:
    """The jittered midpoint of the grid edge between corners a and b (same for both neighbours)."""
    a, b = sorted((a, b))
    rng = random.Random(rng_seed * 7_919 + a[0] * 1_009 + a[1] * 97 + b[0] * 13 + b[1])
    pa, pb = _corner(rng_seed, *a), _corner(rng_seed, *b)
    mx, my = (pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2
    # move perpendicular to the edge by up to 12 % of its length
    ex, ey = pb[0] - pa[0], pb[1] - pa[1]
    f = rng.uniform(-0.12, 0.12)
    return (round(mx - ey * f, 6), round(my + ex * f, 6))


def _path(seed: int, corners: list[tuple[int, int]]) -> Ring:
    """Corners joined through the jittered edge midpoints, as a closed ring."""
    ring: Ring = []
    for a, b in pairwise(corners):
        ring += [_corner(seed, *a), _midpoint(seed, a, b)]
    ring.append(ring[0])
    return ring


def district_ring(seed: int, row: int, col: int) -> Ring:
    """The outer ring of one district cell, counter-clockwise as GeoJSON (RFC 7946) wants."""
    corners = [(row + 1, col), (row + 1, col + 1), (row, col + 1), (row, col), (row + 1, col)]
    return _path(seed, corners)


def city_ring(seed: int) -> Ring:
    """The outer ring of the whole city: the boundary of the grid, counter-clockwise."""
    rows, cols = city.GRID_ROWS, city.GRID_COLUMNS
    corners = [(rows, c) for c in range(cols + 1)]
    corners += [(r, cols) for r in range(rows - 1, -1, -1)]
    corners += [(0, c) for c in range(cols - 1, -1, -1)]
    corners += [(r, 0) for r in range(1, rows + 1)]
    return _path(seed, corners)


def contains(ring: Ring, point: Point) -> bool:
    """Is the point inside the ring? (even-odd ray casting)"""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def area(ring: Ring) -> float:
    """Signed area in square degrees (shoelace formula); positive when counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2


def area_km2(ring: Ring) -> float:
    """Approximate area in km² (equirectangular projection at the ring's latitude)."""
    import math

    lat = sum(p[1] for p in ring) / len(ring)
    return abs(area(ring)) * 110.95 * 111.32 * math.cos(math.radians(lat))


def centroid(ring: Ring) -> Point:
    """Area centroid of a simple polygon."""
    a = area(ring)
    cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairwise(ring))
    cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairwise(ring))
    return (round(cx / (6 * a), 6), round(cy / (6 * a), 6))


def random_point(rng: random.Random, ring: Ring, margin: float = 0.15) -> Point:
    """A random point inside the ring, rounded to 6 decimals, kept away from the edges.

    The margin shrinks the sampling towards the centroid so that points do not sit on a boundary.
    """
    cx, cy = centroid(ring)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    while True:
        x = rng.uniform(min(xs), max(xs))
        y = rng.uniform(min(ys), max(ys))
        x, y = cx + (x - cx) * (1 - margin), cy + (y - cy) * (1 - margin)
        p = (round(x, 6), round(y, 6))
        if contains(ring, p):
            return p


def feature_collection(features: list[dict]) -> dict:
    """A GeoJSON FeatureCollection (WGS84 is implied by RFC 7946)."""
    return {"type": "FeatureCollection", "features": features}


def polygon_feature(properties: dict, ring: Ring) -> dict:
    """A GeoJSON Polygon feature with [lon, lat] positions."""
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
    }
