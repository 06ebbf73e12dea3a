"""People: persistent offenders, and how long a person of interest is kept (force settings)."""

from config.env import env

# A person is marked persistent in the persistent-offender view when this many incidents are linked to
# them within the period (days, ending today unless the officer chooses another period).
PEOPLE_PERSISTENT_MIN_INCIDENTS = env.int("PEOPLE_PERSISTENT_MIN_INCIDENTS", default=3)
PEOPLE_PERSISTENT_PERIOD_DAYS = env.int("PEOPLE_PERSISTENT_PERIOD_DAYS", default=365)

# A person of interest with no incident linked to them for this many days and no order is flagged for
# review; the nightly review deletes them this many days later (the grace) unless an officer keeps the
# record, with a reason, for another review period.
PEOPLE_REVIEW_AFTER_DAYS = env.int("PEOPLE_REVIEW_AFTER_DAYS", default=365)
PEOPLE_REVIEW_GRACE_DAYS = env.int("PEOPLE_REVIEW_GRACE_DAYS", default=30)
