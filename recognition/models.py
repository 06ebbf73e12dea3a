# Face templates and evidence processing records: filled in by the recognition issue.
