"""Officer pages, fixed after walking the beat officer's flow: links, clear figures, specific confirmations."""

import pytest

from cases.models import Case
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


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


def test_pack_link_refused_before_review_says_why_and_writes_nothing(world, justified):
    from cases.models import CaseAccess, CaseEvent

    c = signed_in(world.a.officer)
    before = (CaseAccess.objects.filter(kind="export").count(), CaseEvent.objects.count())
    r = c.get(f"/cases/{justified.pk}/pack.zip", follow=True)
    assert "An evidence pack is built only for a CBO-breach case" in r.content.decode()
    assert (CaseAccess.objects.filter(kind="export").count(), CaseEvent.objects.count()) == before


def test_each_decision_says_what_was_recorded_and_what_comes_next(world, justified):
    c = signed_in(world.a.officer)
    url = f"/cases/{justified.pk}"
    confirm = {"decision": "confirm", "reason": "Same person: scar and jacket", "acknowledged": "yes"}
    r = c.post(f"{url}/review/", confirm, follow=True)
    html = r.content.decode()
    assert "Decision recorded. Match confirmed: the case now waits for corroboration and the action taken." in html
    assert '<li class="success"><span role="status">' in html and "pack.zip" in html
    other = signed_in(world.a.admin)  # the officer who confirmed may not corroborate
    corroboration = {"action": "summons", "corroboration": "Staff statement", "reason": "Breach"}
    r = other.post(f"{url}/corroborate/", corroboration)
    assert "Corroboration and action saved" in other.get(r.url).content.decode()
    r = c.post(f"{url}/close/", {"reason": "Summons issued"}, follow=True)
    assert "Decision recorded. The case is closed." in r.content.decode()
    assert Case.objects.get(pk=justified.pk).status == Case.Status.CLOSED


def test_a_refused_decision_is_shown_as_an_alert(world, justified):
    r = signed_in(world.a.officer).post(f"/cases/{justified.pk}/review/", {"decision": "confirm"}, follow=True)
    assert '<li class="error"><span role="alert">' in r.content.decode()


def test_rejecting_says_the_case_is_rejected(world, justified):
    reject = {"decision": "reject", "reason": "Different nose and ears", "acknowledged": "yes"}
    r = signed_in(world.a.officer).post(f"/cases/{justified.pk}/review/", reject, follow=True)
    html = r.content.decode()
    assert "Not the same person: the case is closed and the match will not be used." in html
    assert "No evidence pack: the reviewer found this is not the same person." in html
    assert "once a reviewer has confirmed" not in html


def test_access_log_links_each_entry_to_its_case(world, justified):
    html = signed_in(world.a.admin).get("/cases/access-log/").content.decode()
    assert f'<a href="/cases/{justified.pk}/">{justified.reference}</a>' in html


def test_exhibit_is_served_in_byte_ranges_so_a_player_can_seek_and_logged_once(world, justified):
    from cases.models import CaseAccess

    evidence = justified.best_match.evidence
    body = evidence.file.read()
    evidence.file.close()
    c = signed_in(world.a.officer)
    url = f"/cases/{justified.pk}/evidence/{evidence.pk}/"
    whole = c.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert evidence.original_name in whole["Content-Disposition"]
    assert b"".join(whole.streaming_content) == body
    first = c.get(url, headers={"Range": "bytes=0-9"})
    assert first.status_code == 206 and first.content == body[:10]
    assert first["Content-Range"] == f"bytes 0-9/{len(body)}"
    rest = c.get(url, headers={"Range": "bytes=10-"})
    assert rest.status_code == 206 and rest.content == body[10:]
    tail = c.get(url, headers={"Range": "bytes=-4"})
    assert tail.content == body[-4:]
    beyond = c.get(url, headers={"Range": f"bytes={len(body)}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(body)}"
    views = CaseAccess.objects.filter(user=world.a.officer, kind=CaseAccess.Kind.VIEW_EVIDENCE)
    assert views.count() == 2  # the whole file and the range from byte 0; the player's later ranges are not


def test_exhibit_ranges_still_need_a_justification(world, breach_case):
    evidence = breach_case.best_match.evidence
    c = signed_in(world.a.officer)
    url = f"/cases/{breach_case.pk}/evidence/{evidence.pk}/"
    assert c.get(url, headers={"Range": "bytes=10-"}).status_code == 403
    assert c.get(url, headers={"Range": "bytes=0-"}).status_code == 403
    assert signed_in(world.b.officer).get(url, headers={"Range": "bytes=10-"}).status_code == 404
    from cases.models import CaseAccess

    assert not CaseAccess.objects.exists()
