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


@pytest.fixture(scope="session")
def face_engine():
    """The real face model, loaded once for the whole test session."""
    from tests.conftest import FACES, require

    require(FACES.is_dir(), f"Face dataset not found at {FACES}")
    from recognition import engine

    return engine.get_engine()


@pytest.fixture(autouse=True)
def _fresh_gallery_cache():
    # Each test's database is rolled back, so a gallery cached by an earlier test must not be reused.
    from recognition import gallery

    gallery.clear_cache()
    yield
    gallery.clear_cache()
