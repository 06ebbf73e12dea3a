"""Drawings of a prohibition's zone (its polygon, or its circle as ``orders.geo.circle_polygon`` gives it),
with no map tiles: nothing is fetched from outside.

- ``zone_svg``: for the admin, the zone's outline, a 1 km scale bar, and every store of the force nearby as
  a dot, red when the prohibition covers it. Hovering a dot shows the store's name.
- ``zone_map_png``: for the evidence pack, the zone and the store of the incident, in local metres.

And the data behind the portal's interactive maps (``orders.map_views``, ``static/js/map.js``): the force's
beats and stores, the zones of an order or prohibition, and which stores a prohibition covers: always by
the matching's own rule, ``orders.selectors.prohibition_covers_store`` (``stores_covered_unsaved`` for one
being drawn).
"""

import io
import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, ImageDraw

from orders import geo, selectors

SIZE = 260
PAD = 14
Ring = list[tuple[float, float]]  # (longitude, latitude)


def zone_outlines(prohibition, *, sides: int = 48) -> list[Ring]:
    """The outlines a prohibition draws: its polygon's outer ring and/or its circle (``sides`` sides)."""
    rings: list[Ring] = []
    if prohibition.polygon:
        rings.append([(float(x), float(y)) for x, y in prohibition.polygon["coordinates"][0]])
    if prohibition.has_circle:
        circle = geo.circle_polygon(
            lat=float(prohibition.centre_latitude),
            lon=float(prohibition.centre_longitude),
            radius_m=float(prohibition.radius_m),
            sides=sides,
        )
        rings.append([(x, y) for x, y in circle["coordinates"][0]])
    return rings


