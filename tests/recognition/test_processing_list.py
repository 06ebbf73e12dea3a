"""The CCTV processing list: a page at a time with nothing left out, filtered by state, beat, store, upload
days and incident reference or file name, scoped as match data is (a beat officer's beats, a force admin's
force), and accessible in a browser at phone and desktop sizes."""

import datetime
import re

import pytest
from django.utils import timezone

from incidents.models import Evidence
from recognition.models import EvidenceProcessing
from recognition.views import PROCESSING_PAGE_SIZE
from tests.a11y import assert_accessible, save_screenshot
from tests.conftest import browser_login
from tests.conftest import signed_in as _client
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _file(store, worker, name: str, *, status: str = "done", uploaded_at=None, **fields) -> EvidenceProcessing:
    incident = IncidentFactory(store=store, reported_by=worker)
    evidence = evidence_for(incident, name.encode(), name)
    if uploaded_at is not None:
        Evidence.objects.filter(pk=evidence.pk).update(uploaded_at=uploaded_at)
    return EvidenceProcessing.objects.create_for(evidence, status=status, **fields)


def _names(response) -> list[str]:
    return re.findall(r'<span class="name">([^<]+)</span>', response.content.decode())


def test_every_file_is_listed_a_page_at_a_time(world):
    for i in range(PROCESSING_PAGE_SIZE + 5):
        _file(world.a.store, world.a.worker, f"cam-{i:02d}.jpg")
    client = _client(world.a.officer)
    first, second = client.get("/recognition/"), client.get("/recognition/?page=2")
    assert len(_names(first)) == PROCESSING_PAGE_SIZE and len(_names(second)) == 5
    assert set(_names(first)) | set(_names(second)) == {f"cam-{i:02d}.jpg" for i in range(PROCESSING_PAGE_SIZE + 5)}
    assert _names(first)[0] == "cam-54.jpg"  # newest first
    html = first.content.decode()
    assert f"1–{PROCESSING_PAGE_SIZE} of {PROCESSING_PAGE_SIZE + 5} files · page 1 of 2" in html
    assert 'href="?page=2" rel="next"' in html
    assert "51–55 of 55 files · page 2 of 2" in second.content.decode()


def test_pages_keep_the_filters(world):
    for i in range(PROCESSING_PAGE_SIZE + 1):
        _file(world.a.store, world.a.worker, f"fail-{i:02d}.jpg", status="failed", reason="The file is damaged.")
    _file(world.a.store, world.a.worker, "fine.jpg")
    html = _client(world.a.admin).get("/recognition/?state=failed").content.decode()
    assert 'href="?state=failed&amp;page=2" rel="next"' in html
    second = _client(world.a.admin).get("/recognition/?state=failed&page=2")
    assert _names(second) == ["fail-00.jpg"]


def test_state_filter_and_the_older_status_parameter(world):
    _file(world.a.store, world.a.worker, "done.jpg")
    _file(world.a.store, world.a.worker, "broken.mp4", status="failed", reason="The video cannot be opened.")
    _file(world.a.store, world.a.worker, "waiting.jpg", status="queued")
    _file(world.a.store, world.a.worker, "busy.jpg", status="running")
    client = _client(world.a.officer)
    for state, name in [
        ("done", "done.jpg"),
        ("failed", "broken.mp4"),
        ("queued", "waiting.jpg"),
        ("running", "busy.jpg"),
    ]:
        assert _names(client.get(f"/recognition/?state={state}")) == [name]
    assert _names(client.get("/recognition/?status=failed")) == ["broken.mp4"]  # links made before `state`
    assert len(_names(client.get("/recognition/"))) == 4


def test_beat_and_store_filters(world):
    a = world.a
    _file(a.store, a.worker, "north-store.jpg")
    _file(a.other_retailer_store, a.worker, "north-other-retailer.jpg")
    _file(a.sibling_store, a.worker, "south.jpg")
    client = _client(a.admin)
    assert sorted(_names(client.get(f"/recognition/?beat={a.beat.pk}"))) == [
        "north-other-retailer.jpg",
        "north-store.jpg",
    ]
    assert _names(client.get(f"/recognition/?beat={a.other_beat.pk}")) == ["south.jpg"]
    assert _names(client.get(f"/recognition/?store={a.other_retailer_store.pk}")) == ["north-other-retailer.jpg"]
    assert _names(client.get(f"/recognition/?beat={a.beat.pk}&store={a.sibling_store.pk}")) == []


def test_upload_day_filters_include_both_days(world):
    now = timezone.localtime()
    days = {name: now - datetime.timedelta(days=ago) for name, ago in [("old.jpg", 10), ("mid.jpg", 5), ("new.jpg", 0)]}
    for name, when in days.items():
        _file(world.a.store, world.a.worker, name, uploaded_at=when)
    client = _client(world.a.officer)
    mid = days["mid.jpg"].date()
    assert _names(client.get(f"/recognition/?from={mid}&to={mid}")) == ["mid.jpg"]
    assert _names(client.get(f"/recognition/?from={mid}")) == ["new.jpg", "mid.jpg"]
    assert _names(client.get(f"/recognition/?to={mid}")) == ["mid.jpg", "old.jpg"]


