"""Recognition pages, fixed after walking the force admin's and officer's flows."""

import pytest

from recognition.models import EvidenceProcessing
from recognition.services import threshold_for
from tests.conftest import signed_in
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for

pytestmark = pytest.mark.django_db


def test_processing_list_links_each_file_to_its_incident(world):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    EvidenceProcessing.objects.create_for(evidence_for(incident, b"x", "till.jpg", kind="image"))
    html = signed_in(world.a.officer).get("/recognition/").content.decode()
    assert f'<a href="/incidents/{incident.pk}/">{incident.reference}</a>' in html


def test_threshold_form_starts_from_the_current_threshold(world):
    html = signed_in(world.a.admin).get("/recognition/threshold/").content.decode()
    assert f'value="{threshold_for(force_id=world.a.force.pk)}"' in html
