import pytest

from cases.services import case_justify, case_raise_for_match
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match


@pytest.fixture
def breach_case(world):
    """A breach case at world.a.store (beat world.a.beat), awaiting review."""
    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    return case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))


@pytest.fixture
def justified(world, breach_case):
    """The officer and admin of force A have opened the case with a justification."""
    for user in (world.a.officer, world.a.admin):
        case_justify(case=breach_case, user=user, justification="Triage of my beat's retail cases")
    return breach_case