def _bounds(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def zone_svg(prohibition, stores: list, covered_ids: set[int]) -> SafeString:
    """SVG for a zone/radius prohibition; ``stores`` are (store) candidates, ``covered_ids`` those covered."""
    outlines = zone_outlines(prohibition, sides=48)
    if not outlines:
        return mark_safe("")
    shape = outlines[0]  # a zone is a polygon or a circle, never both
    min_lon, min_lat, max_lon, max_lat = _bounds(shape)
    # Include nearby stores (within one zone-width) in the frame.
    w, h = max_lon - min_lon or 0.001, max_lat - min_lat or 0.001
    near = [
        s
        for s in stores
        if min_lon - w <= float(s.longitude) <= max_lon + w and min_lat - h <= float(s.latitude) <= max_lat + h
    ]
    min_lon, min_lat, max_lon, max_lat = _bounds(shape + [(float(s.longitude), float(s.latitude)) for s in near])
    kx = math.cos(math.radians((min_lat + max_lat) / 2))  # metres per degree of longitude shrink northwards
    span = max((max_lon - min_lon) * kx, max_lat - min_lat) or 0.001
    scale = (SIZE - 2 * PAD) / span

    def xy(lon: float, lat: float) -> str:
        return f"{PAD + (lon - min_lon) * kx * scale:.1f},{SIZE - PAD - (lat - min_lat) * scale:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        'role="img" aria-label="Exclusion zone">',
        f'<rect x="0.5" y="0.5" width="{SIZE - 1}" height="{SIZE - 1}" fill="#f4f6f8" stroke="#ccc"/>',
        f'<polygon points="{" ".join(xy(x, y) for x, y in shape)}" fill="rgba(200,30,30,0.15)" '
        'stroke="#c81e1e" stroke-width="2"/>',
    ]
    for s in near:
        colour = "#c81e1e" if s.pk in covered_ids else "#555"
        label = escape(f"{s.retailer.name} {s.name} ({s.code}){' - covered' if s.pk in covered_ids else ''}")
        x, y = xy(float(s.longitude), float(s.latitude)).split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="4" fill="{colour}"><title>{label}</title></circle>')
    metres_per_px = 111_320 / scale
    bar_px = 1000 / metres_per_px
    if 10 <= bar_px <= SIZE - 2 * PAD:
        bar_y = SIZE - 6
        parts.append(
            f'<line x1="{PAD}" y1="{bar_y}" x2="{PAD + bar_px:.1f}" y2="{bar_y}" stroke="#000" stroke-width="2"/>'
        )
        parts.append(f'<text x="{PAD + bar_px + 4:.1f}" y="{bar_y + 3}" font-size="10">1 km</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def zone_map_png(prohibition, store) -> bytes | None:
    """A plain map of the zone (polygon or circle) and the store, in local metres around the store: for the
    evidence pack. None when the prohibition has no zone."""
    if prohibition is None or not (prohibition.polygon or prohibition.has_circle):
        return None
    lat0, lon0 = float(store.latitude), float(store.longitude)

    def to_m(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) * 111_320 * math.cos(math.radians(lat0)), (lat - lat0) * 110_540

    shapes = [[to_m(lon, lat) for lon, lat in ring] for ring in zone_outlines(prohibition, sides=72)]
    xs = [x for s in shapes for x, _ in s] + [0.0]
    ys = [y for s in shapes for _, y in s] + [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 50.0) * 1.2
    size = 600
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def px(p: tuple[float, float]) -> tuple[float, float]:
        return size / 2 + (p[0] - cx) / span * size, size / 2 - (p[1] - cy) / span * size

    img = Image.new("RGB", (size, size + 30), "white")
    draw = ImageDraw.Draw(img)
    for shape in shapes:
        draw.polygon([px(p) for p in shape], outline=(176, 0, 32), fill=(255, 225, 225))
    sx, sy = px((0.0, 0.0))
    draw.ellipse([sx - 7, sy - 7, sx + 7, sy + 7], fill=(18, 53, 91))
    draw.text((sx + 10, sy - 6), store.name, fill=(18, 53, 91))
    draw.text((10, size + 8), f"Exclusion zone (red) and {store.name} (blue). Width shown: {span:.0f} m.", fill="black")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


# The data behind the portal's maps ----------------------------------------------------------------------


def covered_ids(prohibitions, stores) -> dict[int, list[int]]:
    """Store id -> ids of the (recorded) prohibitions that cover it, by the matching's rule. Stores no
    prohibition covers are left out."""
    covered: dict[int, list[int]] = {}
    for p in prohibitions:
        for s in stores:
            if selectors.prohibition_covers_store(p, s):
                covered.setdefault(s.pk, []).append(p.pk)
    return covered


def store_json(store, covered_by: list[int] | None = None) -> dict:
    return {
        "id": store.pk,
        "name": store.name,
        "code": store.code,
        "retailer": store.retailer.name,
        "postcode": store.postcode,
        "latitude": float(store.latitude),
        "longitude": float(store.longitude),
        "beat_id": store.beat_id,
        "covered": bool(covered_by),
        "covered_by": covered_by or [],
    }


def beat_json(beat, stores: list) -> dict:
    """A beat with its outline: ``boundary`` as recorded (or null), and ``hull``, the convex hull of its
    stores, which the map draws (marked as approximate) when there is no boundary."""
    points = [(float(s.longitude), float(s.latitude)) for s in stores if s.beat_id == beat.pk]
    return {
        "id": beat.pk,
        "name": beat.name,
        "boundary": beat.boundary or None,
        "hull": None if beat.boundary else geo.hull_polygon(points),
    }


def zone_json(prohibition, *, today) -> dict:
    circle = None
    if prohibition.has_circle:
        circle = {
            "latitude": float(prohibition.centre_latitude),
            "longitude": float(prohibition.centre_longitude),
            "radius_m": prohibition.radius_m,
        }
    removed = prohibition.removed_on is not None and prohibition.removed_on <= today
    return {
        "prohibition_id": prohibition.pk,
        "kind": prohibition.kind,
        "kind_label": prohibition.get_kind_display(),
        "description": prohibition.description,
        "polygon": prohibition.polygon or None,
        "circle": circle,
        "removed": removed,
    }


def current_prohibitions(prohibitions, *, today) -> list:
    """The prohibitions a variation has not removed by ``today`` (what the order says now)."""
    return [p for p in prohibitions if p.removed_on is None or p.removed_on > today]


def map_data(*, beats: list, stores: list, prohibitions: list, today) -> dict:
    """What ``static/js/map.js`` draws: beats, stores (``covered`` when a current prohibition in
    ``prohibitions`` covers it) and the zones (polygon and/or circle) of ``prohibitions``."""
    covered = covered_ids(current_prohibitions(prohibitions, today=today), stores)
    return {
        "beats": [beat_json(b, stores) for b in beats],
        "stores": [store_json(s, covered.get(s.pk)) for s in stores],
        "zones": [zone_json(p, today=today) for p in prohibitions if p.polygon or p.has_circle],
    }


def covered_stores(prohibitions, stores, *, today) -> list:
    """The stores (of ``stores``) that the current prohibitions cover: the text beside a map in view mode."""
    covered = covered_ids(current_prohibitions(prohibitions, today=today), stores)
    return [s for s in stores if s.pk in covered]
