"""The incident list's beat filter takes several beats (``?beat=1&beat=2``) or ``beat=mine`` (the beats a beat
officer covers), on the portal page and the API; one beat still works, and a bad value is named, never a 500."""

import pytest

from cases.selectors import triage_queue
from tests.a11y import assert_accessible, save_screenshots
from tests.conftest import browser_login, client_for, signed_in
from tests.dashboards.builders import case
from tests.factories import BeatFactory, StoreFactory
from tests.incidents.factories import IncidentFactory
from tests.recognition.test_processing_list import _file, _names

pytestmark = pytest.mark.django_db


def refs(response) -> set[str]:
    html = response.content.decode()
    return {part.split("<", 1)[0] for part in html.split('/">')[1:] if part.startswith("INC-")}


@pytest.fixture
def three_beats(world):
    """Force A's North, South and a third beat (East), an incident in each, and one in force B."""
    a = world.a
    east = BeatFactory(force=a.force, name="A East")
    east_store = StoreFactory(retailer=a.retailer, beat=east, code="A-9")
    return {
        "east": east,
        "north": IncidentFactory(store=a.store, priority="P1"),
        "south": IncidentFactory(store=a.sibling_store, priority="P1"),
        "in_east": IncidentFactory(store=east_store, priority="P1"),
        "force_b": IncidentFactory(store=world.b.store, priority="P1"),
    }


def _only(response, *incidents) -> None:
    assert response.status_code == 200
    assert refs(response) == {i.reference for i in incidents}


def test_several_beats_list_the_incidents_of_any_of_them(world, three_beats):
    t, a = three_beats, world.a
    client = signed_in(a.admin)
    _only(client.get("/incidents/", {"beat": [a.beat.pk, a.other_beat.pk]}), t["north"], t["south"])
    _only(client.get("/incidents/", {"beat": [t["east"].pk]}), t["in_east"])  # one beat, as before
    _only(client.get("/incidents/"), t["north"], t["south"], t["in_east"])
    html = client.get("/incidents/", {"beat": [a.beat.pk, a.other_beat.pk]}).content.decode()
    assert 'name="beat"' in html and "multiple" in html
    assert f'<option value="{a.beat.pk}" selected>' in html and f'<option value="{a.other_beat.pk}" selected>' in html
    assert f'<option value="{t["east"].pk}">' in html


def test_mine_is_the_beats_the_officer_covers(world, three_beats):
    t, a = three_beats, world.a
    a.officer.beats.add(t["east"])
    client = signed_in(a.officer)
    _only(client.get("/incidents/", {"beat": "mine"}), t["north"], t["in_east"])
    html = client.get("/incidents/", {"beat": "mine", "priority": "P1"}).content.decode()
    assert f'<option value="{a.beat.pk}" selected>' in html  # shown as the beats themselves
    assert f'<option value="{t["east"].pk}" selected>' in html
    assert f'<option value="{a.other_beat.pk}">' in html
    assert "2 incidents matching these filters" in html


def test_mine_for_someone_who_covers_no_beats_is_named_and_left_out(world, three_beats):
    t = three_beats
    response = signed_in(world.a.admin).get("/incidents/", {"beat": "mine"})
    _only(response, t["north"], t["south"], t["in_east"])
    assert "Some filters were not applied" in response.content.decode()
    assert "you cover none" in response.content.decode()


def test_bad_beat_values_are_named_and_the_good_ones_still_apply(world, three_beats):
    t, a = three_beats, world.a
    client = signed_in(a.officer)
    other_force_beat = world.b.beat.pk
    response = client.get("/incidents/", {"beat": [a.beat.pk, "abc", str(other_force_beat), "9" * 30]})
    _only(response, t["north"])
    html = response.content.decode()
    assert "Some filters were not applied" in html
    assert "&quot;abc&quot; is not one of your force&#x27;s beats." in html
    assert f"&quot;{other_force_beat}&quot; is not one of your force&#x27;s beats." in html
    only_bad = client.get("/incidents/", {"beat": ["<b>x</b>"]})
    _only(only_bad, t["north"], t["south"], t["in_east"])  # nothing valid: the filter is left out
    assert "<b>x</b>" not in only_bad.content.decode()


