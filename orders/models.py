# Offenders, reference photos, CBOs and prohibitions: filled in by the orders issue.
