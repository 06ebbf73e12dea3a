"""Orders: reference photos (custody images) and how long they are kept.

The retention task's schedule (ORDERS_RETENTION_EVERY_HOURS) is with the other periodic tasks in
``celery.py``.
"""

from config.env import env

# Reference photos larger than this are refused.
ORDERS_PHOTO_MAX_BYTES = env.int("ORDERS_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
# Reference photos and face templates of people whose last order ended more than this many
# days ago are deleted by the nightly retention task (gallery membership is checked at query time).
ORDERS_RETENTION_DAYS = env.int("ORDERS_RETENTION_DAYS", default=30)

# The portal's maps (static/js/map.js, Leaflet from static/vendor/leaflet). Map tiles come from the force's
# own tile server or a licensed one: a URL with {z}/{x}/{y} (and optionally {s}, a subdomain), e.g.
# https://tiles.example.police.uk/{z}/{x}/{y}.png. Empty (the default): no tiles, and the maps draw the
# force's beats, stores and zones on a plain background with a scale bar, fetching nothing from elsewhere
# (so they work offline and in tests). When set, the Content-Security-Policy lets images from its origin in
# (components/headers.py).
MAP_TILE_URL = env("MAP_TILE_URL", default="")
# The tiles' attribution as their licence asks, shown on the map as text, e.g. "© Crown copyright and
# database rights 2026 OS AC0000000000".
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
# Tiles exist up to this zoom level (a force's own server may stop earlier).
MAP_TILE_MAX_ZOOM = env.int("MAP_TILE_MAX_ZOOM", default=19)