def test_search_by_incident_reference_or_file_name(world):
    wanted = _file(world.a.store, world.a.worker, "till-camera.jpg")
    _file(world.a.store, world.a.worker, "door.jpg")
    reference = wanted.evidence.incident.reference
    client = _client(world.a.officer)
    assert _names(client.get(f"/recognition/?q={reference}")) == ["till-camera.jpg"]
    assert _names(client.get(f"/recognition/?q={reference.lower()[-6:]}")) == ["till-camera.jpg"]
    assert _names(client.get("/recognition/?q=TILL")) == ["till-camera.jpg"]
    page = client.get("/recognition/?q=INC-1999-000001")
    assert _names(page) == [] and b"No evidence files match these filters." in page.content


def test_officer_sees_only_the_files_of_beats_they_cover(world):
    a = world.a
    _file(a.store, a.worker, "my-beat.jpg")
    _file(a.sibling_store, a.worker, "other-beat.jpg")
    _file(world.b.store, world.b.worker, "other-force.jpg")
    officer = _client(a.officer)
    assert _names(officer.get("/recognition/")) == ["my-beat.jpg"]
    # Another beat, or another force's store, is not a choice: named as a filter left out, and nothing leaks.
    for query in (f"beat={a.other_beat.pk}", f"store={a.sibling_store.pk}", f"store={world.b.store.pk}"):
        page = officer.get(f"/recognition/?{query}")
        assert page.status_code == 200 and _names(page) == ["my-beat.jpg"]
        assert b"(this filter is left out)" in page.content
    html = officer.get("/recognition/").content.decode()
    assert a.other_beat.name not in html and a.sibling_store.name not in html
    assert sorted(_names(_client(a.admin).get("/recognition/"))) == ["my-beat.jpg", "other-beat.jpg"]
    assert _client(a.worker).get("/recognition/").status_code == 403


def test_bad_filters_are_named_and_left_out(world):
    _file(world.a.store, world.a.worker, "done.jpg")
    client = _client(world.a.officer)
    for query, words in [
        ("state=lost", "State: Select a valid choice."),
        ("from=yesterday", "Uploaded from: Enter a valid date."),
        ("from=2026-03-02&to=2026-03-01", "The &#x27;to&#x27; date (1 Mar 2026) is before the &#x27;from&#x27; date"),
        ("beat=99999999999999999999", "Beat: Select a valid choice."),
        ("page=abc", ""),
    ]:
        page = client.get(f"/recognition/?{query}")
        assert page.status_code == 200, query
        assert words in page.content.decode(), query
        if "to=" not in query:
            assert _names(page) == ["done.jpg"], query


@pytest.mark.django_db(transaction=True)
def test_processing_list_in_a_browser_is_accessible_at_phone_and_desktop_sizes(browser_page, world):
    a = world.a
    for i in range(PROCESSING_PAGE_SIZE + 2):
        _file(
            a.store,
            a.worker,
            f"till-{i:02d}.jpg",
            faces_detected=1,
            frames_sampled=1,
            processing_seconds=0.4,
            result="no_match",
        )
    _file(a.store, a.worker, "door-camera.mp4", status="failed", reason="The video cannot be opened.", attempts=3)
    _file(a.store, a.worker, "aisle.jpg", status="queued")
    for who in ("officer", "admin"):
        user = getattr(a, who)
        browser_login(browser_page, user.username)
        browser_page.goto(f"{browser_page.base_url}/recognition/")
        for label, size in (("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})):
            browser_page.set_viewport_size(size)
            assert_accessible(browser_page, where=f"processing list, {who}, {label}")
            overflow = browser_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{who} {label}: scrolls sideways by {overflow}px"
            save_screenshot(browser_page, f"processing-{who}-{label}")
        browser_page.set_viewport_size({"width": 1280, "height": 800})
        browser_page.select_option("#id_state", "failed")
        browser_page.click("form.processing-filters button[type=submit]")
        browser_page.wait_for_load_state()
        assert "state=failed" in browser_page.url
        assert browser_page.locator("span.name").all_inner_texts() == ["door-camera.mp4"]
        assert_accessible(browser_page, where=f"processing list filtered, {who}")
        browser_page.goto(f"{browser_page.base_url}/recognition/?page=2")
        assert "51–54 of 54 files" in browser_page.inner_text("nav.pager")
        browser_page.context.clear_cookies()


def test_a_force_with_more_stores_than_a_list_holds_filters_by_a_kept_store_not_a_drop_down(world, settings):
    a = world.a
    here = _file(a.store, a.worker, "here.jpg")
    _file(a.other_retailer_store, a.worker, "there.jpg")
    client = _client(a.admin)
    assert '<select name="store"' in client.get("/recognition/").content.decode()  # a few stores: a list
    settings.INCIDENT_FILTER_CHOICES_MAX = 1
    response = client.get("/recognition/", {"store": a.store.pk})
    html = response.content.decode()
    assert '<select name="store"' not in html and f'type="hidden" name="store" value="{a.store.pk}"' in html
    assert _names(response) == [here.evidence.original_name]
