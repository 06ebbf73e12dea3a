# Incidents and evidence files: filled in by the incidents issue.
