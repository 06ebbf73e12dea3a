"""The outline a map draws for a beat with no recorded boundary: the convex hull of its stores."""

from orders import geo


def test_hull_of_a_square_with_points_inside_and_on_its_edges():
    square = [(-2.3, 53.1), (-2.2, 53.1), (-2.2, 53.2), (-2.3, 53.2)]
    inner = [(-2.25, 53.15), (-2.25, 53.1), (-2.3, 53.15), (-2.3, 53.1)]  # middle, on edges, a repeat
    hull = geo.convex_hull(square + inner)
    assert set(hull) == set(square) and len(hull) == 4


def test_hull_polygon_is_a_closed_valid_ring():
    polygon = geo.hull_polygon([(-2.3, 53.1), (-2.2, 53.1), (-2.25, 53.2), (-2.26, 53.12)])
    ring = polygon["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 4
    assert geo.validate_polygon(polygon)  # what the map draws is a polygon the zone rules accept
    assert geo.polygon_contains(polygon, lat=53.12, lon=-2.26)


def test_too_few_or_collinear_stores_enclose_no_area():
    assert geo.hull_polygon([]) is None
    assert geo.hull_polygon([(-2.3, 53.1), (-2.3, 53.1), (-2.3, 53.1)]) is None
    assert geo.hull_polygon([(-2.3, 53.1), (-2.2, 53.2)]) is None
    assert geo.hull_polygon([(-2.3, 53.1), (-2.25, 53.15), (-2.2, 53.2)]) is None  # one straight line
