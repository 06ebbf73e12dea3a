"""Recognition services: the entry points other apps call.

``evidence_enqueue`` is the hook the incidents app calls (on commit) for each new evidence file.
"""


def evidence_enqueue(evidence_id: int) -> None:
    """Queue face matching for one evidence file. Filled in by the recognition pipeline."""
