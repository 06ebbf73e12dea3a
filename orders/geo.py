"""Zone geometry in pure Python: GeoJSON polygon validation, point-in-polygon and haversine distance.

Coordinates are WGS84 as GeoJSON writes them: ``[longitude, latitude]``. Zones are a few kilometres
across, so treating longitude/latitude as plane coordinates for the polygon test is exact enough
(edges are drawn straight on the map the admin used); distances use the haversine formula.
"""

import math
from decimal import Decimal

EARTH_RADIUS_M = 6_371_008.8
# The stores' own bounds (accounts.models.Store): Great Britain and Northern Ireland.
LAT_RANGE = (49.0, 61.0)
LON_RANGE = (-9.0, 2.0)
MAX_VERTICES = 2000

Point = tuple[float, float]  # (longitude, latitude)


class GeometryError(ValueError):
    """A polygon that cannot be used, with a message saying why and a stable ``code``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def haversine_m(lat1: float | Decimal, lon1: float | Decimal, lat2: float | Decimal, lon2: float | Decimal) -> float:
    """Great-circle distance in metres between two points."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def within_radius(*, lat, lon, centre_lat, centre_lon, radius_m: float) -> bool:
    return haversine_m(lat, lon, centre_lat, centre_lon) <= float(radius_m)


def _ring_contains(ring: list[Point], x: float, y: float) -> bool:
    """Even-odd ray casting; a point on an edge counts as inside (the zone's boundary is in the zone)."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if _on_segment((x1, y1), (x2, y2), (x, y)):
            return True
        if (y1 > y) != (y2 > y):
            x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < x_cross:
                inside = not inside
    return inside


def polygon_contains(polygon: dict, *, lat: float | Decimal, lon: float | Decimal) -> bool:
    """True when (lat, lon) lies in the polygon's outer ring (boundary included) and in none of its holes."""
    rings = [[(float(p[0]), float(p[1])) for p in ring] for ring in polygon["coordinates"]]
    x, y = float(lon), float(lat)
    if not _ring_contains(rings[0], x, y):
        return False
    return not any(_ring_contains(hole, x, y) and not _on_ring(hole, x, y) for hole in rings[1:])


def _on_ring(ring: list[Point], x: float, y: float) -> bool:
    return any(_on_segment(a, b, (x, y)) for a, b in zip(ring, ring[1:], strict=False))


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _on_segment(a: Point, b: Point, p: Point, eps: float = 1e-12) -> bool:
    if abs(_cross(a, b, p)) > eps:
        return False
    return (
        min(a[0], b[0]) - eps <= p[0] <= max(a[0], b[0]) + eps
        and min(a[1], b[1]) - eps <= p[1] <= max(a[1], b[1]) + eps
    )


def _segments_intersect(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    if ((d1 > 0 and d2 < 0) or (d1 < 0 and d2 > 0)) and ((d3 > 0 and d4 < 0) or (d3 < 0 and d4 > 0)):
        return True
    return (
        (d1 == 0 and _on_segment(q1, q2, p1))
        or (d2 == 0 and _on_segment(q1, q2, p2))
        or (d3 == 0 and _on_segment(p1, p2, q1))
        or (d4 == 0 and _on_segment(p1, p2, q2))
    )


def _ring_points(ring, label: str) -> list[Point]:
    """The ring's positions as (lon, lat), each checked, a repeated position dropped."""
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeometryError(f"The {label} needs at least 4 positions (a triangle plus the closing point).", "too_few")
    points: list[Point] = []
    for i, pos in enumerate(ring):
        if (
            not isinstance(pos, list | tuple)
            or len(pos) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in pos[:2])
        ):
            raise GeometryError(f"Position {i} of the {label} is not [longitude, latitude].", "bad_position")
        lon, lat = float(pos[0]), float(pos[1])
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            raise GeometryError(
                f"Position {i} of the {label} ({lon}, {lat}) is outside the UK (GeoJSON is [longitude, latitude]).",
                "out_of_bounds",
            )
        if not points or points[-1] != (lon, lat):  # a repeated position adds nothing
            points.append((lon, lat))
    return points


def _check_edges(points: list[Point], label: str) -> None:
    """No two edges cross, and no two neighbouring edges fold back over each other."""
    edges = list(zip(points, points[1:], strict=False))
    n = len(edges)
    for i in range(n):
        for j in range(i + 1, n):
            adjacent = j == i + 1 or (i == 0 and j == n - 1)
            if adjacent:
                # Neighbouring edges share one corner; they only clash if they fold back over each other.
                a, b = edges[i]
                c, d = edges[j]
                shared = b if j == i + 1 else a
                other_i = a if shared == b else b
                other_j = d if shared == c else c
                if _on_segment(edges[j][0], edges[j][1], other_i) or _on_segment(edges[i][0], edges[i][1], other_j):
                    raise GeometryError(f"The {label} folds back on itself at {list(shared)}.", "self_intersection")
                continue
            if _segments_intersect(*edges[i], *edges[j]):
                raise GeometryError(
                    f"The {label} crosses itself: edge {i + 1} meets edge {j + 1}.", "self_intersection"
                )


