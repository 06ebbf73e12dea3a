"""Home pages: targets the counts are measured against, and how much the force admin's charts take in.

A P1 incident's response target is the incident's own (``incidents.rules``: 15 minutes). Cases have no
target of their own, so the home pages measure review and corroboration against these."""

from config.env import env

# A case awaiting review should be reviewed within this many hours of being raised (and the time from an
# incident's report to its case's review is charted against the same target).
DASHBOARD_CASE_REVIEW_TARGET_HOURS = env.int("DASHBOARD_CASE_REVIEW_TARGET_HOURS", default=24)
# A confirmed match should be corroborated (action recorded) within this many hours of its confirmation.
DASHBOARD_CORROBORATION_TARGET_HOURS = env.int("DASHBOARD_CORROBORATION_TARGET_HOURS", default=72)
# The force admin's charts: weeks of incidents, months of breach cases and review times.
DASHBOARD_WEEKS = env.int("DASHBOARD_WEEKS", default=12)
DASHBOARD_MONTHS = env.int("DASHBOARD_MONTHS", default=12)
# Stores (and people, orders) named in a chart or table before the rest are summed as "Other".
DASHBOARD_TOP_N = env.int("DASHBOARD_TOP_N", default=5)
# Orders ending within this many days, and youth orders whose yearly review falls due within it.
DASHBOARD_ORDERS_ENDING_DAYS = env.int("DASHBOARD_ORDERS_ENDING_DAYS", default=30)
DASHBOARD_YOUTH_REVIEW_DAYS = env.int("DASHBOARD_YOUTH_REVIEW_DAYS", default=30)
# Rows a home-page list shows before "all N" links to the full, paginated list.
DASHBOARD_LIST_ROWS = env.int("DASHBOARD_LIST_ROWS", default=10)
# How often (seconds) an open page asks for fresh counts for its badges (and whenever the tab is shown again).
DASHBOARD_COUNTS_POLL_SECONDS = env.int("DASHBOARD_COUNTS_POLL_SECONDS", default=60)
# The navigation's badges (and counts.json) are kept this many seconds per user (0: read on every page).
DASHBOARD_BADGE_CACHE_SECONDS = env.int("DASHBOARD_BADGE_CACHE_SECONDS", default=30)
# The force admin's figures are kept (``dashboards.kept``): the worker builds each force's afresh every this many
# minutes, and a page uses the kept copy while it is younger than DASHBOARD_FIGURES_MAX_AGE_MINUTES (older, or
# none yet: the page builds them itself). 0 builds them on every visit.
DASHBOARD_FIGURES_EVERY_MINUTES = env.int("DASHBOARD_FIGURES_EVERY_MINUTES", default=10)
DASHBOARD_FIGURES_MAX_AGE_MINUTES = env.int("DASHBOARD_FIGURES_MAX_AGE_MINUTES", default=30)
