# Cases raised from matches, reviews and decisions: filled in by the cases issue.
