"""Incidents: limits on the evidence files a shop uploads."""

from config.env import env

# Size limits per kind, and a pixel limit that refuses decompression bombs.
INCIDENT_IMAGE_MAX_BYTES = env.int("INCIDENT_IMAGE_MAX_BYTES", default=25 * 1024 * 1024)
INCIDENT_VIDEO_MAX_BYTES = env.int("INCIDENT_VIDEO_MAX_BYTES", default=1024 * 1024 * 1024)
INCIDENT_IMAGE_MAX_PIXELS = env.int("INCIDENT_IMAGE_MAX_PIXELS", default=50_000_000)
INCIDENT_MAX_FILES_PER_UPLOAD = env.int("INCIDENT_MAX_FILES_PER_UPLOAD", default=20)