def test_shop_staff_have_no_beat_filter(world, three_beats):
    response = signed_in(world.a.worker).get("/incidents/", {"beat": ["mine", world.a.other_beat.pk]})
    _only(response, three_beats["north"])
    assert 'name="beat"' not in response.content.decode()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_api_takes_several_beats_and_mine(world, three_beats):
    t, a = three_beats, world.a
    api = client_for(a.officer)
    both = f"/api/incidents/?beat={a.beat.pk}&beat={a.other_beat.pk}"
    assert ids(api.get(both)) == {t["north"].pk, t["south"].pk}
    assert ids(api.get(f"/api/incidents/?beat={t['east'].pk}")) == {t["in_east"].pk}
    assert ids(api.get("/api/incidents/?beat=mine")) == {t["north"].pk}
    assert ids(api.get(f"/api/incidents/?beat=mine&beat={t['east'].pk}")) == {t["north"].pk, t["in_east"].pk}
    assert ids(api.get(f"/api/incidents/?beat={world.b.beat.pk}")) == set()  # another force's: nothing
    assert ids(api.get("/api/incidents/?beat=" + "9" * 30)) == set()
    assert ids(client_for(a.admin).get("/api/incidents/?beat=mine")) == set()  # covers no beats


def test_the_api_names_a_bad_beat(world, three_beats):
    response = client_for(world.a.officer).get("/api/incidents/?beat=1&beat=abc")
    assert response.status_code == 400
    body = response.json()
    assert "beat" in str(body) and '"abc" is neither' in str(body)


def test_the_processing_list_takes_several_beats(world, media_root):
    a = world.a
    east = BeatFactory(force=a.force, name="A East")
    _file(a.store, a.worker, "north.jpg")
    _file(a.sibling_store, a.worker, "south.jpg")
    _file(StoreFactory(retailer=a.retailer, beat=east, code="A-9"), a.worker, "east.jpg")
    client = signed_in(a.admin)
    both = client.get(f"/recognition/?beat={a.beat.pk}&beat={east.pk}")
    assert sorted(_names(both)) == ["east.jpg", "north.jpg"]
    assert _names(client.get(f"/recognition/?beat={east.pk}")) == ["east.jpg"]  # one beat, as before
    # The officer's list is their beats: another beat is named as a filter left out, never a 500.
    page = signed_in(a.officer).get(f"/recognition/?beat={a.other_beat.pk}&beat=x")
    assert page.status_code == 200 and _names(page) == ["north.jpg"]
    assert b"(this filter is left out)" in page.content


def test_the_case_queue_rule_takes_several_beats(world, media_root):
    a = world.a
    north, south = case(a.store, a.worker, hours_ago=2), case(a.sibling_store, a.worker, hours_ago=1)
    both = set(triage_queue(a.admin, beat_id=[a.beat.pk, a.other_beat.pk]))
    assert both == {north, south}
    assert set(triage_queue(a.admin, beat_id=a.other_beat.pk)) == {south}
    assert set(triage_queue(a.officer, beat_id=[a.beat.pk, a.other_beat.pk])) == {north}  # need to know


def test_the_home_page_p1_link_opens_the_officers_beats_in_a_browser(world, three_beats, browser_page):
    """An officer of two beats follows the home page's P1 count: the list shows those two beats chosen and
    their incidents; a bad value is named at the top. Accessible, at phone and desktop sizes."""
    t, a, page = three_beats, world.a, browser_page
    a.officer.beats.add(t["east"])
    browser_login(page, "A-officer")
    page.goto(f"{page.base_url}/")
    link = page.get_attribute("a:has(> span.n[data-count='p1_waiting'])", "href")
    page.goto(page.base_url + link)
    assert "2 incidents matching these filters" in page.inner_text("main")
    chosen = page.eval_on_selector_all("#id_beat option:checked", "options => options.map(o => o.textContent)")
    assert sorted(chosen) == sorted([a.beat.name, t["east"].name])
    assert_accessible(page, "incident list, several beats")
    page.goto(f"{page.base_url}/incidents/?beat=mine&beat=abc")
    assert "Some filters were not applied" in page.inner_text("main")
    assert_accessible(page, "incident list, a bad beat named")
    save_screenshots(page, "list-beats")
