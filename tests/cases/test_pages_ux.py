"""Officer pages, fixed after walking the beat officer's flow: links, clear figures, specific confirmations."""

import pytest
from django.test import Client

from cases.models import Case

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_case_page_explains_similarity_against_a_distance_threshold(world, justified):
    html = signed_in(world.a.officer).get(f"/cases/{justified.pk}/").content.decode()
    distance = 1.0 - justified.best_similarity
    assert f"(cosine distance {distance:.3f})" in html
    assert f"threshold was a distance of {justified.threshold:.3f}: a face at or below it is a possible match" in html


def test_case_page_and_queue_link_to_the_incident_and_back(world, justified):
    c = signed_in(world.a.officer)
    incident_url = f'href="/incidents/{justified.incident_id}/"'
    detail = c.get(f"/cases/{justified.pk}/").content.decode()
    assert incident_url in detail and 'href="/cases/"' in detail
    assert "a.m.." not in detail and "p.m.." not in detail  # dates are written once, without a double stop
    assert incident_url in c.get("/cases/").content.decode()
    assert c.get(f"/incidents/{justified.incident_id}/").status_code == 200


def test_case_page_says_when_the_pack_becomes_available(world, justified):
    c = signed_in(world.a.officer)
    html = c.get(f"/cases/{justified.pk}/").content.decode()
    assert "once a reviewer has confirmed the match" in html and "pack.zip" not in html


def test_each_decision_says_what_was_recorded_and_what_comes_next(world, justified):
    c = signed_in(world.a.officer)
    url = f"/cases/{justified.pk}"
    r = c.post(f"{url}/review/", {"decision": "confirm", "reason": "Same person: scar and jacket"}, follow=True)
    html = r.content.decode()
    assert "Decision recorded. Match confirmed: next, record the corroborating evidence" in html
    assert 'class="success" role="status"' in html and "pack.zip" in html
    r = c.post(f"{url}/corroborate/", {"action": "summons", "corroboration": "Staff statement", "reason": "Breach"})
    assert "Corroboration and action saved" in c.get(r.url).content.decode()
    r = c.post(f"{url}/close/", {"reason": "Summons issued"}, follow=True)
    assert "Decision recorded. The case is closed." in r.content.decode()
    assert Case.objects.get(pk=justified.pk).status == Case.Status.CLOSED


def test_a_refused_decision_is_shown_as_an_alert(world, justified):
    r = signed_in(world.a.officer).post(f"/cases/{justified.pk}/review/", {"decision": "confirm"}, follow=True)
    assert 'class="error" role="alert"' in r.content.decode()


def test_rejecting_says_the_case_is_rejected(world, justified):
    r = signed_in(world.a.officer).post(
        f"/cases/{justified.pk}/review/", {"decision": "reject", "reason": "Different nose and ears"}, follow=True
    )
    html = r.content.decode()
    assert "Not the same person: the case is rejected." in html
    assert "No evidence pack: the reviewer found this is not the same person." in html
    assert "once a reviewer has confirmed" not in html


def test_access_log_links_each_entry_to_its_case(world, justified):
    html = signed_in(world.a.admin).get("/cases/access-log/").content.decode()
    assert f'<a href="/cases/{justified.pk}/">Case {justified.pk}</a>' in html
