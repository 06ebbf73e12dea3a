"""Zone geometry: polygon validation, point in polygon, haversine."""

import pytest

from orders import geo


def ring(*points):
    pts = [list(p) for p in points]
    return {"type": "Polygon", "coordinates": [pts + [pts[0]]]}


SQUARE = ring((-2.32, 53.09), (-2.29, 53.09), (-2.29, 53.11), (-2.32, 53.11))
# A "U": the notch between its arms is outside.
CONCAVE = ring(
    (-2.40, 53.00), (-2.30, 53.00), (-2.30, 53.10), (-2.33, 53.10), (-2.33, 53.03), (-2.37, 53.03), (-2.37, 53.10),
    (-2.40, 53.10),
)  # fmt: skip


@pytest.mark.parametrize(
    "lat, lon, inside",
    [
        (53.10, -2.30, True),
        (53.12, -2.30, False),
        (53.10, -2.33, False),
        (53.09, -2.30, True),  # on the bottom edge
        (53.09, -2.32, True),  # on a corner
        (53.08, -2.32, False),
    ],
)
def test_point_in_square(lat, lon, inside):
    assert geo.polygon_contains(SQUARE, lat=lat, lon=lon) is inside


def test_concave_polygon_notch_is_outside():
    assert geo.polygon_contains(CONCAVE, lat=53.05, lon=-2.35) is False  # in the notch
    assert geo.polygon_contains(CONCAVE, lat=53.05, lon=-2.38) is True  # left arm
    assert geo.polygon_contains(CONCAVE, lat=53.05, lon=-2.31) is True  # right arm
    assert geo.polygon_contains(CONCAVE, lat=53.01, lon=-2.35) is True  # base


def test_polygon_with_hole():
    outer = SQUARE["coordinates"][0]
    hole = [[-2.31, 53.095], [-2.30, 53.095], [-2.30, 53.105], [-2.31, 53.105], [-2.31, 53.095]]
    poly = geo.validate_polygon({"type": "Polygon", "coordinates": [outer, hole]})
    assert geo.polygon_contains(poly, lat=53.10, lon=-2.305) is False
    assert geo.polygon_contains(poly, lat=53.092, lon=-2.305) is True


def test_valid_polygon_and_feature_are_normalised():
    assert geo.validate_polygon(SQUARE) == SQUARE
    assert geo.validate_polygon({"type": "Feature", "geometry": SQUARE, "properties": {}}) == SQUARE
    assert geo.validate_polygon(CONCAVE)["type"] == "Polygon"


@pytest.mark.parametrize(
    "value, code",
    [
        ({"type": "Point", "coordinates": [-2.3, 53.1]}, "not_polygon"),
        ("not json", "not_polygon"),
        ({"type": "Polygon", "coordinates": []}, "too_few"),
        ({"type": "Polygon", "coordinates": [[[-2.3, 53.1], [-2.2, 53.1], [-2.3, 53.1]]]}, "too_few"),
        (
            {"type": "Polygon", "coordinates": [[[-2.32, 53.09], [-2.29, 53.09], [-2.29, 53.11], [-2.32, 53.11]]]},
            "not_closed",
        ),
        # A bow tie: edges 1 and 3 cross.
        (ring((-2.32, 53.09), (-2.29, 53.11), (-2.29, 53.09), (-2.32, 53.11)), "self_intersection"),
        # A figure eight touching at one corner.
        (
            ring((-2.3, 53.0), (-2.2, 53.1), (-2.1, 53.0), (-2.1, 53.2), (-2.2, 53.1), (-2.3, 53.2)),
            "self_intersection",
        ),
        # A spike folding back along its own edge.
        (ring((-2.3, 53.0), (-2.1, 53.0), (-2.2, 53.0), (-2.2, 53.1)), "self_intersection"),
        (
            {"type": "Polygon", "coordinates": [[[53.1, -2.3], [53.2, -2.3], [53.2, -2.2], [53.1, -2.3]]]},
            "out_of_bounds",
        ),
        (
            {"type": "Polygon", "coordinates": [[[-2.3, "53.1"], [-2.2, 53.1], [-2.2, 53.2], [-2.3, 53.1]]]},
            "bad_position",
        ),
    ],
)
def test_bad_polygons_are_refused_with_a_reason(value, code):
    with pytest.raises(geo.GeometryError) as exc:
        geo.validate_polygon(value)
    assert exc.value.code == code
    assert exc.value.message


def test_not_closed_message_says_what_to_do():
    open_ring = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0][:-1]]}
    with pytest.raises(geo.GeometryError, match="does not close"):
        geo.validate_polygon(open_ring)


def test_hole_outside_outer_ring():
    hole = [[-2.0, 53.0], [-1.9, 53.0], [-1.9, 53.1], [-2.0, 53.0]]
    with pytest.raises(geo.GeometryError) as exc:
        geo.validate_polygon({"type": "Polygon", "coordinates": [SQUARE["coordinates"][0], hole]})
    assert exc.value.code == "hole_outside"


def test_haversine():
    # One degree of latitude is about 111.2 km everywhere.
    assert geo.haversine_m(53.0, -2.3, 54.0, -2.3) == pytest.approx(111_195, rel=1e-3)
    # Crewe to Stoke-on-Trent, roughly 19 km.
    assert geo.haversine_m(53.0891, -2.4330, 53.0080, -2.1810) == pytest.approx(19_000, rel=0.1)
    assert geo.haversine_m(53.1, -2.3, 53.1, -2.3) == 0


def test_circle_polygon_is_a_valid_zone_of_the_right_size():
    poly = geo.validate_polygon(geo.circle_polygon(lat=53.1, lon=-2.3, radius_m=500))
    for lon, lat in poly["coordinates"][0]:
        assert geo.haversine_m(53.1, -2.3, lat, lon) == pytest.approx(500, rel=0.01)
    assert geo.polygon_contains(poly, lat=53.1, lon=-2.3)
