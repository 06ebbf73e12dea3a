"""What a face search hands on, and to whom it does not say.

A search (the first one of a file, a re-search after late paperwork, an officer's boxed face) stores
its matches and then, in the same transaction, hands them on: each match raises or extends a case, and
the search is written to the s.62 access log. Both are the cases app's business, and cases depends on
recognition, not the other way round. So recognition asks for a ``Handoff`` and the caller supplies it:
``workflows.evidence.CASES`` is the one the service uses (tests may pass their own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CaseRef:
    """The case a match raised or joined."""

    case_id: int
    raised: bool  # False: the match was added to a case that already existed


class Handoff(Protocol):
    def case_for_match(self, match) -> CaseRef:
        """Raise the case for a stored match, or add the match to its case. Idempotent."""

    def case_id_for(self, *, incident_id: int, offender_id: int) -> int | None:
        """The case already open for this person and incident, if any."""

    def file_searched(self, *, evidence, processing) -> None:
        """s.62: the automatic search of a file, match or not."""

    def evidence_accessed(
        self, *, evidence, justification: str, detail: str, kind: str = "search", user=None, case_id=None
    ) -> int:
        """s.62: a person's look at an exhibit or search of it (returns the log row's id)."""
