"""Cases: what is kept after an officer's decision."""

from config.env import env

# The CCTV face crop of a rejected match ("not the same person") is deleted this many days after
# the rejection; the verdict and similarity stay (MatchFeedback) for threshold calibration.
CASES_REJECTED_CROP_RETENTION_DAYS = env.int("CASES_REJECTED_CROP_RETENTION_DAYS", default=30)

# Two people: the officer who confirmed a match may not corroborate it (UK practice for retrospective
# face searches: the reviewer and the investigating officer are different people). False lets one
# officer do both, for a force too small to staff two.
CASES_SEPARATE_CORROBORATOR = env.bool("CASES_SEPARATE_CORROBORATOR", default=True)

# The protective marking printed at the top and foot of every page of an evidence pack
# (Government Security Classifications).
CASES_PROTECTIVE_MARKING = env.str("CASES_PROTECTIVE_MARKING", default="OFFICIAL-SENSITIVE")
