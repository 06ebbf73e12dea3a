"""Cases: what is kept after an officer's decision."""

from config.env import env

# The CCTV face crop of a rejected match ("not the same person") is deleted this many days after
# the rejection; the verdict and similarity stay (MatchFeedback) for threshold calibration.
CASES_REJECTED_CROP_RETENTION_DAYS = env.int("CASES_REJECTED_CROP_RETENTION_DAYS", default=30)
