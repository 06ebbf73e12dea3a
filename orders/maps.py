"""A small self-contained SVG sketch of a prohibition's zone or circle and the stores around it, for the admin.

No map tiles (nothing is fetched from outside): the zone's outline, a 1 km scale bar, and every store of
the force nearby as a dot, red when the prohibition covers it. Hovering a dot shows the store's name."""

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from orders import geo

SIZE = 260
PAD = 14


def _bounds(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def zone_svg(prohibition, stores: list, covered_ids: set[int]) -> SafeString:
    """SVG for a zone/radius prohibition; ``stores`` are (store) candidates, ``covered_ids`` those covered."""
    shape: list[tuple[float, float]] = []
    if prohibition.polygon:
        shape = [(float(x), float(y)) for x, y in prohibition.polygon["coordinates"][0]]
    elif prohibition.has_circle:
        circle = geo.circle_polygon(
            lat=float(prohibition.centre_latitude),
            lon=float(prohibition.centre_longitude),
            radius_m=float(prohibition.radius_m),
            sides=48,
        )
        shape = [(x, y) for x, y in circle["coordinates"][0]]
    if not shape:
        return mark_safe("")
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
        'role="img" aria-label="Exclusion zone" style="background:#f4f6f8;border:1px solid #ccc">',
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
        y = SIZE - 6
        parts.append(f'<line x1="{PAD}" y1="{y}" x2="{PAD + bar_px:.1f}" y2="{y}" stroke="#000" stroke-width="2"/>')
        parts.append(f'<text x="{PAD + bar_px + 4:.1f}" y="{y + 3}" font-size="10">1 km</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
