"""Incidents: limits on the evidence files a shop uploads."""

from config.env import env

# Size limits per kind, and a pixel limit that refuses decompression bombs.
INCIDENT_IMAGE_MAX_BYTES = env.int("INCIDENT_IMAGE_MAX_BYTES", default=25 * 1024 * 1024)
INCIDENT_VIDEO_MAX_BYTES = env.int("INCIDENT_VIDEO_MAX_BYTES", default=1024 * 1024 * 1024)
INCIDENT_IMAGE_MAX_PIXELS = env.int("INCIDENT_IMAGE_MAX_PIXELS", default=50_000_000)
INCIDENT_MAX_FILES_PER_UPLOAD = env.int("INCIDENT_MAX_FILES_PER_UPLOAD", default=20)
# The oldest incident taken, in days back from today (a mistyped year such as 1900 is refused with a 400).
INCIDENT_OLDEST_DAYS = env.int("INCIDENT_OLDEST_DAYS", default=5 * 365 + 1)

# The shape of a picture a face can be found in, for every uploaded image (evidence stills and reference photos,
# core.images.check_image) and a video's frames: a narrower strip or a smaller side decodes but can never be
# processed, so it is refused at upload with a 400 naming the file.
IMAGE_MIN_SIDE_PX = env.int("IMAGE_MIN_SIDE_PX", default=32)
IMAGE_MAX_ASPECT_RATIO = env.float("IMAGE_MAX_ASPECT_RATIO", default=20.0)

# The same CCTV file (by SHA-256) sent again at the same store within this many days asks the reporter to
# confirm before a second incident is made (a report sent twice, e.g. after the browser's Back button).
INCIDENT_DUPLICATE_WINDOW_DAYS = env.int("INCIDENT_DUPLICATE_WINDOW_DAYS", default=7)
# Incidents a page of the portal's list shows.
INCIDENT_LIST_PAGE_SIZE = env.int("INCIDENT_LIST_PAGE_SIZE", default=25)
# The list's store and "reported by" filters are drop-down lists up to this many choices; past it the
# search box finds a store by name (a large force has thousands of stores).
INCIDENT_FILTER_CHOICES_MAX = env.int("INCIDENT_FILTER_CHOICES_MAX", default=300)