def _validate_ring(ring, label: str) -> list[Point]:
    points = _ring_points(ring, label)
    if len(points) < 2 or points[0] != points[-1]:
        raise GeometryError(
            f"The {label} does not close: its last position must repeat its first {list(points[0])}.", "not_closed"
        )
    if len(set(points[:-1])) < 3:
        raise GeometryError(f"The {label} needs at least 3 distinct corners.", "too_few")
    if len(points) > MAX_VERTICES:
        raise GeometryError(f"The {label} has more than {MAX_VERTICES} positions.", "too_many")
    _check_edges(points, label)
    return points


def validate_polygon(value) -> dict:
    """Check a GeoJSON Polygon (or a Feature holding one) and return the normalised geometry.

    Raises GeometryError with codes: not_polygon, too_few, bad_position, out_of_bounds, not_closed,
    too_many, self_intersection, hole_outside."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") != "Polygon" or not isinstance(value.get("coordinates"), list):
        raise GeometryError(
            'The zone must be a GeoJSON Polygon: {"type": "Polygon", "coordinates": [[[lon, lat], ...]]}.',
            "not_polygon",
        )
    rings = value["coordinates"]
    if not rings:
        raise GeometryError("The polygon has no outer ring.", "too_few")
    outer = _validate_ring(rings[0], "polygon's outer ring")
    holes = [_validate_ring(r, f"polygon's hole {i}") for i, r in enumerate(rings[1:], start=1)]
    for i, hole in enumerate(holes, start=1):
        if not all(_ring_contains(outer, x, y) for x, y in hole):
            raise GeometryError(f"Hole {i} of the polygon lies outside its outer ring.", "hole_outside")
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring] for ring in [outer, *holes]]}


def circle_polygon(*, lat: float, lon: float, radius_m: float, sides: int = 32) -> dict:
    """A polygon approximating a circle, for drawing a radius zone on a map."""
    coords = []
    for k in range(sides):
        bearing = 2 * math.pi * k / sides
        dlat = radius_m * math.cos(bearing) / EARTH_RADIUS_M
        dlon = radius_m * math.sin(bearing) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
        coords.append([round(lon + math.degrees(dlon), 6), round(lat + math.degrees(dlat), 6)])
    coords.append(coords[0])
    return {"type": "Polygon", "coordinates": [coords]}


def bounding_box(*, polygon: dict | None = None, lat=None, lon=None, radius_m=None) -> tuple[float, ...] | None:
    """(south, west, north, east) in degrees around a polygon's outer ring and a circle (either or both), widened
    by a metre and a little more so that a point on the boundary is inside; None for neither. A store outside it
    is outside the zone: the box finds the zones that may cover a store without testing every zone."""
    lats: list[float] = []
    lons: list[float] = []
    if polygon:
        lons += [float(p[0]) for p in polygon["coordinates"][0]]
        lats += [float(p[1]) for p in polygon["coordinates"][0]]
    if lat is not None and lon is not None and radius_m is not None:
        reach = float(radius_m) + 1.0
        dlat = math.degrees(reach / EARTH_RADIUS_M)
        # The parallel nearest the pole that the circle reaches: there a degree of longitude is shortest.
        widest = math.cos(min(abs(math.radians(float(lat))) + math.radians(dlat), math.radians(89.9)))
        dlon = math.degrees(reach / (EARTH_RADIUS_M * widest))
        lats += [float(lat) - dlat, float(lat) + dlat]
        lons += [float(lon) - dlon, float(lon) + dlon]
    if not lats:
        return None
    margin = 1e-5  # about a metre
    return (min(lats) - margin, min(lons) - margin, max(lats) + margin, max(lons) + margin)


def convex_hull(points: list[Point]) -> list[Point]:
    """The convex hull of (lon, lat) points, anticlockwise, as an open ring (Andrew's monotone chain).
    Fewer than three distinct points, or points all on one line, give what is left after dropping the
    inner ones (so a caller checks ``len(hull) >= 3`` before drawing it as an area)."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def half(seq: list[Point]) -> list[Point]:
        out: list[Point] = []
        for p in seq:
            while len(out) >= 2 and _cross(out[-2], out[-1], p) <= 1e-12:  # collinear within rounding: dropped
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(list(reversed(pts)))
    return lower[:-1] + upper[:-1]


def hull_polygon(points: list[Point]) -> dict | None:
    """A GeoJSON Polygon around the points (their convex hull, closed), or None when they enclose no area."""
    hull = convex_hull(points)
    if len(hull) < 3:
        return None
    ring = [list(p) for p in hull]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
